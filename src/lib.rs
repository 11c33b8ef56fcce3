//! CDS Portal: one binary with which an ASL lets its patients collect clinical documents
//! and diagnostic images online. See README.md and ../shared/docs/DESIGN.md.
#![deny(clippy::await_holding_lock)]

pub mod app;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod documents;
pub mod error;
pub mod failpoint;
pub mod http;
pub mod log;
pub mod manual;
pub mod ops;
pub mod orders;
pub mod packaging;
pub mod pages;
pub mod patients;
pub mod payments;
pub mod pdf;
pub mod public_id;
pub mod recovery;
pub mod sms;
pub mod support;
pub mod ui;
