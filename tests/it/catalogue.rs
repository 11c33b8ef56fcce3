//! "Documenti": every document of the patient (also past the 45 days online), price or
//! GRATUITO, state, the category filter (htmx fragment or page), the preview with its
//! details and thumbnail, the availability request form, and other patients' documents.

use crate::client::{self, Browser, Response};
use crate::documents::{SMALL_DEMO, today};
use crate::{LAURA, MARIO, Server};

const PATH: &str = "/documenti";
pub const RECORD: &str = "Cartella clinica – ricovero in Medicina Interna";
pub const SURGERY: &str = "Cartella clinica – ricovero in Chirurgia Generale";

/// The documents on a page, in order: (public id, title, the card's HTML).
pub fn cards(r: &Response) -> Vec<(String, String, String)> {
    r.body
        .split("<li class=\"card doc-card\" id=\"doc-")
        .skip(1)
        .map(|chunk| {
            let id = chunk[..32].to_string();
            let title = client::element_text(chunk, "class=\"doc-title\"").unwrap();
            let card = chunk.split("</li>").next().unwrap().to_string();
            (id, title, card)
        })
        .collect()
}

pub fn card(r: &Response, title: &str) -> (String, String) {
    cards(r)
        .into_iter()
        .find(|c| c.1 == title)
        .map(|c| (c.0, c.2))
        .unwrap_or_else(|| panic!("{title} not listed: {}", r.body))
}

fn days_ago(n: i64) -> jiff::civil::Date {
    today().checked_sub(jiff::Span::new().days(n)).unwrap()
}

#[test]
fn every_document_with_price_state_and_where_to_get_it() {
    let s = Server::demo(SMALL_DEMO);
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    let page = b.get(PATH);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("aria-current=\"page\">Documenti<"));
    // The cartella clinica: price with IVA, available, "Aggiungi Carrello" with the CSRF field.
    let (record, c) = card(&page, RECORD);
    assert!(c.contains("€ 22,00 IVA 0 %"), "{c}");
    assert!(
        c.contains(">DISPONIBILE<") && c.contains(">Cartella clinica<"),
        "{c}"
    );
    assert!(
        c.contains("Pubblicazione: ") && c.contains(&days_ago(12).strftime("%d/%m/%Y").to_string())
    );
    assert!(c.contains("action=\"/carrello/aggiungi\"") && c.contains("Aggiungi Carrello"));
    assert!(c.contains(&format!("name=\"documento\" value=\"{record}\"")));
    assert!(c.contains(&format!(
        "name=\"csrf\" value=\"{}\"",
        b.csrf.clone().unwrap()
    )));
    assert!(c.contains(&format!(
        "<span class=\"visually-hidden\">Anteprima: <span>{RECORD}</span></span>"
    )));
    assert!(c.contains(&format!("href=\"/documenti/{record}/anteprima\"")));
    // A free document: GRATUITO and its row in Documenti Interscambiati.
    let (referto, c) = card(&page, "Referto TC torace");
    let t = today();
    assert!(
        c.contains("GRATUITO") && !c.contains("Aggiungi Carrello"),
        "{c}"
    );
    assert!(
        c.contains(&format!(
            "href=\"/documenti-interscambiati?da={t}&amp;a={t}#doc-{referto}\""
        )),
        "{c}"
    );
    assert!(c.contains("Vai a Documenti Interscambiati"));
    // Past the 45 days online: listed here, with no link to a list that no longer has it.
    let (_, old) = card(&page, "Referto ecografia addome");
    assert!(old.contains("GRATUITO") && old.contains("Non più consultabile online"));
    assert!(!old.contains("/documenti-interscambiati?"));
    let (_, letter) = card(&page, "Lettera di dimissione – Chirurgia Generale");
    assert!(letter.contains(&days_ago(70).strftime("%d/%m/%Y").to_string()));
    let (_, surgery) = card(&page, SURGERY);
    assert!(surgery.contains("€ 22,00 IVA 0 %"));
    // Newest publication first.
    let titles: Vec<String> = cards(&page).into_iter().map(|c| c.1).collect();
    let pos = |t: &str| titles.iter().position(|x| x == t).unwrap();
    assert!(pos("Referto TC torace") < pos("TC torace senza mdc"));
    assert!(pos("TC torace senza mdc") < pos("RM encefalo"));
    assert!(pos("RM encefalo") < pos(RECORD));
    assert!(pos(RECORD) < pos(SURGERY));
    assert!(pos(SURGERY) < pos("Referto ecografia addome"));
    // Only Mario's documents.
    assert!(
        !titles.iter().any(|t| t.starts_with("RX torace")),
        "{titles:?}"
    );
    // The availability request goes to the Assistenza; the preview dialog is on the page.
    assert!(
        page.body
            .contains("Richiedi informazioni sulla disponibilità")
    );
    for needle in [
        "action=\"/assistenza\"",
        "name=\"tipo\" value=\"disponibilita\"",
        "name=\"periodo\"",
        "name=\"oggetto\"",
        "name=\"messaggio\"",
        "<select id=\"r-documento\" name=\"documento\">",
        &format!("<option value=\"{record}\">"),
    ] {
        assert!(page.body.contains(needle), "{needle}");
    }
    assert!(
        page.body.contains("<dialog id=\"anteprima\"")
            && page.body.contains("aria-labelledby=\"anteprima-titolo\"")
    );
    // Preparing: no button, an explanation; withdrawn: gone.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    db.execute(
        "UPDATE documents SET state = 'preparing' WHERE title = ?1",
        [SURGERY],
    )
    .unwrap();
    db.execute(
        "UPDATE documents SET state = 'withdrawn' WHERE title = 'Referto ecografia addome'",
        [],
    )
    .unwrap();
    let page = b.get(PATH);
    let (_, c) = card(&page, SURGERY);
    assert!(
        c.contains("IN PREPARAZIONE") && !c.contains("Aggiungi Carrello"),
        "{c}"
    );
    assert!(c.contains("potrai aggiungerlo al carrello quando sarà disponibile"));
    assert!(
        !cards(&page)
            .iter()
            .any(|c| c.1 == "Referto ecografia addome")
    );
}

#[test]
fn category_filter_as_fragment_or_page_and_unknown_category() {
    let s = Server::demo(SMALL_DEMO);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let all = b.get(PATH);
    assert!(
        all.body
            .contains("hx-get=\"/documenti\" hx-target=\"#risultati\" hx-push-url=\"true\"")
    );
    let url = format!("{PATH}?categoria=Cartella+clinica");
    let page = b.get(&url);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<html") && page.body.contains("id=\"filtri\""));
    assert!(
        page.body
            .contains("<option value=\"Cartella clinica\" selected>")
    );
    let found = cards(&page);
    assert!(found.iter().any(|c| c.1 == RECORD) && found.iter().any(|c| c.1 == SURGERY));
    assert!(
        found.iter().all(|c| c.2.contains(">Cartella clinica<")),
        "{found:?}"
    );
    assert!(!found.iter().any(|c| c.1 == "Referto TC torace"));
    // htmx: the results only, the same documents.
    let frag = b.hx_get(&url);
    assert_eq!(frag.status, 200);
    assert!(!frag.body.contains("<html") && !frag.body.contains("id=\"filtri\""));
    assert_eq!(
        cards(&frag).into_iter().map(|c| c.0).collect::<Vec<_>>(),
        found.iter().map(|c| c.0.clone()).collect::<Vec<_>>()
    );
    let referti = b.hx_get(&format!("{PATH}?categoria=Referto"));
    let titles: Vec<String> = cards(&referti).into_iter().map(|c| c.1).collect();
    assert_eq!(
        titles,
        vec!["Referto TC torace", "Referto ecografia addome"]
    );
    // Unknown category: 422 with a message, as a page and as a fragment; never a 500.
    for q in ["Segreti", "%27+OR+1%3D1", "%00%ff"] {
        let r = b.get(&format!("{PATH}?categoria={q}"));
        assert_eq!(r.status, 422, "{q}");
        assert!(r.body.contains("La categoria scelta non esiste"), "{q}");
        let r = b.hx_get(&format!("{PATH}?categoria={q}"));
        assert_eq!(r.status, 422, "{q}");
        assert!(!r.body.contains("<html") && r.body.contains("non esiste"));
    }
}

#[test]
fn preview_and_thumbnail_only_for_the_patient() {
    let s = Server::demo(SMALL_DEMO);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let page = b.get(PATH);
    let (record, _) = card(&page, RECORD);
    let (ct, _) = card(&page, "TC torace senza mdc");
    let (referto, _) = card(&page, "Referto TC torace");
    // The dialog's content for htmx.
    let p = b.hx_get(&format!("{PATH}/{record}/anteprima"));
    assert_eq!(p.status, 200);
    assert!(!p.body.contains("<html"), "a fragment");
    let date = |n| days_ago(n).strftime("%d/%m/%Y").to_string();
    for needle in [
        format!("<h2 id=\"anteprima-titolo\">{RECORD}</h2>"),
        "<dt>Tipo</dt><dd>Cartella clinica</dd>".into(),
        "<dt>Reparto</dt><dd>Medicina Interna</dd>".into(),
        format!("<dt>Data di ricovero</dt><dd>{}</dd>", date(24)),
        format!("<dt>Data di dimissione</dt><dd>{}</dd>", date(14)),
        "<dt>Pagine</dt><dd>6</dd>".into(),
        "<dt>Dimensione</dt><dd>".into(),
        format!("<dt>Pubblicazione</dt><dd>{} ", date(12)),
        "<dt>Prezzo</dt><dd>€ 22,00 IVA 0 %</dd>".into(),
        "method=\"dialog\"".into(),
        ">Chiudi</button>".into(),
    ] {
        assert!(p.body.contains(&needle), "{needle}: {}", p.body);
    }
    assert!(!p.body.contains("<img"), "a PDF has no thumbnail");
    // Without JavaScript: a whole page with a way back.
    let full = b.get(&format!("{PATH}/{record}/anteprima"));
    assert_eq!(full.status, 200);
    assert!(full.body.contains("<html") && full.body.contains("Torna a Documenti"));
    // An image document: no admission dates, a thumbnail that is a JPEG.
    let p = b.hx_get(&format!("{PATH}/{ct}/anteprima"));
    assert!(!p.body.contains("Data di ricovero"));
    assert!(p.body.contains(&format!(
        "<img class=\"preview-thumb\" src=\"/documenti/{ct}/miniatura\" alt=\"Miniatura delle immagini\">"
    )));
    let jpeg = b.get(&format!("{PATH}/{ct}/miniatura"));
    assert_eq!(jpeg.status, 200);
    assert_eq!(jpeg.header("content-type"), Some("image/jpeg"));
    assert_eq!(jpeg.header("cache-control"), Some("private, max-age=3600"));
    assert!(jpeg.raw_body.starts_with(&[0xFF, 0xD8]) && jpeg.raw_body.len() > 500);
    assert_eq!(b.get(&format!("{PATH}/{referto}/miniatura")).status, 404);
    // Every preview is audited (never the title: only the document's number).
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let (n, docs, detail): (i64, i64, String) = db
        .query_row(
            "SELECT count(*), count(DISTINCT document_id), group_concat(detail, '')
             FROM audit_log WHERE action = 'document_view' AND actor = 'patient'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((n, docs), (3, 2));
    assert!(!detail.contains("Cartella"), "{detail}");
    // Laura: Mario's documents do not exist for her, whatever the id.
    let mut laura = Browser::new(&s.addr);
    laura.login(LAURA.0, LAURA.1);
    for path in [
        format!("{PATH}/{record}/anteprima"),
        format!("{PATH}/{ct}/miniatura"),
        format!("{PATH}/{ct}/anteprima"),
    ] {
        let r = laura.get(&path);
        assert_eq!(r.status, 404, "{path}");
        assert!(r.body.contains("Documento non trovato"), "{path}");
        assert_eq!(laura.hx_get(&path).status, 404, "{path}");
    }
    for id in [
        "x",
        "../../etc/passwd",
        &record.to_uppercase(),
        "0123456789abcdef0123456789abcdeg",
    ] {
        assert_eq!(b.get(&format!("{PATH}/{id}/anteprima")).status, 404, "{id}");
    }
    assert_eq!(b.get(&format!("{PATH}/{record}/altro")).status, 404);
    let own = laura.get(PATH);
    assert!(!own.body.contains(&record) && !own.body.contains(&ct));
    // Her cartella clinica in preparation: no button, no pages or size yet.
    let (preparing, c) = card(&own, "Cartella clinica – Day Hospital Cardiologia");
    assert!(
        c.contains("IN PREPARAZIONE") && !c.contains("Aggiungi Carrello"),
        "{c}"
    );
    let p = laura.hx_get(&format!("{PATH}/{preparing}/anteprima"));
    assert!(p.body.contains("<dt>Reparto</dt><dd>Cardiologia</dd>") && !p.body.contains("Pagine"));
    let (xray, _) = card(&own, "RX torace 2 proiezioni");
    let jpeg = laura.get(&format!("{PATH}/{xray}/miniatura"));
    assert!(jpeg.status == 200 && jpeg.raw_body.starts_with(&[0xFF, 0xD8]));
    // Logged out: to the login.
    assert_eq!(Browser::new(&s.addr).get(PATH).status, 303);
}
