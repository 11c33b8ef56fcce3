//! The operator's own profile: a new password (checked against the length rule and
//! the current one), and the second factor enrolled or removed by the operator.

use super::auth::{Current, current, resolve, signed_secret, unsigned_secret};
use super::{store, totp, views};
use crate::app::App;
use crate::audit;
use crate::error::{AppError, Kind};
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use hyper::StatusCode;

/// The operator's own page: change the password, enrol or remove the second factor.
pub fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let o = current(ctx)?.clone();
    let enrol = (!o.totp_enrolled).then(|| signed_secret(app, o.id, &totp::new_secret()));
    Ok(resp::ok_html(views::profile(
        app,
        ctx,
        &o,
        enrol.as_deref(),
        None,
    )))
}

pub async fn submit(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let o = current(ctx)?.clone();
    let now = app.now();
    let form = ctx.form();
    let ip = ctx.ip.to_string();
    let who = audit::Entry::by(o.actor());
    let message = match form.get("azione") {
        "password" => {
            let (old, new, again) = (
                form.get("attuale").to_string(),
                form.get("nuova").to_string(),
                form.get("conferma").to_string(),
            );
            if let Err(e) = check_password(app, &new, &again) {
                return profile_error(app, ctx, &o, e);
            }
            let id = o.id;
            let stored = app
                .db
                .read(move |c| {
                    Ok(store::get(c, id)?
                        .map(|op| op.username)
                        .map(|u| store::by_username(c, &u))
                        .transpose()?
                        .flatten()
                        .map(|(_, h)| h))
                })
                .await?;
            if !app.hasher.verify(old, stored).await? {
                return profile_error(app, ctx, &o, "La password attuale non è corretta.");
            }
            let hash = app.hasher.hash(new).await?;
            let entry = who.clone().action("op_password").ip(&ip);
            let keep = o.token_hash.clone();
            app.db
                .write(move |tx| {
                    store::set_password(tx, id, &hash, now)?;
                    // This browser stays logged in; every other session of the operator ended.
                    store::create_session_with_hash(tx, &keep, id, now)?;
                    audit::log(tx, now, &entry)?;
                    Ok(())
                })
                .await?;
            "Password cambiata. Le altre sessioni aperte con il tuo utente sono state chiuse."
        }
        "totp_attiva" => {
            let code = form.get("codice").to_string();
            let Some(secret) = unsigned_secret(app, o.id, form.get("segreto")) else {
                return profile_error(
                    app,
                    ctx,
                    &o,
                    "Il codice QR non è più valido: ricarica la pagina.",
                );
            };
            let Some(step) = totp::matching_step(&secret, &code, now) else {
                return profile_error(
                    app,
                    ctx,
                    &o,
                    "Codice non corretto: inserisci quello che l'app mostra ora.",
                );
            };
            let (id, entry) = (o.id, who.clone().action("op_totp_enrolled").ip(&ip));
            app.db
                .write(move |tx| {
                    store::set_totp_secret(tx, id, Some(&secret), Some(step))?;
                    audit::log(tx, now, &entry)?;
                    Ok(())
                })
                .await?;
            "Verifica in due passaggi attivata: dal prossimo accesso ti sarà chiesto il codice dell'app."
        }
        "totp_disattiva" => {
            if o.totp_required {
                return profile_error(
                    app,
                    ctx,
                    &o,
                    "Un amministratore ha reso obbligatoria la verifica in due passaggi per il tuo utente.",
                );
            }
            let (id, entry) = (o.id, who.clone().action("op_totp_removed").ip(&ip));
            app.db
                .write(move |tx| {
                    store::set_totp_secret(tx, id, None, None)?;
                    audit::log(tx, now, &entry)?;
                    Ok(())
                })
                .await?;
            "Verifica in due passaggi disattivata."
        }
        _ => return Err(AppError::bad_request("Azione non valida.")),
    };
    // Read the operator again: the page shows the new state.
    let refreshed = resolve(app, ctx)
        .await?
        .ok_or_else(|| AppError::new(Kind::Unauthenticated, "Accedi per continuare."))?;
    ctx.operator = Some(refreshed.clone());
    let enrol =
        (!refreshed.totp_enrolled).then(|| signed_secret(app, refreshed.id, &totp::new_secret()));
    Ok(resp::ok_html(views::profile(
        app,
        ctx,
        &refreshed,
        enrol.as_deref(),
        Some(("success", message)),
    )))
}

fn profile_error(app: &App, ctx: &mut Ctx, o: &Current, msg: &str) -> Result<Resp, AppError> {
    let enrol = (!o.totp_enrolled).then(|| signed_secret(app, o.id, &totp::new_secret()));
    Ok(resp::html(
        StatusCode::UNPROCESSABLE_ENTITY,
        views::profile(app, ctx, o, enrol.as_deref(), Some(("danger", msg))),
    ))
}

/// A new password: long enough, typed twice the same.
pub fn check_password(app: &App, new: &str, again: &str) -> Result<(), &'static str> {
    // Spaces around do not count: twelve spaces are no password.
    if new.trim().chars().count() < app.config.operator.min_password_len {
        return Err("La nuova password è troppo corta.");
    }
    if new.len() > 256 {
        return Err("La nuova password è troppo lunga (al massimo 256 caratteri).");
    }
    if new != again {
        return Err("Le due password non coincidono.");
    }
    Ok(())
}
