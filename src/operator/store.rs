//! The SQL of operators and their sessions (only a session token's hash is stored).

use super::Role;
use crate::crypto;
use rusqlite::{Connection, OptionalExtension, params};

#[derive(Clone, Debug)]
pub struct Operator {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub totp_secret: Option<String>,
    pub totp_required: bool,
    pub failures: i64,
    pub locked_until: Option<i64>,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: &str =
    "id, username, display_name, role, totp_secret, totp_required, totp_last_step,
    failures, locked_until, disabled_at, created_at";

fn row(r: &rusqlite::Row) -> rusqlite::Result<Operator> {
    Ok(Operator {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        role: Role::from_db(&r.get::<_, String>(3)?),
        totp_secret: r.get(4)?,
        totp_required: r.get(5)?,
        failures: r.get(7)?,
        locked_until: r.get(8)?,
        disabled_at: r.get(9)?,
        created_at: r.get(10)?,
    })
}

/// An operator by username (case does not matter) with the password hash.
pub fn by_username(c: &Connection, username: &str) -> rusqlite::Result<Option<(Operator, String)>> {
    c.query_row(
        &format!("SELECT {COLUMNS}, password_hash FROM operators WHERE username = ?1"),
        [username],
        |r| Ok((row(r)?, r.get(11)?)),
    )
    .optional()
}

pub fn get(c: &Connection, id: i64) -> rusqlite::Result<Option<Operator>> {
    c.query_row(
        &format!("SELECT {COLUMNS} FROM operators WHERE id = ?1"),
        [id],
        row,
    )
    .optional()
}

pub fn list(c: &Connection) -> rusqlite::Result<Vec<Operator>> {
    c.prepare(&format!(
        "SELECT {COLUMNS} FROM operators ORDER BY username COLLATE NOCASE"
    ))?
    .query_map([], row)?
    .collect()
}

/// A new operator; `None` when the username is taken.
pub fn insert(
    c: &Connection,
    username: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
    now: i64,
) -> rusqlite::Result<Option<i64>> {
    let n = c.execute(
        "INSERT INTO operators (username, display_name, role, password_hash, password_set_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (username) DO NOTHING",
        params![username, display_name, role.as_db(), password_hash, now],
    )?;
    Ok((n == 1).then(|| c.last_insert_rowid()))
}

/// A new password: failures and lock cleared, every session of the operator ended.
pub fn set_password(c: &Connection, id: i64, hash: &str, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE operators SET password_hash = ?2, password_set_at = ?3, failures = 0, locked_until = NULL WHERE id = ?1",
        params![id, hash, now],
    )?;
    end_all(c, id)
}

pub fn set_role(c: &Connection, id: i64, role: Role) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE operators SET role = ?2 WHERE id = ?1",
        params![id, role.as_db()],
    )?;
    Ok(())
}

/// Disables (ending its sessions) or enables an operator.
pub fn set_disabled(c: &Connection, id: i64, at: Option<i64>) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE operators SET disabled_at = ?2, failures = 0, locked_until = NULL WHERE id = ?1",
        params![id, at],
    )?;
    if at.is_some() {
        end_all(c, id)?;
    }
    Ok(())
}

/// Administrators still able to log in (the last one cannot be disabled or demoted).
pub fn active_admins(c: &Connection) -> rusqlite::Result<i64> {
    c.query_row(
        "SELECT count(*) FROM operators WHERE role = 'amministratore' AND disabled_at IS NULL",
        [],
        |r| r.get(0),
    )
}

pub fn set_totp_required(c: &Connection, id: i64, required: bool) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE operators SET totp_required = ?2 WHERE id = ?1",
        params![id, required],
    )?;
    Ok(())
}

/// Enrols (or, with `None`, removes) the second factor; the sessions of the operator end.
pub fn set_totp_secret(
    c: &Connection,
    id: i64,
    secret: Option<&str>,
    step: Option<i64>,
) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE operators SET totp_secret = ?2, totp_last_step = ?3 WHERE id = ?1",
        params![id, secret, step],
    )?;
    Ok(())
}

/// Accepts a TOTP time step once: false when it (or a later one) was already used.
pub fn use_totp_step(c: &Connection, id: i64, step: i64) -> rusqlite::Result<bool> {
    let n = c.execute(
        "UPDATE operators SET totp_last_step = ?2
         WHERE id = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)",
        params![id, step],
    )?;
    Ok(n == 1)
}

/// Counts a failed password or code; locks for `lock_secs` at `max` failures. Returns the
/// lock's end when this failure set it.
pub fn fail(
    c: &Connection,
    id: i64,
    now: i64,
    max: i64,
    lock_secs: i64,
) -> rusqlite::Result<Option<i64>> {
    c.query_row(
        "UPDATE operators SET failures = failures + 1,
           locked_until = CASE WHEN failures + 1 >= ?3 THEN ?2 + ?4 ELSE locked_until END
         WHERE id = ?1 RETURNING CASE WHEN failures >= ?3 THEN locked_until END",
        params![id, now, max, lock_secs],
        |r| r.get(0),
    )
}

/// The operator's lock end and whether disabled, read in the caller's transaction.
pub fn lock_state(c: &Connection, id: i64) -> rusqlite::Result<Option<(Option<i64>, bool)>> {
    c.query_row(
        "SELECT locked_until, disabled_at IS NOT NULL FROM operators WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

pub fn clear_failures(c: &Connection, id: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE operators SET failures = 0, locked_until = NULL WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

/// An operator session as a request finds it.
#[derive(Clone, Debug)]
pub struct Found {
    pub operator: Operator,
    pub csrf_token: String,
    pub verified: bool,
    pub created_at: i64,
    pub last_seen_at: i64,
}

pub fn session(c: &Connection, hash: &[u8]) -> rusqlite::Result<Option<Found>> {
    c.prepare_cached(&format!(
        "SELECT {cols}, s.csrf_token, s.verified, s.created_at, s.last_seen_at
         FROM operator_sessions s JOIN operators o ON o.id = s.operator_id
         WHERE s.token_hash = CAST(?1 AS BLOB) AND o.disabled_at IS NULL",
        cols = COLUMNS
            .split(',')
            .map(|c| format!("o.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    ))?
    .query_row([hash], |r| {
        Ok(Found {
            operator: row(r)?,
            csrf_token: r.get(11)?,
            verified: r.get(12)?,
            created_at: r.get(13)?,
            last_seen_at: r.get(14)?,
        })
    })
    .optional()
}

/// A new session; returns the cookie's token (never stored).
pub fn create_session(
    c: &Connection,
    operator: i64,
    verified: bool,
    now: i64,
) -> rusqlite::Result<String> {
    let token = crypto::token();
    c.execute(
        "INSERT INTO operator_sessions (token_hash, operator_id, csrf_token, verified, created_at, last_seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![crypto::sha256(token.as_bytes()).to_vec(), operator, crypto::token(), verified, now],
    )?;
    Ok(token)
}

/// The session of `hash` again after a password change ended every session of the
/// operator: the browser that changed it stays logged in (with a new CSRF token).
pub fn create_session_with_hash(
    c: &Connection,
    hash: &[u8],
    operator: i64,
    now: i64,
) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO operator_sessions (token_hash, operator_id, csrf_token, verified, created_at, last_seen_at)
         VALUES (?1, ?2, ?3, 1, ?4, ?4)",
        params![hash, operator, crypto::token(), now],
    )?;
    Ok(())
}

pub fn verify_session(c: &Connection, hash: &[u8]) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE operator_sessions SET verified = 1 WHERE token_hash = ?1",
        [hash],
    )?;
    Ok(())
}

pub fn touch(c: &Connection, hash: &[u8], now: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE operator_sessions SET last_seen_at = ?2 WHERE token_hash = ?1",
        params![hash, now],
    )?;
    Ok(())
}

pub fn end(c: &Connection, hash: &[u8]) -> rusqlite::Result<()> {
    c.execute(
        "DELETE FROM operator_sessions WHERE token_hash = ?1",
        [hash],
    )?;
    Ok(())
}

pub fn end_all(c: &Connection, operator: i64) -> rusqlite::Result<()> {
    c.execute(
        "DELETE FROM operator_sessions WHERE operator_id = ?1",
        [operator],
    )?;
    Ok(())
}

/// Deletes sessions past either timeout.
pub fn sweep(c: &Connection, now: i64, idle: i64, absolute: i64) -> rusqlite::Result<usize> {
    c.execute(
        "DELETE FROM operator_sessions WHERE last_seen_at <= ?1 OR created_at <= ?2",
        params![now - idle, now - absolute],
    )
}
