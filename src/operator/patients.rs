//! Patients in the back office: search by codice fiscale or surname, create, correct names
//! and mobile, send a new PIN by SMS (every session of the patient ends), and the list of
//! the patient's documents with the way to publish one. Every view and change is audited.

use super::auth::{self, Current};
use super::patient_form::{Errors, Person, check_person, person_fields, typed};
use super::views;
use crate::app::App;
use crate::audit::{self, Entry};
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::patients::store::{self, Patient};
use crate::ui::{self, time};
use hyper::StatusCode;
use maud::{Markup, html};

/// Rows a search shows at most (a surname prefix can match many).
const SEARCH_LIMIT: i64 = 50;

/// The search form is a POST (with its CSRF token): a codice fiscale or a surname typed in
/// it stays out of the URL, so out of the browser's history and of a proxy's access log.
/// A GET with `?q=` (an old bookmark) still answers.
pub async fn search(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let me = auth::current(ctx)?.clone();
    let q = if ctx.method == hyper::Method::POST {
        ctx.form().get("q").trim().to_string()
    } else {
        ctx.query().get("q").trim().to_string()
    };
    let found = if q.is_empty() {
        None
    } else if q.chars().count() > 64 {
        return Err(AppError::bad_request("Ricerca troppo lunga."));
    } else {
        let (query, now, ip) = (q.clone(), app.now(), ctx.ip.to_string());
        let actor = me.actor();
        Some(
            app.db
                .write(move |tx| {
                    let rows = store::search(tx, &query, SEARCH_LIMIT)?;
                    // The query is a name or a codice fiscale: the count only goes in the log.
                    audit::log(
                        tx,
                        now,
                        &Entry::by(actor)
                            .action("patient_search")
                            .detail(format!("{} risultati", rows.len()))
                            .ip(&ip),
                    )?;
                    Ok(rows)
                })
                .await?,
        )
    };
    let body = html! {
        h1 class="page-title" { "Pazienti" }
        form method="post" action="/operatore/pazienti" class="filters" role="search" {
            (ui::csrf_field(&me.csrf_token))
            div class="field" {
                label for="f-q" { "Codice fiscale o cognome" }
                input id="f-q" type="search" name="q" value=(q) maxlength="64" autocomplete="off";
            }
            button type="submit" class="btn btn-primary" { "Cerca" }
        }
        p class="actions" {
            a class="btn btn-outline" href="/operatore/pazienti/nuovo" { "Nuovo paziente" }
            " "
            a class="btn btn-outline" href="/operatore/pazienti/importa" { "Importa da CSV" }
        }
        @if let Some(rows) = &found {
            @if rows.is_empty() {
                p role="status" { "Nessun paziente trovato." }
            } @else {
                p role="status" { (rows.len()) @if rows.len() as i64 == SEARCH_LIMIT { " o più" } " pazienti trovati." }
                (table(rows))
            }
        }
    };
    Ok(resp::html(
        StatusCode::OK,
        views::page(app, ctx, "Pazienti", Some("/operatore/pazienti"), body),
    ))
}

fn table(rows: &[Patient]) -> Markup {
    html! {
        div class="table-wrap" { table class="table" {
            caption class="visually-hidden" { "Pazienti trovati" }
            thead { tr { th scope="col" { "Cognome e nome" } th scope="col" { "Codice fiscale" }
                th scope="col" { "Cellulare" } th scope="col" { "PIN" } } }
            tbody { @for p in rows { tr {
                td { a href={ "/operatore/pazienti/" (p.id) } { (p.family) " " (p.given) } }
                td { code { (p.cf) } }
                td { (p.mobile.as_deref().map(crate::sms::mask).unwrap_or_else(|| "—".into())) }
                td { @if p.has_pin { "sì" } @else { "no" } }
            } } }
        } }
    }
}

pub fn new_page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let empty = Person {
        cf: String::new(),
        given: String::new(),
        family: String::new(),
        mobile: None,
    };
    render_new(app, ctx, StatusCode::OK, &empty, &Errors::new())
}

fn render_new(
    app: &App,
    ctx: &Ctx,
    status: StatusCode,
    p: &Person,
    errors: &Errors,
) -> Result<Resp, AppError> {
    let me = auth::current(ctx)?;
    let body = html! {
        p { a href="/operatore/pazienti" { "← Pazienti" } }
        h1 class="page-title" { "Nuovo paziente" }
        @if !errors.is_empty() { (ui::alert("danger", "Controlla i campi segnalati.")) }
        form method="post" action="/operatore/pazienti/nuovo" class="card narrow" novalidate {
            (ui::csrf_field(&me.csrf_token))
            (person_fields(p, errors, true))
            button type="submit" class="btn btn-primary" { "Registra il paziente" }
        }
    };
    Ok(resp::html(
        status,
        views::page(
            app,
            ctx,
            "Nuovo paziente",
            Some("/operatore/pazienti"),
            body,
        ),
    ))
}

pub async fn create(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let me = auth::current(ctx)?.clone();
    let (cf, given, family, mobile) = typed(ctx);
    let p = match check_person(&cf, &given, &family, &mobile) {
        Ok(p) => p,
        Err(errors) => {
            let as_typed = Person {
                cf: cf.trim().to_string(),
                given,
                family,
                mobile: Some(mobile).filter(|m| !m.is_empty()),
            };
            return render_new(
                app,
                ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &as_typed,
                &errors,
            );
        }
    };
    let (now, ip, person) = (app.now(), ctx.ip.to_string(), p.clone());
    let id = app
        .db
        .write(move |tx| {
            let id = store::insert(
                tx,
                &person.cf,
                &person.given,
                &person.family,
                person.mobile.as_deref(),
                now,
            )?;
            if let Some(id) = id {
                audit::log(
                    tx,
                    now,
                    &Entry::by(me.actor())
                        .action("patient_create")
                        .patient(id)
                        .ip(&ip),
                )?;
            }
            Ok(id)
        })
        .await?;
    match id {
        Some(id) => Ok(resp::go_to(
            ctx,
            &format!("/operatore/pazienti/{id}?esito=creato"),
        )),
        None => render_new(
            app,
            ctx,
            StatusCode::CONFLICT,
            &p,
            &vec![(
                "codice_fiscale",
                "Un paziente con questo codice fiscale è già registrato: cercalo.".into(),
            )],
        ),
    }
}

pub async fn show(app: &App, ctx: &mut Ctx, id: i64) -> Result<Resp, AppError> {
    // After a change the browser comes back here (POST, then redirect: a reload sends
    // nothing again, e.g. no second PIN); `esito` says what was done.
    let alert = match ctx.query().get("esito") {
        "creato" => Some(("success", "Paziente registrato.")),
        "pubblicato" => Some((
            "success",
            "Documento pubblicato: il paziente lo vede nel portale.",
        )),
        "salvato" => Some(("success", "Dati salvati.")),
        "pin" => Some((
            "success",
            "Nuovo PIN inviato per SMS. Le sessioni aperte del paziente sono chiuse.",
        )),
        _ => None,
    };
    render_one(app, ctx, id, StatusCode::OK, alert, &Errors::new(), None).await
}

async fn render_one(
    app: &App,
    ctx: &Ctx,
    id: i64,
    status: StatusCode,
    alert: Option<(&str, &str)>,
    errors: &Errors,
    typed: Option<Person>,
) -> Result<Resp, AppError> {
    let me = auth::current(ctx)?.clone();
    let (now, ip, actor) = (app.now(), ctx.ip.to_string(), me.actor());
    let (p, docs) = app
        .db
        .write(move |tx| {
            let Some(p) = store::get(tx, id)? else {
                return Ok(None);
            };
            let docs = super::documents::of_patient(tx, id)?;
            audit::log(
                tx,
                now,
                &Entry::by(actor).action("patient_view").patient(id).ip(&ip),
            )?;
            Ok(Some((p, docs)))
        })
        .await?
        .ok_or_else(|| AppError::missing("Paziente non trovato."))?;
    let shown = typed.unwrap_or_else(|| Person {
        cf: p.cf.clone(),
        given: p.given.clone(),
        family: p.family.clone(),
        mobile: p.mobile.clone(),
    });
    let title = format!("{} {}", p.family, p.given);
    let body = html! {
        p { a href="/operatore/pazienti" { "← Pazienti" } }
        h1 class="page-title" { (title) }
        (views::alert(alert))
        dl class="details" {
            dt { "Codice fiscale" } dd { code { (p.cf) } }
            dt { "Cellulare" } dd { (p.mobile.as_deref().unwrap_or("—")) }
            dt { "PIN" } dd { @match p.pin_set_at {
                Some(at) => { "inviato il " (time::datetime(at)) },
                None => { @if p.has_pin { "impostato" } @else { "mai inviato" } },
            } }
            dt { "Avvisi via SMS" } dd { @if p.notify_sms { "attivi" } @else { "disattivati dal paziente" } }
            dt { "Registrato il" } dd { (time::datetime(p.created_at)) }
        }
        section class="card" aria-labelledby="documenti" {
            h2 id="documenti" { "Documenti" }
            p { a class="btn btn-primary" href={ "/operatore/pazienti/" (p.id) "/pubblica" } { "Pubblica un documento" } }
            @if docs.is_empty() {
                p { "Nessun documento pubblicato." }
            } @else {
                div class="table-wrap" { table class="table" {
                    caption class="visually-hidden" { "Documenti del paziente" }
                    thead { tr { th scope="col" { "Documento" } th scope="col" { "Categoria" }
                        th scope="col" { "Data" } th scope="col" { "Prezzo" } th scope="col" { "Origine" } th scope="col" { "Stato" } } }
                    tbody { @for d in &docs { tr {
                        td { a href={ "/operatore/documenti/" (d.public_id) } { (d.title) } }
                        td { (d.category) }
                        td { (time::datetime(d.exchanged_at)) }
                        td { (ui::euro(d.price_cents)) }
                        td { (d.origin) }
                        td { (super::documents::doc_state(&d.state, d.withdrawn)) }
                    } } }
                } }
            }
        }
        section class="card" aria-labelledby="pin" {
            h2 id="pin" { "PIN" }
            @if p.mobile.is_some() {
                p { "Un nuovo PIN arriva per SMS al cellulare del paziente; il PIN precedente e le sessioni aperte non valgono più." }
                form method="post" action={ "/operatore/pazienti/" (p.id) "/pin" } {
                    (ui::csrf_field(&me.csrf_token))
                    button type="submit" class="btn btn-outline" { "Invia nuovo PIN" }
                }
            } @else {
                p { "Inserisci il cellulare del paziente per inviargli il PIN." }
            }
        }
        section class="card" aria-labelledby="dati" {
            h2 id="dati" { "Correggi i dati" }
            @if !errors.is_empty() { (ui::alert("danger", "Controlla i campi segnalati.")) }
            form method="post" action={ "/operatore/pazienti/" (p.id) } novalidate {
                (ui::csrf_field(&me.csrf_token))
                (person_fields(&shown, errors, false))
                button type="submit" class="btn btn-primary" { "Salva" }
            }
        }
    };
    Ok(resp::html(
        status,
        views::page(app, ctx, &title, Some("/operatore/pazienti"), body),
    ))
}

pub async fn update(app: &App, ctx: &mut Ctx, id: i64) -> Result<Resp, AppError> {
    let me = auth::current(ctx)?.clone();
    let (_, given, family, mobile) = typed(ctx);
    // The codice fiscale is the identity: it is not changed here (a wrong one is a new
    // registration). A placeholder valid code lets the same checks run on the rest.
    let checked = check_person("RSSMRA80A01A182N", &given, &family, &mobile);
    let p = match checked {
        Ok(p) => p,
        Err(errors) => {
            let as_typed = Person {
                cf: String::new(),
                given,
                family,
                mobile: Some(mobile).filter(|m| !m.is_empty()),
            };
            return render_one(
                app,
                ctx,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &errors,
                Some(as_typed),
            )
            .await;
        }
    };
    let (now, ip) = (app.now(), ctx.ip.to_string());
    let done = app
        .db
        .write(move |tx| {
            let done = store::update(tx, id, &p.given, &p.family, p.mobile.as_deref(), now)?;
            if done {
                audit::log(
                    tx,
                    now,
                    &Entry::by(me.actor())
                        .action("patient_update")
                        .patient(id)
                        .ip(&ip),
                )?;
            }
            Ok(done)
        })
        .await?;
    if !done {
        return Err(AppError::missing("Paziente non trovato."));
    }
    Ok(resp::go_to(
        ctx,
        &format!("/operatore/pazienti/{id}?esito=salvato"),
    ))
}

/// A new PIN by SMS: hashed, set (every session of the patient ends), the SMS queued.
pub async fn send_pin(app: &App, ctx: &mut Ctx, id: i64) -> Result<Resp, AppError> {
    let me: Current = auth::current(ctx)?.clone();
    let pin = crate::crypto::random_digits(8);
    let hash = app.hasher.hash(pin.clone()).await?;
    let text = crate::auth::pin_reset::sms_text(&app.config.sms.sender_name, &pin);
    let (now, ip) = (app.now(), ctx.ip.to_string());
    let sent = app
        .db
        .write(move |tx| {
            let Some(p) = store::get(tx, id)? else {
                return Ok(None);
            };
            let Some(to) = p.mobile else {
                return Ok(Some(false));
            };
            store::set_pin_hash(tx, id, &hash, now)?;
            crate::sms::queue::enqueue(tx, &to, &text, now)?;
            audit::log(
                tx,
                now,
                &Entry::by(me.actor())
                    .action("patient_pin")
                    .patient(id)
                    .ip(&ip),
            )?;
            Ok(Some(true))
        })
        .await?;
    match sent {
        None => Err(AppError::missing("Paziente non trovato.")),
        Some(false) => {
            render_one(
                app,
                ctx,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((
                    "danger",
                    "Il paziente non ha un cellulare: inseriscilo prima.",
                )),
                &Errors::new(),
                None,
            )
            .await
        }
        Some(true) => {
            app.sms_wakeup.notify_one();
            Ok(resp::go_to(
                ctx,
                &format!("/operatore/pazienti/{id}?esito=pin"),
            ))
        }
    }
}
