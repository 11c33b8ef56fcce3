//! Queries on documents; every one is scoped by the patient.

use super::filter::Filter;
use crate::recovery::Status;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct DocRow {
    pub id: i64,
    pub public_id: String,
    pub category: String,
    pub title: String,
    pub exchanged_at: i64,
    pub price_cents: i64,
    pub hidden: bool,
    pub status: Status,
    /// Priced and bought: in a completed order of this patient.
    pub purchased: bool,
}

impl DocRow {
    /// Priced and not (yet) bought: only the "Documenti" page can sell it.
    pub fn locked(&self) -> bool {
        self.price_cents > 0 && !self.purchased
    }
}

const SELECT: &str =
    "SELECT d.id, d.public_id, d.category, d.title, d.exchanged_at, d.price_cents, d.hidden_at,
        r.state, r.error, r.file_size, r.expires_at,
        d.price_cents > 0 AND EXISTS (SELECT 1 FROM order_items i JOIN orders o ON o.id = i.order_id
          WHERE i.document_id = d.id AND o.patient_id = d.patient_id AND o.state = 'completed')
     FROM documents d LEFT JOIN recoveries r ON r.document_id = d.id";

fn row(r: &Row, now: i64) -> rusqlite::Result<DocRow> {
    Ok(DocRow {
        id: r.get(0)?,
        public_id: r.get(1)?,
        category: r.get(2)?,
        title: r.get(3)?,
        exchanged_at: r.get(4)?,
        price_cents: r.get(5)?,
        hidden: r.get::<_, Option<i64>>(6)?.is_some(),
        status: Status::from_parts(r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, now),
        purchased: r.get(11)?,
    })
}

/// The first day still listed online (the Garante's 45 days, configurable).
pub fn first_online_day(today: Date, online_days: i64) -> Date {
    today
        .checked_sub(jiff::Span::new().days(online_days))
        .unwrap_or(today)
}

pub struct Page {
    pub rows: Vec<DocRow>,
    pub more: bool,
}

/// One page of the patient's documents in the filter, newest first.
pub fn list(
    c: &Connection,
    patient: i64,
    f: &Filter,
    min_day: Date,
    page: i64,
    size: i64,
    now: i64,
) -> rusqlite::Result<Page> {
    let from = f.from.max(min_day);
    let mut stmt = c.prepare_cached(&list_sql(f.category.is_some()))?;
    let mut rows = stmt
        .query_map(
            params![
                patient,
                from.to_string(),
                f.to.to_string(),
                f.category,
                f.hidden,
                size + 1,
                page * size
            ],
            |r| row(r, now),
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let more = rows.len() as i64 > size;
    rows.truncate(size as usize);
    Ok(Page { rows, more })
}

/// The list's query. With a category it names the column outright (`?4 IS NULL OR …` would
/// keep SQLite from using an index on it), so the `documents_patient_category` index reads
/// just that category's rows in page order instead of every row of the range. Parameters
/// the planner could look at (a bare `?` beside an indexed column, `LIMIT ?`) are wrapped
/// (`?1 + 0`, `CAST(?4 AS TEXT)`): SQLite would otherwise parse the statement again at
/// each new binding (see `db::tests::the_lists_are_prepared_once`).
fn list_sql(by_category: bool) -> String {
    let category = if by_category {
        "d.category = CAST(?4 AS TEXT)"
    } else {
        "?4 IS NULL"
    };
    format!(
        "{SELECT} WHERE d.patient_id = ?1 + 0 AND d.exchange_day BETWEEN ?2 AND ?3
           AND {category} AND (?5 OR d.hidden_at IS NULL) AND d.state != 'withdrawn'
         ORDER BY d.exchange_day DESC, d.exchanged_at DESC, d.id DESC LIMIT ?6 + 0 OFFSET ?7 + 0"
    )
}

/// A document of this patient that is still online, by its public id; a bought copy stays
/// reachable past the online days (the patient paid for it).
pub fn get(
    c: &Connection,
    patient: i64,
    public_id: &str,
    min_day: Date,
    now: i64,
) -> rusqlite::Result<Option<DocRow>> {
    let sql = format!(
        "{SELECT} WHERE d.patient_id = ?1 AND d.public_id = ?2 AND d.state != 'withdrawn'
           AND (d.exchange_day >= ?3 OR EXISTS (SELECT 1 FROM order_items i JOIN orders o ON o.id = i.order_id
             WHERE i.document_id = d.id AND o.patient_id = d.patient_id AND o.state = 'completed'))"
    );
    c.query_row(
        &sql,
        params![patient, public_id, min_day.to_string()],
        |r| row(r, now),
    )
    .optional()
}

pub fn set_hidden(
    c: &Connection,
    patient: i64,
    id: i64,
    hidden: bool,
    now: i64,
) -> rusqlite::Result<usize> {
    c.execute(
        "UPDATE documents SET hidden_at = ?3 WHERE id = ?2 AND patient_id = ?1",
        params![patient, id, hidden.then_some(now)],
    )
}

pub struct NewDocument<'a> {
    pub patient_id: i64,
    pub category: &'a str,
    pub title: &'a str,
    pub exchanged_at: i64,
    pub source_kind: &'a str,
    pub source_ref: &'a str,
    pub price_cents: i64,
}

/// Adds a document (demo, tests, and later the ingest API); returns its public id.
pub fn insert(c: &Connection, d: &NewDocument, now: i64) -> rusqlite::Result<String> {
    let public_id = crate::crypto::hex(&crate::crypto::random_bytes::<16>());
    let day = jiff::Timestamp::from_second(d.exchanged_at)
        .map(|t| {
            t.to_zoned(crate::ui::time::rome().clone())
                .date()
                .to_string()
        })
        .unwrap_or_default();
    c.execute(
        "INSERT INTO documents (public_id, patient_id, category, title, exchanged_at, exchange_day, published_at,
           source_kind, source_ref, price_cents, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?7)",
        params![public_id, d.patient_id, d.category, d.title, d.exchanged_at, day, now, d.source_kind, d.source_ref, d.price_cents],
    )?;
    Ok(public_id)
}

/// A document of the Dashboard's "Nuovi Documenti".
pub struct NewDoc {
    pub title: String,
    pub category: String,
    pub price_cents: i64,
    pub published_at: i64,
}

/// The newest documents published since `since` (up to `limit`) and how many there are
/// ("Nuovi Documenti" of the Dashboard).
pub fn new_documents(
    c: &Connection,
    patient: i64,
    since: i64,
    limit: i64,
) -> rusqlite::Result<(Vec<NewDoc>, i64)> {
    let total: i64 = c
        .prepare_cached(
            "SELECT count(*) FROM documents WHERE patient_id = ?1 AND published_at >= ?2 AND state != 'withdrawn'",
        )?
        .query_row(params![patient, since], |r| r.get(0))?;
    let docs = c
        .prepare_cached(
            "SELECT title, category, price_cents, published_at FROM documents
             WHERE patient_id = ?1 + 0 AND published_at >= ?2 AND state != 'withdrawn'
             ORDER BY published_at DESC, id DESC LIMIT ?3 + 0",
        )?
        .query_map(params![patient, since, limit], |r| {
            Ok(NewDoc {
                title: r.get(0)?,
                category: r.get(1)?,
                price_cents: r.get(2)?,
                published_at: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((docs, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(c: &Connection, by_category: bool) -> String {
        let sql = format!("EXPLAIN QUERY PLAN {}", list_sql(by_category));
        let mut stmt = c.prepare(&sql).unwrap();
        stmt.query_map(
            params![1, "2026-01-01", "2026-02-14", "Referto", false, 21, 0],
            |r| r.get::<_, String>(3),
        )
        .unwrap()
        .map(Result::unwrap)
        .collect::<Vec<_>>()
        .join("; ")
    }

    #[test]
    fn a_page_reads_its_rows_in_index_order_with_or_without_a_category() {
        let c = crate::db::migrate::memory();
        let all = plan(&c, false);
        assert!(all.contains("USING INDEX documents_patient_order"), "{all}");
        let one = plan(&c, true);
        assert!(
            one.contains("USING INDEX documents_patient_category"),
            "{one}"
        );
        for p in [&all, &one] {
            assert!(
                !p.contains("TEMP B-TREE"),
                "no sort of the whole range: {p}"
            );
        }
    }
}
