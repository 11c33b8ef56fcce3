//! Compressed answers: the assets' gzip and brotli variants made at build time, chosen by
//! `Accept-Encoding` (q-values, `identity;q=0`), each with its own ETag, 304 and HEAD; HTML
//! pages gzipped on the fly; the web app manifest and its icons.

use crate::client::{self, Browser, Response};
use crate::{MARIO, Server};
use std::io::Read;
use std::path::Path;

fn asset(s: &Server, path: &str, headers: &[(&str, &str)]) -> Response {
    client::request(&s.addr, "GET", path, headers, "")
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

fn unbrotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli_decompressor::BrotliDecompress(&mut &data[..], &mut out).expect("valid brotli");
    out
}

fn on_disk(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets")
            .join(name),
    )
    .unwrap()
}

/// Status, `Content-Encoding` (or "identity") and ETag.
fn coding_of(r: &Response) -> (u16, &str, &str) {
    (
        r.status,
        r.header("content-encoding").unwrap_or("identity"),
        r.header("etag").unwrap_or(""),
    )
}

#[test]
fn assets_come_in_the_best_coding_accepted_each_with_its_etag_304_and_head() {
    let s = Server::demo(&[]);
    for name in ["css/site.css", "js/app.js", "vendor/htmx-2.0.11.min.js"] {
        let path = format!("/assets/{name}");
        let identity = on_disk(name);
        let plain = asset(&s, &path, &[]);
        let gz = asset(&s, &path, &[("Accept-Encoding", "gzip, deflate")]);
        // As Chromium sends it over HTTPS.
        let br = asset(&s, &path, &[("Accept-Encoding", "gzip, deflate, br, zstd")]);
        assert_eq!(coding_of(&plain).1, "identity", "{name}");
        assert_eq!(plain.raw_body, identity, "{name}");
        assert_eq!(coding_of(&gz).1, "gzip", "{name}");
        assert_eq!(gunzip(&gz.raw_body), identity, "{name}");
        assert_eq!(coding_of(&br).1, "br", "{name}");
        assert_eq!(unbrotli(&br.raw_body), identity, "{name}");
        assert!(br.raw_body.len() < gz.raw_body.len() && gz.raw_body.len() < identity.len() / 2);
        for r in [&plain, &gz, &br] {
            assert_eq!(r.status, 200, "{name}");
            assert_eq!(r.header("vary"), Some("accept-encoding"), "{name}");
            let len = r.header("content-length").unwrap();
            assert_eq!(len, r.raw_body.len().to_string(), "{name}");
        }
        let tags = [coding_of(&plain).2, coding_of(&gz).2, coding_of(&br).2];
        assert!(
            tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2],
            "{tags:?}"
        );

        // 304 for each coding with its own tag; another coding's tag is another entity.
        for (accept, tag) in [("", tags[0]), ("gzip", tags[1]), ("br, gzip", tags[2])] {
            let r = asset(
                &s,
                &path,
                &[("Accept-Encoding", accept), ("If-None-Match", tag)],
            );
            assert_eq!(
                (r.status, r.header("etag")),
                (304, Some(tag)),
                "{name} {accept:?}"
            );
            assert!(r.raw_body.is_empty());
        }
        let r = asset(
            &s,
            &path,
            &[("Accept-Encoding", "br"), ("If-None-Match", tags[1])],
        );
        assert_eq!(
            coding_of(&r),
            (200, "br", tags[2]),
            "{name}: gzip's tag, br asked"
        );

        // HEAD: the headers of the GET, no body.
        let head = client::request(&s.addr, "HEAD", &path, &[("Accept-Encoding", "br")], "");
        assert_eq!(coding_of(&head), (200, "br", tags[2]), "{name}");
        assert_eq!(head.header("content-length"), br.header("content-length"));
        assert!(head.raw_body.is_empty());
    }
}

#[test]
fn q_values_choose_and_refuse_codings() {
    let s = Server::demo(&[]);
    let path = "/assets/css/site.css";
    for (accept, expected) in [
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0", "identity"),
        ("gzip;q=0, br;q=0", "identity"),
        ("gzip;q=0.9, br;q=0.5", "gzip"),
        ("identity;q=0, gzip", "gzip"),
        ("*", "br"),
        ("deflate", "identity"),
    ] {
        let r = asset(&s, path, &[("Accept-Encoding", accept)]);
        assert_eq!((r.status, coding_of(&r).1), (200, expected), "{accept}");
    }
    // Nothing acceptable: 406, not bytes the client said it cannot read.
    for accept in ["identity;q=0", "*;q=0", "deflate, identity;q=0"] {
        let r = asset(&s, path, &[("Accept-Encoding", accept)]);
        assert_eq!(r.status, 406, "{accept}");
        assert_eq!(r.header("content-encoding"), None);
        assert_eq!(r.header("vary"), Some("accept-encoding"));
    }
    // Fonts (already compressed) and PNGs come as they are, whatever is accepted.
    for path in [
        "/assets/fonts/titillium-web-latin-400-normal.woff2",
        "/assets/img/icon-192.png",
    ] {
        let r = asset(&s, path, &[("Accept-Encoding", "gzip, deflate, br, zstd")]);
        assert_eq!(coding_of(&r).1, "identity", "{path}");
        assert_eq!(r.header("vary"), None, "{path}");
    }
}

#[test]
fn html_pages_are_gzipped_on_the_fly_when_accepted() {
    let s = Server::demo(&[]);
    let plain = asset(&s, "/accedi", &[]);
    let gz = asset(
        &s,
        "/accedi",
        &[("Accept-Encoding", "gzip, deflate, br, zstd")],
    );
    assert_eq!(coding_of(&plain).1, "identity");
    assert_eq!(coding_of(&gz).1, "gzip");
    for r in [&plain, &gz] {
        assert_eq!(r.header("vary"), Some("accept-encoding"));
        assert_eq!(
            r.header("content-length").unwrap(),
            r.raw_body.len().to_string()
        );
    }
    let html = String::from_utf8(gunzip(&gz.raw_body)).unwrap();
    assert!(
        html.contains("<title>") && html.ends_with("</html>"),
        "{html}"
    );
    assert!(gz.raw_body.len() * 2 < plain.raw_body.len());
    // brotli is for the assets only (made at build time): a page asked only in br is plain.
    let r = asset(&s, "/accedi", &[("Accept-Encoding", "br")]);
    assert_eq!(coding_of(&r).1, "identity");
    let head = client::request(
        &s.addr,
        "HEAD",
        "/accedi",
        &[("Accept-Encoding", "gzip")],
        "",
    );
    assert_eq!(coding_of(&head).1, "gzip");
    assert!(head.header("content-length").is_some() && head.raw_body.is_empty());

    // A patient's page, and the Manuale Utente.
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    for path in ["/documenti", "/manuale"] {
        let r = b.send("GET", path, &[("Accept-Encoding", "gzip")], "");
        assert_eq!((r.status, coding_of(&r).1), (200, "gzip"), "{path}");
        let html = String::from_utf8(gunzip(&r.raw_body)).unwrap();
        assert!(html.contains("aria-current=\"page\""), "{path}");
    }
}

#[test]
fn the_manifest_names_the_asl_and_every_page_links_it() {
    let s = Server::demo(&[]);
    let r = client::get(&s.addr, "/manifest.webmanifest");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/manifest+json"));
    let m: serde_json::Value = serde_json::from_slice(&r.raw_body).unwrap();
    let page = client::get(&s.addr, "/accedi");
    let title = client::element_text(&page.body, "<title").unwrap();
    assert!(
        title.ends_with(m["name"].as_str().unwrap()),
        "{title} / {m}"
    );
    assert_eq!(m["short_name"], "ASL Demo");
    assert_eq!(
        (&m["lang"], &m["start_url"], &m["display"]),
        (&"it".into(), &"/".into(), &"standalone".into())
    );
    assert_eq!(m["theme_color"], "#004d99");
    for icon in m["icons"].as_array().unwrap() {
        let src = icon["src"].as_str().unwrap();
        let r = client::get(&s.addr, src);
        assert_eq!(r.status, 200, "{src}");
        assert_eq!(r.header("content-type"), icon["type"].as_str(), "{src}");
        if let Some((w, h)) = icon["sizes"].as_str().unwrap().split_once('x') {
            let side = |i: usize| u32::from_be_bytes(r.raw_body[i..i + 4].try_into().unwrap());
            assert_eq!(
                (side(16).to_string(), side(20).to_string()),
                (w.into(), h.into())
            );
        }
    }
    // Linked from the head of every page, and allowed by the CSP.
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    let mut op = Browser::new(&s.addr);
    assert_eq!(
        op.operator_login(crate::ADMIN.0, crate::ADMIN.1).status,
        303
    );
    for r in [page, b.get("/dashboard"), op.get("/operatore")] {
        assert!(
            r.body
                .contains(r#"<link rel="manifest" href="/manifest.webmanifest">"#)
        );
        assert!(
            r.body
                .contains(r##"<meta name="theme-color" content="#004d99">"##)
        );
        let csp = r.header("content-security-policy").unwrap();
        assert!(csp.contains("manifest-src 'self'"), "{csp}");
    }
}
