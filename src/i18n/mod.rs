//! Italian and English. Every text a patient or a doctor reads is a `Msg` of a feature's
//! catalogue (`src/<feature>/text.rs`, written with `msgs!`): both languages side by side,
//! checked at compile time — a message without its English, or whose two languages do not
//! take the same number of `{}` arguments, does not build. The back office, the API, the
//! command line and the legal documents (payment notice PDF, `LEGGIMI.txt`) stay Italian.
//!
//! The language of a request (`Lang::of`): the `cds_lang` cookie the switch on every page
//! sets (`/lingua/<it|en>`), else the browser's `Accept-Language` on a first visit, else
//! Italian.

#[cfg(test)]
mod catalogues;
pub mod switch;
pub mod text;

pub use switch::handle as switch;

use crate::http::req::Ctx;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    It,
    En,
}

/// One message in both languages. `{}` marks an argument (`Lang::f`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Msg {
    pub it: &'static str,
    pub en: &'static str,
}

impl Msg {
    /// Fails the build (in a `const`) when the two languages take different arguments.
    pub const fn new(it: &'static str, en: &'static str) -> Msg {
        if holes(it) != holes(en) {
            panic!("a message's two languages take different numbers of {{}} arguments");
        }
        Msg { it, en }
    }

    pub fn holes(&self) -> usize {
        holes(self.it)
    }
}

const fn holes(s: &str) -> usize {
    let b = s.as_bytes();
    let (mut i, mut n) = (0, 0);
    while i + 1 < b.len() {
        if b[i] == b'{' && b[i + 1] == b'}' {
            n += 1;
            i += 1;
        }
        i += 1;
    }
    n
}

/// A catalogue: `NAME = "italiano" / "English";` for each message, as `pub const`s of `Msg`.
#[macro_export]
macro_rules! msgs {
    ($($(#[$m:meta])* $name:ident = $it:literal / $en:literal;)*) => {
        $($(#[$m])* pub const $name: $crate::i18n::Msg = $crate::i18n::Msg::new($it, $en);)*
        /// Every message of this catalogue (tests read them).
        #[allow(dead_code)]
        pub const ALL: &[(&str, $crate::i18n::Msg)] = &[$((stringify!($name), $name)),*];
    };
}

/// A text for a person that is not one message: a message with its arguments filled in
/// both languages, or Italian only (the back office, the API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    Msg(Msg),
    Both { it: String, en: String },
    Italian(String),
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match (self, lang) {
            (Text::Msg(m), l) => l.t(*m),
            (Text::Both { it, .. }, Lang::It) => it,
            (Text::Both { en, .. }, Lang::En) => en,
            (Text::Italian(s), _) => s,
        }
    }

    /// The Italian, for the log and the command line.
    pub fn italian(&self) -> &str {
        self.get(Lang::It)
    }

    /// A message with its arguments, in both languages.
    pub fn f(m: Msg, args: &[&dyn std::fmt::Display]) -> Text {
        Text::Both {
            it: Lang::It.f(m, args),
            en: Lang::En.f(m, args),
        }
    }
}

impl From<Msg> for Text {
    fn from(m: Msg) -> Text {
        Text::Msg(m)
    }
}

/// Italian only: the back office, the API and the command line speak Italian.
impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::Italian(s.to_string())
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::Italian(s)
    }
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::It, Lang::En];
    pub const COOKIE: &str = "cds_lang";

    pub fn code(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "it" => Some(Lang::It),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language's own name, as its switch shows it.
    pub fn name(self) -> &'static str {
        match self {
            Lang::It => "Italiano",
            Lang::En => "English",
        }
    }

    pub fn t(self, m: Msg) -> &'static str {
        match self {
            Lang::It => m.it,
            Lang::En => m.en,
        }
    }

    /// The message with its `{}` filled in order by `args`.
    pub fn f(self, m: Msg, args: &[&dyn std::fmt::Display]) -> String {
        let mut out = String::new();
        let mut args = args.iter();
        let mut parts = self.t(m).split("{}");
        if let Some(first) = parts.next() {
            out.push_str(first);
        }
        for part in parts {
            if let Some(a) = args.next() {
                out.push_str(&a.to_string());
            }
            out.push_str(part);
        }
        out
    }

    /// One of two forms by a count: `one` for 1, `many` otherwise.
    pub fn n(self, count: i64, one: Msg, many: Msg) -> String {
        let m = if count == 1 { one } else { many };
        self.f(m, &[&count])
    }

    /// An amount in cents: `€ 1.234,50` in Italian, `€1,234.50` in English.
    pub fn euro(self, cents: i64) -> String {
        let it = crate::ui::euro(cents);
        match self {
            Lang::It => it,
            Lang::En => it
                .replace("€ ", "€")
                .replace('.', "\u{0}")
                .replace(',', ".")
                .replace('\u{0}', ","),
        }
    }

    /// The request's language: the switch's cookie, else the browser's first choice of the
    /// two (`Accept-Language`, by its q-values), else Italian.
    pub fn of(ctx: &Ctx) -> Lang {
        if let Some(l) = ctx.cookie(Self::COOKIE).and_then(Lang::parse) {
            return l;
        }
        ctx.header("accept-language")
            .map(Lang::accepted)
            .unwrap_or_default()
    }

    /// The best of Italian and English in an `Accept-Language` value: the highest q wins,
    /// the first listed on a tie; neither listed (or `*`) is Italian.
    pub fn accepted(header: &str) -> Lang {
        let mut best: Option<(Lang, f32)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let Some(lang) = Lang::parse(primary) else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
                best = Some((lang, q));
            }
        }
        best.map(|(l, _)| l).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_better_of_the_two() {
        for (header, want) in [
            ("en-GB,en;q=0.9", Lang::En),
            ("it-IT,it;q=0.9,en;q=0.8", Lang::It),
            ("de-DE,de;q=0.9,en;q=0.7,it;q=0.5", Lang::En),
            ("fr", Lang::It),
            ("*", Lang::It),
            ("", Lang::It),
            ("en;q=0, it;q=0.1", Lang::It),
            ("EN-us", Lang::En),
            ("it;q=0.5, en;q=0.5", Lang::It),
            ("en;q=garbage", Lang::En),
        ] {
            assert_eq!(Lang::accepted(header), want, "{header}");
        }
    }

    #[test]
    fn arguments_fill_in_order() {
        const M: Msg = Msg::new("Ordine {} del {}", "Order {} of {}");
        assert_eq!(
            Lang::It.f(M, &[&7, &"01/02/2026"]),
            "Ordine 7 del 01/02/2026"
        );
        assert_eq!(Lang::En.f(M, &[&7, &"01/02/2026"]), "Order 7 of 01/02/2026");
        assert_eq!(M.holes(), 2);
        assert_eq!(Text::f(M, &[&1, &2]).get(Lang::En), "Order 1 of 2");
    }

    #[test]
    fn amounts_in_each_language() {
        assert_eq!(Lang::It.euro(123_450), "€ 1.234,50");
        assert_eq!(Lang::En.euro(123_450), "€1,234.50");
        assert_eq!(Lang::En.euro(5), "€0.05");
    }

    #[test]
    fn counts_choose_their_form() {
        const ONE: Msg = Msg::new("{} documento", "{} document");
        const MANY: Msg = Msg::new("{} documenti", "{} documents");
        assert_eq!(Lang::En.n(1, ONE, MANY), "1 document");
        assert_eq!(Lang::It.n(3, ONE, MANY), "3 documenti");
    }
}
