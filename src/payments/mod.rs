//! pagoPA: notice numbers and the printed notice now; the payment providers (sandbox,
//! PiemontePay, GPD) and the order payments arrive with the cartella clinica issue.

pub mod avviso;
pub mod notice;
