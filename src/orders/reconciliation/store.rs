//! The SQL of the reconciliation: its runs (`reconciliations`) and the orders a run asks
//! the provider about, a keyset page at a time.

use super::{Summary, Trigger};
use crate::orders::state::State;
use crate::payments::provider::Position;
use rusqlite::{Connection, OptionalExtension, Row, params};

pub fn insert(c: &Connection, trigger: Trigger, days: i64, now: i64) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO reconciliations (started_at, trigger, days) VALUES (?1, ?2, ?3)",
        params![now, trigger.as_str(), days],
    )?;
    Ok(c.last_insert_rowid())
}

pub fn finish(c: &Connection, s: &Summary, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE reconciliations SET finished_at = ?2, checked = ?3, unchanged = ?4, changed = ?5,
           errors = ?6, flagged = ?7, report = ?8 WHERE id = ?1",
        params![
            s.id,
            now,
            s.checked,
            s.unchanged,
            s.changed,
            s.errors,
            s.flagged,
            s.lines.join("\n")
        ],
    )?;
    Ok(())
}

/// When the last daily run started (what the schedule decides from).
pub fn last_daily(c: &Connection) -> rusqlite::Result<Option<i64>> {
    c.query_row(
        "SELECT max(started_at) FROM reconciliations WHERE trigger = 'daily'",
        [],
        |r| r.get(0),
    )
}

/// A run as the back office shows it.
#[derive(Debug, Clone)]
pub struct Run {
    pub id: i64,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub trigger: String,
    pub days: i64,
    pub checked: i64,
    pub unchanged: i64,
    pub changed: i64,
    pub errors: i64,
    pub flagged: i64,
    /// Empty in the list.
    pub report: String,
}

fn run(r: &Row) -> rusqlite::Result<Run> {
    Ok(Run {
        id: r.get(0)?,
        started_at: r.get(1)?,
        finished_at: r.get(2)?,
        trigger: r.get(3)?,
        days: r.get(4)?,
        checked: r.get(5)?,
        unchanged: r.get(6)?,
        changed: r.get(7)?,
        errors: r.get(8)?,
        flagged: r.get(9)?,
        report: r.get(10)?,
    })
}

const COLUMNS: &str =
    "id, started_at, finished_at, trigger, days, checked, unchanged, changed, errors, flagged";

/// The runs, newest first, older than `before` (`started_at`, `id`) when given.
pub fn list(c: &Connection, before: Option<(i64, i64)>, limit: i64) -> rusqlite::Result<Vec<Run>> {
    let (at, id) = before.unwrap_or((i64::MAX, i64::MAX));
    c.prepare_cached(&format!(
        "SELECT {COLUMNS}, '' FROM reconciliations WHERE (started_at, id) < (?1, ?2)
         ORDER BY started_at DESC, id DESC LIMIT ?3"
    ))?
    .query_map(params![at, id, limit], run)?
    .collect()
}

pub fn get(c: &Connection, id: i64) -> rusqlite::Result<Option<Run>> {
    c.query_row(
        &format!("SELECT {COLUMNS}, report FROM reconciliations WHERE id = ?1"),
        [id],
        run,
    )
    .optional()
}

/// An order a run asks the provider about.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: i64,
    /// The public 32-hex number: what the report names it by.
    pub number: String,
    pub state: State,
    pub created_at: i64,
    pub notice_number: String,
    pub iuv: String,
    pub provider_ref: String,
}

impl Candidate {
    pub fn position(&self) -> Position {
        Position {
            notice_number: self.notice_number.clone(),
            iuv: self.iuv.clone(),
            provider_ref: self.provider_ref.clone(),
        }
    }
}

/// Orders created from `since` on, after the keyset `after` (`created_at`, `id`), that may
/// disagree with the provider: every one with a notice that is pending, failed, cancelled
/// or expired, completed without a receipt, or a draft whose Conferma was left before
/// `resumable` (one in progress is the request's own business).
pub fn candidates(
    c: &Connection,
    since: i64,
    after: (i64, i64),
    resumable: i64,
    limit: i64,
) -> rusqlite::Result<Vec<Candidate>> {
    c.prepare_cached(
        "SELECT id, number, state, created_at, notice_number, iuv, coalesce(provider_ref, '')
         FROM orders
         WHERE created_at >= ?1 AND (created_at, id) > (?2, ?3)
           AND notice_number IS NOT NULL AND iuv IS NOT NULL
           AND (state IN ('pending', 'failed', 'cancelled', 'expired')
                OR (state = 'completed' AND receipt IS NULL)
                OR (state = 'draft' AND updated_at <= ?4))
         ORDER BY created_at, id LIMIT ?5",
    )?
    .query_map(params![since, after.0, after.1, resumable, limit], |r| {
        Ok(Candidate {
            id: r.get(0)?,
            number: r.get(1)?,
            state: State::parse(&r.get::<_, String>(2)?),
            created_at: r.get(3)?,
            notice_number: r.get(4)?,
            iuv: r.get(5)?,
            provider_ref: r.get(6)?,
        })
    })?
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An order of patient 1 in `state`, created at `at`, with a notice unless `None`.
    fn order(c: &Connection, state: &str, at: i64, notice: Option<&str>, receipt: Option<&str>) {
        c.execute(
            "INSERT INTO orders (number, patient_id, state, total_cents, causale, provider, provider_name, payee,
               created_at, updated_at, notice_number, iuv, receipt)
             VALUES (lower(hex(randomblob(16))), 1, ?1, 2200, 'c', 'sandbox', 'p', 'e', ?2, ?2, ?3, ?3, ?4)",
            params![state, at, notice, receipt],
        )
        .unwrap();
    }

    #[test]
    fn candidates_come_a_keyset_page_at_a_time_and_only_those_that_may_disagree() {
        let c = crate::db::migrate::memory();
        c.execute(
            "INSERT INTO patients (id, codice_fiscale, given_name, family_name, created_at)
             VALUES (1, 'RSSMRA80A01A182N', 'Mario', 'Rossi', 0)",
            [],
        )
        .unwrap();
        let n = |i: i64| Some(format!("3010000000000{i:04}"));
        // Taken: five of them, in creation order.
        order(&c, "pending", 1000, n(1).as_deref(), None);
        order(&c, "failed", 1001, n(2).as_deref(), None);
        order(&c, "completed", 1002, n(3).as_deref(), None);
        order(&c, "cancelled", 1002, n(4).as_deref(), None);
        order(&c, "draft", 1003, n(5).as_deref(), None);
        // Left: too old, final and complete, closed without a notice, a draft without one,
        // a draft whose Conferma is in progress (updated after `resumable`).
        order(&c, "pending", 999, n(6).as_deref(), None);
        order(
            &c,
            "completed",
            1004,
            n(7).as_deref(),
            Some("IUR X · PSP Y"),
        );
        order(&c, "cancelled", 1004, None, None);
        order(&c, "draft", 1004, None, None);
        order(&c, "draft", 5000, n(8).as_deref(), None);
        let mut seen = Vec::new();
        let mut after = (1000, 0);
        loop {
            let page = candidates(&c, 1000, after, 4000, 2).unwrap();
            assert!(page.len() <= 2);
            seen.extend(page.iter().map(|o| (o.state, o.created_at)));
            match page.last() {
                Some(l) if page.len() == 2 => after = (l.created_at, l.id),
                _ => break,
            }
        }
        assert_eq!(
            seen,
            [
                (State::Pending, 1000),
                (State::Failed, 1001),
                (State::Completed, 1002),
                (State::Cancelled, 1002),
                (State::Draft, 1003),
            ]
        );
    }

    #[test]
    fn runs_newest_first_and_the_last_daily_one() {
        let c = crate::db::migrate::memory();
        assert_eq!(last_daily(&c).unwrap(), None);
        let a = insert(&c, Trigger::Daily, 7, 100).unwrap();
        let b = insert(&c, Trigger::Cli, 3, 200).unwrap();
        insert(&c, Trigger::Daily, 7, 300).unwrap();
        assert_eq!(last_daily(&c).unwrap(), Some(300));
        let s = Summary {
            id: b,
            days: 3,
            checked: 2,
            changed: 1,
            unchanged: 1,
            lines: vec!["uno".into(), "due".into()],
            ..Summary::default()
        };
        finish(&c, &s, 250).unwrap();
        let all = list(&c, None, 10).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[1].id, b);
        assert_eq!((all[1].finished_at, all[1].checked), (Some(250), 2));
        let older = list(&c, Some((all[1].started_at, all[1].id)), 10).unwrap();
        assert_eq!(older.iter().map(|r| r.id).collect::<Vec<_>>(), [a]);
        assert_eq!(get(&c, b).unwrap().unwrap().report, "uno\ndue");
    }
}
