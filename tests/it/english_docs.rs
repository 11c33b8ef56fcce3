//! "Documenti Interscambiati", "Documenti" and "Chi ha consultato i miei dati" in English:
//! with the `cds_lang=en` cookie (or `Accept-Language: en` on a first visit) the pages and
//! their htmx fragments speak English; titles, categories and wards from the data are
//! marked `lang="it"`; without either the pages are Italian as before.

use crate::client::{Browser, Response};
use crate::documents::{SMALL_DEMO, today};
use crate::orders::doc_id;
use crate::{MARIO, Server, eventually, italian};

const PATH: &str = "/documenti-interscambiati";

/// The Italian words of these pages: none may be read, as whole words, outside a
/// `lang="it"` element of an English page.
const ITALIAN: &[&str] = &[
    "Documenti Interscambiati",
    "Documenti interscambiati",
    "Un documento non ancora pronto",
    "recuperato",
    "Dal",
    "Al",
    "Categoria",
    "Tutte le categorie",
    "Mostra anche i documenti",
    "Filtra",
    "Oggi",
    "Documenti del",
    "Documenti dal",
    "categoria",
    "consultabili online",
    "Nessun documento",
    "Data",
    "Descrizione",
    "Stato",
    "Azioni",
    "Nascosto",
    "Vai a Documenti",
    "Recupera",
    "Riprova",
    "Invia al mio cellulare",
    "Condividi con il medico",
    "Mostra di nuovo",
    "Nascondi",
    "A pagamento",
    "Da recuperare",
    "Recupero in corso",
    "Avanzamento del recupero",
    "ricevuti",
    "In attesa",
    "Disponibile",
    "fino al",
    "Recupero non riuscito",
    "non è stato trovato nell'archivio",
    "non risponde in questo momento",
    "non è valida",
    "successiva a quella finale",
    "non esiste",
    "a pagamento",
    "non è pronto per il download",
    "non è più disponibile",
    "Documenti",
    "Tutti i documenti",
    "legati al tuo codice fiscale",
    "Aggiungi Carrello",
    "Procedi all'ordine",
    "dal Carrello",
    "Tutti i tuoi documenti",
    "Documenti della categoria",
    "GRATUITO",
    "IVA",
    "DISPONIBILE",
    "IN PREPARAZIONE",
    "Pubblicazione",
    "Anteprima",
    "Vai a Documenti Interscambiati",
    "Non più consultabile online",
    "Acquistato",
    "Vedi l'ordine",
    "In un ordine",
    "Vai all'ordine",
    "Nel carrello",
    "In preparazione",
    "Chiudi",
    "Tipo",
    "Reparto",
    "Data di ricovero",
    "Data di dimissione",
    "Pagine",
    "Dimensione",
    "Prezzo",
    "Miniatura delle immagini",
    "Torna a Documenti",
    "Richiedi informazioni sulla disponibilità",
    "Non trovi un documento",
    "Documento (facoltativo)",
    "Un documento che non è nell'elenco",
    "Periodo del ricovero",
    "Per esempio",
    "Oggetto",
    "Disponibilità di un documento",
    "Messaggio",
    "Invia richiesta",
    "Chi ha consultato i miei dati",
    "Qui trovi ogni accesso",
    "Se un accesso non ti sembra giustificato",
    "Assistenza",
    "Più recenti",
    "Meno recenti",
    "Tu",
    "Personale dell'Azienda",
    "Sistema dell'ospedale",
    "Chi ha il link",
    "Il portale",
    "Nessun accesso registrato",
    "Accessi ai tuoi dati",
    "Data e ora",
    "Chi",
    "Che cosa",
    "Documento",
    "Richiesta di recupero",
    "Visualizzazione del documento",
    "Download del documento",
    "Accesso",
];

/// The entries of `ITALIAN` read outside `lang="it"`, each with the text it is in.
fn italian_in(source: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for t in italian::texts(source) {
        for it in italian::words_in(&t, ITALIAN) {
            out.push((it, t.clone()));
        }
    }
    out
}

/// Fails on an Italian word of `ITALIAN` read outside `lang="it"`.
fn assert_english(what: &str, source: &str) {
    let found = italian_in(source);
    assert!(found.is_empty(), "{what}: Italian {found:?}\n{source}");
}

/// Logged in as Mario with the English cookie.
fn english(s: &Server) -> Browser {
    let mut b = Browser::new(&s.addr);
    b.cookies.insert("cds_lang".into(), "en".into());
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    b
}

fn days_ago(n: i64) -> jiff::civil::Date {
    today().checked_sub(jiff::Span::new().days(n)).unwrap()
}

fn document_row_id(s: &Server, title: &str) -> i64 {
    rusqlite::Connection::open(s.db_path())
        .unwrap()
        .query_row("SELECT id FROM documents WHERE title = ?1", [title], |r| {
            r.get(0)
        })
        .unwrap()
}

/// A recovery that failed, with `error` as the worker would have stored it.
fn failed(s: &Server, title: &str, error: &str) {
    let id = document_row_id(s, title);
    rusqlite::Connection::open(s.db_path())
        .unwrap()
        .execute(
            "INSERT INTO recoveries (document_id, state, requested_at, finished_at, error)
             VALUES (?1, 'failed', 1, 2, ?2)",
            rusqlite::params![id, error],
        )
        .unwrap();
}

fn row_of<'a>(r: &'a Response, id: &str) -> &'a str {
    let start = r
        .body
        .find(&format!("<tr id=\"doc-{id}\""))
        .unwrap_or_else(|| panic!("{id} not listed: {}", r.body));
    let rest = &r.body[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

#[test]
fn exchanged_documents_and_accesses_in_english() {
    let s = Server::demo(SMALL_DEMO);
    failed(
        &s,
        "RM encefalo",
        "Il documento non è stato trovato nell'archivio dell'Azienda. Rivolgiti all'Assistenza.",
    );
    failed(&s, "TC torace senza mdc", "guasto sconosciuto");
    let mut b = english(&s);
    let month = format!("{PATH}?da={}&a={}", days_ago(40), today());
    let page = b.get(&month);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<html lang=\"en\">"));
    for en in [
        "<h1 class=\"page-title\">Exchanged Documents</h1>",
        "must first be <strong>retrieved</strong> from the archive; then you can download it for 24 hours.",
        ">From</label>",
        ">To</label>",
        ">All categories</option>",
        "Also show the documents I have hidden",
        ">Filter</button>",
        ">Today</a>",
        &format!(
            "Documents from {} to {}",
            days_ago(40).strftime("%d/%m/%Y"),
            today().strftime("%d/%m/%Y")
        ),
        "<th scope=\"col\">Description</th>",
        "data-label=\"Status\"",
        ">Retrieve<",
        "Share with your doctor",
        ">Hide<",
        ">Charge applies</span> €22.00",
        ">Go to Documents</a>",
        ">Retrieval failed</span>",
        "The document was not found in the health authority's archive. Please contact Support.",
        ">Try again<",
    ] {
        assert!(page.body.contains(en), "{en}: {}", page.body);
    }
    // Data stays as it is, marked Italian.
    assert!(
        page.body
            .contains("<option value=\"Referto\" lang=\"it\">Referto</option>")
    );
    assert!(
        page.body
            .contains("<span lang=\"it\">Referto TC torace</span>")
    );
    assert!(
        page.body
            .contains("<span class=\"visually-hidden\" lang=\"it\">: Referto TC torace</span>")
    );
    let tc = doc_id(&s, "TC torace senza mdc");
    assert!(
        row_of(&page, &tc).contains("<p class=\"field-error\" lang=\"it\">guasto sconosciuto</p>"),
        "a reason the code does not know is shown as stored"
    );
    assert_english("the page", &page.body);

    // The htmx fragments: recover, the polls, the row once ready, hide.
    let referto = doc_id(&s, "Referto TC torace");
    let r = b.hx_post(&format!("{PATH}/{referto}/recupera"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.starts_with("<tr"), "{}", r.body);
    assert_english("the recover answer", &r.body);
    let mut last = r;
    assert!(eventually(60, || {
        last = b.hx_get(&format!("{PATH}/{referto}/riga?scarica=1"));
        assert_english("a poll", &last.body);
        !last.body.contains("Retrieving")
    }));
    for en in [
        ">Available</span> until ",
        "Download (",
        " kB)",
        "data-auto-download=\"1\"",
    ] {
        assert!(last.body.contains(en), "{en}: {}", last.body);
    }
    let hidden = b.hx_post(&format!("{PATH}/{referto}/nascondi"));
    assert!(
        hidden.body.contains(">Hidden</span>") && hidden.body.contains(">Show again<"),
        "{}",
        hidden.body
    );
    assert_english("the hidden row", &hidden.body);

    // Errors: the filter's, a paid document's, a download not ready.
    let bad = b.hx_get(&format!("{PATH}?da=2026-13-45"));
    assert_eq!(bad.status, 422);
    assert!(
        bad.body
            .contains("The “from” date is not valid: use the format dd/mm/yyyy."),
        "{}",
        bad.body
    );
    assert_english("the filter's error", &bad.body);
    let range = b.hx_get(&format!("{PATH}?da={}&a={}", today(), days_ago(1)));
    assert!(
        range.body.contains("The start date is after the end date"),
        "{}",
        range.body
    );
    let paid = doc_id(&s, "Cartella clinica – ricovero in Medicina Interna");
    let r = b.hx_post(&format!("{PATH}/{paid}/recupera"));
    assert_eq!(r.status, 409);
    assert!(
        r.body.contains("There is a charge for this document"),
        "{}",
        r.body
    );
    assert_english("a paid document's error", &r.body);
    let r = b.get(&format!("{PATH}/{tc}/download"));
    assert_eq!(r.status, 404);
    assert!(
        r.body.contains("The document is not ready to download"),
        "{}",
        r.body
    );

    // Who has viewed my data: the recovery asked above, by "You".
    let acc = b.get("/accessi");
    assert_eq!(acc.status, 200);
    for en in [
        "<h1 class=\"page-title\">Who has viewed my data</h1>",
        "<th scope=\"col\">Date and time</th>",
        "<td>You</td>",
        "<td>Retrieval requested</td>",
        "<span lang=\"it\">Referto TC torace</span>",
        "aria-label=\"Pages\"",
    ] {
        assert!(acc.body.contains(en), "{en}: {}", acc.body);
    }
    assert_english("/accessi", &acc.body);
}

#[test]
fn documents_catalogue_and_preview_in_english() {
    let s = Server::demo(SMALL_DEMO);
    let mut b = english(&s);
    let page = b.get("/documenti");
    assert_eq!(page.status, 200, "{}", page.body);
    for en in [
        "<h1 class=\"page-title\">Documents</h1>",
        "<strong>Add to cart</strong>, then <strong>Proceed to order</strong> from the Cart.",
        "All your documents",
        "€22.00 VAT 0%",
        ">FREE</p>",
        ">AVAILABLE</span>",
        "Published: ",
        "title=\"Preview\"",
        ">Go to Exchanged Documents<",
        "<summary>Ask about availability</summary>",
        "value=\"Availability of a document\"",
        ">Send request</button>",
        "<h2 id=\"anteprima-titolo\">Document preview</h2>",
    ] {
        assert!(page.body.contains(en), "{en}: {}", page.body);
    }
    assert!(page.body.contains(
        "<h2 class=\"doc-title\" lang=\"it\">Cartella clinica – ricovero in Medicina Interna</h2>"
    ));
    assert_english("/documenti", &page.body);

    // The category filter's fragment and its error.
    let frag = b.hx_get("/documenti?categoria=Cartella+clinica");
    assert!(
        frag.body
            .contains("Documents in the category <strong lang=\"it\">Cartella clinica</strong>"),
        "{}",
        frag.body
    );
    assert_english("the filter's fragment", &frag.body);
    let bad = b.hx_get("/documenti?categoria=Segreti");
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("The category you chose does not exist"),
        "{}",
        bad.body
    );
    assert_english("the filter's error", &bad.body);

    // The preview, in the dialog (htmx) and as a page.
    let id = doc_id(&s, "Cartella clinica – ricovero in Medicina Interna");
    let p = b.hx_get(&format!("/documenti/{id}/anteprima"));
    assert_eq!(p.status, 200);
    for en in [
        "<dt>Type</dt><dd lang=\"it\">Cartella clinica</dd>",
        "<dt>Ward</dt><dd lang=\"it\">Medicina Interna</dd>",
        "<dt>Admission date</dt>",
        "<dt>Price</dt><dd>€22.00 VAT 0%</dd>",
        ">Close</button>",
    ] {
        assert!(p.body.contains(en), "{en}: {}", p.body);
    }
    assert_english("the preview", &p.body);
    let full = b.get(&format!("/documenti/{id}/anteprima"));
    assert!(
        full.body.contains(">Back to Documents</a>")
            && full.body.contains("<title>Document preview")
    );
    assert_english("the preview's page", &full.body);
    let missing = b.get("/documenti/0123456789abcdef0123456789abcdef/anteprima");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("Document not found."),
        "{}",
        missing.body
    );

    // The cart's answer carries the row's purchase part in English too.
    let add = b.send(
        "POST",
        "/carrello/aggiungi",
        &[
            ("HX-Request", "true"),
            ("X-CSRF-Token", &b.csrf.clone().unwrap()),
        ],
        &format!("documento={id}"),
    );
    assert!(add.body.contains(">In the cart<"), "{}", add.body);
}

#[test]
fn accept_language_on_a_first_visit_and_italian_by_default() {
    let s = Server::demo(SMALL_DEMO);
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    let en = b.send("GET", PATH, &[("Accept-Language", "en-GB,en;q=0.9")], "");
    assert!(
        en.body
            .contains("<h1 class=\"page-title\">Exchanged Documents</h1>"),
        "{}",
        en.body
    );
    assert_english("Accept-Language: en", &en.body);
    let acc = b.send("GET", "/accessi", &[("Accept-Language", "en")], "");
    assert!(acc.body.contains("Who has viewed my data"));
    // Italian: as before, and nothing marked (the whole page is Italian).
    let it = b.get(PATH);
    assert!(
        it.body
            .contains("<h1 class=\"page-title\">Documenti Interscambiati</h1>")
    );
    assert!(
        italian_in(
            &it.body
                .replacen("<html lang=\"it\">", "<html lang=\"en\">", 1)
        )
        .len()
            > 10,
        "the check finds the Italian of an Italian page said to be English"
    );
    assert!(
        it.body
            .contains("<td data-label=\"Descrizione\">Referto TC torace")
    );
    assert!(!it.body.contains("<span lang=\"it\">Referto"));
    let it = b.get("/documenti");
    assert!(it.body.contains("€ 22,00 IVA 0 %") && it.body.contains("GRATUITO"));
    assert!(
        b.get("/accessi")
            .body
            .contains("Chi ha consultato i miei dati")
    );
}
