//! SPID/CIE login against a real OpenID provider (npm `oidc-provider`, tests/e2e/oidc-op.mjs,
//! started on loopback): the happy path for SPID (client_secret_basic, JSON userinfo) and
//! CIE (private_key_jwt, signed userinfo), a new patient, logout at the provider, and every
//! refusal with a clear Italian page and no session: wrong state, replayed code, another
//! browser, expired / tampered / wrong-audience / wrong-issuer / wrong-nonce / unknown-key
//! ID tokens, acr too low, fiscal claim missing or invalid; then JWKS key rotation.

use crate::client::{Browser, Response};
use crate::oidc_op::{self, Op, SPID_L1, SPID_L2, SPID_L3};
use crate::{MARIO, Server, TempDir};
use rusqlite::Connection;

struct Setup {
    rp: Server,
    op: Op,
    dir: TempDir,
}

fn setup() -> Setup {
    let dir = TempDir::new("oidc");
    let op_port = crate::stub::free_port();
    let (rp, op) = oidc_op::portal_and_provider(&dir.0, op_port, None, &[]);
    Setup { rp, op, dir }
}

/// The button, then the provider's redirects: the callback URL (not yet called) and the
/// browser that started the login.
fn to_callback(s: &Setup, provider: &str) -> (Browser, String) {
    let mut b = Browser::new(&s.rp.addr);
    let page = b.get("/accedi");
    assert!(page.body.contains("Entra con SPID") && page.body.contains("Entra con CIE"));
    // Chromium applies form-action to the redirect after the POST: the provider is allowed.
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains(&format!("form-action 'self' {}", s.op.url)),
        "{csp}"
    );
    let r = b.post(&format!("/accedi/{provider}"), &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    let auth = r.header("location").unwrap().to_string();
    assert!(auth.starts_with(&s.op.url), "{auth}");
    for p in [
        "code_challenge_method=S256",
        "acr_values=https%3A%2F%2Fwww.spid.gov.it%2FSpidL2",
    ] {
        assert!(auth.contains(p), "{p}: {auth}");
    }
    let state = oidc_op::query_param(&auth, "state").unwrap();
    let nonce = oidc_op::query_param(&auth, "nonce").unwrap();
    assert!(state.len() >= 32 && nonce.len() >= 32 && state != nonce);
    assert!(
        r.headers_named("set-cookie")
            .iter()
            .any(|c| c.starts_with("cds_oidc=") && c.contains("SameSite=Lax")),
        "browser binding cookie"
    );
    let mut opb = s.op.browser();
    let cb = oidc_op::follow_to_callback(
        &mut opb,
        &auth,
        &format!("http://{}/accedi/oidc", s.rp.addr),
    );
    (b, cb)
}

fn path_of(url: &str) -> String {
    oidc_op::split_url(url).1
}

fn sessions(s: &Setup) -> i64 {
    Connection::open(s.rp.db_path())
        .unwrap()
        .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
        .unwrap()
}

/// A refused callback: the status, the Italian message, no session cookie, no session row.
fn refused(s: &Setup, r: &Response, status: u16, text: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert!(r.body.contains(text), "{text}: {}", r.body);
    assert!(r.body.contains("lang=\"it\""));
    assert!(
        !r.headers_named("set-cookie")
            .iter()
            .any(|c| c.starts_with("cds_session=") && !c.contains("Max-Age=0")),
        "no session cookie"
    );
    assert_eq!(sessions(s), 0, "no session row");
}

fn login(s: &Setup, provider: &str) -> (Browser, Response) {
    let (mut b, cb) = to_callback(s, provider);
    let r = b.get(&path_of(&cb));
    (b, r)
}

#[test]
fn spid_and_cie_happy_paths_new_patient_and_logout_at_the_provider() {
    let s = setup();
    // SPID: client_secret_basic, JSON userinfo.
    let (mut b, r) = login(&s, "spid");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Accesso effettuato"));
    assert_eq!(r.header("refresh"), Some("0;url=/documenti-interscambiati"));
    let home = b.get("/documenti-interscambiati");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Utente: Mario Rossi"), "{}", home.body);
    let (method, provider, has_token): (String, String, bool) = Connection::open(s.rp.db_path())
        .unwrap()
        .query_row(
            "SELECT method, provider, id_token IS NOT NULL FROM sessions",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (method.as_str(), provider.as_str(), has_token),
        ("spid", "spid", true)
    );
    // Logout: local session gone, then the provider's end_session_endpoint.
    b.get("/documenti-interscambiati");
    let out = b.post("/esci", &[]);
    assert_eq!(out.status, 303);
    let end = out.header("location").unwrap().to_string();
    assert!(
        end.starts_with(&format!("{}/session/end?id_token_hint=", s.op.url)),
        "{end}"
    );
    assert_eq!(sessions(&s), 0);
    let mut opb = s.op.browser();
    let back = oidc_op::follow_to_callback(&mut opb, &end, &format!("http://{}/accedi", s.rp.addr));
    assert!(back.starts_with(&format!("http://{}/accedi", s.rp.addr)));
    assert_eq!(b.get("/documenti-interscambiati").status, 303, "logged out");

    // CIE through the same proxy: private_key_jwt, userinfo as a signed JWT, SpidL3.
    s.op.next("mario", SPID_L3);
    let (mut b, r) = login(&s, "cie");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(b.get("/dashboard").body.contains("Mario Rossi"));

    // A codice fiscale the portal does not know: the patient is created from the claims.
    s.op.next("nuovo", SPID_L2);
    let (mut b, r) = login(&s, "spid");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("non ci sono ancora documenti"),
        "{}",
        r.body
    );
    assert!(
        r.header("refresh").is_none(),
        "the new patient reads the message first"
    );
    let names: (String, String) = Connection::open(s.rp.db_path())
        .unwrap()
        .query_row(
            "SELECT given_name, family_name FROM patients WHERE codice_fiscale = 'MRTMTT25D09F205Z'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(names, ("Matteo".into(), "Martini".into()));
    assert!(
        b.get("/documenti-interscambiati")
            .body
            .contains("Nessun documento")
    );
    // The log holds no codice fiscale and no token.
    let log = s.rp.log();
    assert!(!log.contains(MARIO.0) && !log.contains("MRTMTT25D09F205Z") && !log.contains("eyJ"));
    drop(s.dir);
}

#[test]
fn every_refusal_is_an_italian_page_without_session_and_keys_rotate() {
    let mut s = setup();
    // Wrong state.
    let (mut b, cb) = to_callback(&s, "spid");
    let state = oidc_op::query_param(&cb, "state").unwrap();
    let forged = path_of(&cb).replace(&state, &"x".repeat(43));
    refused(
        &s,
        &b.get(&forged),
        400,
        "non è valida, è scaduta o è già stata usata",
    );
    // The real callback still works once, and a replay of it is refused.
    let (mut b, cb) = to_callback(&s, "spid");
    assert_eq!(b.get(&path_of(&cb)).status, 200);
    Connection::open(s.rp.db_path())
        .unwrap()
        .execute("DELETE FROM sessions", [])
        .unwrap();
    let mut other = Browser::new(&s.rp.addr);
    other.cookies = b.cookies.clone();
    other.cookies.remove("cds_session");
    refused(&s, &other.get(&path_of(&cb)), 400, "già stata usata");
    // Another browser (no binding cookie) cannot use someone else's callback.
    let (_, cb) = to_callback(&s, "spid");
    let mut stranger = Browser::new(&s.rp.addr);
    refused(
        &s,
        &stranger.get(&path_of(&cb)),
        400,
        "non proviene da questo browser",
    );
    // The provider reports an error.
    let (mut b, cb) = to_callback(&s, "spid");
    let state = oidc_op::query_param(&cb, "state").unwrap();
    refused(
        &s,
        &b.get(&format!("/accedi/oidc?error=access_denied&state={state}")),
        403,
        "annullato",
    );
    let _ = cb;

    // ID tokens altered on the way (re-signed by the provider's key unless said otherwise).
    for (kind, text) in [
        ("expired", "token scaduto"),
        ("tampered", "firma del token non valida"),
        ("wrong_aud", "destinato a un altro servizio"),
        ("wrong_iss", "emesso da un altro gestore"),
        ("wrong_nonce", "nonce non corrispondente"),
        ("unknown_key", "chiave di firma sconosciuta"),
        ("acr_low", "livello 2 o superiore"),
    ] {
        s.op.mutate(kind);
        let (_, r) = login(&s, "spid");
        refused(&s, &r, 403, text);
    }
    // acr too low as the provider itself issued it.
    s.op.next("mario", SPID_L1);
    let (_, r) = login(&s, "spid");
    refused(&s, &r, 403, "livello 2 o superiore");
    // The fiscal-number claim missing, or not a valid codice fiscale.
    s.op.next("nofiscal", SPID_L2);
    refused(
        &s,
        &login(&s, "spid").1,
        403,
        "non ha comunicato il tuo codice fiscale",
    );
    s.op.next("badcf", SPID_L2);
    refused(&s, &login(&s, "spid").1, 403, "non è valido");
    let patients: i64 = Connection::open(s.rp.db_path())
        .unwrap()
        .query_row(
            "SELECT count(*) FROM patients WHERE codice_fiscale = 'CCCFBA85D03L219B'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(patients, 0, "nothing created for a refused identity");

    // The IT person reads why, and nothing personal.
    let log = s.rp.log();
    for why in [
        "firma del token non valida",
        "livello acr insufficiente",
        "error=access_denied",
    ] {
        assert!(log.contains(why), "{why}: {log}");
    }
    assert!(!log.contains("eyJ") && !log.contains(MARIO.0) && !log.contains("CCCFBA85D03L219B"));

    // Key rotation: the provider now signs with k2; the portal fetches the keys again.
    s.op.next("mario", SPID_L2);
    assert_eq!(login(&s, "spid").1.status, 200);
    let k2 = oidc_op::rsa_keys("k2", &s.dir.0);
    s.op.restart_with_keys(&k2);
    // The portal asks for the keys again at most once a second (a flood of tokens with
    // unknown key ids must not become a flood of requests to the provider): the refusals
    // above may have just fetched them.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    s.op.next("mario", SPID_L2);
    let (mut b, r) = login(&s, "spid");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(b.get("/dashboard").body.contains("Mario Rossi"));
}

#[test]
fn sandbox_identity_page_is_demo_only() {
    // The demo without a configured provider: the buttons lead to the sandbox page.
    let rp = Server::demo(&[("CDS_DEMO_CT_SLICES", "12")]);
    let mut b = Browser::new(&rp.addr);
    b.get("/accedi");
    let r = b.post("/accedi/cie", &[]);
    assert_eq!(r.header("location"), Some("/sandbox/spid?via=cie"));
    let page = b.get("/sandbox/spid?via=cie");
    assert!(page.body.contains("Entra come Mario Rossi") && page.body.contains("Matteo Martini"));
    let r = b.post("/sandbox/spid", &[("persona", "0"), ("via", "cie")]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(b.get("/dashboard").body.contains("Mario Rossi"));
    assert_eq!(b.post("/sandbox/spid", &[("persona", "99")]).status, 400);
    // `serve` without sandbox: no sandbox page, and SPID says it is not active yet.
    let plain = Server::spawn(&crate::BIN, "serve", &[], None);
    assert_eq!(crate::client::get(&plain.addr, "/sandbox/spid").status, 404);
    let mut b = Browser::new(&plain.addr);
    b.get("/accedi");
    let r = b.post("/accedi/spid", &[]);
    assert_eq!(r.status, 503);
    assert!(r.body.contains("non è ancora attivo"));
}
