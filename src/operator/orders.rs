//! "Ordini" in the back office: every patient's orders filtered by state, dates, codice
//! fiscale and flag, a page at a time, and as CSV; one order with its items, positions,
//! receipt and events; "Ricontrolla pagamento" (asks the provider now, through the
//! poller's own `orders::poller::recheck`); a flagged order handled with "Rimborso
//! effettuato" and/or a "Nota". Every action, and every order opened, is audited.

use super::orders_store::{self as store, Flagged, Query};
use super::{auth, orders_views as views};
use crate::app::App;
use crate::audit::{self, Entry};
use crate::error::{AppError, Kind};
use crate::http::req::{Ctx, Form};
use crate::http::resp::{self, Resp};
use crate::orders::state::{Outcome, State};
use crate::patients::CodiceFiscale;
use crate::payments::provider::Status;
use crate::public_id::PublicId;
use crate::ui::time;
use hyper::StatusCode;

pub const PATH: &str = "/operatore/ordini";
/// Orders in one CSV export at most.
const EXPORT_MAX: i64 = 100_000;
/// A note on a flagged order, at most.
pub const NOTE_MAX: usize = 1000;

/// The filter as typed.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub state: String,
    pub from: String,
    pub to: String,
    pub flagged: String,
    pub cf: String,
    pub before: String,
}

impl Filter {
    fn read(q: &Form) -> Filter {
        let get = |n: &str| q.get(n).trim().to_string();
        Filter {
            state: get("stato"),
            from: get("dal"),
            to: get("al"),
            flagged: get("segnalati"),
            cf: get("cf"),
            before: get("prima"),
        }
    }

    pub fn query_string(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("stato", &self.state)
            .append_pair("dal", &self.from)
            .append_pair("al", &self.to)
            .append_pair("segnalati", &self.flagged)
            .append_pair("cf", &self.cf)
            .finish()
    }
}

pub const STATES: [State; 6] = [
    State::Draft,
    State::Pending,
    State::Completed,
    State::Failed,
    State::Cancelled,
    State::Expired,
];

/// Resolves the filter; `Err` is the message for the operator.
async fn resolve(app: &App, f: &Filter) -> Result<Result<Query, String>, AppError> {
    let mut q = Query::default();
    if !f.state.is_empty() {
        match STATES.iter().find(|s| s.as_str() == f.state) {
            Some(s) => q.state = Some(*s),
            None => return Ok(Err("Stato non valido.".into())),
        }
    }
    q.flagged = match f.flagged.as_str() {
        "" => Flagged::Any,
        "1" => Flagged::Open,
        "tutti" => Flagged::All,
        _ => return Ok(Err("Scelta sulle segnalazioni non valida.".into())),
    };
    match super::day_range(&f.from, &f.to) {
        Ok((from, to)) => (q.from, q.to) = (from, to),
        Err(e) => return Ok(Err(e)),
    }
    q.before = super::cursor(&f.before);
    if !f.cf.is_empty() {
        let cf = match CodiceFiscale::parse(&f.cf) {
            Ok(cf) => cf.as_str().to_string(),
            Err(e) => return Ok(Err(e.to_string())),
        };
        let found = app
            .db
            .read(move |c| Ok(crate::patients::store::credentials(c, &cf)?.map(|p| p.id)))
            .await?;
        match found {
            Some(p) => q.patient = Some(p),
            None => return Ok(Err("Nessun paziente con questo codice fiscale.".into())),
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
                .read(move |c| Ok(store::search(c, &q, super::PAGE + 1)?))
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
        super::views::page(app, ctx, "Ordini", Some(PATH), body),
    ))
}

/// `22,00`: cents for a spreadsheet in Italian.
fn amount(cents: i64) -> String {
    format!("{},{:02}", cents / 100, cents % 100)
}

fn flag_state_label(s: Option<&str>) -> &'static str {
    match s {
        Some("refunded") => "Rimborso effettuato",
        Some("noted") => "Nota",
        _ => "",
    }
}

fn csv_bytes(rows: &[store::Row]) -> Result<Vec<u8>, AppError> {
    let mut w = super::spreadsheet::Sheet::new(&[
        "numero_ordine",
        "ordinato_il",
        "codice_fiscale",
        "paziente",
        "stato",
        "documenti",
        "totale_euro",
        "iva_euro",
        "avviso",
        "iuv",
        "riferimento_fornitore",
        "pagato_il",
        "ricevuta",
        "segnalazione",
        "gestione",
        "nota",
    ])?;
    let opt_time = |t: Option<i64>| t.map(time::datetime_secs).unwrap_or_default();
    for r in rows {
        w.row([
            r.number.as_str(),
            &time::datetime_secs(r.created_at),
            &r.cf,
            &r.name,
            super::orders_views::state_label(Some(r.state.as_str())),
            &r.items.to_string(),
            &amount(r.total_cents),
            &amount(r.vat_cents),
            r.notice_number.as_deref().unwrap_or(""),
            r.iuv.as_deref().unwrap_or(""),
            r.provider_ref.as_deref().unwrap_or(""),
            &opt_time(r.paid_at),
            r.receipt.as_deref().unwrap_or(""),
            r.flag.as_deref().unwrap_or(""),
            flag_state_label(r.flag_state.as_deref()),
            r.flag_note.as_deref().unwrap_or(""),
        ])?;
    }
    w.finish()
}

pub async fn csv(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let o = auth::current(ctx)?.clone();
    let f = Filter::read(&ctx.query());
    let q = match resolve(app, &f).await? {
        Ok(q) => Query { before: None, ..q },
        Err(e) => return Err(AppError::new(Kind::Unprocessable, e)),
    };
    let patient = q.patient;
    let rows = app
        .db
        .read(move |c| Ok(store::search(c, &q, EXPORT_MAX)?))
        .await?;
    let bytes = csv_bytes(&rows)?;
    let (now, ip) = (app.now(), ctx.ip.to_string());
    // The audit log names people by id: the filter's codice fiscale becomes the patient's id.
    let unnamed = Filter {
        cf: String::new(),
        ..f.clone()
    };
    let detail = format!("{} ordini; {}", rows.len(), unnamed.query_string());
    app.db
        .write(move |tx| {
            let mut e = Entry::by(o.actor()).action("orders_export").detail(detail);
            if let Some(p) = patient {
                e = e.patient(p);
            }
            Ok(audit::log(tx, now, &e.ip(&ip))?)
        })
        .await?;
    let mut r = resp::with_type(StatusCode::OK, "text/csv; charset=utf-8", bytes);
    resp::attachment(&mut r, "ordini.csv");
    Ok(r)
}

async fn load(app: &App, number: &PublicId) -> Result<store::Detail, AppError> {
    let n = number.to_string();
    app.db
        .read(move |c| Ok(store::get(c, &n)?))
        .await?
        .ok_or_else(|| AppError::missing(crate::orders::NOT_FOUND))
}

/// Writes one audit line about the order (with its patient) by the request's operator.
async fn log(
    app: &App,
    ctx: &Ctx,
    action: &'static str,
    patient: i64,
    detail: String,
) -> Result<(), AppError> {
    let o = auth::current(ctx)?.clone();
    let (now, ip) = (app.now(), ctx.ip.to_string());
    app.db
        .write(move |tx| {
            let e = Entry::by(o.actor()).action(action).patient(patient);
            Ok(audit::log(tx, now, &e.detail(detail).ip(&ip))?)
        })
        .await
}

pub async fn show(app: &App, ctx: &mut Ctx, number: &PublicId) -> Result<Resp, AppError> {
    auth::current(ctx)?;
    let d = load(app, number).await?;
    log(
        app,
        ctx,
        "order_view",
        d.row.patient_id,
        format!("ordine {number}"),
    )
    .await?;
    let done = ctx.query().get("esito").to_string();
    render(app, ctx, &d, StatusCode::OK, done_message(&done), "", None).await
}

async fn render(
    app: &App,
    ctx: &Ctx,
    d: &store::Detail,
    status: StatusCode,
    alert: Option<(&str, &str)>,
    note: &str,
    error: Option<&str>,
) -> Result<Resp, AppError> {
    let o = auth::current(ctx)?;
    let id = d.row.id;
    let items = app
        .db
        .read(move |c| Ok(crate::orders::store::items(c, id)?))
        .await?;
    let can_recheck = d.row.notice_number.is_some() && app.payments.is_some();
    let page = views::Detail {
        order: d,
        items: &items,
        csrf: &o.csrf_token,
        can_recheck,
        note: if note.is_empty() {
            d.row.flag_note.as_deref().unwrap_or("")
        } else {
            note
        },
        error,
    };
    let body = views::detail(&page, alert);
    Ok(resp::html(
        status,
        super::views::page(app, ctx, "Ordine", Some(PATH), body),
    ))
}

fn done_message(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "pagato" => (
            "success",
            "Il fornitore conferma il pagamento: l'ordine è completato.",
        ),
        "aggiornato" => (
            "success",
            "Lo stato dell'ordine è stato aggiornato con la risposta del fornitore.",
        ),
        "segnalato" => (
            "warning",
            "Il fornitore segnala un pagamento che non può essere applicato: l'ordine è segnalato.",
        ),
        "invariato" => (
            "info",
            "Il fornitore non segnala novità: l'ordine resta com'è.",
        ),
        "senza-avviso" => (
            "info",
            "L'ordine non ha ancora un avviso di pagamento: non c'è nulla da chiedere al fornitore.",
        ),
        "segnalazione" => ("success", "Segnalazione aggiornata."),
        _ => return None,
    })
}

/// `POST …/ricontrolla`: asks the provider now.
pub async fn recheck(app: &App, ctx: &mut Ctx, number: &PublicId) -> Result<Resp, AppError> {
    auth::current(ctx)?;
    let n = number.to_string();
    let (id, patient) = app
        .db
        .read(move |c| Ok(store::id_of(c, &n)?))
        .await?
        .ok_or_else(|| AppError::missing(crate::orders::NOT_FOUND))?;
    let done = match crate::orders::poller::recheck(app, id).await? {
        None => "senza-avviso",
        Some((
            _,
            Outcome::Applied {
                to: State::Completed,
                ..
            },
        )) => "pagato",
        Some((_, Outcome::Applied { .. })) => "aggiornato",
        Some((_, Outcome::Flagged(_))) => "segnalato",
        Some((Status::Unpaid, _)) | Some((_, Outcome::Duplicate | Outcome::Ignored)) => "invariato",
    };
    log(
        app,
        ctx,
        "order_recheck",
        patient,
        format!("ordine {number}: {done}"),
    )
    .await?;
    Ok(resp::go_to(ctx, &format!("{PATH}/{number}?esito={done}")))
}

/// `POST …/segnalazione`: `rimborso=1` and/or `nota`.
pub async fn flag(app: &App, ctx: &mut Ctx, number: &PublicId) -> Result<Resp, AppError> {
    auth::current(ctx)?;
    let form = ctx.form();
    let refunded = form.get("rimborso") == "1";
    let note = form.get("nota").replace("\r\n", "\n").trim().to_string();
    let d = load(app, number).await?;
    if d.row.flag.is_none() {
        return Err(AppError::new(
            Kind::Conflict,
            "Questo ordine non ha segnalazioni da gestire.",
        ));
    }
    let error = if !refunded && note.is_empty() {
        Some("Segna il rimborso oppure scrivi una nota.")
    } else if note.chars().count() > NOTE_MAX {
        Some("La nota è troppo lunga: al massimo 1000 caratteri.")
    } else {
        None
    };
    if let Some(e) = error {
        let alert = Some(("danger", "La segnalazione non è stata aggiornata."));
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return render(app, ctx, &d, status, alert, &note, Some(e)).await;
    }
    let (id, now) = (d.row.id, app.now());
    let saved_note = (!note.is_empty()).then_some(note);
    let what = match (refunded, saved_note.is_some()) {
        (true, true) => "rimborso effettuato, nota",
        (true, false) => "rimborso effettuato",
        _ => "nota",
    };
    // The note's text stays on the order: the log says only that there is one.
    let o = auth::current(ctx)?.clone();
    let (patient, ip) = (d.row.patient_id, ctx.ip.to_string());
    let detail = format!("ordine {number}: {what}");
    app.db
        .write(move |tx| {
            if !store::handle_flag(tx, id, refunded, saved_note.as_deref(), now)? {
                return Err(AppError::new(
                    Kind::Conflict,
                    "Questo ordine non ha segnalazioni da gestire.",
                ));
            }
            let e = Entry::by(o.actor()).action("order_flag").patient(patient);
            Ok(audit::log(tx, now, &e.detail(detail).ip(&ip))?)
        })
        .await?;
    Ok(resp::go_to(
        ctx,
        &format!("{PATH}/{number}?esito=segnalazione"),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn amounts_for_spreadsheets() {
        assert_eq!(super::amount(2200), "22,00");
        assert_eq!(super::amount(5), "0,05");
        assert_eq!(super::amount(123456), "1234,56");
    }
}
