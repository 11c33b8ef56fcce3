//! The SQL of the audit log: one insert, the operators' search (newest first, a page at a
//! time, each filter read through its own index: patient, operator, or time alone) and a
//! patient's own accesses.

use super::{Actor, Entry};
use rusqlite::{Connection, params};

pub fn insert(c: &Connection, at: i64, e: &Entry) -> rusqlite::Result<()> {
    let (operator, token) = match e.actor {
        Actor::Operator(o) => (Some(o), None),
        Actor::Api(t) => (None, Some(t)),
        _ => (None, None),
    };
    c.prepare_cached(
        "INSERT INTO audit_log (at, actor, patient_id, operator_id, api_token_id, document_id, action, detail, ip)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        at,
        e.actor.kind(),
        e.patient,
        operator,
        token,
        e.document,
        e.action,
        e.detail,
        e.ip
    ])?;
    Ok(())
}

/// What the operators' search asks for; every field optional.
#[derive(Debug, Default, Clone)]
pub struct Query {
    pub patient: Option<i64>,
    pub operator: Option<i64>,
    /// "patient", "operator", "api" or "system".
    pub actor: Option<&'static str>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Keyset paging: entries older than this (at, id).
    pub before: Option<(i64, i64)>,
}

#[derive(Debug, Clone)]
pub struct Line {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    /// The operator's username, the API client's name, or the patient's codice fiscale.
    pub who: String,
    pub patient_cf: Option<String>,
    pub patient_name: Option<String>,
    pub document: Option<String>,
    pub action: String,
    pub detail: String,
    pub ip: String,
}

const LINE: &str = "SELECT a.id, a.at, a.actor,
      CASE a.actor WHEN 'operator' THEN o.username WHEN 'api' THEN t.client
                   WHEN 'patient' THEN p.codice_fiscale ELSE 'portale' END,
      p.codice_fiscale, p.given_name || ' ' || p.family_name, d.public_id, a.action, a.detail, a.ip
    FROM audit_log a
    LEFT JOIN operators o ON o.id = a.operator_id
    LEFT JOIN api_tokens t ON t.id = a.api_token_id
    LEFT JOIN patients p ON p.id = a.patient_id
    LEFT JOIN documents d ON d.id = a.document_id";

fn line(r: &rusqlite::Row) -> rusqlite::Result<Line> {
    Ok(Line {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        who: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
        patient_cf: r.get(4)?,
        patient_name: r.get(5)?,
        document: r.get(6)?,
        action: r.get(7)?,
        detail: r.get(8)?,
        ip: r.get(9)?,
    })
}

/// A page of the search, newest first. The query names one index: the patient's, the
/// operator's or the time's, so a search over millions of lines reads only its page.
pub fn search(c: &Connection, q: &Query, limit: i64) -> rusqlite::Result<Vec<Line>> {
    let (from, to, b_at, b_id) = bounds(q);
    c.prepare_cached(&search_sql(q))?
        .query_map(
            params![from, to, b_at, b_id, q.patient, q.operator, q.actor, limit],
            line,
        )?
        .collect()
}

/// ?1..?4 of the search: the time range and the keyset cursor. The cursor also ends the
/// range (`to` ≤ its `at`), so the index is read from the cursor down whatever SQLite
/// makes of the cursor's OR (3.54 derives the same bound from it): a page millions of
/// lines deep never reads the newer lines to skip them (`a_deep_page_reads_only_its_lines`).
fn bounds(q: &Query) -> (i64, i64, i64, i64) {
    let (b_at, b_id) = q.before.unwrap_or((i64::MAX, i64::MAX));
    let (from, to) = (q.from.unwrap_or(0), q.to.unwrap_or(i64::MAX).min(b_at));
    (from, to, b_at, b_id)
}

fn search_sql(q: &Query) -> String {
    let mut wheres = vec![
        "a.at BETWEEN ?1 AND ?2",
        "(a.at < ?3 OR (a.at = ?3 AND a.id < ?4))",
    ];
    // `+ 0` and `|| ''` keep SQLite from parsing again at each binding (see db/mod.rs).
    if q.patient.is_some() {
        wheres.push("a.patient_id = ?5 + 0");
    }
    if q.operator.is_some() {
        wheres.push("a.operator_id = ?6 + 0");
    }
    if q.actor.is_some() {
        wheres.push("a.actor = ?7 || ''");
    }
    let index = if q.patient.is_some() {
        "audit_log_patient"
    } else if q.operator.is_some() {
        "audit_log_operator"
    } else {
        "audit_log_at"
    };
    format!(
        "{LINE} WHERE a.id IN (SELECT a.id FROM audit_log a INDEXED BY {index} WHERE {}
            ORDER BY a.at DESC, a.id DESC LIMIT ?8 + 0)
         ORDER BY a.at DESC, a.id DESC",
        wheres.join(" AND ")
    )
}

/// An access to one of the patient's documents, as the patient sees it.
#[derive(Debug, Clone)]
pub struct Access {
    pub at: i64,
    pub actor: String,
    /// The operator's name, the system's name; empty for the patient.
    pub who: String,
    pub action: String,
    /// The document's title and category; empty when the action was not on a document.
    pub title: String,
    pub category: String,
}

/// Every access to the patient's documents (the patient's own included) and every action
/// of an operator or a hospital system on the patient's data, newest first.
pub fn accesses(
    c: &Connection,
    patient: i64,
    limit: i64,
    offset: i64,
) -> rusqlite::Result<Vec<Access>> {
    c.prepare_cached(
        "SELECT a.at, a.actor,
           CASE a.actor WHEN 'operator' THEN COALESCE(NULLIF(o.display_name, ''), o.username)
                        WHEN 'api' THEN t.client ELSE '' END,
           a.action, COALESCE(d.title, ''), COALESCE(d.category, '')
         FROM audit_log a INDEXED BY audit_log_patient
         LEFT JOIN documents d ON d.id = a.document_id AND d.patient_id = a.patient_id
         LEFT JOIN operators o ON o.id = a.operator_id
         LEFT JOIN api_tokens t ON t.id = a.api_token_id
         WHERE a.patient_id = ?1 + 0 AND (a.document_id IS NOT NULL OR a.actor IN ('operator', 'api'))
         ORDER BY a.at DESC, a.id DESC LIMIT ?2 + 0 OFFSET ?3 + 0",
    )?
    .query_map(params![patient, limit, offset], |r| {
        Ok(Access {
            at: r.get(0)?,
            actor: r.get(1)?,
            who: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            action: r.get(3)?,
            title: r.get(4)?,
            category: r.get(5)?,
        })
    })?
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(c: &Connection, q: &Query) -> String {
        let sql = format!("EXPLAIN QUERY PLAN {}", search_sql(q));
        let mut stmt = c.prepare(&sql).unwrap();
        let b = params![0, 9, 9, 9, q.patient, q.operator, q.actor, 50];
        stmt.query_map(b, |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Virtual-machine steps of one search: how much of the index it read.
    fn steps(c: &Connection, q: &Query, limit: i64) -> (usize, i32) {
        let (from, to, b_at, b_id) = bounds(q);
        let mut stmt = c.prepare(&search_sql(q)).unwrap();
        let b = params![from, to, b_at, b_id, q.patient, q.operator, q.actor, limit];
        let n = stmt.query_map(b, |_| Ok(())).unwrap().count();
        (n, stmt.get_status(rusqlite::StatementStatus::VmStep))
    }

    #[test]
    fn a_deep_page_reads_only_its_lines() {
        let c = crate::db::migrate::memory();
        let p = crate::patients::store::upsert(&c, "RSSMRA80A01A182N", "Mario", "Rossi", None, 1)
            .unwrap();
        for i in 0..4000 {
            insert(
                &c,
                1000 + i / 2,
                &Entry::by(Actor::Patient(p)).action("login"),
            )
            .unwrap();
        }
        // The cursor: the 3,990th line from the newest (two lines a second, ids in order).
        let (at, id) = (1000 + 5, 11);
        for base in [
            Query::default(),
            Query {
                patient: Some(p),
                ..Default::default()
            },
        ] {
            let (n, first) = steps(&c, &base, 5);
            assert_eq!(n, 5);
            let deep = Query {
                before: Some((at, id)),
                ..base.clone()
            };
            let (n, deep) = steps(&c, &deep, 5);
            assert_eq!(n, 5);
            assert!(
                deep < 2 * first,
                "{base:?}: {deep} steps, the first page {first}"
            );
            let lines = search(
                &c,
                &Query {
                    before: Some((at, id)),
                    ..base
                },
                100,
            )
            .unwrap();
            assert_eq!(
                lines.iter().map(|l| l.id).collect::<Vec<_>>(),
                (1..11).rev().collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn search_filters_and_pages_newest_first() {
        let c = crate::db::migrate::memory();
        let p = crate::patients::store::upsert(&c, "RSSMRA80A01A182N", "Mario", "Rossi", None, 1)
            .unwrap();
        let q =
            crate::patients::store::upsert(&c, "BNCGNN85T10A944S", "Giovanni", "Bianchi", None, 1)
                .unwrap();
        c.execute(
            "INSERT INTO operators (id, username, role, password_hash, password_set_at, created_at)
             VALUES (7, 'anna', 'operatore', 'x', 0, 0)",
            [],
        )
        .unwrap();
        for i in 0..30 {
            let who = if i % 3 == 0 {
                Entry::by(Actor::Operator(7)).patient(p)
            } else {
                Entry::by(Actor::Patient(if i % 2 == 0 { p } else { q }))
            };
            insert(&c, 1000 + i, &who.action("login").ip("10.0.0.1")).unwrap();
        }
        let all = search(&c, &Query::default(), 100).unwrap();
        assert_eq!(all.len(), 30);
        assert!(all.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
        let mario = search(
            &c,
            &Query {
                patient: Some(p),
                ..Default::default()
            },
            100,
        )
        .unwrap();
        assert!(
            mario
                .iter()
                .all(|l| l.patient_cf.as_deref() == Some("RSSMRA80A01A182N"))
        );
        let anna = search(
            &c,
            &Query {
                operator: Some(7),
                ..Default::default()
            },
            100,
        )
        .unwrap();
        assert_eq!(anna.len(), 10);
        assert!(
            anna.iter()
                .all(|l| l.who == "anna" && l.actor == "operator")
        );
        let page1 = search(&c, &Query::default(), 12).unwrap();
        let last = page1.last().unwrap();
        let page2 = search(
            &c,
            &Query {
                before: Some((last.at, last.id)),
                ..Default::default()
            },
            100,
        )
        .unwrap();
        assert_eq!(page1.len() + page2.len(), 30);
        assert!(page2.iter().all(|l| l.at < last.at));
        let window = search(
            &c,
            &Query {
                from: Some(1010),
                to: Some(1019),
                ..Default::default()
            },
            100,
        )
        .unwrap();
        assert_eq!(window.len(), 10);
        for q in [
            Query {
                patient: Some(p),
                ..Default::default()
            },
            Query {
                operator: Some(7),
                ..Default::default()
            },
            Query::default(),
        ] {
            let p = plan(&c, &q);
            // The page's ids come in index order; only the page itself (≤ 50 rows) is sorted
            // again once joined.
            assert_eq!(
                p.matches("TEMP B-TREE").count(),
                1,
                "one sort, of the page: {p}"
            );
        }
    }
}
