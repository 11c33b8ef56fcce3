//! Keeping an order and its debt position at the provider in agreement when a step was cut
//! short:
//! - a "Conferma" interrupted between reserving the notice number and recording the
//!   position (a crash, a dropped connection) is finished: at start every one (no request
//!   survives a restart), later those left alone for `RESUME_AFTER_SECS`;
//! - a draft that has a notice number is cancelled at the provider before it is cancelled
//!   here (by the patient or the 24-hour sweeper), so no payable position stays behind a
//!   cancelled order (the position is asked for again first: only the provider knows its
//!   IUV when it makes its own);
//! - an order closed without payment that has a notice number is watched for
//!   `WATCH_SECS`: a payment that still arrives is flagged for the operator, never lost,
//!   and a position found still payable is cancelled again.
//!
//! The reconciliation (`orders::reconciliation`) reuses these for the orders of the last days.

use super::checkout::{call, create_position, finish_confirm, provider};
use super::state::{Event, Outcome, apply};
use super::store;
use crate::app::App;
use crate::error::{AppError, Kind};
use crate::payments::provider::{Cancelled, Position, Status};

/// A Conferma in progress takes at most the provider's timeout; one untouched for longer
/// was cut short.
pub const RESUME_AFTER_SECS: i64 = 120;
/// How long a closed order with a notice is watched for a late payment.
pub const WATCH_SECS: i64 = 7 * 86_400;
/// The longest wait between two looks at a watched order.
const WATCH_MAX_SECS: i64 = 6 * 3600;

/// Finishes the Conferma of drafts that reserved a notice before `before`.
pub async fn resume_confirms(app: &App, before: i64) -> Result<(), AppError> {
    let ids = app
        .db
        .read(move |c| Ok(store::unfinished_confirms(c, before)?))
        .await?;
    for id in ids {
        match finish_confirm(app, id, "-").await {
            Ok(Outcome::Applied { .. }) => {
                tracing::info!("ordine {id}: conferma interrotta completata")
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!("ordine {id}: conferma interrotta non ancora completata: {e}");
                let now = app.now();
                app.db
                    .write(move |tx| Ok(store::touch(tx, id, now)?))
                    .await?;
            }
        }
    }
    Ok(())
}

/// Cancels a draft; one with a notice number only once the provider has cancelled its
/// position (or never had it). A position already paid, or being paid, is not cancelled:
/// the Conferma is finished instead and the payment completes the order.
pub async fn cancel_draft(app: &App, id: i64, why: &'static str) -> Result<Outcome, AppError> {
    let (o, patient) = app
        .db
        .read(move |c| Ok((store::by_id(c, id)?, store::patient_of(c, id)?)))
        .await?;
    let mut made = None;
    if let (Some(notice), super::state::State::Draft) = (o.notice_number.clone(), o.state) {
        // The creation may have reached the provider with its answer lost, and an
        // intermediary that makes its own IUV (PiemontePay) can only name that position in
        // answer to the same creation: ask for it again (creating is idempotent by the
        // notice) and cancel what comes back.
        let p = provider(app)?;
        let email = o.payer_email.clone().unwrap_or_default();
        let (pos, _) = create_position(app, p.clone(), &o, patient, notice, email).await?;
        made = Some(pos.clone());
        if call(p, move |p| p.cancel(&pos)).await? == Cancelled::Paid {
            finish_confirm(app, id, "-").await?;
            return Err(AppError::new(Kind::Conflict, super::text::CANCEL_PAID));
        }
    }
    crate::failpoint::hit("cancel.provider").await;
    let now = app.now();
    app.db
        .write(move |tx| {
            if let Some(pos) = &made {
                // The watch of the closed order asks about the provider's position.
                store::name_position(tx, id, pos)?;
            }
            Ok(apply(tx, id, &Event::Cancel(why), now)?)
        })
        .await
}

/// One look at a watched closed order: paid → flagged (the watch ends); still payable →
/// cancelled again; otherwise the next look, doubling the wait, until `WATCH_SECS` after
/// the order was closed.
pub async fn watch(app: &App, d: store::Due) {
    let Some(p) = app.payments.clone() else {
        return;
    };
    let position = d.position();
    let pos = position.clone();
    let answer = call(p, move |p| p.status(&pos)).await;
    let (id, now) = (d.id, app.now());
    let first = app.config.payments.poll_first_secs.max(1);
    let wait = first
        .saturating_mul(1 << d.checks.clamp(0, 20))
        .min(WATCH_MAX_SECS);
    let mut next = (now + wait < d.at + WATCH_SECS).then_some(now + wait);
    match answer {
        Ok(Status::Paid) => match super::poller::sync(app, id, position, Status::Paid).await {
            Ok(_) => next = None,
            Err(e) => tracing::warn!("ordine {id}: pagamento tardivo: {e}"),
        },
        Ok(Status::Unpaid | Status::Failed { .. }) => {
            if let Err(e) = cancel_again(app, id, position).await {
                tracing::warn!("ordine {id}: annullamento dell'avviso: {e}");
            }
            next = next.or(Some(now + wait));
        }
        Ok(Status::Cancelled | Status::Expired) => {}
        Err(e) => tracing::warn!("ordine {id}: controllo di un ordine chiuso: {}", e.chain()),
    }
    if let Err(e) = app
        .db
        .write(move |tx| Ok(store::rewatch(tx, id, next)?))
        .await
    {
        tracing::warn!("ordine {id}: {e}");
    }
}

/// A closed order whose position the provider still takes payments for: the position is
/// cancelled again (the order stays as it is). Used by the watch and the reconciliation.
pub async fn cancel_again(app: &App, id: i64, position: Position) -> Result<Cancelled, AppError> {
    tracing::warn!("ordine {id}: avviso ancora pagabile per un ordine chiuso: lo annullo");
    let p = provider(app)?;
    call(p, move |p| p.cancel(&position)).await
}
