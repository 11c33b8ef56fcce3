//! Authentication: PIN login, new PIN by SMS, sessions, throttling; SPID/CIE through
//! OpenID Connect (and the demo's sandbox identity page).

pub mod hashing;
pub mod identity;
pub mod oidc;
pub mod pin_login;
pub mod pin_reset;
pub mod sessions;
pub mod store;
pub mod text;
pub mod throttle;
pub(crate) mod views;

/// Where a patient lands after login (the manual: Documenti Interscambiati, "Oggi").
pub const LANDING: &str = "/documenti-interscambiati";
