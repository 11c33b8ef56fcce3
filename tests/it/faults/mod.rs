//! Provider and gateway faults (issue 16, item 4): one reusable fault-injecting server on
//! loopback, then one file per provider with its table of cells (step × fault → outcome).
//!
//! [`FaultProxy`] is a real HTTP/1.1 server on 127.0.0.1 whose behaviour a test switches at run
//! time, for every request or only for paths containing a given text:
//! - `Ok`: forwards to the upstream (a real Orthanc, the payments contract stub, the OpenID
//!   provider) or, without one, answers `200 {"status":"ok"}` itself (an SMS gateway);
//! - `Down`: the listener is closed, connections are refused, until the mode changes;
//! - `Slow(ms)`: does the work (forwards, records), then answers `ms` later: past the
//!   portal's timeout the provider has acted but the portal never hears of it;
//! - `Status(code)`: answers `code` with a JSON body holding [`SECRET`];
//! - `Garbage`: `200 application/json` whose body is not JSON (and holds [`SECRET`]);
//! - `WrongType`: `200 text/html`, a proxy's error page (holding [`SECRET`]);
//! - `Truncated`: forwards, then sends the headers (with the full Content-Length) and only
//!   half of the body, and closes: cut JSON, a DICOMweb multipart cut short.
//!
//! Every request that reaches it is recorded (method, path, body), whatever it was answered.

mod dicomweb;
mod oidc;
mod payments;
mod ripeti;
mod sms;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// In every fault body: never shown to a patient, never in the portal's pages.
pub const SECRET: &str = "FAULT-SECRET-7f3a";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Ok,
    Down,
    Slow(u64),
    Status(u16),
    Garbage,
    WrongType,
    Truncated,
}

impl Mode {
    pub fn name(self) -> String {
        match self {
            Mode::Ok => "ok".into(),
            Mode::Down => "down".into(),
            Mode::Slow(ms) => format!("slow {ms} ms"),
            Mode::Status(c) => format!("HTTP {c}"),
            Mode::Garbage => "invalid JSON".into(),
            Mode::WrongType => "text/html page".into(),
            Mode::Truncated => "truncated".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub method: String,
    pub path: String,
    pub body: Vec<u8>,
    /// What it was answered.
    pub mode: Mode,
}

impl Hit {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

struct State {
    /// (text in "METHOD path", mode): the first that matches applies; otherwise `default`.
    rules: Vec<(String, Mode)>,
    default: Mode,
    hits: Vec<Hit>,
}

pub struct FaultProxy {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl FaultProxy {
    /// A server answering `200 {"status":"ok"}` itself when `Ok` (an SMS gateway).
    pub fn gateway() -> FaultProxy {
        FaultProxy::start(None, 0)
    }

    /// A proxy to `upstream` (`127.0.0.1:PORT`) on any free port.
    pub fn to(upstream: &str) -> FaultProxy {
        FaultProxy::start(Some(upstream.to_string()), 0)
    }

    /// A proxy to `upstream` on `port` (0: any free port).
    pub fn start(upstream: Option<String>, port: u16) -> FaultProxy {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind fault proxy");
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            rules: Vec::new(),
            default: Mode::Ok,
            hits: Vec::new(),
        }));
        let st = state.clone();
        std::thread::spawn(move || accept_loop(Some(listener), port, st, upstream));
        FaultProxy { port, state }
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request gets `mode` (path rules are dropped).
    pub fn set(&self, mode: Mode) {
        let mut s = self.state.lock().unwrap();
        s.rules.clear();
        s.default = mode;
        drop(s);
        if mode == Mode::Down {
            // The accept loop closes the listener within a few milliseconds.
            std::thread::sleep(Duration::from_millis(60));
        } else {
            self.wait_listening();
        }
    }

    /// Requests whose "METHOD path?query" contains `part` get `mode`; the others keep theirs.
    pub fn set_for(&self, part: &str, mode: Mode) {
        assert_ne!(
            mode,
            Mode::Down,
            "down is for the whole host: set(Mode::Down)"
        );
        let mut s = self.state.lock().unwrap();
        s.rules.retain(|(p, _)| p != part);
        s.rules.insert(0, (part.to_string(), mode));
    }

    /// `mode` for the requests naming `part` (`set_for`), or for every request when `part`
    /// is empty or the host is down (`set`). The cells' one switch.
    pub fn apply(&self, part: &str, mode: Mode) {
        if part.is_empty() || mode == Mode::Down {
            self.set(mode);
        } else {
            self.set_for(part, mode);
        }
    }

    /// Back to `Ok` for everything.
    pub fn heal(&self) {
        self.set(Mode::Ok);
    }

    fn wait_listening(&self) {
        assert!(
            crate::eventually(5, || TcpStream::connect(self.addr()).is_ok()),
            "fault proxy listening again"
        );
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.state.lock().unwrap().hits.clone()
    }

    /// How many requests had `part` in their path.
    pub fn count(&self, part: &str) -> usize {
        self.hits().iter().filter(|h| h.path.contains(part)).count()
    }
}

fn accept_loop(
    mut listener: Option<TcpListener>,
    port: u16,
    state: Arc<Mutex<State>>,
    upstream: Option<String>,
) {
    if let Some(l) = &listener {
        l.set_nonblocking(true).unwrap();
    }
    loop {
        let down = state.lock().unwrap().default == Mode::Down;
        if down {
            listener = None;
        } else if listener.is_none() {
            match TcpListener::bind(("127.0.0.1", port)) {
                Ok(l) => {
                    l.set_nonblocking(true).unwrap();
                    listener = Some(l);
                }
                Err(_) => {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
            }
        }
        let Some(l) = &listener else {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        match l.accept() {
            Ok((stream, _)) => {
                let (st, up) = (state.clone(), upstream.clone());
                std::thread::spawn(move || {
                    let _ = stream.set_nonblocking(false);
                    handle(stream, &st, up.as_deref());
                });
            }
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// One request: head and body (Content-Length), or None when the peer closed.
fn read_request(s: &mut TcpStream) -> Option<(Vec<u8>, Vec<u8>)> {
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = buf[..head_end].to_vec();
    let len = header(&head, "content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((head, body))
}

fn header(head: &[u8], name: &str) -> Option<String> {
    String::from_utf8_lossy(head).lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The head with its `Connection` header replaced by `Connection: close`.
fn close_head(head: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(head);
    let mut out = String::new();
    for l in text.split("\r\n").filter(|l| !l.is_empty()) {
        if l.to_ascii_lowercase().starts_with("connection:")
            || l.to_ascii_lowercase().starts_with("keep-alive:")
        {
            continue;
        }
        out.push_str(l);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    out.into_bytes()
}

/// The upstream's whole answer (head, body), or None when it cannot be reached.
fn forward(upstream: &str, head: &[u8], body: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut u = TcpStream::connect(upstream).ok()?;
    u.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
    u.write_all(&close_head(head)).ok()?;
    u.write_all(body).ok()?;
    let mut all = Vec::new();
    let _ = u.read_to_end(&mut all);
    let i = find(&all, b"\r\n\r\n")? + 4;
    Some((all[..i].to_vec(), all[i..].to_vec()))
}

fn ok_answer() -> (Vec<u8>, Vec<u8>) {
    let body = br#"{"status":"ok"}"#.to_vec();
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    (head.into_bytes(), body)
}

fn canned(status: u16, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} Fault\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn handle(mut s: TcpStream, state: &Mutex<State>, upstream: Option<&str>) {
    let Some((head, body)) = read_request(&mut s) else {
        return;
    };
    let first = String::from_utf8_lossy(&head)
        .lines()
        .next()
        .unwrap_or("")
        .to_string();
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mode = {
        let mut st = state.lock().unwrap();
        let line = format!("{method} {path}");
        let mode = st
            .rules
            .iter()
            .find(|(p, _)| line.contains(p.as_str()))
            .map(|(_, m)| *m)
            .unwrap_or(st.default);
        st.hits.push(Hit {
            method,
            path: path.clone(),
            body: body.clone(),
            mode,
        });
        mode
    };
    let real = || match upstream {
        Some(u) => forward(u, &head, &body),
        None => Some(ok_answer()),
    };
    let out = match mode {
        Mode::Down => return,
        Mode::Ok | Mode::Slow(_) => {
            let Some((h, b)) = real() else { return };
            if let Mode::Slow(ms) = mode {
                std::thread::sleep(Duration::from_millis(ms));
            }
            let mut out = close_head(&h);
            out.extend_from_slice(&b);
            out
        }
        Mode::Truncated => {
            let Some((h, b)) = real() else { return };
            let mut out = close_head(&h);
            out.extend_from_slice(&b[..b.len() / 2]);
            out
        }
        Mode::Status(code) => canned(
            code,
            "application/json",
            &format!(r#"{{"error":"{SECRET} stack trace at Provider.java:42"}}"#),
        ),
        Mode::Garbage => canned(
            200,
            "application/json",
            &format!(r#"{{"esito": "OK", "dati": <<{SECRET}"#),
        ),
        Mode::WrongType => canned(
            200,
            "text/html",
            &format!("<html><body><h1>Bad gateway</h1><p>{SECRET}</p></body></html>"),
        ),
    };
    let _ = s.write_all(&out);
    let _ = s.flush();
    let _ = s.shutdown(std::net::Shutdown::Both);
}

/// The soak figures of one provider's matrix (issue 16's shared format), written after its
/// checks: `$CDS_SOAK_DIR/faults-<provider>.txt` (default `target/soak`).
pub fn figures(provider: &str, cells: usize, proxy: &FaultProxy) {
    crate::soak::write(
        &format!("faults-{provider}"),
        &[
            ("requests", proxy.hits().len() as u64),
            ("bad_inputs", cells as u64),
            ("leaks", 0),
            ("runs", 1),
        ],
    );
}

/// What every patient-facing answer of a fault cell must hold: no 500, Italian, nothing of
/// the provider's body, no English error text.
pub fn assert_clean(cell: &str, status: u16, body: &str) {
    assert_ne!(status, 500, "{cell}: never a 500: {body}");
    assert!(
        !body.contains(SECRET),
        "{cell}: the provider's body echoed: {body}"
    );
    for english in [
        "Internal Server Error",
        "error:",
        "Error:",
        "timed out",
        "Connection refused",
        "connection refused",
        "stack trace",
    ] {
        assert!(
            !body.contains(english),
            "{cell}: technical text {english:?}: {body}"
        );
    }
}
