//! Operators' login: username and password (argon2id, the same bounded hasher as the
//! patients' PINs), then — when enrolled, or required by an administrator — a TOTP code.
//! Wrong passwords and codes count towards a lock (`operator.max_failures`); a username that
//! does not exist costs the same hash and gets the same answer. The session has its own
//! cookie (`cds_op`) and timeouts; logging in ends a patient session of the same browser,
//! and a patient login ends an operator's (`auth::sessions`).

use super::{HOME, LOGIN, Role, store, totp, views};
use crate::app::App;
use crate::audit::{self, Actor};
use crate::crypto;
use crate::error::{AppError, Kind};
use crate::http::cookies;
use crate::http::csrf;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use hyper::StatusCode;

/// The operator of the request, as `http` resolves it from the `cds_op` cookie.
#[derive(Clone, Debug)]
pub struct Current {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub csrf_token: String,
    /// False while a required second factor (or its enrolment) is still due.
    pub verified: bool,
    pub totp_enrolled: bool,
    pub totp_required: bool,
    pub token_hash: Vec<u8>,
}

impl Current {
    /// The name pages and the audit log show.
    pub fn name(&self) -> &str {
        if self.display_name.is_empty() {
            &self.username
        } else {
            &self.display_name
        }
    }

    pub fn actor(&self) -> Actor {
        Actor::Operator(self.id)
    }
}

/// The operator of the request's cookie, if its session is valid; an expired one is ended.
pub async fn resolve(app: &App, ctx: &mut Ctx) -> Result<Option<Current>, AppError> {
    let Some(token) = ctx.cookie(cookies::OPERATOR).filter(|t| t.len() == 64) else {
        return Ok(None);
    };
    let hash = crypto::sha256(token.as_bytes()).to_vec();
    let now = app.now();
    let cfg = &app.config.operator;
    let lookup = hash.clone();
    let found = app
        .db
        .read(move |c| Ok(store::session(c, &lookup)?))
        .await?;
    let Some(f) = found else {
        ctx.set_cookies
            .push(cookies::clear(cookies::OPERATOR, ctx.tls));
        return Ok(None);
    };
    let idle = if f.verified {
        cfg.idle_timeout_secs
    } else {
        // Between the password and the code: a few minutes at most.
        cfg.idle_timeout_secs.min(300)
    };
    if now - f.last_seen_at >= idle || now - f.created_at >= cfg.absolute_timeout_secs {
        app.db.write(move |tx| Ok(store::end(tx, &hash)?)).await?;
        ctx.set_cookies
            .push(cookies::clear(cookies::OPERATOR, ctx.tls));
        return Ok(None);
    }
    if now - f.last_seen_at >= 5 {
        let touched = hash.clone();
        app.db
            .write(move |tx| Ok(store::touch(tx, &touched, now)?))
            .await?;
    }
    let o = f.operator;
    Ok(Some(Current {
        id: o.id,
        username: o.username,
        display_name: o.display_name,
        role: o.role,
        csrf_token: f.csrf_token,
        verified: f.verified,
        totp_enrolled: o.totp_secret.is_some(),
        totp_required: o.totp_required,
        token_hash: hash,
    }))
}

pub fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    if ctx.operator.as_ref().is_some_and(|o| o.verified) {
        return Ok(resp::redirect(HOME));
    }
    let q = ctx.query();
    let alert = match (q.get("scaduta"), q.get("uscito")) {
        ("1", _) => Some((
            "info",
            "La sessione è scaduta per inattività: accedi di nuovo.".to_string(),
        )),
        (_, "1") => Some(("success", "Sei uscito dal back office.".to_string())),
        _ => None,
    };
    login_form(app, ctx, StatusCode::OK, "", alert)
}

fn login_form(
    app: &App,
    ctx: &mut Ctx,
    status: StatusCode,
    username: &str,
    alert: Option<(&str, String)>,
) -> Result<Resp, AppError> {
    let token = csrf::anon_token(ctx, &app.secret, app.now());
    Ok(resp::html(
        status,
        views::login(app, ctx, &token, username, alert),
    ))
}

enum Checked {
    Ok { id: i64, second_factor: bool },
    Locked(i64),
    Wrong,
}

pub async fn submit(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let now = app.now();
    if !app.ip_limiter.allow(ctx.ip, "op_login") {
        return Err(AppError::new(
            Kind::TooManyRequests,
            "Troppi tentativi di accesso da questa connessione. Attendi un minuto e riprova.",
        ));
    }
    let form = ctx.form();
    let username = form.get("username").trim().to_string();
    let password = form.get("password").to_string();
    if username.is_empty() || password.is_empty() || username.len() > 64 || password.len() > 256 {
        let alert = Some(("danger", "Inserisci nome utente e password.".to_string()));
        return login_form(app, ctx, StatusCode::UNPROCESSABLE_ENTITY, &username, alert);
    }
    let lookup = username.clone();
    let found = app
        .db
        .read(move |c| Ok(store::by_username(c, &lookup)?))
        .await?;
    let (operator, hash) = found.unzip();
    let usable = operator.as_ref().filter(|o| o.disabled_at.is_none());
    let stored = usable.map(|_| hash.unwrap_or_default());
    // Always one hash, known user or not, so the answer takes the same time.
    let ok = app.hasher.verify(password, stored).await?;
    crate::failpoint::hit("operator_login.hashed").await;
    let ip = ctx.ip.to_string();
    let cfg = app.config.operator.clone();
    let checked = match usable.cloned() {
        None => Checked::Wrong,
        Some(o) => {
            app.db
                .write(move |tx| {
                    // The lock as it is now, not as read before the hash: wrong passwords
                    // sent meanwhile may have set it (or an administrator disabled the user).
                    let Some((locked_until, disabled)) = store::lock_state(tx, o.id)? else {
                        return Ok(Checked::Wrong);
                    };
                    if disabled {
                        return Ok(Checked::Wrong);
                    }
                    // A lock that has run out starts a new count.
                    match locked_until {
                        Some(until) if until > now => return Ok(Checked::Locked(until)),
                        Some(_) => store::clear_failures(tx, o.id)?,
                        None => {}
                    }
                    let who = audit::Entry::by(Actor::Operator(o.id));
                    if !ok {
                        let lock = store::fail(tx, o.id, now, cfg.max_failures, cfg.lockout_secs)?;
                        audit::log(tx, now, &who.clone().action("op_login_failed").ip(&ip))?;
                        return Ok(lock.map_or(Checked::Wrong, Checked::Locked));
                    }
                    let second_factor = o.totp_secret.is_some() || o.totp_required;
                    if !second_factor {
                        store::clear_failures(tx, o.id)?;
                        audit::log(tx, now, &who.action("op_login").ip(&ip))?;
                    }
                    Ok(Checked::Ok {
                        id: o.id,
                        second_factor,
                    })
                })
                .await?
        }
    };
    match checked {
        Checked::Ok { id, second_factor } => {
            open_session(app, ctx, id, !second_factor).await?;
            Ok(resp::redirect(if second_factor {
                "/operatore/accedi/codice"
            } else {
                HOME
            }))
        }
        Checked::Locked(until) => {
            let msg = format!(
                "Troppi tentativi errati: l'accesso di questo utente è bloccato fino alle {}.",
                crate::ui::time::clock(until)
            );
            login_form(
                app,
                ctx,
                StatusCode::TOO_MANY_REQUESTS,
                &username,
                Some(("danger", msg)),
            )
        }
        Checked::Wrong => {
            let msg = "Nome utente o password non corretti.".to_string();
            login_form(
                app,
                ctx,
                StatusCode::UNAUTHORIZED,
                &username,
                Some(("danger", msg)),
            )
        }
    }
}

/// A new operator session: the operator session and the patient session this browser
/// still holds end; the cookie is set.
async fn open_session(app: &App, ctx: &mut Ctx, id: i64, verified: bool) -> Result<(), AppError> {
    let now = app.now();
    let previous = ctx
        .cookie(cookies::OPERATOR)
        .map(|t| crypto::sha256(t.as_bytes()).to_vec());
    let patient = crate::auth::sessions::cookie_hash(ctx);
    let token = app
        .db
        .write(move |tx| {
            if let Some(h) = previous {
                store::end(tx, &h)?;
            }
            if let Some(h) = patient {
                crate::auth::store::end(tx, &h)?;
            }
            Ok(store::create_session(tx, id, verified, now)?)
        })
        .await?;
    if ctx.cookie(cookies::SESSION).is_some() {
        ctx.set_cookies
            .push(cookies::clear(cookies::SESSION, ctx.tls));
    }
    ctx.set_cookies.push(cookies::set(
        cookies::OPERATOR,
        &token,
        Some(app.config.operator.absolute_timeout_secs),
        ctx.tls,
    ));
    Ok(())
}

/// The second step: a code from the authenticator app, or — when required and not yet
/// enrolled — the QR code to scan and a first code that proves it was.
pub fn code_page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let Some(o) = ctx.operator.clone() else {
        return Ok(resp::redirect(LOGIN));
    };
    if o.verified {
        return Ok(resp::redirect(HOME));
    }
    let enrol = (!o.totp_enrolled).then(|| signed_secret(app, o.id, &totp::new_secret()));
    Ok(resp::ok_html(views::code(
        app,
        ctx,
        &o,
        enrol.as_deref(),
        None,
    )))
}

/// A secret being enrolled travels in the form, signed, until a first code proves the app
/// holds it: `secret.mac`.
pub fn signed_secret(app: &App, operator: i64, secret: &str) -> String {
    let mac = crypto::hmac(&app.secret, format!("totp|{operator}|{secret}").as_bytes());
    format!("{secret}.{}", crypto::hex(&mac))
}

pub fn unsigned_secret(app: &App, operator: i64, signed: &str) -> Option<String> {
    let (secret, _) = signed.split_once('.')?;
    crypto::same(&signed_secret(app, operator, secret), signed).then(|| secret.to_string())
}

pub async fn code_submit(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let Some(o) = ctx.operator.clone() else {
        return Ok(resp::redirect(LOGIN));
    };
    if o.verified {
        return Ok(resp::redirect(HOME));
    }
    let now = app.now();
    let form = ctx.form();
    let code = form.get("codice").to_string();
    let enrolling = form.get("segreto").to_string();
    let new_secret = if o.totp_enrolled {
        None
    } else {
        Some(unsigned_secret(app, o.id, &enrolling).ok_or_else(|| {
            AppError::bad_request("Il codice QR non è più valido: ricarica la pagina.")
        })?)
    };
    let (ip, cfg, hash) = (
        ctx.ip.to_string(),
        app.config.operator.clone(),
        o.token_hash.clone(),
    );
    let id = o.id;
    let outcome = app
        .db
        .write(move |tx| {
            let Some(op) = store::get(tx, id)? else {
                return Ok(Err(None));
            };
            if op.locked_until.is_some_and(|u| u > now) {
                return Ok(Err(op.locked_until));
            }
            let secret = new_secret
                .clone()
                .or(op.totp_secret.clone())
                .unwrap_or_default();
            let who = audit::Entry::by(Actor::Operator(id));
            let step = totp::matching_step(&secret, &code, now);
            let fresh = match step {
                Some(s) => store::use_totp_step(tx, id, s)? || new_secret.is_some(),
                None => false,
            };
            if !fresh {
                let lock = store::fail(tx, id, now, cfg.max_failures, cfg.lockout_secs)?;
                audit::log(tx, now, &who.clone().action("op_totp_failed").ip(&ip))?;
                return Ok(Err(lock));
            }
            if let Some(s) = &new_secret {
                store::set_totp_secret(tx, id, Some(s), step)?;
                audit::log(tx, now, &who.clone().action("op_totp_enrolled").ip(&ip))?;
            }
            store::clear_failures(tx, id)?;
            store::verify_session(tx, &hash)?;
            audit::log(tx, now, &who.action("op_login").detail("totp").ip(&ip))?;
            Ok(Ok(()))
        })
        .await?;
    match outcome {
        Ok(()) => Ok(resp::redirect(HOME)),
        Err(Some(until)) if until > now => {
            let hash = o.token_hash.clone();
            app.db.write(move |tx| Ok(store::end(tx, &hash)?)).await?;
            ctx.set_cookies
                .push(cookies::clear(cookies::OPERATOR, ctx.tls));
            let msg = format!(
                "Troppi tentativi errati: l'accesso di questo utente è bloccato fino alle {}.",
                crate::ui::time::clock(until)
            );
            Err(AppError::new(Kind::TooManyRequests, msg))
        }
        Err(_) => {
            let enrol = new_secret_field(&o, &enrolling);
            Ok(resp::html(
                StatusCode::UNAUTHORIZED,
                views::code(
                    app,
                    ctx,
                    &o,
                    enrol,
                    Some("Codice non corretto o già usato: inserisci quello che l'app mostra ora."),
                ),
            ))
        }
    }
}

fn new_secret_field<'a>(o: &Current, signed: &'a str) -> Option<&'a str> {
    (!o.totp_enrolled).then_some(signed)
}

pub async fn logout(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    if let Some(o) = ctx.operator.take() {
        let (now, ip) = (app.now(), ctx.ip.to_string());
        app.db
            .write(move |tx| {
                store::end(tx, &o.token_hash)?;
                audit::log(
                    tx,
                    now,
                    &audit::Entry::by(o.actor()).action("op_logout").ip(&ip),
                )?;
                Ok(())
            })
            .await?;
    }
    ctx.set_cookies
        .push(cookies::clear(cookies::OPERATOR, ctx.tls));
    Ok(resp::go_to(ctx, "/operatore/accedi?uscito=1"))
}

/// The operator of a request that passed the route's access check.
pub fn current(ctx: &Ctx) -> Result<&Current, AppError> {
    ctx.operator
        .as_ref()
        .filter(|o| o.verified)
        .ok_or_else(|| AppError::new(Kind::Unauthenticated, "Accedi per continuare."))
}

/// A random password for a new operator or a reset: 16 characters from an alphabet
/// without look-alikes (no 0/O, 1/l/I).
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    // Bytes above the last whole multiple of the alphabet are skipped: no letter is likelier.
    let limit = 256 - 256 % ALPHABET.len();
    let mut out = String::new();
    while out.len() < 16 {
        for b in crypto::random_bytes::<32>() {
            if (b as usize) < limit && out.len() < 16 {
                out.push(ALPHABET[b as usize % ALPHABET.len()] as char);
            }
        }
    }
    out
}
