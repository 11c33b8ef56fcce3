//! "Dashboard": the last five orders (their state polls while pending; Download once
//! COMPLETATO), and "Nuovi Documenti": documents published in the last days.

use super::{store, views};
use crate::app::App;
use crate::auth::sessions;
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::ui::{self, Page, euro, time};
use maud::html;

/// Documents published this many days ago or later are "new".
pub const NEW_DAYS: i64 = 30;
const SHOWN: i64 = 5;

pub async fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    let (patient, since) = (session.patient_id, app.now() - NEW_DAYS * 86_400);
    let now = app.now();
    let (orders, total_orders, (docs, total_docs), (notices, mobile), shares) = app
        .db
        .read(move |c| {
            Ok((
                store::list(c, patient, SHOWN)?,
                store::count(c, patient)?,
                crate::documents::store::new_documents(c, patient, since, SHOWN)?,
                crate::sms::notify::enabled(c, patient)?,
                crate::shares::store::open_of_patient(c, patient, now, SHOWN)?,
            ))
        })
        .await?;
    let alert = match ctx.query().get("avvisi") {
        "1" => Some("Avvisi SMS attivati."),
        "0" => Some("Avvisi SMS disattivati."),
        _ => None,
    };
    let body = html! {
        h1 class="page-title" { "Dashboard" }
        p class="lead" { "Riepilogo ultimi ordini effettuati e documenti aggiunti di recente" }
        p { "Benvenuto, " (session.given_name) " " (session.family_name) "." }
        section class="card" aria-labelledby="ultimi-ordini" {
            h2 id="ultimi-ordini" { "Ultimi cinque ordini effettuati" }
            (views::table(&orders, "Ultimi cinque ordini effettuati", views::Origin::Dashboard))
            @if total_orders > 0 {
                p { a class="btn btn-outline" href="/ordini" { "Visualizza tutti gli ordini" } " (" (total_orders) ")" }
            }
        }
        section class="card" aria-labelledby="nuovi-documenti" {
            h2 id="nuovi-documenti" { "Nuovi Documenti" }
            p class="summary" { (docs.len()) " di " (total_docs) " documenti" " pubblicati negli ultimi " (NEW_DAYS) " giorni" }
            @if docs.is_empty() {
                (ui::alert("info", "Nessun nuovo documento."))
            } @else {
                ul class="plain-list" {
                    @for d in &docs {
                        li {
                            strong { (d.title) } br;
                            span { (d.category) " · pubblicato il " (time::datetime(d.published_at)) " · " }
                            @if d.price_cents > 0 { span { (euro(d.price_cents)) } } @else { span class="badge badge-success" { "GRATUITO" } }
                        }
                    }
                }
            }
            p { a class="btn btn-outline" href="/documenti" { "Vai a Documenti" } }
        }
        section class="card" aria-labelledby="condivisioni" {
            h2 id="condivisioni" { "Condivisioni con il medico" }
            @if shares.is_empty() {
                p { "Nessun documento condiviso in questo momento." }
            } @else {
                ul class="plain-list" {
                    @for sh in &shares {
                        li {
                            strong { (sh.title) }
                            @if !sh.recipient.is_empty() { " · per " (sh.recipient) }
                            br; span { "fino al " (time::datetime_secs(sh.expires_at)) }
                        }
                    }
                }
            }
            p { a class="btn btn-outline" href=(crate::shares::PATH) { "Gestisci le condivisioni" } }
        }
        section class="card" aria-labelledby="i-tuoi-dati" {
            h2 id="i-tuoi-dati" { "I tuoi dati e gli avvisi" }
            @if let Some(msg) = alert { (ui::alert("success", msg)) }
            p { a href=(crate::audit::pages::PATH) { "Chi ha consultato i miei dati" } }
            @if mobile {
                form method="post" action="/dashboard/avvisi" {
                    (ui::csrf_field(&session.csrf_token))
                    p { "Avvisi via SMS quando ci sono nuovi documenti o una risposta dell'Azienda (al massimo uno al giorno, senza alcun dettaglio sanitario): "
                        strong { @if notices { "attivi" } @else { "disattivati" } } "." }
                    @if notices {
                        input type="hidden" name="attivi" value="0";
                        button type="submit" class="btn btn-outline" { "Disattiva gli avvisi SMS" }
                    } @else {
                        input type="hidden" name="attivi" value="1";
                        button type="submit" class="btn btn-outline" { "Attiva gli avvisi SMS" }
                    }
                }
            } @else {
                p class="hint" { "Per ricevere avvisi via SMS serve un numero di cellulare: chiedilo all'Azienda da Assistenza." }
            }
        }
    };
    Ok(resp::ok_html(ui::page(
        app,
        ctx,
        Page {
            title: "Dashboard",
            active: Some("/dashboard"),
        },
        body,
    )))
}

/// `POST /dashboard/avvisi`: the patient turns SMS notices on (`attivi=1`) or off.
pub async fn notices(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let session = sessions::require(ctx)?.clone();
    let on = match ctx.form().get("attivi") {
        "1" => true,
        "0" => false,
        _ => return Err(AppError::bad_request("Scelta non valida.")),
    };
    let (patient, now, ip) = (session.patient_id, app.now(), ctx.ip.to_string());
    app.db
        .write(move |tx| {
            crate::sms::notify::set_enabled(tx, patient, on)?;
            let detail = if on { "attivati" } else { "disattivati" };
            crate::audit::record(tx, now, Some(patient), "notifications", detail, &ip)?;
            Ok(())
        })
        .await?;
    Ok(resp::go_to(
        ctx,
        if on {
            "/dashboard?avvisi=1#i-tuoi-dati"
        } else {
            "/dashboard?avvisi=0#i-tuoi-dati"
        },
    ))
}
