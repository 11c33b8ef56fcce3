//! A patient's data as an operator types it, on the form or on a CSV line: checked field by
//! field with Italian messages, and the form's fields.

use crate::http::req::Ctx;
use crate::patients::codice_fiscale::CodiceFiscale;
use crate::patients::phone::normalise_mobile;
use crate::ui::{self, Field};
use maud::{Markup, html};

/// A person as typed on a form or a CSV line, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub cf: String,
    pub given: String,
    pub family: String,
    pub mobile: Option<String>,
}

/// Field errors in Italian, by field name.
pub type Errors = Vec<(&'static str, String)>;

/// Checks a person: codice fiscale (format, month, day, check character), names of 1–100
/// characters, mobile optional but an Italian mobile when given (stored E.164).
pub fn check_person(cf: &str, given: &str, family: &str, mobile: &str) -> Result<Person, Errors> {
    let mut e = Errors::new();
    let cf = match CodiceFiscale::parse(cf) {
        Ok(cf) => cf.as_str().to_string(),
        Err(err) => {
            e.push(("codice_fiscale", err.to_string()));
            String::new()
        }
    };
    let name = |v: &str, field: &'static str, what: &str, e: &mut Errors| {
        let v = v.trim();
        if v.is_empty() {
            e.push((field, format!("Inserisci il {what}.")));
        } else if v.chars().count() > 100 || v.chars().any(char::is_control) {
            e.push((
                field,
                format!("Il {what} non è valido (al massimo 100 caratteri)."),
            ));
        }
        v.to_string()
    };
    let given = name(given, "nome", "nome", &mut e);
    let family = name(family, "cognome", "cognome", &mut e);
    let mobile = match mobile.trim() {
        "" => None,
        m => match normalise_mobile(m) {
            Some(n) => Some(n),
            None => {
                e.push((
                    "cellulare",
                    "Il cellulare non è un numero mobile italiano (es. +39 333 123 4567).".into(),
                ));
                None
            }
        },
    };
    if e.is_empty() {
        Ok(Person {
            cf,
            given,
            family,
            mobile,
        })
    } else {
        Err(e)
    }
}

pub fn error_of<'a>(errors: &'a Errors, field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, m)| m.as_str())
}

pub fn person_fields(p: &Person, errors: &Errors, with_cf: bool) -> Markup {
    html! {
        @if with_cf {
            (ui::field(&Field { name: "codice_fiscale", label: "Codice fiscale", kind: "text", value: &p.cf,
                hint: None, error: error_of(errors, "codice_fiscale"), autocomplete: "off",
                inputmode: None, maxlength: 16 }))
        }
        (ui::field(&Field { name: "nome", label: "Nome", kind: "text", value: &p.given, hint: None,
            error: error_of(errors, "nome"), autocomplete: "off", inputmode: None, maxlength: 100 }))
        (ui::field(&Field { name: "cognome", label: "Cognome", kind: "text", value: &p.family, hint: None,
            error: error_of(errors, "cognome"), autocomplete: "off", inputmode: None, maxlength: 100 }))
        (ui::optional_field(&Field { name: "cellulare", label: "Cellulare (facoltativo)", kind: "tel",
            value: p.mobile.as_deref().unwrap_or(""), hint: Some("Serve per il PIN e gli avvisi via SMS."),
            error: error_of(errors, "cellulare"), autocomplete: "off", inputmode: Some("tel"), maxlength: 20 }))
    }
}

pub fn typed(ctx: &Ctx) -> (String, String, String, String) {
    let f = ctx.form();
    (
        f.get("codice_fiscale").to_string(),
        f.get("nome").to_string(),
        f.get("cognome").to_string(),
        f.get("cellulare").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_is_checked_field_by_field() {
        let ok = check_person(" rssmra80a01a182n ", " Mario ", "Rossi", "333 123 4567").unwrap();
        assert_eq!(ok.cf, "RSSMRA80A01A182N");
        assert_eq!(ok.given, "Mario");
        assert_eq!(ok.mobile.as_deref(), Some("+393331234567"));
        assert_eq!(
            check_person("RSSMRA80A01A182N", "M", "R", "")
                .unwrap()
                .mobile,
            None
        );
        let bad = check_person("RSSMRA80A01A182X", "", &"x".repeat(101), "0123").unwrap_err();
        let fields: Vec<_> = bad.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["codice_fiscale", "nome", "cognome", "cellulare"]);
    }
}
