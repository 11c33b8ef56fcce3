//! Text parsers: the codice fiscale, the dates and filter of "Documenti Interscambiati", the
//! form decoder.

use crate::documents::filter::{self, Filter};
use crate::http::req::{Form, encode};
use crate::patients::codice_fiscale::{CfError, CodiceFiscale};
use std::collections::HashMap;

/// The check character from the published tables (a second implementation, written apart
/// from `codice_fiscale.rs`): odd positions (1-based) by the table "BAKPLCQDREVOSFTGUHMINJWZYX"
/// (the letter at index v has value v; a digit counts as the letter of its rank), even
/// positions by rank (A=0, 0=0).
fn reference_check(first15: &str) -> char {
    const ODD: &str = "BAKPLCQDREVOSFTGUHMINJWZYX";
    let rank = |c: char| match c {
        '0'..='9' => c as u32 - '0' as u32,
        _ => c as u32 - 'A' as u32,
    };
    let mut sum = 0;
    for (i, c) in first15.chars().enumerate() {
        let letter = char::from_u32('A' as u32 + rank(c)).unwrap_or('A');
        sum += if i % 2 == 0 {
            ODD.find(letter).unwrap_or(0) as u32
        } else {
            rank(c)
        };
    }
    char::from_u32('A' as u32 + sum % 26).unwrap_or('?')
}

/// Whether `s` (already trimmed and upper case) is a valid codice fiscale, by SPECS.md §5.
fn reference_valid(s: &str) -> bool {
    let c: Vec<char> = s.chars().collect();
    if c.len() != 16 {
        return false;
    }
    let omocodia = "LMNPQRSTUV";
    let digit = |ch: char| {
        ch.to_digit(10)
            .or_else(|| omocodia.find(ch).map(|i| i as u32))
    };
    let letter = |i: usize| c[i].is_ascii_uppercase();
    let shape = [0, 1, 2, 3, 4, 5, 8, 11, 15].into_iter().all(letter)
        && [6, 7, 9, 10, 12, 13, 14]
            .into_iter()
            .all(|i| digit(c[i]).is_some());
    if !shape || !"ABCDEHLMPRST".contains(c[8]) {
        return false;
    }
    let day = digit(c[9]).unwrap_or(0) * 10 + digit(c[10]).unwrap_or(0);
    if !(1..=31).contains(&day) && !(41..=71).contains(&day) {
        return false;
    }
    reference_check(&s[..15]) == c[15]
}

/// Accepted exactly when valid by the reference; accepted means normalised (trimmed, upper
/// case), idempotent and with the right check character; refused says why consistently.
/// The bytes also build a well-formed code: accepted with its check character, refused
/// (`Check`) with any other.
pub fn codice_fiscale(data: &[u8]) {
    let input = String::from_utf8_lossy(data);
    let normal = input.trim().to_ascii_uppercase();
    match CodiceFiscale::parse(&input) {
        Ok(cf) => {
            assert_eq!(cf.as_str(), normal);
            assert!(reference_valid(&normal), "accepted but invalid: {normal:?}");
            assert_eq!(CodiceFiscale::parse(cf.as_str()).as_ref(), Ok(&cf));
            assert_eq!(
                CodiceFiscale::parse(&cf.as_str().to_ascii_lowercase()).as_ref(),
                Ok(&cf)
            );
        }
        Err(e) => {
            assert!(
                !reference_valid(&normal),
                "refused ({e:?}) but valid: {normal:?}"
            );
            match e {
                CfError::Empty => assert!(normal.is_empty()),
                CfError::Length(n) => assert!(n != 16 && n == normal.chars().count()),
                CfError::Characters => assert!(!normal.bytes().all(|b| b.is_ascii_alphanumeric())),
                CfError::Check => {
                    assert_eq!(normal.len(), 16);
                    assert_ne!(
                        reference_check(&normal[..15]),
                        normal.as_bytes()[15] as char
                    );
                }
                CfError::Shape | CfError::Month | CfError::Day => {}
            }
        }
    }
    // A well-formed code built from the bytes.
    const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"0123456789LMNPQRSTUV";
    const MONTHS: &[u8] = b"ABCDEHLMPRST";
    if data.len() < 16 {
        return;
    }
    let pick = |set: &[u8], b: u8| set[b as usize % set.len()] as char;
    let mut s = String::new();
    for (i, &b) in data[..15].iter().enumerate() {
        s.push(match i {
            8 => pick(MONTHS, b),
            6 | 7 | 9 | 10 | 12 | 13 | 14 => pick(DIGITS, b),
            _ => pick(LETTERS, b),
        });
    }
    // The day: 1–31, or 41–71 for women, with omocodia letters kept where the byte chose one.
    let day = 1 + data[15] as u32 % 31 + if data[15] & 0x80 != 0 { 40 } else { 0 };
    let encode = |d: u32, keep: char| {
        let c = char::from_digit(d, 10).unwrap_or('0');
        if keep.is_ascii_digit() {
            c
        } else {
            DIGITS[10 + d as usize] as char
        }
    };
    let chars: Vec<char> = s.chars().collect();
    let mut cf: String = chars[..9].iter().collect();
    cf.push(encode(day / 10, chars[9]));
    cf.push(encode(day % 10, chars[10]));
    cf.extend(&chars[11..]);
    let check = reference_check(&cf);
    for other in 'A'..='Z' {
        let candidate = format!("{cf}{other}");
        let got = CodiceFiscale::parse(&candidate);
        if other == check {
            assert_eq!(got.map(|c| c.as_str().to_string()), Ok(candidate));
        } else {
            assert_eq!(got, Err(CfError::Check), "{candidate}");
        }
    }
}

/// The filter of "Documenti Interscambiati" from a query string: accepted means `da` ≤ `a`,
/// a known category, and its own query string gives the same filter back; every date read
/// is shown (`gg/mm/aaaa`) and linked (`aaaa-mm-gg`) as text that reads back to it; the
/// back office's day range and keyset cursor, and the API's dates, never panic and read back.
pub fn filter_dates(data: &[u8]) {
    let q = String::from_utf8_lossy(data);
    let form = Form::parse(&q);
    let today = jiff::civil::date(2026, 11, 26);
    let categories = crate::config::Documents::default().categories;
    if let Ok(f) = Filter::from_query(&form, today, &categories) {
        assert!(f.from <= f.to);
        assert!(f.category.as_ref().is_none_or(|c| categories.contains(c)));
        let again = Filter::from_query(&Form::parse(&f.query()), today, &categories);
        assert_eq!(again.as_ref(), Ok(&f), "query {:?}", f.query());
        let shown = (filter::display(f.from), filter::display(f.to));
        // The back office's range reads them too (9999-12-31 has no next day: refused there).
        if let Ok((Some(from), Some(to))) = crate::operator::day_range(&shown.0, &shown.1) {
            assert!(from < to, "{shown:?}: {from} {to}");
        }
    }
    for v in [form.get("da"), form.get("a"), &q] {
        if let Some(d) = filter::parse_date(v) {
            assert_eq!(filter::parse_date(&filter::display(d)), Some(d), "{v:?}");
            assert_eq!(filter::parse_date(&d.to_string()), Some(d), "{v:?}");
        }
        let _ = crate::operator::day_range(v, v);
        if let Some(at) = crate::api::item::parse_date(v) {
            let day = crate::ui::time::day_of(at).to_string();
            // A day alone is its first second in Rome.
            if v.len() == 10 {
                assert_eq!(crate::api::item::parse_date(&day), Some(at), "{v:?}");
            }
        }
        if let Some((at, id)) = crate::operator::cursor(v) {
            assert_eq!(
                crate::operator::cursor(&format!("{at}.{id}")),
                Some((at, id))
            );
        }
    }
}

/// The form decoder: the last value of a repeated name wins, decoding what the encoder wrote
/// gives the same fields back, and any text encoded as a value reads back unchanged.
pub fn form_urlencoded(data: &[u8]) {
    let form = Form::parse_bytes(data);
    let mut last: HashMap<String, String> = HashMap::new();
    for (k, v) in form_urlencoded::parse(data) {
        last.insert(k.into_owned(), v.into_owned());
    }
    assert_eq!(form.0, last);
    let encoded: Vec<String> = form
        .0
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    let again = Form::parse(&encoded.join("&"));
    assert_eq!(again.0, form.0);
    let text = String::from_utf8_lossy(data);
    let one = Form::parse(&format!("x={}&y=1", encode(&text)));
    assert_eq!(one.get("x"), text);
    assert_eq!(one.get("y"), "1");
}
