//! The OpenID provider for SPID/CIE (a real `oidc-provider` behind the fault proxy) failing
//! at discovery (the "Entra con SPID" button), at the token exchange, at the keys (JWKS) and
//! at userinfo (the return from the provider). Every cell: an Italian page with 503 (the
//! provider does not answer) or 403 (what it said could not be checked), never a 500, no
//! session, nothing of the provider's body shown; the same login works once it is back, and
//! makes one session.

use super::{FaultProxy, Mode, assert_clean};
use crate::client::{Browser, Response};
use crate::oidc_op::{self, Op};
use crate::stub::free_port;
use crate::{Server, TempDir};

const DISCOVERY: &str = "/.well-known/openid-configuration";
const TOKEN: &str = "/test-token";
const JWKS: &str = "/jwks";
const USERINFO: &str = "/me";

/// The provider does not answer (503).
const DOWN: &str = "non risponde";
/// What it answered could not be checked (403).
const UNCHECKED: &str = "Non è stato possibile verificare";

struct Setup {
    rp: Server,
    op: Op,
    proxy: FaultProxy,
    _dir: TempDir,
}

fn setup() -> Setup {
    let dir = TempDir::new("oidc-faults");
    let op_port = free_port();
    let proxy = FaultProxy::to(&format!("127.0.0.1:{op_port}"));
    let (rp, op) = oidc_op::portal_and_provider(
        &dir.0,
        op_port,
        Some(&proxy.url()),
        &[
            ("CDS_OIDC_TIMEOUT_SECS", "1"),
            // Every cell starts a login from this one address.
            ("CDS_AUTH_IP_ATTEMPTS_PER_MINUTE", "1000"),
        ],
    );
    Setup {
        rp,
        op,
        proxy,
        _dir: dir,
    }
}

fn sessions(s: &Setup) -> i64 {
    rusqlite::Connection::open(s.rp.db_path())
        .unwrap()
        .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
        .unwrap()
}

/// The patient's browser and the callback URL the provider sends it back to.
fn to_callback(s: &Setup, provider: &str) -> (Browser, String) {
    let mut b = Browser::new(&s.rp.addr);
    b.get("/accedi");
    let r = b.post(&format!("/accedi/{provider}"), &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    let auth = r.header("location").unwrap().to_string();
    let mut opb = s.op.browser();
    let cb = oidc_op::follow_to_callback(
        &mut opb,
        &auth,
        &format!("http://{}/accedi/oidc", s.rp.addr),
    );
    (b, cb)
}

fn back(b: &mut Browser, cb: &str) -> Response {
    b.get(&oidc_op::split_url(cb).1)
}

/// The refusal page: status, Italian text, no session.
fn refused(s: &Setup, cell: &str, r: &Response, status: u16, text: &str, before: i64) {
    assert_eq!(r.status, status, "{cell}: {}", r.body);
    assert!(r.body.contains(text), "{cell}: {text}: {}", r.body);
    assert!(r.body.contains("lang=\"it\""), "{cell}");
    assert_clean(cell, r.status, &r.body);
    assert!(
        !r.headers_named("set-cookie")
            .iter()
            .any(|c| c.starts_with("cds_session=") && !c.contains("Max-Age=0")),
        "{cell}: no session cookie"
    );
    assert_eq!(sessions(s), before, "{cell}: no session row");
}

/// A whole login that works: one more session.
fn works(s: &Setup, provider: &str, cell: &str) {
    let before = sessions(s);
    let (mut b, cb) = to_callback(s, provider);
    let r = back(&mut b, &cb);
    assert_eq!(
        r.status,
        200,
        "{cell}: works again: {}\n{}",
        r.body,
        s.rp.log()
    );
    assert!(r.body.contains("Accesso effettuato"), "{cell}: {}", r.body);
    assert_eq!(sessions(s), before + 1, "{cell}: one session");
}

#[test]
fn openid_provider_faults_give_italian_pages_no_session_and_work_again() {
    let s = setup();
    // Discovery, read when the patient presses "Entra con SPID" (cached once it worked).
    for mode in [
        Mode::Down,
        Mode::Slow(2500),
        Mode::Status(500),
        Mode::Garbage,
        Mode::WrongType,
        Mode::Truncated,
    ] {
        let cell = format!("discovery × {}", mode.name());
        s.proxy.apply(DISCOVERY, mode);
        let mut b = Browser::new(&s.rp.addr);
        b.get("/accedi");
        let r = b.post("/accedi/spid", &[]);
        refused(&s, &cell, &r, 503, DOWN, 0);
        s.proxy.heal();
    }
    works(&s, "spid", "discovery");

    // The keys: fetched at the first token checked by CIE's client (then cached).
    let (mut b, cb) = to_callback(&s, "cie");
    s.proxy.apply(JWKS, Mode::Status(500));
    let before = sessions(&s);
    let r = back(&mut b, &cb);
    refused(&s, "cie jwks × HTTP 500", &r, 503, DOWN, before);
    s.proxy.heal();
    works(&s, "cie", "cie jwks");

    // The token exchange and userinfo, on the return from the provider.
    let cells: Vec<(&str, &str, Mode, u16, &str)> = vec![
        ("spid", TOKEN, Mode::Down, 503, DOWN),
        ("spid", TOKEN, Mode::Slow(2500), 503, DOWN),
        ("spid", TOKEN, Mode::Status(500), 503, DOWN),
        ("cie", TOKEN, Mode::Status(502), 503, DOWN),
        // A refusal (4xx) names only a standard OAuth error code, never the provider's text.
        ("cie", TOKEN, Mode::Status(400), 403, UNCHECKED),
        ("spid", TOKEN, Mode::Garbage, 503, DOWN),
        ("cie", TOKEN, Mode::WrongType, 503, DOWN),
        ("spid", TOKEN, Mode::Truncated, 503, DOWN),
        ("spid", USERINFO, Mode::Slow(2500), 503, DOWN),
        ("spid", USERINFO, Mode::Status(500), 503, DOWN),
        ("spid", USERINFO, Mode::Garbage, 403, UNCHECKED),
        ("cie", USERINFO, Mode::Truncated, 503, DOWN),
    ];
    let cells_len = cells.len();
    for (provider, path, mode, status, text) in cells {
        let cell = format!("{provider} {path} × {}", mode.name());
        let (mut b, cb) = to_callback(&s, provider);
        s.proxy.apply(path, mode);
        let before = sessions(&s);
        let r = back(&mut b, &cb);
        refused(&s, &cell, &r, status, text, before);
        s.proxy.heal();
        // The same return again: already used, refused; a new login works.
        let again = back(&mut b, &cb);
        assert_eq!(again.status, 400, "{cell}: single use: {}", again.body);
        works(&s, provider, &cell);
    }
    let log = s.rp.log();
    assert!(
        !log.contains(super::SECRET),
        "the provider's body is not logged"
    );
    super::figures("oidc", 6 + 1 + cells_len, &s.proxy);
}
