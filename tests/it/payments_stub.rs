//! The payment providers' contract stub (`tests/contract/payments_stub.py`) as a child process:
//! PiemontePay epayapi, pagoPA GPD and pagoPA Checkout carts on loopback, every request checked
//! against the provider's OpenAPI file by openapi-core. A test points the portal at `url` (with
//! the bases below and the credentials here), drives payments and faults through the stub's
//! control API, and ends with `assert_no_violations()`.

use crate::TempDir;
use crate::client::{self, Response};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// PiemontePay's HTTP Basic credentials, organization and payment type known to the stub.
pub const PP_USER: &str = "cds-portal-test";
pub const PP_PASS: &str = "pp-test-password";
pub const PP_ORG: &str = "ASLTEST";
pub const PP_TYPE: &str = "COPIA_CARTELLA";
/// GPD's subscription key and the only organization (fiscal code) it knows.
pub const GPD_KEY: &str = "gpd-test-subscription-key";
pub const GPD_CF: &str = "12345678901";
/// Each provider's base below `url`: the path of its spec's server URL.
pub const PP_BASE: &str = "/epayapi/api/v1";
pub const GPD_BASE: &str = "/gpd/debt-positions-service/v1";
pub const CHECKOUT_BASE: &str = "/checkout/ec/v1";

pub struct PaymentsStub {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// `127.0.0.1:PORT`
    pub addr: String,
    /// The HTTPS URL, when started with `--tls-cert`.
    https: Option<String>,
    child: Child,
    dir: TempDir,
}

impl PaymentsStub {
    pub fn start() -> PaymentsStub {
        PaymentsStub::start_with(&[])
    }

    /// With extra command-line flags, e.g. `--check-responses` (the stub validates its own
    /// answers too) or `--pp-return-url URL`.
    pub fn start_with(extra: &[&str]) -> PaymentsStub {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let python = root.join("tests/.venv/bin/python");
        assert!(
            python.exists(),
            "tests/.venv missing (openapi-core for the payments stub): run bash tests/install-deps.sh"
        );
        let dir = TempDir::new("payments-stub");
        let log = dir.0.join("stderr.log");
        let mut child = Command::new(&python)
            .arg(root.join("tests/contract/payments_stub.py"))
            .args(["--listen", "127.0.0.1:0"])
            .args([
                "--pp-user",
                PP_USER,
                "--pp-pass",
                PP_PASS,
                "--gpd-key",
                GPD_KEY,
            ])
            .args(["--pp-org", PP_ORG, "--pp-type", PP_TYPE, "--gpd-cf", GPD_CF])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(std::fs::File::create(&log).unwrap()))
            .spawn()
            .expect("start tests/contract/payments_stub.py");
        let lines = if extra.contains(&"--tls-cert") { 2 } else { 1 };
        let mut got = first_lines(child.stdout.take().unwrap(), lines, 60).into_iter();
        let line = got.next().unwrap_or_default();
        let url = line.trim().to_string();
        if !url.starts_with("http://127.0.0.1:") {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the payments stub did not print its URL (got {line:?}); its stderr:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        let addr = url.trim_start_matches("http://").to_string();
        PaymentsStub {
            url,
            addr,
            https: got.next().map(|l| l.trim().to_string()),
            child,
            dir,
        }
    }

    /// Also serving HTTPS with `cert`/`key`, asking for a client certificate signed by
    /// `client_ca` when given: the stub and its `https://` URL (the control API stays HTTP).
    pub fn start_tls(cert: &Path, key: &Path, client_ca: Option<&Path>) -> (PaymentsStub, String) {
        let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
        let mut args = vec!["--tls-cert", cert, "--tls-key", key];
        if let Some(ca) = client_ca {
            args.extend(["--tls-client-ca", ca.to_str().unwrap()]);
        }
        let stub = PaymentsStub::start_with(&args);
        let https = stub.https.clone().unwrap_or_default();
        assert!(
            https.starts_with("https://127.0.0.1:"),
            "no HTTPS URL: {https:?}"
        );
        (stub, https)
    }

    /// What the stub wrote on stderr (warnings, a crash's traceback).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.0.join("stderr.log")).unwrap_or_default()
    }

    pub fn pp_url(&self) -> String {
        format!("{}{PP_BASE}", self.url)
    }

    pub fn gpd_url(&self) -> String {
        format!("{}{GPD_BASE}", self.url)
    }

    pub fn checkout_url(&self) -> String {
        format!("{}{CHECKOUT_BASE}", self.url)
    }

    /// The `Authorization` header PiemontePay wants.
    pub fn pp_auth() -> String {
        use base64::Engine;
        let pair = format!("{PP_USER}:{PP_PASS}");
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }

    /// One request to the stub (a path below `url`), `Connection: close`; with a body, sent as
    /// `application/json` exactly as given.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Response {
        match body {
            Some(b) => client::request_bytes(
                &self.addr,
                method,
                path,
                headers,
                "application/json",
                b.as_bytes(),
            ),
            None => {
                let mut req = format!(
                    "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
                    self.addr
                );
                for (k, v) in headers {
                    req.push_str(&format!("{k}: {v}\r\n"));
                }
                if method != "GET" {
                    req.push_str("Content-Length: 0\r\n");
                }
                req.push_str("\r\n");
                client::raw(&self.addr, req.as_bytes())
            }
        }
    }

    /// The control API: a JSON answer, with its status.
    pub fn control(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let text = body.map(|b| b.to_string());
        let r = self.send(method, &format!("/_stub/{path}"), &[], text.as_deref());
        let v = serde_json::from_str(&r.body).unwrap_or(Value::Null);
        (r.status, v)
    }

    fn control_ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.control(method, path, body);
        assert_eq!(status, 200, "payments stub {method} /_stub/{path}: {v}");
        v
    }

    /// Forgets positions, carts, recorded requests and queued faults.
    pub fn reset(&self) {
        self.control_ok("POST", "reset", Some(json!({})));
    }

    /// Queues faults as the control API takes them: `[{"op", "kind", "times", "delay_ms"}]`.
    pub fn faults(&self, faults: Value) {
        self.control_ok("POST", "faults", Some(faults));
    }

    /// The next `times` requests (-1: all) to `op` (an operationId, `*` or `carts`) get `kind`:
    /// "401".."502", "slow", "slow-before", "malformed", "html", "reset", "reset-after", "esito".
    pub fn fault(&self, op: &str, kind: &str, times: i64) {
        self.faults(json!([{"op": op, "kind": kind, "times": times}]));
    }

    /// Empties the fault queue: the provider answers normally again.
    pub fn clear_faults(&self) {
        self.control_ok("DELETE", "faults", None);
    }

    /// The operation is performed, then the answer waits `delay_ms` (the client times out
    /// after the provider did the work).
    pub fn fault_slow(&self, op: &str, delay_ms: u64, times: i64) {
        self.faults(json!([{"op": op, "kind": "slow", "times": times, "delay_ms": delay_ms}]));
    }

    /// The patient pays a PiemontePay position (by IUV or codice avviso) now.
    pub fn pay_pp(&self, iuv: &str) -> Value {
        self.control_ok(
            "POST",
            "pay",
            Some(json!({"provider": "piemontepay", "id": iuv})),
        )
    }

    /// The patient pays a GPD notice (by NAV, the 18-digit codice avviso) now.
    pub fn pay_gpd_nav(&self, nav: &str) -> Value {
        self.control_ok("POST", "pay", Some(json!({"provider": "gpd", "nav": nav})))
    }

    /// The position (IUV, codice avviso, NAV or IUPD) expires: PiemontePay 4, GPD EXPIRED.
    pub fn expire(&self, id: &str) -> Value {
        self.control_ok("POST", "expire", Some(json!({"id": id})))
    }

    /// The ente cancels the position: PiemontePay 2 (Annullato dall'Ente), GPD INVALID.
    pub fn cancel(&self, id: &str) -> Value {
        self.control_ok("POST", "cancel", Some(json!({"id": id})))
    }

    /// How many requests reached `op` (an operationId), whatever they were answered.
    pub fn count(&self, op: &str) -> usize {
        let v = self.control_ok("GET", &format!("count?op={op}"), None);
        v["count"].as_u64().unwrap_or(0) as usize
    }

    /// Every provider request: provider, op, method, path, query, headers (credentials
    /// masked), body, status, violations, notes, fault, ms.
    pub fn requests(&self) -> Value {
        self.control_ok("GET", "requests", None)
    }

    pub fn violations(&self) -> Value {
        self.control_ok("GET", "violations", None)
    }

    /// The positions each provider holds, with their state, and Checkout's carts.
    pub fn positions(&self) -> Value {
        self.control_ok("GET", "positions", None)
    }

    /// Panics listing every request that broke a provider's contract.
    pub fn assert_no_violations(&self) {
        let v = self.violations();
        let list = v.as_array().cloned().unwrap_or_default();
        if list.is_empty() {
            return;
        }
        let lines: Vec<String> = list
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {} -> {}: {}",
                    r["provider"].as_str().unwrap_or("-"),
                    r["op"].as_str().unwrap_or("-"),
                    r["method"].as_str().unwrap_or(""),
                    r["path"].as_str().unwrap_or(""),
                    r["status"],
                    r["violations"]
                        .as_array()
                        .map(|a| a
                            .iter()
                            .map(|x| x.as_str().unwrap_or_default().to_string())
                            .collect::<Vec<_>>()
                            .join(" | "))
                        .unwrap_or_default()
                )
            })
            .collect();
        panic!(
            "{} request(s) to the payment providers broke their contract:\n{}",
            lines.len(),
            lines.join("\n")
        );
    }
}

impl Drop for PaymentsStub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first `n` lines a child writes on stdout (fewer if it stops or `secs` pass); the
/// rest is drained so the child never blocks on a full pipe.
fn first_lines(stdout: std::process::ChildStdout, n: usize, secs: u64) -> Vec<String> {
    use std::io::BufRead;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = std::io::BufReader::new(stdout);
        for _ in 0..n {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            let _ = tx.send(line);
        }
        for _ in reader.lines() {}
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    let mut out = Vec::new();
    while out.len() < n {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => out.push(l),
            Err(_) => break,
        }
    }
    out
}
