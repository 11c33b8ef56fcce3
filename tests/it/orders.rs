//! The cartella clinica purchase end to end on the real binary and the embedded pagoPA
//! sandbox: cart → order → consents → e-mail → Conferma (debt position) → notice PDF →
//! the sandbox portal (Cerca, PAGA SUBITO, failure) → the status poller completes the order
//! on its own → download through the recovery/ZIP path; other patients' orders; the demo's
//! orders, Ordini and Dashboard. Failed payments and the poller: orders_retry.rs.

use crate::client::{self, Browser, Response};
use crate::{LAURA, MARIO, Server, eventually};
use cds_portal::payments::notice::NoticeNumber;
use rusqlite::Connection;
use std::path::PathBuf;

pub const CARTELLA: &str = "Cartella clinica – ricovero in Medicina Interna";

/// Payments confirmed 1 s after "PAGA SUBITO", checked every second: polling in earnest,
/// fast. The sandbox settings are explicit so that a restart (as `serve`) keeps them.
pub const FAST_PAYMENTS: &[(&str, &str)] = &[
    ("CDS_DEMO_CT_SLICES", "12"),
    ("CDS_SANDBOX", "true"),
    ("CDS_PAYMENTS_PROVIDER", "sandbox"),
    ("CDS_PAYMENTS_ENTE_CF", "12345678901"),
    ("CDS_PAYMENTS_SANDBOX_CONFIRM_SECS", "1"),
    ("CDS_PAYMENTS_POLL_FIRST_SECS", "1"),
    ("CDS_PAYMENTS_POLL_MAX_SECS", "2"),
];

pub fn db(s: &Server) -> Connection {
    let c = Connection::open(s.db_path()).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    c
}

pub fn sandbox_db(s: &Server) -> Connection {
    let p: PathBuf = s.db_path().with_file_name("sandbox-pagopa.db");
    let c = Connection::open(p).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    c
}

/// The payment positions of order `number`, in the order they were made: (notice, state).
pub fn positions(s: &Server, number: &str) -> Vec<(String, String)> {
    db(s)
        .prepare(
            "SELECT p.notice_number, p.state FROM payment_positions p
             JOIN orders o ON o.id = p.order_id WHERE o.number = ?1 ORDER BY p.id",
        )
        .unwrap()
        .query_map([number], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

pub fn doc_id(s: &Server, title: &str) -> String {
    db(s)
        .query_row(
            "SELECT public_id FROM documents WHERE title = ?1",
            [title],
            |r| r.get(0),
        )
        .unwrap()
}

pub fn state(s: &Server, number: &str) -> String {
    db(s)
        .query_row(
            "SELECT state FROM orders WHERE number = ?1",
            [number],
            |r| r.get(0),
        )
        .unwrap()
}

pub fn location(r: &Response) -> String {
    assert_eq!(r.status, 303, "{}", r.body);
    r.header("location").unwrap().to_string()
}

/// Cart → "Procedi all'ordine": the new order's number.
pub fn order_of(b: &mut Browser, s: &Server, title: &str) -> String {
    b.get("/documenti");
    let r = b.post("/carrello/aggiungi", &[("documento", &doc_id(s, title))]);
    assert!(
        r.status == 303 || r.status == 200,
        "{}: {}",
        r.status,
        r.body
    );
    b.get("/carrello");
    let to = location(&b.post("/carrello/ordina", &[]));
    let number = to.strip_prefix("/ordini/").unwrap().to_string();
    assert_eq!(number.len(), 32);
    assert!(number.bytes().all(|c| c.is_ascii_hexdigit()));
    number
}

/// Consents, e-mail, Conferma: the order is pending; returns the notice number.
pub fn confirm(b: &mut Browser, number: &str) -> String {
    let page = format!("/ordini/{number}");
    b.get(&page);
    location(&b.post(
        &format!("{page}/acquista"),
        &[("consenso_privacy", "1"), ("consenso_condizioni", "1")],
    ));
    b.get(&page);
    location(&b.post(
        &format!("{page}/conferma"),
        &[("email", "mario.rossi@example.org")],
    ));
    let r = b.get(&page);
    assert!(r.body.contains("IN ATTESA DI PAGAMENTO"), "{}", r.body);
    let ticket = client::element_text(&r.body, "id=\"ticket\"").unwrap();
    NoticeNumber::parse(&ticket).expect("a valid notice number");
    ticket
}

/// On the sandbox portal: Cerca with the ticket and the codice fiscale, then `azione`.
pub fn sandbox(b: &mut Browser, ticket: &str, azione: &str) -> Response {
    b.get("/sandbox/pagamenti");
    let found = b.post(
        "/sandbox/pagamenti",
        &[
            ("ticket", ticket),
            ("codice_fiscale", MARIO.0),
            ("azione", "cerca"),
        ],
    );
    assert_eq!(found.status, 200, "{}", found.body);
    assert!(
        found.body.contains("Avviso trovato") && found.body.contains("PAGA SUBITO"),
        "{}",
        found.body
    );
    b.post(
        "/sandbox/pagamenti",
        &[
            ("ticket", ticket),
            ("codice_fiscale", MARIO.0),
            ("azione", azione),
        ],
    )
}

pub fn wait_state(s: &Server, number: &str, want: &str) {
    let mut last = String::new();
    let ok = eventually(30, || {
        last = state(s, number);
        last == want
    });
    if !ok {
        let events: Vec<String> = db(s)
            .prepare("SELECT e.at || ' ' || e.event || ' ' || coalesce(e.to_state, '-') || ' ' || e.detail FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.number = ?1 ORDER BY e.id")
            .unwrap()
            .query_map([number], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let positions: Vec<String> = sandbox_db(s)
            .prepare("SELECT notice_number || ' ' || state || ' ' || coalesce(failed_at, 0) FROM positions")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        panic!(
            "order {number} stayed {last}, wanted {want}; events {events:?}; sandbox {positions:?}"
        );
    }
}

#[test]
fn buy_pay_in_the_sandbox_and_download() {
    let s = Server::demo(FAST_PAYMENTS);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let number = order_of(&mut b, &s, CARTELLA);
    let page = format!("/ordini/{number}");

    let r = b.get(&page);
    for text in [
        number.as_str(),
        "Piemonte Pay",
        "Download documenti clinici",
        "DA CONFERMARE",
        "Acquista ora",
        "€ 22,00",
        "informativa",
        "condizioni di vendita",
    ] {
        assert!(r.body.contains(text), "{text}: {}", r.body);
    }
    // Prices were copied: a later change of the catalogue does not touch the order.
    db(&s)
        .execute(
            "UPDATE documents SET price_cents = 9900 WHERE title = ?1",
            [CARTELLA],
        )
        .unwrap();
    assert!(b.get(&page).body.contains("€ 22,00"));

    // Conferma before the consents, and "Acquista ora" without them, are refused.
    let r = b.post(&format!("{page}/conferma"), &[("email", "a@b.it")]);
    assert_eq!(r.status, 409, "{}", r.body);
    let r = b.post(&format!("{page}/acquista"), &[("consenso_privacy", "1")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("devi accettare"), "{}", r.body);
    let consents: Option<i64> = db(&s)
        .query_row(
            "SELECT consents_at FROM orders WHERE number = ?1",
            [&number],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(consents, None);
    b.get(&page);
    location(&b.post(
        &format!("{page}/acquista"),
        &[("consenso_privacy", "1"), ("consenso_condizioni", "1")],
    ));
    let r = b.get(&page);
    assert!(
        r.body.contains("name=\"email\"") && r.body.contains("Conferma"),
        "{}",
        r.body
    );
    let r = b.post(&format!("{page}/conferma"), &[("email", "non-una-mail")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("indirizzo e-mail valido") && r.body.contains("non-una-mail"));
    assert_eq!(state(&s, &number), "draft");
    let ticket = confirm(&mut b, &number);
    assert!(
        ticket.starts_with("301"),
        "aux digit 3, segregation code 01: {ticket}"
    );
    let r = b.get(&page);
    for text in [
        "Identificativo ticket",
        "data-copy=\"ticket\"",
        "Scarica Avviso di Pagamento",
        "Procedi",
        "Attenzione: L'elaborazione dei pagamenti potrebbe richiedere svariati minuti",
        "hx-trigger=\"every 5s\"",
    ] {
        assert!(r.body.contains(text), "{text}: {}", r.body);
    }
    // A second Conferma (double click, back button) makes no second position.
    b.post(
        &format!("{page}/conferma"),
        &[("email", "mario.rossi@example.org")],
    );
    let positions: i64 = db(&s)
        .query_row(
            "SELECT count(*) FROM payment_positions p JOIN orders o ON o.id = p.order_id WHERE o.number = ?1",
            [&number],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(positions, 1, "one position for this order");

    // The printed notice: the code in groups of 4, the amount, the QR payload.
    let pdf = b.get(&format!("{page}/avviso"));
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    let text = pdftotext(&pdf.body_bytes());
    let grouped = NoticeNumber::parse(&ticket).unwrap().grouped();
    assert!(
        text.contains(&grouped) && text.contains("22,00 €"),
        "{text}"
    );
    assert!(
        text.contains("Download documenti clinici") && !text.contains("Medicina Interna"),
        "no clinical detail: {text}"
    );

    // Procedi → the payment portal; the status fragment keeps polling meanwhile.
    let to = location(&b.post(&format!("{page}/paga"), &[]));
    assert!(to.starts_with("/sandbox/pagamenti?ritorno="), "{to}");
    let frag = b.hx_get(&format!("{page}/stato?da=pending&vista=dettaglio"));
    assert_eq!(frag.status, 204, "unchanged: nothing to swap");
    assert!(frag.body.is_empty() && frag.header("hx-refresh").is_none());
    let paid = sandbox(&mut b, &ticket, "paga");
    assert!(
        paid.body.contains("Pagamento in elaborazione"),
        "{}",
        paid.body
    );
    // Nobody polls the portal's page: the server-side poller completes the order.
    wait_state(&s, &number, "completed");
    let frag = b.hx_get(&format!("{page}/stato?da=pending&vista=dettaglio"));
    assert_eq!(
        frag.header("hx-refresh"),
        Some("true"),
        "the page reloads with its new buttons"
    );
    assert_eq!(frag.status, 204, "a reload, nothing swapped");
    for (vista, link) in [
        ("ordini", "#documenti"),
        ("dashboard", "?origine=dashboard#documenti"),
    ] {
        let row = b.hx_get(&format!("{page}/stato?da=pending&vista={vista}"));
        assert!(
            row.body.starts_with("<tr") && row.body.contains(&format!("{page}{link}\"")),
            "{}",
            row.body
        );
    }
    let r = b.get(&page);
    assert!(
        r.body.contains("Documenti acquistati") && r.body.contains("Recupera"),
        "{}",
        r.body
    );
    assert!(r.body.contains("IUR "), "receipt shown");
    let sandbox_paid: String = sandbox_db(&s)
        .query_row(
            "SELECT state FROM positions WHERE notice_number = ?1",
            [&ticket],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sandbox_paid, "paid");
    let events: i64 = db(&s)
        .query_row(
            "SELECT count(*) FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.number = ?1 AND e.to_state = 'completed'",
            [&number],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(events, 1, "completed exactly once");

    // The download goes through the same recovery and ZIP as Documenti Interscambiati.
    let id = doc_id(&s, CARTELLA);
    let r = b.hx_post(&format!("/documenti-interscambiati/{id}/recupera"));
    assert_eq!(r.status, 200, "a bought document is recovered: {}", r.body);
    assert!(eventually(30, || b
        .hx_get(&format!("/documenti-interscambiati/{id}/riga"))
        .body
        .contains("Disponibile")));
    let zip = b.get(&format!("/documenti-interscambiati/{id}/download"));
    assert_eq!(zip.status, 200);
    assert!(zip.body_bytes().starts_with(b"PK"));
    // The notice is for pending orders only.
    assert_eq!(b.get(&format!("{page}/avviso")).status, 409);

    // Another patient: not found, every route.
    let mut laura = Browser::new(&s.addr);
    laura.login(LAURA.0, LAURA.1);
    for path in [
        page.clone(),
        format!("{page}/avviso"),
        format!("{page}/stato"),
    ] {
        assert_eq!(laura.get(&path).status, 404, "{path}");
    }
    assert_eq!(
        laura.hx_get(&format!("{page}/stato?da=pending")).status,
        404
    );
    laura.get("/ordini");
    assert_eq!(laura.post(&format!("{page}/ripeti"), &[]).status, 404);
    assert_eq!(
        laura
            .get(&format!("/documenti-interscambiati/{id}/download"))
            .status,
        404
    );
    assert!(!laura.get("/ordini").body.contains(&number));
    assert_eq!(b.get("/ordini/zzz").status, 404);
    assert_eq!(b.get(&format!("/ordini/{number}/nope")).status, 404);
}

pub fn pdftotext(pdf: &[u8]) -> String {
    let dir = crate::TempDir::new("avviso");
    let path = dir.0.join("avviso.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args([path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed by tests/install-deps.sh");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn demo_orders_ordini_and_dashboard() {
    let s = Server::demo(FAST_PAYMENTS);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let r = b.get("/ordini");
    for label in [
        "COMPLETATO",
        "IN ATTESA DI PAGAMENTO",
        "PAGAMENTO NON RIUSCITO",
        "ANNULLATO",
        "SCADUTO",
        "Attenzione: L'elaborazione dei pagamenti potrebbe richiedere svariati minuti",
    ] {
        assert!(r.body.contains(label), "{label}: {}", r.body);
    }
    // Exactly one Download: the completed order's.
    assert_eq!(
        r.body.matches("#documenti\">Download").count(),
        1,
        "{}",
        r.body
    );
    let r = b.get("/dashboard");
    for text in [
        "Ultimi cinque ordini effettuati",
        "Visualizza tutti gli ordini",
        "Nuovi Documenti",
        "GRATUITO",
        "€ 22,00",
        "hx-trigger=\"every 5s\"",
    ] {
        assert!(r.body.contains(text), "{text}: {}", r.body);
    }
    let n = r.body.split("class=\"summary\">").nth(1).unwrap();
    let (shown, total) = n.split_once(" di ").unwrap();
    let total: i64 = total.split(' ').next().unwrap().parse().unwrap();
    assert_eq!(shown.parse::<i64>().unwrap(), total.min(5), "{n}");
    assert_eq!(r.body.matches("<tr id=\"ordine-").count(), 5);
    // The manual walks through the purchase.
    let manual = b.get("/manuale");
    for step in [
        "Aggiungi Carrello",
        "Acquista ora",
        "Identificativo ticket",
        "PAGA SUBITO",
        "Ripeti Pagamento",
        "Nuovi Documenti",
    ] {
        assert!(manual.body.contains(step), "{step}");
    }
    // Laura has no orders.
    let mut laura = Browser::new(&s.addr);
    laura.login(LAURA.0, LAURA.1);
    assert!(
        laura
            .get("/ordini")
            .body
            .contains("Non hai ancora effettuato ordini")
    );
}
