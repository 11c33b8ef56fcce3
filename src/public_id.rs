//! The ids that URLs carry (a document's public id, an order's number): 32 lowercase hex
//! characters, random, never a database row id. Parsed once, where the path is decoded
//! (`http::router::Route::decode`) or a form field is read; a handler that holds a
//! `PublicId` never checks its shape again.

use std::fmt;
use std::ops::Deref;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PublicId(String);

impl PublicId {
    pub fn parse(s: &str) -> Option<PublicId> {
        let ok = s.len() == 32
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        ok.then(|| PublicId(s.to_string()))
    }
}

impl Deref for PublicId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PublicId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_32_lowercase_hex() {
        assert!(PublicId::parse("0123456789abcdef0123456789abcdef").is_some());
        for bad in [
            "",
            "0123456789ABCDEF0123456789abcdef",
            "0123456789abcdef0123456789abcde",
            "0123456789abcdef0123456789abcdef0",
            "0123456789abcdeg0123456789abcdef",
            "../../etc/passwd",
        ] {
            assert!(PublicId::parse(bad).is_none(), "{bad}");
        }
    }
}
