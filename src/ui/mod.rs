//! Page shell and shared components (maud). Pages are in the request's language
//! (`lang="it"` or `"en"`, `crate::i18n`), in the look of an Italian public-administration
//! service; no inline script or style (CSP).

mod layout;
pub mod manifest;
pub mod time;

pub use layout::{Page, cart_count, document, page};

use crate::app::App;
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::i18n::text;
use maud::{Markup, html};

/// An alert box; `kind` is success, danger, info or warning.
pub fn alert(kind: &str, message: &str) -> Markup {
    let role = if kind == "danger" || kind == "warning" {
        "alert"
    } else {
        "status"
    };
    html! { div class={ "alert alert-" (kind) } role=(role) { p { (message) } } }
}

/// A labelled text input with its hint and error, wired for screen readers.
pub struct Field<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    pub value: &'a str,
    pub hint: Option<&'a str>,
    pub error: Option<&'a str>,
    pub autocomplete: &'a str,
    pub inputmode: Option<&'a str>,
    pub maxlength: u32,
}

/// A field the form needs: `required`.
pub fn field(f: &Field) -> Markup {
    render_field(f, true)
}

/// A field that may be left empty (its label says "facoltativo"): no `required`, so
/// assistive technologies do not announce it as mandatory.
pub fn optional_field(f: &Field) -> Markup {
    render_field(f, false)
}

fn render_field(f: &Field, required: bool) -> Markup {
    let id = format!("f-{}", f.name);
    let hint_id = format!("{id}-hint");
    let err_id = format!("{id}-err");
    let described: Vec<&str> = [
        f.hint.map(|_| hint_id.as_str()),
        f.error.map(|_| err_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    html! {
        div class="field" {
            label for=(id) { (f.label) }
            @if let Some(h) = f.hint { p class="hint" id=(hint_id) { (h) } }
            @if let Some(e) = f.error { p class="field-error" id=(err_id) { (e) } }
            input type=(f.kind) id=(id) name=(f.name) value=(f.value) required[required]
                autocomplete=(f.autocomplete) maxlength=(f.maxlength)
                inputmode=[f.inputmode]
                aria-invalid=[f.error.map(|_| "true")]
                aria-describedby=[(!described.is_empty()).then(|| described.join(" "))];
        }
    }
}

pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// The whole error page for a plain (non-htmx) request.
pub fn error_page(app: &App, ctx: &Ctx, e: &AppError) -> Markup {
    let code = e.status().as_u16();
    let l = ctx.lang;
    page(
        app,
        ctx,
        Page {
            title: l.t(e.title()),
            active: None,
        },
        html! {
            section class="error-page" {
                p class="error-code" aria-hidden="true" { (code) }
                h1 class="page-title" { (l.t(e.title())) }
                p { (e.for_person().get(l)) }
                p { a class="btn btn-primary" href="/" { (l.t(text::HOME_BACK)) } }
            }
        },
    )
}

/// Plain text from configuration as paragraphs (blank lines separate them).
pub fn paragraphs(text: &str) -> Markup {
    html! { @for p in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) { p { (p) } } }
}

/// `€ 22,00` (cents; Italian format, `.` for thousands).
/// An amount as an Italian types it ("22", "22,5", "1.234,00", "€ 22,00"; "22.50" too) in
/// cents; `None` when it is not one, negative or has more than two decimals.
pub fn parse_euro(s: &str) -> Option<i64> {
    let s: String = s
        .trim()
        .trim_start_matches('€')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let (int, dec) = if s.contains(',') {
        let (i, d) = s.split_once(',')?;
        (i.replace('.', ""), d.to_string())
    } else if let Some((i, d)) = s.split_once('.').filter(|(_, d)| d.len() <= 2) {
        (i.to_string(), d.to_string())
    } else {
        (s.replace('.', ""), String::new())
    };
    let digits = |x: &str| !x.is_empty() && x.len() <= 9 && x.bytes().all(|b| b.is_ascii_digit());
    if !digits(&int) || dec.len() > 2 || !(dec.is_empty() || digits(&dec)) {
        return None;
    }
    let cents = format!("{dec:0<2}").parse::<i64>().ok()?;
    Some(int.parse::<i64>().ok()? * 100 + cents)
}

pub fn euro(cents: i64) -> String {
    let (int, dec) = (cents / 100, cents % 100);
    let digits = int.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("€ {grouped},{dec:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn euro_as_typed() {
        for (typed, cents) in [
            ("22", Some(2200)),
            ("22,5", Some(2250)),
            ("€ 1.234,00", Some(123_400)),
            ("22.50", Some(2250)),
            ("1.234", Some(123_400)),
            ("0", Some(0)),
            ("-1", None),
            ("22,505", None),
            ("abc", None),
            ("", None),
        ] {
            assert_eq!(super::parse_euro(typed), cents, "{typed}");
        }
    }

    #[test]
    fn euro_in_italian() {
        assert_eq!(super::euro(2200), "€ 22,00");
        assert_eq!(super::euro(123456789), "€ 1.234.567,89");
        assert_eq!(super::euro(5), "€ 0,05");
    }
}
