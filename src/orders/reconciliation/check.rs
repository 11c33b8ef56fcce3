//! One order of a reconciliation: the provider asked, its answer applied through the same
//! paths as the poller's and the Conferma's, and what came of it.

use super::store::Candidate;
use crate::app::App;
use crate::error::AppError;
use crate::orders::checkout::{call, finish_confirm, provider};
use crate::orders::state::{Outcome, State};
use crate::payments::provider::{Cancelled, Status};

/// What came of one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    Unchanged,
    /// What the provider said, and what was done with it.
    Changed(String),
    Flagged(String),
    Error(String),
}

fn said(status: &Status) -> String {
    match status {
        Status::Unpaid => "non pagato".into(),
        Status::Paid => "pagato".into(),
        Status::Failed { reason, .. } => format!("pagamento non riuscito: {reason}"),
        Status::Cancelled => "avviso annullato".into(),
        Status::Expired => "avviso scaduto".into(),
    }
}

fn error(e: &AppError) -> String {
    let chain = e.chain();
    if chain.is_empty() {
        e.message.italian().to_string()
    } else {
        chain
    }
}

pub(super) async fn one(app: &App, o: &Candidate) -> Verdict {
    match o.state {
        State::Pending | State::Failed => status(app, o).await,
        State::Draft => match finish_confirm(app, o.id, "-").await {
            Ok(Outcome::Applied { .. }) => Verdict::Changed(format!(
                "posizione creata con l'avviso {} (conferma interrotta)",
                o.notice_number
            )),
            Ok(_) => Verdict::Unchanged,
            Err(e) => Verdict::Error(error(&e)),
        },
        State::Completed => receipt(app, o).await,
        State::Cancelled | State::Expired => closed(app, o).await,
    }
}

async fn ask(app: &App, o: &Candidate) -> Result<Status, AppError> {
    let p = provider(app)?;
    let pos = o.position();
    call(p, move |p| p.status(&pos)).await
}

/// A pending or failed order: its status, applied as the poller would.
async fn status(app: &App, o: &Candidate) -> Verdict {
    let status = match ask(app, o).await {
        Ok(Status::Unpaid) => return Verdict::Unchanged,
        Ok(s) => s,
        Err(e) => return Verdict::Error(error(&e)),
    };
    let said = said(&status);
    match crate::orders::poller::sync(app, o.id, o.position(), status).await {
        Ok(Outcome::Applied { .. }) => Verdict::Changed(said),
        Ok(Outcome::Flagged(why)) => Verdict::Flagged(format!("{said}; {why}")),
        Ok(Outcome::Duplicate | Outcome::Ignored) => Verdict::Unchanged,
        Err(e) => Verdict::Error(format!("{said}; {}", error(&e))),
    }
}

/// A completed order without a receipt: the provider's receipt, stored.
async fn receipt(app: &App, o: &Candidate) -> Verdict {
    let r = match provider(app) {
        Ok(p) => {
            let pos = o.position();
            call(p, move |p| p.receipt(&pos)).await
        }
        Err(e) => Err(e),
    };
    let r = match r {
        Ok(r) => r,
        Err(e) => return Verdict::Error(error(&e)),
    };
    let (id, now, summary) = (o.id, app.now(), r.summary());
    match app
        .db
        .write(move |tx| Ok(crate::orders::store::set_receipt(tx, id, &r, now)?))
        .await
    {
        Ok(true) => Verdict::Changed(format!("ricevuta {summary}")),
        Ok(false) => Verdict::Unchanged,
        Err(e) => Verdict::Error(error(&e)),
    }
}

/// A cancelled or expired order with a notice: a payment that still arrived is flagged by
/// the state machine; a position still payable is cancelled again.
async fn closed(app: &App, o: &Candidate) -> Verdict {
    match ask(app, o).await {
        Ok(Status::Paid) => status_paid(app, o).await,
        Ok(s @ (Status::Unpaid | Status::Failed { .. })) => {
            match crate::orders::reconcile::cancel_again(app, o.id, o.position()).await {
                Ok(Cancelled::Done | Cancelled::NotFound) => Verdict::Changed(format!(
                    "{}: avviso ancora pagabile per un ordine chiuso, annullato presso il fornitore",
                    said(&s)
                )),
                // A payment under way: the next look flags it when the provider reports it.
                Ok(Cancelled::Paid) => Verdict::Unchanged,
                Err(e) => Verdict::Error(error(&e)),
            }
        }
        Ok(Status::Cancelled | Status::Expired) => Verdict::Unchanged,
        Err(e) => Verdict::Error(error(&e)),
    }
}

async fn status_paid(app: &App, o: &Candidate) -> Verdict {
    match crate::orders::poller::sync(app, o.id, o.position(), Status::Paid).await {
        Ok(Outcome::Flagged(why)) => Verdict::Flagged(format!("pagato; {why}")),
        Ok(Outcome::Applied { .. }) => Verdict::Changed("pagato".into()),
        Ok(_) => Verdict::Unchanged,
        Err(e) => Verdict::Error(format!("pagato; {}", error(&e))),
    }
}
