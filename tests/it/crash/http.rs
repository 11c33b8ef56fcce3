//! A patient's browser that survives the server's death: every request gives `None` when
//! the connection is refused, reset or cut (the server was killed), never a panic, so a
//! driver thread simply stops there. Cookies and the CSRF token as `client::Browser` keeps
//! them; the answer is parsed by `client::parse`.

use crate::client::{Response, form, parse};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Every request the crash suite sent (the soak's `requests` figure).
pub static SENT: AtomicU64 = AtomicU64::new(0);

pub struct Tab {
    pub addr: String,
    cookies: BTreeMap<String, String>,
    csrf: Option<String>,
}

/// One request on a new connection: `None` when the server is gone.
pub fn send_raw(addr: &str, req: &[u8]) -> Option<Response> {
    SENT.fetch_add(1, Ordering::Relaxed);
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    s.write_all(req).ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let r = parse(&buf);
    (r.status != 0).then_some(r)
}

impl Tab {
    pub fn new(addr: &str) -> Tab {
        Tab {
            addr: addr.into(),
            cookies: BTreeMap::new(),
            csrf: None,
        }
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        extra: &[(&str, &str)],
        body: &str,
    ) -> Option<Response> {
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        for (k, v) in extra {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        if !self.cookies.is_empty() {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req.push_str(&format!("Cookie: {}\r\n", c.join("; ")));
        }
        if method == "POST" {
            req.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        req.push_str(body);
        let r = send_raw(&self.addr, req.as_bytes())?;
        for c in r.headers_named("set-cookie") {
            if let Some((k, v)) = c.split(';').next().unwrap_or("").split_once('=') {
                if v.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.into(), v.into());
                }
            }
        }
        if let Some(t) = r.csrf() {
            self.csrf = Some(t);
        }
        Some(r)
    }

    pub fn get(&mut self, path: &str) -> Option<Response> {
        self.send("GET", path, &[], "")
    }

    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Option<Response> {
        let token = self.csrf.clone().unwrap_or_default();
        let mut all = fields.to_vec();
        all.push(("csrf", &token));
        self.send("POST", path, &[], &form(&all))
    }

    pub fn hx_post(&mut self, path: &str) -> Option<Response> {
        let token = self.csrf.clone().unwrap_or_default();
        self.send(
            "POST",
            path,
            &[("HX-Request", "true"), ("X-CSRF-Token", &token)],
            "",
        )
    }

    /// Signs in; `None` when the server died meanwhile.
    pub fn login(&mut self, cf: &str, pin: &str) -> Option<()> {
        self.get("/accedi")?;
        let r = self.post("/accedi", &[("codice_fiscale", cf), ("pin", pin)])?;
        assert_eq!(r.status, 303, "login: {}", r.body);
        Some(())
    }

    /// The whole body of a GET as bytes (a download), with its status.
    pub fn download(&mut self, path: &str) -> Option<(u16, Vec<u8>)> {
        self.get(path).map(|r| (r.status, r.raw_body))
    }
}
