//! Every catalogue, for the checks that span them all (tests only).

use super::Msg;

/// (its file under `src/`, its messages)
pub const ALL: &[(&str, &[(&str, Msg)])] = &[
    ("audit/text.rs", crate::audit::text::ALL),
    ("auth/text.rs", crate::auth::text::ALL),
    ("documents/text.rs", crate::documents::text::ALL),
    ("i18n/text.rs", super::text::ALL),
    ("kiosk/text.rs", crate::kiosk::text::ALL),
    ("manual/text.rs", crate::manual::text::ALL),
    ("orders/text.rs", crate::orders::text::ALL),
    ("patients/text.rs", crate::patients::text::ALL),
    ("payments/text.rs", crate::payments::text::ALL),
    ("recovery/text.rs", crate::recovery::text::ALL),
    ("shares/text.rs", crate::shares::text::ALL),
    ("support/text.rs", crate::support::text::ALL),
];

/// The same word in both languages, on purpose.
const SAME: &[&str] = &[
    "Dashboard",
    "Link",
    "Menu",
    "PIN",
    "SPID",
    "CIE",
    "Logout",
    "pagoPA",
    "Download",
    "ZIP",
    "DICOM",
    "OK",
    "Email",
    "E-mail",
    "PDF",
    "Totale",
    "Privacy",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                files(&p, out);
            } else if p.file_name().is_some_and(|n| n == "text.rs") {
                let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
                out.push(
                    p.strip_prefix(&src)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }

    #[test]
    fn every_catalogue_is_listed() {
        let mut found = Vec::new();
        files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        found.sort();
        let mut listed: Vec<String> = ALL.iter().map(|(f, _)| f.to_string()).collect();
        listed.sort();
        assert_eq!(
            found, listed,
            "a text.rs that i18n::catalogues::ALL does not list"
        );
    }

    /// No message left untranslated: the English differs from the Italian, unless its words
    /// are all ones both languages use (SAME), or it has none (numbers, punctuation).
    #[test]
    fn every_message_is_translated() {
        let mut missing = Vec::new();
        for (file, msgs) in ALL {
            for (name, m) in *msgs {
                let mut words =
                    m.it.split(|c: char| !c.is_alphabetic())
                        .filter(|w| !w.is_empty());
                let shared = words.clone().next().is_none() || words.all(|w| SAME.contains(&w));
                if m.it == m.en && !shared {
                    missing.push(format!("{file}: {name} = {:?}", m.it));
                }
                if m.en.trim().is_empty() != m.it.trim().is_empty() {
                    missing.push(format!("{file}: {name}: one language is empty"));
                }
            }
        }
        assert!(missing.is_empty(), "untranslated:\n{}", missing.join("\n"));
    }

    /// Italian letters with accents have no place in English text (a copy-paste left over).
    #[test]
    fn english_has_no_italian_accents() {
        let mut bad = Vec::new();
        for (file, msgs) in ALL {
            for (name, m) in *msgs {
                if m.en.chars().any(|c| "àèéìòù".contains(c)) {
                    bad.push(format!("{file}: {name} = {:?}", m.en));
                }
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
}
