//! Operations: `/healthz` and `/metrics` (Prometheus text format).

use crate::app::App;
use crate::error::AppError;
use crate::http::resp::{self, Resp};
use hyper::StatusCode;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const BUCKETS_MS: [f64; 10] = [
    1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 1000.0, 5000.0,
];

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    buckets: [AtomicU64; BUCKETS_MS.len()],
    latency_sum_us: AtomicU64,
    latency_count: AtomicU64,
    pub login_failures: AtomicU64,
    pub logins: AtomicU64,
}

impl Metrics {
    pub fn observe(&self, route: &'static str, status: u16, elapsed: Duration) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((route, status)).or_default() += 1;
        }
        // One counter per request (the smallest bucket it fits); `render` adds them up into
        // Prometheus' cumulative buckets. Ten shared counters per request cost the cores'
        // caches more than the rest of the metrics.
        let ms = elapsed.as_secs_f64() * 1000.0;
        if let Some(i) = BUCKETS_MS.iter().position(|le| ms <= *le) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.latency_sum_us
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
        self.latency_count.fetch_add(1, Ordering::Relaxed);
    }

    fn render(&self, sms_queued: i64) -> String {
        let mut out = String::new();
        out.push_str("# HELP cds_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE cds_http_requests_total counter\n");
        if let Ok(m) = self.requests.lock() {
            for ((route, status), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "cds_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP cds_http_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE cds_http_request_duration_seconds histogram\n");
        let mut n = 0;
        for (i, le) in BUCKETS_MS.iter().enumerate() {
            n += self.buckets[i].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "cds_http_request_duration_seconds_bucket{{le=\"{}\"}} {n}",
                le / 1000.0
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let sum = self.latency_sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(
            out,
            "cds_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(out, "cds_http_request_duration_seconds_sum {sum}");
        let _ = writeln!(out, "cds_http_request_duration_seconds_count {count}");
        let counters = [
            (
                "cds_login_failures_total",
                "Failed PIN logins.",
                &self.login_failures,
            ),
            ("cds_logins_total", "Successful logins.", &self.logins),
        ];
        for (name, help, v) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                v.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP cds_sms_queue_length SMS waiting to be delivered.\n# TYPE cds_sms_queue_length gauge\ncds_sms_queue_length {sms_queued}"
        );
        out
    }
}

pub async fn healthz(app: &App) -> Result<Resp, AppError> {
    let state = app
        .db
        .read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get::<_, u32>(0))?))
        .await;
    let version = env!("CARGO_PKG_VERSION");
    let (status, body) = match state {
        Ok(v) if v == crate::db::migrate::latest() => (
            StatusCode::OK,
            serde_json::json!({"status": "ok", "version": version, "db": {"state": "ok", "schema": v}}),
        ),
        Ok(v) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({"status": "error", "version": version, "db": {"state": "schema mismatch", "schema": v}}),
        ),
        Err(e) => {
            tracing::error!("healthz: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({"status": "error", "version": version, "db": {"state": "unavailable"}}),
            )
        }
    };
    Ok(resp::with_type(
        status,
        "application/json",
        body.to_string(),
    ))
}

pub async fn metrics(app: &App) -> Result<Resp, AppError> {
    let queued = app
        .db
        .read(|c| Ok(crate::sms::queue::queued(c)?))
        .await
        .unwrap_or(-1);
    Ok(resp::with_type(
        StatusCode::OK,
        "text/plain; version=0.0.4; charset=utf-8",
        app.metrics.render(queued),
    ))
}
