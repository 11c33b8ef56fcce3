//! `[payments]`: the pagoPA provider, the creditor's data printed on the notice, and the
//! rhythm of the status poller.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Payments {
    /// "none" (orders cannot be paid online yet: the order page says so), "sandbox" (the
    /// embedded payment portal; needs sandbox = true, as the demo sets), "piemontepay" (the
    /// Region of Piedmont's intermediary: `[payments.piemontepay]`) or "gpd" (pagoPA's
    /// Gestione Posizioni Debitorie and Checkout: `[payments.gpd]`).
    pub provider: super::PaymentProvider,
    /// "Modalità di pagamento" as the patient sees it, e.g. "Piemonte Pay".
    pub provider_name: String,
    /// "Intestato a" and the creditor on the notice; empty = asl.name.
    pub payee: String,
    /// Codice fiscale of the creditor (ente creditore): 11 digits.
    pub ente_cf: String,
    /// Office printed on the notice ("settore/ufficio").
    pub office: String,
    /// CBILL code printed on the notice, if the ASL has one.
    pub cbill: String,
    /// Segregation code (2 digits) of the notice numbers (aux digit 3).
    pub segregation_code: String,
    /// The payment's reason: never a clinical detail (SPECS.md §2).
    pub causale: String,
    /// IVA on copies of the clinical record, in percent (shown as "IVA 0 %").
    pub vat_pct: i64,
    /// Days a debt position can be paid before the order is SCADUTO.
    pub due_days: i64,
    /// Hours an order not yet confirmed stays open before it is cancelled.
    pub draft_hours: i64,
    /// First check of a pending order after confirmation; each unanswered check doubles it.
    pub poll_first_secs: i64,
    /// Longest wait between two checks of a pending order.
    pub poll_max_secs: i64,
    /// Sandbox only: seconds between "PAGA SUBITO" and the confirmation the provider reports.
    pub sandbox_confirm_secs: i64,
    /// Reconciliation (`orders::reconciliation`): the orders of the last N days asked again.
    pub reconcile_days: i64,
    /// The hour (Europe/Rome, 0–23) of the daily reconciliation.
    pub reconcile_hour: i64,
    pub piemontepay: super::providers::PiemontePay,
    pub gpd: super::providers::Gpd,
    pub connection: super::providers::Connection,
}

impl Default for Payments {
    fn default() -> Self {
        Payments {
            provider: super::PaymentProvider::None,
            provider_name: "Piemonte Pay".into(),
            payee: String::new(),
            ente_cf: "00000000000".into(),
            office: "Ufficio Cartelle Cliniche".into(),
            cbill: String::new(),
            segregation_code: "01".into(),
            causale: "Download documenti clinici".into(),
            vat_pct: 0,
            due_days: 30,
            draft_hours: 24,
            poll_first_secs: 5,
            poll_max_secs: 600,
            sandbox_confirm_secs: 8,
            reconcile_days: 7,
            reconcile_hour: 3,
            piemontepay: Default::default(),
            gpd: Default::default(),
            connection: Default::default(),
        }
    }
}

impl Payments {
    pub fn validate(&self, sandbox: bool, errors: &mut Vec<String>) {
        use super::PaymentProvider as P;
        match self.provider {
            P::Sandbox if !sandbox => errors.push(
                "payments.provider = \"sandbox\" richiede sandbox = true (e non è ammesso in produzione)"
                    .into(),
            ),
            P::PiemontePay => self.piemontepay.validate(errors),
            P::Gpd => self.gpd.validate(errors),
            _ => {}
        }
        if matches!(self.provider, P::PiemontePay | P::Gpd) {
            self.connection.validate(errors);
            if self.ente_cf == Payments::default().ente_cf {
                errors.push(
                    "payments.ente_cf: da compilare con il codice fiscale dell'ente creditore (11 cifre)"
                        .into(),
                );
            }
        }
        if self.ente_cf.len() != 11 || !self.ente_cf.bytes().all(|b| b.is_ascii_digit()) {
            errors.push("payments.ente_cf: servono 11 cifre".into());
        }
        if crate::payments::notice::NoticeNumber::new(&self.segregation_code, 1).is_err() {
            errors.push("payments.segregation_code: servono 2 cifre".into());
        }
        if self.causale.trim().is_empty() || self.causale.chars().count() > 90 {
            errors.push("payments.causale: da 1 a 90 caratteri".into());
        }
        if !(0..=100).contains(&self.vat_pct)
            || self.due_days < 1
            || self.draft_hours < 1
            || self.poll_first_secs < 1
            || self.poll_max_secs < self.poll_first_secs
            || self.sandbox_confirm_secs < 0
        {
            errors.push(
                "payments: vat_pct 0–100, due_days e draft_hours ≥ 1, 1 ≤ poll_first_secs ≤ poll_max_secs"
                    .into(),
            );
        }
        if !(1..=crate::orders::reconciliation::MAX_DAYS).contains(&self.reconcile_days)
            || !(0..=23).contains(&self.reconcile_hour)
        {
            errors.push("payments: reconcile_days da 1 a 3650, reconcile_hour da 0 a 23".into());
        }
    }
}
