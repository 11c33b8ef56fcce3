//! Content codings: which of br, gzip and identity a request's `Accept-Encoding` allows
//! (q-values honoured), and HTML answers gzipped on the fly.

use crate::http::resp::{self, Resp};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::StatusCode;
use hyper::body::Body as _;
use hyper::header::{self, HeaderValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    Br,
    Gzip,
    Identity,
}

impl Coding {
    pub fn token(self) -> &'static str {
        match self {
            Coding::Br => "br",
            Coding::Gzip => "gzip",
            Coding::Identity => "identity",
        }
    }
}

/// The q-value `accept` gives `coding`: the coding's own entry, else `*`'s.
/// `None` when neither is listed. Entries with a malformed q-value are ignored.
fn listed_q(accept: &str, coding: Coding) -> Option<f32> {
    let mut star = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        let q_param = parts.find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim().eq_ignore_ascii_case("q").then_some(v)
        });
        let q = match q_param {
            None => 1.0,
            Some(v) => match v.trim().parse::<f32>() {
                Ok(q) if (0.0..=1.0).contains(&q) => q,
                _ => continue,
            },
        };
        let own = name.eq_ignore_ascii_case(coding.token())
            || (coding == Coding::Gzip && name.eq_ignore_ascii_case("x-gzip"));
        if own {
            return Some(q);
        }
        if name == "*" {
            star = Some(q);
        }
    }
    star
}

/// The coding to send among `available` (identity is always available): the highest q-value,
/// ties to the smaller coding (br, then gzip). Identity not listed is acceptable but comes
/// last (RFC 9110 §12.5.3: refused only by `identity;q=0` or `*;q=0`). Without the header:
/// identity. `None`: nothing acceptable (406).
pub fn choose(accept: Option<&str>, available: &[Coding]) -> Option<Coding> {
    let Some(accept) = accept else {
        return Some(Coding::Identity);
    };
    let mut best: Option<(Coding, f32)> = None;
    for coding in [Coding::Br, Coding::Gzip, Coding::Identity] {
        if coding != Coding::Identity && !available.contains(&coding) {
            continue;
        }
        let q = match (coding, listed_q(accept, coding)) {
            (_, Some(q)) => q,
            (Coding::Identity, None) => f32::MIN_POSITIVE,
            (_, None) => 0.0,
        };
        if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
            best = Some((coding, q));
        }
    }
    best.map(|(c, _)| c)
}

/// HTML shorter than this goes as it is: the gzip header and `Content-Encoding` would eat
/// most of the saving.
pub const HTML_MIN: u64 = 1024;
/// Larger answers are not buffered again to be compressed (none is this large today).
const HTML_MAX: u64 = 4 << 20;

fn is_html(r: &Resp) -> bool {
    r.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"))
}

/// A whole HTML answer (page or fragment) of `HTML_MIN` bytes or more, gzipped at a fast
/// level when `accept` allows it, with `Vary: Accept-Encoding` either way. Safe from BREACH:
/// every cookie is `SameSite=Strict`, so a request another site makes carries no session and
/// its answer no secret to guess. Anything else (streams, downloads, assets) is left as is.
pub async fn compress_html(mut r: Resp, accept: Option<&str>) -> Resp {
    let size = r.body().size_hint().exact().unwrap_or(0);
    if !is_html(&r)
        || !(HTML_MIN..=HTML_MAX).contains(&size)
        || r.headers().contains_key(header::CONTENT_ENCODING)
        || r.status() == StatusCode::NO_CONTENT
    {
        return r;
    }
    r.headers_mut()
        .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    if choose(accept, &[Coding::Gzip]) != Some(Coding::Gzip) {
        return r;
    }
    let (mut parts, body) = r.into_parts();
    let html = match body.collect().await {
        Ok(c) => c.to_bytes(),
        Err(e) => {
            tracing::error!("HTML body: {e}");
            return hyper::Response::from_parts(parts, resp::full(Bytes::new()));
        }
    };
    let gz = gzip_fast(&html);
    parts
        .headers
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    hyper::Response::from_parts(parts, resp::full(gz))
}

/// libdeflate's level 1 (its level 0, `fastest()`, stores without compressing).
const LEVEL: libdeflater::CompressionLvl = match libdeflater::CompressionLvl::new(1) {
    Ok(l) => l,
    Err(_) => panic!("level 1"),
};

/// gzip at libdeflate's level 1: about 0.1 ms for a 25 KB page, within 10 % of level 6's size
/// on our pages. One compressor per thread (its tables are allocated once).
fn gzip_fast(data: &[u8]) -> Vec<u8> {
    thread_local! {
        static GZ: std::cell::RefCell<libdeflater::Compressor> =
            std::cell::RefCell::new(libdeflater::Compressor::new(LEVEL));
    }
    GZ.with_borrow_mut(|c| {
        let mut out = vec![0; c.gzip_compress_bound(data.len())];
        let n = c.gzip_compress(data, &mut out).unwrap_or(0);
        out.truncate(n);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::{Coding::*, choose};

    #[test]
    fn accept_encoding_is_negotiated_by_q_values() {
        let both = [Br, Gzip];
        for (accept, available, chosen) in [
            (None, &both[..], Some(Identity)),
            (Some("gzip, deflate, br, zstd"), &both, Some(Br)),
            (Some("gzip, deflate, br, zstd"), &[Gzip], Some(Gzip)),
            (Some("gzip, deflate"), &both, Some(Gzip)),
            (Some("br;q=0, gzip"), &both, Some(Gzip)),
            (Some("br;q=0.5, gzip;q=0.8"), &both, Some(Gzip)),
            (Some("gzip;q=0"), &both, Some(Identity)),
            (Some("GZIP;Q=1"), &both, Some(Gzip)),
            (Some("x-gzip"), &both, Some(Gzip)),
            (Some("*"), &both, Some(Br)),
            (Some("*;q=0"), &both, None),
            (Some("identity;q=0"), &both, None),
            (Some("identity;q=0, gzip"), &both, Some(Gzip)),
            (Some("identity;q=0, *;q=0.1"), &[], None),
            (Some("*;q=0, identity"), &both, Some(Identity)),
            (Some("identity, br;q=0.9"), &both, Some(Identity)),
            (Some(""), &both, Some(Identity)),
            (Some("gzip;q=2, br;q=x"), &both, Some(Identity)),
            (Some("deflate"), &both, Some(Identity)),
        ] {
            assert_eq!(
                choose(accept, available),
                chosen,
                "{accept:?} {available:?}"
            );
        }
    }
}
