//! Logins started at a provider: single use (deleted when the browser comes back), short-lived,
//! bound to the browser that started them (the hash of its `cds_oidc` cookie).

use rusqlite::{Connection, OptionalExtension, params};

pub struct Started {
    pub provider: String,
    pub nonce: String,
    pub verifier: String,
    pub browser_hash: Vec<u8>,
    pub redirect_uri: String,
    pub created_at: i64,
}

pub fn insert(c: &Connection, state: &str, s: &Started) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO oidc_logins (state_hash, provider, nonce, verifier, browser_hash, redirect_uri, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            crate::crypto::sha256(state.as_bytes()).to_vec(),
            s.provider,
            s.nonce,
            s.verifier,
            s.browser_hash,
            s.redirect_uri,
            s.created_at
        ],
    )?;
    Ok(())
}

/// Takes the login of `state` (deleting it: a second use finds nothing).
pub fn take(c: &Connection, state: &str) -> rusqlite::Result<Option<Started>> {
    c.query_row(
        "DELETE FROM oidc_logins WHERE state_hash = ?1
         RETURNING provider, nonce, verifier, browser_hash, redirect_uri, created_at",
        [crate::crypto::sha256(state.as_bytes()).to_vec()],
        |r| {
            Ok(Started {
                provider: r.get(0)?,
                nonce: r.get(1)?,
                verifier: r.get(2)?,
                browser_hash: r.get(3)?,
                redirect_uri: r.get(4)?,
                created_at: r.get(5)?,
            })
        },
    )
    .optional()
}

/// Logins abandoned at the provider (run by the housekeeping task).
pub fn sweep(c: &Connection, before: i64) -> rusqlite::Result<usize> {
    c.execute("DELETE FROM oidc_logins WHERE created_at < ?1", [before])
}
