//! Patient registry: codice fiscale and mobile number rules, and the patients table.

pub mod codice_fiscale;
pub mod phone;
pub mod store;
pub mod text;

pub use codice_fiscale::CodiceFiscale;
