//! Publishing a document for a patient from the back office: a PDF uploaded (checked,
//! stored once by its SHA-256 under the document store) or a study of the archive found by
//! StudyInstanceUID or accession number, with category, title, date and price.

use super::{auth, views};
use crate::app::App;
use crate::audit::{self, Entry};
use crate::documents::publish::{self, Publication, Published, Source};
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::http::upload::{self, Received};
use crate::patients::codice_fiscale::CodiceFiscale;
use crate::patients::store as patients;
use crate::recovery::archive::ArchiveError;
use crate::recovery::lookup::StudyKey;
use crate::sms::notify::{self, Notice};
use crate::ui::{self, Field, time};
use hyper::StatusCode;
use maud::html;
use rusqlite::{Connection, params};

/// The form as typed, to show it again with its errors.
#[derive(Default)]
struct Typed {
    category: String,
    title: String,
    description: String,
    date: String,
    price: String,
    source: String,
    study: String,
}

type Errors = Vec<(&'static str, String)>;

fn error_of<'a>(e: &'a Errors, field: &str) -> Option<&'a str> {
    e.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
}

pub async fn page(app: &App, ctx: &mut Ctx, patient: i64) -> Result<Resp, AppError> {
    let typed = Typed {
        date: time::today().to_string(),
        source: "pdf".into(),
        ..Typed::default()
    };
    render(app, ctx, patient, StatusCode::OK, &typed, &Errors::new()).await
}

async fn render(
    app: &App,
    ctx: &Ctx,
    patient: i64,
    status: StatusCode,
    t: &Typed,
    errors: &Errors,
) -> Result<Resp, AppError> {
    let me = auth::current(ctx)?.clone();
    let (p, prices) = app
        .db
        .read(move |c| {
            let prices: Vec<(String, i64)> = c
                .prepare_cached("SELECT category, price_cents FROM price_list")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            Ok((patients::get(c, patient)?, prices))
        })
        .await?;
    let p = p.ok_or_else(|| AppError::missing("Paziente non trovato."))?;
    let price_of = |cat: &str| {
        prices
            .iter()
            .find(|(c, _)| c == cat)
            .map_or(0, |(_, cents)| *cents)
    };
    let back = format!("/operatore/pazienti/{}", p.id);
    let body = html! {
        p { a href=(back) { "← " (p.family) " " (p.given) } }
        h1 class="page-title" { "Pubblica un documento" }
        p { "Per " strong { (p.family) " " (p.given) } " (" code { (p.cf) } ")." }
        @if !errors.is_empty() { (ui::alert("danger", "Controlla i campi segnalati.")) }
        form method="post" action={ "/operatore/pazienti/" (p.id) "/pubblica" } enctype="multipart/form-data"
            class="card" novalidate {
            (ui::csrf_field(&me.csrf_token))
            div class="field" {
                label for="f-categoria" { "Categoria" }
                select id="f-categoria" name="categoria" aria-describedby="f-categoria-hint" {
                    @for c in &app.config.documents.categories {
                        option value=(c) selected[*c == t.category] { (c) " – " (price_label(price_of(c))) }
                    }
                }
                p class="hint" id="f-categoria-hint" { "Il prezzo del listino vale se non ne indichi un altro." }
                @if let Some(e) = error_of(errors, "category") { p class="field-error" { (e) } }
            }
            (ui::field(&Field { name: "titolo", label: "Titolo", kind: "text", value: &t.title, hint: Some("Come lo vedrà il paziente, es. «Lettera di dimissione»."),
                error: error_of(errors, "title"), autocomplete: "off", inputmode: None, maxlength: 200 }))
            div class="field" {
                label for="f-descrizione" { "Descrizione (facoltativa)" }
                textarea id="f-descrizione" name="descrizione" maxlength="2000" rows="3" { (t.description) }
                @if let Some(e) = error_of(errors, "description") { p class="field-error" { (e) } }
            }
            (ui::optional_field(&Field { name: "data", label: "Data del documento", kind: "date", value: &t.date, hint: Some("Vuota: la data di oggi."),
                error: error_of(errors, "exchanged_at"), autocomplete: "off", inputmode: None, maxlength: 10 }))
            (ui::optional_field(&Field { name: "prezzo", label: "Prezzo in euro (facoltativo)", kind: "text", value: &t.price,
                hint: Some("Vuoto: il prezzo del listino. 0 per un documento gratuito."),
                error: error_of(errors, "price_cents"), autocomplete: "off", inputmode: Some("decimal"), maxlength: 12 }))
            fieldset class="field" {
                legend { "Contenuto" }
                div class="choice" {
                    input id="f-fonte-pdf" type="radio" name="fonte" value="pdf" checked[t.source != "studio"];
                    label for="f-fonte-pdf" { "Un file PDF" }
                }
                div class="choice" {
                    input id="f-fonte-studio" type="radio" name="fonte" value="studio" checked[t.source == "studio"];
                    label for="f-fonte-studio" { "Uno studio dell'archivio immagini (PACS)" }
                }
                @if let Some(e) = error_of(errors, "source") { p class="field-error" role="alert" { (e) } }
            }
            (ui::optional_field(&Field { name: "studio", label: "StudyInstanceUID o numero di accettazione", kind: "text", value: &t.study,
                hint: Some("Solo per uno studio dell'archivio."), error: error_of(errors, "study"),
                autocomplete: "off", inputmode: None, maxlength: 64 }))
            div class="field" {
                label for="f-file" { "File PDF" }
                input id="f-file" type="file" name="file" accept="application/pdf,.pdf" aria-describedby="f-file-hint";
                p class="hint" id="f-file-hint" { "Solo per un PDF; al massimo " (app.config.documents.max_upload_mb) " MB." }
                @if let Some(e) = error_of(errors, "file") { p class="field-error" role="alert" { (e) } }
            }
            button type="submit" class="btn btn-primary" { "Pubblica" }
        }
    };
    Ok(resp::html(
        status,
        views::page(
            app,
            ctx,
            "Pubblica un documento",
            Some("/operatore/pazienti"),
            body,
        ),
    ))
}

pub(super) fn price_label(cents: i64) -> String {
    if cents == 0 {
        "gratuito".into()
    } else {
        ui::euro(cents)
    }
}

/// Exchange time of a document dated `day`: now for today, else noon of that day.
fn exchanged_at(day: jiff::civil::Date, now: i64) -> i64 {
    if day == time::day_of(now) {
        now
    } else {
        time::day_start(day) + 12 * 3600
    }
}

pub async fn submit(app: &App, ctx: &mut Ctx, patient: i64) -> Result<Resp, AppError> {
    let me = auth::current(ctx)?.clone();
    let max = app.config.documents.max_upload_mb * 1_000_000;
    let up = super::read_upload(app, ctx, max).await?;
    let t = Typed {
        category: up.get("categoria").to_string(),
        title: up.get("titolo").to_string(),
        description: up.get("descrizione").to_string(),
        date: up.get("data").trim().to_string(),
        price: up.get("prezzo").trim().to_string(),
        source: up.get("fonte").to_string(),
        study: up.get("studio").trim().to_string(),
    };
    let now = app.now();
    let mut errors = Errors::new();
    // No date: today's document.
    let day = if t.date.is_empty() {
        Some(time::day_of(now))
    } else {
        // gg/mm/aaaa as typed, or aaaa-mm-gg from a date picker.
        crate::documents::filter::parse_date(&t.date)
    };
    let price = match t.price.as_str() {
        "" => None,
        typed => match ui::parse_euro(typed) {
            Some(c) => Some(c),
            None => {
                errors.push(("price_cents", "Scrivi il prezzo in euro, es. 22,00.".into()));
                None
            }
        },
    };
    let at = day.map_or(-1, |d| exchanged_at(d, now));
    errors.extend(publish::check(
        &app.config.documents.categories,
        &t.category,
        &t.title,
        &t.description,
        at,
        price,
        now,
    ));
    if day.is_none() {
        errors.retain(|(f, _)| *f != "exchanged_at");
        errors.push((
            "exchanged_at",
            "La data non è valida: usa il formato gg/mm/aaaa.".into(),
        ));
    }
    let p = app
        .db
        .read(move |c| Ok(patients::get(c, patient)?))
        .await?
        .ok_or_else(|| AppError::missing("Paziente non trovato."))?;
    let source = match t.source.as_str() {
        "studio" => study_source(app, &t.study, &p.cf, &mut errors).await?,
        "pdf" => pdf_source(app, up.file, &mut errors)?,
        _ => {
            errors.push(("source", "Scegli il contenuto: un PDF o uno studio.".into()));
            None
        }
    };
    let (Some(source), true) = (source, errors.is_empty()) else {
        return render(
            app,
            ctx,
            patient,
            StatusCode::UNPROCESSABLE_ENTITY,
            &t,
            &errors,
        )
        .await;
    };
    let publication = Publication {
        patient_id: patient,
        category: t.category.clone(),
        title: t.title.clone(),
        description: t.description.clone(),
        exchanged_at: at,
        price_cents: price,
        source,
        origin: "operatore".into(),
        external_id: None,
        published_by: Some(me.id),
    };
    let sms = notify::configured(&app.config, Notice::Documents);
    let ip = ctx.ip.to_string();
    let done = app
        .db
        .write(move |tx| {
            if already(tx, patient, &publication.source)? {
                return Ok(None);
            }
            let (published, queued) = publish::publish(tx, &publication, &sms, now)?;
            let Published::New { id, .. } = published else {
                return Ok(None);
            };
            audit::log(
                tx,
                now,
                &Entry::by(me.actor())
                    .action("document_publish")
                    .document(patient, id)
                    .ip(&ip),
            )?;
            Ok(Some(queued))
        })
        .await?;
    match done {
        None => {
            let errors = vec![(
                "source",
                "Questo contenuto è già pubblicato per il paziente.".to_string(),
            )];
            render(app, ctx, patient, StatusCode::CONFLICT, &t, &errors).await
        }
        Some(queued) => {
            if queued {
                app.sms_wakeup.notify_one();
            }
            Ok(resp::go_to(
                ctx,
                &format!("/operatore/pazienti/{patient}?esito=pubblicato"),
            ))
        }
    }
}

/// The same file or study already listed for the patient (a form sent twice).
fn already(c: &Connection, patient: i64, source: &Source) -> rusqlite::Result<bool> {
    let reference = match source {
        Source::Pdf { reference, .. } => reference,
        Source::Study { uid } => uid,
    };
    c.query_row(
        "SELECT EXISTS (SELECT 1 FROM documents WHERE patient_id = ?1 AND source_ref = ?2
           AND state != 'withdrawn' AND withdrawn_at IS NULL)",
        params![patient, reference],
        |r| r.get(0),
    )
}

async fn study_source(
    app: &App,
    typed: &str,
    patient_cf: &str,
    errors: &mut Errors,
) -> Result<Option<Source>, AppError> {
    let Some(key) = StudyKey::parse(typed) else {
        errors.push((
            "study",
            "Scrivi lo StudyInstanceUID (cifre e punti) o il numero di accettazione.".into(),
        ));
        return Ok(None);
    };
    let archive = app.archive.clone();
    let found = tokio::task::spawn_blocking(move || archive.find(&key))
        .await
        .map_err(AppError::internal)?;
    match found {
        Ok(f) => {
            // A study whose PatientID is another codice fiscale is another person's.
            if let Ok(cf) = CodiceFiscale::parse(&f.patient_id)
                && cf.as_str() != patient_cf
            {
                errors.push((
                    "study",
                    "Lo studio è intestato a un altro codice fiscale: controlla il paziente e lo studio."
                        .into(),
                ));
                return Ok(None);
            }
            Ok(Some(Source::Study { uid: f.uid }))
        }
        Err(ArchiveError::NotFound(why)) => {
            errors.push(("study", format!("Studio non trovato nell'archivio: {why}.")));
            Ok(None)
        }
        Err(e) => {
            tracing::warn!(
                error = e.detail(),
                "archivio: ricerca di uno studio fallita"
            );
            errors.push((
                "study",
                "L'archivio immagini non risponde: riprova più tardi.".into(),
            ));
            Ok(None)
        }
    }
}

/// Checks the PDF and stores it under `<pdf_root>/sha256/ab/<hash>.pdf` (one copy per content).
fn pdf_source(
    app: &App,
    file: Option<Received>,
    errors: &mut Errors,
) -> Result<Option<Source>, AppError> {
    let Some(file) = file.filter(|f| f.size > 0) else {
        errors.push(("file", "Scegli il file PDF da pubblicare.".into()));
        return Ok(None);
    };
    if let Err(why) = upload::check_pdf(&file) {
        errors.push(("file", why.to_string()));
        return Ok(None);
    }
    if !errors.is_empty() {
        return Ok(None);
    }
    let (sha, size) = (file.sha256.clone(), file.size as i64);
    let reference = format!("sha256/{}/{sha}.pdf", &sha[..2]);
    file.keep_as(&app.config.pdf_root().join(&reference))
        .map_err(AppError::internal)?;
    Ok(Some(Source::Pdf {
        reference,
        sha256: sha,
        size,
        pages: None,
    }))
}
