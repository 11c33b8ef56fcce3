//! Login and new-PIN pages.

use super::text;
use crate::app::App;
use crate::http::req::Ctx;
use crate::i18n::Lang;
use crate::ui::{self, Field, Page};
use maud::{Markup, html};

/// What a form shows again: the values typed, the fields' errors and an alert, already in
/// the request's language.
#[derive(Default)]
pub struct FormState<'a> {
    pub cf: &'a str,
    pub mobile: &'a str,
    pub cf_error: Option<String>,
    pub second_error: Option<String>,
    pub alert: Option<(&'static str, String)>,
}

/// "Entra con SPID" / "Entra con CIE": small forms (starting a login writes a row, so it is
/// a POST with the anonymous CSRF token, never a link a crawler could follow).
pub fn identity_buttons(l: Lang, csrf: &str) -> Markup {
    html! {
        div class="actions" {
            form class="inline" method="post" action="/accedi/spid" {
                (ui::csrf_field(csrf))
                button type="submit" class="btn btn-spid" {
                    img src="/assets/img/spid.svg" alt="" width="24" height="24";
                    span { (l.t(text::ENTER_SPID)) }
                }
            }
            form class="inline" method="post" action="/accedi/cie" {
                (ui::csrf_field(csrf))
                button type="submit" class="btn btn-cie" {
                    img src="/assets/img/cie.svg" alt="" width="24" height="24";
                    span { (l.t(text::ENTER_CIE)) }
                }
            }
        }
        (spid_help(l))
    }
}

/// AgID's public pages on SPID, as the SPID access button kit links them: a new tab, so
/// the login form stays where it is. The pages are AgID's, in Italian.
pub const SPID_INFO: &str = "https://www.spid.gov.it/";
pub const SPID_REQUEST: &str = "https://www.spid.gov.it/richiedi-spid";

fn spid_help(l: Lang) -> Markup {
    html! {
        ul class="help-links" aria-label=(l.t(text::SPID_HELP_LABEL)) {
            li { a href=(SPID_INFO) hreflang="it" target="_blank" rel="noopener" {
                (l.t(text::SPID_MORE)) span class="visually-hidden" { (l.t(text::SPID_MORE_HIDDEN)) }
            } }
            li { a href=(SPID_REQUEST) hreflang="it" target="_blank" rel="noopener" {
                (l.t(text::SPID_NONE)) span class="visually-hidden" { (l.t(text::NEW_TAB)) }
            } }
        }
    }
}

fn cf_field<'a>(l: Lang, state: &'a FormState) -> Field<'a> {
    Field {
        name: "codice_fiscale",
        label: l.t(text::CF_LABEL),
        kind: "text",
        value: state.cf,
        hint: Some(l.t(text::CF_HINT)),
        error: state.cf_error.as_deref(),
        autocomplete: "username",
        inputmode: None,
        maxlength: 16,
    }
}

pub fn login(app: &App, ctx: &Ctx, csrf: &str, state: &FormState) -> Markup {
    let l = ctx.lang;
    let body = html! {
        div class="login-box card" {
            h1 class="page-title" { (l.t(text::LOGIN)) }
            @if let Some((kind, msg)) = &state.alert { (ui::alert(kind, msg)) }
            p { (l.t(text::LOGIN_DIGITAL)) }
            (identity_buttons(l, csrf))
            p class="divider-or" { span { (l.t(text::OR)) } }
            form method="post" action="/accedi" novalidate {
                (ui::csrf_field(csrf))
                (ui::field(&cf_field(l, state)))
                (ui::field(&Field {
                    name: "pin",
                    label: l.t(text::PIN_LABEL),
                    kind: "password",
                    value: "",
                    hint: Some(l.t(text::PIN_HINT)),
                    error: state.second_error.as_deref(),
                    autocomplete: "current-password",
                    inputmode: Some("numeric"),
                    maxlength: 8,
                }))
                button type="submit" class="btn btn-primary btn-block" { (l.t(text::LOGIN)) }
            }
            p { a href="/nuovo-pin" { (l.t(text::NEED_PIN)) } }
            ul class="help-links" aria-label=(l.t(text::HELP_LABEL)) {
                li { a href="/manuale#accesso" { (l.t(text::HELP_LOGIN)) } }
                li { a href="/manuale#nuovo-pin" { (l.t(text::HELP_PIN)) } }
            }
        }
    };
    ui::page(
        app,
        ctx,
        Page {
            title: l.t(text::LOGIN),
            active: None,
        },
        body,
    )
}

pub fn new_pin(app: &App, ctx: &Ctx, csrf: &str, state: &FormState) -> Markup {
    let l = ctx.lang;
    let body = html! {
        div class="login-box card" {
            h1 class="page-title" { (l.t(text::NEW_PIN_HEADING)) }
            @if let Some((kind, msg)) = &state.alert { (ui::alert(kind, msg)) }
            p { (l.t(text::NEW_PIN_INTRO)) }
            form method="post" action="/nuovo-pin" novalidate {
                (ui::csrf_field(csrf))
                (ui::field(&cf_field(l, state)))
                (ui::field(&Field {
                    name: "cellulare",
                    label: l.t(text::MOBILE_LABEL),
                    kind: "tel",
                    value: state.mobile,
                    hint: Some(l.t(text::MOBILE_HINT)),
                    error: state.second_error.as_deref(),
                    autocomplete: "tel",
                    inputmode: Some("tel"),
                    maxlength: 20,
                }))
                button type="submit" class="btn btn-primary btn-block" { (l.t(text::SEND_REQUEST)) }
            }
            p { a href="/accedi" { (l.t(text::BACK_TO_LOGIN)) } }
        }
    };
    ui::page(
        app,
        ctx,
        Page {
            title: l.t(text::NEW_PIN_TITLE),
            active: None,
        },
        body,
    )
}
