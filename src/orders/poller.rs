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
use std::panic::AssertUnwindSafe;
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
        for (d, answer) in statuses(app, due).await? {
            unanswered.extend(check(app, d, answer).await);
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
        super::retry::resume_retries(app, before).await?;
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

/// The provider's answers about the round's due orders, asked one after the other on one
/// blocking thread (not one hand-over to a thread per order). A call that panics is that
/// order's error, as it is with `checkout::call`.
async fn statuses(
    app: &App,
    due: Vec<store::Due>,
) -> Result<Vec<(store::Due, Result<Status, AppError>)>, AppError> {
    let Some(p) = app.payments.clone() else {
        return Ok(Vec::new());
    };
    tokio::task::spawn_blocking(move || {
        due.into_iter()
            .map(|d| {
                let pos = d.position();
                let answer = std::panic::catch_unwind(AssertUnwindSafe(|| p.status(&pos)))
                    .map_err(|_| AppError::internal("il controllo del pagamento si è interrotto"))
                    .and_then(|r| r.map_err(super::checkout::failure));
                (d, answer)
            })
            .collect()
    })
    .await
    .map_err(AppError::internal)
}

/// Applies the provider's answer about one pending order, and gives it back for `backoff`
/// (which changes nothing once the order has left `pending`).
async fn check(
    app: &App,
    d: store::Due,
    answer: Result<Status, AppError>,
) -> Option<store::Backoff> {
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
        // Applied; an order it left pending (a flagged payment, a receipt not yet readable)
        // backs off like an unanswered one — `store::backoff` touches only an order still
        // pending with the check time that was read, so a completed one is left alone.
        Ok(status) => match sync(app, id, d.position(), status).await {
            Ok(_) => Some(backoff(None)),
            Err(e) => {
                tracing::warn!("ordine {id}: {e}");
                Some(backoff(Some(e.chain())))
            }
        },
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
    crate::failpoint::hit("poll.sync").await;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::state::State;
    use crate::payments::notice::NoticeNumber;
    use crate::payments::provider::{NewPosition, Provider};

    const CF: &str = "RSSMRA80A01A182N";

    /// A pending order of patient 1 on a new sandbox position, its next check at `next`.
    async fn pending(app: &App, base: u64, next: i64) -> (i64, Position) {
        let notice = NoticeNumber::new("01", base).unwrap();
        let position = app
            .payments
            .as_ref()
            .unwrap()
            .create(&NewPosition {
                proposed: &notice,
                amount_cents: 2200,
                causale: "Download documenti clinici",
                due: crate::ui::time::today(),
                payer_cf: CF,
                payer_given: "Mario",
                payer_family: "Rossi",
                payer_email: "mario@example.it",
            })
            .unwrap();
        let made = position.clone();
        let id = app
            .db
            .write(move |tx| {
                let terms = store::Terms {
                    causale: "Download documenti clinici",
                    provider: "sandbox",
                    provider_name: "Piemonte Pay",
                    payee: "ASL",
                    vat_pct: 0,
                };
                let number = store::create(tx, 1, &[1], &terms, 0)?;
                let id = store::get(tx, 1, &number)?.unwrap().id;
                let ev = Event::Confirm {
                    position: made,
                    amount_cents: 2200,
                    due_at: i64::MAX / 2,
                    next_check_at: next,
                };
                apply(tx, id, &ev, 0)?;
                Ok(id)
            })
            .await
            .unwrap();
        (id, position)
    }

    /// (state, checks, next_check_at, last_check_error, receipt)
    type Row = (String, i64, Option<i64>, Option<String>, Option<String>);

    async fn row(app: &App, id: i64) -> Row {
        app.db
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT state, checks, next_check_at, last_check_error, receipt FROM orders WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )?)
            })
            .await
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_round_backs_off_the_unpaid_orders_and_applies_what_changed() {
        let dir = std::env::temp_dir().join(format!("cds-poller-round-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let env: Vec<(String, String)> = [
            ("CDS_SANDBOX", "true"),
            ("CDS_PAYMENTS_PROVIDER", "sandbox"),
            ("CDS_PAYMENTS_SANDBOX_CONFIRM_SECS", "0"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mut config = crate::config::Config::load(None, &env).unwrap();
        config.data_dir = dir.clone();
        let db = crate::cli::init(&config).unwrap();
        let secret = db
            .write(|tx| Ok(crate::db::server_secret(tx)?))
            .await
            .unwrap();
        db.write(|tx| {
            tx.execute(
                "INSERT INTO patients (codice_fiscale, given_name, family_name, created_at) VALUES (?1, 'Mario', 'Rossi', 0)",
                [CF],
            )?;
            let doc = crate::documents::store::NewDocument {
                patient_id: 1,
                category: "Cartella clinica",
                title: "Cartella",
                exchanged_at: 0,
                source_kind: "pdf",
                source_ref: "c.pdf",
                price_cents: 2200,
            };
            crate::documents::store::insert(tx, &doc, 0)?;
            Ok(())
        })
        .await
        .unwrap();
        let app = App::new(config, db, secret).unwrap();
        let now = app.now();
        let (unpaid, _) = pending(&app, 1, now - 1).await;
        let (paid, p) = pending(&app, 2, now - 1).await;
        let (cancelled, c) = pending(&app, 3, now - 1).await;
        let (later, _) = pending(&app, 4, now + 60).await;
        // Paid with an amount that is not the order's: flagged, it stays pending.
        let (wrong, w) = pending(&app, 5, now - 1).await;
        app.db
            .write(move |tx| {
                Ok(tx.execute(
                    "UPDATE orders SET total_cents = 1000 WHERE id = ?1",
                    [wrong],
                )?)
            })
            .await
            .unwrap();
        let sandbox = app.sandbox_payments.clone().unwrap();
        assert!(sandbox.pay(&p.notice_number, CF).unwrap());
        assert!(sandbox.pay(&w.notice_number, CF).unwrap());
        sandbox.cancel(&c).unwrap();

        round(&app, false).await.unwrap();
        // Still unpaid: the next check poll_first_secs later, the check counted.
        let (state, checks, next, error, _) = row(&app, unpaid).await;
        assert_eq!((state.as_str(), checks, error), ("pending", 1, None));
        let next = next.unwrap();
        assert!((now + 5..=app.now() + 5).contains(&next), "{next} vs {now}");
        // Paid: completed with the receipt; cancelled by the ente: cancelled (and watched).
        let (state, .., receipt) = row(&app, paid).await;
        assert_eq!(state, State::Completed.as_str());
        assert!(receipt.is_some_and(|r| r.starts_with("IUR SBX")));
        assert_eq!(row(&app, cancelled).await.0, State::Cancelled.as_str());
        // The flagged one stays pending and waits like an unpaid one (it was asked again
        // at every round, once a second).
        let (state, checks, next, ..) = row(&app, wrong).await;
        assert_eq!((state.as_str(), checks), ("pending", 1));
        assert!(next.unwrap() >= now + 5, "backed off");
        // Not due yet: not asked.
        assert_eq!(row(&app, later).await.1, 0);
        // The next round finds nothing due.
        round(&app, false).await.unwrap();
        assert_eq!(row(&app, unpaid).await.1, 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
