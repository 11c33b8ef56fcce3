//! "Ho bisogno di un nuovo PIN": codice fiscale + cellulare → a new 8-digit PIN by SMS.
//! The page answers the same way whatever happened, so it tells nobody who is registered.

use super::text;
use super::views::{self, FormState};
use crate::app::App;
use crate::error::{AppError, Kind};
use crate::http::csrf;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::patients::{CodiceFiscale, phone, store, text as patient_text};
use hyper::StatusCode;
use rusqlite::Connection;

pub fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    render(app, ctx, StatusCode::OK, FormState::default())
}

fn render(
    app: &App,
    ctx: &mut Ctx,
    status: StatusCode,
    state: FormState,
) -> Result<Resp, AppError> {
    let token = csrf::anon_token(ctx, &app.secret, app.now());
    Ok(resp::html(status, views::new_pin(app, ctx, &token, &state)))
}

pub async fn submit(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let now = app.now();
    if !app.ip_limiter.allow(ctx.ip, "new_pin") {
        return Err(AppError::new(Kind::TooManyRequests, text::NEW_PIN_TOO_MANY));
    }
    let l = ctx.lang;
    let form = ctx.form();
    let (cf_input, mobile_input) = (
        form.get("codice_fiscale").to_string(),
        form.get("cellulare").to_string(),
    );
    let cf = CodiceFiscale::parse(&cf_input);
    let mobile = phone::normalise_mobile(&mobile_input);
    let (cf, mobile) = match (cf, mobile) {
        (Ok(cf), Some(m)) => (cf, m),
        (cf, m) => {
            let state = FormState {
                cf: &cf_input,
                mobile: &mobile_input,
                cf_error: cf.err().map(|e| e.text().get(l).to_string()),
                second_error: m.is_none().then(|| {
                    let why = if mobile_input.trim().is_empty() {
                        patient_text::MOBILE_EMPTY
                    } else {
                        patient_text::MOBILE_INVALID
                    };
                    l.t(why).to_string()
                }),
                ..Default::default()
            };
            return render(app, ctx, StatusCode::UNPROCESSABLE_ENTITY, state);
        }
    };
    issue_pin(app, cf, mobile, now, ctx.ip.to_string()).await?;
    let state = FormState {
        alert: Some(("success", l.t(text::NEW_PIN_SAME_ANSWER).to_string())),
        ..Default::default()
    };
    render(app, ctx, StatusCode::OK, state)
}

/// Replaces the PIN and queues the SMS when the data match and the limits allow; does
/// the same hashing work either way.
async fn issue_pin(
    app: &App,
    cf: CodiceFiscale,
    mobile: String,
    now: i64,
    ip: String,
) -> Result<(), AppError> {
    let (interval, per_day) = (
        app.config.auth.pin_reset_min_interval_secs,
        app.config.auth.pin_reset_max_per_day,
    );
    let key = cf.as_str().to_string();
    let matched = app
        .db
        .read(move |c| Ok(eligible(c, &key, &mobile, now, interval, per_day)?))
        .await?;
    let pin = crate::crypto::random_digits(8);
    let hash = app.hasher.hash(pin.clone()).await?;
    let Some((patient, to)) = matched else {
        return Ok(());
    };
    let text = sms_text(&app.config.sms.sender_name, &pin);
    let key = cf.as_str().to_string();
    let queued = app
        .db
        .write(move |tx| {
            // Checked again under the write lock: two requests at once issue one PIN.
            if eligible(tx, &key, &to, now, interval, per_day)?.is_none() {
                return Ok(false);
            }
            store::set_pin_hash(tx, patient, &hash, now)?;
            crate::auth::store::record_pin_reset(tx, patient, now)?;
            crate::auth::throttle::clear_failures(tx, &key)?;
            crate::sms::queue::enqueue(tx, &to, &text, now)?;
            crate::audit::record(tx, now, Some(patient), "pin_reset", "", &ip)?;
            Ok(true)
        })
        .await?;
    if queued {
        app.sms_wakeup.notify_one();
    }
    Ok(())
}

/// The patient id and number when the codice fiscale is registered with this mobile and
/// the per-codice-fiscale limits allow another PIN.
fn eligible(
    c: &Connection,
    cf: &str,
    mobile: &str,
    now: i64,
    interval: i64,
    per_day: i64,
) -> rusqlite::Result<Option<(i64, String)>> {
    let Some(p) = store::credentials(c, cf)? else {
        return Ok(None);
    };
    if p.mobile_e164.as_deref() != Some(mobile) {
        return Ok(None);
    }
    let (recent, today) = crate::auth::store::pin_resets(c, p.id, now - interval, now - 86_400)?;
    Ok((recent == 0 && today < per_day).then(|| (p.id, mobile.to_string())))
}

/// The SMS says only what is needed: no health data, no link.
pub fn sms_text(sender: &str, pin: &str) -> String {
    format!(
        "{sender}: il tuo nuovo PIN per il portale dei documenti è {pin}. Non comunicarlo a nessuno."
    )
}
