//! The payment status poller: asks the provider about pending orders, first
//! `payments.poll_first_secs` after confirmation, then waiting twice as long after each
//! unanswered check up to `payments.poll_max_secs`, so an order completes even when nobody
//! is looking. It also cancels drafts left longer than `payments.draft_hours`, and runs
//! the reconciliation of `orders::reconcile` (Conferma cut short, closed orders watched).
//! Its state is in SQLite (`orders.next_check_at`, `checks`): a restart resumes it.

use super::reconcile;
use super::state::{Event, Outcome, apply};
use super::store;
use crate::app::App;
use crate::error::AppError;
use crate::payments::provider::{Position, Status};
use std::time::Duration;

pub async fn run(app: App) {
    let mut started = true;
    loop {
        if let Err(e) = round(&app, started).await {
            tracing::warn!("controllo dei pagamenti: {e}");
        }
        started = false;
        tokio::select! {
            _ = app.payments_wakeup.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

/// One pass: the checks that are due (when a provider is configured), the watched closed
/// orders, the Conferma steps cut short (all of them on the first pass after a start: no
/// request survives a restart), then stale drafts.
pub async fn round(app: &App, started: bool) -> Result<(), AppError> {
    let now = app.now();
    if app.payments.is_some() {
        let (due, watched) = app
            .db
            .read(move |c| {
                Ok((
                    store::due_checks(c, now, 32)?,
                    store::due_watches(c, now, 32)?,
                ))
            })
            .await?;
        let mut unanswered = Vec::new();
        for d in due {
            unanswered.extend(check(app, d).await);
        }
        backoff(app, unanswered).await;
        for d in watched {
            reconcile::watch(app, d).await;
        }
        let before = if started {
            now
        } else {
            now - reconcile::RESUME_AFTER_SECS
        };
        reconcile::resume_confirms(app, before).await?;
    }
    let before = now - app.config.payments.draft_hours * 3600;
    let stale = app
        .db
        .read(move |c| Ok(store::stale_drafts(c, before)?))
        .await?;
    for id in stale {
        if let Err(e) = reconcile::cancel_draft(app, id, "non confermato in tempo").await {
            tracing::warn!("ordine {id}: bozza scaduta non annullata: {e}");
        }
    }
    Ok(())
}

/// Asks the provider about one pending order and applies a change; an order still unpaid
/// (or whose provider did not answer) is given back for `backoff`.
async fn check(app: &App, d: store::Due) -> Option<store::Backoff> {
    let p = app.payments.clone()?;
    let position = d.position();
    let pos = position.clone();
    let answer = super::checkout::call(p, move |p| p.status(&pos)).await;
    let (id, now) = (d.id, app.now());
    let backoff = |error| store::Backoff {
        id,
        checks: d.checks,
        seen: d.next_check_at,
        error,
        now,
    };
    match answer {
        Ok(Status::Unpaid) => Some(backoff(None)),
        Ok(status) => {
            if let Err(e) = sync(app, id, position, status).await {
                tracing::warn!("ordine {id}: {e}");
            }
            None
        }
        Err(e) => {
            let why = e.chain();
            tracing::warn!("ordine {id}: stato del pagamento non letto: {why}");
            Some(backoff(Some(why)))
        }
    }
}

/// The next checks of a round's unanswered orders, in one transaction: one write (and one
/// sync to disk) a round instead of one per order — the poller's cost at 10,000 pending
/// orders (bench figure 15).
async fn backoff(app: &App, unanswered: Vec<store::Backoff>) {
    if unanswered.is_empty() {
        return;
    }
    let (first, max) = (
        app.config.payments.poll_first_secs,
        app.config.payments.poll_max_secs,
    );
    let result = app
        .db
        .write(move |tx| {
            for b in &unanswered {
                store::backoff(tx, b, first, max)?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = result {
        tracing::warn!("controllo dei pagamenti: prossimi controlli non registrati: {e}");
    }
}

/// Applies what the provider said about an order's position (a paid one with its receipt).
pub async fn sync(
    app: &App,
    id: i64,
    position: Position,
    status: Status,
) -> Result<Outcome, AppError> {
    let ev = match status {
        Status::Unpaid => return Ok(Outcome::Ignored),
        Status::Paid => {
            let p = app
                .payments
                .clone()
                .ok_or_else(|| AppError::internal("nessun fornitore di pagamento"))?;
            let receipt = super::checkout::call(p, move |p| p.receipt(&position)).await?;
            Event::Paid(receipt)
        }
        Status::Failed { reason, at } => Event::Failed { reason, at },
        Status::Cancelled => Event::ProviderCancelled,
        Status::Expired => Event::Expired,
    };
    let now = app.now();
    let outcome = app.db.write(move |tx| Ok(apply(tx, id, &ev, now)?)).await?;
    if let Outcome::Flagged(why) = &outcome {
        tracing::warn!("ordine {id}: da verificare: {why}");
    }
    Ok(outcome)
}

/// "Ricontrolla pagamento" in the back office: asks the provider about the order's current
/// position now, whatever the poller's schedule, and applies the answer as the poller would
/// (`sync`). `None` when the order has no position yet; otherwise what the provider said
/// and what it changed.
pub async fn recheck(app: &App, id: i64) -> Result<Option<(Status, Outcome)>, AppError> {
    let p = super::checkout::provider(app)?;
    let Some(position) = app.db.read(move |c| Ok(store::position(c, id)?)).await? else {
        return Ok(None);
    };
    let pos = position.clone();
    let status = super::checkout::call(p, move |p| p.status(&pos)).await?;
    let outcome = sync(app, id, position, status.clone()).await?;
    Ok(Some((status, outcome)))
}
