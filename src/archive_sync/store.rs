//! The sync's state in SQLite: the one `archive_sync` row (cursor and last run) and a row
//! per study seen in `archive_sync_studies` (waiting, published or skipped, and why).

use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashSet;

/// The last run as the `archive_sync` row keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Run {
    pub cursor_date: Option<String>,
    pub last_run_at: Option<i64>,
    pub last_ok_at: Option<i64>,
    pub last_error: Option<String>,
}

pub fn run(c: &Connection) -> rusqlite::Result<Run> {
    Ok(c.query_row(
        "SELECT cursor_date, last_run_at, last_ok_at, last_error FROM archive_sync WHERE id = 1",
        [],
        |r| {
            Ok(Run {
                cursor_date: r.get(0)?,
                last_run_at: r.get(1)?,
                last_ok_at: r.get(2)?,
                last_error: r.get(3)?,
            })
        },
    )
    .optional()?
    .unwrap_or_default())
}

pub fn started(c: &Connection, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO archive_sync (id, last_run_at) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET last_run_at = ?1",
        [now],
    )?;
    Ok(())
}

/// A whole run went through: the cursor moves on (never back).
pub fn finished(c: &Connection, cursor: &str, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO archive_sync (id, cursor_date, last_run_at, last_ok_at) VALUES (1, ?1, ?2, ?2)
         ON CONFLICT (id) DO UPDATE SET last_ok_at = ?2, last_error = NULL,
           cursor_date = max(coalesce(cursor_date, ''), ?1)",
        params![cursor, now],
    )?;
    Ok(())
}

/// `error` is technical only (status, timeouts), never a patient's data.
pub fn failed(c: &Connection, error: &str) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO archive_sync (id, last_error) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET last_error = ?1",
        [error],
    )?;
    Ok(())
}

/// The UIDs among `uids` that already have a row (whatever its state).
pub fn known(c: &Connection, uids: &[String]) -> rusqlite::Result<HashSet<String>> {
    let mut st = c.prepare_cached("SELECT 1 FROM archive_sync_studies WHERE study_uid = ?1")?;
    let mut out = HashSet::new();
    for u in uids {
        if st.exists([u])? {
            out.insert(u.clone());
        }
    }
    Ok(out)
}

/// The state of a study's row, if any.
pub fn state(c: &Connection, uid: &str) -> rusqlite::Result<Option<String>> {
    c.query_row(
        "SELECT state FROM archive_sync_studies WHERE study_uid = ?1",
        [uid],
        |r| r.get(0),
    )
    .optional()
}

/// A study's row as a decision leaves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row<'a> {
    pub uid: &'a str,
    pub state: &'a str,
    pub reason: &'a str,
    pub patient_key: &'a str,
    pub study_at: Option<i64>,
    pub publish_after: Option<i64>,
    pub document_id: Option<i64>,
}

pub fn record(c: &Connection, r: &Row, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO archive_sync_studies
           (study_uid, state, reason, patient_key, study_at, publish_after, document_id, seen_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
         ON CONFLICT (study_uid) DO UPDATE SET state = ?2, reason = ?3, patient_key = ?4,
           study_at = ?5, publish_after = ?6, document_id = ?7, updated_at = ?8",
        params![
            r.uid,
            r.state,
            r.reason,
            r.patient_key,
            r.study_at,
            r.publish_after,
            r.document_id,
            now
        ],
    )?;
    Ok(())
}

/// A waiting study whose time has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub uid: String,
    pub reason: String,
    pub patient_key: String,
}

/// The delay is the config's of now: a changed `delay_hours` applies to waiting studies too.
pub fn apply_delay(c: &Connection, delay_secs: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE archive_sync_studies SET publish_after = study_at + ?1
         WHERE state = 'waiting' AND study_at IS NOT NULL AND publish_after IS NOT study_at + ?1",
        [delay_secs],
    )?;
    Ok(())
}

pub fn due(c: &Connection, now: i64, limit: i64) -> rusqlite::Result<Vec<Due>> {
    let mut st = c.prepare_cached(
        "SELECT study_uid, reason, patient_key FROM archive_sync_studies
         WHERE state = 'waiting' AND publish_after <= ?1 ORDER BY publish_after LIMIT ?2",
    )?;
    st.query_map(params![now, limit], |r| {
        Ok(Due {
            uid: r.get(0)?,
            reason: r.get(1)?,
            patient_key: r.get(2)?,
        })
    })?
    .collect()
}

/// Studies of patients still unknown `before` (unix time of the study) are given up.
pub fn expire(c: &Connection, before: i64, now: i64) -> rusqlite::Result<usize> {
    c.execute(
        "UPDATE archive_sync_studies SET state = 'skipped', updated_at = ?2
         WHERE state = 'waiting' AND reason = 'patient_unknown' AND study_at < ?1",
        params![before, now],
    )
}

/// The patient with this codice fiscale (already upper-cased and trimmed).
pub fn patient(c: &Connection, cf: &str) -> rusqlite::Result<Option<i64>> {
    c.query_row(
        "SELECT id FROM patients WHERE codice_fiscale = ?1",
        [cf],
        |r| r.get(0),
    )
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_never_goes_back_and_delays_follow_the_config() {
        let c = crate::db::migrate::memory();
        assert_eq!(run(&c).unwrap(), Run::default());
        started(&c, 10).unwrap();
        failed(&c, "DICOMweb: risposta 503").unwrap();
        assert_eq!(
            run(&c).unwrap().last_error.as_deref(),
            Some("DICOMweb: risposta 503")
        );
        finished(&c, "20261120", 20).unwrap();
        finished(&c, "20261101", 30).unwrap();
        let r = run(&c).unwrap();
        assert_eq!(r.cursor_date.as_deref(), Some("20261120"));
        assert_eq!((r.last_ok_at, r.last_error), (Some(30), None));
        let row = |uid, reason, at| Row {
            uid,
            state: "waiting",
            reason,
            patient_key: "K",
            study_at: Some(at),
            publish_after: Some(at + 1000),
            document_id: None,
        };
        record(&c, &row("1.1", "delay", 100), 1).unwrap();
        record(&c, &row("1.2", "patient_unknown", 50), 1).unwrap();
        assert!(due(&c, 500, 10).unwrap().is_empty());
        apply_delay(&c, 0).unwrap();
        let uids: Vec<_> = due(&c, 500, 10)
            .unwrap()
            .into_iter()
            .map(|d| d.uid)
            .collect();
        assert_eq!(uids, ["1.2", "1.1"]);
        assert_eq!(expire(&c, 60, 2).unwrap(), 1);
        assert_eq!(state(&c, "1.2").unwrap().as_deref(), Some("skipped"));
        let k = known(&c, &["1.1".into(), "9.9".into()]).unwrap();
        assert!(k.contains("1.1") && !k.contains("9.9"));
    }
}
