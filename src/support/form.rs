//! The new-request form: what was typed, validation with one message per field (both
//! languages), and the text cleaned before it is stored.

use super::store::Kind;
use super::text;
use crate::http::req::Form;
use crate::i18n::Msg;

pub const SUBJECT_MAX: usize = 120;
pub const MESSAGE_MAX: usize = 2000;
pub const PERIOD_MAX: usize = 200;

/// The form as typed; shown again with the errors.
#[derive(Debug, Default, Clone)]
pub struct Draft {
    pub kind: String,
    pub subject: String,
    pub message: String,
    pub period: String,
    /// "Numero ordine" of a linked order, as in `/ordini/<number>`.
    pub order: String,
    /// Public id of a linked document.
    pub document: String,
}

impl Draft {
    pub fn from_form(f: &Form) -> Draft {
        Draft {
            kind: f.get("tipo").to_string(),
            subject: f.get("oggetto").to_string(),
            message: f.get("messaggio").to_string(),
            period: f.get("periodo").to_string(),
            order: f.get("ordine").trim().to_string(),
            document: f.get("documento").trim().to_string(),
        }
    }
}

/// One message per field in error.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Errors {
    pub kind: Option<&'static Msg>,
    pub subject: Option<&'static Msg>,
    pub message: Option<&'static Msg>,
    pub period: Option<&'static Msg>,
}

/// A request that passed validation, its text cleaned.
#[derive(Debug, PartialEq, Eq)]
pub struct Valid {
    pub kind: Kind,
    pub subject: String,
    pub message: String,
    pub period: String,
}

/// One line: whitespace (newlines too) collapsed, control characters dropped.
fn one_line(s: &str) -> String {
    s.split_whitespace()
        .map(|w| w.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lines kept (`\n`), other control characters dropped, trimmed.
fn multi_line(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

pub fn validate(d: &Draft) -> Result<Valid, Errors> {
    let kind = Kind::from_form(&d.kind);
    let (subject, message, period) = (
        one_line(&d.subject),
        multi_line(&d.message),
        one_line(&d.period),
    );
    let errors = Errors {
        kind: kind.is_none().then_some(&text::ERR_KIND),
        subject: if subject.is_empty() {
            Some(&text::ERR_SUBJECT_EMPTY)
        } else if subject.chars().count() > SUBJECT_MAX {
            Some(&text::ERR_SUBJECT_LONG)
        } else {
            None
        },
        message: if message.is_empty() {
            Some(&text::ERR_MESSAGE_EMPTY)
        } else if message.chars().count() > MESSAGE_MAX {
            Some(&text::ERR_MESSAGE_LONG)
        } else {
            None
        },
        period: (period.chars().count() > PERIOD_MAX).then_some(&text::ERR_PERIOD_LONG),
    };
    match kind {
        Some(kind) if errors == Errors::default() => Ok(Valid {
            kind,
            subject,
            message,
            period,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(kind: &str, subject: &str, message: &str, period: &str) -> Draft {
        Draft {
            kind: kind.into(),
            subject: subject.into(),
            message: message.into(),
            period: period.into(),
            ..Draft::default()
        }
    }

    #[test]
    fn a_good_request_is_cleaned() {
        let v = validate(&draft(
            "disponibilita",
            "  Cartella\r\nclinica\u{0} ",
            " Riga 1\r\nRiga 2\u{7}\n",
            " marzo\t2026 ",
        ))
        .unwrap();
        assert_eq!(v.kind, Kind::Availability);
        assert_eq!(v.subject, "Cartella clinica");
        assert_eq!(v.message, "Riga 1\nRiga 2");
        assert_eq!(v.period, "marzo 2026");
        let v = validate(&draft("assistenza", "PIN", "Non ricevo l'SMS", "")).unwrap();
        assert_eq!((v.kind, v.period.as_str()), (Kind::Assistance, ""));
    }

    #[test]
    fn every_field_says_what_is_wrong() {
        let e = validate(&draft("altro", " ", "\r\n", "")).unwrap_err();
        assert!(e.kind.unwrap().it.contains("tipo di richiesta"));
        assert_eq!(
            e.subject.map(|m| m.it),
            Some("Scrivi l'oggetto della richiesta.")
        );
        assert!(e.message.unwrap().it.starts_with("Scrivi il messaggio"));
        assert!(e.message.unwrap().en.starts_with("Write your message"));
        assert_eq!(e.period, None, "the period is optional");

        let e = validate(&draft(
            "assistenza",
            &"è".repeat(121),
            &"x".repeat(2001),
            &"p".repeat(201),
        ))
        .unwrap_err();
        assert_eq!(e.kind, None);
        assert!(e.subject.unwrap().it.contains("120 caratteri"));
        assert!(e.message.unwrap().it.contains("2000 caratteri"));
        assert!(e.period.unwrap().it.contains("200 caratteri"));
        assert!(e.period.unwrap().en.contains("200 characters"));
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let ok = validate(&draft(
            "assistenza",
            &"è".repeat(120),
            &"à\r\n".repeat(1000),
            &"ù".repeat(200),
        ));
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn links_must_look_like_ids() {}
}
