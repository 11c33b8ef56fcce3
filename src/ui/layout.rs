//! The page shell: skip link, header with the ASL's name and logo, the manual's menu,
//! footer with the privacy notice and the accessibility statement.

use crate::app::App;
use crate::http::assets::HTMX;
use crate::http::req::Ctx;
use crate::i18n::{Lang, Msg, text};
use crate::ui::manifest;
use maud::{DOCTYPE, Markup, html};

pub struct Page<'a> {
    pub title: &'a str,
    /// Path of the menu entry to mark as current.
    pub active: Option<&'a str>,
}

const MENU: &[(&str, Msg)] = &[
    ("/dashboard", text::NAV_DASHBOARD),
    ("/documenti", text::NAV_DOCUMENTS),
    ("/documenti-interscambiati", text::NAV_EXCHANGED),
    ("/ordini", text::NAV_ORDERS),
    ("/carrello", text::NAV_CART),
    ("/assistenza", text::NAV_SUPPORT),
    ("/manuale", text::NAV_MANUAL),
];

/// htmx settings: swap error fragments (they carry an Italian alert), no inline styles
/// or eval, which the CSP forbids anyway; no history cache: htmx would keep copies of
/// pages with health data in sessionStorage after logout (back/forward asks the server).
/// Written already escaped for the attribute: every page carries it (escaping its many
/// quotes on every request cost more than the rest of the head).
const HTMX_CONFIG: maud::PreEscaped<&str> = maud::PreEscaped(
    "{&quot;historyCacheSize&quot;:0,&quot;includeIndicatorStyles&quot;:false,&quot;allowEval&quot;:false,&quot;allowScriptTags&quot;:false,&quot;responseHandling&quot;:[{&quot;code&quot;:&quot;204&quot;,&quot;swap&quot;:false},{&quot;code&quot;:&quot;[2345]..&quot;,&quot;swap&quot;:true}]}",
);

pub fn page(app: &App, ctx: &Ctx, p: Page, body: Markup) -> Markup {
    let csrf = ctx.session.as_ref().map(|s| s.csrf_token.as_str());
    let body = if ctx.kiosk {
        html! { (body) (kiosk_dialog(app, ctx.lang, csrf)) }
    } else {
        body
    };
    document(
        app,
        ctx.lang,
        p.title,
        csrf,
        header(app, ctx, p.active),
        body,
        footer(ctx),
    )
    .kiosk(ctx.kiosk, &app.config.kiosk)
}

/// Marks a whole document as a kiosk's: `<body class="kiosk" data-kiosk-idle data-kiosk-countdown>`
/// (app.js runs the idle timer from them; site.css enlarges the touch targets).
trait KioskBody {
    fn kiosk(self, on: bool, cfg: &crate::config::Kiosk) -> Markup;
}

impl KioskBody for Markup {
    fn kiosk(self, on: bool, cfg: &crate::config::Kiosk) -> Markup {
        if !on {
            return self;
        }
        let attrs = format!(
            "<body class=\"kiosk\" data-kiosk-idle=\"{}\" data-kiosk-countdown=\"{}\">",
            cfg.idle_secs, cfg.countdown_secs
        );
        maud::PreEscaped(self.into_string().replacen("<body>", &attrs, 1))
    }
}

/// "Sei ancora lì?": opened by app.js after `kiosk.idle_secs` without input; its countdown
/// ends in the logout form's submit (or, without a session, a reload of the start page).
fn kiosk_dialog(app: &App, l: Lang, csrf: Option<&str>) -> Markup {
    let secs = app.config.kiosk.countdown_secs;
    html! {
        dialog id="kiosk-idle" class="kiosk-idle" aria-labelledby="kiosk-idle-title" aria-describedby="kiosk-idle-text" {
            h2 id="kiosk-idle-title" { (l.t(text::KIOSK_TITLE)) }
            p id="kiosk-idle-text" {
                (l.t(text::KIOSK_TEXT_1))
                strong { span data-kiosk-left="" { (secs) } (l.t(text::KIOSK_SECONDS)) }
                @if csrf.is_some() { (l.t(text::KIOSK_TEXT_LOGOUT)) } @else { " " }
                (l.t(text::KIOSK_TEXT_2))
            }
            div class="actions" {
                button type="button" class="btn btn-primary" data-kiosk-stay="" autofocus { (l.t(text::KIOSK_STAY)) }
                @if let Some(t) = csrf {
                    form method="post" action="/esci" data-kiosk-logout="" {
                        input type="hidden" name="csrf" value=(t);
                        button type="submit" class="btn btn-outline" { (l.t(text::KIOSK_LEAVE)) }
                    }
                }
            }
        }
    }
}

/// The whole HTML document around a page: head, skip link, the demo's banner, `header`,
/// the main content with its alerts' live region, `footer`. The back office uses it with
/// its own header and footer (`operator::views`).
pub fn document(
    app: &App,
    l: Lang,
    title: &str,
    csrf: Option<&str>,
    header: Markup,
    body: Markup,
    footer: Markup,
) -> Markup {
    let asl = &app.config.asl;
    html! {
        (DOCTYPE)
        html lang=(l.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="htmx-config" content=(HTMX_CONFIG);
                @if let Some(t) = csrf { meta name="csrf-token" content=(t); }
                title { (title) " – " (asl.name) }
                meta name="theme-color" content=(manifest::THEME);
                link rel="icon" href="/favicon.ico" type="image/svg+xml";
                link rel="apple-touch-icon" href="/assets/img/icon-192.png";
                link rel="manifest" href=(manifest::PATH);
                link rel="stylesheet" href="/assets/css/site.css";
                script src={ "/assets/" (HTMX) } defer {}
                script src="/assets/js/app.js" defer {}
            }
            body {
                a class="skip-link" href="#main" { (l.t(text::SKIP)) }
                @if app.config.sandbox {
                    div class="sandbox-banner" role="note" {
                        span class="banner-long" { (l.t(text::SANDBOX_LONG)) }
                        span class="banner-short" { (l.t(text::SANDBOX_SHORT)) }
                    }
                }
                (header)
                main id="main" class="container" tabindex="-1" {
                    div id="alerts" aria-live="polite" {}
                    (body)
                }
                (footer)
            }
        }
    }
}

fn header(app: &App, ctx: &Ctx, active: Option<&str>) -> Markup {
    let asl = &app.config.asl;
    let l = ctx.lang;
    html! {
        header class="site-header" {
            div class="slim-bar" { div class="container slim-row" {
                span lang="it" { (asl.parent) }
                (switch(ctx))
            } }
            div class="container brand" {
                img src="/logo" alt="" width="48" height="48";
                div {
                    p class="brand-name" lang="it" {
                        span class="brand-long" { (asl.name) }
                        span class="brand-short" { (asl.short_name()) }
                    }
                    p class="brand-tagline" { (l.t(text::TAGLINE)) }
                }
            }
            @if let Some(s) = &ctx.session { (menu(l, s, active)) }
        }
    }
}

/// The language switch: a link to the other language, named in that language and marked
/// with its `lang` and `hreflang`, so a screen reader reads it in the right voice.
pub fn switch(ctx: &Ctx) -> Markup {
    let here = ctx.path_and_query();
    html! {
        nav class="lang-switch" aria-label=(ctx.lang.t(text::LANGUAGE)) {
            ul {
                @for l in Lang::ALL {
                    li {
                        @if l == ctx.lang {
                            span aria-current="true" lang=(l.code()) { (l.name()) }
                        } @else {
                            a href=(crate::i18n::switch::href(l, &here)) lang=(l.code()) hreflang=(l.code()) { (l.name()) }
                        }
                    }
                }
            }
        }
    }
}

/// The manual's menu. On a phone it hides behind a "Menu" bar that names the current section
/// and the cart's count: a `<details>` disclosure, so it opens and closes without
/// JavaScript too (app.js adds `aria-expanded`, Escape, and keeps it open on wide screens,
/// where the bar is not shown and the menu is a row of links).
fn menu(l: Lang, s: &crate::auth::sessions::Session, active: Option<&str>) -> Markup {
    let current = MENU.iter().find(|(href, _)| active == Some(*href));
    html! {
        nav class="main-nav" aria-label=(l.t(text::MENU_LABEL)) {
            details class="nav-menu" data-nav="" {
                summary class="nav-toggle" aria-expanded="false" {
                    span class="nav-burger" aria-hidden="true" {}
                    span class="nav-toggle-label" { (l.t(text::MENU)) }
                    @if let Some((_, label)) = current {
                        span class="nav-current" { span class="visually-hidden" { (l.t(text::CURRENT_SECTION)) } (l.t(*label)) }
                    }
                    (cart_count_bar(l, s.cart_count, false))
                }
                div class="container" {
                    ul {
                        @for (href, label) in MENU {
                            li { a href=(href) aria-current=[(active == Some(*href)).then_some("page")] {
                                (l.t(*label))
                                @if *href == "/carrello" { " " (cart_count(l, s.cart_count, false)) }
                            } }
                        }
                        li {
                            form method="post" action="/esci" {
                                input type="hidden" name="csrf" value=(s.csrf_token);
                                button type="submit" class="btn-link" { (l.t(text::LOGOUT)) }
                            }
                        }
                    }
                    p class="nav-user" { (l.t(text::USER)) (s.given_name) " " (s.family_name) }
                }
            }
        }
    }
}

fn cart_label(l: Lang, n: i64) -> String {
    l.n(n, text::CART_ONE, text::CART_MANY)
}

/// The number of documents in the cart, next to "Carrello" (hidden at 0). With `oob` it is
/// an htmx out-of-band swap: every cart change answered to htmx carries one, for this badge
/// and for its copy in the phone's menu bar.
pub fn cart_count(l: Lang, n: i64, oob: bool) -> Markup {
    html! {
        span id="cart-count" class="badge cart-count" role="status" aria-label=(cart_label(l, n))
            hx-swap-oob=[oob.then_some("true")] hidden[n <= 0] { (n) }
        @if oob { (cart_count_bar(l, n, true)) }
    }
}

/// The cart's count in the closed menu bar (phones): part of the "Menu" button's name, not
/// a second live region.
fn cart_count_bar(l: Lang, n: i64, oob: bool) -> Markup {
    html! {
        span id="cart-count-bar" class="badge cart-count" hx-swap-oob=[oob.then_some("true")] hidden[n <= 0] {
            span aria-hidden="true" { (n) }
            span class="visually-hidden" { ", " (cart_label(l, n)) }
        }
    }
}

fn footer(ctx: &Ctx) -> Markup {
    let l = ctx.lang;
    html! {
        footer class="site-footer" {
            div class="container" {
                ul {
                    li { a href="/privacy" { (l.t(text::PRIVACY)) } }
                    li { a href="/accessibilita" { (l.t(text::ACCESSIBILITY)) } }
                    li { a href="/manuale" { (l.t(text::NAV_MANUAL)) } }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_htmx_config_is_the_json_it_says() {
        let json = super::HTMX_CONFIG.0.replace("&quot;", "\"");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["historyCacheSize"], 0);
        assert_eq!(v["allowEval"], false);
        assert_eq!(v["responseHandling"][0]["code"], "204");
        assert_eq!(v["responseHandling"][0]["swap"], false);
        // Escaped as maud would escape it: nothing but the quotes needed it.
        assert_eq!(maud::html! { (json) }.into_string(), super::HTMX_CONFIG.0);
    }
}
