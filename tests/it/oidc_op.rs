//! A real OpenID provider for the SPID/CIE tests: `tests/e2e/oidc-op.mjs` (npm
//! `oidc-provider`, run by Node.js from `tests/e2e` so its node_modules resolve), and the
//! helpers a test needs to drive it over plain HTTP.
//!
//! The OP has no login pages: every authorization request ends, by redirects only, at the
//! relying party's callback (`OP_REDIRECT?code=…&state=…&iss=…`) logged in as the account set
//! with [`Op::next`] (sticky; default `mario` at SpidL2). Clients: `cds-portal` (secret
//! `cds-secret`, client_secret_basic) and, when a client key is given, `cds-portal-jwt`
//! (private_key_jwt, userinfo as a signed JWT). Scope `openid profile`, PKCE S256 required.
//! Discovery's `token_endpoint` is `BASE/test-token`, a pass-through that applies
//! [`Op::mutate`] to the next id_token. Logout: [`follow_to_callback`] on the
//! `end_session_endpoint` URL (with `id_token_hint` and `post_logout_redirect_uri`) returns the
//! post-logout URL; redirects only.

use crate::client::{self, Browser};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

pub const FISCAL_CLAIM: &str = "https://attributes.eid.gov.it/fiscal_number";
pub const SPID_L1: &str = "https://www.spid.gov.it/SpidL1";
pub const SPID_L2: &str = "https://www.spid.gov.it/SpidL2";
pub const SPID_L3: &str = "https://www.spid.gov.it/SpidL3";
pub const CLIENT_ID: &str = "cds-portal";
pub const CLIENT_SECRET: &str = "cds-secret";
pub const JWT_CLIENT_ID: &str = "cds-portal-jwt";
/// The kid the OP gives the relying party's public key (client `cds-portal-jwt`).
pub const JWT_CLIENT_KID: &str = "rp-1";

fn e2e_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("e2e")
}

/// A running `oidc-op.mjs`; killed on drop.
pub struct Op {
    /// `http://127.0.0.1:PORT`: the base URL and the issuer.
    pub url: String,
    /// `127.0.0.1:PORT`, for `client::request` and `Browser::new`.
    pub addr: String,
    pub port: u16,
    child: Child,
    log: Arc<Mutex<String>>,
    redirect: String,
    post_logout: String,
    client_key: Option<PathBuf>,
    /// The issuer when reached through a proxy ([`Op::start_behind`]).
    issuer: Option<String>,
}

impl Op {
    /// Starts the OP on 127.0.0.1:`port` (0 = any free port) with the private JWKS file
    /// `keys` (see [`rsa_keys`]), the RP's callback URL `redirect`, its post-logout URL and,
    /// optionally, the RP's public key PEM (enables client `cds-portal-jwt`).
    pub fn start(
        port: u16,
        keys: &Path,
        redirect: &str,
        post_logout: &str,
        client_key_pem: Option<&Path>,
    ) -> Op {
        Op::start_as(port, None, keys, redirect, post_logout, client_key_pem)
    }

    /// Started on 127.0.0.1:`port` with `issuer` (a proxy's URL in front of it) as its issuer
    /// and base URL: every request of the portal and of the test goes through the proxy.
    pub fn start_behind(
        port: u16,
        issuer: &str,
        keys: &Path,
        redirect: &str,
        post_logout: &str,
        client_key_pem: Option<&Path>,
    ) -> Op {
        Op::start_as(
            port,
            Some(issuer),
            keys,
            redirect,
            post_logout,
            client_key_pem,
        )
    }

    fn start_as(
        port: u16,
        issuer: Option<&str>,
        keys: &Path,
        redirect: &str,
        post_logout: &str,
        client_key_pem: Option<&Path>,
    ) -> Op {
        let log = Arc::new(Mutex::new(String::new()));
        let (child, url) = launch(
            port,
            issuer,
            keys,
            redirect,
            post_logout,
            client_key_pem,
            &log,
        );
        let addr = url.trim_start_matches("http://").to_string();
        let port = addr.rsplit(':').next().unwrap().parse().unwrap();
        Op {
            url,
            addr,
            port,
            child,
            log,
            redirect: redirect.into(),
            post_logout: post_logout.into(),
            client_key: client_key_pem.map(Path::to_path_buf),
            issuer: issuer.map(str::to_string),
        }
    }

    /// Stops the OP and starts it again on the same port with other signing keys (all its
    /// state — sessions, codes, tokens — is lost, as in a real restart).
    pub fn restart_with_keys(&mut self, keys: &Path) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, url) = launch(
            self.port,
            self.issuer.as_deref(),
            keys,
            &self.redirect,
            &self.post_logout,
            self.client_key.as_deref(),
            &self.log,
        );
        assert_eq!(url, self.url);
        self.child = child;
    }

    /// Who the next logins are (until changed): `mario`, `nuovo`, `nofiscal` or `badcf`, at
    /// `acr` ([`SPID_L1`], [`SPID_L2`], [`SPID_L3`]).
    pub fn next(&self, account: &str, acr: &str) {
        let body = serde_json::json!({ "account": account, "acr": acr }).to_string();
        self.admin("/test/next", &body);
    }

    /// Alters the id_token of the next token response: `expired`, `wrong_aud`, `wrong_nonce`,
    /// `wrong_iss`, `acr_low`, `tampered` (not re-signed), `unknown_key`.
    pub fn mutate(&self, kind: &str) {
        let body = serde_json::json!({ "kind": kind }).to_string();
        self.admin("/test/mutate", &body);
    }

    fn admin(&self, path: &str, body: &str) {
        let r = client::request(&self.addr, "POST", path, &[], body);
        assert_eq!(r.status, 200, "{path} {body}: {}", r.body);
    }

    /// The discovery document.
    pub fn discovery(&self) -> serde_json::Value {
        let r = client::get(&self.addr, "/.well-known/openid-configuration");
        assert_eq!(r.status, 200, "{}", r.body);
        serde_json::from_str(&r.body).unwrap()
    }

    /// A fresh user agent (cookie jar) for the OP.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.addr)
    }

    /// What the OP wrote to stderr (one line per request).
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Op {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn launch(
    port: u16,
    issuer: Option<&str>,
    keys: &Path,
    redirect: &str,
    post_logout: &str,
    client_key: Option<&Path>,
    log: &Arc<Mutex<String>>,
) -> (Child, String) {
    // A restart on the same port may briefly find it still taken: retry.
    for _ in 0..30 {
        let mut cmd = Command::new("node");
        cmd.arg("oidc-op.mjs")
            .current_dir(e2e_dir())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("OP_PORT", port.to_string())
            .env("OP_KEYS", keys)
            .env("OP_REDIRECT", redirect)
            .env("OP_POST_LOGOUT", post_logout)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(k) = client_key {
            cmd.env("OP_CLIENT_KEY", k);
        }
        if let Some(i) = issuer {
            cmd.env("OP_ISSUER", i);
        }
        let mut child = cmd.spawn().expect("start node tests/e2e/oidc-op.mjs");
        let mut stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        let drain = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        // The first stdout line is the base URL; a start that never ends fails the test within
        // the deadline (with the provider's stderr) instead of hanging the run.
        let Some(line) = crate::first_line(child.stdout.take().unwrap(), 30) else {
            let _ = child.kill();
            let _ = child.wait();
            let _ = drain.join();
            panic!("oidc-op not ready after 30 s: {}", log.lock().unwrap());
        };
        if line.starts_with("http://127.0.0.1:") {
            return (child, line.trim().to_string());
        }
        let _ = child.wait();
        let _ = drain.join();
        let text = log.lock().unwrap().clone();
        if port != 0 && text.contains("EADDRINUSE") {
            std::thread::sleep(std::time::Duration::from_millis(100));
            continue;
        }
        panic!("oidc-op did not start (is tests/e2e/node_modules installed?): {text}");
    }
    panic!("oidc-op: port {port} stayed in use");
}

/// Writes a private RSA JWKS `{"keys":[…]}` with one RS256 key `kid` to `dir/op-keys-KID.json`.
/// A demo portal whose SPID and CIE providers are one `Op` started on `op_port` (its keys
/// and the portal's CIE client key written in `dir`): SPID with client_secret_basic, CIE
/// with private_key_jwt. `behind`: the URL of a proxy in front of the provider, its issuer
/// then; `extra`: more settings for the portal.
pub fn portal_and_provider(
    dir: &Path,
    op_port: u16,
    behind: Option<&str>,
    extra: &[(&str, &str)],
) -> (crate::Server, Op) {
    let keys = rsa_keys("k1", dir);
    let (rp_private, rp_public) = client_key(dir);
    let issuer = behind.map_or_else(|| format!("http://127.0.0.1:{op_port}"), str::to_string);
    let key = rp_private.to_str().unwrap().to_string();
    let mut vars = vec![
        ("CDS_DEMO_CT_SLICES", "12"),
        ("CDS_OIDC_SPID_ISSUER", issuer.as_str()),
        ("CDS_OIDC_SPID_CLIENT_ID", CLIENT_ID),
        ("CDS_OIDC_SPID_CLIENT_SECRET", CLIENT_SECRET),
        ("CDS_OIDC_CIE_ISSUER", issuer.as_str()),
        ("CDS_OIDC_CIE_CLIENT_ID", JWT_CLIENT_ID),
        ("CDS_OIDC_CIE_AUTH_METHOD", "private_key_jwt"),
        ("CDS_OIDC_CIE_PRIVATE_KEY", key.as_str()),
        ("CDS_OIDC_CIE_KEY_ID", JWT_CLIENT_KID),
    ];
    vars.extend_from_slice(extra);
    let rp = crate::Server::demo(&vars);
    let (redirect, post_logout) = (
        format!("http://{}/accedi/oidc", rp.addr),
        format!("http://{}/accedi", rp.addr),
    );
    let op = match behind {
        Some(issuer) => Op::start_behind(
            op_port,
            issuer,
            &keys,
            &redirect,
            &post_logout,
            Some(&rp_public),
        ),
        None => Op::start(op_port, &keys, &redirect, &post_logout, Some(&rp_public)),
    };
    (rp, op)
}

pub fn rsa_keys(kid: &str, dir: &Path) -> PathBuf {
    let out = dir.join(format!("op-keys-{kid}.json"));
    let ok = Command::new("node")
        .args(["oidc-op.mjs", "--make-keys", kid])
        .arg(&out)
        .current_dir(e2e_dir())
        .status()
        .expect("node")
        .success();
    assert!(ok, "oidc-op.mjs --make-keys");
    out
}

/// The relying party's key pair for private_key_jwt: EC P-256 (ES256), written by openssl as
/// PKCS#8 `dir/rp-key.pem` (private, `BEGIN PRIVATE KEY`: what
/// `jsonwebtoken::EncodingKey::from_ec_pem` wants) and SPKI `dir/rp-pub.pem` (public, for
/// `OP_CLIENT_KEY`). Returns (private, public).
pub fn client_key(dir: &Path) -> (PathBuf, PathBuf) {
    let private = dir.join("rp-key.pem");
    let public = dir.join("rp-pub.pem");
    let ok = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(&private)
        .stderr(Stdio::null())
        .status()
        .expect("openssl")
        .success();
    assert!(ok, "openssl genpkey");
    let ok = Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&private)
        .arg("-out")
        .arg(&public)
        .status()
        .expect("openssl")
        .success();
    assert!(ok, "openssl pkey -pubout");
    (private, public)
}

/// `http://host:port/path?q` → (`host:port`, `/path?q`).
pub fn split_url(url: &str) -> (String, String) {
    let rest = url
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("not an http:// URL: {url}"));
    match rest.find('/') {
        Some(i) => (rest[..i].to_string(), rest[i..].to_string()),
        None => (rest.to_string(), "/".to_string()),
    }
}

/// GETs `auth_url` (absolute, on the OP) with `op_browser` (a `Browser` for the OP's address:
/// it keeps the OP's cookies) and follows the Location headers while they stay on the OP.
/// Returns the first Location that starts with `callback_prefix` (the RP's callback with
/// `code`, `state`, `iss`; or, for an end-session URL, the post-logout URL). Panics with the
/// last response otherwise.
pub fn follow_to_callback(
    op_browser: &mut Browser,
    auth_url: &str,
    callback_prefix: &str,
) -> String {
    let mut url = auth_url.to_string();
    for _ in 0..20 {
        let (addr, path) = split_url(&url);
        assert_eq!(addr, op_browser.addr, "left the OP for {url}");
        let r = op_browser.get(&path);
        let Some(location) = r.header("location") else {
            panic!("no redirect from {url}: {} {}", r.status, r.body);
        };
        let next = if location.starts_with("http://") || location.starts_with("https://") {
            location.to_string()
        } else if location.starts_with('/') {
            format!("http://{addr}{location}")
        } else {
            let dir = &path[..path.split('?').next().unwrap().rfind('/').unwrap() + 1];
            format!("http://{addr}{dir}{location}")
        };
        if next.starts_with(callback_prefix) {
            return next;
        }
        url = next;
    }
    panic!("more than 20 redirects from {auth_url}");
}

/// The value of query parameter `name` in `url` (percent-decoded).
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1.split('#').next().unwrap();
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (c, _) => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// base64url without padding.
pub fn b64url(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// Decodes base64url without padding.
pub fn b64url_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .unwrap_or_else(|_| panic!("not base64url: {s}"))
}

/// The decoded (unverified) header and payload of a compact JWS.
pub fn jwt_parts(jwt: &str) -> (serde_json::Value, serde_json::Value) {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "not a JWS: {jwt}");
    (
        serde_json::from_slice(&b64url_decode(parts[0])).unwrap(),
        serde_json::from_slice(&b64url_decode(parts[1])).unwrap(),
    )
}

// ---- Tests: the OP on its own, driven as the portal will drive it (no relying party). ----
