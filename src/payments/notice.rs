//! pagoPA notice numbers ("codice avviso", NAV) per SPECS.md §1: aux digit 3, the ASL's
//! segregation code, a 13-digit IUV base from a DB sequence, two mod-93 check digits.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeNumber(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeError {
    Segregation,
    BaseTooLarge,
    Malformed,
    CheckDigits,
}

impl fmt::Display for NoticeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NoticeError::Segregation => "il codice di segregazione ha 2 cifre",
            NoticeError::BaseTooLarge => "la base dello IUV supera 13 cifre",
            NoticeError::Malformed => "il codice avviso ha 18 cifre e inizia con 3",
            NoticeError::CheckDigits => "le cifre di controllo del codice avviso non corrispondono",
        })
    }
}

impl std::error::Error for NoticeError {}

const MAX_BASE: u64 = 9_999_999_999_999;

impl NoticeNumber {
    /// `3` + segregation (2 digits) + base (13 digits) + `(those 16 digits) mod 93` (2 digits).
    pub fn new(segregation: &str, base: u64) -> Result<NoticeNumber, NoticeError> {
        if segregation.len() != 2 || !segregation.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NoticeError::Segregation);
        }
        if base > MAX_BASE {
            return Err(NoticeError::BaseTooLarge);
        }
        let body = format!("3{segregation}{base:013}");
        Ok(NoticeNumber(format!("{body}{:02}", check(&body))))
    }

    /// Checks an 18-digit code (spaces allowed, as printed).
    pub fn parse(s: &str) -> Result<NoticeNumber, NoticeError> {
        let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 18
            || !digits.starts_with('3')
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(NoticeError::Malformed);
        }
        if format!("{:02}", check(&digits[..16])) != digits[16..] {
            return Err(NoticeError::CheckDigits);
        }
        Ok(NoticeNumber(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The IUV: the notice number without the aux digit (17 digits).
    pub fn iuv(&self) -> &str {
        &self.0[1..]
    }

    /// Printed form: groups of 4 (`3010 0000 0000 0001 44`).
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// `n mod 93` for a 16-digit decimal string (fits in u64).
fn check(sixteen: &str) -> u64 {
    sixteen.parse::<u64>().map(|n| n % 93).unwrap_or(0)
}

impl fmt::Display for NoticeNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_vectors() {
        assert_eq!(
            NoticeNumber::new("01", 1).unwrap().as_str(),
            "301000000000000144"
        );
        assert_eq!(
            NoticeNumber::new("44", 123_456_789_012).unwrap().as_str(),
            "344012345678901286"
        );
        assert_eq!(
            NoticeNumber::new("00", 0).unwrap().as_str(),
            "300000000000000003"
        );
        for ok in [
            "301000000000000144",
            "344012345678901286",
            "300000000000000003",
        ] {
            assert!(NoticeNumber::parse(ok).is_ok(), "{ok}");
        }
        // Printed in pagoPA's own pages, yet wrong by the rule (SPECS.md §1).
        assert_eq!(
            NoticeNumber::parse("302012387654312384"),
            Err(NoticeError::CheckDigits)
        );
        assert_eq!(
            NoticeNumber::parse("311111111112222222"),
            Err(NoticeError::CheckDigits)
        );
    }

    #[test]
    fn printed_form_and_iuv() {
        let n = NoticeNumber::new("01", 1).unwrap();
        assert_eq!(n.grouped(), "3010 0000 0000 0001 44");
        assert_eq!(n.iuv(), "01000000000000144");
        assert_eq!(NoticeNumber::parse("3010 0000 0000 0001 44").unwrap(), n);
    }

    #[test]
    fn refuses_bad_input() {
        assert_eq!(NoticeNumber::new("1", 1), Err(NoticeError::Segregation));
        assert_eq!(NoticeNumber::new("0a", 1), Err(NoticeError::Segregation));
        assert_eq!(
            NoticeNumber::new("01", MAX_BASE + 1),
            Err(NoticeError::BaseTooLarge)
        );
        assert_eq!(
            NoticeNumber::parse("201000000000000144"),
            Err(NoticeError::Malformed)
        );
        assert_eq!(
            NoticeNumber::parse("30100000000000014"),
            Err(NoticeError::Malformed)
        );
    }
}
