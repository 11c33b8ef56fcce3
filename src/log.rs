//! What the portal writes on stderr: `tracing` events, one line each (readable text or JSON
//! lines, `log.format`), filtered as `RUST_LOG` says (`log.filter` when it is not set). Every
//! request runs in a span with its id and route (`http::serve`), so whatever a handler logs
//! carries them. Never log a codice fiscale, a PIN, a token or any health data: callers
//! pass only ids, routes and outcomes.

use crate::config::{Log, LogFormat};
use tracing_subscriber::EnvFilter;

/// Installs the subscriber once; later calls (the demo, then the server) change nothing.
pub fn init(cfg: &Log) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&cfg.filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false);
    let _ = match cfg.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
