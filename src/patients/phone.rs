//! Italian mobile numbers (SPECS.md §6), stored as E.164.

/// Normalises `+39`, `0039`, spaces, dots and dashes; `None` when not an Italian mobile.
pub fn normalise_mobile(input: &str) -> Option<String> {
    let mut s: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '/' | '(' | ')'))
        .collect();
    if let Some(rest) = s.strip_prefix("+39") {
        s = rest.to_string();
    } else if let Some(rest) = s.strip_prefix("0039") {
        s = rest.to_string();
    }
    let b = s.as_bytes();
    if !b.iter().all(u8::is_ascii_digit) || b.first() != Some(&b'3') {
        return None;
    }
    let ok = match b.len() {
        10 => (b'1'..=b'9').contains(&b[1]),
        9 => (b'2'..=b'9').contains(&b[1]),
        _ => false,
    };
    ok.then(|| format!("+39{s}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_forms() {
        for input in [
            "3331234567",
            "+39 333 123 4567",
            "0039-333.123.4567",
            "333 1234567",
        ] {
            assert_eq!(
                normalise_mobile(input).as_deref(),
                Some("+393331234567"),
                "{input}"
            );
        }
        assert_eq!(
            normalise_mobile("333123456").as_deref(),
            Some("+39333123456")
        );
    }

    #[test]
    fn refuses_others() {
        for input in [
            "",
            "0111234567",
            "+44 7700 900123",
            "3031234567",
            "33312345678",
            "abc",
            "313123456",
        ] {
            assert_eq!(normalise_mobile(input), None, "{input}");
        }
    }
}
