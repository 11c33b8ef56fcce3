//! "Ripeti Pagamento", and finishing one cut short. When the order's position can no longer
//! be paid, the new position's notice is reserved on the order (`orders.retry_notice`, in
//! the transaction that takes the number) before the provider is asked to make it, as
//! "Conferma" reserves its own: a crash or a dropped connection between the provider's
//! creation and the order recording it leaves a reservation, never a payable position that
//! belongs to no order. `resume_retries` (at start, then in the poller's rounds and in the
//! reconciliation) finishes it: the provider is asked again for the same notice (creating
//! is idempotent by the notice) and the order records it, or, when the order is no longer
//! failed, the position is cancelled so that it cannot be paid.

use super::checkout::{call, create_position, position_of, provider};
use super::state::{Event, Outcome, State, apply};
use super::store::{self, Order};
use super::text;
use crate::app::App;
use crate::error::{AppError, Kind};
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::payments::notice::NoticeNumber;
use crate::payments::provider::{Cancelled, Status};
use rusqlite::{Connection, params};

/// "Ripeti Pagamento": asks the provider first. Paid meanwhile → completed; still payable →
/// pending on the same position; no longer payable → a new position (the old one can no
/// longer be paid, so an order never has two payable positions).
pub async fn retry(app: &App, ctx: &Ctx, o: Order) -> Result<Resp, AppError> {
    let to_order = format!("/ordini/{}", o.number);
    if o.state == State::Pending {
        return Ok(resp::go_to(ctx, &to_order));
    }
    if o.state != State::Failed {
        return Err(AppError::new(Kind::Conflict, text::RETRY_ONLY_FAILED));
    }
    again(app, &o).await?;
    Ok(resp::go_to(ctx, &to_order))
}

/// The Ripeti of a failed order, then whatever notice it (or an earlier one cut short)
/// reserved settled by `finish_retry`.
async fn again(app: &App, o: &Order) -> Result<(), AppError> {
    let p = provider(app)?;
    let position = position_of(app, o).await?;
    let status = {
        let pos = position.clone();
        call(p, move |p| p.status(&pos)).await?
    };
    let (id, now, first) = (o.id, app.now(), app.config.payments.poll_first_secs);
    let seen = match status {
        Status::Paid => {
            super::poller::sync(app, id, position, Status::Paid).await?;
            None
        }
        Status::Unpaid => Some(None),
        Status::Failed { at, .. } => Some(Some(at)),
        Status::Expired | Status::Cancelled => {
            let seg = app.config.payments.segregation_code.clone();
            app.db
                .write(move |tx| Ok(reserve(tx, id, &seg, now)?))
                .await?;
            crate::failpoint::hit("retry.reserved").await;
            None
        }
    };
    if let Some(failure_seen_at) = seen {
        let ev = Event::Retry {
            new_position: None,
            failure_seen_at,
            next_check_at: now + first,
        };
        app.db.write(move |tx| Ok(apply(tx, id, &ev, now)?)).await?;
    }
    finish_retry(app, id).await?;
    app.payments_wakeup.notify_one();
    Ok(())
}

/// The notice reserved for a failed order's new position: the one already reserved, or the
/// next of the sequence (taken once, never given again). `updated_at` says when.
fn reserve(c: &Connection, id: i64, segregation: &str, now: i64) -> rusqlite::Result<String> {
    if let Some(n) = reserved(c, id)? {
        return Ok(n);
    }
    let base = store::next_iuv_base(c)?;
    let notice = NoticeNumber::new(segregation, base)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.to_string().into()))?;
    c.execute(
        "UPDATE orders SET retry_notice = ?2, updated_at = ?3 WHERE id = ?1 AND state = 'failed'",
        params![id, notice.as_str(), now],
    )?;
    Ok(notice.as_str().to_string())
}

fn reserved(c: &Connection, id: i64) -> rusqlite::Result<Option<String>> {
    c.query_row("SELECT retry_notice FROM orders WHERE id = ?1", [id], |r| {
        r.get(0)
    })
}

/// The reservation is settled: the position recorded on the order, or cancelled.
fn settled(c: &Connection, id: i64, notice: &str) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE orders SET retry_notice = NULL WHERE id = ?1 AND retry_notice = ?2",
        params![id, notice],
    )?;
    Ok(())
}

/// The position of a reserved notice that could not be cancelled: paid (or being paid)
/// while the order had been settled otherwise. For the operator: the money came in twice.
fn flag_paid(c: &Connection, id: i64, notice: &str, now: i64) -> rusqlite::Result<()> {
    let why = format!(
        "pagamento ricevuto sull'avviso {notice} di un Ripeti Pagamento interrotto: rimborsare o completare"
    );
    c.execute(
        "UPDATE orders SET flag = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, why, now],
    )?;
    c.execute(
        "INSERT INTO order_events (order_id, at, from_state, to_state, event, detail)
         SELECT id, ?2, state, NULL, 'retry', ?3 FROM orders WHERE id = ?1",
        params![id, now, why],
    )?;
    Ok(())
}

/// Settles the order's reserved notice, if it has one: the provider makes its position (or
/// gives back the one it made) and a failed order records it, pending; an order no longer
/// failed (paid, closed, or pending on another position meanwhile) has it cancelled.
pub async fn finish_retry(app: &App, id: i64) -> Result<Outcome, AppError> {
    let (o, patient, notice) = app
        .db
        .read(move |c| {
            Ok((
                store::by_id(c, id)?,
                store::patient_of(c, id)?,
                reserved(c, id)?,
            ))
        })
        .await?;
    let Some(notice) = notice else {
        return Ok(Outcome::Ignored);
    };
    let p = provider(app)?;
    let email = o.payer_email.clone().unwrap_or_default();
    let (position, due_at) =
        create_position(app, p.clone(), &o, patient, notice.clone(), email).await?;
    crate::failpoint::hit("retry.created").await;
    let made = position.clone();
    let (amount, first, n) = (
        o.total_cents,
        app.config.payments.poll_first_secs,
        notice.clone(),
    );
    let outcome = app
        .db
        .write(move |tx| {
            let now = crate::app::unix_now();
            let o = store::by_id(tx, id)?;
            let outcome = if o.state == State::Failed {
                let ev = Event::Retry {
                    new_position: Some((position.clone(), amount, due_at)),
                    failure_seen_at: None,
                    next_check_at: now + first,
                };
                apply(tx, id, &ev, now)?
            } else if o.notice_number.as_deref() == Some(position.notice_number.as_str()) {
                // Recorded already (two finishing the same Ripeti at once).
                Outcome::Duplicate
            } else {
                return Ok(Outcome::Ignored);
            };
            settled(tx, id, &n)?;
            Ok(outcome)
        })
        .await?;
    if outcome == Outcome::Ignored {
        // The order is no longer failed: the reserved notice's position must not stay
        // payable. Should this fail, the reservation stays and the next round tries again.
        let cancelled = call(p, move |p| p.cancel(&made)).await?;
        let now = app.now();
        app.db
            .write(move |tx| {
                if cancelled == Cancelled::Paid {
                    tracing::warn!("ordine {id}: avviso di un Ripeti Pagamento interrotto pagato");
                    flag_paid(tx, id, &notice, now)?;
                }
                Ok(settled(tx, id, &notice)?)
            })
            .await?;
    }
    Ok(outcome)
}

/// Finishes the Ripeti reserved before `before` and not settled (a crash, a dropped
/// connection, a provider that did not answer): at start every one, later those left
/// alone for `reconcile::RESUME_AFTER_SECS`. A failed order is retried from the start
/// (the old position may have been paid meanwhile); any other has its reservation settled.
pub async fn resume_retries(app: &App, before: i64) -> Result<(), AppError> {
    let orders = app
        .db
        .read(move |c| {
            c.prepare_cached(
                "SELECT id FROM orders WHERE retry_notice IS NOT NULL AND updated_at <= ?1",
            )?
            .query_map([before], |r| r.get::<_, i64>(0))?
            .map(|id| store::by_id(c, id?))
            .collect::<rusqlite::Result<Vec<Order>>>()
            .map_err(Into::into)
        })
        .await?;
    for o in orders {
        let id = o.id;
        let done = if o.state == State::Failed {
            again(app, &o).await
        } else {
            finish_retry(app, id).await.map(|_| ())
        };
        match done {
            Ok(()) => tracing::info!("ordine {id}: ripeti pagamento interrotto completato"),
            Err(e) => {
                tracing::warn!(
                    "ordine {id}: ripeti pagamento interrotto non ancora completato: {e}"
                );
                let now = app.now();
                app.db
                    .write(move |tx| {
                        Ok(tx.execute(
                            "UPDATE orders SET updated_at = ?2 WHERE id = ?1 AND retry_notice IS NOT NULL",
                            params![id, now],
                        )?)
                    })
                    .await?;
            }
        }
    }
    Ok(())
}
