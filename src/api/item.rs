//! A document's metadata as the API receives it (JSON members in Italian), checked with
//! `documents::publish::check`'s rules and the API's own (codice fiscale, date, external id,
//! study), the faults gathered by field name.

use super::json::{self, Fields};
use crate::documents::publish;
use crate::patients::CodiceFiscale;
use crate::recovery::archive::valid_uid;
use serde_json::{Map, Value};

const MEMBERS: &[&str] = &[
    "codice_fiscale",
    "categoria",
    "titolo",
    "descrizione",
    "data",
    "prezzo_centesimi",
    "id_esterno",
    "studio",
];

/// An item as read: checked, or the fields at fault.
pub type Read = Result<Item, Vec<(String, String)>>;

/// A document's metadata, checked.
#[derive(Debug)]
pub struct Item {
    pub cf: String,
    pub category: String,
    pub title: String,
    pub description: String,
    pub at: i64,
    pub price: Option<i64>,
    pub external_id: String,
    /// The StudyInstanceUID (JSON); `None` with a PDF.
    pub study: Option<String>,
}

impl Item {
    /// What publishing this item for `patient_id` records: from `origin` (the API client),
    /// its external id kept, no operator.
    pub fn publication(
        &self,
        patient_id: i64,
        source: publish::Source,
        origin: &str,
    ) -> publish::Publication {
        publish::Publication {
            patient_id,
            category: self.category.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            exchanged_at: self.at,
            price_cents: self.price,
            source,
            origin: origin.to_string(),
            external_id: Some(self.external_id.clone()),
            published_by: None,
        }
    }
}

/// `study`: whether the `studio` member is required (JSON) or refused (multipart, with a PDF).
pub fn item(
    categories: &[String],
    obj: &Map<String, Value>,
    prefix: String,
    study: bool,
    now: i64,
) -> Read {
    let mut f = Fields::new(obj, prefix);
    f.only(if study { MEMBERS } else { &MEMBERS[..7] });
    let cf = f.text("codice_fiscale", true, 40).and_then(|raw| {
        CodiceFiscale::parse(&raw)
            .map_err(|e| f.error("codice_fiscale", e.to_string()))
            .ok()
    });
    let category = f.text("categoria", true, 100);
    let title = f.text("titolo", true, 200).filter(|t| {
        let ok = !json::blank(t);
        if !ok {
            f.error("titolo", "Inserisci il titolo del documento.");
        }
        ok
    });
    let description = f.text("descrizione", false, 2000).unwrap_or_default();
    let at = f.text("data", true, 40).and_then(|d| {
        let at = parse_date(&d);
        if at.is_none() {
            f.error(
                "data",
                "Data e ora RFC 3339 (2026-11-28T10:30:00+01:00) o giorno (2026-11-28).",
            );
        }
        at
    });
    let price = f.int("prezzo_centesimi");
    let external_id = f.text("id_esterno", true, 128).and_then(|e| {
        let ok = valid_external_id(&e);
        if !ok {
            f.error(
                "id_esterno",
                "Da 1 a 128 caratteri: lettere, cifre, . _ : -",
            );
        }
        ok.then_some(e)
    });
    let uid = if study {
        f.text("studio", true, 64).and_then(|u| {
            let ok = valid_uid(&u);
            if !ok {
                f.error(
                    "studio",
                    "Lo StudyInstanceUID: cifre e punti, al massimo 64 caratteri.",
                );
            }
            ok.then_some(u)
        })
    } else {
        None
    };
    // The shared rules on what is there (a missing member already has its fault, which
    // stays the first and only one of its field).
    let rules = publish::check(
        categories,
        category.as_deref().unwrap_or(""),
        title.as_deref().unwrap_or("-"),
        &description,
        at.unwrap_or(now),
        price,
        now,
    );
    for (field, message) in rules {
        f.error(api_field(field), message);
    }
    match (cf, category, title, at, external_id) {
        (Some(cf), Some(category), Some(title), Some(at), Some(external_id))
            if f.errors.is_empty() && (uid.is_some() || !study) =>
        {
            Ok(Item {
                cf: cf.as_str().to_string(),
                category,
                title,
                description,
                at,
                price,
                external_id,
                study: uid,
            })
        }
        _ => Err(f.errors),
    }
}

fn api_field(rule: &str) -> &'static str {
    match rule {
        "category" => "categoria",
        "title" => "titolo",
        "description" => "descrizione",
        "exchanged_at" => "data",
        _ => "prezzo_centesimi",
    }
}

pub fn valid_external_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// RFC 3339 date and time (with its offset), or a day (its start in Europe/Rome).
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() < 10 || !digits(0..4) || b[4] != b'-' || !digits(5..7) || b[7] != b'-' {
        return None;
    }
    if b.len() == 10 {
        // A day whose start in Rome jiff cannot place (9999-12-31) is no date.
        let d: jiff::civil::Date = s.parse().ok()?;
        let start = d.to_zoned(crate::ui::time::rome().clone()).ok()?;
        return Some(start.timestamp().as_second());
    }
    let zoned = b.len() >= 20
        && matches!(b[10], b'T' | b't')
        && b[13] == b':'
        && b[16] == b':'
        && (matches!(b[b.len() - 1], b'Z' | b'z')
            || b[b.len() - 6..].starts_with(b"+")
            || b[b.len() - 6] == b'-')
        && !s.contains('[');
    if !zoned {
        return None;
    }
    s.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc_3339_or_days() {
        assert_eq!(parse_date("2026-11-28T10:30:00Z"), Some(1_795_861_800));
        assert_eq!(parse_date("2026-11-28T11:30:00+01:00"), Some(1_795_861_800));
        assert_eq!(parse_date("2026-11-28t10:30:00.5z"), Some(1_795_861_800));
        // A day starts at midnight in Rome (UTC+1 in November).
        assert_eq!(parse_date("2026-11-28"), Some(1_795_820_400));
        // Found by the fuzzer: past jiff's last instant in Rome, it was 1970 (and accepted).
        assert_eq!(parse_date("9999-12-31"), None);
        assert!(parse_date("9999-12-30") > parse_date("2026-11-28"));
        for bad in [
            "2026-11-28 10:30:00Z",
            "2026-11-28T10:30:00",
            "2026-11-28T10:30:00Z[Europe/Rome]",
            "2026-13-01",
            "28/11/2026",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn faults_are_named_by_field() {
        let cats = vec!["Referto".to_string()];
        let obj = |v: serde_json::Value| v.as_object().unwrap().clone();
        let good = obj(serde_json::json!({
            "codice_fiscale": "RSSMRA80A01A182N", "categoria": "Referto", "titolo": "RX",
            "data": "2026-11-28", "id_esterno": "RIS:1", "studio": "1.2.3"
        }));
        let i = item(&cats, &good, String::new(), true, 1_795_900_000).unwrap();
        assert_eq!(
            (i.cf.as_str(), i.study.as_deref()),
            ("RSSMRA80A01A182N", Some("1.2.3"))
        );
        let bad = obj(serde_json::json!({
            "codice_fiscale": "RSSMRA80A01A182X", "categoria": "Ricetta", "titolo": "\u{1c} ",
            "data": "2099-01-01", "id_esterno": "a/b", "studio": "x", "prezzo_centesimi": -1,
            "altro": 1
        }));
        let e = item(&cats, &bad, "documenti[0].".into(), true, 1_795_900_000).unwrap_err();
        let mut fields: Vec<&str> = e.iter().map(|(f, _)| &f["documenti[0].".len()..]).collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                "altro",
                "categoria",
                "codice_fiscale",
                "data",
                "id_esterno",
                "prezzo_centesimi",
                "studio",
                "titolo"
            ]
        );
        // With a PDF the study is not a member.
        assert!(item(&cats, &good, String::new(), false, 1_795_900_000).is_err());
    }
}
