//! "Carrello": add (htmx with the header count out of band, or a plain form), the rules of
//! what may be bought, remove, flagged items, "Procedi all'ordine" (a draft order with the
//! prices copied, an empty cart), and CSRF.

use crate::catalogue::{RECORD, SURGERY, card};
use crate::client::{Browser, Response, form};
use crate::documents::SMALL_DEMO;
use crate::{LAURA, MARIO, Server};

/// A form POST as htmx sends it (the CSRF token in its header).
fn hx_form(b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Response {
    let token = b.csrf.clone().unwrap_or_default();
    b.send(
        "POST",
        path,
        &[("HX-Request", "true"), ("X-CSRF-Token", &token)],
        &form(fields),
    )
}

fn add(b: &mut Browser, id: &str) -> Response {
    hx_form(b, "/carrello/aggiungi", &[("documento", id)])
}

/// The header's count: (number shown, hidden).
fn header_count(r: &Response) -> (String, bool) {
    let span = r
        .body
        .split("<span id=\"cart-count\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no cart count: {}", r.body));
    let (attrs, rest) = span.split_once('>').unwrap();
    (
        rest.split('<').next().unwrap().to_string(),
        attrs.contains(" hidden"),
    )
}

fn db(s: &Server) -> rusqlite::Connection {
    rusqlite::Connection::open(s.db_path()).unwrap()
}

fn count(s: &Server, sql: &str) -> i64 {
    db(s).query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn add_twice_remove_and_the_header_count() {
    let s = Server::demo(SMALL_DEMO);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let page = b.get("/documenti");
    assert_eq!(header_count(&page), ("0".into(), true));
    let (record, _) = card(&page, RECORD);
    let (referto, _) = card(&page, "Referto TC torace");
    // htmx: the slot says so, the header count comes out of band.
    let r = add(&mut b, &record);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.starts_with("<div class=\"cart-slot\""), "{}", r.body);
    assert!(r.body.contains("Aggiunto al carrello") && r.body.contains(">Nel carrello"));
    assert!(r.body.contains(
        "<span id=\"cart-count\" class=\"badge cart-count\" role=\"status\" aria-label=\"1 documento nel carrello\" hx-swap-oob=\"true\">1</span>"
    ), "{}", r.body);
    let page = b.get("/documenti");
    assert_eq!(header_count(&page), ("1".into(), false));
    assert!(
        page.body
            .contains("aria-label=\"1 documento nel carrello\"")
    );
    let (_, c) = card(&page, RECORD);
    assert!(
        c.contains("href=\"/carrello\"")
            && c.contains("Nel carrello")
            && !c.contains("Aggiungi Carrello")
    );
    // Twice: harmless, with a message; without JavaScript too.
    let r = add(&mut b, &record);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Il documento è già nel carrello") && r.body.contains(">1</span>"));
    let r = b.post("/carrello/aggiungi", &[("documento", &record)]);
    assert_eq!(
        (r.status, r.header("location")),
        (303, Some("/carrello?esito=gia"))
    );
    assert!(
        b.get("/carrello?esito=gia")
            .body
            .contains("Il documento è già nel carrello")
    );
    assert_eq!(count(&s, "SELECT count(*) FROM cart_items"), 1);
    // Refused: free, another patient's, malformed, no CSRF token.
    let r = add(&mut b, &referto);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("gratuito") && r.header("hx-retarget") == Some("#alerts"));
    let mut laura = Browser::new(&s.addr);
    laura.login(LAURA.0, LAURA.1);
    let (hers, _) = card(
        &laura.get("/documenti"),
        "Cartella clinica – ricovero in Ortopedia",
    );
    let r = add(&mut b, &hers);
    assert_eq!(r.status, 404);
    assert!(r.body.contains("Documento non trovato"));
    for bad in ["", "x", "../../etc", &record.to_uppercase()] {
        assert_eq!(add(&mut b, bad).status, 404, "{bad}");
    }
    let r = b.send(
        "POST",
        "/carrello/aggiungi",
        &[],
        &form(&[("documento", &record)]),
    );
    assert_eq!(r.status, 403);
    let r = b.send(
        "POST",
        "/carrello/aggiungi",
        &[("HX-Request", "true"), ("X-CSRF-Token", "sbagliato")],
        &form(&[("documento", &hers)]),
    );
    assert_eq!(r.status, 403);
    assert_eq!(count(&s, "SELECT count(*) FROM cart_items"), 1);
    assert_eq!(b.get("/carrello/aggiungi").status, 405);
    // The cart: item, price, total, the order button.
    let cart = b.get("/carrello");
    assert_eq!(cart.status, 200);
    for needle in [
        RECORD,
        "€ 22,00 IVA 0 %",
        "Totale (IVA inclusa)",
        "<strong>€ 22,00</strong>",
        ">Procedi all'ordine</button>",
    ] {
        assert!(cart.body.contains(needle), "{needle}");
    }
    assert_eq!(header_count(&cart), ("1".into(), false));
    // Remove with htmx: the section again, empty, and the count 0.
    let r = hx_form(&mut b, &format!("/carrello/{record}/rimuovi"), &[]);
    assert_eq!(r.status, 200);
    assert!(r.body.starts_with("<section id=\"carrello\""), "{}", r.body);
    assert!(r.body.contains("Il carrello è vuoto") && r.body.contains("href=\"/documenti\""));
    assert!(
        r.body.contains(
            "aria-label=\"0 documenti nel carrello\" hx-swap-oob=\"true\" hidden>0</span>"
        ),
        "{}",
        r.body
    );
    assert_eq!(header_count(&b.get("/carrello")), ("0".into(), true));
    // Without JavaScript: POST → 303 with a message on the cart page.
    let r = b.post("/carrello/aggiungi", &[("documento", &record)]);
    assert_eq!(
        (r.status, r.header("location")),
        (303, Some("/carrello?esito=aggiunto"))
    );
    let cart = b.get("/carrello?esito=aggiunto");
    assert!(cart.body.contains("Documento aggiunto al carrello") && cart.body.contains(RECORD));
    let r = b.post(&format!("/carrello/{record}/rimuovi"), &[]);
    assert_eq!(
        (r.status, r.header("location")),
        (303, Some("/carrello?esito=rimosso"))
    );
    assert!(
        b.get("/carrello?esito=rimosso")
            .body
            .contains("Il carrello è vuoto")
    );
    // A document in preparation cannot be added.
    db(&s)
        .execute(
            "UPDATE documents SET state = 'preparing' WHERE public_id = ?1",
            [&record],
        )
        .unwrap();
    let r = add(&mut b, &record);
    assert_eq!(r.status, 409);
    assert!(r.body.contains("in preparazione"));
    assert_eq!(count(&s, "SELECT count(*) FROM cart_items"), 0);
}

#[test]
fn flagged_items_and_procedi_all_ordine() {
    let s = Server::demo(SMALL_DEMO);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let page = b.get("/documenti");
    let (record, _) = card(&page, RECORD);
    let (surgery, _) = card(&page, SURGERY);
    // Empty cart: refused with a message.
    let r = b.post("/carrello/ordina", &[]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Il carrello è vuoto"));
    assert!(b.get("/carrello").body.contains("Il carrello è vuoto"));
    assert_eq!(add(&mut b, &record).status, 200);
    assert_eq!(add(&mut b, &surgery).status, 200);
    assert!(b.get("/carrello").body.contains("<strong>€ 44,00</strong>"));
    // Withdrawn since it was added: flagged, out of the total, no order.
    db(&s)
        .execute(
            "UPDATE documents SET state = 'withdrawn' WHERE public_id = ?1",
            [&surgery],
        )
        .unwrap();
    let cart = b.get("/carrello");
    assert!(
        cart.body
            .contains("Non più disponibile: rimuovilo dal carrello")
    );
    assert!(
        cart.body.contains("<strong>€ 22,00</strong>")
            && !cart.body.contains("action=\"/carrello/ordina\"")
    );
    assert_eq!(header_count(&cart).0, "2");
    let orders_before = count(&s, "SELECT count(*) FROM orders");
    let r = b.post("/carrello/ordina", &[]);
    assert_eq!(r.status, 409);
    assert!(r.body.contains("non sono più disponibili"));
    assert_eq!(count(&s, "SELECT count(*) FROM orders"), orders_before);
    let r = hx_form(&mut b, &format!("/carrello/{surgery}/rimuovi"), &[]);
    assert!(!r.body.contains("Non più disponibile") && r.body.contains(">1</span>"));
    // "Procedi all'ordine": a draft order with the price copied, the cart emptied.
    let r = b.post("/carrello/ordina", &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    let to = r.header("location").unwrap().to_string();
    let number = to.strip_prefix("/ordini/").unwrap().to_string();
    assert!(
        number.len() == 32
            && number
                .bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
        "{to}"
    );
    assert_eq!(count(&s, "SELECT count(*) FROM orders"), orders_before + 1);
    let conn = db(&s);
    let (state, total, cf): (String, i64, String) = conn
        .query_row(
            "SELECT o.state, o.total_cents, p.codice_fiscale FROM orders o JOIN patients p ON p.id = o.patient_id WHERE o.number = ?1",
            [&number],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (state.as_str(), total, cf.as_str()),
        ("draft", 2200, MARIO.0)
    );
    let (title, price): (String, i64) = conn
        .query_row(
            "SELECT i.title, i.price_cents FROM order_items i JOIN orders o ON o.id = i.order_id
             JOIN documents d ON d.id = i.document_id WHERE o.number = ?1 AND d.public_id = ?2",
            [&number, &record],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((title.as_str(), price), (RECORD, 2200));
    assert_eq!(count(&s, "SELECT count(*) FROM cart_items"), 0);
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM audit_log WHERE action = 'order_create'"
        ),
        1
    );
    // The price is the order's own: a later change of the document's leaves it alone.
    conn.execute(
        "UPDATE documents SET price_cents = 3000 WHERE public_id = ?1",
        [&record],
    )
    .unwrap();
    let copied: i64 = conn
        .query_row(
            "SELECT i.price_cents FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.number = ?1",
            [&number],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(copied, 2200);
    // In an open order: "In un ordine", and it cannot be added again.
    let page = b.get("/documenti");
    assert_eq!(header_count(&page), ("0".into(), true));
    let (_, c) = card(&page, RECORD);
    assert!(
        c.contains("In un ordine") && c.contains(&format!("href=\"/ordini/{number}\"")),
        "{c}"
    );
    let r = add(&mut b, &record);
    assert_eq!(r.status, 409);
    assert!(r.body.contains("già in un ordine"));
    // Bought: "Acquistato" with its order, never added again.
    conn.execute(
        "UPDATE orders SET state = 'completed' WHERE number = ?1",
        [&number],
    )
    .unwrap();
    let (_, c) = card(&b.get("/documenti"), RECORD);
    assert!(
        c.contains("Acquistato") && c.contains(&format!("href=\"/ordini/{number}\"")),
        "{c}"
    );
    let r = add(&mut b, &record);
    assert_eq!(r.status, 409);
    assert!(r.body.contains("già acquistato"));
    // htmx: "Procedi all'ordine" answers with HX-Redirect to the order.
    conn.execute(
        "UPDATE documents SET state = 'available' WHERE public_id = ?1",
        [&surgery],
    )
    .unwrap();
    assert_eq!(add(&mut b, &surgery).status, 200);
    let r = hx_form(&mut b, "/carrello/ordina", &[]);
    assert_eq!(r.status, 200);
    let to = r.header("hx-redirect").unwrap().to_string();
    assert!(
        to.starts_with("/ordini/") && to.len() == "/ordini/".len() + 32,
        "{to}"
    );
    assert_eq!(count(&s, "SELECT count(*) FROM cart_items"), 0);
    // In the cart and, meanwhile, ordered in another tab: flagged, no second order.
    conn.execute(
        "INSERT INTO cart_items (patient_id, document_id, added_at)
         SELECT patient_id, id, 0 FROM documents WHERE public_id = ?1",
        [&surgery],
    )
    .unwrap();
    let cart = b.get("/carrello");
    assert!(
        cart.body
            .contains("Non più disponibile: rimuovilo dal carrello")
    );
    assert!(cart.body.contains("<strong>€ 0,00</strong>"));
    assert_eq!(b.post("/carrello/ordina", &[]).status, 409);
    hx_form(&mut b, &format!("/carrello/{surgery}/rimuovi"), &[]);
    // No CSRF token: 403, nothing ordered.
    let before = count(&s, "SELECT count(*) FROM orders");
    assert_eq!(b.send("POST", "/carrello/ordina", &[], "").status, 403);
    assert_eq!(count(&s, "SELECT count(*) FROM orders"), before);
    // Laura's cart is hers.
    let mut laura = Browser::new(&s.addr);
    laura.login(LAURA.0, LAURA.1);
    assert!(laura.get("/carrello").body.contains("Il carrello è vuoto"));
    assert_eq!(
        hx_form(&mut laura, &format!("/carrello/{surgery}/rimuovi"), &[]).status,
        200,
        "removing what is not in her cart changes nothing"
    );
}
