//! Embedded static assets: ETag (SHA-256 of the content, computed once), a long cache, and
//! the gzip and brotli variants build.rs made, chosen by `Accept-Encoding` (each with its own
//! ETag); the manifest's PNG icons build.rs drew.

use crate::http::encoding::{self, Coding};
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(RustEmbed)]
#[folder = "assets/"]
pub struct Assets;

/// An asset's variants as build.rs made them: `len` and `fnv` (FNV-1a 64) are of the bytes
/// they were made from.
struct Precompressed {
    name: &'static str,
    len: usize,
    fnv: u64,
    gzip: Option<&'static [u8]>,
    br: Option<&'static [u8]>,
}

// PRECOMPRESSED and GENERATED.
include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The htmx file name, pinned (see assets/VENDORED.md).
pub const HTMX: &str = "vendor/htmx-2.0.11.min.js";

struct Asset {
    identity: Bytes,
    gzip: Option<Bytes>,
    br: Option<Bytes>,
    /// The ETag's opaque part; a variant's adds `-gz` or `-br`.
    tag: String,
}

impl Asset {
    fn new(identity: Bytes, variants: Option<(Option<Bytes>, Option<Bytes>)>) -> Asset {
        let tag = crate::crypto::hex(&Sha256::digest(&identity)[..12]);
        let (gzip, br) = variants.unwrap_or_default();
        Asset {
            identity,
            gzip,
            br,
            tag,
        }
    }

    fn available(&self) -> Vec<Coding> {
        let mut v = Vec::with_capacity(2);
        if self.br.is_some() {
            v.push(Coding::Br);
        }
        if self.gzip.is_some() {
            v.push(Coding::Gzip);
        }
        v
    }

    fn variant(&self, coding: Coding) -> (&Bytes, String) {
        match coding {
            Coding::Br => (self.br.as_ref().unwrap_or(&self.identity), self.etag("-br")),
            Coding::Gzip => (
                self.gzip.as_ref().unwrap_or(&self.identity),
                self.etag("-gz"),
            ),
            Coding::Identity => (&self.identity, self.etag("")),
        }
    }

    fn etag(&self, suffix: &str) -> String {
        format!("\"{}{suffix}\"", self.tag)
    }
}

fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn table() -> &'static HashMap<String, Asset> {
    static TABLE: OnceLock<HashMap<String, Asset>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let made: HashMap<&str, &Precompressed> =
            PRECOMPRESSED.iter().map(|p| (p.name, p)).collect();
        let mut table = HashMap::new();
        for name in Assets::iter() {
            let Some(file) = Assets::get(&name) else {
                continue;
            };
            let identity = match file.data {
                std::borrow::Cow::Borrowed(b) => Bytes::from_static(b),
                std::borrow::Cow::Owned(v) => Bytes::from(v),
            };
            // Variants made from other bytes than these (a file edited between build.rs and
            // the embedding) are not served.
            let variants = made
                .get(name.as_ref())
                .filter(|p| p.len == identity.len() && p.fnv == fnv1a(&identity))
                .map(|p| (p.gzip.map(Bytes::from_static), p.br.map(Bytes::from_static)));
            table.insert(name.into_owned(), Asset::new(identity, variants));
        }
        for (name, data) in GENERATED {
            table.insert(name.to_string(), Asset::new(Bytes::from_static(data), None));
        }
        table
    })
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "woff2" => "font/woff2",
        "png" => "image/png",
        "html" => "text/html; charset=utf-8",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `If-None-Match` names `etag` (weak comparison, lists and `*` understood).
fn none_match(if_none_match: Option<&str>, etag: &str) -> bool {
    if_none_match.is_some_and(|v| {
        v.trim() == "*"
            || v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag)
    })
}

/// Serves `name` in the best coding the request accepts; `None` when no such asset.
pub fn serve(name: &str, ctx: &Ctx) -> Option<Resp> {
    let asset = table().get(name)?;
    let available = asset.available();
    let Some(coding) = encoding::choose(ctx.header("accept-encoding"), &available) else {
        let mut r = resp::with_type(
            StatusCode::NOT_ACCEPTABLE,
            "text/plain; charset=utf-8",
            "Nessuna codifica accettabile (Accept-Encoding).",
        );
        r.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        return Some(r);
    };
    let (data, etag) = asset.variant(coding);
    let mut r = if none_match(ctx.header("if-none-match"), &etag) {
        let mut r = Response::new(resp::full(Bytes::new()));
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = resp::with_type(StatusCode::OK, content_type(name), data.clone());
        r.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(data.len()));
        if coding != Coding::Identity {
            r.headers_mut().insert(
                header::CONTENT_ENCODING,
                HeaderValue::from_static(coding.token()),
            );
        }
        r
    };
    let h = r.headers_mut();
    h.insert(header::ETAG, HeaderValue::from_str(&etag).ok()?);
    if !available.is_empty() {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    // Files under vendor/ and fonts/ carry their version in the name; the rest may change
    // with a release, so they are revalidated daily by ETag.
    let cache = if name.starts_with("vendor/") || name.starts_with("fonts/") {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=86400"
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    Some(r)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_variant_was_made_from_the_embedded_bytes_and_decodes_to_them() {
        let table = super::table();
        let css = &table["css/site.css"];
        assert!(css.gzip.is_some() && css.br.is_some(), "site.css has both");
        assert!(table["vendor/htmx-2.0.11.min.js"].br.is_some());
        assert!(
            table["fonts/titillium-web-latin-400-normal.woff2"]
                .gzip
                .is_none()
        );
        for (name, a) in table {
            if let Some(gz) = &a.gzip {
                let mut d = libdeflater::Decompressor::new();
                let mut out = vec![0; a.identity.len()];
                assert_eq!(
                    d.gzip_decompress(gz, &mut out).unwrap(),
                    out.len(),
                    "{name}"
                );
                assert_eq!(out, a.identity, "{name}");
            }
            if let Some(br) = &a.br {
                let mut out = Vec::new();
                brotli_decompressor::BrotliDecompress(&mut &br[..], &mut out).unwrap();
                assert_eq!(out, a.identity, "{name}");
            }
        }
    }

    #[test]
    fn the_icons_are_pngs_of_their_size() {
        for (name, side) in [("img/icon-192.png", 192u32), ("img/icon-512.png", 512)] {
            let png = &super::table()[name].identity;
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}");
            assert_eq!(
                &png[16..24],
                [side.to_be_bytes(), side.to_be_bytes()].concat()
            );
            assert!(png.len() < 16_000, "{name}: {} bytes", png.len());
        }
    }

    /// build.rs draws the icons with the favicon's colour, corner and cross: if the favicon
    /// changes, build.rs's drawing must change with it.
    #[test]
    fn the_icons_are_drawn_from_the_favicon_as_it_is() {
        let svg = std::str::from_utf8(&super::table()["img/favicon.svg"].identity).unwrap();
        assert!(svg.contains(r##"viewBox="0 0 32 32""##), "{svg}");
        assert!(svg.contains(r##"rx="6" fill="#0066cc""##), "{svg}");
        assert!(
            svg.contains(r##"d="M13 6h6v7h7v6h-7v7h-6v-7H6v-6h7z" fill="#fff""##),
            "{svg}"
        );
    }

    #[test]
    fn if_none_match_is_compared_weakly_in_lists() {
        let tag = "\"abc-gz\"";
        assert!(super::none_match(Some("\"abc-gz\""), tag));
        assert!(super::none_match(Some("\"x\", W/\"abc-gz\""), tag));
        assert!(super::none_match(Some("*"), tag));
        assert!(!super::none_match(Some("\"abc\""), tag));
        assert!(!super::none_match(None, tag));
    }
}
