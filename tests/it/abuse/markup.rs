//! HTML and script in every text field that is shown back — support requests and the
//! operator's replies, patient names from the back office and from the ingest API, share
//! recipients, search boxes and filters, the values a refused form echoes — always escaped,
//! never live markup, never a `javascript:` link.

use super::{Watch, count, figures};
use crate::client::{Browser, Response, request};
use crate::documents::id_of;
use crate::{DEMO_TOKEN, LAURA, MARIO, OPERATORE, Server};

const PAYLOADS: [&str; 4] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(2)>",
    "javascript:alert(3)",
    "'><svg onload=alert(4)>",
];

/// No payload is live markup; no attribute holds a `javascript:` URL.
fn inert(r: &Response, what: &str) {
    let lower = r.body.to_ascii_lowercase();
    for live in ["<script>alert", "<img src=x", "<svg onload"] {
        assert!(!lower.contains(live), "{what}: {live} live in {}", r.body);
    }
    for attr in ["href", "src", "action", "formaction", "hx-get", "hx-post"] {
        for q in ["\"", "'", ""] {
            let bad = format!("{attr}={q}javascript:");
            assert!(!lower.contains(&bad), "{what}: {bad}");
        }
    }
    assert!(r.status < 500, "{what}: {}", r.status);
}

/// The payload is on the page, escaped (so the check above saw it).
fn shown_escaped(r: &Response, what: &str) {
    assert!(
        r.body.contains("&lt;script&gt;alert(1)") || r.body.contains("&lt;img src=x"),
        "{what}: the text is not shown at all: {}",
        r.body
    );
}

fn db(s: &Server) -> rusqlite::Connection {
    rusqlite::Connection::open(s.db_path()).unwrap()
}

#[test]
fn markup_in_every_text_shown_back_is_escaped() {
    let s = Server::demo(&[]);
    let watch = Watch::start(&s.addr);
    let all = PAYLOADS.join(" ");
    let mut pages = 0;
    let mut check = |r: &Response, what: &str| {
        inert(r, what);
        pages += 1;
    };

    // Refused forms echo what was typed.
    for p in PAYLOADS {
        let mut b = Browser::new(&s.addr);
        check(&b.login(p, "1234"), "login echo");
        b.get("/nuovo-pin");
        check(
            &b.post("/nuovo-pin", &[("codice_fiscale", p), ("cellulare", p)]),
            "new pin echo",
        );
        let mut op = Browser::new(&s.addr);
        op.get("/operatore/accedi");
        check(
            &op.post("/operatore/accedi", &[("username", p), ("password", p)]),
            "op login echo",
        );
    }
    let mut b = Browser::new(&s.addr);
    let r = b.login(&all, "1234");
    shown_escaped(&r, "login echo");

    // A support request, and the operator's reply, on both sides.
    let mut mario = Browser::new(&s.addr);
    assert_eq!(mario.login(MARIO.0, MARIO.1).status, 303);
    mario.get("/assistenza");
    let r = mario.post(
        "/assistenza",
        &[
            ("tipo", "assistenza"),
            ("oggetto", &all),
            ("messaggio", &all),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = mario.get("/assistenza");
    check(&page, "patient's requests");
    shown_escaped(&page, "patient's requests");
    let mut op = Browser::new(&s.addr);
    assert_eq!(op.operator_login(OPERATORE.0, OPERATORE.1).status, 303);
    let id: String = db(&s)
        .query_row("SELECT public_id FROM support_requests", [], |r| r.get(0))
        .unwrap();
    check(&op.get("/operatore/richieste"), "inbox");
    let thread = format!("/operatore/richieste/{id}");
    let page = op.get(&thread);
    check(&page, "request page");
    shown_escaped(&page, "request page");
    let r = op.post(&thread, &[("risposta", &all)]);
    assert_eq!(r.status, 303, "{}", r.body);
    check(
        &op.get(r.header("location").unwrap()),
        "reply, operator side",
    );
    let page = mario.get("/assistenza");
    check(&page, "reply, patient side");
    assert!(
        page.body.matches("&lt;script&gt;alert(1)").count() >= 2,
        "the request and the reply, escaped"
    );

    // Search boxes and filters echo their text.
    for p in PAYLOADS {
        let q = crate::client::enc(p);
        for path in [
            "/operatore/pazienti",
            "/operatore/richieste",
            "/operatore/ordini",
            "/operatore/registro",
        ] {
            check(
                &op.get(&format!("{path}?q={q}&da={q}&al={q}&stato={q}")),
                path,
            );
        }
        for path in [
            "/documenti-interscambiati",
            "/documenti",
            "/ordini",
            "/accessi",
        ] {
            check(&mario.get(&format!("{path}?da={q}&a={q}&q={q}")), path);
        }
        check(
            &request(&s.addr, "GET", &format!("/accedi?scaduta={q}"), &[], ""),
            "login query",
        );
    }

    // A patient's name from the back office, then seen everywhere it is shown.
    let laura: i64 = db(&s)
        .query_row(
            "SELECT id FROM patients WHERE codice_fiscale = ?1",
            [LAURA.0],
            |r| r.get(0),
        )
        .unwrap();
    let path = format!("/operatore/pazienti/{laura}");
    op.get(&path);
    let r = op.post(
        &path,
        &[
            ("nome", PAYLOADS[0]),
            ("cognome", PAYLOADS[1]),
            ("cellulare", LAURA.2),
        ],
    );
    check(&r, "patient form");
    if r.status == 303 {
        let page = op.get(&path);
        check(&page, "patient page");
        shown_escaped(&page, "patient page");
        let mut lb = Browser::new(&s.addr);
        assert_eq!(lb.login(LAURA.0, LAURA.1).status, 303);
        for p in [
            "/dashboard",
            "/documenti-interscambiati",
            "/assistenza",
            "/condivisioni",
        ] {
            check(&lb.get(p), p);
        }
    } else {
        // Refused: the typed values come back, escaped.
        shown_escaped(&r, "patient form refused");
    }
    op.get("/operatore/pazienti/nuovo");
    let r = op.post(
        "/operatore/pazienti/nuovo",
        &[
            ("codice_fiscale", &all),
            ("nome", &all),
            ("cognome", &all),
            ("cellulare", &all),
        ],
    );
    check(&r, "new patient refused");
    shown_escaped(&r, "new patient refused");

    // A name from the ingest API, then in the back office's search and the patient's page.
    let person =
        serde_json::json!({"nome": PAYLOADS[0], "cognome": PAYLOADS[3], "cellulare": MARIO.2});
    let body = person.to_string();
    let r = crate::api::call(
        &s,
        "PUT",
        &format!("/api/v1/pazienti/{}", MARIO.0),
        Some(DEMO_TOKEN),
        "application/json",
        body.as_bytes(),
    );
    assert!(r.status < 500, "{}", r.body);
    if r.status < 300 {
        let page = op.get("/operatore/pazienti?q=RSSMRA80A01A182N");
        check(&page, "search after the API");
        shown_escaped(&page, "search after the API");
        check(&mario.get("/dashboard"), "dashboard after the API");
    }

    // A share's recipient, on the patient's list.
    let doc = id_of(
        &mario.get("/documenti-interscambiati?da=01/01/2000"),
        "TC torace senza mdc",
    );
    mario.get(&format!("/condivisioni?documento={doc}"));
    let r = mario.post(
        "/condivisioni",
        &[("documento", &doc), ("giorni", "7"), ("destinatario", &all)],
    );
    check(&r, "new share");
    let list = mario.get("/condivisioni");
    check(&list, "shares list");
    if r.status == 200 {
        shown_escaped(&list, "shares list");
    }
    // A path shown back by the 404 page.
    for p in [
        "/%3Cscript%3Ealert(1)%3C/script%3E",
        "/operatore/%22%3E%3Cimg%20src=x%20onerror=alert(2)%3E",
    ] {
        check(&request(&s.addr, "GET", p, &[], ""), "404 page");
    }
    watch.finish();
    count(pages + 10, pages);
    figures();
}
