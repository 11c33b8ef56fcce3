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
    /// A study (DICOM): its package has the viewer, which the doctor may also view online.
    pub study: bool,
}

/// Why a link no longer opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    Revoked,
    Withdrawn,
    Blocked,
    Expired,
}

impl Share {
    /// Why the link no longer opens, if it does not.
    pub fn closed(&self, now: i64) -> Option<Closed> {
        if self.revoked_at.is_some() {
            Some(Closed::Revoked)
        } else if self.withdrawn {
            Some(Closed::Withdrawn)
        } else if self.blocked_at.is_some() {
            Some(Closed::Blocked)
        } else if now >= self.expires_at {
            Some(Closed::Expired)
        } else {
            None
        }
    }
}

const SELECT: &str =
    "SELECT s.id, s.public_id, s.code_mac, s.patient_id, s.document_id, s.recipient,
    s.created_at, s.expires_at, s.revoked_at, s.failures, s.blocked_at, d.title, d.category,
    p.given_name || ' ' || p.family_name, d.state = 'withdrawn', d.source_kind = 'dicom'
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
        study: r.get(15)?,
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

/// What an access was (`share_accesses.what`).
pub const CODE_OK: &str = "code_ok";
pub const CODE_WRONG: &str = "code_wrong";
pub const BLOCKED: &str = "blocked";
pub const DOWNLOAD: &str = "download";
/// The doctor asked for the study to be prepared (recovered from the archive).
pub const RECOVERY: &str = "recovery";
/// The doctor opened the viewer online.
pub const VIEW: &str = "view";

/// Whether the share has an online viewing recorded since `since`.
pub fn viewed_since(c: &Connection, share: i64, since: i64) -> rusqlite::Result<bool> {
    c.query_row(
        "SELECT EXISTS (SELECT 1 FROM share_accesses WHERE share_id = ?1 AND what = 'view' AND at >= ?2)",
        params![share, since],
        |r| r.get(0),
    )
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::migrate;

    /// The schema up to step `n`.
    fn upto(n: u32) -> String {
        migrate::steps(migrate::SCHEMA)
            .into_iter()
            .filter(|(k, _)| *k <= n)
            .map(|(k, sql)| format!("-- step {k}\n{sql}"))
            .collect()
    }

    #[test]
    fn step_11_names_the_preparations_recorded_as_downloads_and_takes_views() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate::upgrade(&mut c, None, &upto(10)).unwrap();
        // The patient as step 10 knew it (today's store writes columns of later steps).
        let p: i64 = c
            .query_row(
                "INSERT INTO patients (codice_fiscale, given_name, family_name, created_at)
                 VALUES ('RSSMRA80A01H501U', 'Mario', 'Rossi', 0) RETURNING id",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let d = crate::documents::store::NewDocument {
            patient_id: p,
            category: "Immagini",
            title: "TC",
            exchanged_at: 0,
            source_kind: "dicom",
            source_ref: "1.2.3",
            price_cents: 0,
        };
        crate::documents::store::insert(&c, &d, 0).unwrap();
        let new = New {
            public_id: "abc",
            token_hash: b"h",
            code_mac: "m",
            patient_id: p,
            document_id: 1,
            recipient: "",
            expires_at: 1000,
        };
        let share = insert(&c, &new, 0).unwrap();
        // Before step 11: "prepara" wrote a download row, and its audit row said share_recovery.
        for (at, action) in [(100, "share_recovery"), (200, "share_download")] {
            access(&c, share, at, "10.0.0.1", DOWNLOAD).unwrap();
            c.execute(
                "INSERT INTO audit_log (at, patient_id, action, detail, ip) VALUES (?1, ?2, ?3, 'share abc', '10.0.0.1')",
                params![at, p, action],
            )
            .unwrap();
        }
        assert!(access(&c, share, 300, "10.0.0.1", VIEW).is_err());
        migrate::upgrade(&mut c, None, migrate::SCHEMA).unwrap();
        let got: Vec<(i64, String)> = accesses(&c, share)
            .unwrap()
            .into_iter()
            .map(|(at, _, what)| (at, what))
            .collect();
        assert_eq!(
            got,
            vec![(200, DOWNLOAD.to_string()), (100, RECOVERY.to_string())]
        );
        access(&c, share, 300, "10.0.0.1", VIEW).unwrap();
        assert!(viewed_since(&c, share, 300).unwrap());
        assert!(!viewed_since(&c, share, 301).unwrap());
        assert!(access(&c, share, 400, "10.0.0.1", "other").is_err());
        // A recovery's language: Italian unless the request said otherwise.
        crate::recovery::store::request(&c, 1, crate::i18n::Lang::En, 500).unwrap();
        let lang: String = c
            .query_row("SELECT lang FROM recoveries", [], |r| r.get(0))
            .unwrap();
        assert_eq!(lang, "en");
    }
}
