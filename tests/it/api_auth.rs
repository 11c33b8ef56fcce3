//! The ingest API's tokens (wrong, expired, revoked, out of scope, from an address not
//! allowed; cookies are no token) and schemathesis against `/api/v1/openapi.json`.

use super::api::{body_of, call};
use super::client::{Browser, raw};
use super::{ADMIN, DEMO_TOKEN, MARIO, Server};
use serde_json::json;

/// Creates a token in the back office as the administrator; returns its secret.
fn new_token(admin: &mut Browser, client: &str, scopes: &[&str], ips: &str) -> String {
    let mut fields = vec![("client", client), ("allow_ips", ips), ("giorni", "")];
    let names: Vec<String> = scopes.iter().map(|s| format!("scope_{s}")).collect();
    fields.extend(names.iter().map(|n| (n.as_str(), "1")));
    admin.get("/operatore/token");
    let r = admin.post("/operatore/token", &fields);
    assert_eq!(r.status, 200, "{}", r.body);
    let (_, rest) = r.body.split_once("class=\"secret\">").unwrap();
    rest.split('<').next().unwrap().to_string()
}

#[test]
fn tokens_wrong_expired_revoked_out_of_scope_or_from_elsewhere() {
    let s = Server::demo(&[]);
    let mut admin = Browser::new(&s.addr);
    assert_eq!(admin.operator_login(ADMIN.0, ADMIN.1).status, 303);
    let reader = new_token(&mut admin, "LETTORE", &["documents:read"], "");
    let elsewhere = new_token(
        &mut admin,
        "ALTROVE",
        &["patients:write", "documents:read"],
        "10.9.9.0/24",
    );
    let expired = new_token(&mut admin, "SCADUTO", &["documents:read"], "");
    let revoked = new_token(&mut admin, "REVOCATO", &["documents:read"], "127.0.0.1");
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    db.execute(
        "UPDATE api_tokens SET expires_at = 1 WHERE client = 'SCADUTO'",
        [],
    )
    .unwrap();
    let id: i64 = db
        .query_row(
            "SELECT id FROM api_tokens WHERE client = 'REVOCATO'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let list = format!("/api/v1/pazienti/{}/documenti", MARIO.0);
    assert_eq!(
        call(&s, "GET", &list, Some(&revoked), "", b"").status,
        200,
        "works before"
    );
    admin.get("/operatore/token");
    assert_eq!(
        admin
            .post(&format!("/operatore/token/{id}/revoca"), &[])
            .status,
        200
    );

    let person = json!({"nome": "Mario", "cognome": "Rossi"});
    let cases: &[(&str, &str, Option<&str>, u16, &str)] = &[
        ("nessun token", "GET", None, 401, "mancante"),
        (
            "token sbagliato",
            "GET",
            Some("cdsapi_sbagliato"),
            401,
            "non valido",
        ),
        ("non cdsapi", "GET", Some("abc"), 401, "non valido"),
        ("scaduto", "GET", Some(&expired), 401, "scaduto"),
        ("revocato", "GET", Some(&revoked), 401, "revocato"),
        (
            "da un altro indirizzo",
            "GET",
            Some(&elsewhere),
            403,
            "indirizzo",
        ),
        (
            "senza permesso",
            "PUT",
            Some(&reader),
            403,
            "patients:write",
        ),
        ("lettore", "GET", Some(&reader), 200, ""),
    ];
    for (name, method, token, status, says) in cases {
        let (path, body) = if *method == "PUT" {
            (format!("/api/v1/pazienti/{}", MARIO.0), person.to_string())
        } else {
            (list.clone(), String::new())
        };
        let r = call(
            &s,
            method,
            &path,
            *token,
            "application/json",
            body.as_bytes(),
        );
        assert_eq!(r.status, *status, "{name}: {}", r.body);
        assert!(body_of(&r).to_string().contains(says), "{name}: {}", r.body);
        assert_eq!(
            r.status == 401,
            r.header("www-authenticate").is_some(),
            "{name}"
        );
    }
    // An operator's cookie is no token either.
    let cookie = admin
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let req =
        format!("GET {list} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: {cookie}\r\n\r\n");
    assert_eq!(raw(&s.addr, req.as_bytes()).status, 401);
}

#[test]
fn unknown_tokens_from_one_address_are_limited_and_then_every_token_is() {
    let s = Server::demo(&[]);
    let list = format!("/api/v1/pazienti/{}/documenti", MARIO.0);
    let get = |token: Option<&str>| call(&s, "GET", &list, token, "", b"");
    assert_eq!(get(Some(DEMO_TOKEN)).status, 200);
    // Not a guess, not counted: no token at all.
    for _ in 0..40 {
        assert_eq!(get(None).status, 401);
    }
    assert_eq!(get(Some(DEMO_TOKEN)).status, 200, "nothing counted");
    // Thirty unknown tokens (auth.ip_attempts_per_minute) are each told so; the next finds
    // the address stopped, and so does the right token now: guessing learns nothing more.
    for i in 0..30 {
        let r = get(Some(&format!("cdsapi_indovino{i}")));
        assert_eq!(r.status, 401, "{}", r.body);
    }
    assert_eq!(get(Some("nemmeno-cdsapi")).status, 429, "any form of guess");
    let r = get(Some(DEMO_TOKEN));
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(
        body_of(&r).to_string().contains("Troppi token non validi"),
        "{}",
        r.body
    );
    assert_eq!(r.header("retry-after"), Some("60"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    // One attempt comes back every 2 s (30 a minute).
    std::thread::sleep(std::time::Duration::from_millis(2_500));
    assert_eq!(get(Some(DEMO_TOKEN)).status, 200);
}

#[test]
fn schemathesis_finds_nothing_against_the_openapi() {
    let st = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/.venv/bin/st");
    assert!(
        std::path::Path::new(st).exists(),
        "schemathesis missing: run bash tests/install-deps.sh"
    );
    let s = Server::demo(&[]);
    let base = format!("http://{}/api/v1", s.addr);
    let out = std::process::Command::new(st)
        .args([
            "--config-file",
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemathesis.toml"),
        ])
        .args([
            "run",
            &format!("{base}/openapi.json"),
            "--url",
            &base,
            "--checks",
            "all",
        ])
        .args(["--max-examples", "150", "--no-color"])
        .args(["-H", &format!("Authorization: Bearer {DEMO_TOKEN}")])
        .current_dir(&s.data.0)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("passed"), "{text}");
}
