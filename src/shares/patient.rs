//! The patient's side: `/condivisioni` lists every share with its accesses and makes a new
//! one (`?documento=<id>` shows the form for that document); `/condivisioni/<id>/revoca`
//! revokes one at once.

use super::store::{self, New};
use super::{DEFAULT_DAYS, DOCTOR_PATH, MAX_DAYS, MIN_DAYS, PATH, text, views};
use crate::app::App;
use crate::audit::{self, Actor, Entry};
use crate::auth::sessions::{self, Session};
use crate::documents::store::DocRow;
use crate::error::{AppError, Kind};
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::public_id::PublicId;

/// The patient's document `id`, if it may be shared: theirs, online or bought, and not for
/// sale unless paid.
async fn shareable(app: &App, s: &Session, id: &str) -> Result<DocRow, AppError> {
    let first = crate::documents::store::first_online_day(
        crate::documents::filter::today(),
        app.config.documents.online_days,
    );
    let (patient, id, now) = (s.patient_id, id.to_string(), app.now());
    let d = app
        .db
        .read(move |c| Ok(crate::documents::store::get(c, patient, &id, first, now)?))
        .await?
        .ok_or_else(|| AppError::missing(text::DOC_NOT_FOUND))?;
    if d.locked() {
        return Err(AppError::new(Kind::Conflict, text::LOCKED));
    }
    Ok(d)
}

pub async fn list(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let s = sessions::require(ctx)?.clone();
    let q = ctx.query();
    let doc = match PublicId::parse(q.get("documento")) {
        Some(id) => Some(shareable(app, &s, &id).await?),
        None => None,
    };
    let done = q.get("esito").to_string();
    page(app, ctx, &s, doc.as_ref(), None, &done).await
}

async fn page(
    app: &App,
    ctx: &Ctx,
    s: &Session,
    doc: Option<&DocRow>,
    error: Option<&str>,
    done: &str,
) -> Result<Resp, AppError> {
    let patient = s.patient_id;
    let shares = app
        .db
        .read(move |c| {
            let shares = store::of_patient(c, patient, 100)?;
            let mut out = Vec::with_capacity(shares.len());
            for sh in shares {
                let acc = store::accesses(c, sh.id)?;
                out.push((sh, acc));
            }
            Ok(out)
        })
        .await?;
    let status = if error.is_some() {
        hyper::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        hyper::StatusCode::OK
    };
    Ok(resp::html(
        status,
        views::patient_page(app, ctx, s, doc, error, done, &shares),
    ))
}

/// The link's address as the doctor types it.
fn link(app: &App, ctx: &Ctx, token: &str) -> String {
    let base = if !app.config.http.public_url.is_empty() {
        app.config.http.public_url.trim_end_matches('/').to_string()
    } else {
        let scheme = if ctx.tls { "https" } else { "http" };
        format!("{scheme}://{}", ctx.header("host").unwrap_or("localhost"))
    };
    format!("{base}{DOCTOR_PATH}/{token}")
}

pub async fn create(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let s = sessions::require(ctx)?.clone();
    let form = ctx.form();
    let id = PublicId::parse(form.get("documento"))
        .ok_or_else(|| AppError::missing(text::DOC_NOT_FOUND))?;
    let days_text = form.get("giorni").trim().to_string();
    let recipient: String = form.get("destinatario").trim().chars().take(80).collect();
    let d = shareable(app, &s, &id).await?;
    let days = match days_text.parse::<i64>() {
        Ok(n) if (MIN_DAYS..=MAX_DAYS).contains(&n) => n,
        _ if days_text.is_empty() => DEFAULT_DAYS,
        _ => {
            let msg = ctx.lang.f(text::DAYS_RANGE, &[&MIN_DAYS, &MAX_DAYS]);
            return page(app, ctx, &s, Some(&d), Some(&msg), "").await;
        }
    };
    let token = crate::crypto::hex(&crate::crypto::random_bytes::<16>());
    let public_id = crate::crypto::hex(&crate::crypto::random_bytes::<16>());
    let code = crate::crypto::random_digits(6);
    let mac = super::code_mac(&app.secret, &public_id, &code);
    let (now, ip, patient, doc) = (app.now(), ctx.ip.to_string(), s.patient_id, d.id);
    let expires_at = now + days * 86_400;
    let hash = crate::crypto::sha256(token.as_bytes());
    let (pid, who) = (public_id.clone(), recipient.clone());
    app.db
        .write(move |tx| {
            store::insert(
                tx,
                &New {
                    public_id: &pid,
                    token_hash: &hash,
                    code_mac: &mac,
                    patient_id: patient,
                    document_id: doc,
                    recipient: &who,
                    expires_at,
                },
                now,
            )?;
            let e = Entry::by(Actor::Patient(patient))
                .action("share_create")
                .document(patient, doc)
                .detail(format!("share {pid}, {days} giorni"))
                .ip(&ip);
            Ok(audit::log(tx, now, &e)?)
        })
        .await?;
    let url = link(app, ctx, &token);
    Ok(resp::ok_html(views::created(
        app, ctx, &d, &url, &code, expires_at, &recipient,
    )))
}

pub async fn revoke(app: &App, ctx: &mut Ctx, id: &PublicId) -> Result<Resp, AppError> {
    let s = sessions::require(ctx)?.clone();
    let (patient, pid, now, ip) = (s.patient_id, id.to_string(), app.now(), ctx.ip.to_string());
    let done = app
        .db
        .write(move |tx| {
            let Some(share) = store::revoke(tx, patient, &pid, now)? else {
                return Ok(false);
            };
            let e = Entry::by(Actor::Patient(patient))
                .action("share_revoke")
                .patient(patient)
                .detail(format!("share {pid} ({share})"))
                .ip(&ip);
            audit::log(tx, now, &e)?;
            Ok(true)
        })
        .await?;
    if !done {
        return Err(AppError::missing(text::SHARE_NOT_FOUND));
    }
    Ok(resp::go_to(ctx, &format!("{PATH}?esito=revocata")))
}
