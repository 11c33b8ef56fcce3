//! Recovery jobs in SQLite. A document has at most one row; the state moves
//! queued → running → ready | failed, and a ready row past its expiry is swept.

use crate::i18n::Lang;
use rusqlite::{Connection, OptionalExtension, params};

/// Queues a recovery unless one is queued, running or ready and unexpired: two clicks
/// or two tabs start one job. Returns true when a job was queued now. `lang` is the
/// language of the person asking: the package's viewer speaks it.
pub fn request(c: &Connection, doc: i64, lang: Lang, now: i64) -> rusqlite::Result<bool> {
    let n = c.execute(
        "INSERT INTO recoveries (document_id, state, requested_at, lang) VALUES (?1, 'queued', ?2, ?3)
         ON CONFLICT (document_id) DO UPDATE SET state = 'queued', requested_at = ?2, started_at = NULL,
           finished_at = NULL, error = NULL, file_path = NULL, file_name = NULL, file_size = NULL,
           file_sha256 = NULL, expires_at = NULL, lang = ?3
         WHERE state = 'failed' OR (state = 'ready' AND expires_at <= ?2)",
        params![doc, now, lang.code()],
    )?;
    Ok(n > 0)
}

pub struct Claimed {
    pub document_id: i64,
    pub attempts: i64,
}

/// Takes the oldest queued job.
pub fn claim(c: &Connection, now: i64) -> rusqlite::Result<Option<Claimed>> {
    c.query_row(
        "UPDATE recoveries SET state = 'running', started_at = ?1, attempts = attempts + 1
         WHERE document_id = (SELECT document_id FROM recoveries WHERE state = 'queued' ORDER BY requested_at LIMIT 1)
         RETURNING document_id, attempts",
        [now],
        |r| Ok(Claimed { document_id: r.get(0)?, attempts: r.get(1)? }),
    )
    .optional()
}

/// After a crash or restart, jobs left running start again.
pub fn resume(c: &Connection) -> rusqlite::Result<usize> {
    c.execute(
        "UPDATE recoveries SET state = 'queued' WHERE state = 'running'",
        [],
    )
}

pub struct Ready<'a> {
    pub path: &'a str,
    pub name: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub expires_at: i64,
}

pub fn finish(c: &Connection, doc: i64, r: &Ready, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE recoveries SET state = 'ready', finished_at = ?2, file_path = ?3, file_name = ?4, file_size = ?5,
           file_sha256 = ?6, expires_at = ?7, error = NULL WHERE document_id = ?1",
        params![doc, now, r.path, r.name, r.size, r.sha256, r.expires_at],
    )?;
    Ok(())
}

pub fn fail(c: &Connection, doc: i64, reason: &str, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE recoveries SET state = 'failed', finished_at = ?2, error = ?3 WHERE document_id = ?1",
        params![doc, now, reason],
    )?;
    Ok(())
}

/// The document's source for a worker: (kind, reference, title, patient given and family
/// name, exchanged_at) and the language of the request that queued it.
pub struct Job {
    pub source_kind: String,
    pub source_ref: String,
    pub title: String,
    pub given_name: String,
    pub family_name: String,
    pub exchanged_at: i64,
    pub lang: Lang,
}

pub fn job(c: &Connection, doc: i64) -> rusqlite::Result<Job> {
    c.query_row(
        "SELECT d.source_kind, d.source_ref, d.title, p.given_name, p.family_name, d.exchanged_at,
           (SELECT r.lang FROM recoveries r WHERE r.document_id = d.id)
         FROM documents d JOIN patients p ON p.id = d.patient_id WHERE d.id = ?1",
        [doc],
        |r| {
            Ok(Job {
                source_kind: r.get(0)?,
                source_ref: r.get(1)?,
                title: r.get(2)?,
                given_name: r.get(3)?,
                family_name: r.get(4)?,
                exchanged_at: r.get(5)?,
                lang: r
                    .get::<_, Option<String>>(6)?
                    .and_then(|l| Lang::parse(&l))
                    .unwrap_or_default(),
            })
        },
    )
}

pub struct ReadyFile {
    pub path: String,
    pub name: String,
    pub size: i64,
    pub sha256: String,
}

/// The cached file of a document, when ready and unexpired.
pub fn ready_file(c: &Connection, doc: i64, now: i64) -> rusqlite::Result<Option<ReadyFile>> {
    c.query_row(
        "SELECT file_path, file_name, file_size, file_sha256 FROM recoveries
         WHERE document_id = ?1 AND state = 'ready' AND expires_at > ?2",
        params![doc, now],
        |r| {
            Ok(ReadyFile {
                path: r.get(0)?,
                name: r.get(1)?,
                size: r.get(2)?,
                sha256: r.get(3)?,
            })
        },
    )
    .optional()
}

/// Ready files past their expiry: (document id, path). The rows are removed by `forget`
/// once the file is deleted, so the document is "Da recuperare" again.
pub fn expired(c: &Connection, now: i64) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut stmt = c.prepare(
        "SELECT document_id, file_path FROM recoveries WHERE state = 'ready' AND expires_at <= ?1 AND file_path IS NOT NULL",
    )?;
    let rows = stmt.query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

pub fn forget(c: &Connection, doc: i64, now: i64) -> rusqlite::Result<usize> {
    c.execute(
        "DELETE FROM recoveries WHERE document_id = ?1 AND state = 'ready' AND expires_at <= ?2",
        params![doc, now],
    )
}

/// Every file the DB still points at (the sweeper deletes the others).
/// A ready file that vanished from the cache: the document is to recover again.
pub fn lost(c: &Connection, doc: i64) -> rusqlite::Result<()> {
    c.execute("DELETE FROM recoveries WHERE document_id = ?1", [doc])?;
    Ok(())
}

pub fn live_files(c: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = c.prepare("SELECT file_path FROM recoveries WHERE file_path IS NOT NULL")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let c = crate::db::migrate::memory();
        let p = crate::patients::store::upsert(&c, "RSSMRA80A01H501U", "Mario", "Rossi", None, 0)
            .unwrap();
        let d = crate::documents::store::NewDocument {
            patient_id: p,
            category: "Referto",
            title: "RX",
            exchanged_at: 0,
            source_kind: "pdf",
            source_ref: "a.pdf",
            price_cents: 0,
        };
        crate::documents::store::insert(&c, &d, 0).unwrap();
        c
    }

    #[test]
    fn one_job_per_document_and_retry_after_failure_or_expiry() {
        let c = db();
        assert!(request(&c, 1, Lang::It, 10).unwrap());
        assert!(
            !request(&c, 1, Lang::En, 11).unwrap(),
            "second click: no new job"
        );
        assert_eq!(job(&c, 1).unwrap().lang, Lang::It, "the first request's");
        let j = claim(&c, 12).unwrap().unwrap();
        assert_eq!((j.document_id, j.attempts), (1, 1));
        assert!(claim(&c, 12).unwrap().is_none());
        assert!(
            !request(&c, 1, Lang::It, 13).unwrap(),
            "running: no new job"
        );
        fail(&c, 1, "archivio non raggiungibile", 14).unwrap();
        assert!(
            request(&c, 1, Lang::En, 15).unwrap(),
            "Riprova queues again"
        );
        assert_eq!(job(&c, 1).unwrap().lang, Lang::En, "the retry's language");
        claim(&c, 16).unwrap().unwrap();
        let r = Ready {
            path: "/x.zip",
            name: "x.zip",
            size: 5,
            sha256: "ab",
            expires_at: 100,
        };
        finish(&c, 1, &r, 17).unwrap();
        assert!(
            !request(&c, 1, Lang::It, 50).unwrap(),
            "ready and unexpired"
        );
        assert_eq!(expired(&c, 100).unwrap(), vec![(1, "/x.zip".to_string())]);
        assert!(
            request(&c, 1, Lang::It, 101).unwrap(),
            "expired: recover again"
        );
    }

    #[test]
    fn running_jobs_resume_after_restart() {
        let c = db();
        request(&c, 1, Lang::It, 10).unwrap();
        claim(&c, 11).unwrap().unwrap();
        assert_eq!(resume(&c).unwrap(), 1);
        assert_eq!(claim(&c, 12).unwrap().unwrap().attempts, 2);
    }
}
