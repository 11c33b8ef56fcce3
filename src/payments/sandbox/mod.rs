//! The embedded pagoPA sandbox: a small "regional payment portal" for the demo and the tests.
//! It keeps its positions in its own SQLite file (it plays another system), serves the pages
//! under `/sandbox/pagamenti` (paste the Identificativo ticket and the codice fiscale, "Cerca",
//! "PAGA SUBITO" or a failure) and confirms a payment only `confirm_secs` after "PAGA SUBITO",
//! so the portal's polling is really exercised.

pub mod pages;

use super::provider::{Cancelled, NewPosition, Position, Provider, ProviderError, Receipt, Status};
use crate::error::{AppError, Context};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::Mutex;

pub const PATH: &str = "/sandbox/pagamenti";

pub struct Sandbox {
    conn: Mutex<Connection>,
    payee: String,
    ente_cf: String,
    confirm_secs: i64,
}

/// A position as the sandbox portal shows it.
#[derive(Debug, Clone)]
pub struct Found {
    pub notice_number: String,
    pub payer_cf: String,
    pub payee: String,
    pub ente_cf: String,
    pub payer_name: String,
    pub causale: String,
    pub amount_cents: i64,
    pub due_day: String,
    pub state: String,
    pub failure: Option<String>,
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn today() -> String {
    crate::ui::time::today().to_string()
}

impl Sandbox {
    pub fn open(
        path: &Path,
        payee: &str,
        ente_cf: &str,
        confirm_secs: i64,
    ) -> Result<Sandbox, AppError> {
        let what = || format!("sandbox pagoPA {}", path.display());
        let conn = Connection::open(path).context(what())?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .context(what())?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE IF NOT EXISTS positions (
                notice_number TEXT PRIMARY KEY,
                iuv           TEXT NOT NULL,
                payer_cf      TEXT NOT NULL,
                payer_name    TEXT NOT NULL,
                payer_email   TEXT NOT NULL,
                causale       TEXT NOT NULL,
                amount_cents  INTEGER NOT NULL,
                due_day       TEXT NOT NULL,
                state         TEXT NOT NULL CHECK (state IN ('unpaid', 'processing', 'paid', 'failed', 'cancelled')),
                failure       TEXT,
                failed_at     INTEGER,
                confirm_at    INTEGER,
                paid_at       INTEGER,
                iur           TEXT,
                created_at    INTEGER NOT NULL
             ) STRICT;",
        )
        .context(format!("{}", path.display()))?;
        Ok(Sandbox {
            conn: Mutex::new(conn),
            payee: payee.into(),
            ente_cf: ente_cf.into(),
            confirm_secs,
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, ProviderError> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| ProviderError::Unavailable("sandbox bloccata".into()))?;
        f(&conn).map_err(|e| ProviderError::Unavailable(e.to_string()))
    }

    /// "Cerca": the position with this code for this debtor (both must match).
    pub fn find(&self, notice: &str, payer_cf: &str) -> Result<Option<Found>, ProviderError> {
        let (payee, ente_cf) = (self.payee.clone(), self.ente_cf.clone());
        self.with(|c| {
            c.query_row(
                "SELECT notice_number, payer_name, causale, amount_cents, due_day, state, failure, payer_cf
                 FROM positions WHERE notice_number = ?1 AND payer_cf = ?2",
                params![notice, payer_cf],
                |r| {
                    Ok(Found {
                        notice_number: r.get(0)?,
                        payee,
                        ente_cf,
                        payer_name: r.get(1)?,
                        causale: r.get(2)?,
                        amount_cents: r.get(3)?,
                        due_day: r.get(4)?,
                        state: r.get(5)?,
                        failure: r.get(6)?,
                        payer_cf: r.get(7)?,
                    })
                },
            )
            .optional()
        })
    }

    /// "PAGA SUBITO": the payment is processing; the provider reports it paid after
    /// `confirm_secs`. False when the position cannot be paid (paid, processing, cancelled, past due).
    pub fn pay(&self, notice: &str, payer_cf: &str) -> Result<bool, ProviderError> {
        let (now, today, delay) = (now(), today(), self.confirm_secs);
        self.with(|c| {
            Ok(c.execute(
                "UPDATE positions SET state = 'processing', confirm_at = ?3, failure = NULL
                 WHERE notice_number = ?1 AND payer_cf = ?2 AND state IN ('unpaid', 'failed') AND due_day >= ?4",
                params![notice, payer_cf, now + delay, today],
            )? > 0)
        })
    }

    /// "Simula un pagamento non riuscito": the attempt fails; the position stays payable.
    pub fn fail(&self, notice: &str, payer_cf: &str) -> Result<bool, ProviderError> {
        self.with(|c| {
            Ok(c.execute(
                "UPDATE positions SET state = 'failed', failed_at = ?3,
                   failure = 'Pagamento rifiutato dal prestatore di servizi di pagamento'
                 WHERE notice_number = ?1 AND payer_cf = ?2 AND state IN ('unpaid', 'failed')",
                params![notice, payer_cf, now()],
            )? > 0)
        })
    }
}

impl Provider for Sandbox {
    fn create(&self, p: &NewPosition) -> Result<Position, ProviderError> {
        let n = p.proposed;
        let name = format!("{} {}", p.payer_given, p.payer_family);
        self.with(|c| {
            c.execute(
                "INSERT INTO positions (notice_number, iuv, payer_cf, payer_name, payer_email, causale, amount_cents,
                   due_day, state, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'unpaid', ?9)
                 ON CONFLICT (notice_number) DO NOTHING",
                params![n.as_str(), n.iuv(), p.payer_cf, name, p.payer_email, p.causale, p.amount_cents,
                    p.due.to_string(), now()],
            )
        })?;
        Ok(Position {
            notice_number: n.as_str().to_string(),
            iuv: n.iuv().to_string(),
            provider_ref: String::new(),
        })
    }

    fn payment_url(&self, _p: &Position, return_url: &str) -> Result<String, ProviderError> {
        // The patient pastes the Identificativo ticket there, as on the regional portal.
        Ok(format!(
            "{PATH}?ritorno={}",
            crate::http::req::encode(return_url)
        ))
    }

    fn status(&self, p: &Position) -> Result<Status, ProviderError> {
        let (now, today) = (now(), today());
        let notice = p.notice_number.clone();
        self.with(|c| {
            // A processing payment whose delay has passed is paid now, once.
            c.execute(
                "UPDATE positions SET state = 'paid', paid_at = confirm_at,
                   iur = 'SBX' || substr(notice_number, 6) || printf('%06d', confirm_at % 1000000)
                 WHERE notice_number = ?1 AND state = 'processing' AND confirm_at <= ?2",
                params![notice, now],
            )?;
            let row: Option<(String, String, Option<String>, Option<i64>)> = c
                .query_row(
                    "SELECT state, due_day, failure, failed_at FROM positions WHERE notice_number = ?1",
                    [&notice],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            Ok(match row {
                None => Status::Cancelled,
                Some((state, due, failure, failed_at)) => match state.as_str() {
                    "paid" => Status::Paid,
                    "cancelled" => Status::Cancelled,
                    "processing" => Status::Unpaid,
                    _ if due < today => Status::Expired,
                    "failed" => Status::Failed {
                        reason: failure.unwrap_or_default(),
                        at: failed_at.unwrap_or(0),
                    },
                    _ => Status::Unpaid,
                },
            })
        })
    }

    fn cancel(&self, p: &Position) -> Result<Cancelled, ProviderError> {
        let notice = p.notice_number.clone();
        self.with(|c| {
            let n = c.execute(
                "UPDATE positions SET state = 'cancelled' WHERE notice_number = ?1 AND state IN ('unpaid', 'failed')",
                [&notice],
            )?;
            if n > 0 {
                return Ok(Cancelled::Done);
            }
            let state: Option<String> = c
                .query_row(
                    "SELECT state FROM positions WHERE notice_number = ?1",
                    [&notice],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(match state.as_deref() {
                None => Cancelled::NotFound,
                Some("paid" | "processing") => Cancelled::Paid,
                Some(_) => Cancelled::Done,
            })
        })
    }

    fn receipt(&self, p: &Position) -> Result<Receipt, ProviderError> {
        let notice = p.notice_number.clone();
        let found = self.with(|c| {
            c.query_row(
                "SELECT iur, paid_at, amount_cents FROM positions WHERE notice_number = ?1 AND state = 'paid'",
                [&notice],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)),
            )
            .optional()
        })?;
        let (iur, paid_at, amount_cents) =
            found.ok_or_else(|| ProviderError::Refused("posizione non pagata".into()))?;
        Ok(Receipt {
            iur,
            psp: "PSP Sandbox".into(),
            paid_at,
            amount_cents,
        })
    }
}
