//! The back office's SQL on orders: every patient's, filtered, newest first; one order with
//! its positions and events; the operator's handling of a flagged order. The order's
//! states and moves stay `orders::state`'s.

use crate::orders::state::State;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

/// Which orders by their flag (`orders.flag`: a provider event the portal could not apply).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Flagged {
    #[default]
    Any,
    /// Flagged and not yet handled (what the home page counts).
    Open,
    /// Flagged, handled or not.
    All,
}

#[derive(Debug, Default, Clone)]
pub struct Query {
    pub state: Option<State>,
    pub flagged: Flagged,
    pub patient: Option<i64>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Keyset paging: rows older than `(created_at, id)`.
    pub before: Option<(i64, i64)>,
}

/// An order as the list and the CSV show it.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: i64,
    pub number: String,
    pub state: State,
    pub total_cents: i64,
    pub vat_cents: i64,
    pub created_at: i64,
    pub notice_number: Option<String>,
    pub iuv: Option<String>,
    pub provider_ref: Option<String>,
    pub paid_at: Option<i64>,
    pub receipt: Option<String>,
    pub flag: Option<String>,
    pub flag_state: Option<String>,
    pub flag_note: Option<String>,
    pub patient_id: i64,
    pub cf: String,
    pub name: String,
    pub items: i64,
}

const COLUMNS: &str = "o.id, o.number, o.state, o.total_cents, o.vat_cents, o.created_at,
    o.notice_number, o.iuv, o.provider_ref, o.paid_at, o.receipt, o.flag, o.flag_state, o.flag_note,
    o.patient_id, p.codice_fiscale, p.family_name || ' ' || p.given_name,
    (SELECT count(*) FROM order_items i WHERE i.order_id = o.id)";

fn row(r: &rusqlite::Row) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        number: r.get(1)?,
        state: State::parse(&r.get::<_, String>(2)?),
        total_cents: r.get(3)?,
        vat_cents: r.get(4)?,
        created_at: r.get(5)?,
        notice_number: r.get(6)?,
        iuv: r.get(7)?,
        provider_ref: r.get(8)?,
        paid_at: r.get(9)?,
        receipt: r.get(10)?,
        flag: r.get(11)?,
        flag_state: r.get(12)?,
        flag_note: r.get(13)?,
        patient_id: r.get(14)?,
        cf: r.get(15)?,
        name: r.get(16)?,
        items: r.get(17)?,
    })
}

pub fn search(c: &Connection, q: &Query, limit: i64) -> rusqlite::Result<Vec<Row>> {
    let mut sql =
        format!("SELECT {COLUMNS} FROM orders o JOIN patients p ON p.id = o.patient_id WHERE 1");
    let mut args: Vec<Value> = Vec::new();
    let mut and = |cond: &str, vals: Vec<Value>| {
        sql.push_str(" AND ");
        sql.push_str(cond);
        args.extend(vals);
    };
    if let Some(s) = q.state {
        and("o.state = ?", vec![s.as_str().to_string().into()]);
    }
    match q.flagged {
        Flagged::Any => {}
        Flagged::Open => and("o.flag IS NOT NULL AND o.flag_state IS NULL", vec![]),
        Flagged::All => and("o.flag IS NOT NULL", vec![]),
    }
    if let Some(p) = q.patient {
        and("o.patient_id = ?", vec![p.into()]);
    }
    if let Some(f) = q.from {
        and("o.created_at >= ?", vec![f.into()]);
    }
    if let Some(t) = q.to {
        and("o.created_at <= ?", vec![t.into()]);
    }
    if let Some((at, id)) = q.before {
        and("(o.created_at, o.id) < (?, ?)", vec![at.into(), id.into()]);
    }
    sql.push_str(" ORDER BY o.created_at DESC, o.id DESC LIMIT ?");
    args.push(limit.into());
    c.prepare(&sql)?
        .query_map(params_from_iter(args), row)?
        .collect()
}

/// A debt position of the order (a retry after expiry makes a new one).
#[derive(Debug, Clone)]
pub struct Position {
    pub notice_number: String,
    pub iuv: String,
    pub provider_ref: String,
    pub amount_cents: i64,
    pub due_at: i64,
    pub state: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub at: i64,
    pub from: Option<String>,
    pub to: Option<String>,
    pub event: String,
    pub detail: String,
}

/// What the order's page shows beyond the row.
#[derive(Debug, Clone)]
pub struct Detail {
    pub row: Row,
    pub provider_name: String,
    pub payee: String,
    pub causale: String,
    pub payer_email: Option<String>,
    pub confirmed_at: Option<i64>,
    pub due_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub next_check_at: Option<i64>,
    pub checks: i64,
    pub last_check_error: Option<String>,
    pub positions: Vec<Position>,
    pub events: Vec<Event>,
}

pub fn get(c: &Connection, number: &str) -> rusqlite::Result<Option<Detail>> {
    let found = c
        .query_row(
            &format!(
                "SELECT {COLUMNS}, o.provider_name, o.payee, o.causale, o.payer_email, o.confirmed_at,
                   o.due_at, o.closed_at, o.next_check_at, o.checks, o.last_check_error
                 FROM orders o JOIN patients p ON p.id = o.patient_id WHERE o.number = ?1"
            ),
            [number],
            |r| {
                Ok(Detail {
                    row: row(r)?,
                    provider_name: r.get(18)?,
                    payee: r.get(19)?,
                    causale: r.get(20)?,
                    payer_email: r.get(21)?,
                    confirmed_at: r.get(22)?,
                    due_at: r.get(23)?,
                    closed_at: r.get(24)?,
                    next_check_at: r.get(25)?,
                    checks: r.get(26)?,
                    last_check_error: r.get(27)?,
                    positions: Vec::new(),
                    events: Vec::new(),
                })
            },
        )
        .optional()?;
    let Some(mut d) = found else {
        return Ok(None);
    };
    d.positions = c
        .prepare(
            "SELECT notice_number, iuv, provider_ref, amount_cents, due_at, state, created_at
             FROM payment_positions WHERE order_id = ?1 ORDER BY id",
        )?
        .query_map([d.row.id], |r| {
            Ok(Position {
                notice_number: r.get(0)?,
                iuv: r.get(1)?,
                provider_ref: r.get(2)?,
                amount_cents: r.get(3)?,
                due_at: r.get(4)?,
                state: r.get(5)?,
                created_at: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    d.events = c
        .prepare(
            "SELECT at, from_state, to_state, event, detail FROM order_events
             WHERE order_id = ?1 ORDER BY id",
        )?
        .query_map([d.row.id], |r| {
            Ok(Event {
                at: r.get(0)?,
                from: r.get(1)?,
                to: r.get(2)?,
                event: r.get(3)?,
                detail: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(d))
}

/// The id and patient of an order by its number.
pub fn id_of(c: &Connection, number: &str) -> rusqlite::Result<Option<(i64, i64)>> {
    c.query_row(
        "SELECT id, patient_id FROM orders WHERE number = ?1",
        [number],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// An operator handles a flagged order: "Rimborso effettuato" (`refunded`) and/or a note
/// (`Some` replaces the previous one; a note alone marks it `noted` unless it was refunded).
/// False when the order is not flagged.
pub fn handle_flag(
    c: &Connection,
    id: i64,
    refunded: bool,
    note: Option<&str>,
    now: i64,
) -> rusqlite::Result<bool> {
    let n = c.execute(
        "UPDATE orders SET
           flag_state = CASE WHEN ?2 THEN 'refunded' ELSE coalesce(flag_state, 'noted') END,
           flag_note = coalesce(?3, flag_note), updated_at = ?4
         WHERE id = ?1 AND flag IS NOT NULL",
        params![id, refunded, note, now],
    )?;
    Ok(n == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let c = crate::db::migrate::memory();
        c.pragma_update(None, "foreign_keys", true).unwrap();
        for (cf, given) in [("RSSMRA80A01A182N", "Mario"), ("BNCLRA85M52A182Y", "Laura")] {
            crate::patients::store::upsert(&c, cf, given, "Test", None, 0).unwrap();
        }
        for (n, patient, state, at, flag) in [
            (1, 1, "completed", 10, None),
            (2, 2, "pending", 20, None),
            (3, 1, "cancelled", 30, Some("pagamento ricevuto")),
        ] {
            c.execute(
                "INSERT INTO orders (number, patient_id, state, total_cents, causale, provider, provider_name,
                   payee, created_at, updated_at, flag)
                 VALUES (?1, ?2, ?3, 2200, 'Copia', 'sandbox', 'Sandbox', 'ASL', ?4, ?4, ?5)",
                params![format!("{n:032x}"), patient, state, at, flag],
            )
            .unwrap();
        }
        c
    }

    fn numbers(c: &Connection, q: &Query) -> Vec<i64> {
        search(c, q, 10)
            .unwrap()
            .iter()
            .map(|r| i64::from_str_radix(&r.number, 16).unwrap())
            .collect()
    }

    #[test]
    fn filters_page_and_handles_flags() {
        let c = db();
        assert_eq!(numbers(&c, &Query::default()), [3, 2, 1]);
        let q = |f: fn(&mut Query)| {
            let mut q = Query::default();
            f(&mut q);
            q
        };
        assert_eq!(numbers(&c, &q(|q| q.state = Some(State::Pending))), [2]);
        assert_eq!(numbers(&c, &q(|q| q.patient = Some(1))), [3, 1]);
        assert_eq!(numbers(&c, &q(|q| q.flagged = Flagged::Open)), [3]);
        assert_eq!(
            numbers(&c, &q(|q| (q.from, q.to) = (Some(15), Some(25)))),
            [2]
        );
        assert_eq!(numbers(&c, &q(|q| q.before = Some((30, 3)))), [2, 1]);

        assert!(!handle_flag(&c, 1, true, None, 40).unwrap(), "not flagged");
        assert!(handle_flag(&c, 3, false, Some("Chiamato il paziente"), 40).unwrap());
        let d = get(&c, &format!("{:032x}", 3)).unwrap().unwrap();
        assert_eq!(d.row.flag_state.as_deref(), Some("noted"));
        assert!(numbers(&c, &q(|q| q.flagged = Flagged::Open)).is_empty());
        assert_eq!(numbers(&c, &q(|q| q.flagged = Flagged::All)), [3]);
        handle_flag(&c, 3, true, None, 50).unwrap();
        handle_flag(&c, 3, false, None, 60).unwrap();
        let d = get(&c, &format!("{:032x}", 3)).unwrap().unwrap();
        assert_eq!(
            d.row.flag_state.as_deref(),
            Some("refunded"),
            "stays refunded"
        );
        assert_eq!(d.row.flag_note.as_deref(), Some("Chiamato il paziente"));
    }
}
