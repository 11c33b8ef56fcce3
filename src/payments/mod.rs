//! pagoPA: notice numbers (SPECS.md §1), the printed notice (§2), and the payment providers
//! behind one trait (§3): the embedded sandbox, PiemontePay and pagoPA GPD.

pub(crate) mod avviso;
pub(crate) mod gpd;
pub(crate) mod http;
pub mod notice;
pub(crate) mod piemontepay;
pub(crate) mod provider;
mod resolver;
pub(crate) mod sandbox;
pub mod text;
