//! Who reaches what: every page of the back office and of the patients, for each role
//! (anonymous, patient, operatore, amministratore), and every route of the ingest API for
//! those and for API tokens with and without the route's scope, with the status each must
//! get. An operator's cookie never opens a patient's page, a patient's never the back
//! office, and no cookie ever the API.

use super::client::Browser;
use super::{ADMIN, MARIO, OPERATORE, Server};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    Anonymous,
    Patient,
    Operatore,
    Amministratore,
}

const ALL: [Who; 4] = [
    Who::Anonymous,
    Who::Patient,
    Who::Operatore,
    Who::Amministratore,
];

/// Pages and the least role: `O` operatore, `A` amministratore, `P` patient.
const PAGES: &[(&str, char)] = &[
    ("/operatore", 'O'),
    ("/operatore/profilo", 'O'),
    ("/operatore/pazienti", 'O'),
    ("/operatore/pazienti?q=Rossi", 'O'),
    ("/operatore/pazienti/nuovo", 'O'),
    ("/operatore/pazienti/importa", 'O'),
    ("/operatore/pazienti/{mario}", 'O'),
    ("/operatore/pazienti/{mario}/pubblica", 'O'),
    ("/operatore/documenti/{doc}", 'O'),
    ("/operatore/documenti/{doc}/file", 'O'),
    ("/operatore/richieste", 'O'),
    ("/operatore/ordini", 'O'),
    ("/operatore/ordini.csv", 'O'),
    ("/operatore/ordini/{order}", 'O'),
    ("/operatore/registro", 'O'),
    ("/operatore/riconciliazioni", 'O'),
    ("/operatore/registro.csv", 'A'),
    ("/operatore/listino", 'A'),
    ("/operatore/operatori", 'A'),
    ("/operatore/operatori/1", 'A'),
    ("/operatore/token", 'A'),
    ("/dashboard", 'P'),
    ("/documenti", 'P'),
    ("/documenti-interscambiati", 'P'),
    ("/ordini", 'P'),
    ("/carrello", 'P'),
    ("/assistenza", 'P'),
    ("/accessi", 'P'),
];

fn expected(least: char, who: Who) -> u16 {
    match (least, who) {
        ('P', Who::Patient) => 200,
        ('P', _) => 303,
        (_, Who::Anonymous | Who::Patient) => 303,
        ('A', Who::Operatore) => 403,
        _ => 200,
    }
}

fn browser(s: &Server, who: Who) -> Browser {
    let mut b = Browser::new(&s.addr);
    match who {
        Who::Anonymous => {}
        Who::Patient => assert_eq!(b.login(MARIO.0, MARIO.1).status, 303),
        Who::Operatore => assert_eq!(b.operator_login(OPERATORE.0, OPERATORE.1).status, 303),
        Who::Amministratore => assert_eq!(b.operator_login(ADMIN.0, ADMIN.1).status, 303),
    }
    b
}

#[test]
fn every_page_for_every_role() {
    let s = Server::demo(&[]);
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let one = |sql: &str| -> String { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    let mario =
        one("SELECT CAST(id AS TEXT) FROM patients WHERE codice_fiscale = 'RSSMRA80A01A182N'");
    let doc = one(
        "SELECT public_id FROM documents WHERE source_kind = 'pdf' AND patient_id = (SELECT id FROM patients WHERE codice_fiscale = 'RSSMRA80A01A182N') LIMIT 1",
    );
    let order = one("SELECT number FROM orders LIMIT 1");
    let mut failures = Vec::new();
    for who in ALL {
        let mut b = browser(&s, who);
        for (page, least) in PAGES {
            let path = page
                .replace("{mario}", &mario)
                .replace("{doc}", &doc)
                .replace("{order}", &order);
            let r = b.get(&path);
            let want = expected(*least, who);
            if r.status != want {
                failures.push(format!(
                    "{who:?} GET {path}: {} instead of {want}",
                    r.status
                ));
            }
            if want == 303 && least != &'P' {
                let to = r.header("location").unwrap_or("");
                if !to.starts_with("/operatore/accedi") {
                    failures.push(format!("{who:?} GET {path}: to {to}"));
                }
            }
            if want != 200 && r.body.contains("RSSMRA80A01A182N") {
                failures.push(format!("{who:?} GET {path}: the codice fiscale leaked"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_operator_cannot_do_what_is_for_administrators() {
    let s = Server::demo(&[]);
    let mut op = Browser::new(&s.addr);
    op.operator_login(OPERATORE.0, OPERATORE.1);
    op.get("/operatore");
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let prices = |db: &rusqlite::Connection| -> i64 {
        db.query_row("SELECT sum(price_cents) FROM price_list", [], |r| r.get(0))
            .unwrap()
    };
    let before = prices(&db);
    for (path, fields) in [
        (
            "/operatore/listino",
            vec![("prezzo_0", "99"), ("iva_0", "0")],
        ),
        (
            "/operatore/operatori",
            vec![
                ("username", "intruso"),
                ("nome", "X"),
                ("ruolo", "amministratore"),
            ],
        ),
        (
            "/operatore/operatori/1",
            vec![("azione", "ruolo"), ("ruolo", "operatore")],
        ),
        (
            "/operatore/token",
            vec![("cliente", "X"), ("scope", "documents:write")],
        ),
        ("/operatore/token/1/revoca", vec![]),
    ] {
        let r = op.post(path, &fields);
        assert_eq!(r.status, 403, "{path}");
    }
    assert_eq!(prices(&db), before);
    let n: i64 = db
        .query_row(
            "SELECT count(*) FROM operators WHERE username = 'intruso'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0);
    let revoked: i64 = db
        .query_row(
            "SELECT count(*) FROM api_tokens WHERE revoked_at IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(revoked, 0);
}

/// The ingest API × every role: no cookie of a patient or an operator opens it; a token
/// without the route's scope gets 403; the OpenAPI description is public.
#[test]
fn the_api_for_every_role_and_scope() {
    use super::DEMO_TOKEN;
    use super::api::call;
    let s = Server::demo(&[]);
    let mut admin = browser(&s, Who::Amministratore);
    admin.get("/operatore/token");
    let r = admin.post(
        "/operatore/token",
        &[
            ("client", "SOLO-LETTURA"),
            ("allow_ips", ""),
            ("giorni", ""),
            ("scope_documents:read", "1"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let (_, rest) = r.body.split_once("class=\"secret\">").unwrap();
    let reader = rest.split('<').next().unwrap().to_string();
    let cookies: Vec<String> = [Who::Patient, Who::Operatore, Who::Amministratore]
        .into_iter()
        .map(|w| {
            browser(&s, w)
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .collect();
    let patient = format!("/api/v1/pazienti/{}", MARIO.0);
    let list = format!("{patient}/documenti");
    let upsert = br#"{"nome":"Mario","cognome":"Rossi"}"#;
    // (method, path, body, status with the full token, status with the reader's)
    let table: [(&str, &str, &[u8], u16, u16); 4] = [
        ("GET", &list, b"", 200, 200),
        ("PUT", &patient, upsert, 200, 403),
        ("DELETE", "/api/v1/documenti/nessuno", b"", 404, 403),
        (
            "POST",
            "/api/v1/documenti/lotto",
            b"{\"documenti\":[]}",
            400,
            403,
        ),
    ];
    let mut failures = Vec::new();
    for (method, path, body, full, read_only) in table {
        let ct = if body.is_empty() {
            ""
        } else {
            "application/json"
        };
        let mut check = |who: &str, got: u16, want: u16| {
            if got != want {
                failures.push(format!("{who} {method} {path}: {got} instead of {want}"));
            }
        };
        check(
            "anonimo",
            call(&s, method, path, None, ct, body).status,
            401,
        );
        for c in &cookies {
            let r = crate::client::request_bytes(
                &s.addr,
                method,
                path,
                &[("Cookie", c)],
                "application/json",
                body,
            );
            check("cookie", r.status, 401);
        }
        check(
            "token",
            call(&s, method, path, Some(DEMO_TOKEN), ct, body).status,
            full,
        );
        check(
            "lettore",
            call(&s, method, path, Some(&reader), ct, body).status,
            read_only,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        call(&s, "GET", "/api/v1/openapi.json", None, "", b"").status,
        200
    );
}
