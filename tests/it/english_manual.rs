//! The Manuale Utente in English: chosen by the `cds_lang` cookie (the switch) or, on a
//! first visit, by `Accept-Language`; Italian otherwise, as before. Every section in both
//! languages, in the same order, under the same anchors (the login page links them).

use crate::client::{self, Browser, Response};
use crate::{MARIO, Server, italian};

const ITALIAN: [&str; 12] = [
    "1. Accedere al portale",
    "2. Richiedere un nuovo PIN",
    "3. Dashboard",
    "4. Documenti Interscambiati",
    "5. Aprire il pacchetto scaricato",
    "6. Documenti e Carrello",
    "7. Ordine e pagamento con pagoPA",
    "8. Ordini: stato, download, pagamento non riuscito",
    "9. Assistenza",
    "10. Condividere un documento con il medico",
    "11. Usare il portale da un chiosco in ospedale",
    "12. Sicurezza e riservatezza",
];

const ENGLISH: [&str; 12] = [
    "1. Logging in to the portal",
    "2. Asking for a new PIN",
    "3. Dashboard",
    "4. Exchanged Documents",
    "5. Opening the downloaded package",
    "6. Documents and Cart",
    "7. Ordering and paying with pagoPA",
    "8. Orders: status, download, failed payment",
    "9. Support",
    "10. Sharing a document with your doctor",
    "11. Using the portal from a kiosk in the hospital",
    "12. Security and privacy",
];

/// The `<h2>` titles of the manual's sections, in order, with their anchors.
fn sections(html: &str) -> Vec<(String, String)> {
    html.split("<section id=\"")
        .skip(1)
        .map(|s| {
            let id = s.split('"').next().unwrap().to_string();
            let title = client::element_text(s, "<h2").unwrap();
            (id, title)
        })
        .collect()
}

fn assert_english(r: &Response) {
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<html lang=\"en\">"), "{}", r.body);
    assert!(r.body.contains("<title>User Manual – "));
    assert!(r.body.contains("<h1 class=\"page-title\">User Manual</h1>"));
    assert!(r.body.contains("aria-label=\"Contents of the manual\""));
    let found = sections(&r.body);
    let titles: Vec<&str> = found.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(titles, ENGLISH);
    // The login page's links (`/manuale#accesso`, `#nuovo-pin`) work in English too.
    assert_eq!(found[0].0, "accesso");
    assert_eq!(found[1].0, "nuovo-pin");
    // The index names the same sections.
    for t in ENGLISH {
        assert_eq!(r.body.matches(&format!(">{t}</a>")).count(), 1, "{t}");
    }
    // Steps the Italian manual is checked for, in English; the Italian label marked beside.
    for text in [
        "Add to cart",
        "Buy now",
        "Ticket ID",
        "Retry payment",
        "Share with your doctor",
        "Yes, I'm still here",
        "<strong>Exchanged Documents</strong> (<span lang=\"it\">Documenti Interscambiati</span>)",
    ] {
        assert!(r.body.contains(text), "{text}");
    }
    assert!(
        r.body
            .contains("(<span lang=\"it\">Aggiungi Carrello</span>)")
    );
    // No Italian title nor common Italian word outside what is marked Italian.
    let text = italian::readable(italian::main_of(&r.body));
    for t in ITALIAN.iter().filter(|t| !ENGLISH.contains(t)) {
        assert!(!text.contains(t), "{t}");
    }
    let words = [
        italian::common_in(&text),
        italian::words_in(&text.to_lowercase(), &["premi", "documenti"]),
    ];
    assert_eq!(
        words.concat(),
        [] as [&str; 0],
        "Italian in the English manual"
    );
}

fn assert_italian(r: &Response) {
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<html lang=\"it\">"));
    assert!(
        r.body
            .contains("<h1 class=\"page-title\">Manuale Utente</h1>")
    );
    assert!(r.body.contains("aria-label=\"Indice del manuale\""));
    let titles: Vec<String> = sections(&r.body).into_iter().map(|(_, t)| t).collect();
    assert_eq!(titles, ITALIAN);
    for step in [
        "Aggiungi Carrello",
        "Acquista ora",
        "PAGA SUBITO",
        "Sì, continuo",
    ] {
        assert!(r.body.contains(step), "{step}");
    }
    assert!(!r.body.contains("User Manual"));
}

#[test]
fn the_manual_follows_the_language_cookie() {
    let s = Server::demo(&[]);
    let get = |headers: &[(&str, &str)]| client::request(&s.addr, "GET", "/manuale", headers, "");
    assert_english(&get(&[("Cookie", "cds_lang=en")]));
    assert_italian(&get(&[("Cookie", "cds_lang=it")]));
    // The cookie wins over the browser's languages.
    assert_italian(&get(&[
        ("Cookie", "cds_lang=it"),
        ("Accept-Language", "en-GB,en;q=0.9"),
    ]));
    // Italian by default, as before.
    assert_italian(&get(&[]));
    // Both languages, the same anchors in the same order.
    let it = sections(&get(&[]).body);
    let en = sections(&get(&[("Cookie", "cds_lang=en")]).body);
    let ids = |v: &[(String, String)]| v.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&it), ids(&en));
}

#[test]
fn the_manual_follows_accept_language_on_a_first_visit() {
    let s = Server::demo(&[]);
    let get =
        |lang: &str| client::request(&s.addr, "GET", "/manuale", &[("Accept-Language", lang)], "");
    assert_english(&get("en-GB,en;q=0.9"));
    assert_english(&get("de-DE,de;q=0.9,en;q=0.7,it;q=0.5"));
    assert_italian(&get("it-IT,it;q=0.9,en;q=0.8"));
    assert_italian(&get("fr"));
}

#[test]
fn a_patient_switches_the_manual_to_english() {
    let s = Server::demo(&[]);
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    let r = b.get("/manuale");
    assert_italian(&r);
    assert!(r.body.contains("href=\"/lingua/en?da=%2Fmanuale\""));
    let r = b.get("/lingua/en?da=%2Fmanuale");
    assert_eq!((r.status, r.header("location")), (303, Some("/manuale")));
    let r = b.get("/manuale");
    assert_english(&r);
    // In the menu, marked as the current section.
    assert!(r.body.contains("aria-current=\"page\">User Manual"));
    assert_italian(&{
        b.get("/lingua/it?da=%2Fmanuale");
        b.get("/manuale")
    });
}
