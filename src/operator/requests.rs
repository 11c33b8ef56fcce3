//! "Richieste": the inbox of the patients' assistance and availability requests, filtered
//! by kind, state, words or codice fiscale and dates; one request with its thread, where an
//! operator replies and/or closes it. A reply reaches the patient on "Assistenza" and, at
//! most once a day, as an SMS that names nothing but the portal (`sms::notify`).

use super::requests_store::{self as store, Query};
use super::{auth, requests_views as views};
use crate::app::App;
use crate::audit::{self, Entry};
use crate::error::AppError;
use crate::http::req::{Ctx, Form};
use crate::http::resp::{self, Resp};
use crate::patients::CodiceFiscale;
use crate::public_id::PublicId;
use crate::sms::notify::{self, Notice};
use crate::support::store::{self as support, Author, Kind, State};
use hyper::StatusCode;

pub const PATH: &str = "/operatore/richieste";
/// A reply's length at most (as a patient's message).
pub const REPLY_MAX: usize = crate::support::MESSAGE_MAX;

/// The inbox's filter as typed.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub kind: String,
    pub state: String,
    pub text: String,
    pub from: String,
    pub to: String,
    pub before: String,
}

impl Filter {
    fn read(q: &Form) -> Filter {
        let get = |n: &str| q.get(n).trim().to_string();
        Filter {
            kind: get("tipo"),
            state: get("stato"),
            text: get("q"),
            from: get("dal"),
            to: get("al"),
            before: get("prima"),
        }
    }

    pub fn query_string(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("tipo", &self.kind)
            .append_pair("stato", &self.state)
            .append_pair("q", &self.text)
            .append_pair("dal", &self.from)
            .append_pair("al", &self.to)
            .finish()
    }
}

/// `Ok(patient id)` for a codice fiscale typed in the search box; `None` for plain words.
fn as_cf(text: &str) -> Option<Result<String, String>> {
    let looks_like = text.len() == 16 && text.bytes().all(|b| b.is_ascii_alphanumeric());
    looks_like.then(|| {
        CodiceFiscale::parse(text)
            .map(|cf| cf.as_str().to_string())
            .map_err(|e| e.to_string())
    })
}

/// Resolves the filter; `Err` is the message for the operator.
async fn resolve(app: &App, f: &Filter) -> Result<Result<Query, String>, AppError> {
    let mut q = Query {
        kind: match f.kind.as_str() {
            "" => None,
            k => match Kind::from_form(k) {
                Some(k) => Some(k),
                None => return Ok(Err("Tipo di richiesta non valido.".into())),
            },
        },
        state: match f.state.as_str() {
            "" => None,
            "open" | "answered" | "closed" => Some(State::from_db(&f.state)),
            _ => return Ok(Err("Stato non valido.".into())),
        },
        ..Query::default()
    };
    match super::day_range(&f.from, &f.to) {
        Ok((from, to)) => (q.from, q.to) = (from, to),
        Err(e) => return Ok(Err(e)),
    }
    q.before = super::cursor(&f.before);
    match as_cf(&f.text) {
        None if f.text.is_empty() => {}
        None => q.text = Some(f.text.chars().take(100).collect()),
        Some(Err(e)) => return Ok(Err(e)),
        Some(Ok(cf)) => {
            let found = app
                .db
                .read(move |c| Ok(crate::patients::store::credentials(c, &cf)?.map(|p| p.id)))
                .await?;
            match found {
                Some(p) => q.patient = Some(p),
                None => return Ok(Err("Nessun paziente con questo codice fiscale.".into())),
            }
        }
    }
    Ok(Ok(q))
}

pub async fn list(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    auth::current(ctx)?;
    let f = Filter::read(&ctx.query());
    let (rows, error) = match resolve(app, &f).await? {
        Ok(q) => {
            let rows = app
                .db
                .read(move |c| Ok(store::inbox(c, &q, super::PAGE + 1)?))
                .await?;
            (rows, None)
        }
        Err(e) => (Vec::new(), Some(e)),
    };
    let (rows, next) = super::keyset_page(rows, &f.query_string(), |r| (r.created_at, r.id));
    let rows = &rows[..];
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = views::list(&f, rows, error.as_deref(), next.as_deref());
    Ok(resp::html(
        status,
        super::views::page(app, ctx, "Richieste", Some(PATH), body),
    ))
}

async fn load(app: &App, id: &PublicId) -> Result<store::Detail, AppError> {
    let id = id.to_string();
    app.db
        .read(move |c| Ok(store::get(c, &id)?))
        .await?
        .ok_or_else(|| AppError::missing("Richiesta non trovata."))
}

pub async fn show(app: &App, ctx: &mut Ctx, id: &PublicId) -> Result<Resp, AppError> {
    let o = auth::current(ctx)?.clone();
    let d = load(app, id).await?;
    // An operator reading a patient's request is an access to the patient's data.
    let (now, ip, patient, rid) = (app.now(), ctx.ip.to_string(), d.patient_id, d.row.id);
    app.db
        .write(move |tx| {
            let e = Entry::by(o.actor())
                .action("support_view")
                .patient(patient)
                .detail(format!("richiesta {rid}"))
                .ip(&ip);
            Ok(audit::log(tx, now, &e)?)
        })
        .await?;
    let done = ctx.query().get("esito").to_string();
    render(app, ctx, &d, StatusCode::OK, done_message(&done), "", None)
}

fn done_message(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "risposta" => (
            "success",
            "Risposta inviata: il paziente la vede in Assistenza.",
        ),
        "chiusa" => ("success", "Richiesta chiusa."),
        "risposta-chiusa" => ("success", "Risposta inviata e richiesta chiusa."),
        _ => return None,
    })
}

fn render(
    app: &App,
    ctx: &Ctx,
    d: &store::Detail,
    status: StatusCode,
    alert: Option<(&str, &str)>,
    draft: &str,
    error: Option<&str>,
) -> Result<Resp, AppError> {
    let o = auth::current(ctx)?;
    let body = views::detail(d, &o.csrf_token, alert, draft, error);
    Ok(resp::html(
        status,
        super::views::page(app, ctx, "Richiesta", Some(PATH), body),
    ))
}

/// `POST /operatore/richieste/<id>`: `risposta` (text) and/or `chiudi=1`.
pub async fn act(app: &App, ctx: &mut Ctx, id: &PublicId) -> Result<Resp, AppError> {
    let o = auth::current(ctx)?.clone();
    let form = ctx.form();
    let body = form
        .get("risposta")
        .replace("\r\n", "\n")
        .trim()
        .to_string();
    let close = form.get("chiudi") == "1";
    let d = load(app, id).await?;
    let error = if body.is_empty() && !close {
        Some("Scrivi la risposta oppure scegli di chiudere la richiesta.")
    } else if body.chars().count() > REPLY_MAX {
        Some("La risposta è troppo lunga: al massimo 2000 caratteri.")
    } else {
        None
    };
    if let Some(e) = error {
        let alert = Some(("danger", "La risposta non è stata inviata."));
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return render(app, ctx, &d, status, alert, &body, Some(e));
    }
    let (now, ip) = (app.now(), ctx.ip.to_string());
    let (rid, patient) = (d.row.id, d.patient_id);
    // Empty when `notifications.replies` is off: nothing is queued then.
    let sms = notify::configured(&app.config, Notice::Reply);
    let replied = !body.is_empty();
    let queued = app
        .db
        .write(move |tx| {
            let who = Entry::by(o.actor()).patient(patient).ip(&ip);
            let mut queued = false;
            if replied {
                support::reply(tx, rid, Author::Operator, Some(o.id), &body, now)?;
                queued = notify::queue(tx, patient, Notice::Reply, &sms, now)?;
                let e = who.clone().action("support_reply");
                audit::log(tx, now, &e.detail(format!("richiesta {rid}")))?;
            }
            if close && support::close(tx, rid, now)? {
                let e = who.action("support_close");
                audit::log(tx, now, &e.detail(format!("richiesta {rid}")))?;
            }
            Ok::<_, AppError>(queued)
        })
        .await?;
    if queued {
        app.sms_wakeup.notify_one();
    }
    let done = match (replied, close) {
        (true, true) => "risposta-chiusa",
        (true, false) => "risposta",
        _ => "chiusa",
    };
    Ok(resp::go_to(ctx, &format!("{PATH}/{id}?esito={done}")))
}
