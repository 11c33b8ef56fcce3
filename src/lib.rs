//! CDS Portal: one binary with which an ASL lets its patients collect clinical documents
//! and diagnostic images online. See README.md and ../shared/docs/DESIGN.md.
#![deny(clippy::await_holding_lock)]

pub(crate) mod api;
pub(crate) mod app;
pub(crate) mod archive_sync;
pub(crate) mod audit;
pub(crate) mod auth;
pub mod cli;
pub(crate) mod config;
pub(crate) mod crypto;
pub(crate) mod db;
pub(crate) mod demo;
pub(crate) mod documents;
pub(crate) mod error;
pub(crate) mod failpoint;
/// Fuzz targets (properties of the parsers), for `fuzz/` and the bounded run in the tests.
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod http;
pub(crate) mod i18n;
pub(crate) mod kiosk;
pub(crate) mod log;
pub(crate) mod manual;
pub(crate) mod operator;
pub(crate) mod ops;
pub(crate) mod orders;
pub(crate) mod packaging;
pub(crate) mod pages;
pub(crate) mod patients;
pub mod payments;
pub(crate) mod pdf;
pub(crate) mod public_id;
pub(crate) mod recovery;
pub(crate) mod retention;
pub(crate) mod shares;
pub(crate) mod sms;
pub(crate) mod support;
pub(crate) mod ui;

/// The route list (pattern, methods) the route × role and CSRF tables of `tests/it` walk.
pub use http::routes::{NOT_A_ROUTE, routes};
