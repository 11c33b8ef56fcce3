use super::{SECTIONS, manual};
use crate::config::Config;
use crate::i18n::Lang;

/// The configurations whose differences the manual shows (the PIN login on and off).
fn configs() -> Vec<Config> {
    let mut no_pin = Config::default();
    no_pin.auth.pin = false;
    vec![Config::default(), no_pin]
}

/// The names of the opening tags in `names`, in order: a section's shape.
fn shape(html: &str, names: &[&str]) -> Vec<String> {
    html.split('<')
        .skip(1)
        .filter_map(|t| {
            let name: String = t
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            names.contains(&name.as_str()).then_some(name)
        })
        .collect()
}

/// The `id`s of the `<section>`s and the text of their `<h2>`s, in order.
fn sections(html: &str) -> Vec<(String, String)> {
    html.split("<section id=\"")
        .skip(1)
        .map(|s| {
            let id = s.split('"').next().unwrap().to_string();
            let h2 = s.split("<h2").nth(1).unwrap();
            let title = h2.split_once('>').unwrap().1.split('<').next().unwrap();
            (id, title.to_string())
        })
        .collect()
}

/// The text a reader sees, without the elements marked `lang="it"` (Italian labels in
/// parentheses, data) and without tags and attributes.
fn english_text(html: &str) -> String {
    let mut html = html.to_string();
    while let Some(at) = html.find(" lang=\"it\"") {
        let open = html[..at].rfind('<').unwrap();
        let name: String = html[open + 1..at].to_string();
        let close = format!("</{name}>");
        let end = at + html[at..].find(&close).unwrap() + close.len();
        html.replace_range(open..end, " ");
    }
    let mut text = String::new();
    for part in html.split('<') {
        text.push_str(part.split_once('>').map_or(part, |(_, t)| t));
        text.push(' ');
    }
    text
}

const ITALIAN_WORDS: &[&str] = &[
    "il",
    "lo",
    "la",
    "gli",
    "le",
    "di",
    "del",
    "della",
    "dei",
    "che",
    "per",
    "con",
    "non",
    "sono",
    "una",
    "uno",
    "nel",
    "nella",
    "alla",
    "dal",
    "al",
    "dopo",
    "oppure",
    "premi",
    "apri",
    "scegli",
    "documento",
    "documenti",
    "pagina",
    "ordine",
    "ordini",
    "anche",
    "sul",
    "tuo",
    "tua",
    "codice",
    "pulsante",
    "accesso",
    "carrello",
    "assistenza",
    "medico",
    "giorni",
    "ore",
];

#[test]
fn both_languages_have_the_same_sections_in_the_same_order() {
    let c = Config::default();
    let it = sections(&manual(&c, Lang::It).into_string());
    let en = sections(&manual(&c, Lang::En).into_string());
    assert_eq!(it.len(), SECTIONS.len());
    let ids = |v: &[(String, String)]| v.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&it), ids(&en));
    for (i, ((_, t_it), (_, t_en))) in it.iter().zip(&en).enumerate() {
        let n = format!("{}. ", i + 1);
        assert!(
            t_it.starts_with(&n) && t_en.starts_with(&n),
            "{t_it} / {t_en}"
        );
    }
    // The index lists the same sections, linked to their anchors.
    for (id, _) in &en {
        assert!(
            manual(&c, Lang::En)
                .into_string()
                .contains(&format!("href=\"#{id}\""))
        );
    }
}

#[test]
fn each_section_says_the_same_in_both_languages() {
    const TAGS: &[&str] = &["ol", "ul", "li", "p", "code"];
    for c in configs() {
        for s in SECTIONS {
            let it = (s.it)(&c).into_string();
            let en = (s.en)(&c).into_string();
            assert_ne!(it, en, "{}: the English is the Italian", s.id);
            // The same lists with the same steps, the same paragraphs.
            assert_eq!(shape(&it, TAGS), shape(&en, TAGS), "{}", s.id);
        }
    }
}

#[test]
fn the_english_manual_has_no_italian_but_what_it_marks() {
    for c in configs() {
        let html = manual(&c, Lang::En).into_string();
        let text = english_text(&html);
        for word in text.split(|ch: char| !ch.is_alphabetic()) {
            let w = word.to_lowercase();
            assert!(
                !ITALIAN_WORDS.contains(&w.as_str()),
                "Italian {word:?} in: {text}"
            );
            assert!(
                !w.contains(['à', 'è', 'é', 'ì', 'ò', 'ù']),
                "{word:?} in: {text}"
            );
        }
        // The Italian labels are there, marked, for the patient who meets them.
        assert!(html.contains("<span lang=\"it\">Documenti Interscambiati</span>"));
    }
}

#[test]
fn the_italian_manual_is_as_it_was() {
    let html = manual(&Config::default(), Lang::It).into_string();
    for s in [
        "<h1 class=\"page-title\">Manuale Utente</h1>",
        "aria-label=\"Indice del manuale\"",
        "1. Accedere al portale",
        "12. Sicurezza e riservatezza",
        "Richiedere un nuovo PIN",
        "<strong>Aggiungi Carrello</strong>",
        "<strong>PAGA SUBITO</strong>",
    ] {
        assert!(html.contains(s), "{s}");
    }
    assert!(
        !html.contains("lang=\"it\""),
        "an Italian page marks nothing"
    );
}
