//! The sandbox payment portal's page, as the ASL's manual shows the regional one: paste the
//! Identificativo ticket and the codice fiscale, "Cerca", then "PAGA SUBITO" (or simulate a
//! failed payment). Demo and tests only: served when `payments.provider = "sandbox"`.
//!
//! It stands for an outside provider's portal (the regional one speaks Italian only), so
//! it is always in Italian, whatever the patient chose on the ASL's portal: a patient who
//! reads the portal in English gets one line in English saying so.

use super::{Found, PATH};
use crate::app::App;
use crate::error::{AppError, Kind};
use crate::http::csrf;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::i18n::Lang;
use crate::ui::{self, Page};
use hyper::StatusCode;
use maud::{Markup, html};

/// Where "Torna al portale dell'Azienda" leads: only an order page of this portal.
fn return_path(s: &str) -> Option<&str> {
    let n = s.strip_prefix("/ordini/")?;
    crate::public_id::PublicId::parse(n).map(|_| s)
}

pub async fn handle(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let sandbox = app
        .sandbox_payments
        .clone()
        .ok_or_else(AppError::not_found)?;
    // An outside provider's page: Italian, always.
    let asked = std::mem::replace(&mut ctx.lang, Lang::It);
    let token = csrf::anon_token(ctx, &app.secret, app.now());
    let query = ctx.query();
    let (fields, post) = if ctx.method == hyper::Method::POST {
        (ctx.form(), true)
    } else {
        (&query, false)
    };
    let ticket: String = fields
        .get("ticket")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let cf = fields.get("codice_fiscale").trim().to_ascii_uppercase();
    let back = return_path(fields.get("ritorno")).map(str::to_string);
    let action = fields.get("azione").to_string();
    let mut message: Option<(&str, String)> = None;
    let mut found: Option<Found> = None;
    let mut status = StatusCode::OK;
    if post {
        if ticket.len() != 18 || !ticket.bytes().all(|b| b.is_ascii_digit()) || cf.len() != 16 {
            status = StatusCode::UNPROCESSABLE_ENTITY;
            message = Some((
                "danger",
                "Inserisci l'Identificativo ticket (18 cifre) e il codice fiscale (16 caratteri)."
                    .into(),
            ));
        } else {
            let (s, t, c, a) = (sandbox.clone(), ticket.clone(), cf.clone(), action.clone());
            let (done, pos) = tokio::task::spawn_blocking(move || {
                let done = match a.as_str() {
                    "paga" => Some(s.pay(&t, &c)?),
                    "fallisci" => Some(s.fail(&t, &c)?),
                    _ => None,
                };
                Ok::<_, crate::payments::provider::ProviderError>((done, s.find(&t, &c)?))
            })
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)?;
            message = match (action.as_str(), done, &pos) {
                (_, _, None) => {
                    status = StatusCode::NOT_FOUND;
                    Some(("danger", "Nessun avviso trovato con questi dati: controlla il codice e il codice fiscale.".into()))
                }
                ("paga", Some(true), _) => Some((
                    "success",
                    format!(
                        "Pagamento in elaborazione: l'esito arriverà all'Azienda tra circa {} secondi.",
                        app.config.payments.sandbox_confirm_secs
                    ),
                )),
                ("fallisci", Some(true), _) => {
                    Some(("warning", "Pagamento non riuscito (simulato).".into()))
                }
                (_, Some(false), _) => {
                    status = StatusCode::CONFLICT;
                    Some(("danger", "Questo avviso non si può pagare ora: è già pagato, in elaborazione, annullato o scaduto.".into()))
                }
                _ => None,
            };
            found = pos;
        }
    }
    let body = html! {
        h1 class="page-title" { "Portale dei pagamenti" }
        @if asked == Lang::En {
            p class="hint" lang="en" { (asked.t(crate::payments::text::SANDBOX_ITALIAN_ONLY)) }
        }
        (ui::alert("info", "Simulazione del portale regionale dei pagamenti pagoPA: nessun addebito reale."))
        @if let Some((kind, text)) = &message { (ui::alert(kind, text)) }
        (search_form(&token, &ticket, &cf, back.as_deref()))
        @if let Some(f) = &found { (position(f, &token, back.as_deref())) }
        @if let Some(b) = &back { p { a class="btn btn-outline" href=(b) { "Torna al portale dell'Azienda" } } }
    };
    if status == StatusCode::UNPROCESSABLE_ENTITY && ctx.is_htmx() {
        return Err(AppError::new(Kind::Unprocessable, "Dati non validi."));
    }
    Ok(resp::html(
        status,
        ui::page(
            app,
            ctx,
            Page {
                title: "Portale dei pagamenti (simulazione)",
                active: None,
            },
            body,
        ),
    ))
}

fn hidden(token: &str, back: Option<&str>) -> Markup {
    html! {
        (ui::csrf_field(token))
        @if let Some(b) = back { input type="hidden" name="ritorno" value=(b); }
    }
}

fn search_form(token: &str, ticket: &str, cf: &str, back: Option<&str>) -> Markup {
    html! {
        form class="card" method="post" action=(PATH) {
            h2 { "Paga un avviso" }
            (hidden(token, back))
            (ui::field(&ui::Field { name: "ticket", label: "Identificativo ticket (codice avviso)", kind: "text", value: ticket,
                hint: Some("18 cifre, come sull'avviso di pagamento"), error: None, autocomplete: "off", inputmode: Some("numeric"), maxlength: 24 }))
            (ui::field(&ui::Field { name: "codice_fiscale", label: "Codice fiscale del debitore", kind: "text", value: cf,
                hint: None, error: None, autocomplete: "off", inputmode: None, maxlength: 16 }))
            div class="actions" { button type="submit" class="btn btn-primary" name="azione" value="cerca" { "Cerca" } }
        }
    }
}

fn position(f: &Found, token: &str, back: Option<&str>) -> Markup {
    let state = match f.state.as_str() {
        "paid" => "Pagato",
        "processing" => "In elaborazione",
        "failed" => "Ultimo tentativo non riuscito",
        "cancelled" => "Annullato dall'ente",
        _ => "Da pagare",
    };
    let payable = matches!(f.state.as_str(), "unpaid" | "failed");
    html! {
        section class="card" aria-labelledby="avviso-trovato" {
            h2 id="avviso-trovato" { "Avviso trovato" }
            dl class="details" {
                dt { "Ente creditore" } dd { (f.payee) " (" (f.ente_cf) ")" }
                dt { "Debitore" } dd { (f.payer_name) }
                dt { "Causale" } dd { (f.causale) }
                dt { "Importo" } dd { (crate::payments::avviso::amount(f.amount_cents)) }
                dt { "Scadenza" } dd { (f.due_day) }
                dt { "Codice avviso" } dd class="mono" { (f.notice_number) }
                dt { "Stato" } dd { (state) }
            }
            @if payable {
                form method="post" action=(PATH) class="actions" {
                    (hidden(token, back))
                    input type="hidden" name="ticket" value=(f.notice_number);
                    input type="hidden" name="codice_fiscale" value=(f.payer_cf);
                    button type="submit" class="btn btn-primary" name="azione" value="paga" { "PAGA SUBITO" }
                    button type="submit" class="btn btn-outline" name="azione" value="fallisci" { "Simula pagamento non riuscito" }
                }
            }
        }
    }
}
