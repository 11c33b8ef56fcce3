//! The doctor's side, without an account: `/condivisi/<token>` asks the 6-digit code (five
//! wrong ones block the link), then shows the document with its ZIP — recovered from the
//! archive first when the cache no longer has it — and `/condivisi/<token>/download` serves
//! it (`/condivisi/<token>/viewer/…` shows a study online: `super::viewer`). The browser
//! holds a signed cookie for `SESSION_SECS`. The pages speak the doctor's language (the
//! switch, else the browser's), and so does the package of a study the doctor has prepared.

use super::store::{self, Closed, Share};
use super::{COOKIE, MAX_FAILURES, SESSION_SECS, text, views};
use crate::app::App;
use crate::audit::{self, Actor, Entry};
use crate::error::{AppError, Kind};
use crate::http::cookies;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::public_id::PublicId;
use crate::recovery;
use hyper::StatusCode;

/// What the page shows of the document's ZIP.
pub enum Zip {
    Ready { size: i64 },
    Preparing,
    Failed,
    NotYet,
}

pub(super) async fn find(app: &App, token: &PublicId) -> Result<Share, AppError> {
    let hash = crate::crypto::sha256(token.as_bytes());
    app.db
        .read(move |c| Ok(store::by_token(c, &hash)?))
        .await?
        .ok_or_else(|| AppError::missing(text::BAD_LINK))
}

/// Whether this browser passed the code of `sh` (its cookie, within the hour).
pub(super) fn opened(app: &App, ctx: &Ctx, sh: &Share) -> bool {
    ctx.cookie(COOKIE)
        .is_some_and(|v| super::cookie_opens(&app.secret, v, &sh.public_id, app.now()))
}

pub(super) fn closed_page(app: &App, ctx: &Ctx, why: Closed) -> Resp {
    resp::html(StatusCode::GONE, views::doctor_closed(app, ctx, why))
}

/// One row of the audit log (the patient's "Chi ha consultato i miei dati") and of the
/// share's accesses.
pub(super) fn record(
    tx: &rusqlite::Connection,
    sh: &Share,
    action: &'static str,
    what: &str,
    now: i64,
    ip: &str,
) -> rusqlite::Result<()> {
    store::access(tx, sh.id, now, ip, what)?;
    let e = Entry::by(Actor::System)
        .action(action)
        .document(sh.patient_id, sh.document_id)
        .detail(format!("share {}", sh.public_id))
        .ip(ip);
    audit::log(tx, now, &e)
}

pub async fn page(app: &App, ctx: &mut Ctx, token: &PublicId) -> Result<Resp, AppError> {
    let sh = find(app, token).await?;
    let now = app.now();
    if let Some(why) = sh.closed(now) {
        return Ok(closed_page(app, ctx, why));
    }
    if !opened(app, ctx, &sh) {
        let csrf = crate::http::csrf::anon_token(ctx, &app.secret, now);
        return Ok(resp::ok_html(views::doctor_code(
            app, ctx, &sh, &csrf, None,
        )));
    }
    let doc = sh.document_id;
    let state = app
        .db
        .read(move |c| Ok(store::recovery_state(c, doc, now)?))
        .await?;
    let zip = match state.as_deref() {
        Some("ready") => {
            let size = app
                .db
                .read(move |c| Ok(recovery::store::ready_file(c, doc, now)?))
                .await?
                .map_or(0, |f| f.size);
            Zip::Ready { size }
        }
        Some("queued" | "running") => Zip::Preparing,
        Some(_) => Zip::Failed,
        None => Zip::NotYet,
    };
    let csrf = crate::http::csrf::anon_token(ctx, &app.secret, now);
    Ok(resp::ok_html(views::doctor_document(
        app, ctx, &sh, token, &zip, &csrf,
    )))
}

pub async fn submit(app: &App, ctx: &mut Ctx, token: &PublicId) -> Result<Resp, AppError> {
    let sh = find(app, token).await?;
    let (now, ip) = (app.now(), ctx.ip.to_string());
    if let Some(why) = sh.closed(now) {
        return Ok(closed_page(app, ctx, why));
    }
    let here = format!("{}/{token}", super::DOCTOR_PATH);
    match ctx.form().get("azione") {
        "prepara" if opened(app, ctx, &sh) => {
            let (sh2, lang) = (sh.clone(), ctx.lang);
            let queued = app
                .db
                .write(move |tx| {
                    let queued = recovery::store::request(tx, sh2.document_id, lang, now)?;
                    if queued {
                        record(tx, &sh2, "share_recovery", store::RECOVERY, now, &ip)?;
                    }
                    Ok(queued)
                })
                .await?;
            if queued {
                app.jobs.wakeup.notify_one();
            }
            Ok(resp::redirect(&here))
        }
        "prepara" => Ok(resp::redirect(&here)),
        _ => {
            if !app.ip_limiter.allow(ctx.ip, "share") {
                return Err(AppError::new(Kind::TooManyRequests, text::TOO_MANY));
            }
            let code: String = ctx
                .form()
                .get("codice")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let right = code.len() == 6
                && crate::crypto::same(
                    &super::code_mac(&app.secret, &sh.public_id, &code),
                    &sh.code_mac,
                );
            // The link's state is read again in the transaction that counts the attempt.
            let sh2 = sh.clone();
            let outcome = app
                .db
                .write(move |tx| {
                    if !store::still_open(tx, sh2.id, now)? {
                        return Ok(None);
                    }
                    if right {
                        record(tx, &sh2, "share_code_ok", store::CODE_OK, now, &ip)?;
                        return Ok(Some((0, false)));
                    }
                    let (failures, blocked) = store::wrong_code(tx, sh2.id, MAX_FAILURES, now)?;
                    record(tx, &sh2, "share_code_wrong", store::CODE_WRONG, now, &ip)?;
                    if blocked {
                        record(tx, &sh2, "share_blocked", store::BLOCKED, now, &ip)?;
                    }
                    Ok(Some((failures, blocked)))
                })
                .await?;
            let Some((failures, blocked)) = outcome else {
                let why = find(app, token)
                    .await?
                    .closed(app.now())
                    .unwrap_or(Closed::Blocked);
                return Ok(closed_page(app, ctx, why));
            };
            if right {
                let value = super::cookie_value(&app.secret, &sh.public_id, now);
                ctx.set_cookies
                    .push(cookies::set(COOKIE, &value, Some(SESSION_SECS), ctx.tls));
                return Ok(resp::redirect(&here));
            }
            if blocked || failures >= MAX_FAILURES {
                return Ok(closed_page(app, ctx, Closed::Blocked));
            }
            let left = MAX_FAILURES - failures;
            let msg = ctx.lang.n(left, text::WRONG_ONE, text::WRONG_MANY);
            let csrf = crate::http::csrf::anon_token(ctx, &app.secret, now);
            Ok(resp::html(
                StatusCode::UNPROCESSABLE_ENTITY,
                views::doctor_code(app, ctx, &sh, &csrf, Some(&msg)),
            ))
        }
    }
}

pub async fn download(app: &App, ctx: &mut Ctx, token: &PublicId) -> Result<Resp, AppError> {
    let sh = find(app, token).await?;
    let now = app.now();
    if let Some(why) = sh.closed(now) {
        return Ok(closed_page(app, ctx, why));
    }
    if !opened(app, ctx, &sh) {
        return Ok(resp::redirect(&format!("{}/{token}", super::DOCTOR_PATH)));
    }
    let doc = sh.document_id;
    let file = app
        .db
        .read(move |c| Ok(recovery::store::ready_file(c, doc, now)?))
        .await?
        .ok_or_else(|| AppError::missing(text::NOT_READY))?;
    if ctx.method != hyper::Method::HEAD {
        let (sh2, ip) = (sh.clone(), ctx.ip.to_string());
        app.db
            .write(move |tx| {
                Ok(record(
                    tx,
                    &sh2,
                    "share_download",
                    store::DOWNLOAD,
                    now,
                    &ip,
                )?)
            })
            .await?;
    }
    recovery::download::serve_ready(&file, ctx).await
}
