//! Logging in, in English: the login page, the new PIN, the SPID/CIE pages, the legal pages
//! and every refusal of login, new PIN, SPID/CIE and the kiosk's "send to my mobile" follow
//! the `cds_lang` cookie (and `Accept-Language` on a first visit). Every page is read as a
//! person reads it — its text and its labels, outside what is marked `lang="it"` (data,
//! the ASL's own texts) — and no Italian is left: no message of the catalogues in Italian,
//! no common Italian word. The demo's sandbox identity provider and SMS outbox stand for
//! outside services and stay Italian.

use crate::client::{Browser, Response, request};
use crate::documents::{id_of, recover_and_wait};
use crate::orders::FAST_PAYMENTS;
use crate::{LAURA, MARIO, Server, italian};

const EXCHANGED: &str = "/documenti-interscambiati";

fn english(addr: &str) -> Browser {
    let mut b = Browser::new(addr);
    b.cookies.insert("cds_lang".into(), "en".into());
    b
}

/// The Italian a person would read on the page outside `lang="it"`: common Italian words
/// and the Italian of the messages of the catalogues this area uses and the shell's.
fn italian_in(html: &str) -> Vec<String> {
    let text = italian::readable(html);
    let messages = italian::catalogue(&[
        include_str!("../../src/auth/text.rs"),
        include_str!("../../src/patients/text.rs"),
        include_str!("../../src/kiosk/text.rs"),
        include_str!("../../src/i18n/text.rs"),
    ]);
    assert!(
        messages.len() > 100,
        "the catalogues read: {}",
        messages.len()
    );
    let mut found: Vec<String> = italian::common_in(&text)
        .iter()
        .map(|w| format!("the word {w:?}"))
        .collect();
    found.extend(italian::messages_in(&text, &messages));
    found
}

/// The page is in English: `<html lang="en">` (a fragment has none), and nothing Italian
/// outside `lang="it"`.
#[track_caller]
fn assert_english(r: &Response, what: &str) {
    assert!(
        r.body.contains("<html lang=\"en\">") || !r.body.contains("<html"),
        "{what}: not an English page: {}",
        r.body
    );
    let found = italian_in(&r.body);
    assert!(
        found.is_empty(),
        "{what}: Italian left: {found:?} in {}",
        italian::readable(&r.body)
    );
}

#[test]
fn login_pages_in_english_by_the_cookie_and_by_the_browser() {
    let s = Server::demo(&[]);
    // Italian by default; the browser's language on a first visit; the cookie wins.
    let it = request(&s.addr, "GET", "/accedi", &[], "");
    assert!(it.body.contains("<html lang=\"it\">") && it.body.contains("Entra con SPID"));
    assert!(
        italian_in(&it.body).len() > 10,
        "the check sees the Italian page: {:?}",
        italian_in(&it.body)
    );
    let first = request(
        &s.addr,
        "GET",
        "/accedi",
        &[("Accept-Language", "en-GB,en;q=0.9,it;q=0.5")],
        "",
    );
    assert_english(&first, "/accedi by Accept-Language");
    assert!(first.body.contains("Log in with SPID"), "{}", first.body);
    let chosen = request(
        &s.addr,
        "GET",
        "/accedi",
        &[("Cookie", "cds_lang=en"), ("Accept-Language", "it-IT,it")],
        "",
    );
    assert_english(&chosen, "/accedi by the cookie");
    let back = request(
        &s.addr,
        "GET",
        "/accedi",
        &[("Cookie", "cds_lang=it"), ("Accept-Language", "en")],
        "",
    );
    assert!(back.body.contains("Entra con SPID"), "the cookie wins");

    let mut b = english(&s.addr);
    for (path, expected) in [
        (
            "/accedi",
            &[
                "<title>Log in – ",
                "Log in with your digital identity:",
                "Log in with SPID",
                "Log in with CIE",
                "Tax code (codice fiscale)",
                "16 characters, as on your health insurance card.",
                "The 8-digit PIN you received by text message.",
                "I need a new PIN",
                "How do I get a PIN?",
                "aria-label=\"Help with logging in\"",
                "Don't have SPID?",
                " (opens in a new tab)",
            ][..],
        ),
        (
            "/accedi?scaduta=1",
            &["Your session ended because you were inactive: please log in again."],
        ),
        (
            "/accedi?uscito=1",
            &["You have logged out. For your safety, close the browser"],
        ),
        (
            "/nuovo-pin",
            &[
                "<title>New PIN – ",
                "<h1 class=\"page-title\">Ask for a new PIN</h1>",
                "Mobile number",
                "For example: 333 1234567 or +39 333 1234567.",
                "Send request",
                "Back to login",
            ],
        ),
        (
            "/accedi/spid",
            &[
                "<h1 class=\"page-title\">Log in with SPID</h1>",
                "Press the button: the page of your digital identity provider opens",
            ],
        ),
        (
            "/accedi/cie",
            &["Log in with CIE (Italian electronic identity card)"],
        ),
        (
            "/privacy",
            &[
                "<h1 class=\"page-title\">Privacy notice</h1>",
                "lang=\"it\"",
            ],
        ),
        (
            "/accessibilita",
            &[
                "<h1 class=\"page-title\">Accessibility statement</h1>",
                "lang=\"it\"",
            ],
        ),
    ] {
        let r = b.get(path);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert_english(&r, path);
        for e in expected {
            assert!(r.body.contains(e), "{path}: {e:?} missing: {}", r.body);
        }
    }
    // The ASL's own legal text is kept as it is, marked Italian.
    let privacy = b.get("/privacy");
    assert!(
        privacy
            .body
            .contains("<div class=\"legal-text\" lang=\"it\"><p>L'Azienda Sanitaria"),
        "{}",
        privacy.body
    );
}

#[test]
fn login_and_new_pin_refusals_in_english() {
    let s = Server::demo(&[]);
    let mut b = english(&s.addr);
    b.get("/accedi");
    for (cf, pin, status, expected) in [
        (
            "RSSMRA80A01A182",
            "12345678",
            422,
            "A tax code has 16 characters: you entered 15.",
        ),
        ("", "12345678", 422, "Enter your tax code (codice fiscale)."),
        (
            "RSSMRA80A01A182X",
            "12345678",
            422,
            "The check character (the last one) does not match",
        ),
        ("RSSMRA80Z01A182N", "12345678", 422, "the month of birth"),
        (MARIO.0, "", 422, "Enter your PIN."),
        (MARIO.0, "1234", 422, "The PIN is 8 digits long."),
    ] {
        let r = b.post("/accedi", &[("codice_fiscale", cf), ("pin", pin)]);
        assert_eq!(r.status, status, "{cf} {pin}: {}", r.body);
        assert!(r.body.contains(expected), "{expected}: {}", r.body);
        assert_english(&r, expected);
    }
    // Wrong PINs, then the lock.
    for left in (1..=4).rev() {
        let r = b.post(
            "/accedi",
            &[("codice_fiscale", LAURA.0), ("pin", "11111111")],
        );
        assert_eq!(r.status, 401, "{}", r.body);
        let expected = format!(
            "The tax code or PIN is not correct. After 5 wrong attempts, logging in is blocked for 15 minutes (attempts left: {left})."
        );
        assert!(r.body.contains(&expected), "{}", r.body);
        assert_english(&r, "wrong PIN");
    }
    let r = b.post(
        "/accedi",
        &[("codice_fiscale", LAURA.0), ("pin", "11111111")],
    );
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(
        r.body
            .contains("Too many wrong attempts: logging in with this tax code is blocked until "),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("If you have forgotten your PIN, you can ask for a new one.")
    );
    assert_english(&r, "locked");

    // Logged in and out: the login page says so in English.
    let r = b.login(MARIO.0, MARIO.1);
    assert_eq!(r.status, 303, "{}", r.body);
    b.get(EXCHANGED);
    let out = b.post("/esci", &[]);
    assert_eq!(out.header("location"), Some("/accedi?uscito=1"));
    let r = b.get("/accedi?uscito=1");
    assert!(r.body.contains("You have logged out."), "{}", r.body);

    // A new PIN: the fields' errors, then the same answer whatever happened.
    b.get("/nuovo-pin");
    let r = b.post(
        "/nuovo-pin",
        &[
            ("codice_fiscale", "RSSMRA80A01A182X"),
            ("cellulare", "0111234567"),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body
            .contains("This is not a valid Italian mobile number (e.g. 333 1234567).")
    );
    assert!(
        r.body
            .contains("The check character (the last one) does not match")
    );
    assert!(r.body.contains("value=\"RSSMRA80A01A182X\""), "input kept");
    assert_english(&r, "new PIN, wrong input");
    let r = b.post(
        "/nuovo-pin",
        &[("codice_fiscale", MARIO.0), ("cellulare", "")],
    );
    assert!(r.body.contains("Enter your mobile number."), "{}", r.body);
    for mobile in [MARIO.2, "3330000000"] {
        let r = b.post(
            "/nuovo-pin",
            &[("codice_fiscale", MARIO.0), ("cellulare", mobile)],
        );
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.body
                .contains("Request received. If the tax code and mobile number match"),
            "{}",
            r.body
        );
        assert_english(&r, "new PIN, sent");
    }
}

#[test]
fn spid_and_cie_in_english_while_the_sandbox_provider_stays_italian() {
    let s = Server::demo(&[]);
    let mut b = english(&s.addr);
    b.get("/accedi");
    let r = b.post("/accedi/cie", &[]);
    assert_eq!(r.header("location"), Some("/sandbox/spid?via=cie"));
    // The provider's page (the demo's stand-in for SPID/CIE): Italian, as theirs are.
    let page = b.get("/sandbox/spid?via=cie");
    assert!(
        page.body.contains("<html lang=\"it\">")
            && page.body.contains("Gestore dell'identità (simulazione)")
            && page.body.contains("Entra come Matteo Martini"),
        "{}",
        page.body
    );
    let refused = b.post("/sandbox/spid", &[("persona", "99")]);
    assert_eq!(refused.status, 400);
    assert!(
        refused
            .body
            .contains("Scegli una delle identità dimostrative.")
    );
    // Back at the portal, English again: a person the portal does not know yet.
    let page = b.get("/sandbox/spid?via=cie");
    let matteo = page
        .body
        .split("<li>")
        .find(|li| li.contains("Matteo Martini"))
        .and_then(|li| li.split("name=\"persona\" value=\"").nth(1))
        .and_then(|v| v.split('"').next())
        .expect("Matteo's form")
        .to_string();
    let r = b.post("/sandbox/spid", &[("persona", &matteo), ("via", "cie")]);
    assert_eq!(r.status, 200, "{}", r.body);
    for e in [
        "<h1 class=\"page-title\">You are logged in</h1>",
        "Welcome to the portal. There are no documents for your tax code yet",
        ">Continue</a>",
    ] {
        assert!(r.body.contains(e), "{e}: {}", r.body);
    }
    assert_english(&r, "entered");

    // A refused return from the provider.
    let r = b.get("/accedi/oidc?state=short&code=x");
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains(
            "This login request is not valid, has expired or has already been used. Go back to the login page and try again."
        ),
        "{}",
        r.body
    );
    assert_english(&r, "replayed login");

    // The SMS outbox stands for the gateway's: Italian.
    let outbox = b.get("/sandbox/sms");
    assert!(
        outbox.body.contains("<html lang=\"it\">") && outbox.body.contains("SMS inviati (sandbox)"),
        "{}",
        outbox.body
    );

    // A portal without SPID/CIE says so in English.
    let plain = Server::spawn(&crate::BIN, "serve", &[], None);
    let mut b = english(&plain.addr);
    let page = b.get("/accedi/spid");
    assert!(
        page.body
            .contains("Logging in with SPID and CIE is not available on this portal yet.")
            && page.body.contains("Log in with tax code and PIN"),
        "{}",
        page.body
    );
    assert_english(&page, "/accedi/spid without providers");
    b.get("/accedi");
    let r = b.post("/accedi/spid", &[]);
    assert_eq!(r.status, 503);
    assert!(
        r.body.contains("not available on this portal yet"),
        "{}",
        r.body
    );
    assert_english(&r, "POST /accedi/spid without providers");
}

#[test]
fn send_to_my_mobile_refusals_in_english() {
    // At a kiosk: one SMS, then "just sent".
    let mut env = FAST_PAYMENTS.to_vec();
    env.push(("CDS_KIOSK_NETWORKS", "127.0.0.0/8"));
    let s = Server::demo(&env);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let id = id_of(&b.get(EXCHANGED), "Referto TC torace");
    recover_and_wait(&mut b, &id);
    b.cookies.insert("cds_lang".into(), "en".into());
    b.get(EXCHANGED);
    let first = b.hx_post(&format!("{EXCHANGED}/{id}/invia-cellulare"));
    assert_eq!(first.status, 200, "{}", first.body);
    let again = b.hx_post(&format!("{EXCHANGED}/{id}/invia-cellulare"));
    assert_eq!(again.status, 429, "{}", again.body);
    assert!(
        again.body.contains(
            "We have just sent you a text message: please wait a few minutes before asking for another one."
        ),
        "{}",
        again.body
    );
    assert_english(&again, "kiosk SMS again");

    // Elsewhere: only kiosks send.
    let s = Server::demo(&[]);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let id = id_of(&b.get(EXCHANGED), "Referto TC torace");
    b.cookies.insert("cds_lang".into(), "en".into());
    b.get(EXCHANGED);
    let r = b.hx_post(&format!("{EXCHANGED}/{id}/invia-cellulare"));
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(
        r.body.contains(
            "Sending to your mobile phone is only available at the health authority's kiosks."
        ),
        "{}",
        r.body
    );
    assert_english(&r, "SMS outside a kiosk");
}
