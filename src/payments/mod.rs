//! pagoPA: notice numbers (SPECS.md §1), the printed notice (§2), and the payment providers
//! behind one trait (§3): the embedded sandbox now, PiemontePay and GPD with their own issue.

pub(crate) mod avviso;
pub mod notice;
pub(crate) mod provider;
pub(crate) mod sandbox;
