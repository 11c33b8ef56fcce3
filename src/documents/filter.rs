//! The list filter of "Documenti Interscambiati": a date range (default: today, Rome) and
//! a category, read from the URL so that reload, back/forward and shared links keep it.

use super::text;
use crate::http::req::{Form, encode};
use crate::i18n::Msg;
use jiff::civil::Date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub from: Date,
    pub to: Date,
    /// `None` = every category.
    pub category: Option<String>,
    /// Include the documents the patient hid.
    pub hidden: bool,
}

/// What was wrong with the filter, for the person; the list falls back to today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError(pub Msg);

/// Accepts `YYYY-MM-DD` (what `<input type="date">` sends) and `dd/mm/yyyy` (typed by hand).
/// Years 1–9999 only: a year jiff reads as "-026" would be shown "-026" and not read back.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    Date::strptime("%Y-%m-%d", s)
        .or_else(|_| Date::strptime("%d/%m/%Y", s))
        .ok()
        .filter(|d| d.year() >= 1)
}

pub fn today() -> Date {
    crate::ui::time::today()
}

impl Filter {
    pub fn today(today: Date) -> Filter {
        Filter {
            from: today,
            to: today,
            category: None,
            hidden: false,
        }
    }

    /// Reads `da`, `a`, `categoria`, `nascosti` from the query string.
    pub fn from_query(q: &Form, today: Date, categories: &[String]) -> Result<Filter, FilterError> {
        let date = |name: &str, wrong: Msg| -> Result<Date, FilterError> {
            match q.get(name).trim() {
                "" => Ok(today),
                v => parse_date(v).ok_or(FilterError(wrong)),
            }
        };
        let (from, to) = (
            date("da", text::BAD_DATE_FROM)?,
            date("a", text::BAD_DATE_TO)?,
        );
        if from > to {
            return Err(FilterError(text::FROM_AFTER_TO));
        }
        let category = match q.get("categoria").trim() {
            "" => None,
            c => match categories.iter().find(|k| k.as_str() == c) {
                Some(k) => Some(k.clone()),
                None => return Err(FilterError(text::BAD_CATEGORY)),
            },
        };
        Ok(Filter {
            from,
            to,
            category,
            hidden: q.get("nascosti") == "1",
        })
    }

    /// The query string that reproduces this filter.
    pub fn query(&self) -> String {
        let mut q = format!("da={}&a={}", self.from, self.to);
        if let Some(c) = &self.category {
            q.push_str(&format!("&categoria={}", encode(c)));
        }
        if self.hidden {
            q.push_str("&nascosti=1");
        }
        q
    }
}

pub fn display(d: Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cats() -> Vec<String> {
        vec!["Referto".into(), "Immagini diagnostiche".into()]
    }

    #[test]
    fn defaults_to_today() {
        let f = Filter::from_query(&Form::parse(""), date(2026, 11, 26), &cats()).unwrap();
        assert_eq!(f, Filter::today(date(2026, 11, 26)));
    }

    #[test]
    fn reads_both_date_formats_and_category() {
        let q = Form::parse(
            "da=2026-11-01&a=26%2F11%2F2026&categoria=Immagini+diagnostiche&nascosti=1",
        );
        let f = Filter::from_query(&q, date(2026, 11, 26), &cats()).unwrap();
        assert_eq!((f.from, f.to), (date(2026, 11, 1), date(2026, 11, 26)));
        assert_eq!(f.category.as_deref(), Some("Immagini diagnostiche"));
        assert!(f.hidden);
        let again =
            Filter::from_query(&Form::parse(&f.query()), date(2026, 11, 26), &cats()).unwrap();
        assert_eq!(again, f);
    }

    #[test]
    fn explains_bad_input() {
        let t = date(2026, 11, 26);
        let err = |q: &str| {
            Filter::from_query(&Form::parse(q), t, &cats())
                .unwrap_err()
                .0
                .it
        };
        assert!(err("da=2026-13-01").contains("non è valida"));
        assert!(err("da=31/02/2026").contains("non è valida"));
        assert!(err("a=ieri").contains("non è valida"));
        // Found by the fuzzer: a negative year was accepted, then its own link refused.
        assert!(err("da=-026-01-20").contains("non è valida"));
        assert!(err("da=2026-11-20&a=2026-11-01").contains("successiva"));
        assert!(err("categoria=Segreti").contains("non esiste"));
        assert_eq!(
            err("da=2026-13-01"),
            "La data «dal» non è valida: usa il formato gg/mm/aaaa."
        );
        assert_eq!(
            err("a=ieri"),
            "La data «al» non è valida: usa il formato gg/mm/aaaa."
        );
    }
}
