//! Reconciliation with the payment provider: once a day (`schedule`), on demand from the
//! command line (`cds-portal reconcile [--days N]`) and from the back office ("Riconcilia
//! ora"), the provider is asked again about every order of the last N days that may still
//! disagree with it:
//! - pending and failed orders: their status, applied as the poller applies it
//!   (`orders::poller::sync`: paid → completed with the receipt, failed, cancelled, expired);
//! - drafts whose Conferma was cut short (a notice reserved, untouched for
//!   `reconcile::RESUME_AFTER_SECS`): finished (`checkout::finish_confirm`);
//! - a "Ripeti Pagamento" cut short (its notice reserved, untouched for
//!   `reconcile::RESUME_AFTER_SECS`): finished, or its position cancelled when the order is
//!   no longer failed (`orders::retry::resume_retries`; logged, not in the report);
//! - completed orders without a receipt: the receipt is asked for and stored;
//! - cancelled and expired orders that have a notice: a payment that still arrived is
//!   **flagged** by the state machine, never completes the order; a position still payable
//!   is cancelled again (`reconcile::cancel_again`).
//!
//! Nothing here changes an order's state by itself: every move goes through
//! `orders::state::apply`, so a run racing the poller (or another run) changes nothing twice.
//! A provider error on one order is counted and reported, changes nothing, and the run goes
//! on. Orders are read in keyset pages. Each run is one row of `reconciliations` with its
//! figures and its report: one line per order changed, flagged or in error — the order's
//! number, its state before and after, what the provider said; never a name, a codice
//! fiscale or a title.

mod check;
pub mod schedule;
pub mod store;

use super::checkout::provider;
use super::state::State;
use crate::app::App;
use crate::error::{AppError, Kind};
use check::{Verdict, one};
use std::sync::atomic::{AtomicBool, Ordering};

/// The most days a run may look back.
pub const MAX_DAYS: i64 = 3650;
/// Orders read at a time.
const PAGE: i64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Daily,
    Cli,
    Operator,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Daily => "daily",
            Trigger::Cli => "cli",
            Trigger::Operator => "operator",
        }
    }

    /// As the back office and the report say it.
    pub fn label(s: &str) -> &'static str {
        match s {
            "daily" => "giornaliera",
            "cli" => "da riga di comando",
            _ => "dal back office",
        }
    }
}

/// What a run found: its figures and the report's lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub id: i64,
    pub days: i64,
    pub checked: i64,
    pub unchanged: i64,
    pub changed: i64,
    pub errors: i64,
    pub flagged: i64,
    pub lines: Vec<String>,
}

impl Summary {
    /// The figures on one line (the command prints it first).
    pub fn line(&self) -> String {
        format!(
            "Riconciliazione n. {} (ordini degli ultimi {} giorni): controllati {}, invariati {}, modificati {}, segnalati {}, errori {}",
            self.id,
            self.days,
            self.checked,
            self.unchanged,
            self.changed,
            self.flagged,
            self.errors
        )
    }
}

/// One run at a time in this process (the daily one and "Riconcilia ora"); a run of the
/// command line in another process is safe anyway (every move is guarded by its state).
static RUNNING: AtomicBool = AtomicBool::new(false);

/// Held while a run goes on in this process.
pub struct Exclusive(());

impl Drop for Exclusive {
    fn drop(&mut self) {
        RUNNING.store(false, Ordering::SeqCst);
    }
}

/// `None` while another run of this process goes on.
pub fn exclusive() -> Option<Exclusive> {
    RUNNING
        .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
        .then_some(Exclusive(()))
}

/// Records a new run (the daily schedule counts it from now); `process` does it.
pub async fn start(app: &App, trigger: Trigger, days: i64) -> Result<i64, AppError> {
    provider(app)?;
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(AppError::bad_request(format!(
            "giorni da riconciliare: da 1 a {MAX_DAYS}"
        )));
    }
    let now = app.now();
    app.db
        .write(move |tx| Ok(store::insert(tx, trigger, days, now)?))
        .await
}

/// A whole run: recorded, done, its figures and report saved.
pub async fn run(app: &App, trigger: Trigger, days: i64) -> Result<Summary, AppError> {
    let id = start(app, trigger, days).await?;
    process(app, id, days).await
}

/// Asks the provider about the orders of the last `days` days, a page at a time, and saves
/// the figures and the report on the run `id`.
pub async fn process(app: &App, id: i64, days: i64) -> Result<Summary, AppError> {
    let now = app.now();
    let since = now - days * 86_400;
    let resumable = now - super::reconcile::RESUME_AFTER_SECS;
    // A Ripeti Pagamento cut short: finished, or its position cancelled (`orders::retry`).
    super::retry::resume_retries(app, resumable).await?;
    let mut s = Summary {
        id,
        days,
        ..Summary::default()
    };
    let mut after = (since, 0);
    loop {
        let page = app
            .db
            .read(move |c| Ok(store::candidates(c, since, after, resumable, PAGE)?))
            .await?;
        for o in &page {
            let verdict = one(app, o).await;
            let line = match &verdict {
                Verdict::Unchanged => None,
                Verdict::Changed(said) => Some(("modificato", said)),
                Verdict::Flagged(said) => Some(("segnalato", said)),
                Verdict::Error(said) => Some(("errore", said)),
            };
            if let Some((kind, said)) = line {
                let oid = o.id;
                let now_state = app
                    .db
                    .read(move |c| Ok(super::store::by_id(c, oid)?.state))
                    .await
                    .unwrap_or(o.state);
                s.lines
                    .push(report_line(&o.number, kind, o.state, now_state, said));
            }
            s.checked += 1;
            match verdict {
                Verdict::Unchanged => s.unchanged += 1,
                Verdict::Changed(_) => s.changed += 1,
                Verdict::Flagged(_) => s.flagged += 1,
                Verdict::Error(_) => s.errors += 1,
            }
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = (last.created_at, last.id),
            _ => break,
        }
    }
    let (saved, finished) = (s.clone(), app.now());
    app.db
        .write(move |tx| Ok(store::finish(tx, &saved, finished)?))
        .await?;
    Ok(s)
}

/// `number · kind · before → after · what the provider said`.
fn report_line(number: &str, kind: &str, before: State, after: State, said: &str) -> String {
    format!(
        "{number} · {kind} · {} → {} · {}",
        before.label(),
        after.label(),
        clean(said)
    )
}

/// What goes into a report line from outside (a provider's message): one line, at most 300
/// characters, and anything shaped like a codice fiscale masked.
fn clean(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect();
    let mut out = String::with_capacity(flat.len());
    let mut word = String::new();
    for c in flat.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() {
            word.push(c);
            continue;
        }
        out.push_str(if looks_like_cf(&word) { "[CF]" } else { &word });
        word.clear();
        out.push(c);
    }
    out.pop();
    out
}

/// Sixteen letters and digits with letters where a codice fiscale has them.
fn looks_like_cf(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 16
        && [0, 1, 2, 3, 4, 5, 8, 11, 15]
            .iter()
            .all(|&i| b[i].is_ascii_alphabetic())
}

/// `--days N` of `cds-portal reconcile`.
pub fn days(s: &str) -> Result<i64, AppError> {
    s.parse::<i64>()
        .ok()
        .filter(|n| (1..=MAX_DAYS).contains(n))
        .ok_or_else(|| AppError::bad_request(format!("--days: da 1 a {MAX_DAYS} giorni")))
}

/// `cds-portal reconcile [--days N]`: one run now (trigger 'cli'), also next to a running
/// server on the same data folder (SQLite WAL, busy timeout; every move guarded by its
/// state), the report on stdout. Provider errors on some orders are in the report and
/// said at the end; the exit code is then still 0.
pub fn once(config: crate::config::Config, days: Option<i64>) -> Result<(), AppError> {
    crate::log::init(&config.log);
    crate::failpoint::init(config.production);
    let days = days.unwrap_or(config.payments.reconcile_days);
    let (runtime, app) = crate::cli::one_shot(config)?;
    if app.payments.is_none() {
        return Err(AppError::new(
            Kind::Unavailable,
            "nessun fornitore di pagamento configurato (payments.provider): nulla da riconciliare",
        ));
    }
    let result = runtime.block_on(run(&app, Trigger::Cli, days));
    crate::log::flush();
    let s = result?;
    println!("{}", s.line());
    for l in &s.lines {
        println!("{l}");
    }
    if s.errors > 0 {
        println!(
            "Attenzione: {} ordini non controllati per un errore (vedi le righe «errore»): la prossima riconciliazione li riprova.",
            s.errors
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_line_never_holds_a_codice_fiscale_nor_a_second_line() {
        let l = report_line(
            "0123456789abcdef0123456789abcdef",
            "errore",
            State::Pending,
            State::Pending,
            "rifiutato per RSSMRA80A01A182N\nriga due",
        );
        assert_eq!(
            l,
            "0123456789abcdef0123456789abcdef · errore · IN ATTESA DI PAGAMENTO → IN ATTESA DI PAGAMENTO · rifiutato per [CF] riga due"
        );
        assert_eq!(clean(&"x".repeat(500)).len(), 300);
        assert_eq!(
            clean("IUR SBX0001 · PSP Sandbox"),
            "IUR SBX0001 · PSP Sandbox"
        );
    }

    #[test]
    fn one_run_at_a_time_in_a_process() {
        let first = exclusive().expect("free");
        assert!(exclusive().is_none());
        drop(first);
        assert!(exclusive().is_some());
    }

    #[test]
    fn the_summary_line_has_every_figure() {
        let s = Summary {
            id: 4,
            days: 7,
            checked: 5,
            unchanged: 2,
            changed: 1,
            errors: 1,
            flagged: 1,
            lines: vec![],
        };
        assert_eq!(
            s.line(),
            "Riconciliazione n. 4 (ordini degli ultimi 7 giorni): controllati 5, invariati 2, modificati 1, segnalati 1, errori 1"
        );
    }
}
