//! Embedded static assets: ETag (SHA-256 of the content, computed once) and a long cache.

use crate::http::resp::{self, Resp};
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};
use rust_embed::RustEmbed;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(RustEmbed)]
#[folder = "assets/"]
pub struct Assets;

/// The htmx file name, pinned (see assets/VENDORED.md).
pub const HTMX: &str = "vendor/htmx-2.0.11.min.js";

fn etags() -> &'static HashMap<String, String> {
    static ETAGS: OnceLock<HashMap<String, String>> = OnceLock::new();
    ETAGS.get_or_init(|| {
        Assets::iter()
            .filter_map(|name| {
                let file = Assets::get(&name)?;
                let tag = format!(
                    "\"{}\"",
                    crate::crypto::hex(&file.metadata.sha256_hash()[..12])
                );
                Some((name.into_owned(), tag))
            })
            .collect()
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
        _ => "application/octet-stream",
    }
}

/// Serves `name`; `None` when no such asset.
pub fn serve(name: &str, if_none_match: Option<&str>) -> Option<Resp> {
    let file = Assets::get(name)?;
    let etag = etags().get(name)?;
    let mut r = if if_none_match == Some(etag.as_str()) {
        let mut r = Response::new(resp::full(bytes::Bytes::new()));
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let data = match file.data {
            std::borrow::Cow::Borrowed(b) => bytes::Bytes::from_static(b),
            std::borrow::Cow::Owned(v) => bytes::Bytes::from(v),
        };
        resp::with_type(StatusCode::OK, content_type(name), data)
    };
    let h = r.headers_mut();
    h.insert(header::ETAG, HeaderValue::from_str(etag).ok()?);
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
