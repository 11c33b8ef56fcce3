//! The payment provider behind one trait: create a debt position, give the payment portal's
//! URL, tell a position's status, give the receipt, cancel a position. Calls are blocking (the real providers
//! speak HTTP through ureq); callers run them on blocking threads.
//!
//! The trait fits the two real providers of SPECS.md §3: PiemontePay makes its own IUV and
//! returns the codice avviso (so `create` returns the notice actually used), GPD takes ours
//! (`proposed`) and names the position by an `iupd` (kept as `provider_ref`).
//! PiemontePay keeps our proposed notice as its `identificativoPagamento` (`provider_ref`), the
//! key that makes a repeated creation return the same position.

use std::fmt;

/// What the portal asks the provider to collect.
pub struct NewPosition<'a> {
    /// The notice number the portal made from its IUV sequence.
    pub proposed: &'a super::notice::NoticeNumber,
    pub amount_cents: i64,
    /// The payment's reason: never a clinical detail.
    pub causale: &'a str,
    pub due: jiff::civil::Date,
    pub payer_cf: &'a str,
    pub payer_given: &'a str,
    pub payer_family: &'a str,
    pub payer_email: &'a str,
}

/// A debt position as the provider knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub notice_number: String,
    pub iuv: String,
    /// The provider's own name for it (GPD iupd); empty when the IUV is enough.
    pub provider_ref: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Not paid yet (or a payment is still being processed).
    Unpaid,
    Paid,
    /// The last attempt failed (at unix time `at`); the position can still be paid.
    Failed {
        reason: String,
        at: i64,
    },
    /// Cancelled by the creditor: can no longer be paid.
    Cancelled,
    /// Past its due date: can no longer be paid.
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// Identificativo univoco di riscossione.
    pub iur: String,
    pub psp: String,
    pub paid_at: i64,
    pub amount_cents: i64,
}

impl Receipt {
    /// One line for the order: what an operator needs to match a bank statement.
    pub fn summary(&self) -> String {
        format!("IUR {} · PSP {}", self.iur, self.psp)
    }
}

/// What `cancel` found at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancelled {
    /// Cancelled now, or it already was (or had expired): it can no longer be paid.
    Done,
    /// The provider has no such position (its creation never reached it).
    NotFound,
    /// Paid, or a payment is under way: it cannot be cancelled.
    Paid,
}

#[derive(Debug)]
pub enum ProviderError {
    /// The provider could not be reached or did not answer in time: try again later.
    Unavailable(String),
    /// The provider answered with a refusal or an answer we cannot read.
    Refused(String),
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProviderError::Unavailable(s) => write!(f, "fornitore non raggiungibile: {s}"),
            ProviderError::Refused(s) => write!(f, "risposta del fornitore: {s}"),
        }
    }
}

impl std::error::Error for ProviderError {}

impl ProviderError {
    /// What the patient reads (the provider's own words go to the log only).
    pub fn for_patient(&self) -> crate::i18n::Msg {
        match self {
            ProviderError::Unavailable(_) => super::text::UNAVAILABLE,
            ProviderError::Refused(_) => super::text::REFUSED,
        }
    }
}

pub trait Provider: Send + Sync {
    /// Creates the debt position. Must be safe to call again with the same notice number
    /// after a timeout (the provider answers with the same position or a duplicate error).
    fn create(&self, p: &NewPosition) -> Result<Position, ProviderError>;
    /// Where "Procedi" sends the patient; `return_url` is where the portal sends them back.
    fn payment_url(&self, p: &Position, return_url: &str) -> Result<String, ProviderError>;
    fn status(&self, p: &Position) -> Result<Status, ProviderError>;
    fn receipt(&self, p: &Position) -> Result<Receipt, ProviderError>;
    /// Cancels the position so it can no longer be paid (an order given up before it was
    /// paid). Safe to repeat: an already cancelled position is `Done`.
    fn cancel(&self, p: &Position) -> Result<Cancelled, ProviderError>;
    /// The provider's own printed notice (PDF), when it offers one; `None` = the portal
    /// prints its own (`payments::avviso`).
    fn notice_pdf(&self, _p: &Position) -> Result<Option<Vec<u8>>, ProviderError> {
        Ok(None)
    }
}

/// The end of a position's last day, 23:59:59 in Rome.
fn day_end(day: jiff::civil::Date) -> Option<jiff::Zoned> {
    day.at(23, 59, 59, 0)
        .to_zoned(crate::ui::time::rome().clone())
        .ok()
}

/// The last day of a position as PiemontePay wants it: Rome's time with its offset
/// (`2026-12-29T23:59:59+01:00`).
pub fn due_date_time(day: jiff::civil::Date) -> String {
    day_end(day)
        .map(|z| z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
        .unwrap_or_else(|| format!("{day}T23:59:59Z"))
}

/// The same instant in UTC with `Z`, as GPD wants it (it reads a Java LocalDateTime and
/// refuses other offsets): `2026-12-29T22:59:59.000Z`.
pub fn due_date_time_utc(day: jiff::civil::Date) -> String {
    day_end(day)
        .map(|z| z.timestamp().strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string())
        .unwrap_or_else(|| format!("{day}T23:59:59.000Z"))
}

/// A provider's date-time as unix seconds: RFC 3339, or a civil time in `zone` (PiemontePay
/// writes Rome's, GPD UTC without an offset).
pub fn parse_time(s: &str, zone: &jiff::tz::TimeZone) -> Option<i64> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Some(t.as_second());
    }
    let civil: jiff::civil::DateTime = s.parse().ok()?;
    civil
        .to_zoned(zone.clone())
        .ok()
        .map(|z| z.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_dates_in_rome_and_in_utc_and_provider_times_read_back() {
        let winter = jiff::civil::date(2026, 12, 29);
        assert_eq!(due_date_time(winter), "2026-12-29T23:59:59+01:00");
        assert_eq!(due_date_time_utc(winter), "2026-12-29T22:59:59.000Z");
        let summer = jiff::civil::date(2026, 7, 1);
        assert_eq!(due_date_time(summer), "2026-07-01T23:59:59+02:00");
        assert_eq!(due_date_time_utc(summer), "2026-07-01T21:59:59.000Z");
        let utc = jiff::tz::TimeZone::UTC;
        let rome = crate::ui::time::rome();
        let t = parse_time("2026-12-29T03:32:54.123", &utc).unwrap();
        assert_eq!(t, parse_time("2026-12-29T03:32:54Z", &utc).unwrap());
        assert_eq!(parse_time("2026-12-29T04:32:54", rome), Some(t));
        assert_eq!(parse_time("2026-12-29T04:32:54+01:00", &utc), Some(t));
        assert_eq!(parse_time("ieri", rome), None);
    }
}
