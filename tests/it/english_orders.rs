//! Orders in English on the real binary: with the `cds_lang=en` cookie the cart, its htmx
//! fragments, the order page through its steps, the polled status fragment, Ordini, the
//! Dashboard with its SMS toggle and Assistenza speak English (amounts as `€22.00`), and
//! so does a payment provider's refusal; `Accept-Language: en` does the same on a first
//! visit, the cookie winning over it. Data stays as it is, marked `lang="it"`; the
//! sandbox's payment portal (an outside provider) stays Italian. Italian is the default
//! (every other test of orders).

use crate::client::{Browser, Response, form};
use crate::orders::{CARTELLA, FAST_PAYMENTS, doc_id, location, sandbox, wait_state};
use crate::payments_real::{Kind, draft, server};
use crate::payments_stub::PaymentsStub;
use crate::{MARIO, Server, italian};

/// Italian UI phrases of the cart, orders, the Dashboard and Assistenza that no English page
/// may show (none of them is part of the demo's data).
const ITALIAN: &[&str] = &[
    "Procedi all'ordine",
    "Il carrello è vuoto",
    "Totale (IVA inclusa)",
    "Rimuovi",
    "Continua a scegliere",
    "Dettaglio ordine",
    "Indietro",
    "Consensi obbligatori",
    "Acquista ora",
    "Annulla ordine",
    "DA CONFERMARE",
    "IN ATTESA DI PAGAMENTO",
    "COMPLETATO",
    "Numero ordine",
    "Ordinato il",
    "Stato Ordine",
    "Totale ordine",
    "Modalità di pagamento",
    "Intestato a",
    "Da pagare entro",
    "Scarica Avviso",
    "Vai al portale",
    "Richiedi assistenza",
    "Attenzione:",
    "aggiornamento automatico",
    "Pagato il",
    "Ricevuta",
    "Dati per il pagamento",
    "Riceverai",
    "Documenti acquistati",
    "Non disponibile",
    "Benvenuto",
    "Ultimi cinque",
    "Nuovi Documenti",
    "pubblicati negli ultimi",
    "Condivisioni",
    "I tuoi dati",
    "Avvisi SMS",
    "avvisi SMS",
    "GRATUITO",
    "Nessun",
    "Tipo di richiesta",
    "Oggetto",
    "Messaggio",
    "Invia richiesta",
    "Le tue richieste",
    "Richiesta di",
    "devi accettare",
    "Inserisci",
    "Il servizio di pagamento",
];

/// A patient who chose English with the switch.
fn english(s: &Server) -> Browser {
    let mut b = Browser::new(&s.addr);
    b.cookies.insert("cds_lang".into(), "en".into());
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    b
}

fn assert_english(what: &str, r: &Response, want: &[&str]) {
    let part = italian::main_of(&r.body);
    for text in want {
        assert!(part.contains(text), "{what}: {text:?} missing: {}", r.body);
    }
    let left = italian::words_in(&italian::readable(part), ITALIAN);
    assert!(left.is_empty(), "{what}: Italian {left:?}: {}", r.body);
    if r.body.contains("<html") {
        assert!(r.body.contains("<html lang=\"en\">"), "{what}");
    }
}

fn hx_form(b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Response {
    let token = b.csrf.clone().unwrap_or_default();
    b.send(
        "POST",
        path,
        &[("HX-Request", "true"), ("X-CSRF-Token", &token)],
        &form(fields),
    )
}

#[test]
fn cart_order_status_fragment_and_dashboard_in_english() {
    let s = Server::demo(FAST_PAYMENTS);
    let mut b = english(&s);
    let doc = doc_id(&s, CARTELLA);

    // The cart: a plain add, the page, an htmx remove, the empty cart.
    b.get("/documenti");
    let to = location(&b.post("/carrello/aggiungi", &[("documento", &doc)]));
    let cart = b.get(&to);
    assert_english(
        "cart",
        &cart,
        &[
            "<h1 class=\"page-title\">Cart</h1>",
            "Document added to your cart.",
            "Continue to order",
            "Total (VAT included)",
            "€22.00 VAT",
            "<strong>€22.00</strong>",
            "data-label=\"Price\"",
            "<span lang=\"it\">Cartella clinica – ricovero in Medicina Interna</span>",
        ],
    );
    let removed = b.hx_post(&format!("/carrello/{doc}/rimuovi"));
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_english(
        "cart after remove",
        &removed,
        &["Document removed from your cart.", "Your cart is empty."],
    );
    let added = hx_form(&mut b, "/carrello/aggiungi", &[("documento", &doc)]);
    assert!(added.body.contains("Added to your cart."), "{}", added.body);
    let again = hx_form(&mut b, "/carrello/aggiungi", &[("documento", &doc)]);
    assert!(
        again
            .body
            .contains("This document is already in your cart."),
        "{}",
        again.body
    );

    // The order: consents, payer, Conferma, each step in English.
    b.get("/carrello");
    let page = location(&b.post("/carrello/ordina", &[]));
    let number = page.strip_prefix("/ordini/").unwrap().to_string();
    let draft = b.get(&page);
    assert_english(
        "draft",
        &draft,
        &[
            "Order details",
            "← Back",
            "TO BE CONFIRMED",
            "Required consents",
            "Buy now",
            "Cancel order",
            "Payment method",
            "Payable to",
            "<dd lang=\"it\">Download documenti clinici</dd>",
            "<span lang=\"it\">Dichiaro di aver letto",
        ],
    );
    let refused = b.post(&format!("{page}/acquista"), &[("consenso_privacy", "1")]);
    assert_eq!(refused.status, 422);
    assert_english(
        "consents missing",
        &refused,
        &["To continue you need to accept the privacy notice and the terms of sale."],
    );
    location(&b.post(
        &format!("{page}/acquista"),
        &[("consenso_privacy", "1"), ("consenso_condizioni", "1")],
    ));
    let payer = b.get(&page);
    assert_english(
        "payer",
        &payer,
        &[
            "Payment details",
            ">Email</label>",
            "For example: name.surname@example.com",
            ">Confirm</button>",
        ],
    );
    let bad = b.post(&format!("{page}/conferma"), &[("email", "not-an-email")]);
    assert_eq!(bad.status, 422);
    assert_english("bad e-mail", &bad, &["Enter a valid email address"]);
    location(&b.post(
        &format!("{page}/conferma"),
        &[("email", "mario.rossi@example.org")],
    ));
    let pending = b.get(&page);
    assert_english(
        "pending",
        &pending,
        &[
            "AWAITING PAYMENT",
            "Ticket ID (<span lang=\"it\">Identificativo ticket</span>)",
            "data-copied=\"Copied\">Copy</button>",
            "pagoPA notice code: ",
            "Pay by",
            "Download the payment notice",
            "Pay now",
            "Go to the payment portal",
            "Ask for help",
            "Please note: processing a payment can take several minutes",
            " (updates automatically)",
            "Order total",
        ],
    );
    let ticket = crate::client::element_text(&pending.body, "id=\"ticket\"").unwrap();

    // The polled fragment: a row in English once the state moved.
    let row = b.hx_get(&format!("{page}/stato?da=draft&vista=ordini"));
    assert!(row.body.starts_with("<tr"), "{}", row.body);
    assert_english(
        "row",
        &row,
        &["data-label=\"Order number\"", "AWAITING PAYMENT", "€22.00"],
    );
    let list = b.get("/ordini");
    assert_english(
        "orders",
        &list,
        &["<h1 class=\"page-title\">Orders</h1>", "AWAITING PAYMENT"],
    );

    // The sandbox's portal stands for an outside provider: Italian, and it says so.
    let portal = sandbox(&mut b, &ticket, "paga");
    assert!(
        portal.body.contains("<html lang=\"it\">"),
        "{}",
        portal.body
    );
    assert!(
        portal.body.contains("Pagamento in elaborazione")
            && portal.body.contains("it is only available in Italian"),
        "{}",
        portal.body
    );
    wait_state(&s, &number, "completed");
    let row = b.hx_get(&format!("{page}/stato?da=pending&vista=dashboard"));
    assert_english(
        "completed row",
        &row,
        &[
            "COMPLETED",
            ">Download<",
            ": order ",
            "?origine=dashboard#documenti",
        ],
    );
    let done = b.get(&page);
    assert_english(
        "completed",
        &done,
        &[
            "Payment received: you can download the documents in this order below.",
            "Purchased documents",
            "it stays available for 24 hours",
            "Paid on",
            "Receipt",
        ],
    );

    // The Dashboard and its SMS toggle.
    let dash = b.get("/dashboard");
    assert_english(
        "dashboard",
        &dash,
        &[
            "Welcome, Mario Rossi.",
            "Your last five orders",
            "View all orders",
            "New Documents",
            "documents published in the last 30 days",
            "Your data and notices",
            "COMPLETED",
        ],
    );
    let to = location(&b.post("/dashboard/avvisi", &[("attivi", "0")]));
    let off = b.get(&to);
    assert_english(
        "notices off",
        &off,
        &[
            "SMS notices turned off.",
            "Turn on SMS notices",
            "<strong>off</strong>",
        ],
    );
    let bad = b.post("/dashboard/avvisi", &[("attivi", "x")]);
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("Invalid choice."), "{}", bad.body);
}

#[test]
fn support_and_first_visits_in_english() {
    let s = Server::demo(crate::documents::SMALL_DEMO);
    let mut b = english(&s);
    let page = b.get("/assistenza");
    assert_english(
        "support",
        &page,
        &[
            "<h1 class=\"page-title\">Support</h1>",
            "Do not use this form for medical emergencies: call 112.",
            "Type of request",
            "Send request",
            "You have not sent any requests yet.",
        ],
    );
    let bad = b.post(
        "/assistenza",
        &[("tipo", "assistenza"), ("oggetto", ""), ("messaggio", "")],
    );
    assert_eq!(bad.status, 422);
    assert_english(
        "support errors",
        &bad,
        &[
            "Your request has not been sent: please correct the fields shown.",
            "Write the subject of your request.",
            "Write your message: describe what you need.",
        ],
    );
    let sent = b.post(
        "/assistenza",
        &[
            ("tipo", "assistenza"),
            ("oggetto", "PIN"),
            ("messaggio", "Help"),
        ],
    );
    let listed = b.get(&location(&sent));
    assert_english(
        "support sent",
        &listed,
        &[
            "Request sent: we will reply on this page.",
            "Request for help",
            "OPEN",
            "Status: ",
        ],
    );
    let missing = b.get("/assistenza?ordine=0123456789abcdef0123456789abcdef");
    assert_eq!(missing.status, 404);
    assert!(
        missing
            .body
            .contains("Order not found. Your request has not been sent."),
        "{}",
        missing.body
    );

    // A first visit: Accept-Language decides; the switch's cookie wins over it.
    let mut first = Browser::new(&s.addr);
    assert_eq!(first.login(MARIO.0, MARIO.1).status, 303);
    let en = [("Accept-Language", "en-GB,en;q=0.9")];
    let cart = first.send("GET", "/carrello", &en, "");
    assert_english("cart, Accept-Language", &cart, &["Your cart is empty."]);
    let dash = first.send("GET", "/dashboard", &en, "");
    assert_english(
        "dashboard, Accept-Language",
        &dash,
        &["Welcome, Mario Rossi."],
    );
    let it = first.get("/dashboard");
    assert!(
        it.body.contains("Benvenuto, Mario Rossi."),
        "Italian by default"
    );
    first.cookies.insert("cds_lang".into(), "it".into());
    let chosen = first.send("GET", "/ordini", &en, "");
    assert!(
        chosen.body.contains("I tuoi ordini di copia"),
        "the cookie wins: {}",
        chosen.body
    );
}

#[test]
fn a_provider_refusal_in_english() {
    let stub = PaymentsStub::start();
    let s = server(Kind::PiemontePay, &stub, &[]);
    let mut b = english(&s);
    let number = draft(&mut b, &s);
    let page = format!("/ordini/{number}");
    for (fault, attempts, said) in [
        (
            "422",
            1,
            "The payment service did not accept the request: please try again later; if the problem continues, write to Support.",
        ),
        (
            "500",
            2,
            "The payment service is not responding: please try again in a few minutes.",
        ),
    ] {
        stub.fault(Kind::PiemontePay.create_op(), fault, attempts);
        let r = b.post(
            &format!("{page}/conferma"),
            &[("email", "mario.rossi@example.org")],
        );
        assert_eq!(r.status, 503, "{fault}: {}", r.body);
        assert_english(fault, &r, &[said]);
        // The same as an htmx fragment.
        b.get(&page);
        stub.fault(Kind::PiemontePay.create_op(), fault, attempts);
        let r = hx_form(
            &mut b,
            &format!("{page}/conferma"),
            &[("email", "mario.rossi@example.org")],
        );
        assert_eq!(r.status, 503, "{fault}: {}", r.body);
        assert!(r.body.contains(said), "{fault}: {}", r.body);
        b.get(&page);
    }
    // The Italian, as before, for a patient who did not choose English.
    let mut it = Browser::new(&s.addr);
    it.login(MARIO.0, MARIO.1);
    it.get(&page);
    stub.fault(Kind::PiemontePay.create_op(), "422", 1);
    let r = it.post(
        &format!("{page}/conferma"),
        &[("email", "mario.rossi@example.org")],
    );
    assert!(
        r.body
            .contains("Il servizio di pagamento non ha accettato la richiesta"),
        "{}",
        r.body
    );
}
