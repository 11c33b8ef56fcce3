//! Open redirects in every return parameter taken from the request — the language switch's
//! `da`, the documents' `ritorno` (after hiding, recovering or sending to a phone without
//! htmx), the payment sandbox's `ritorno` — only ever a path of this site.

use super::{Watch, count, figures};
use crate::client::{Browser, Response, enc, get};
use crate::documents::id_of;
use crate::{MARIO, Server};

const HOSTILE: [&str; 16] = [
    "//evil.example/x",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http:evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\t/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/%2F/evil.example",
    "/\r\nLocation: https://evil.example",
    "/documenti-interscambiati//evil.example",
    "/ordini/\r\nSet-Cookie: x=1",
    "/documenti-interscambiati\\..\\..\\evil.example",
];

/// A redirect that stays on this site: a Location (or HX-Redirect) that is a path, never
/// `//host`, `/\host`, a scheme or a control character (`/%2F/evil.example` is a path of
/// this site: browsers do not decode `%2F` into a separator).
fn same_site(r: &Response, what: &str) {
    assert!(r.status < 500, "{what}: {}", r.status);
    let to = r.header("location").or(r.header("hx-redirect"));
    if (300..400).contains(&r.status) {
        assert!(to.is_some(), "{what}: a {} without a Location", r.status);
    }
    if let Some(to) = to {
        assert!(
            to.starts_with('/')
                && !to.starts_with("//")
                && !to.starts_with("/\\")
                && !to.chars().any(|c| c.is_control() || c == '\\'),
            "{what}: goes to {to:?}"
        );
    }
    assert!(
        !r.headers_named("set-cookie")
            .iter()
            .any(|c| c.starts_with("x=")),
        "{what}: a header injected"
    );
}

#[test]
fn return_parameters_only_lead_back_to_this_site() {
    let s = Server::demo(&[]);
    let watch = Watch::start(&s.addr);
    let mut tried = 0;
    let mut mario = Browser::new(&s.addr);
    assert_eq!(mario.login(MARIO.0, MARIO.1).status, 303);
    let doc = id_of(
        &mario.get("/documenti-interscambiati?da=01/01/2000"),
        "TC torace senza mdc",
    );
    for to in HOSTILE {
        for lang in ["en", "it"] {
            let r = get(&s.addr, &format!("/lingua/{lang}?da={}", enc(to)));
            same_site(&r, &format!("/lingua/{lang}?da={to:?}"));
            tried += 1;
        }
        // Raw, not encoded, in the query.
        let raw = to.replace(['\r', '\n', '\t', ' '], "");
        let r = get(&s.addr, &format!("/lingua/en?da={raw}"));
        same_site(&r, &format!("raw {raw:?}"));
        // A plain form POST of a document's action goes back to `ritorno`.
        for action in ["nascondi", "mostra", "recupera"] {
            mario.get("/documenti-interscambiati");
            let r = mario.post(
                &format!("/documenti-interscambiati/{doc}/{action}"),
                &[("ritorno", to)],
            );
            same_site(&r, &format!("{action} ritorno={to:?}"));
            tried += 1;
        }
        // The payment sandbox keeps `ritorno` in its page and goes back to it.
        let page = mario.get(&format!("/sandbox/pagamenti?ritorno={}", enc(to)));
        assert!(page.status < 500);
        assert!(
            !page.body.contains("name=\"ritorno\""),
            "sandbox page keeps {to:?}"
        );
        let r = mario.post(
            "/sandbox/pagamenti",
            &[
                ("ritorno", to),
                ("ticket", "123456789012345678"),
                ("codice_fiscale", MARIO.0),
            ],
        );
        same_site(&r, &format!("sandbox ritorno={to:?}"));
        assert!(
            !r.body.contains("name=\"ritorno\""),
            "sandbox answer keeps {to:?}"
        );
        tried += 3;
    }
    // The good ones still work.
    let r = get(
        &s.addr,
        &format!("/lingua/en?da={}", enc("/documenti?dal=2026-01-01")),
    );
    assert_eq!(r.header("location"), Some("/documenti?dal=2026-01-01"));
    mario.get("/documenti-interscambiati");
    let back = "/documenti-interscambiati?da=01/01/2000";
    let r = mario.post(
        &format!("/documenti-interscambiati/{doc}/mostra"),
        &[("ritorno", back)],
    );
    assert_eq!(r.header("location"), Some(back));
    watch.finish();
    count(tried + 4, tried);
    figures();
}
