//! The SQL of access: sessions (only the token's hash is stored) and the record of new
//! PINs issued, which limits how often one can be asked for.

use crate::crypto;
use rusqlite::{Connection, OptionalExtension, params};

/// A stored session as a request finds it.
#[derive(Clone)]
pub struct Found {
    pub patient_id: i64,
    pub csrf_token: String,
    pub given_name: String,
    pub family_name: String,
    pub cart_count: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
}

pub fn session(c: &Connection, hash: &[u8]) -> rusqlite::Result<Option<Found>> {
    c.prepare_cached(
        "SELECT s.patient_id, s.csrf_token, s.created_at, s.last_seen_at, p.given_name, p.family_name,
           (SELECT count(*) FROM cart_items WHERE patient_id = s.patient_id)
         FROM sessions s JOIN patients p ON p.id = s.patient_id WHERE s.token_hash = CAST(?1 AS BLOB)",
    )?
    .query_row([hash], |r| {
        Ok(Found {
            patient_id: r.get(0)?,
            csrf_token: r.get(1)?,
            created_at: r.get(2)?,
            last_seen_at: r.get(3)?,
            given_name: r.get(4)?,
            family_name: r.get(5)?,
            cart_count: r.get(6)?,
        })
    })
    .optional()
}

pub fn touch(c: &Connection, hash: &[u8], now: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1",
        params![hash, now],
    )?;
    Ok(())
}

/// Ends one session; returns the identity provider and ID token a SPID/CIE session had.
pub fn end(c: &Connection, hash: &[u8]) -> rusqlite::Result<Option<(String, String)>> {
    let opened: Option<(Option<String>, Option<String>)> = c
        .query_row(
            "DELETE FROM sessions WHERE token_hash = ?1 RETURNING provider, id_token",
            [hash],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(opened.and_then(|(p, t)| p.zip(t)))
}

/// Creates a session; returns the cookie's token (never stored). A SPID/CIE session keeps
/// its provider and ID token, for the logout at the provider.
pub fn create(
    c: &Connection,
    patient_id: i64,
    method: &str,
    provider: Option<(&str, &str)>,
    now: i64,
) -> rusqlite::Result<String> {
    let token = crypto::token();
    let (p, id_token) = provider.unzip();
    c.execute(
        "INSERT INTO sessions (token_hash, patient_id, csrf_token, method, provider, id_token, created_at, last_seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![crypto::sha256(token.as_bytes()).to_vec(), patient_id, crypto::token(), method, p, id_token, now],
    )?;
    Ok(token)
}

/// Deletes sessions past either timeout.
pub fn sweep(c: &Connection, now: i64, idle: i64, absolute: i64) -> rusqlite::Result<usize> {
    c.execute(
        "DELETE FROM sessions WHERE last_seen_at <= ?1 OR created_at <= ?2",
        params![now - idle, now - absolute],
    )
}

/// New PINs issued to a patient since `since_recent` and since `since_day`.
pub fn pin_resets(
    c: &Connection,
    patient: i64,
    since_recent: i64,
    since_day: i64,
) -> rusqlite::Result<(i64, i64)> {
    c.query_row(
        "SELECT COALESCE(SUM(created_at > ?2), 0), COUNT(*) FROM pin_resets WHERE patient_id = ?1 AND created_at > ?3",
        params![patient, since_recent, since_day],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

pub fn record_pin_reset(c: &Connection, patient: i64, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO pin_resets (patient_id, created_at) VALUES (?1, ?2)",
        params![patient, now],
    )?;
    Ok(())
}

/// The housekeeping of access: expired sessions, old throttling and PIN records.
pub fn sweep_all(
    c: &Connection,
    now: i64,
    idle: i64,
    absolute: i64,
    oidc_before: i64,
) -> rusqlite::Result<()> {
    sweep(c, now, idle, absolute)?;
    super::throttle::sweep(c, now - 86_400)?;
    c.execute(
        "DELETE FROM pin_resets WHERE created_at < ?1",
        [now - 2 * 86_400],
    )?;
    super::oidc::store::sweep(c, oidc_before)?;
    Ok(())
}
