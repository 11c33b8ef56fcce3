//! Login and new-PIN pages.

use crate::app::App;
use crate::http::req::Ctx;
use crate::ui::{self, Field, Page};
use maud::{Markup, html};

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
pub fn identity_buttons(csrf: &str) -> Markup {
    html! {
        div class="actions" {
            form class="inline" method="post" action="/accedi/spid" {
                (ui::csrf_field(csrf))
                button type="submit" class="btn btn-spid" {
                    img src="/assets/img/spid.svg" alt="" width="24" height="24";
                    span { "Entra con SPID" }
                }
            }
            form class="inline" method="post" action="/accedi/cie" {
                (ui::csrf_field(csrf))
                button type="submit" class="btn btn-cie" {
                    img src="/assets/img/cie.svg" alt="" width="24" height="24";
                    span { "Entra con CIE" }
                }
            }
        }
        (spid_help())
    }
}

/// AgID's public pages on SPID, as the SPID access button kit links them: a new tab, so
/// the login form stays where it is.
pub const SPID_INFO: &str = "https://www.spid.gov.it/";
pub const SPID_REQUEST: &str = "https://www.spid.gov.it/richiedi-spid";

fn spid_help() -> Markup {
    html! {
        ul class="help-links" aria-label="Informazioni su SPID" {
            li { a href=(SPID_INFO) target="_blank" rel="noopener" {
                "Maggiori informazioni" span class="visually-hidden" { " su SPID (si apre in una nuova scheda)" }
            } }
            li { a href=(SPID_REQUEST) target="_blank" rel="noopener" {
                "Non hai SPID?" span class="visually-hidden" { " (si apre in una nuova scheda)" }
            } }
        }
    }
}

fn cf_field<'a>(state: &'a FormState) -> Field<'a> {
    Field {
        name: "codice_fiscale",
        label: "Codice Fiscale",
        kind: "text",
        value: state.cf,
        hint: Some("16 caratteri, come sulla tessera sanitaria."),
        error: state.cf_error.as_deref(),
        autocomplete: "username",
        inputmode: None,
        maxlength: 16,
    }
}

pub fn login(app: &App, ctx: &Ctx, csrf: &str, state: &FormState) -> Markup {
    let body = html! {
        div class="login-box card" {
            h1 class="page-title" { "Accedi" }
            @if let Some((kind, msg)) = &state.alert { (ui::alert(kind, msg)) }
            p { "Accedi con la tua identità digitale:" }
            (identity_buttons(csrf))
            p class="divider-or" { span { "oppure" } }
            form method="post" action="/accedi" novalidate {
                (ui::csrf_field(csrf))
                (ui::field(&cf_field(state)))
                (ui::field(&Field {
                    name: "pin",
                    label: "PIN",
                    kind: "password",
                    value: "",
                    hint: Some("Il PIN di 8 cifre ricevuto via SMS."),
                    error: state.second_error.as_deref(),
                    autocomplete: "current-password",
                    inputmode: Some("numeric"),
                    maxlength: 8,
                }))
                button type="submit" class="btn btn-primary btn-block" { "Accedi" }
            }
            p { a href="/nuovo-pin" { "Ho bisogno di un nuovo PIN" } }
            ul class="help-links" aria-label="Aiuto per l'accesso" {
                li { a href="/manuale#accesso" { "Istruzioni per l'accesso" } }
                li { a href="/manuale#nuovo-pin" { "Come richiedere il PIN?" } }
            }
        }
    };
    ui::page(
        app,
        ctx,
        Page {
            title: "Accedi",
            active: None,
        },
        body,
    )
}

pub fn new_pin(app: &App, ctx: &Ctx, csrf: &str, state: &FormState) -> Markup {
    let body = html! {
        div class="login-box card" {
            h1 class="page-title" { "Richiedi un nuovo PIN" }
            @if let Some((kind, msg)) = &state.alert { (ui::alert(kind, msg)) }
            p { "Inserisci il codice fiscale e il numero di cellulare che hai comunicato all'Azienda: \
                 riceverai via SMS un nuovo PIN che sostituisce il precedente." }
            form method="post" action="/nuovo-pin" novalidate {
                (ui::csrf_field(csrf))
                (ui::field(&cf_field(state)))
                (ui::field(&Field {
                    name: "cellulare",
                    label: "Cellulare",
                    kind: "tel",
                    value: state.mobile,
                    hint: Some("Esempio: 333 1234567 oppure +39 333 1234567."),
                    error: state.second_error.as_deref(),
                    autocomplete: "tel",
                    inputmode: Some("tel"),
                    maxlength: 20,
                }))
                button type="submit" class="btn btn-primary btn-block" { "Invia Richiesta" }
            }
            p { a href="/accedi" { "Torna all'accesso" } }
        }
    };
    ui::page(
        app,
        ctx,
        Page {
            title: "Nuovo PIN",
            active: None,
        },
        body,
    )
}
