//! "Accedi" with codice fiscale + PIN (SPECS.md §5). The answer and its timing are the
//! same whether the codice fiscale is registered or not.

use super::views::{self, FormState};
use super::{LANDING, sessions, text, throttle};
use crate::app::App;
use crate::error::{AppError, Kind};
use crate::http::csrf;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::patients::{CodiceFiscale, store};
use crate::ui::time;
use hyper::StatusCode;
use std::sync::atomic::Ordering;

pub fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    if ctx.session.is_some() {
        return Ok(resp::redirect(LANDING));
    }
    let (q, l) = (ctx.query(), ctx.lang);
    let alert = if q.get("scaduta") == "1" {
        Some(("info", l.t(text::SESSION_EXPIRED).to_string()))
    } else if q.get("uscito") == "1" {
        Some(("success", l.t(text::LOGGED_OUT).to_string()))
    } else {
        None
    };
    render(
        app,
        ctx,
        StatusCode::OK,
        FormState {
            alert,
            ..Default::default()
        },
    )
}

fn render(
    app: &App,
    ctx: &mut Ctx,
    status: StatusCode,
    state: FormState,
) -> Result<Resp, AppError> {
    let token = csrf::anon_token(ctx, &app.secret, app.now());
    Ok(resp::html(status, views::login(app, ctx, &token, &state)))
}

enum Outcome {
    Locked(i64),
    /// The new session's cookie token.
    Ok(String),
    Wrong {
        locked_until: Option<i64>,
        left: i64,
    },
}

pub async fn submit(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let now = app.now();
    if !app.ip_limiter.allow(ctx.ip, "login") {
        return Err(AppError::new(Kind::TooManyRequests, text::LOGIN_TOO_MANY));
    }
    let l = ctx.lang;
    let form = ctx.form();
    let (cf_input, pin) = (
        form.get("codice_fiscale").to_string(),
        form.get("pin").trim().to_string(),
    );
    let cf = match CodiceFiscale::parse(&cf_input) {
        Ok(cf) => cf,
        Err(e) => {
            let state = FormState {
                cf: &cf_input,
                cf_error: Some(e.text().get(l).to_string()),
                ..Default::default()
            };
            return render(app, ctx, StatusCode::UNPROCESSABLE_ENTITY, state);
        }
    };
    if pin.len() != 8 || !pin.bytes().all(|b| b.is_ascii_digit()) {
        let msg = if pin.is_empty() {
            text::PIN_EMPTY
        } else {
            text::PIN_DIGITS
        };
        let state = FormState {
            cf: cf.as_str(),
            second_error: Some(l.t(msg).into()),
            ..Default::default()
        };
        return render(app, ctx, StatusCode::UNPROCESSABLE_ENTITY, state);
    }
    let previous = sessions::cookie_hash(ctx);
    let outcome = check(app, &cf, pin, now, ctx.ip.to_string(), previous).await?;
    match outcome {
        Outcome::Ok(token) => {
            sessions::opened(app, ctx, &token).await?;
            app.metrics.logins.fetch_add(1, Ordering::Relaxed);
            Ok(resp::redirect(LANDING))
        }
        Outcome::Locked(until) => locked(app, ctx, &cf, until),
        Outcome::Wrong {
            locked_until: Some(until),
            ..
        } => locked(app, ctx, &cf, until),
        Outcome::Wrong { left, .. } => {
            let msg = l.f(
                text::WRONG_PIN,
                &[
                    &app.config.auth.max_failures,
                    &(app.config.auth.lockout_secs / 60),
                    &left,
                ],
            );
            let state = FormState {
                cf: cf.as_str(),
                alert: Some(("danger", msg)),
                ..Default::default()
            };
            render(app, ctx, StatusCode::UNAUTHORIZED, state)
        }
    }
}

fn locked(app: &App, ctx: &mut Ctx, cf: &CodiceFiscale, until: i64) -> Result<Resp, AppError> {
    let msg = ctx.lang.f(
        text::LOCKED,
        &[
            &time::clock(until),
            &time::datetime(until).split(' ').next().unwrap_or_default(),
        ],
    );
    let state = FormState {
        cf: cf.as_str(),
        alert: Some(("danger", msg)),
        ..Default::default()
    };
    render(app, ctx, StatusCode::TOO_MANY_REQUESTS, state)
}

/// Counts the attempt (refused when locked or when the limit is already taken by attempts
/// under way), verifies the PIN (a dummy hash when the codice fiscale is unknown), then
/// records the outcome — and opens the session, unless a lock came meanwhile — in one
/// transaction. `previous`: the hash of the session cookie the browser still sends, ended
/// by a successful login.
async fn check(
    app: &App,
    cf: &CodiceFiscale,
    pin: String,
    now: i64,
    ip: String,
    previous: Option<Vec<u8>>,
) -> Result<Outcome, AppError> {
    let (max, lock_secs) = (app.config.auth.max_failures, app.config.auth.lockout_secs);
    let key = cf.as_str().to_string();
    let reserved = app
        .db
        .write(move |tx| Ok(throttle::reserve(tx, &key, now, max, lock_secs)?))
        .await?;
    if let Err(throttle::Refused::Locked(until)) = reserved {
        return Ok(Outcome::Locked(until));
    }
    let key = cf.as_str().to_string();
    let creds = app
        .db
        .read(move |c| Ok(store::credentials(c, &key)?))
        .await?;
    let id = creds.as_ref().map(|c| c.id);
    let ok = app
        .hasher
        .verify(pin, creds.and_then(|c| c.pin_hash))
        .await?;
    let key = cf.as_str().to_string();
    if ok {
        let patient = id.ok_or_else(|| AppError::internal("verified without a patient"))?;
        return app
            .db
            .write(move |tx| {
                if let Err(throttle::Refused::Locked(until)) = throttle::succeed(tx, &key, now)? {
                    crate::audit::record(
                        tx,
                        now,
                        Some(patient),
                        "login_failed",
                        "pin: bloccato",
                        &ip,
                    )?;
                    return Ok(Outcome::Locked(until));
                }
                if let Some(h) = previous {
                    super::store::end(tx, &h)?;
                }
                crate::audit::record(tx, now, Some(patient), "login", "pin", &ip)?;
                Ok(Outcome::Ok(super::store::create(
                    tx, patient, "pin", None, now,
                )?))
            })
            .await;
    }
    app.metrics.login_failures.fetch_add(1, Ordering::Relaxed);
    app.db
        .write(move |tx| {
            let (locked_until, left) = throttle::confirm_failure(tx, &key, now, max, lock_secs)?;
            if let Some(p) = id {
                crate::audit::record(tx, now, Some(p), "login_failed", "pin", &ip)?;
            }
            Ok(Outcome::Wrong { locked_until, left })
        })
        .await
}
