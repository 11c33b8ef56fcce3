//! Shares in SQLite: every query the patient makes is scoped by the patient; the doctor's
//! reach a share only by the hash of its link's token.

use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct Share {
    pub id: i64,
    pub public_id: String,
    pub code_mac: String,
    pub patient_id: i64,
    pub document_id: i64,
    pub recipient: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub failures: i64,
    pub blocked_at: Option<i64>,
    /// The document's title and category, for the pages.
    pub title: String,
    pub category: String,
    /// The patient's name, as the doctor sees who shared it.
    pub patient_name: String,
    /// Withdrawn by the ASL since: no longer given.
    pub withdrawn: bool,
}

impl Share {
    /// Why the link no longer opens, if it does not.
    pub fn closed(&self, now: i64) -> Option<&'static str> {
        if self.revoked_at.is_some() {
            Some("revocato")
        } else if self.withdrawn {
            Some("ritirato")
        } else if self.blocked_at.is_some() {
            Some("bloccato")
        } else if now >= self.expires_at {
            Some("scaduto")
        } else {
            None
        }
    }
}

const SELECT: &str =
    "SELECT s.id, s.public_id, s.code_mac, s.patient_id, s.document_id, s.recipient,
    s.created_at, s.expires_at, s.revoked_at, s.failures, s.blocked_at, d.title, d.category,
    p.given_name || ' ' || p.family_name, d.state = 'withdrawn'
    FROM shares s JOIN documents d ON d.id = s.document_id JOIN patients p ON p.id = s.patient_id";

fn share(r: &Row) -> rusqlite::Result<Share> {
    Ok(Share {
        id: r.get(0)?,
        public_id: r.get(1)?,
        code_mac: r.get(2)?,
        patient_id: r.get(3)?,
        document_id: r.get(4)?,
        recipient: r.get(5)?,
        created_at: r.get(6)?,
        expires_at: r.get(7)?,
        revoked_at: r.get(8)?,
        failures: r.get(9)?,
        blocked_at: r.get(10)?,
        title: r.get(11)?,
        category: r.get(12)?,
        patient_name: r.get(13)?,
        withdrawn: r.get(14)?,
    })
}

pub struct New<'a> {
    pub public_id: &'a str,
    pub token_hash: &'a [u8],
    pub code_mac: &'a str,
    pub patient_id: i64,
    pub document_id: i64,
    pub recipient: &'a str,
    pub expires_at: i64,
}

pub fn insert(c: &Connection, s: &New, now: i64) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO shares (public_id, token_hash, code_mac, patient_id, document_id, recipient, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![s.public_id, s.token_hash, s.code_mac, s.patient_id, s.document_id, s.recipient, now, s.expires_at],
    )?;
    Ok(c.last_insert_rowid())
}

pub fn by_token(c: &Connection, token_hash: &[u8]) -> rusqlite::Result<Option<Share>> {
    c.query_row(
        &format!("{SELECT} WHERE s.token_hash = ?1"),
        [token_hash],
        share,
    )
    .optional()
}

/// The patient's shares, newest first (at most `limit`).
pub fn of_patient(c: &Connection, patient: i64, limit: i64) -> rusqlite::Result<Vec<Share>> {
    c.prepare(&format!(
        "{SELECT} WHERE s.patient_id = ?1 ORDER BY s.created_at DESC, s.id DESC LIMIT ?2"
    ))?
    .query_map(params![patient, limit], share)?
    .collect()
}

/// One access to a share: (time, IP, what).
pub type Access = (i64, String, String);

pub fn accesses(c: &Connection, share: i64) -> rusqlite::Result<Vec<Access>> {
    c.prepare("SELECT at, ip, what FROM share_accesses WHERE share_id = ?1 ORDER BY at DESC, id DESC LIMIT 50")?
        .query_map([share], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect()
}

pub fn access(c: &Connection, share: i64, now: i64, ip: &str, what: &str) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO share_accesses (share_id, at, ip, what) VALUES (?1, ?2, ?3, ?4)",
        params![share, now, ip, what],
    )?;
    Ok(())
}

/// Whether the link still opens, read inside the transaction that counts an attempt (so
/// that concurrent attempts cannot all pass a check made before any of them is counted).
pub fn still_open(c: &Connection, share: i64, now: i64) -> rusqlite::Result<bool> {
    c.query_row(
        "SELECT s.revoked_at IS NULL AND s.blocked_at IS NULL AND s.expires_at > ?2 AND d.state != 'withdrawn'
         FROM shares s JOIN documents d ON d.id = s.document_id WHERE s.id = ?1",
        params![share, now],
        |r| r.get(0),
    )
}

/// A wrong code: the failures after it, and whether this one blocked the link.
pub fn wrong_code(c: &Connection, share: i64, max: i64, now: i64) -> rusqlite::Result<(i64, bool)> {
    let failures: i64 = c.query_row(
        "UPDATE shares SET failures = failures + 1 WHERE id = ?1 RETURNING failures",
        [share],
        |r| r.get(0),
    )?;
    let blocked = failures >= max
        && c.execute(
            "UPDATE shares SET blocked_at = ?2 WHERE id = ?1 AND blocked_at IS NULL",
            params![share, now],
        )? > 0;
    Ok((failures, blocked))
}

/// Revokes one of the patient's shares (false: not theirs, or already closed).
pub fn revoke(
    c: &Connection,
    patient: i64,
    public_id: &str,
    now: i64,
) -> rusqlite::Result<Option<i64>> {
    c.query_row(
        "UPDATE shares SET revoked_at = ?3 WHERE patient_id = ?1 AND public_id = ?2 AND revoked_at IS NULL RETURNING id",
        params![patient, public_id, now],
        |r| r.get(0),
    )
    .optional()
}

/// The patient's shares still open, newest first, for the Dashboard.
pub fn open_of_patient(
    c: &Connection,
    patient: i64,
    now: i64,
    limit: i64,
) -> rusqlite::Result<Vec<Share>> {
    c.prepare(&format!(
        "{SELECT} WHERE s.patient_id = ?1 AND s.revoked_at IS NULL AND s.blocked_at IS NULL
           AND s.expires_at > ?2 AND d.state != 'withdrawn'
         ORDER BY s.created_at DESC, s.id DESC LIMIT ?3"
    ))?
    .query_map(params![patient, now, limit], share)?
    .collect()
}

/// The recovery of a document as the doctor's page needs it: "queued", "running",
/// "ready" (and unexpired), "failed", or None.
pub fn recovery_state(c: &Connection, doc: i64, now: i64) -> rusqlite::Result<Option<String>> {
    c.query_row(
        "SELECT CASE WHEN state = 'ready' AND expires_at <= ?2 THEN NULL ELSE state END
         FROM recoveries WHERE document_id = ?1",
        params![doc, now],
        |r| r.get(0),
    )
    .optional()
    .map(Option::flatten)
}
