//! Abuse against the real server (issue 16 item 5): PIN brute force, new-PIN SMS floods,
//! slowloris and slow bodies, oversized and malformed requests, a thousand keep-alive
//! connections, markup in every text shown back, open redirects and path traversal — each
//! while another thread checks that `/healthz` answers 200 throughout (`Watch`).
//!
//! `CDS_ABUSE_SCALE` (default 1) multiplies the attempts, floods and connections, for
//! `make soak`. What was sent is summed into `$CDS_SOAK_DIR/abuse.txt` (`figures`).

mod floods;
mod keepalive;
mod malformed;
mod markup;
mod memory;
mod pin;
mod redirects;
mod slow;
mod traversal;

use crate::client::{Response, parse};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// `CDS_ABUSE_SCALE`: 1 in `make test`, larger in `make soak`.
pub fn scale() -> usize {
    std::env::var("CDS_ABUSE_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n >= 1)
        .unwrap_or(1)
}

static REQUESTS: AtomicU64 = AtomicU64::new(0);
static BAD_INPUTS: AtomicU64 = AtomicU64::new(0);
static WRITE: Mutex<()> = Mutex::new(());

/// Counts requests sent and, among them, hostile or malformed inputs.
pub fn count(requests: usize, bad_inputs: usize) {
    REQUESTS.fetch_add(requests as u64, Ordering::Relaxed);
    BAD_INPUTS.fetch_add(bad_inputs as u64, Ordering::Relaxed);
}

/// Called by each test after its checks: (re)writes `abuse.txt` with the totals so far, so
/// after the whole module it holds every passing test's figures (a failing one adds none).
pub fn figures() {
    let _guard = WRITE.lock().unwrap_or_else(|e| e.into_inner());
    crate::soak::write(
        "abuse",
        &[
            ("requests", REQUESTS.load(Ordering::Relaxed)),
            ("bad_inputs", BAD_INPUTS.load(Ordering::Relaxed)),
            ("leaks", 0),
        ],
    );
}

/// A thread that asks `/healthz` every 100 ms while the abuse runs; `finish` asserts that
/// every answer was 200 and that there were some.
pub struct Watch {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<(usize, Vec<String>)>>,
}

impl Watch {
    pub fn start(addr: &str) -> Watch {
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, addr) = (stop.clone(), addr.to_string());
        let thread = std::thread::spawn(move || {
            let (mut ok, mut bad) = (0, Vec::new());
            while !flag.load(Ordering::Relaxed) {
                match exchange(
                    &addr,
                    b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    20,
                ) {
                    Some(r) if r.status == 200 => ok += 1,
                    Some(r) => bad.push(format!("{} {}", r.status, r.body)),
                    None => bad.push("no answer".into()),
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            (ok, bad)
        });
        Watch {
            stop,
            thread: Some(thread),
        }
    }

    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let (ok, bad) = self.thread.take().unwrap().join().unwrap();
        assert!(bad.is_empty(), "/healthz failed during the abuse: {bad:?}");
        assert!(ok > 0, "/healthz was asked");
        count(ok, 0);
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Sends `bytes` (write errors ignored: the server may answer and close before the end)
/// while another thread reads; the answer, or None when the connection gave none within
/// `secs`.
pub fn exchange(addr: &str, bytes: &[u8], secs: u64) -> Option<Response> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(secs))).ok()?;
    let mut w = s.try_clone().ok()?;
    let bytes = bytes.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = w.write_all(&bytes);
    });
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16384];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(_) => break,
        }
    }
    let _ = writer.join();
    (!buf.is_empty()).then(|| parse(&buf))
}

/// A 4xx answer (never 5xx) that is an Italian HTML page, when the request reached the
/// portal's own handlers.
pub fn italian_4xx(r: &Response, what: &str) {
    assert!(
        (400..500).contains(&r.status),
        "{what}: {} {}",
        r.status,
        r.body
    );
    assert!(
        r.header("content-type")
            .unwrap_or_default()
            .starts_with("text/html"),
        "{what}: {:?}",
        r.headers
    );
    assert!(r.body.contains("lang=\"it\""), "{what}: {}", r.body);
}

/// The server's resident memory (kB) and open file descriptors, from /proc.
pub fn usage(pid: u32) -> (u64, usize) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count();
    (rss, fds)
}

/// No answer ever names the server's own files or the machine's.
pub fn no_file_leak(r: &Response, what: &str) {
    for secret in [
        "root:x:0:0",
        "[package]",
        "CREATE TABLE",
        "fn main",
        "BEGIN PRIVATE",
    ] {
        assert!(!r.body.contains(secret), "{what}: {secret} in the answer");
    }
}
