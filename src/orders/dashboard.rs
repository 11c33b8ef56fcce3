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
    let (orders, total_orders, (docs, total_docs)) = app
        .db
        .read(move |c| {
            Ok((
                store::list(c, patient, SHOWN)?,
                store::count(c, patient)?,
                crate::documents::store::new_documents(c, patient, since, SHOWN)?,
            ))
        })
        .await?;
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
