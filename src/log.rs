//! What the portal writes on stderr: `tracing` events, one line each, filtered as `RUST_LOG`
//! says (`log.filter` when it is not set). Every request runs in a span with its id and
//! route (`http::serve`), so whatever a handler logs carries them. Never log a codice
//! fiscale, a PIN, a token or any health data: callers pass only ids, routes and outcomes.
//!
//! `log.format = "text"` uses this module's own line writer: one line per request is the
//! portal's busiest output, and the generic formatter with a `write` per line cost about a
//! sixth of the login page's throughput. Here a span's fields are formatted once, when it
//! opens, the time's date part once a second, and lines gather in a buffer written out
//! when it fills, at once for a warning or an error, and otherwise by a thread every
//! `FLUSH_MS` — so a line reaches stderr at most that late. `"json"` uses
//! tracing-subscriber's JSON lines, for log collectors.

use crate::config::{Log, LogFormat};
use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Mutex;
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Lines not yet on stderr.
static PENDING: Mutex<Vec<u8>> = Mutex::new(Vec::new());
/// How late an informational line may reach stderr.
const FLUSH_MS: u64 = 100;
/// Written out at once beyond this size.
const FULL: usize = 16 << 10;

/// Writes the lines gathered so far (also at the end of `serve` and `demo`).
pub fn flush() {
    let lines = match PENDING.lock() {
        Ok(mut p) if !p.is_empty() => std::mem::take(&mut *p),
        _ => return,
    };
    let _ = std::io::stderr().lock().write_all(&lines);
}

fn push(line: &[u8], now: bool) {
    let full = match PENDING.lock() {
        Ok(mut p) => {
            p.extend_from_slice(line);
            p.len() >= FULL
        }
        Err(_) => return,
    };
    if now || full {
        flush();
    }
}

/// Installs the subscriber once; later calls (the demo, then the server) change nothing.
pub fn init(cfg: &Log) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&cfg.filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = match cfg.format {
        LogFormat::Text => {
            let installed = tracing_subscriber::registry()
                .with(filter)
                .with(Lines)
                .try_init()
                .is_ok();
            if installed {
                let _ = std::thread::Builder::new()
                    .name("cds-log".into())
                    .spawn(|| {
                        loop {
                            std::thread::sleep(Duration::from_millis(FLUSH_MS));
                            flush();
                        }
                    });
            }
            installed
        }
        LogFormat::Json => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .with_target(false)
            .json()
            .flatten_event(true)
            .try_init()
            .is_ok(),
    };
}

/// The text lines: `2026-11-28T22:49:07.027542Z  INFO req{id=1 route=login}: method=GET …`.
struct Lines;

/// A span's fields as the line shows them, formatted when the span opens.
struct Formatted(String);

/// `key=value` pairs (the message alone, without its key).
struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let out = &mut *self.0;
        if field.name() == "message" {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            let _ = write!(out, "{value:?}");
            return;
        }
        if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
        let _ = write!(out, "{}={value:?}", field.name());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            return self.record_debug(field, &format_args!("{value}"));
        }
        let out = &mut *self.0;
        if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
        let _ = write!(out, "{}={value}", field.name());
    }
}

thread_local! {
    /// This thread's line buffer, and the date-and-seconds part of the time with its second.
    static LINE: RefCell<(String, i64, String)> = RefCell::new((String::with_capacity(256), -1, String::new()));
}

impl<S> Layer<S> for Lines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut fields = String::new();
        attrs.record(&mut Fields(&mut fields));
        span.extensions_mut()
            .insert(Formatted(format!("{}{{{fields}}}", span.name())));
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        LINE.with(|cell| {
            let Ok(mut cell) = cell.try_borrow_mut() else {
                return;
            };
            let (line, second, date) = &mut *cell;
            line.clear();
            let now = jiff::Timestamp::now();
            if now.as_second() != *second {
                *second = now.as_second();
                *date = now.strftime("%Y-%m-%dT%H:%M:%S").to_string();
            }
            let _ = write!(
                line,
                "{date}.{:06}Z {:>5} ",
                now.subsec_microsecond(),
                event.metadata().level().as_str()
            );
            if let Some(scope) = ctx.event_scope(event) {
                let mut any = false;
                for span in scope.from_root() {
                    if let Some(f) = span.extensions().get::<Formatted>() {
                        line.push_str(&f.0);
                        line.push(':');
                        any = true;
                    }
                }
                if any {
                    line.push(' ');
                }
            }
            let start = line.len();
            event.record(&mut Fields(line));
            if line.len() == start {
                line.pop();
            }
            line.push('\n');
            let urgent = *event.metadata().level() <= tracing::Level::WARN;
            push(line.as_bytes(), urgent);
        });
    }
}
