//! The binary as a whole: self-contained assets, graceful shutdown, health and metrics,
//! and the subcommands init, backup, check-config.

use crate::client::{self, Browser};
use crate::{BIN, MARIO, Server, TempDir, eventually};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn asset_files(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        if e.path().is_dir() {
            asset_files(&e.path(), &format!("{name}/"), out);
        } else {
            out.push(name);
        }
    }
}

#[test]
fn binary_alone_in_an_empty_folder_serves_every_page_and_asset() {
    let dir = TempDir::new("alone");
    let bin = dir.0.join("cds-portal");
    std::fs::copy(&*BIN, &bin).unwrap();
    let s = Server::spawn(bin.to_str().unwrap(), "demo", &[], Some(&dir.0));
    let assets_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let mut files = Vec::new();
    asset_files(&assets_dir, "", &mut files);
    assert!(files.len() > 5);
    for f in &files {
        let r = client::get(&s.addr, &format!("/assets/{f}"));
        assert_eq!(r.status, 200, "{f}");
        let expected = std::fs::read(assets_dir.join(f)).unwrap();
        assert_eq!(
            r.header("content-length").unwrap(),
            expected.len().to_string(),
            "{f}"
        );
        let etag = r.header("etag").unwrap().to_string();
        assert!(
            r.header("cache-control").unwrap().contains("max-age="),
            "{f}"
        );
        let again = client::request(
            &s.addr,
            "GET",
            &format!("/assets/{f}"),
            &[("If-None-Match", &etag)],
            "",
        );
        assert_eq!(again.status, 304, "{f}");
    }
    // The page links an htmx pinned by version.
    let page = client::get(&s.addr, "/accedi");
    assert!(page.body.contains("/assets/vendor/htmx-2.0.11.min.js"));
    for p in [
        "/accedi",
        "/nuovo-pin",
        "/accedi/spid",
        "/accedi/cie",
        "/privacy",
        "/accessibilita",
        "/logo",
        "/favicon.ico",
        "/healthz",
    ] {
        assert_eq!(client::get(&s.addr, p).status, 200, "{p}");
    }
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    for p in crate::SECTIONS.iter().chain(&["/manuale"]) {
        let r = b.get(p);
        assert_eq!(r.status, 200, "{p}");
        assert!(
            r.body.contains("aria-current=\"page\""),
            "{p} marks its menu entry"
        );
    }
}

#[test]
fn slow_in_flight_request_survives_sigterm() {
    let s = Server::demo(&[]);
    let mut b = Browser::new(&s.addr);
    b.get("/accedi");
    let body = client::form(&[
        ("codice_fiscale", MARIO.0),
        ("pin", MARIO.1),
        ("csrf", &b.csrf.clone().unwrap()),
    ]);
    let cookie = format!("cds_pre={}", b.cookies["cds_pre"]);
    let mut stream = TcpStream::connect(&s.addr).unwrap();
    write!(
        stream,
        "POST /accedi HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    let (first, rest) = body.split_at(10);
    stream.write_all(first.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    s.signal("-TERM");
    assert!(
        eventually(3, || TcpStream::connect(&s.addr).is_err()),
        "stops accepting"
    );
    std::thread::sleep(Duration::from_millis(700));
    stream.write_all(rest.as_bytes()).unwrap();
    let mut buf = Vec::new();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.read_to_end(&mut buf).unwrap();
    let r = client::parse(&buf);
    assert_eq!(r.status, 303, "the in-flight login completes");
    let mut s = s;
    let status = s.child.wait().unwrap();
    assert!(status.success(), "clean exit after SIGTERM");
}

#[test]
fn healthz_and_metrics() {
    let s = Server::demo(&[]);
    let r = client::get(&s.addr, "/healthz");
    assert_eq!(r.status, 200);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["db"]["state"], "ok");
    Browser::new(&s.addr).login(MARIO.0, "00000000");
    let m = client::get(&s.addr, "/metrics").body;
    assert!(
        m.contains("cds_http_requests_total{route=\"login\",status=\"401\"} 1"),
        "{m}"
    );
    assert!(m.contains("cds_login_failures_total 1"));
    assert!(m.contains("cds_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
    assert!(m.contains("cds_sms_queue_length 0"));
    // A database that a newer binary has upgraded is unusable for this one: 503.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    db.pragma_update(None, "user_version", 999).unwrap();
    let r = client::get(&s.addr, "/healthz");
    assert_eq!(r.status, 503, "{}", r.body);
}

#[test]
fn newer_database_is_refused_at_start() {
    let dir = TempDir::new("future");
    let data = dir.0.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let db = rusqlite::Connection::open(data.join("cds-portal.db")).unwrap();
    db.pragma_update(None, "user_version", 999).unwrap();
    drop(db);
    let out = Command::new(&*BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .env_clear()
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("più recente"), "{err}");
}

#[test]
fn init_backup_while_serving_and_check_config() {
    let s = Server::demo(&[]);
    Browser::new(&s.addr).login(MARIO.0, MARIO.1);
    let dir = TempDir::new("backup");
    let target = dir.0.join("copia.db");
    let out = Command::new(&*BIN)
        .args(["backup"])
        .arg(&target)
        .arg("--data")
        .arg(s.data.0.join("data"))
        .env_clear()
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let copy = rusqlite::Connection::open(&target).unwrap();
    let n: i64 = copy
        .query_row("SELECT COUNT(*) FROM patients", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    let ok: String = copy
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    // init creates a fresh database.
    let fresh = dir.0.join("fresh");
    let out = Command::new(&*BIN)
        .args(["init", "--data"])
        .arg(&fresh)
        .env_clear()
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(fresh.join("cds-portal.db").exists());
    // check-config masks secrets and fails on errors.
    let out = Command::new(&*BIN)
        .arg("check-config")
        .env_clear()
        .env("CDS_SMS_GATEWAY", "http")
        .env("CDS_SMS_HTTP_URL", "https://sms.example.invalid/send")
        .env("CDS_SMS_HTTP_TOKEN", "very-secret")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shown.contains("https://sms.example.invalid/send") && !shown.contains("very-secret"));
    let bad = Command::new(&*BIN)
        .arg("check-config")
        .env_clear()
        .env("CDS_LISTEN", "not-an-address")
        .env("CDS_TYPO", "1")
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("CDS_TYPO"), "{err}");
}

#[test]
fn request_logs_as_text_or_json_lines_filtered_like_rust_log() {
    // JSON lines: every line is an object; the request's line has its span (id, route).
    let s = Server::demo(&[("CDS_LOG_FORMAT", "json")]);
    let mut b = crate::client::Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    assert_eq!(b.get("/dashboard").status, 200);
    assert!(eventually(5, || s.log().contains("/dashboard")));
    let log = s.log();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let dash = lines
        .iter()
        .find(|v| v["path"] == "/dashboard")
        .unwrap_or_else(|| panic!("no request line: {log}"));
    assert_eq!(dash["status"], 200);
    assert_eq!(dash["method"], "GET");
    assert_eq!(dash["span"]["route"], "dashboard");
    assert!(dash["span"]["id"].as_u64().is_some() && dash["ms"].is_number());
    assert!(
        !log.contains(MARIO.0) && !log.contains(MARIO.1),
        "nothing personal"
    );

    // A filter as RUST_LOG says it: warnings only, no request lines.
    let quiet = Server::demo(&[("CDS_LOG_FILTER", "warn")]);
    crate::client::get(&quiet.addr, "/accedi");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!quiet.log().contains("path=/accedi"), "{}", quiet.log());
    // The default: readable lines with the request's span.
    let text = Server::demo(&[]);
    crate::client::get(&text.addr, "/accedi");
    assert!(
        eventually(5, || text
            .log()
            .contains("route=login}: method=GET path=/accedi status=200")),
        "{}",
        text.log()
    );
    // A bad filter is a configuration error.
    let out = Command::new(&*BIN)
        .args(["check-config"])
        .env("CDS_LOG_FILTER", "info,[[[")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("log.filter"));
}
