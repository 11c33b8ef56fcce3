//! Sessions in SQLite: a 256-bit random token in an HttpOnly cookie, only its SHA-256
//! stored; idle and absolute timeouts; logout deletes the row.

use super::store;
use crate::app::App;
use crate::crypto;
use crate::error::{AppError, Kind};
use crate::http::cookies;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};

#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: Vec<u8>,
    pub patient_id: i64,
    pub csrf_token: String,
    pub given_name: String,
    pub family_name: String,
    /// Documents in the patient's cart (the header shows it next to "Carrello").
    pub cart_count: i64,
}

/// Why a stored session is no longer valid, if it is not.
pub fn expired(created_at: i64, last_seen_at: i64, now: i64, idle: i64, absolute: i64) -> bool {
    now - last_seen_at >= idle || now - created_at >= absolute
}

/// The stored hash of the session cookie the browser sends, valid or not: a new login in
/// the same browser ends that session.
pub fn cookie_hash(ctx: &Ctx) -> Option<Vec<u8>> {
    ctx.cookie(cookies::SESSION)
        .filter(|t| t.len() == 64)
        .map(|t| crypto::sha256(t.as_bytes()).to_vec())
}

/// The session of the request's cookie, if valid; an expired one is deleted.
pub async fn resolve(app: &App, ctx: &mut Ctx) -> Result<Option<Session>, AppError> {
    let Some(token) = ctx.cookie(cookies::SESSION).filter(|t| t.len() == 64) else {
        return Ok(None);
    };
    let hash = crypto::sha256(token.as_bytes()).to_vec();
    let now = app.now();
    let (idle, absolute) = (
        app.config.session.idle_timeout_secs,
        app.config.session.absolute_timeout_secs,
    );
    // Cached until the next write to the database (db::cache): most requests of a page
    // and its fragments find their session without a round trip.
    let generation = app.db.generation();
    let found = match app.sessions.get(&hash, generation) {
        Some(f) => Some(f),
        None => {
            let lookup = hash.clone();
            let f = app
                .db
                .read(move |c| Ok(store::session(c, &lookup)?))
                .await?;
            if let Some(f) = &f {
                app.sessions.put(hash.clone(), generation, f.clone());
            }
            f
        }
    };
    let Some(f) = found else {
        ctx.set_cookies
            .push(cookies::clear(cookies::SESSION, ctx.tls));
        return Ok(None);
    };
    if expired(f.created_at, f.last_seen_at, now, idle, absolute) {
        app.db.write(move |tx| Ok(store::end(tx, &hash)?)).await?;
        ctx.set_cookies
            .push(cookies::clear(cookies::SESSION, ctx.tls));
        return Ok(None);
    }
    // Touch at most every few seconds: a page and its fragments do not each write.
    if now - f.last_seen_at >= (idle / 30).clamp(1, 30) {
        let touched = hash.clone();
        app.db
            .write(move |tx| Ok(store::touch(tx, &touched, now)?))
            .await?;
    }
    Ok(Some(Session {
        token_hash: hash,
        patient_id: f.patient_id,
        csrf_token: f.csrf_token,
        given_name: f.given_name,
        family_name: f.family_name,
        cart_count: f.cart_count,
    }))
}

/// A patient's session is open: its cookie is set, and an operator session this browser
/// still holds ends (the two are never mixed in one browser).
pub async fn opened(app: &App, ctx: &mut Ctx, token: &str) -> Result<(), AppError> {
    if let Some(op) = ctx.cookie(cookies::OPERATOR) {
        let hash = crypto::sha256(op.as_bytes()).to_vec();
        app.db
            .write(move |tx| Ok(crate::operator::store::end(tx, &hash)?))
            .await?;
        ctx.set_cookies
            .push(cookies::clear(cookies::OPERATOR, ctx.tls));
    }
    set_cookie(app, ctx, token);
    Ok(())
}

/// Sets the session cookie on the response.
fn set_cookie(app: &App, ctx: &mut Ctx, token: &str) {
    ctx.set_cookies.push(cookies::set(
        cookies::SESSION,
        token,
        Some(app.config.session.absolute_timeout_secs),
        ctx.tls,
    ));
}

/// The session, or `Unauthenticated` (the error page redirects to the login).
pub fn require(ctx: &Ctx) -> Result<&Session, AppError> {
    ctx.session
        .as_ref()
        .ok_or_else(|| AppError::new(Kind::Unauthenticated, super::text::LOGIN_TO_CONTINUE))
}

pub async fn logout(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let mut at_provider = None;
    if let Some(s) = ctx.session.take() {
        let (hash, patient, ip) = (s.token_hash, s.patient_id, ctx.ip.to_string());
        let now = app.now();
        let opened = app
            .db
            .write(move |tx| {
                let opened = store::end(tx, &hash)?;
                crate::audit::record(tx, now, Some(patient), "logout", "", &ip)?;
                Ok(opened)
            })
            .await?;
        // A SPID/CIE session also ends at the provider, when it offers an end_session_endpoint.
        if let Some((provider, id_token)) = opened {
            at_provider = crate::auth::oidc::end_session_url(app, ctx, &provider, &id_token).await;
        }
    }
    ctx.set_cookies
        .push(cookies::clear(cookies::SESSION, ctx.tls));
    // At a kiosk the next person starts in the kiosk's own language.
    if ctx.kiosk {
        ctx.set_cookies
            .push(cookies::clear(crate::i18n::Lang::COOKIE, ctx.tls));
    }
    let mut r = resp::redirect(at_provider.as_deref().unwrap_or("/accedi?uscito=1"));
    // Shared and kiosk browsers: nothing of the patient's pages stays behind.
    r.headers_mut().insert(
        "clear-site-data",
        hyper::header::HeaderValue::from_static("\"cache\", \"storage\""),
    );
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        assert!(!expired(0, 0, 899, 900, 28800));
        assert!(expired(0, 0, 900, 900, 28800));
        assert!(!expired(0, 28000, 28799, 900, 28800));
        assert!(expired(0, 28700, 28800, 900, 28800));
    }
}
