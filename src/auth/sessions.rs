//! Sessions in SQLite: a 256-bit random token in an HttpOnly cookie, only its SHA-256
//! stored; idle and absolute timeouts; logout deletes the row.

use crate::app::App;
use crate::crypto;
use crate::error::{AppError, Kind};
use crate::http::cookies;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use rusqlite::{Connection, OptionalExtension, params};

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
    let lookup = hash.clone();
    let found = app
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT s.patient_id, s.csrf_token, s.created_at, s.last_seen_at, p.given_name, p.family_name,
                   (SELECT count(*) FROM cart_items WHERE patient_id = s.patient_id)
                 FROM sessions s JOIN patients p ON p.id = s.patient_id WHERE s.token_hash = ?1",
                [&lookup],
                |r| {
                    Ok((
                        Session {
                            token_hash: lookup.clone(),
                            patient_id: r.get(0)?,
                            csrf_token: r.get(1)?,
                            given_name: r.get(4)?,
                            family_name: r.get(5)?,
                            cart_count: r.get(6)?,
                        },
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                    ))
                },
            )
            .optional()?)
        })
        .await?;
    let Some((session, created, last_seen)) = found else {
        ctx.set_cookies
            .push(cookies::clear(cookies::SESSION, ctx.tls));
        return Ok(None);
    };
    if expired(created, last_seen, now, idle, absolute) {
        app.db
            .write(move |tx| Ok(tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [&hash])?))
            .await?;
        ctx.set_cookies
            .push(cookies::clear(cookies::SESSION, ctx.tls));
        return Ok(None);
    }
    // Touch at most every few seconds: a page and its fragments do not each write.
    if now - last_seen >= (idle / 30).clamp(1, 30) {
        app.db
            .write(move |tx| {
                Ok(tx.execute(
                    "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1",
                    params![hash, now],
                )?)
            })
            .await?;
    }
    Ok(Some(session))
}

/// Creates a session row; returns the cookie token (never stored).
pub fn create(c: &Connection, patient_id: i64, method: &str, now: i64) -> rusqlite::Result<String> {
    let token = crypto::token();
    c.execute(
        "INSERT INTO sessions (token_hash, patient_id, csrf_token, method, created_at, last_seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![crypto::sha256(token.as_bytes()).to_vec(), patient_id, crypto::token(), method, now],
    )?;
    Ok(token)
}

/// Sets the session cookie on the response.
pub fn set_cookie(app: &App, ctx: &mut Ctx, token: &str) {
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
        .ok_or_else(|| AppError::new(Kind::Unauthenticated, "Accedi per continuare."))
}

pub async fn logout(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let mut at_provider = None;
    if let Some(s) = ctx.session.take() {
        let (hash, patient, ip) = (s.token_hash, s.patient_id, ctx.ip.to_string());
        let now = app.now();
        let opened: Option<(String, String)> =
            app.db
                .write(move |tx| {
                    let opened = tx
                    .query_row(
                        "DELETE FROM sessions WHERE token_hash = ?1 RETURNING provider, id_token",
                        [&hash],
                        |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?)),
                    )
                    .optional()?;
                    crate::audit::record(tx, now, Some(patient), "logout", "", &ip)?;
                    Ok(opened.and_then(|(p, t)| p.zip(t)))
                })
                .await?;
        // A SPID/CIE session also ends at the provider, when it offers an end_session_endpoint.
        if let Some((provider, id_token)) = opened {
            at_provider = crate::auth::oidc::end_session_url(app, ctx, &provider, &id_token).await;
        }
    }
    ctx.set_cookies
        .push(cookies::clear(cookies::SESSION, ctx.tls));
    let mut r = resp::redirect(at_provider.as_deref().unwrap_or("/accedi?uscito=1"));
    // Shared and kiosk browsers: nothing of the patient's pages stays behind.
    r.headers_mut().insert(
        "clear-site-data",
        hyper::header::HeaderValue::from_static("\"cache\", \"storage\""),
    );
    Ok(r)
}

/// Deletes sessions past either timeout (run by the housekeeping task).
pub fn sweep(c: &Connection, now: i64, idle: i64, absolute: i64) -> rusqlite::Result<usize> {
    c.execute(
        "DELETE FROM sessions WHERE last_seen_at <= ?1 OR created_at <= ?2",
        params![now - idle, now - absolute],
    )
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
