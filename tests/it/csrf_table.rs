//! The CSRF table: every POST route of `cds_portal::routes()` outside the API × every way
//! a forged request can carry (or not) a token — none, empty, another session's, an
//! anonymous one beside a session, an anonymous one expired, from the future or with its
//! timestamp changed, a MAC altered, another browser's — gets 403 and writes nothing: the
//! content of every table of both SQLite files is the same before and after each request.
//! The API takes no cookie: a patient's or an administrator's cookie with its CSRF token
//! never makes an API write, 401 and nothing written.

use crate::authz::{Who, World, multipart};
use crate::client::{self, Browser, Response};
use crate::{ADMIN, MARIO};
use rusqlite::{Connection, OpenFlags};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// The forms shown before login: their CSRF token is the signed anonymous one (bound to
/// the `cds_pre` cookie), and with a session they take either (`http::csrf::verify`).
const ANONYMOUS_FORMS: &[&str] = &[
    "/accedi",
    "/accedi/spid",
    "/accedi/cie",
    "/nuovo-pin",
    "/condivisi/{link}",
    "/sandbox/pagamenti",
    "/sandbox/spid",
    "/operatore/accedi",
];

/// Columns that move without the request writing: a session's idle clock (any request
/// with its cookie, a refused one too, counts as activity) and the payment poller's own
/// bookkeeping of the demo's pending order.
const BACKGROUND: &[(&str, &str)] = &[
    ("sessions", "last_seen_at"),
    ("operator_sessions", "last_seen_at"),
    ("orders", "next_check_at"),
    ("orders", "checks"),
    ("orders", "last_check_error"),
];

/// Each table's rows, hashed, in both SQLite files (opened read-only).
fn snapshot(w: &World) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let main = w.s.db_path();
    for path in [main.clone(), main.with_file_name("sandbox-pagopa.db")] {
        if !path.exists() {
            continue;
        }
        let c = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
        let tables: Vec<String> = c
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for t in tables {
            let mut st = c.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
            let n = st.column_count();
            let skip: Vec<bool> = st
                .column_names()
                .map(|c| BACKGROUND.contains(&(t.as_str(), c)))
                .collect();
            let mut h = std::collections::hash_map::DefaultHasher::new();
            let mut rows = st.query([]).unwrap();
            while let Some(row) = rows.next().unwrap() {
                for i in (0..n).filter(|i| !skip[*i]) {
                    format!("{:?}", row.get::<_, rusqlite::types::Value>(i).unwrap()).hash(&mut h);
                }
            }
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            out.insert(format!("{file}:{t}"), h.finish());
        }
    }
    out
}

/// An anonymous CSRF token for the `cds_pre` value `pre`, signed with the server's secret
/// (as `http::csrf` signs it) at `ts`.
fn signed(w: &World, pre: &str, ts: i64) -> String {
    use hmac::Mac;
    let secret: Vec<u8> = crate::orders::db(&w.s)
        .query_row("SELECT value FROM settings WHERE key = 'secret'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&secret).unwrap();
    mac.update(format!("csrf|{pre}|{ts}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{ts}.{hex}")
}

/// The last character of a token changed for another.
fn altered(t: &str) -> String {
    let mut t = t.to_string();
    let last = t.pop().unwrap();
    t.push(if last == '0' { '1' } else { '0' });
    t
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}; {b}"),
    }
}

/// Fields with which the right token would write (a session, a request, a share…): the
/// 403 is the token's doing, not the form's.
fn fields(w: &World, pattern: &str) -> String {
    let doc = &w.params["documento"];
    let list: Vec<(&str, &str)> = match pattern {
        "/accedi" => vec![("codice_fiscale", MARIO.0), ("pin", MARIO.1)],
        "/nuovo-pin" => vec![("codice_fiscale", MARIO.0), ("cellulare", MARIO.2)],
        "/operatore/accedi" => vec![("username", ADMIN.0), ("password", ADMIN.1)],
        "/assistenza" => vec![
            ("tipo", "assistenza"),
            ("oggetto", "Scritta da altri"),
            ("messaggio", "Una richiesta che nessuno ha voluto"),
        ],
        "/condivisioni" => vec![
            ("documento", doc),
            ("giorni", "7"),
            ("destinatario", "Dott. Falso"),
        ],
        "/carrello/aggiungi" => vec![("documento", doc)],
        "/condivisi/{link}" => vec![("azione", "codice"), ("codice", &w.share_code)],
        "/operatore/operatori" => vec![
            ("username", "intruso"),
            ("nome", "Intruso"),
            ("ruolo", "amministratore"),
        ],
        "/operatore/token" => vec![("client", "INTRUSO"), ("scope_documents:read", "1")],
        "/operatore/pazienti/nuovo" => vec![
            ("codice_fiscale", "BNCGNN85T10A944B"),
            ("nome", "Gianni"),
            ("cognome", "Bianco"),
            ("cellulare", "+393330000000"),
        ],
        "/operatore/richieste/{richiesta}" => {
            vec![("risposta", "Risposta falsa"), ("azione", "rispondi")]
        }
        _ => vec![],
    };
    client::form(&list)
}

#[test]
fn every_post_refuses_every_forged_token_and_writes_nothing() {
    let w = World::new();
    let now = jiff::Timestamp::now().as_second();
    // An anonymous browser (its `cds_pre` and token) and another one.
    let mut anon = Browser::new(&w.s.addr);
    anon.get("/accedi");
    let pre_cookie = format!("cds_pre={}", anon.cookies["cds_pre"]);
    let pre = anon.cookies["cds_pre"].clone();
    let anon_token = anon.csrf.clone().unwrap();
    let mut other = Browser::new(&w.s.addr);
    other.get("/accedi");
    let other_token = other.csrf.clone().unwrap();
    let (ts, mac) = anon_token.split_once('.').unwrap();
    let forged_ts = format!("{}.{mac}", ts.parse::<i64>().unwrap() - 1);
    let expired = signed(&w, &pre, now - 2 * 3600 - 120);
    let future = signed(&w, &pre, now + 3600);
    // The control: the secret read is the server's, a token signed now is one it takes.
    assert_eq!(signed(&w, &pre, ts.parse().unwrap()), anon_token);

    let posts: Vec<&str> = cds_portal::routes()
        .filter(|(p, m)| m.contains(&"POST") && !p.starts_with("/api/"))
        .map(|(p, _)| *p)
        .collect();
    for p in ANONYMOUS_FORMS {
        assert!(posts.contains(p), "{p} is not a POST route any more");
    }
    let mut failures = Vec::new();
    let mut sent = 0;
    // What the setup started (a reconciliation, a notice) has ended: nothing writes but
    // the requests.
    let mut before = snapshot(&w);
    assert!(
        crate::eventually(20, || {
            std::thread::sleep(std::time::Duration::from_millis(400));
            let now = snapshot(&w);
            std::mem::replace(&mut before, now.clone()) == now
        }),
        "the database settles"
    );
    let mut check = |what: &str, pattern: &str, r: Response, before: &mut BTreeMap<String, u64>| {
        sent += 1;
        if r.status != 403 {
            failures.push(format!(
                "{pattern} ({what}): {} instead of 403: {}",
                r.status,
                r.body.chars().take(200).collect::<String>()
            ));
        }
        let after = snapshot(&w);
        for (table, h) in &after {
            if before.get(table) != Some(h) {
                failures.push(format!("{pattern} ({what}): {table} written"));
            }
        }
        *before = after;
    };
    for pattern in &posts {
        let anonymous_form = ANONYMOUS_FORMS.contains(pattern);
        // The side's session and another session of the same side.
        let (mine, theirs) = if pattern.starts_with("/operatore") {
            (&w.who[4], &w.who[3])
        } else {
            (&w.who[1], &w.who[2])
        };
        let body = fields(&w, pattern);
        let with = |cookie: String| Who {
            cookie,
            ..Who::default()
        };
        let session = with(mine.cookie.clone());
        let session_and_pre = with(join(&mine.cookie, &pre_cookie));
        let pre_only = with(pre_cookie.clone());
        let mut cases: Vec<(&str, &Who, Option<String>)> = vec![
            ("sessione, nessun token", &session, None),
            ("sessione, token vuoto", &session, Some(String::new())),
            (
                "token di un'altra sessione",
                &session,
                Some(theirs.csrf.clone()),
            ),
            (
                "token della sessione alterato",
                &session,
                Some(altered(&mine.csrf)),
            ),
            ("anonimo scaduto", &session_and_pre, Some(expired.clone())),
            ("anonimo dal futuro", &session_and_pre, Some(future.clone())),
            (
                "anonimo con timestamp cambiato",
                &session_and_pre,
                Some(forged_ts.clone()),
            ),
            (
                "anonimo con MAC alterato",
                &session_and_pre,
                Some(altered(&anon_token)),
            ),
        ];
        if anonymous_form {
            // Before login: the anonymous token is the form's, so only the forged ones.
            cases.extend([
                ("senza sessione, nessun token", &pre_only, None),
                (
                    "senza sessione, token vuoto",
                    &pre_only,
                    Some(String::new()),
                ),
                ("anonimo scaduto", &pre_only, Some(expired.clone())),
                ("anonimo dal futuro", &pre_only, Some(future.clone())),
                (
                    "anonimo con timestamp cambiato",
                    &pre_only,
                    Some(forged_ts.clone()),
                ),
                (
                    "anonimo con MAC alterato",
                    &pre_only,
                    Some(altered(&anon_token)),
                ),
                (
                    "anonimo di un altro browser",
                    &pre_only,
                    Some(other_token.clone()),
                ),
            ]);
        } else {
            // A valid anonymous token (its `cds_pre` planted beside the session) never
            // acts for the patient or the operator.
            cases.push((
                "anonimo valido con una sessione",
                &session_and_pre,
                Some(anon_token.clone()),
            ));
        }
        for (what, who, token) in cases {
            let r = w.send(who, "POST", pattern, token.as_deref(), &body);
            check(what, pattern, r, &mut before);
            // The same token as htmx sends it, in the header (not for uploads: their token
            // is the multipart's first field).
            if let Some(t) = token.as_deref().filter(|_| !multipart(pattern)) {
                let path = w.path(pattern);
                let r = client::request(
                    &w.s.addr,
                    "POST",
                    &path,
                    &[
                        ("Cookie", who.cookie.as_str()),
                        ("HX-Request", "true"),
                        ("X-CSRF-Token", t),
                    ],
                    &body,
                );
                check(&format!("{what}, htmx"), pattern, r, &mut before);
            }
        }
    }
    // The API: a cookie (with its CSRF token, as a form would send it) is no credential.
    let mut api_failures = Vec::new();
    for (pattern, methods) in cds_portal::routes().filter(|(p, _)| p.starts_with("/api/")) {
        for method in methods.iter().filter(|m| **m != "GET") {
            for who in [&w.who[1], &w.who[4]] {
                let path = w.path(pattern);
                let body = br#"{"nome":"Intruso","cognome":"Cookie","documenti":[]}"#;
                let r = client::request_bytes(
                    &w.s.addr,
                    method,
                    &path,
                    &[("Cookie", &who.cookie), ("X-CSRF-Token", &who.csrf)],
                    "application/json",
                    body,
                );
                sent += 1;
                if r.status != 401 {
                    api_failures.push(format!("{method} {pattern} with a cookie: {}", r.status));
                }
                let after = snapshot(&w);
                if after != before {
                    api_failures.push(format!("{method} {pattern} with a cookie: written"));
                }
                before = after;
            }
        }
    }
    failures.extend(api_failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(sent > 10 * posts.len(), "{sent} requests");
    // The controls: the right tokens do act (so the 403s above were the tokens' doing).
    let r = w.send(
        &w.who[1],
        "POST",
        "/assistenza",
        Some(&w.who[1].csrf),
        &fields(&w, "/assistenza"),
    );
    assert!(r.status < 400, "{}: {}", r.status, r.body);
    assert_ne!(snapshot(&w), before, "a right token writes");
    let sent = sent as u64;
    crate::soak::write(
        "csrf",
        &[("requests", sent), ("leaks", 0), ("bad_inputs", sent)],
    );
}
