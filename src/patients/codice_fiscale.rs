//! Codice fiscale validation (SPECS.md §5): length, shape, omocodia, check character.

use super::text;
use crate::i18n::Text;
use std::fmt;

/// A valid codice fiscale, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodiceFiscale(String);

/// Why a codice fiscale was refused; `text` is the message for the person (`Display`: its
/// Italian).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CfError {
    Empty,
    Length(usize),
    Characters,
    Shape,
    Month,
    Day,
    Check,
}

impl CfError {
    /// The message for the person, in both languages.
    pub fn text(&self) -> Text {
        let m = match self {
            CfError::Empty => text::CF_EMPTY,
            CfError::Length(n) => return Text::f(text::CF_LENGTH, &[n]),
            CfError::Characters => text::CF_CHARACTERS,
            CfError::Shape => text::CF_SHAPE,
            CfError::Month => text::CF_MONTH,
            CfError::Day => text::CF_DAY,
            CfError::Check => text::CF_CHECK,
        };
        Text::Msg(m)
    }
}

/// In Italian: the back office, the API and the command line.
impl fmt::Display for CfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text().italian())
    }
}

const MONTHS: &[u8] = b"ABCDEHLMPRST";
/// Positions (0-based) that hold digits, or their omocodia letters.
const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
const OMOCODIA: &[u8] = b"LMNPQRSTUV";
const ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

impl CodiceFiscale {
    /// Accepts lower case and surrounding spaces.
    pub fn parse(input: &str) -> Result<CodiceFiscale, CfError> {
        let s = input.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err(CfError::Empty);
        }
        if !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(CfError::Characters);
        }
        if s.len() != 16 {
            return Err(CfError::Length(s.chars().count()));
        }
        let b = s.as_bytes();
        let letters = [0, 1, 2, 3, 4, 5, 8, 11, 15];
        if letters.iter().any(|&i| !b[i].is_ascii_alphabetic())
            || DIGIT_POSITIONS
                .iter()
                .any(|&i| !(b[i].is_ascii_digit() || OMOCODIA.contains(&b[i])))
        {
            return Err(CfError::Shape);
        }
        if !MONTHS.contains(&b[8]) {
            return Err(CfError::Month);
        }
        let day = digit(b[9]) * 10 + digit(b[10]);
        if !(1..=31).contains(&day) && !(41..=71).contains(&day) {
            return Err(CfError::Day);
        }
        if check_char(&b[..15]) != b[15] {
            return Err(CfError::Check);
        }
        Ok(CodiceFiscale(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn digit(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => (c - b'0') as u32,
        _ => OMOCODIA.iter().position(|&o| o == c).unwrap_or(0) as u32,
    }
}

fn check_char(first15: &[u8]) -> u8 {
    let sum: u32 = first15
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let v = if c.is_ascii_digit() {
                (c - b'0') as usize
            } else {
                (c - b'A') as usize
            };
            // 1-based odd positions are 0-based even indexes.
            if i % 2 == 0 { ODD[v] } else { v as u32 }
        })
        .sum();
    b'A' + (sum % 26) as u8
}

impl fmt::Display for CodiceFiscale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_vectors() {
        for ok in [
            "RSSMRA80A01H501U",
            "MRTMTT25D09F205Z",
            "CCCFBA85D03L219P",
            "MRNLCU00A01H501J",
            "BNZVCN32S10E57PV",
        ] {
            assert_eq!(CodiceFiscale::parse(ok).unwrap().as_str(), ok, "{ok}");
        }
        assert_eq!(
            CodiceFiscale::parse("CCCFBA85D03L219B"),
            Err(CfError::Check)
        );
        assert_eq!(
            CodiceFiscale::parse("VNDLDL87D07B963G"),
            Err(CfError::Check)
        );
        assert_eq!(
            CodiceFiscale::parse("MRNLCU00A01H501JK"),
            Err(CfError::Length(17))
        );
    }

    #[test]
    fn explains_in_both_languages() {
        use crate::i18n::Lang;
        let e = CfError::Length(15);
        assert_eq!(
            e.to_string(),
            "Il codice fiscale ha 16 caratteri: ne sono stati inseriti 15."
        );
        assert_eq!(
            e.text().get(Lang::En),
            "A tax code has 16 characters: you entered 15."
        );
        assert_eq!(
            CfError::Check.text().get(Lang::It),
            CfError::Check.to_string()
        );
    }

    #[test]
    fn demo_patients_are_valid() {
        CodiceFiscale::parse("RSSMRA80A01A182N").unwrap();
        CodiceFiscale::parse("BNCLRA85M52A182Y").unwrap();
    }

    #[test]
    fn normalises_and_explains() {
        assert_eq!(
            CodiceFiscale::parse("  rssmra80a01h501u ")
                .unwrap()
                .as_str(),
            "RSSMRA80A01H501U"
        );
        assert_eq!(CodiceFiscale::parse(""), Err(CfError::Empty));
        assert_eq!(
            CodiceFiscale::parse("RSSMRA80A01H501"),
            Err(CfError::Length(15))
        );
        assert_eq!(
            CodiceFiscale::parse("RSSMRA80A01H501'"),
            Err(CfError::Characters)
        );
        assert_eq!(
            CodiceFiscale::parse("RSSMRà80A01H501U"),
            Err(CfError::Characters)
        );
        assert_eq!(
            CodiceFiscale::parse("1SSMRA80A01H501U"),
            Err(CfError::Shape)
        );
        assert_eq!(
            CodiceFiscale::parse("RSSMRA80Z01H501U"),
            Err(CfError::Month)
        );
        assert_eq!(CodiceFiscale::parse("RSSMRA80A99H501U"), Err(CfError::Day));
    }
}
