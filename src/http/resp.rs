//! Response helpers and the headers every response carries.

use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

pub type Body = BoxBody<Bytes, std::io::Error>;
pub type Resp = Response<Body>;

pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

pub fn with_type(status: StatusCode, content_type: &'static str, bytes: impl Into<Bytes>) -> Resp {
    let mut r = Response::new(full(bytes));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

pub fn html(status: StatusCode, markup: maud::Markup) -> Resp {
    with_type(status, "text/html; charset=utf-8", markup.into_string())
}

pub fn ok_html(markup: maud::Markup) -> Resp {
    html(StatusCode::OK, markup)
}

/// 204 No Content: a polled or swapped fragment whose element has not changed (htmx swaps
/// nothing and keeps polling).
pub fn no_content() -> Resp {
    let mut r = Response::new(full(Bytes::new()));
    *r.status_mut() = StatusCode::NO_CONTENT;
    r
}

/// 303 See Other: the answer to a form POST.
pub fn redirect(location: &str) -> Resp {
    let mut r = Response::new(full(Bytes::new()));
    *r.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// For htmx: the browser navigates to `location` as a whole page.
pub fn hx_redirect(location: &str) -> Resp {
    let mut r = Response::new(full(Bytes::new()));
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert("hx-redirect", v);
    }
    r
}

/// After a POST: a plain form gets 303 See Other, htmx an `HX-Redirect` (a whole-page
/// navigation), to the same place.
pub fn go_to(ctx: &crate::http::req::Ctx, location: &str) -> Resp {
    if ctx.is_htmx() {
        hx_redirect(location)
    } else {
        redirect(location)
    }
}

/// `Content-Disposition: attachment` with the file name the browser saves.
pub fn attachment(r: &mut Resp, name: &str) {
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
}

/// `Content-Disposition: inline`: the browser shows the file (a PDF to print) and names it.
pub fn inline(r: &mut Resp, name: &str) {
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
}

/// The Content-Security-Policy; `form_action` lists the origins a form may lead to besides
/// this one (Chromium applies form-action to the redirects after a POST too: "Entra con
/// SPID" and Logout lead to the identity provider).
pub fn csp(form_action: &[String]) -> String {
    let mut fa = String::from("'self'");
    for o in form_action {
        fa.push(' ');
        fa.push_str(o);
    }
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action {fa}; frame-ancestors 'none'; base-uri 'none'"
    )
}

/// The `Strict-Transport-Security` value under TLS.
pub fn hsts(include_subdomains: bool) -> HeaderValue {
    if include_subdomains {
        HeaderValue::from_static("max-age=31536000; includeSubDomains")
    } else {
        HeaderValue::from_static("max-age=31536000")
    }
}

/// Security headers on every response; `Cache-Control: no-store` unless the handler chose;
/// `hsts` under TLS.
pub fn secure(r: &mut Resp, hsts: Option<&HeaderValue>, csp: &HeaderValue) {
    let h = r.headers_mut();
    h.reserve(10);
    h.insert(header::CONTENT_SECURITY_POLICY, csp.clone());
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if let Some(v) = hsts {
        h.insert(header::STRICT_TRANSPORT_SECURITY, v.clone());
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}
