//! What a person reads on a page, and the Italian left in it: the one reader of the English
//! tests (`english_*.rs`). A page is read as a person reads it: each element's text and
//! its labels, outside what is marked `lang="it"` (data, the ASL's own texts, the language
//! switch's "Italiano"). The page's own `<html lang>` is not such a mark, so an Italian
//! page reads as Italian.

use crate::html;

/// Common Italian words no English sentence has, lowercase.
pub const COMMON: &[&str] = &[
    "il",
    "lo",
    "gli",
    "la",
    "le",
    "di",
    "del",
    "della",
    "dei",
    "delle",
    "che",
    "per",
    "con",
    "non",
    "una",
    "uno",
    "sono",
    "alla",
    "al",
    "nel",
    "nella",
    "è",
    "oppure",
    "accedi",
    "entra",
    "cellulare",
    "richiedi",
    "torna",
    "inserisci",
    "accesso",
    "sessione",
    "tentativi",
    "pagina",
];

/// Every text a person reads or hears on a page or fragment outside `lang="it"`: the text
/// of each element (not of its children) and its labels (aria-label, title, alt,
/// placeholder, data-label, data-confirm, the value of a text or button input); not the
/// head (the ASL's name is in `<title>`), scripts or styles.
pub fn texts(source: &str) -> Vec<String> {
    let doc = html::parse(source);
    let mut out = Vec::new();
    for (i, e) in doc.els.iter().enumerate() {
        let ancestry = doc.ancestry(i);
        let hidden = ancestry
            .iter()
            .any(|&a| matches!(doc.el(a).tag.as_str(), "head" | "script" | "style"));
        // The nearest `lang` but the page's own.
        let lang = ancestry
            .iter()
            .map(|&a| doc.el(a))
            .filter(|a| a.tag != "html")
            .find_map(|a| a.attr("lang"));
        if hidden || lang == Some("it") {
            continue;
        }
        let (mut at, end) = e.inner;
        for &c in &e.children {
            let (a, b) = doc.el(c).outer;
            out.push(html::unescape(&source[at..a]));
            at = b;
        }
        out.push(html::unescape(&source[at..end.max(at)]));
        for name in [
            "aria-label",
            "title",
            "alt",
            "placeholder",
            "data-label",
            "data-confirm",
        ] {
            if let Some(v) = e.attr(name) {
                out.push(v.to_string());
            }
        }
        if e.tag == "input" && matches!(e.attr("type"), Some("text" | "submit" | "button")) {
            out.push(e.attr("value").unwrap_or_default().to_string());
        }
    }
    out.into_iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The part of a page that is the page's own: its `<main>` element, or the whole fragment.
pub fn main_of(html: &str) -> &str {
    match (html.find("<main"), html.find("</main>")) {
        (Some(a), Some(b)) => &html[a..b + "</main>".len()],
        _ => html,
    }
}

/// All of [`texts`] as one text, a space between two.
pub fn readable(source: &str) -> String {
    texts(source).join(" ")
}

/// Whether `words` is in `text` as whole words ("Accessi" is not in "Accessibility").
pub fn has_words(text: &str, words: &str) -> bool {
    text.match_indices(words).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + words.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The entries of `list` in `text`, as whole words.
pub fn words_in<'a>(text: &str, list: &[&'a str]) -> Vec<&'a str> {
    list.iter()
        .copied()
        .filter(|w| has_words(text, w))
        .collect()
}

/// The [`COMMON`] Italian words in `text`, whatever their case.
pub fn common_in(text: &str) -> Vec<&'static str> {
    words_in(&text.to_lowercase(), COMMON)
}

/// A message of a catalogue: its name, its Italian and its English.
pub type Message = (&'static str, &'static str, &'static str);

/// The messages of the catalogues' sources (`NAME = "italiano" / "English";`).
pub fn catalogue(sources: &[&'static str]) -> Vec<Message> {
    sources
        .iter()
        .flat_map(|s| s.lines())
        .filter_map(|l| {
            let (name, rest) = l.trim().split_once(" = \"")?;
            let (it, en) = rest.strip_suffix("\";")?.split_once("\" / \"")?;
            Some((name, it, en))
        })
        .collect()
}

/// The Italian of `messages` in `text`: the parts (between `{}`) of at least 6 characters
/// that their English does not share, as whole words; each as `NAME ("part")`.
pub fn messages_in(text: &str, messages: &[Message]) -> Vec<String> {
    let mut found = Vec::new();
    for (name, it, en) in messages {
        for part in it.split("{}").map(str::trim) {
            if part.chars().count() >= 6 && !en.contains(part) && has_words(text, part) {
                found.push(format!("{name} ({part:?})"));
            }
        }
    }
    found
}

#[test]
fn the_reader_skips_what_is_marked_italian() {
    let html = "<html lang=\"en\"><head><title>Log in – Azienda</title></head><body>\
        <p lang=\"it\">Il testo <b>della</b> ASL</p><a hreflang=\"it\" href=\"x\">More</a>\
        <img alt=\"Logo\"><input type=\"submit\" value=\"Send\"><span aria-label=\"Menu\">x</span>\
        <form data-confirm=\"Sure?\"><p lang=\"it\">Sì <span lang=\"en\">Yes</span></p></form>\
        <script>var testo;</script></body></html>";
    let text = readable(html);
    for w in ["testo", "della", "Azienda", "Sì", "var"] {
        assert!(!text.contains(w), "{w}: {text}");
    }
    for w in ["More", "Logo", "Send", "Menu", "Sure?", "Yes"] {
        assert!(text.contains(w), "{w}: {text}");
    }
    // An Italian page reads as Italian: its own `lang` is not a mark.
    let page = "<html lang=\"it\"><body><p>Il testo della pagina</p></body></html>";
    assert_eq!(common_in(&readable(page)), ["il", "della", "pagina"]);
}

#[test]
fn words_and_messages_are_found_whole() {
    assert!(has_words("Accessi e altro", "Accessi"));
    assert!(!has_words("Accessibility", "Accessi"));
    assert_eq!(common_in("Torna alla Pagina"), ["alla", "torna", "pagina"]);
    let messages = [
        ("A", "Il carrello è vuoto", "The cart is empty"),
        ("B", "Ordine {} PiemontePay", "Order {} PiemontePay"),
    ];
    assert_eq!(
        messages_in("Il carrello è vuoto. Ordine 12 PiemontePay", &messages),
        ["A (\"Il carrello è vuoto\")", "B (\"Ordine\")"],
        "PiemontePay is in the English too"
    );
}
