//! Demo only: `/sandbox/sms` shows what the console gateway "delivered". It stands for an
//! outside service (the SMS gateway's own outbox), so it stays in Italian whatever the
//! portal's language, like the SMS texts it lists.

use crate::app::App;
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::i18n::Lang;
use crate::ui::{self, Page, time};
use maud::html;

pub async fn outbox(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let rows = app
        .db
        .read(|c| Ok(super::queue::console_outbox(c, 50)?))
        .await?;
    ctx.lang = Lang::It;
    let body = html! {
        h1 class="page-title" { "SMS inviati (sandbox)" }
        p { "Gli SMS che in produzione partirebbero verso i cellulari. Solo per la dimostrazione." }
        @if rows.is_empty() {
            (ui::alert("info", "Nessun SMS inviato finora."))
        } @else {
            table class="table" {
                thead { tr { th scope="col" { "Inviato il" } th scope="col" { "Destinatario" } th scope="col" { "Testo" } } }
                tbody {
                    @for (to, text, at) in &rows {
                        tr {
                            td data-label="Inviato il" { (time::datetime(*at)) }
                            td data-label="Destinatario" { (to) }
                            td data-label="Testo" class="sms-text" { (text) }
                        }
                    }
                }
            }
        }
    };
    Ok(resp::ok_html(ui::page(
        app,
        ctx,
        Page {
            title: "SMS inviati",
            active: None,
        },
        body,
    )))
}
