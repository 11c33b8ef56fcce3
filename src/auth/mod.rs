//! Authentication: PIN login, new PIN by SMS, sessions, throttling; SPID/CIE entry points.

pub mod hashing;
pub mod identity;
pub mod pin_login;
pub mod pin_reset;
pub mod sessions;
pub mod throttle;
mod views;

/// Where a patient lands after login (the manual: Documenti Interscambiati, "Oggi").
pub const LANDING: &str = "/documenti-interscambiati";
