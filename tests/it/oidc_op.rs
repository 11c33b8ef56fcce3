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

use crate::TempDir;
use crate::client::{self, Browser, enc, form};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read};
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
        let log = Arc::new(Mutex::new(String::new()));
        let (child, url) = launch(port, keys, redirect, post_logout, client_key_pem, &log);
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
        }
    }

    /// Stops the OP and starts it again on the same port with other signing keys (all its
    /// state — sessions, codes, tokens — is lost, as in a real restart).
    pub fn restart_with_keys(&mut self, keys: &Path) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, url) = launch(
            self.port,
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
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line.starts_with("http://127.0.0.1:") {
            std::thread::spawn(move || for _ in reader.lines() {});
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

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding.
pub fn b64url(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(B64URL[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes base64url (padding and the standard alphabet's `+/` tolerated).
pub fn b64url_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => panic!("not base64url: {s}"),
        };
        acc = acc << 6 | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
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
const REDIRECT: &str = "http://127.0.0.1:9/accedi/oidc";
const POST_LOGOUT: &str = "http://127.0.0.1:9/accedi";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-verifier";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn random43(tag: &str) -> String {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).unwrap();
    let s = b64url(&b);
    assert_eq!(s.len(), 43, "{tag}");
    s
}

/// The code flow by hand, as the portal will do it: returns (token response, nonce).
fn login(
    op: &Op,
    browser: &mut Browser,
    client_id: &str,
    rp_key: Option<&Path>,
) -> (serde_json::Value, String) {
    let (state, nonce) = (random43("state"), random43("nonce"));
    let challenge = b64url(&Sha256::digest(VERIFIER.as_bytes()));
    let auth = format!(
        "{}/auth?client_id={client_id}&response_type=code&scope={}&redirect_uri={}&state={state}&nonce={nonce}&code_challenge={challenge}&code_challenge_method=S256&acr_values={}",
        op.url,
        enc("openid profile"),
        enc(REDIRECT),
        enc(SPID_L2),
    );
    let callback = follow_to_callback(browser, &auth, REDIRECT);
    assert!(callback.starts_with(&format!("{REDIRECT}?")), "{callback}");
    assert_eq!(
        query_param(&callback, "state").as_deref(),
        Some(state.as_str())
    );
    assert_eq!(
        query_param(&callback, "iss").as_deref(),
        Some(op.url.as_str())
    );
    let code = query_param(&callback, "code").expect("code");

    let discovery = op.discovery();
    let token_endpoint = discovery["token_endpoint"].as_str().unwrap();
    let (addr, path) = split_url(token_endpoint);
    let mut fields = vec![
        ("grant_type", "authorization_code".to_string()),
        ("code", code),
        ("redirect_uri", REDIRECT.to_string()),
        ("code_verifier", VERIFIER.to_string()),
    ];
    let mut headers = Vec::new();
    let basic = format!(
        "Basic {}",
        b64_std(format!("{CLIENT_ID}:{CLIENT_SECRET}").as_bytes())
    );
    match rp_key {
        None => headers.push(("Authorization", basic.as_str())),
        Some(pem) => {
            // private_key_jwt: aud = the token endpoint from discovery (BASE/test-token).
            let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
            header.kid = Some(JWT_CLIENT_KID.into());
            let claims = serde_json::json!({
                "iss": client_id, "sub": client_id, "aud": token_endpoint,
                "jti": random43("jti"), "iat": now(), "exp": now() + 60,
            });
            let key = jsonwebtoken::EncodingKey::from_ec_pem(&std::fs::read(pem).unwrap()).unwrap();
            let assertion = jsonwebtoken::encode(&header, &claims, &key).unwrap();
            fields.push((
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
            ));
            fields.push(("client_assertion", assertion));
        }
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = client::request(&addr, "POST", &path, &headers, &form(&fields));
    assert_eq!(r.status, 200, "token: {} {}", r.body, op.log());
    (serde_json::from_str(&r.body).unwrap(), nonce)
}

fn b64_std(data: &[u8]) -> String {
    let s = b64url(data).replace('-', "+").replace('_', "/");
    let pad = (4 - s.len() % 4) % 4;
    s + &"=".repeat(pad)
}

#[test]
fn code_flow_pkce_mutation_account_switch_and_logout() {
    let dir = TempDir::new("oidc-op");
    let keys = rsa_keys("k1", &dir.0);
    let op = Op::start(0, &keys, REDIRECT, POST_LOGOUT, None);
    assert!(op.url.starts_with("http://127.0.0.1:"));

    let d = op.discovery();
    assert_eq!(d["issuer"], op.url.as_str());
    assert_eq!(
        d["token_endpoint"],
        format!("{}/test-token", op.url).as_str()
    );
    assert_eq!(d["jwks_uri"], format!("{}/jwks", op.url).as_str());
    assert_eq!(
        d["end_session_endpoint"],
        format!("{}/session/end", op.url).as_str()
    );
    let jwks: serde_json::Value =
        serde_json::from_str(&client::get(&op.addr, "/jwks").body).unwrap();
    assert_eq!(jwks["keys"][0]["kid"], "k1");
    assert!(jwks["keys"][0].get("d").is_none(), "public keys only");

    let mut browser = op.browser();
    let (tokens, nonce) = login(&op, &mut browser, CLIENT_ID, None);
    let (header, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], "k1");
    assert_eq!(claims[FISCAL_CLAIM], "TINIT-RSSMRA80A01A182N");
    assert_eq!(claims["given_name"], "Mario");
    assert_eq!(claims["family_name"], "Rossi");
    assert_eq!(claims["acr"], SPID_L2);
    assert_eq!(claims["nonce"], nonce.as_str());
    assert_eq!(claims["aud"], CLIENT_ID);
    assert_eq!(claims["iss"], op.url.as_str());

    // Plain JSON userinfo for cds-portal.
    let access = tokens["access_token"].as_str().unwrap();
    let bearer = format!("Bearer {access}");
    let ui = client::request(&op.addr, "GET", "/me", &[("Authorization", &bearer)], "");
    assert_eq!(ui.status, 200, "{}", ui.body);
    assert!(
        ui.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );

    // The next token response is altered, then back to normal; the account switch
    // applies in the same OP session.
    op.mutate("wrong_aud");
    op.next("nuovo", SPID_L3);
    let (tokens, _) = login(&op, &mut browser, CLIENT_ID, None);
    let (_, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["aud"], "someone-else");
    assert_eq!(claims[FISCAL_CLAIM], "TINIT-MRTMTT25D09F205Z");
    assert_eq!(claims["acr"], SPID_L3);
    let (tokens, _) = login(&op, &mut browser, CLIENT_ID, None);
    let (_, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["aud"], CLIENT_ID);

    // RP-initiated logout ends at the post-logout URL, by redirects.
    let end = format!(
        "{}?id_token_hint={}&post_logout_redirect_uri={}&state=bye",
        d["end_session_endpoint"].as_str().unwrap(),
        tokens["id_token"].as_str().unwrap(),
        enc(POST_LOGOUT)
    );
    let back = follow_to_callback(&mut browser, &end, POST_LOGOUT);
    assert_eq!(back, format!("{POST_LOGOUT}?state=bye"));
}

#[test]
fn private_key_jwt_signed_userinfo_and_key_rotation() {
    let dir = TempDir::new("oidc-op-jwt");
    let keys = rsa_keys("k1", &dir.0);
    let (rp_private, rp_public) = client_key(&dir.0);
    let mut op = Op::start(0, &keys, REDIRECT, POST_LOGOUT, Some(&rp_public));
    op.next("nofiscal", SPID_L2);

    let mut browser = op.browser();
    let (tokens, _) = login(&op, &mut browser, JWT_CLIENT_ID, Some(&rp_private));
    let (_, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["aud"], JWT_CLIENT_ID);
    assert!(claims.get(FISCAL_CLAIM).is_none(), "{claims}");
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let ui = client::request(&op.addr, "GET", "/me", &[("Authorization", &bearer)], "");
    assert_eq!(ui.status, 200, "{}", ui.body);
    assert_eq!(
        ui.header("content-type"),
        Some("application/jwt; charset=utf-8")
    );
    let (header, claims) = jwt_parts(ui.body.trim());
    assert_eq!(header["alg"], "RS256");
    assert_eq!(claims["sub"], "nofiscal");
    assert!(claims.get(FISCAL_CLAIM).is_none(), "{claims}");

    // Key rotation: same port, new key.
    let port = op.port;
    let keys2 = rsa_keys("k2", &dir.0);
    op.restart_with_keys(&keys2);
    assert_eq!(op.port, port);
    let jwks: serde_json::Value =
        serde_json::from_str(&client::get(&op.addr, "/jwks").body).unwrap();
    assert_eq!(jwks["keys"][0]["kid"], "k2");
    op.next("mario", SPID_L2);
    let (tokens, _) = login(&op, &mut browser, JWT_CLIENT_ID, Some(&rp_private));
    let (header, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(header["kid"], "k2");
    assert_eq!(claims[FISCAL_CLAIM], "TINIT-RSSMRA80A01A182N");
    op.mutate("acr_low");
    let (tokens, _) = login(&op, &mut browser, JWT_CLIENT_ID, Some(&rp_private));
    let (header, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(header["kid"], "k2", "re-signed with the current key");
    assert_eq!(claims["acr"], SPID_L1);
}
