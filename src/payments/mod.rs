//! pagoPA: notice numbers now; the printed notice, the payment providers (sandbox,
//! PiemontePay, GPD) and the order payments arrive with the cartella clinica issue.

pub mod notice;
