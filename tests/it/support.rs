//! Assistenza: the empty page, new assistance and availability requests (without and with
//! htmx), validation, links to the patient's own orders and documents only, operator
//! replies, CSRF, and request texts kept out of the log.

use crate::client::{Browser, Response, form};
use crate::documents::SMALL_DEMO;
use crate::{LAURA, MARIO, Server};
use rusqlite::{Connection, params};

const PATH: &str = "/assistenza";

fn db(s: &Server) -> Connection {
    Connection::open(s.db_path()).unwrap()
}

fn requests(s: &Server) -> i64 {
    db(s)
        .query_row("SELECT COUNT(*) FROM support_requests", [], |r| r.get(0))
        .unwrap()
}

fn patient(s: &Server, cf: &str) -> i64 {
    db(s)
        .query_row(
            "SELECT id FROM patients WHERE codice_fiscale = ?1",
            [cf],
            |r| r.get(0),
        )
        .unwrap()
}

/// Public id and title of one of the patient's documents.
fn document_of(s: &Server, cf: &str) -> (String, String) {
    db(s)
        .query_row(
            "SELECT public_id, title FROM documents WHERE patient_id = ?1 ORDER BY id LIMIT 1",
            [patient(s, cf)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

/// A failed order of the patient, written straight into the DB; returns its number.
fn failed_order_of(s: &Server, cf: &str) -> String {
    let number = format!("{:032x}", patient(s, cf) * 0x1234_5678 + 0xabc);
    db(s).execute(
        "INSERT INTO orders (number, patient_id, state, total_cents, causale, provider, provider_name,
           payee, created_at, updated_at)
         VALUES (?1, ?2, 'failed', 2200, 'Copia cartella clinica', 'sandbox', 'Sandbox', 'ASL', 1, 1)",
        params![number, patient(s, cf)],
    )
    .unwrap();
    number
}

fn login(s: &Server, who: (&str, &str, &str)) -> Browser {
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(who.0, who.1).status, 303);
    assert_eq!(b.get(PATH).status, 200);
    b
}

/// The "Le tue richieste" part of a page (the form above it has hints and examples).
fn listed(r: &Response) -> &str {
    let i = r.body.find("id=\"richieste\"").expect("the list");
    &r.body[i..]
}

/// A form POST as htmx sends it (`HX-Request`, token in the header).
fn hx_submit(b: &mut Browser, fields: &[(&str, &str)]) -> Response {
    let token = b.csrf.clone().unwrap();
    b.send(
        "POST",
        PATH,
        &[("HX-Request", "true"), ("X-CSRF-Token", &token)],
        &form(fields),
    )
}

#[test]
fn a_new_request_is_listed_open_for_its_patient_only_and_never_logged() {
    let s = Server::demo(SMALL_DEMO);
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    let page = b.get(PATH);
    assert_eq!(page.status, 200);
    for text in [
        "<h1 class=\"page-title\">Assistenza</h1>",
        "Non hai ancora inviato richieste",
        "pochi giorni lavorativi",
        "Nuova richiesta",
        "name=\"oggetto\"",
        "name=\"messaggio\"",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }

    let (subject, secret) = ("Pagamento non riuscito", "Testo riservato XYZ-4711");
    let fields = [
        ("tipo", "assistenza"),
        ("oggetto", subject),
        ("messaggio", secret),
    ];
    // Without the CSRF token: refused, nothing stored.
    let r = b.send("POST", PATH, &[], &form(&fields));
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(requests(&s), 0);

    let r = b.post(PATH, &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some("/assistenza?inviata=1"));
    let page = b.get("/assistenza?inviata=1");
    assert_eq!(page.status, 200);
    for text in [
        "Richiesta inviata: ti risponderemo in questa pagina.",
        "Richiesta di assistenza",
        subject,
        secret,
        "APERTA",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }
    assert!(!page.body.contains("Non hai ancora inviato richieste"));
    assert_eq!(requests(&s), 1);
    let audited: i64 = db(&s)
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'support_request' AND patient_id = ?1 AND detail LIKE 'request %'",
            [patient(&s, MARIO.0)],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);

    // Laura sees her own (empty) list, never Mario's request.
    let mut laura = Browser::new(&s.addr);
    assert_eq!(laura.login(LAURA.0, LAURA.1).status, 303);
    let hers = laura.get(PATH);
    assert_eq!(hers.status, 200);
    assert!(hers.body.contains("Non hai ancora inviato richieste"));
    assert!(!listed(&hers).contains(secret) && !listed(&hers).contains(subject));

    // Without a session: to the login page.
    let anon = crate::client::get(&s.addr, PATH);
    assert_eq!(anon.status, 303);
    assert_eq!(anon.header("location"), Some("/accedi"));

    // Informational lines reach stderr within 100 ms (src/log.rs).
    assert!(
        crate::eventually(2, || s
            .log()
            .contains("method=POST path=/assistenza status=303")),
        "{}",
        s.log()
    );
    let log = s.log();
    assert!(
        !log.contains("XYZ-4711") && !log.contains("riservato"),
        "{log}"
    );
    assert!(!log.contains(subject), "{log}");
}

#[test]
fn invalid_requests_get_422_with_field_messages_and_values_kept() {
    let s = Server::demo(SMALL_DEMO);
    let mut b = login(&s, MARIO);
    let long = "x".repeat(2001);
    let r = b.post(
        PATH,
        &[
            ("tipo", "altro"),
            ("oggetto", "  "),
            ("messaggio", &long),
            ("periodo", "marzo 2026"),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    for text in [
        "La richiesta non è stata inviata: correggi i campi indicati.",
        "Scegli il tipo di richiesta",
        "Scrivi l'oggetto della richiesta.",
        "Il messaggio è troppo lungo: al massimo 2000 caratteri.",
        "aria-describedby=\"f-messaggio-hint f-messaggio-err\"",
        "value=\"marzo 2026\"",
        long.as_str(),
    ] {
        assert!(r.body.contains(text), "{text}: {}", r.body);
    }
    assert!(r.body.contains("<html"), "a plain POST gets the whole page");
    assert!(r.body.contains("<h1 class=\"page-title\">Assistenza</h1>"));

    // With htmx: the same answer as a fragment, to swap in place.
    let r = hx_submit(
        &mut b,
        &[
            ("tipo", "disponibilita"),
            ("oggetto", "Cartella clinica"),
            ("messaggio", ""),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(!r.body.contains("<html"), "{}", r.body);
    assert!(r.body.contains("Scrivi il messaggio"), "{}", r.body);
    assert!(r.body.contains("value=\"Cartella clinica\""), "{}", r.body);
    assert!(
        r.body.contains("value=\"disponibilita\" checked"),
        "{}",
        r.body
    );
    assert_eq!(requests(&s), 0, "nothing stored");

    // A good one with htmx: the success alert and the list, no redirect.
    let r = hx_submit(
        &mut b,
        &[
            ("tipo", "disponibilita"),
            ("oggetto", "Cartella clinica"),
            ("messaggio", "Ricovero di marzo"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body.contains("<html"), "{}", r.body);
    for text in [
        "Richiesta inviata: ti risponderemo in questa pagina.",
        "Richiesta di disponibilità",
        "Ricovero di marzo",
        "APERTA",
    ] {
        assert!(r.body.contains(text), "{text}: {}", r.body);
    }
    assert_eq!(requests(&s), 1);
}

#[test]
fn links_to_the_patients_own_documents_and_orders_only() {
    let s = Server::demo(SMALL_DEMO);
    let mut b = login(&s, MARIO);
    let (doc, title) = document_of(&s, MARIO.0);
    let order = failed_order_of(&s, MARIO.0);

    // Opened from a failed order's "Richiedi assistenza": the form says so.
    let page = b.get(&format!("{PATH}?ordine={order}"));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("riguarda l'ordine n."), "{}", page.body);
    assert!(
        page.body
            .contains(&format!("name=\"ordine\" value=\"{order}\"")),
        "{}",
        page.body
    );
    let r = b.post(
        PATH,
        &[
            ("tipo", "assistenza"),
            ("ordine", &order),
            ("oggetto", "Pagamento non riuscito"),
            ("messaggio", "Il pagamento è stato rifiutato."),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);

    // An availability request as the "Documenti" page posts it.
    let r = b.post(
        PATH,
        &[
            ("tipo", "disponibilita"),
            ("documento", &doc),
            ("periodo", "Ricovero in Medicina dal 3 al 10 marzo 2026"),
            ("oggetto", "Disponibilità di un documento"),
            ("messaggio", "Quando sarà disponibile?"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.get(PATH);
    for text in [
        format!("href=\"/ordini/{order}\""),
        title.clone(),
        "Ricovero in Medicina dal 3 al 10 marzo 2026".into(),
        "Richiesta di disponibilità".into(),
        "Richiesta di assistenza".into(),
    ] {
        assert!(page.body.contains(&text), "{text}: {}", page.body);
    }
    let newest = listed(&page).find("Disponibilità di un documento").unwrap();
    let older = listed(&page).find("Pagamento non riuscito").unwrap();
    assert!(newest < older, "newest first");
    let (linked_order, linked_doc): (i64, i64) = db(&s)
        .query_row(
            "SELECT COUNT(order_id), COUNT(document_id) FROM support_requests",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((linked_order, linked_doc), (1, 1));
    assert_eq!(requests(&s), 2);

    // Laura cannot link Mario's document or order, nor an unknown one: 404, nothing stored.
    let mut laura = login(&s, LAURA);
    let unknown = "0123456789abcdef0123456789abcdef";
    for (name, value) in [
        ("documento", doc.as_str()),
        ("ordine", order.as_str()),
        ("ordine", unknown),
        ("documento", unknown),
        ("ordine", "../../etc"),
    ] {
        let r = laura.post(
            PATH,
            &[
                ("tipo", "disponibilita"),
                (name, value),
                ("oggetto", "Prova"),
                ("messaggio", "Prova"),
            ],
        );
        assert_eq!(r.status, 404, "{name}={value}: {}", r.body);
        assert!(r.body.contains("non trovato"), "{}", r.body);
        assert!(!r.body.contains(&title), "{}", r.body);
    }
    let r = laura.get(&format!("{PATH}?ordine={order}"));
    assert_eq!(r.status, 404);
    let r = laura.get(&format!("{PATH}?documento={doc}"));
    assert_eq!(r.status, 404);
    assert_eq!(requests(&s), 2, "nothing stored for Laura");
    let hers = laura.get(PATH);
    assert!(!listed(&hers).contains("Pagamento non riuscito") && !hers.body.contains(&order));
}

#[test]
fn an_operator_reply_shows_on_the_page() {
    let s = Server::demo(SMALL_DEMO);
    let mut b = login(&s, MARIO);
    let r = b.post(
        PATH,
        &[
            ("tipo", "assistenza"),
            ("oggetto", "PIN non ricevuto"),
            ("messaggio", "Non mi arriva l'SMS."),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let c = db(&s);
    let id: i64 = c
        .query_row("SELECT id FROM support_requests", [], |r| r.get(0))
        .unwrap();
    // What `support::store::reply` does for an operator (the back office comes later).
    c.execute(
        "INSERT INTO support_replies (request_id, author, body, at) VALUES (?1, 'operator', ?2, 1784116800)",
        params![id, "Abbiamo verificato il numero: riprova ora."],
    )
    .unwrap();
    c.execute(
        "UPDATE support_requests SET state = 'answered' WHERE id = ?1",
        [id],
    )
    .unwrap();
    let page = b.get(PATH);
    for text in [
        "Risposta dell'Azienda",
        "15/07/2026 14:00",
        "Abbiamo verificato il numero: riprova ora.",
        "RISPOSTA RICEVUTA",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }
    assert!(!page.body.contains(">APERTA<"), "{}", page.body);

    // At most 20 requests in 24 hours: the 21st gets 429 and is not stored.
    let now = jiff::Timestamp::now().as_second();
    for i in 1..20 {
        c.execute(
            "INSERT INTO support_requests (public_id, patient_id, kind, subject, message, created_at, updated_at)
             VALUES (?1, ?2, 'assistance', 'x', 'x', ?3, ?3)",
            params![format!("{i:032x}"), patient(&s, MARIO.0), now],
        )
        .unwrap();
    }
    assert_eq!(requests(&s), 20);
    let fields = [
        ("tipo", "assistenza"),
        ("oggetto", "Ancora"),
        ("messaggio", "Ancora"),
    ];
    let r = b.post(PATH, &fields);
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("ultime 24 ore"), "{}", r.body);
    assert_eq!(requests(&s), 20);
}
