//! The order's states and every move between them, each in the caller's one transaction.
//!
//! draft ──Confirm──▶ pending ──Paid──▶ completed
//!   │                  │  ├──Failed──▶ failed ──Retry──▶ pending (same or new position)
//!   └─Cancel─▶ cancelled ◀─Cancelled─┤        └──Paid──▶ completed (paid late, by notice)
//!                      └──Expired──▶ expired
//!
//! A confirmation that arrives twice is a `Duplicate` (nothing changes); one that arrives
//! after the order was cancelled or expired is `Flagged` for the operator (the money came
//! in: refund or complete by hand) and never changes the state by itself. A draft that has
//! a notice number is cancelled here only after its position is cancelled at the provider
//! (`orders::reconcile`).

use crate::payments::provider::{Position, Receipt};
use rusqlite::{Connection, OptionalExtension, params};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Draft,
    Pending,
    Completed,
    Failed,
    Cancelled,
    Expired,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Pending => "pending",
            State::Completed => "completed",
            State::Failed => "failed",
            State::Cancelled => "cancelled",
            State::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> State {
        match s {
            "pending" => State::Pending,
            "completed" => State::Completed,
            "failed" => State::Failed,
            "cancelled" => State::Cancelled,
            "expired" => State::Expired,
            _ => State::Draft,
        }
    }

    /// As the patient reads it ("Stato Ordine"), in both languages.
    pub fn msg(self) -> crate::i18n::Msg {
        use super::text;
        match self {
            State::Draft => text::STATE_DRAFT,
            State::Pending => text::STATE_PENDING,
            State::Completed => text::STATE_COMPLETED,
            State::Failed => text::STATE_FAILED,
            State::Cancelled => text::STATE_CANCELLED,
            State::Expired => text::STATE_EXPIRED,
        }
    }

    /// In Italian: the back office and the log.
    pub fn label(self) -> &'static str {
        self.msg().it
    }
}

#[derive(Debug, Clone)]
pub enum Event {
    /// "Conferma": the provider made the debt position.
    Confirm {
        position: Position,
        amount_cents: i64,
        due_at: i64,
        next_check_at: i64,
    },
    /// The patient cancels before confirming, or the draft is left too long.
    Cancel(&'static str),
    /// The provider says the position is paid.
    Paid(Receipt),
    /// The provider says the last attempt failed, at `at` (the provider's time). The failure
    /// a "Ripeti Pagamento" already answered is old news and ignored.
    Failed { reason: String, at: i64 },
    /// The provider cancelled the position.
    ProviderCancelled,
    /// The position is past its due date.
    Expired,
    /// "Ripeti Pagamento": pending again, on the same position or on a new one when the
    /// previous can no longer be paid.
    Retry {
        new_position: Option<(Position, i64, i64)>,
        /// The `at` of the failure this retry answers (as the provider reported it).
        failure_seen_at: Option<i64>,
        next_check_at: i64,
    },
}

impl Event {
    fn name(&self) -> &'static str {
        match self {
            Event::Confirm { .. } => "confirm",
            Event::Cancel(_) => "cancel",
            Event::Paid(_) => "paid",
            Event::Failed { .. } => "failed",
            Event::ProviderCancelled => "provider_cancelled",
            Event::Expired => "expired",
            Event::Retry { .. } => "retry",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Applied {
        from: State,
        to: State,
    },
    /// Already applied (a confirmation received twice): nothing changed.
    Duplicate,
    /// Could not be applied; recorded on the order for the operator.
    Flagged(String),
    /// Does not apply to this state (e.g. a failure report for a completed order).
    Ignored,
}

/// Applies `ev` to the order `order_id`; the caller's transaction makes it atomic.
pub fn apply(c: &Connection, order_id: i64, ev: &Event, now: i64) -> rusqlite::Result<Outcome> {
    let row: Option<(String, i64, Option<String>)> = c
        .query_row(
            "SELECT state, total_cents, flag FROM orders WHERE id = ?1",
            [order_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((state, total, flag)) = row else {
        return Err(rusqlite::Error::QueryReturnedNoRows);
    };
    let from = State::parse(&state);
    use State::*;
    let outcome = match (ev, from) {
        (Event::Confirm { .. }, Draft) => move_to(c, order_id, from, Pending, ev, now)?,
        (Event::Confirm { .. }, Pending) => Outcome::Duplicate,
        (Event::Cancel(_), Draft) => move_to(c, order_id, from, Cancelled, ev, now)?,
        (Event::Paid(r), Pending | Failed) if r.amount_cents != total => {
            let why = format!(
                "importo pagato {} diverso dal totale {}",
                crate::ui::euro(r.amount_cents),
                crate::ui::euro(total)
            );
            flag_order(c, order_id, from, ev, &why, flag.as_deref(), now)?
        }
        (Event::Paid(_), Pending | Failed) => move_to(c, order_id, from, Completed, ev, now)?,
        (Event::Paid(_), Completed) => Outcome::Duplicate,
        (Event::Paid(_), Cancelled | Expired) => {
            let why = format!(
                "pagamento ricevuto con l'ordine {}: rimborsare o completare",
                from.label()
            );
            flag_order(c, order_id, from, ev, &why, flag.as_deref(), now)?
        }
        (Event::Failed { at, .. }, Pending) if Some(*at) <= failure_seen(c, order_id)? => {
            Outcome::Ignored
        }
        (Event::Failed { .. }, Pending) => move_to(c, order_id, from, Failed, ev, now)?,
        (Event::Failed { .. }, Failed) => Outcome::Duplicate,
        (Event::ProviderCancelled, Pending | Failed) => {
            move_to(c, order_id, from, Cancelled, ev, now)?
        }
        (Event::Expired, Pending | Failed) => move_to(c, order_id, from, Expired, ev, now)?,
        (Event::ProviderCancelled, Cancelled) | (Event::Expired, Expired) => Outcome::Duplicate,
        (Event::Retry { .. }, Failed) => move_to(c, order_id, from, Pending, ev, now)?,
        (Event::Retry { .. }, Pending) => Outcome::Duplicate,
        _ => Outcome::Ignored,
    };
    Ok(outcome)
}

/// The failure the last "Ripeti Pagamento" answered, if any.
fn failure_seen(c: &Connection, order_id: i64) -> rusqlite::Result<Option<i64>> {
    c.query_row(
        "SELECT failure_seen_at FROM orders WHERE id = ?1",
        [order_id],
        |r| r.get(0),
    )
}

fn event(
    c: &Connection,
    order_id: i64,
    from: State,
    to: Option<State>,
    ev: &Event,
    detail: &str,
    now: i64,
) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO order_events (order_id, at, from_state, to_state, event, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![order_id, now, from.as_str(), to.map(State::as_str), ev.name(), detail],
    )?;
    Ok(())
}

fn flag_order(
    c: &Connection,
    order_id: i64,
    from: State,
    ev: &Event,
    why: &str,
    existing: Option<&str>,
    now: i64,
) -> rusqlite::Result<Outcome> {
    if existing == Some(why) {
        return Ok(Outcome::Duplicate);
    }
    c.execute(
        "UPDATE orders SET flag = ?2, updated_at = ?3 WHERE id = ?1",
        params![order_id, why, now],
    )?;
    event(c, order_id, from, None, ev, why, now)?;
    Ok(Outcome::Flagged(why.to_string()))
}

fn set_position(
    c: &Connection,
    order_id: i64,
    p: &Position,
    amount: i64,
    due_at: i64,
    now: i64,
) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE payment_positions SET state = 'closed' WHERE order_id = ?1 AND state = 'open'",
        [order_id],
    )?;
    c.execute(
        "INSERT INTO payment_positions (order_id, notice_number, iuv, provider_ref, amount_cents, due_at, state, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7)",
        params![order_id, p.notice_number, p.iuv, p.provider_ref, amount, due_at, now],
    )?;
    c.execute(
        "UPDATE orders SET notice_number = ?2, iuv = ?3, provider_ref = ?4, due_at = ?5 WHERE id = ?1",
        params![order_id, p.notice_number, p.iuv, p.provider_ref, due_at],
    )?;
    Ok(())
}

/// An order closed without payment. One that has a notice number stays watched for a while
/// (`orders::reconcile`): a payment that still arrives for it is flagged, never lost.
fn close(c: &Connection, order_id: i64, now: i64) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE orders SET closed_at = ?2, checks = 0,
           next_check_at = CASE WHEN notice_number IS NULL THEN NULL ELSE ?2 END
         WHERE id = ?1",
        params![order_id, now],
    )?;
    Ok(())
}

/// The guarded move: `WHERE state = from` makes a second writer's move a no-op.
fn move_to(
    c: &Connection,
    order_id: i64,
    from: State,
    to: State,
    ev: &Event,
    now: i64,
) -> rusqlite::Result<Outcome> {
    let n = c.execute(
        "UPDATE orders SET state = ?3, updated_at = ?4 WHERE id = ?1 AND state = ?2",
        params![order_id, from.as_str(), to.as_str(), now],
    )?;
    if n == 0 {
        return Ok(Outcome::Duplicate);
    }
    let mut detail = String::new();
    match ev {
        Event::Confirm {
            position,
            amount_cents,
            due_at,
            next_check_at,
        } => {
            set_position(c, order_id, position, *amount_cents, *due_at, now)?;
            c.execute(
                "UPDATE orders SET confirmed_at = ?2, next_check_at = ?3, checks = 0 WHERE id = ?1",
                params![order_id, now, next_check_at],
            )?;
            detail = format!("avviso {}", position.notice_number);
        }
        Event::Paid(r) => {
            c.execute(
                "UPDATE orders SET paid_at = ?2, receipt = ?3, closed_at = ?4, next_check_at = NULL WHERE id = ?1",
                params![order_id, r.paid_at, r.summary(), now],
            )?;
            c.execute(
                "UPDATE payment_positions SET state = 'paid' WHERE order_id = ?1 AND state = 'open'",
                [order_id],
            )?;
            detail = r.summary();
        }
        Event::Failed { reason, .. } => detail = reason.clone(),
        Event::Cancel(why) => {
            close(c, order_id, now)?;
            detail = why.to_string();
        }
        Event::ProviderCancelled | Event::Expired => {
            close(c, order_id, now)?;
            c.execute(
                "UPDATE payment_positions SET state = 'closed' WHERE order_id = ?1 AND state = 'open'",
                [order_id],
            )?;
        }
        Event::Retry {
            new_position,
            failure_seen_at,
            next_check_at,
        } => {
            if let Some((p, amount, due_at)) = new_position {
                set_position(c, order_id, p, *amount, *due_at, now)?;
                detail = format!("nuovo avviso {}", p.notice_number);
            }
            c.execute(
                "UPDATE orders SET next_check_at = ?2, checks = 0,
                   failure_seen_at = coalesce(?3, failure_seen_at) WHERE id = ?1",
                params![order_id, next_check_at, failure_seen_at],
            )?;
        }
    }
    event(c, order_id, from, Some(to), ev, &detail, now)?;
    Ok(Outcome::Applied { from, to })
}

#[cfg(test)]
mod tests;
