//! Documents tied to a patient: the "Documenti Interscambiati" page (filter, rows, recovery,
//! download, hide) and the "Documenti" page (every document, price, preview, cart).

use crate::i18n::Lang;

/// A document that is not the patient's, or no longer there.
pub const NOT_FOUND: crate::i18n::Msg = text::NOT_FOUND;
/// Documenti Interscambiati lists the documents of the last `online_days` only.
pub const NOT_FOUND_ONLINE: crate::i18n::Msg = text::NOT_FOUND_ONLINE;

pub mod catalogue;
pub mod catalogue_store;
pub(crate) mod catalogue_views;
pub mod exchanged;
pub mod filter;
pub mod publish;
pub mod store;
pub mod text;
pub(crate) mod views;

/// The `lang` of an element that shows Italian text from data (a title, a category, a
/// ward): `it` on an English page, nothing on an Italian one (the page already says it).
pub(crate) fn data_lang(l: Lang) -> Option<&'static str> {
    (l != Lang::It).then_some("it")
}

/// Italian text from data inside UI text: a `<span lang="it">` on an English page, the
/// bare text on an Italian one.
pub(crate) fn data(l: Lang, s: &str) -> maud::Markup {
    match data_lang(l) {
        Some(code) => maud::html! { span lang=(code) { (s) } },
        None => maud::html! { (s) },
    }
}

/// A size in the language of the page: `12,3 MB`, `12.3 MB` (1 MB = 1,000,000 bytes, as
/// phones and PCs show).
pub fn size(l: Lang, bytes: u64) -> String {
    let mb = bytes as f64 / 1_000_000.0;
    let s = if mb >= 100.0 {
        format!("{mb:.0} MB")
    } else if mb >= 0.1 {
        format!("{mb:.1} MB")
    } else {
        format!("{} kB", bytes.div_ceil(1000))
    };
    match l {
        Lang::It => s.replace('.', ","),
        Lang::En => s,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_in_italian() {
        assert_eq!(super::size(crate::i18n::Lang::It, 12_345_678), "12,3 MB");
        assert_eq!(super::size(crate::i18n::Lang::It, 263_000_000), "263 MB");
        assert_eq!(super::size(crate::i18n::Lang::It, 5_000), "5 kB");
        assert_eq!(super::size(crate::i18n::Lang::En, 12_345_678), "12.3 MB");
    }
}
