//! Orders in SQLite; every query is scoped by the patient except the poller's.

use super::state::State;
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct Order {
    pub id: i64,
    pub number: String,
    pub state: State,
    pub total_cents: i64,
    pub vat_cents: i64,
    pub causale: String,
    pub provider_name: String,
    pub payee: String,
    pub created_at: i64,
    pub consents_at: Option<i64>,
    pub payer_email: Option<String>,
    pub notice_number: Option<String>,
    /// The position's IUV: ours inside the notice number, or the intermediary's own.
    pub iuv: Option<String>,
    pub due_at: Option<i64>,
    pub paid_at: Option<i64>,
    pub receipt: Option<String>,
    /// For the operator: a provider event that could not be applied.
    pub flag: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Item {
    pub public_id: String,
    pub title: String,
    pub category: String,
    pub price_cents: i64,
    pub vat_pct: i64,
}

const SELECT: &str =
    "SELECT id, number, state, total_cents, vat_cents, causale, provider_name, payee,
    created_at, consents_at, payer_email, notice_number, due_at, paid_at, receipt, flag, iuv FROM orders";

fn order(r: &Row) -> rusqlite::Result<Order> {
    Ok(Order {
        id: r.get(0)?,
        number: r.get(1)?,
        state: State::parse(&r.get::<_, String>(2)?),
        total_cents: r.get(3)?,
        vat_cents: r.get(4)?,
        causale: r.get(5)?,
        provider_name: r.get(6)?,
        payee: r.get(7)?,
        created_at: r.get(8)?,
        consents_at: r.get(9)?,
        payer_email: r.get(10)?,
        notice_number: r.get(11)?,
        due_at: r.get(12)?,
        paid_at: r.get(13)?,
        receipt: r.get(14)?,
        flag: r.get(15)?,
        iuv: r.get(16)?,
    })
}

/// The patient's order by its number.
pub fn get(c: &Connection, patient: i64, number: &str) -> rusqlite::Result<Option<Order>> {
    c.prepare_cached(&format!("{SELECT} WHERE patient_id = ?1 AND number = ?2"))?
        .query_row(params![patient, number], order)
        .optional()
}

pub fn by_id(c: &Connection, id: i64) -> rusqlite::Result<Order> {
    c.query_row(&format!("{SELECT} WHERE id = ?1"), [id], order)
}

/// The state alone: what the polling fragment reads.
pub fn state(c: &Connection, patient: i64, number: &str) -> rusqlite::Result<Option<State>> {
    c.prepare_cached("SELECT state FROM orders WHERE patient_id = ?1 AND number = ?2")?
        .query_row(params![patient, number], |r| {
            Ok(State::parse(&r.get::<_, String>(0)?))
        })
        .optional()
}

/// The patient's orders, newest first.
pub fn list(c: &Connection, patient: i64, limit: i64) -> rusqlite::Result<Vec<Order>> {
    c.prepare_cached(&format!(
        "{SELECT} WHERE patient_id = ?1 + 0 ORDER BY created_at DESC, id DESC LIMIT ?2 + 0"
    ))?
    .query_map(params![patient, limit], order)?
    .collect()
}

pub fn count(c: &Connection, patient: i64) -> rusqlite::Result<i64> {
    c.query_row(
        "SELECT count(*) FROM orders WHERE patient_id = ?1",
        [patient],
        |r| r.get(0),
    )
}

pub fn items(c: &Connection, order_id: i64) -> rusqlite::Result<Vec<Item>> {
    c.prepare_cached(
        "SELECT d.public_id, i.title, i.category, i.price_cents, i.vat_pct
         FROM order_items i JOIN documents d ON d.id = i.document_id WHERE i.order_id = ?1 ORDER BY i.rowid",
    )?
    .query_map([order_id], |r| {
        Ok(Item {
            public_id: r.get(0)?,
            title: r.get(1)?,
            category: r.get(2)?,
            price_cents: r.get(3)?,
            vat_pct: r.get(4)?,
        })
    })?
    .collect()
}

/// What the checkout copies from the configuration into the order.
pub struct Terms<'a> {
    pub causale: &'a str,
    pub provider: &'a str,
    pub provider_name: &'a str,
    pub payee: &'a str,
    pub vat_pct: i64,
}

/// Makes a draft order of `documents` (ids already checked by the cart: the patient's,
/// priced, available, not paid, not in an open order), copying their prices now.
pub fn create(
    c: &Connection,
    patient: i64,
    documents: &[i64],
    t: &Terms,
    now: i64,
) -> rusqlite::Result<String> {
    let number = crate::crypto::hex(&crate::crypto::random_bytes::<16>());
    c.execute(
        "INSERT INTO orders (number, patient_id, state, total_cents, causale, provider, provider_name, payee, created_at, updated_at)
         VALUES (?1, ?2, 'draft', 0, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![number, patient, t.causale, t.provider, t.provider_name, t.payee, now],
    )?;
    let id = c.last_insert_rowid();
    for d in documents {
        c.execute(
            "INSERT INTO order_items (order_id, document_id, title, category, price_cents, vat_pct)
             SELECT ?1, id, title, category, price_cents, ?4 FROM documents WHERE id = ?2 AND patient_id = ?3",
            params![id, d, patient, t.vat_pct],
        )?;
    }
    // Prices include IVA (as the catalogue shows them): the VAT part is computed from them.
    c.execute(
        "UPDATE orders SET total_cents = (SELECT coalesce(sum(price_cents), 0) FROM order_items WHERE order_id = ?1),
           vat_cents = (SELECT coalesce(sum(price_cents * vat_pct / (100 + vat_pct)), 0) FROM order_items WHERE order_id = ?1)
         WHERE id = ?1",
        [id],
    )?;
    Ok(number)
}

pub fn set_consents(c: &Connection, id: i64, now: i64) -> rusqlite::Result<usize> {
    c.execute(
        "UPDATE orders SET consents_at = ?2, updated_at = ?2 WHERE id = ?1 AND state = 'draft'",
        params![id, now],
    )
}

pub fn set_email(c: &Connection, id: i64, email: &str, now: i64) -> rusqlite::Result<usize> {
    c.execute(
        "UPDATE orders SET payer_email = ?2, updated_at = ?3 WHERE id = ?1 AND state = 'draft'",
        params![id, email, now],
    )
}

/// The next IUV base of the sequence: taken once, never given again (even if the provider
/// then fails, the number stays used).
pub fn next_iuv_base(c: &Connection) -> rusqlite::Result<u64> {
    c.query_row(
        "UPDATE iuv_sequence SET next_base = next_base + 1 WHERE id = 1 RETURNING next_base - 1",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n as u64)
}

/// The notice number an order asks the provider for: made once per position and kept on
/// the draft, so that a retried "Conferma" after a timeout asks for the same position.
pub fn reserve_notice(c: &Connection, id: i64, segregation: &str) -> rusqlite::Result<String> {
    let existing: Option<String> = c.query_row(
        "SELECT notice_number FROM orders WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    if let Some(n) = existing {
        return Ok(n);
    }
    let base = next_iuv_base(c)?;
    let notice = crate::payments::notice::NoticeNumber::new(segregation, base)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.to_string().into()))?;
    c.execute(
        "UPDATE orders SET notice_number = ?2, iuv = ?3 WHERE id = ?1",
        params![id, notice.as_str(), notice.iuv()],
    )?;
    Ok(notice.as_str().to_string())
}

/// Names a draft's reserved position as the provider made it (its IUV, its codice avviso).
pub fn name_position(
    c: &Connection,
    id: i64,
    p: &crate::payments::provider::Position,
) -> rusqlite::Result<usize> {
    c.execute(
        "UPDATE orders SET notice_number = ?2, iuv = ?3, provider_ref = ?4 WHERE id = ?1 AND state = 'draft'",
        params![id, p.notice_number, p.iuv, p.provider_ref],
    )
}

/// The order's current position.
pub fn position(
    c: &Connection,
    order_id: i64,
) -> rusqlite::Result<Option<crate::payments::provider::Position>> {
    c.query_row(
        "SELECT notice_number, iuv, coalesce(provider_ref, '') FROM orders WHERE id = ?1 AND notice_number IS NOT NULL AND iuv IS NOT NULL",
        [order_id],
        |r| {
            Ok(crate::payments::provider::Position {
                notice_number: r.get(0)?,
                iuv: r.get(1)?,
                provider_ref: r.get(2)?,
            })
        },
    )
    .optional()
}

/// An order the poller must ask about now: a pending one, or a watched closed one.
pub struct Due {
    pub id: i64,
    pub notice_number: String,
    pub iuv: String,
    pub provider_ref: String,
    pub checks: i64,
    /// Pending: when the position falls due; watched: when the order was closed.
    pub at: i64,
    /// When this check was due (`orders.next_check_at` as read).
    pub next_check_at: i64,
}

impl Due {
    /// The order's position, as the provider knows it.
    pub fn position(&self) -> crate::payments::provider::Position {
        crate::payments::provider::Position {
            notice_number: self.notice_number.clone(),
            iuv: self.iuv.clone(),
            provider_ref: self.provider_ref.clone(),
        }
    }
}

/// `id, notice_number, iuv, provider_ref, checks, at, next_check_at`.
fn due(r: &Row) -> rusqlite::Result<Due> {
    Ok(Due {
        id: r.get(0)?,
        notice_number: r.get(1)?,
        iuv: r.get(2)?,
        provider_ref: r.get(3)?,
        checks: r.get(4)?,
        at: r.get(5)?,
        next_check_at: r.get(6)?,
    })
}

pub fn due_checks(c: &Connection, now: i64, limit: i64) -> rusqlite::Result<Vec<Due>> {
    c.prepare_cached(
        "SELECT id, notice_number, iuv, coalesce(provider_ref, ''), checks, coalesce(due_at, 0), next_check_at
         FROM orders WHERE state = 'pending' AND next_check_at <= ?1 ORDER BY next_check_at LIMIT ?2",
    )?
    .query_map(params![now, limit], due)?
    .collect()
}

/// A pending order the provider said nothing new about (or did not answer) at `now`.
#[derive(Debug, Clone)]
pub struct Backoff {
    pub id: i64,
    /// `orders.checks` when it was read for this check.
    pub checks: i64,
    /// `orders.next_check_at` when it was read for this check.
    pub seen: i64,
    /// Why the provider's answer was not read, if it was not.
    pub error: Option<String>,
    pub now: i64,
}

/// After an unanswered check: the next one waits twice as long, up to `max`. Nothing
/// changes when the order was rescheduled since it was read ("Procedi", "Ripeti
/// Pagamento": they ask for a check soon) or is no longer pending.
pub fn backoff(c: &Connection, b: &Backoff, first: i64, max: i64) -> rusqlite::Result<()> {
    let wait = first.saturating_mul(1 << b.checks.clamp(0, 20)).min(max);
    c.prepare_cached(
        "UPDATE orders SET checks = checks + 1, next_check_at = ?2, last_check_error = ?3
         WHERE id = ?1 AND state = 'pending' AND next_check_at = ?4",
    )?
    .execute(params![b.id, b.now + wait, b.error, b.seen])?;
    Ok(())
}

/// Closed orders with a notice whose watch is due (see `orders::reconcile`).
pub fn due_watches(c: &Connection, now: i64, limit: i64) -> rusqlite::Result<Vec<Due>> {
    c.prepare_cached(
        "SELECT id, notice_number, iuv, coalesce(provider_ref, ''), checks, coalesce(closed_at, 0), next_check_at
         FROM orders WHERE state IN ('cancelled', 'expired') AND next_check_at <= ?1 ORDER BY next_check_at LIMIT ?2",
    )?
    .query_map(params![now, limit], due)?
    .collect()
}

/// The next look at a watched closed order (`None`: the watch ends).
pub fn rewatch(c: &Connection, id: i64, next: Option<i64>) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE orders SET checks = checks + 1, next_check_at = ?2 WHERE id = ?1 AND state IN ('cancelled', 'expired')",
        params![id, next],
    )?;
    Ok(())
}

/// Drafts whose "Conferma" reserved a notice and was not finished by `before`.
pub fn unfinished_confirms(c: &Connection, before: i64) -> rusqlite::Result<Vec<i64>> {
    c.prepare_cached(
        "SELECT id FROM orders WHERE state = 'draft' AND notice_number IS NOT NULL AND updated_at <= ?1",
    )?
    .query_map([before], |r| r.get(0))?
    .collect()
}

/// "Procedi": a payment is likely on its way, so the poller asks again soon.
pub fn check_soon(c: &Connection, id: i64, at: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE orders SET next_check_at = ?2, checks = 0 WHERE id = ?1 AND state = 'pending'",
        params![id, at],
    )?;
    Ok(())
}

/// A draft's Conferma could not be finished now: the next try in `RESUME_AFTER_SECS`.
pub fn touch(c: &Connection, id: i64, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE orders SET updated_at = ?2 WHERE id = ?1 AND state = 'draft'",
        params![id, now],
    )?;
    Ok(())
}

/// The patient an order belongs to.
pub fn patient_of(c: &Connection, id: i64) -> rusqlite::Result<i64> {
    c.query_row("SELECT patient_id FROM orders WHERE id = ?1", [id], |r| {
        r.get(0)
    })
}

/// Drafts older than this are cancelled by the poller; one with a notice number was
/// confirmed by the patient and is finished instead (`reconcile::resume_confirms`).
pub fn stale_drafts(c: &Connection, before: i64) -> rusqlite::Result<Vec<i64>> {
    c.prepare_cached(
        "SELECT id FROM orders WHERE state = 'draft' AND notice_number IS NULL AND created_at < ?1",
    )?
    .query_map([before], |r| r.get(0))?
    .collect()
}

/// A completed order's receipt read again from the provider (`orders::reconciliation`):
/// stored only where none is, with an order event; the state does not change. False when
/// the order has one already (or is not completed).
pub fn set_receipt(
    c: &Connection,
    id: i64,
    r: &crate::payments::provider::Receipt,
    now: i64,
) -> rusqlite::Result<bool> {
    let summary = r.summary();
    let n = c.execute(
        "UPDATE orders SET receipt = ?2, paid_at = coalesce(paid_at, ?3), updated_at = ?4
         WHERE id = ?1 AND state = 'completed' AND receipt IS NULL",
        params![id, summary, r.paid_at, now],
    )?;
    if n == 1 {
        c.execute(
            "INSERT INTO order_events (order_id, at, from_state, to_state, event, detail)
             VALUES (?1, ?2, 'completed', NULL, 'receipt', ?3)",
            params![id, now, summary],
        )?;
    }
    Ok(n == 1)
}
