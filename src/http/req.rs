//! The request as handlers see it: method, path, query, headers, client IP, the body
//! (already read within the size limit) and the session, if any.

use crate::auth::sessions::Session;
use bytes::Bytes;
use hyper::{HeaderMap, Method};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::OnceLock;

pub struct Ctx {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub ip: IpAddr,
    pub body: Bytes,
    pub tls: bool,
    pub session: Option<Session>,
    /// The operator of a back office request (`/operatore`), never with a patient session.
    pub operator: Option<crate::operator::auth::Current>,
    /// The body of a streamed upload (`http::upload`), left unread by the server.
    pub upload: Option<hyper::body::Incoming>,
    /// Cookies to set on the response (already formatted `Set-Cookie` values).
    pub set_cookies: Vec<String>,
    /// The body's form fields, parsed on first use.
    pub form: OnceLock<Form>,
    /// A kiosk in a waiting room (`kiosk::detect`): pages for touch and for the next person.
    pub kiosk: bool,
    /// The language of the pages (`i18n::Lang::of`; Italian for the back office and the API).
    pub lang: crate::i18n::Lang,
}

impl Ctx {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A cookie by its name in `cookies` (under TLS only its `__Host-` form counts).
    pub fn cookie(&self, name: &str) -> Option<&str> {
        let prefix = if self.tls {
            crate::http::cookies::HOST_PREFIX
        } else {
            ""
        };
        self.headers
            .get_all(hyper::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| k.strip_prefix(prefix) == Some(name))
            .map(|(_, v)| v)
    }

    /// The path with its query, as the language switch goes back to it.
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        }
    }

    pub fn is_htmx(&self) -> bool {
        self.header("hx-request") == Some("true")
    }

    /// htmx asks for a part of the page; a history restore (back/forward without htmx's
    /// cache) and a plain request get the whole page.
    pub fn wants_fragment(&self) -> bool {
        self.is_htmx() && self.header("hx-history-restore-request") != Some("true")
    }

    /// The body as form fields (`application/x-www-form-urlencoded`), parsed once.
    pub fn form(&self) -> &Form {
        self.form.get_or_init(|| Form::parse_bytes(&self.body))
    }

    pub fn query(&self) -> Form {
        Form::parse(&self.query)
    }
}

/// `application/x-www-form-urlencoded` fields; the last value of a repeated name wins.
#[derive(Debug, Default)]
pub struct Form(pub(crate) HashMap<String, String>);

impl Form {
    pub fn parse(s: &str) -> Form {
        Self::parse_bytes(s.as_bytes())
    }

    /// `+` is a space; an invalid escape stays as it is and invalid UTF-8 becomes U+FFFD,
    /// so bad input reaches validation rather than a panic.
    pub fn parse_bytes(b: &[u8]) -> Form {
        Form(
            form_urlencoded::parse(b)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }
}

/// Percent-encoding for a query value (a space is `+`).
pub fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding() {
        let f = Form::parse("a=1&b=hello+world&c=%41%zz&d=%E2%82%AC&e=%4");
        assert_eq!(f.get("a"), "1");
        assert_eq!(f.get("b"), "hello world");
        assert_eq!(f.get("c"), "A%zz");
        assert_eq!(f.get("d"), "€");
        assert_eq!(f.get("e"), "%4");
        assert_eq!(f.get("missing"), "");
        assert_eq!(
            Form::parse(&format!("x={}", encode("a b/€&=+"))).get("x"),
            "a b/€&=+"
        );
    }
}
