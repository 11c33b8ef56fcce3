//! The request as handlers see it: method, path, query, headers, client IP, the body
//! (already read within the size limit) and the session, if any.

use crate::auth::sessions::Session;
use bytes::Bytes;
use hyper::{HeaderMap, Method};
use std::collections::HashMap;
use std::net::IpAddr;

pub struct Ctx {
    pub id: u64,
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub ip: IpAddr,
    pub body: Bytes,
    pub tls: bool,
    pub session: Option<Session>,
    /// Cookies to set on the response (already formatted `Set-Cookie` values).
    pub set_cookies: Vec<String>,
}

impl Ctx {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A cookie by its name in `cookies` (under TLS only its `__Host-` form counts).
    pub fn cookie(&self, name: &str) -> Option<&str> {
        let name = crate::http::cookies::wire_name(name, self.tls);
        self.headers
            .get_all(hyper::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    pub fn is_htmx(&self) -> bool {
        self.header("hx-request") == Some("true")
    }

    pub fn form(&self) -> Form {
        Form::parse(&String::from_utf8_lossy(&self.body))
    }

    pub fn query(&self) -> Form {
        Form::parse(&self.query)
    }
}

/// `application/x-www-form-urlencoded` fields; the last value of a repeated name wins.
#[derive(Debug, Default)]
pub struct Form(HashMap<String, String>);

impl Form {
    pub fn parse(s: &str) -> Form {
        Form(
            s.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (decode(k), decode(v))
                })
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }
}

/// Percent-decoding with `+` as space; invalid escapes are kept as they are and invalid
/// UTF-8 becomes U+FFFD, so that bad input reaches validation rather than a panic.
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Percent-encoding for a query value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
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
        assert_eq!(decode(&encode("a b/€")), "a b/€");
    }
}
