//! "Manuale Utente": this portal's own manual, step by step, in Italian and English. Each
//! section describes what the portal does today; sections grow with the features. A
//! section is its anchor, its title (`text.rs`) and its body in each language (`it.rs`,
//! `en.rs`): both bodies are fields of `Section`, so a section without its English does
//! not build.

mod en;
mod it;
pub mod text;

use crate::app::App;
use crate::config::Config;
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::i18n::{Lang, Msg, text::NAV_MANUAL};
use crate::ui::{self, Page};
use maud::{Markup, html};

type Body = fn(&Config) -> Markup;

struct Section {
    /// The anchor: `/manuale#accesso` is linked from the login page, in both languages.
    id: &'static str,
    title: Msg,
    it: Body,
    en: Body,
}

impl Section {
    fn body(&self, l: Lang) -> Body {
        match l {
            Lang::It => self.it,
            Lang::En => self.en,
        }
    }
}

macro_rules! sections {
    ($($id:literal => $title:ident, $body:ident;)*) => {
        const SECTIONS: &[Section] = &[$(Section {
            id: $id,
            title: text::$title,
            it: it::$body,
            en: en::$body,
        }),*];
    };
}

sections! {
    "accesso" => ACCESS, access;
    "nuovo-pin" => NEW_PIN, new_pin;
    "dashboard" => DASHBOARD, dashboard;
    "interscambiati" => EXCHANGED, exchanged;
    "pacchetto" => PACKAGE, package;
    "documenti" => CATALOGUE, catalogue;
    "ordine" => CHECKOUT, checkout;
    "ordini" => ORDERS, orders;
    "assistenza" => SUPPORT, support;
    "condividere" => SHARING, sharing;
    "chiosco" => KIOSK, kiosk;
    "sicurezza" => SAFETY, safety;
}

/// The manual's content (index and sections) in one language.
fn manual(c: &Config, l: Lang) -> Markup {
    html! {
        h1 class="page-title" { (l.t(NAV_MANUAL)) }
        nav aria-label=(l.t(text::TOC)) {
            ol class="toc" { @for s in SECTIONS { li { a href={ "#" (s.id) } { (l.t(s.title)) } } } }
        }
        @for s in SECTIONS {
            section id=(s.id) class="card manual-section" aria-labelledby={ (s.id) "-t" } {
                h2 id={ (s.id) "-t" } { (l.t(s.title)) }
                ((s.body(l))(c))
            }
        }
    }
}

pub fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let l = ctx.lang;
    Ok(resp::ok_html(ui::page(
        app,
        ctx,
        Page {
            title: l.t(NAV_MANUAL),
            active: Some("/manuale"),
        },
        manual(&app.config, l),
    )))
}

#[cfg(test)]
mod tests;
