//! The cartella clinica purchase: the cart, orders and their states, checkout through the
//! payment provider, the "Ordini" and "Dashboard" pages, the status poller and the
//! reconciliation with the provider.

pub mod cart;
pub mod cart_store;
mod cart_views;
mod checkout;
pub mod dashboard;
#[cfg(test)]
mod english;
pub mod pages;
pub mod poller;
pub mod reconcile;
pub mod reconciliation;
pub mod retry;
pub mod state;
pub mod store;
pub mod text;
pub(crate) mod views;

/// What `/ordini/<number>/<action>` asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The order's page.
    Show,
    /// The status fragment pending orders poll.
    Status,
    /// "Acquista ora": both consents.
    Buy,
    /// "Conferma": payer fields, then the provider creates the debt position.
    Confirm,
    /// "Scarica Avviso di Pagamento" (PDF).
    Notice,
    /// "Procedi": to the payment portal.
    Pay,
    /// "Ripeti Pagamento".
    Retry,
    /// "Annulla ordine" (before confirmation).
    Cancel,
}

impl Action {
    pub fn decode(s: &str) -> Option<Action> {
        Some(match s {
            "" => Action::Show,
            "stato" => Action::Status,
            "acquista" => Action::Buy,
            "conferma" => Action::Confirm,
            "avviso" => Action::Notice,
            "paga" => Action::Pay,
            "ripeti" => Action::Retry,
            "annulla" => Action::Cancel,
            _ => return None,
        })
    }

    pub fn is_post(self) -> bool {
        matches!(
            self,
            Action::Buy | Action::Confirm | Action::Pay | Action::Retry | Action::Cancel
        )
    }

    /// Label for metrics.
    pub fn name(self) -> &'static str {
        match self {
            Action::Show => "order",
            Action::Status => "order_status",
            Action::Buy => "order_buy",
            Action::Confirm => "order_confirm",
            Action::Notice => "order_notice",
            Action::Pay => "order_pay",
            Action::Retry => "order_retry",
            Action::Cancel => "order_cancel",
        }
    }
}

/// An order that is not the patient's.
pub const NOT_FOUND: crate::i18n::Msg = text::NOT_FOUND;
