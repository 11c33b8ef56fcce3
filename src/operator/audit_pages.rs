//! "Registro accessi": the audit log for operators, filtered by codice fiscale, operator,
//! kind of actor and dates, newest first a page at a time; the same search as CSV for
//! administrators (the export is itself logged).

use super::{auth, views};
use crate::app::App;
use crate::audit::store::{self, Line, Query};
use crate::audit::{self, Entry};
use crate::documents::filter::parse_date;
use crate::error::AppError;
use crate::http::req::{Ctx, Form};
use crate::http::resp::{self, Resp};
use crate::patients::CodiceFiscale;
use crate::ui::time;
use hyper::StatusCode;
use maud::html;

/// Lines in one CSV export at most.
const EXPORT_MAX: i64 = 100_000;

/// The filter as typed, and what it means once resolved.
#[derive(Clone)]
struct Filter {
    cf: String,
    operator: String,
    actor: String,
    from: String,
    to: String,
    before: String,
}

impl Filter {
    fn read(q: &Form) -> Filter {
        let get = |n: &str| q.get(n).trim().to_string();
        Filter {
            cf: get("cf"),
            operator: get("operatore"),
            actor: get("chi"),
            from: get("dal"),
            to: get("al"),
            before: get("prima"),
        }
    }

    fn query_string(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("cf", &self.cf)
            .append_pair("operatore", &self.operator)
            .append_pair("chi", &self.actor)
            .append_pair("dal", &self.from)
            .append_pair("al", &self.to)
            .finish()
    }
}

/// Resolves the filter to a query; `Err` is the message for the operator.
async fn resolve(app: &App, f: &Filter) -> Result<Result<Query, String>, AppError> {
    let mut q = Query::default();
    match super::day_range(&f.from, &f.to) {
        Ok((from, to)) => (q.from, q.to) = (from, to),
        Err(e) => return Ok(Err(e)),
    }
    q.actor = match f.actor.as_str() {
        "" => None,
        "patient" => Some("patient"),
        "operator" => Some("operator"),
        "api" => Some("api"),
        "system" => Some("system"),
        _ => return Ok(Err("Tipo di autore non valido.".into())),
    };
    q.before = super::cursor(&f.before);
    let cf = if f.cf.is_empty() {
        None
    } else {
        match CodiceFiscale::parse(&f.cf) {
            Ok(cf) => Some(cf.as_str().to_string()),
            Err(e) => return Ok(Err(e.to_string())),
        }
    };
    let user = (!f.operator.is_empty()).then(|| f.operator.clone());
    let (patient, operator) = app
        .db
        .read(move |c| {
            let p = match &cf {
                Some(cf) => Some(crate::patients::store::credentials(c, cf)?.map(|p| p.id)),
                None => None,
            };
            let o = match &user {
                Some(u) => Some(super::store::by_username(c, u)?.map(|(o, _)| o.id)),
                None => None,
            };
            Ok((p, o))
        })
        .await?;
    match patient {
        Some(None) => return Ok(Err("Nessun paziente con questo codice fiscale.".into())),
        Some(Some(p)) => q.patient = Some(p),
        None => {}
    }
    match operator {
        Some(None) => return Ok(Err("Nessun operatore con questo nome utente.".into())),
        Some(Some(o)) => q.operator = Some(o),
        None => {}
    }
    Ok(Ok(q))
}

pub async fn search(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let o = auth::current(ctx)?.clone();
    let f = Filter::read(&ctx.query());
    let (lines, error) = match resolve(app, &f).await? {
        Ok(q) => {
            let lines = app
                .db
                .read(move |c| Ok(store::search(c, &q, super::PAGE + 1)?))
                .await?;
            (lines, None)
        }
        Err(e) => (Vec::new(), Some(e)),
    };
    let (lines, next) = super::keyset_page(lines, &f.query_string(), |l| (l.at, l.id));
    let lines = &lines[..];
    let body = html! {
        h1 class="page-title" { "Registro accessi" }
        p { "Ogni accesso e ogni operazione di pazienti, operatori e sistemi, dal più recente." }
        form method="get" action="/operatore/registro" class="card filters" {
            div class="filter-row" {
                (text("cf", "Codice fiscale", &f.cf, 16))
                (text("operatore", "Operatore (nome utente)", &f.operator, 64))
                div class="field" {
                    label for="f-chi" { "Autore" }
                    select id="f-chi" name="chi" {
                        @for (v, l) in [("", "tutti"), ("patient", "pazienti"), ("operator", "operatori"), ("api", "sistemi (API)"), ("system", "portale")] {
                            option value=(v) selected[f.actor == v] { (l) }
                        }
                    }
                }
                (date("dal", "Dal", &f.from))
                (date("al", "Al", &f.to))
            }
            button type="submit" class="btn btn-primary" { "Cerca" }
            @if o.role >= super::Role::Amministratore {
                " " a class="btn btn-outline" href={ "/operatore/registro.csv?" (f.query_string()) } { "Esporta CSV" }
            }
        }
        @if let Some(e) = &error { (crate::ui::alert("danger", e)) }
        (table(lines))
        @if let Some(n) = next { p { a href={ "/operatore/registro?" (n) } { "Meno recenti →" } } }
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(resp::html(
        status,
        views::page(
            app,
            ctx,
            "Registro accessi",
            Some("/operatore/registro"),
            body,
        ),
    ))
}

pub(super) fn text(name: &str, label: &str, value: &str, max: u32) -> maud::Markup {
    html! { div class="field" {
        label for={ "f-" (name) } { (label) }
        input type="text" id={ "f-" (name) } name=(name) value=(value) maxlength=(max) autocomplete="off";
    } }
}

pub(super) fn date(name: &str, label: &str, value: &str) -> maud::Markup {
    let v = parse_date(value).map(|d| d.to_string()).unwrap_or_default();
    html! { div class="field" {
        label for={ "f-" (name) } { (label) }
        input type="date" id={ "f-" (name) } name=(name) value=(v);
    } }
}

fn who(l: &Line) -> String {
    match l.actor.as_str() {
        "operator" => format!("Operatore {}", l.who),
        "api" => format!("Sistema {}", l.who),
        "patient" => "Paziente".to_string(),
        _ => "Portale".to_string(),
    }
}

fn table(lines: &[Line]) -> maud::Markup {
    html! {
        @if lines.is_empty() { p class="empty" { "Nessuna riga." } } @else {
            div class="table-wrap" { table class="table" {
                caption class="visually-hidden" { "Registro accessi" }
                thead { tr {
                    th scope="col" { "Quando" } th scope="col" { "Chi" } th scope="col" { "Paziente" }
                    th scope="col" { "Operazione" } th scope="col" { "Dettaglio" } th scope="col" { "IP" }
                } }
                tbody { @for l in lines { tr {
                    td { (time::datetime(l.at)) }
                    td { (who(l)) }
                    td { @if let Some(cf) = &l.patient_cf { (cf) br; span class="hint" { (l.patient_name.as_deref().unwrap_or("")) } } }
                    td { (audit::label(&l.action)) }
                    td { (l.detail) @if let Some(d) = &l.document { " " a href={ "/operatore/documenti/" (d) } { "documento" } } }
                    td { (l.ip) }
                } } }
            } }
        }
    }
}

pub async fn csv(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let o = auth::current(ctx)?.clone();
    let f = Filter::read(&ctx.query());
    let q = match resolve(app, &f).await? {
        Ok(q) => q,
        Err(e) => return Err(AppError::new(crate::error::Kind::Unprocessable, e)),
    };
    let (now, ip) = (app.now(), ctx.ip.to_string());
    // The audit log names people by id: the filter's codice fiscale becomes the patient's id.
    let filter_text = Filter {
        cf: String::new(),
        ..f.clone()
    }
    .query_string();
    let patient = q.patient;
    let bytes = app
        .db
        .read(move |c| {
            let lines = store::search(c, &q, EXPORT_MAX)?;
            let mut w = super::spreadsheet::Sheet::new(&[
                "quando",
                "autore",
                "chi",
                "codice_fiscale",
                "operazione",
                "dettaglio",
                "documento",
                "ip",
            ])?;
            for l in &lines {
                w.row([
                    time::datetime_secs(l.at).as_str(),
                    l.actor.as_str(),
                    l.who.as_str(),
                    l.patient_cf.as_deref().unwrap_or(""),
                    audit::label(&l.action),
                    l.detail.as_str(),
                    l.document.as_deref().unwrap_or(""),
                    l.ip.as_str(),
                ])?;
            }
            w.finish()
        })
        .await?;
    app.db
        .write(move |tx| {
            Ok(audit::log(
                tx,
                now,
                &match patient {
                    Some(p) => Entry::by(o.actor()).patient(p),
                    None => Entry::by(o.actor()),
                }
                .action("audit_export")
                .detail(filter_text)
                .ip(&ip),
            )?)
        })
        .await?;
    let mut r = resp::with_type(StatusCode::OK, "text/csv; charset=utf-8", bytes);
    resp::attachment(&mut r, "registro-accessi.csv");
    Ok(r)
}
