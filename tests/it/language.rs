//! The language switch on the real binary: `/lingua/<it|en>` sets `cds_lang` and goes back
//! to a page of this site only; the first visit follows `Accept-Language`; the cookie wins
//! over the browser's language; errors (an htmx one too) are in the page's language; the
//! back office and the API stay Italian.

use crate::client::{Browser, get, request};
use crate::{ADMIN, MARIO, Server};

fn lang_of(body: &str) -> &str {
    let (_, rest) = body
        .split_once("<html lang=\"")
        .expect("an html element with lang");
    rest.split('"').next().unwrap()
}

#[test]
fn the_switch_sets_the_cookie_and_goes_back_only_to_this_site() {
    let s = Server::demo(&[]);
    let mut b = Browser::new(&s.addr);
    let r = b.get("/lingua/en?da=%2Fnuovo-pin%3Fx%3D1");
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/nuovo-pin?x=1"));
    let cookie = r.header("set-cookie").unwrap();
    assert!(cookie.starts_with("cds_lang=en;"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax") && cookie.contains("Max-Age=31536000"));
    let page = b.get("/nuovo-pin");
    assert_eq!(lang_of(&page.body), "en");
    // The switch to Italian names this very page.
    assert!(
        page.body
            .contains("href=\"/lingua/it?da=%2Fnuovo-pin\" lang=\"it\" hreflang=\"it\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("Skip to main content"));

    for evil in [
        "//evil.example/x",
        "https://evil.example/",
        "/%5Cevil.example",
        "%2F%2Fevil.example",
        "/x%0d%0aSet-Cookie:%20a=1",
    ] {
        let r = b.get(&format!("/lingua/it?da={evil}"));
        assert_eq!(r.status, 303, "{evil}");
        assert_eq!(r.header("location"), Some("/"), "{evil}");
    }
    // Only the two languages.
    assert_eq!(b.get("/lingua/de").status, 404);
    assert_eq!(b.get("/lingua/").status, 404);
    let r = b.post("/lingua/en", &[]);
    assert_eq!(r.status, 405);
}

#[test]
fn first_visit_follows_accept_language_and_the_cookie_wins_over_it() {
    let s = Server::demo(&[]);
    let en = request(
        &s.addr,
        "GET",
        "/accedi",
        &[("Accept-Language", "en-GB,en;q=0.9,it;q=0.5")],
        "",
    );
    assert_eq!(lang_of(&en.body), "en");
    let it = request(
        &s.addr,
        "GET",
        "/accedi",
        &[("Accept-Language", "it-IT,en;q=0.5")],
        "",
    );
    assert_eq!(lang_of(&it.body), "it");
    let other = request(
        &s.addr,
        "GET",
        "/accedi",
        &[("Accept-Language", "de-DE")],
        "",
    );
    assert_eq!(lang_of(&other.body), "it", "neither language: Italian");
    assert_eq!(
        lang_of(&get(&s.addr, "/accedi").body),
        "it",
        "no header: Italian"
    );
    let chosen = request(
        &s.addr,
        "GET",
        "/accedi",
        &[("Accept-Language", "en"), ("Cookie", "cds_lang=it")],
        "",
    );
    assert_eq!(lang_of(&chosen.body), "it", "the switch's choice wins");
    let junk = request(&s.addr, "GET", "/accedi", &[("Cookie", "cds_lang=xx")], "");
    assert_eq!(lang_of(&junk.body), "it");
}

#[test]
fn errors_speak_the_pages_language_and_the_back_office_stays_italian() {
    let s = Server::demo(&[]);
    let mut b = Browser::new(&s.addr);
    b.get("/lingua/en?da=/");
    let missing = b.get("/pagina-che-non-esiste");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Page not found"), "{}", missing.body);
    assert!(
        missing
            .body
            .contains("The page you asked for does not exist.")
    );
    assert!(!missing.body.contains("Pagina non trovata"));
    // A POST without its token: the CSRF refusal, in English, as a page and for htmx.
    let r = b.send("POST", "/nuovo-pin", &[], "codice_fiscale=RSSMRA80A01A182N");
    assert_eq!(r.status, 403);
    assert!(r.body.contains("The request has expired"), "{}", r.body);
    let r = b.send("POST", "/nuovo-pin", &[("HX-Request", "true")], "x=1");
    assert_eq!(r.status, 403);
    assert!(r.body.contains("The request has expired"), "{}", r.body);
    assert_eq!(r.header("hx-retarget"), Some("#alerts"));

    // The patient's pages after login, in English; the back office, with the same cookie,
    // in Italian, and without the switch.
    b.login(MARIO.0, MARIO.1);
    let dash = b.get("/dashboard");
    assert_eq!(dash.status, 200);
    assert_eq!(lang_of(&dash.body), "en");
    assert!(dash.body.contains("Log out") && dash.body.contains("Main menu"));
    let mut op = Browser::new(&s.addr);
    op.cookies.insert("cds_lang".into(), "en".into());
    op.operator_login(ADMIN.0, ADMIN.1);
    let home = op.get("/operatore");
    assert_eq!(lang_of(&home.body), "it");
    assert!(
        !home.body.contains("/lingua/"),
        "no switch in the back office"
    );
    // The API answers in Italian whatever the browser says.
    let api = request(
        &s.addr,
        "GET",
        "/api/v1/documenti",
        &[("Accept-Language", "en"), ("Cookie", "cds_lang=en")],
        "",
    );
    assert_eq!(api.status, 405);
    assert!(api.body.contains("\"errore\""), "{}", api.body);
    assert!(api.body.contains("non consentito"), "{}", api.body);
}
