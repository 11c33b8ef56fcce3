//! A document in the back office: its details, the PDF opened by the operator (audited as
//! an access the patient sees), withdrawal; and a patient's documents as the patient page
//! lists them.

use super::publish::price_label;
use super::{auth, views};
use crate::app::App;
use crate::audit::{self, Entry};
use crate::documents::publish::{self, Withdrawal};
use crate::error::{AppError, Kind};
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::public_id::PublicId;
use crate::ui::{self, time};
use hyper::StatusCode;
use maud::html;
use rusqlite::{Connection, OptionalExtension};

struct Doc {
    id: i64,
    patient: i64,
    patient_name: String,
    cf: String,
    title: String,
    description: String,
    category: String,
    exchanged_at: i64,
    published_at: i64,
    kind: String,
    reference: String,
    price_cents: i64,
    vat_pct: i64,
    origin: String,
    external_id: Option<String>,
    state: String,
    withdrawn_at: Option<i64>,
    size: Option<i64>,
    sha256: Option<String>,
}

fn doc(c: &Connection, public: &PublicId) -> rusqlite::Result<Option<Doc>> {
    c.query_row(
        "SELECT d.id, d.patient_id, p.family_name || ' ' || p.given_name, p.codice_fiscale, d.title,
                d.description, d.category, d.exchanged_at, d.published_at, d.source_kind, d.source_ref,
                d.price_cents, d.vat_pct, d.origin, d.external_id, d.state, d.withdrawn_at,
                d.size_bytes, d.sha256
         FROM documents d JOIN patients p ON p.id = d.patient_id WHERE d.public_id = ?1",
        [&**public],
        |r| {
            Ok(Doc {
                id: r.get(0)?,
                patient: r.get(1)?,
                patient_name: r.get(2)?,
                cf: r.get(3)?,
                title: r.get(4)?,
                description: r.get(5)?,
                category: r.get(6)?,
                exchanged_at: r.get(7)?,
                published_at: r.get(8)?,
                kind: r.get(9)?,
                reference: r.get(10)?,
                price_cents: r.get(11)?,
                vat_pct: r.get(12)?,
                origin: r.get(13)?,
                external_id: r.get(14)?,
                state: r.get(15)?,
                withdrawn_at: r.get(16)?,
                size: r.get(17)?,
                sha256: r.get(18)?,
            })
        },
    )
    .optional()
}

pub async fn show(app: &App, ctx: &mut Ctx, public: &PublicId) -> Result<Resp, AppError> {
    let alert = match ctx.query().get("ritiro") {
        "fatto" => Some((
            "success",
            "Documento ritirato: il paziente non lo vede più.",
        )),
        "conservato" => Some((
            "warning",
            "Il paziente lo ha già acquistato: resta disponibile per lui, segnalato come ritirato, e non è più in vendita.",
        )),
        "ordine" => Some((
            "danger",
            "Il documento è in un ordine in attesa di pagamento: ritiralo quando l'ordine sarà concluso.",
        )),
        _ => None,
    };
    let me = auth::current(ctx)?.clone();
    let key = public.clone();
    let d = app
        .db
        .read(move |c| Ok(doc(c, &key)?))
        .await?
        .ok_or_else(|| AppError::missing("Documento non trovato."))?;
    let withdrawn = d.state == "withdrawn" || d.withdrawn_at.is_some();
    let body = html! {
        p { a href={ "/operatore/pazienti/" (d.patient) } { "← " (d.patient_name) } }
        h1 class="page-title" { (d.title) }
        (views::alert(alert))
        dl class="details" {
            dt { "Paziente" } dd { (d.patient_name) " (" code { (d.cf) } ")" }
            dt { "Categoria" } dd { (d.category) }
            @if !d.description.is_empty() { dt { "Descrizione" } dd { (d.description) } }
            dt { "Data" } dd { (time::datetime(d.exchanged_at)) }
            dt { "Pubblicato il" } dd { (time::datetime(d.published_at)) " (" (d.origin) ")" }
            @if let Some(e) = &d.external_id { dt { "Identificativo esterno" } dd { code { (e) } } }
            dt { "Prezzo" } dd { (price_label(d.price_cents)) @if d.vat_pct > 0 { " IVA " (d.vat_pct) " %" } }
            dt { "Stato" } dd { (doc_state(&d.state, d.withdrawn_at.is_some())) }
            @if d.kind == "dicom" {
                dt { "Studio (StudyInstanceUID)" } dd { code { (d.reference) } }
            } @else {
                dt { "File" } dd {
                    (d.size.map(|s| format!("PDF, {} kB", (s + 999) / 1000)).unwrap_or_else(|| "PDF".into()))
                    @if let Some(h) = &d.sha256 { br; small { "SHA-256 " code { (h) } } }
                }
            }
        }
        p class="actions" {
            @if d.kind == "pdf" {
                a class="btn btn-outline" href={ "/operatore/documenti/" (public) "/file" } { "Apri il PDF" }
                " "
            }
        }
        @if !withdrawn {
            section class="card" aria-labelledby="ritiro" {
                h2 id="ritiro" { "Ritira il documento" }
                p { "Il paziente non lo vedrà più. Se lo ha già acquistato resta disponibile per lui." }
                form method="post" action={ "/operatore/documenti/" (public) "/ritira" } {
                    (ui::csrf_field(&me.csrf_token))
                    button type="submit" class="btn btn-danger" { "Ritira" }
                }
            }
        }
    };
    Ok(resp::html(
        StatusCode::OK,
        views::page(app, ctx, &d.title, Some("/operatore/pazienti"), body),
    ))
}

/// The PDF as the patient gets it; the access is in the audit log and on the patient's
/// "Chi ha consultato i miei dati" page.
pub async fn file(app: &App, ctx: &mut Ctx, public: &PublicId) -> Result<Resp, AppError> {
    let me = auth::current(ctx)?.clone();
    let key = public.clone();
    let (now, ip) = (app.now(), ctx.ip.to_string());
    let d = app
        .db
        .write(move |tx| {
            let Some(d) = doc(tx, &key)? else {
                return Ok(None);
            };
            if d.kind == "pdf" {
                audit::log(
                    tx,
                    now,
                    &Entry::by(me.actor())
                        .action("document_view")
                        .document(d.patient, d.id)
                        .ip(&ip),
                )?;
            }
            Ok(Some(d))
        })
        .await?
        .filter(|d| d.kind == "pdf")
        .ok_or_else(|| AppError::missing("Documento non trovato."))?;
    let path = crate::recovery::archive::pdf_path(&app.config.pdf_root(), &d.reference)
        .map_err(|e| AppError::new(Kind::NotFound, e.reason()))?;
    let size = std::fs::metadata(&path).map_err(AppError::internal)?.len();
    let path = path.to_string_lossy().to_string();
    crate::recovery::download::serve(
        &crate::recovery::download::Download {
            path: &path,
            size,
            etag: d.sha256.as_deref().unwrap_or(public),
            file_name: "documento.pdf",
            content_type: "application/pdf",
        },
        ctx.header("range"),
        ctx.header("if-range"),
    )
    .await
}

pub async fn withdraw(app: &App, ctx: &mut Ctx, public: &PublicId) -> Result<Resp, AppError> {
    let me = auth::current(ctx)?.clone();
    let key = public.clone();
    let (now, ip) = (app.now(), ctx.ip.to_string());
    let result = app
        .db
        .write(move |tx| {
            let Some(d) = doc(tx, &key)? else {
                return Ok(None);
            };
            let w = publish::withdraw(tx, d.id, now)?;
            if matches!(w, Withdrawal::Done | Withdrawal::KeptForBuyer) {
                audit::log(
                    tx,
                    now,
                    &Entry::by(me.actor())
                        .action("document_withdraw")
                        .document(d.patient, d.id)
                        .ip(&ip),
                )?;
            }
            Ok(Some(w))
        })
        .await?
        .ok_or_else(|| AppError::missing("Documento non trovato."))?;
    let tag = match result {
        Withdrawal::Done | Withdrawal::Already => "fatto",
        Withdrawal::KeptForBuyer => "conservato",
        Withdrawal::InPendingOrder => "ordine",
    };
    Ok(resp::go_to(
        ctx,
        &format!("/operatore/documenti/{}?ritiro={tag}", &**public),
    ))
}

/// A document of the patient, as the back office lists it.
pub struct DocRow {
    pub public_id: String,
    pub title: String,
    pub category: String,
    pub exchanged_at: i64,
    pub price_cents: i64,
    pub origin: String,
    pub state: String,
    pub withdrawn: bool,
}

pub fn of_patient(c: &Connection, patient: i64) -> rusqlite::Result<Vec<DocRow>> {
    let mut st = c.prepare_cached(
        "SELECT public_id, title, category, exchanged_at, price_cents, origin, state,
                withdrawn_at IS NOT NULL
         FROM documents WHERE patient_id = ?1 ORDER BY exchanged_at DESC, id DESC LIMIT 500",
    )?;
    st.query_map([patient], |r| {
        Ok(DocRow {
            public_id: r.get(0)?,
            title: r.get(1)?,
            category: r.get(2)?,
            exchanged_at: r.get(3)?,
            price_cents: r.get(4)?,
            origin: r.get(5)?,
            state: r.get(6)?,
            withdrawn: r.get(7)?,
        })
    })?
    .collect()
}

pub fn doc_state(state: &str, withdrawn: bool) -> &'static str {
    match (state, withdrawn) {
        ("withdrawn", _) => "ritirato",
        (_, true) => "ritirato, conservato per chi l'ha acquistato",
        ("preparing", _) => "in preparazione",
        _ => "disponibile",
    }
}
