//! `/operatore/chiosco`: an operator marks the browser in front of them as a kiosk (a
//! signed cookie valid `MARK_SECS`) or unmarks it — for kiosks whose addresses are not in
//! `kiosk.networks`. The operator logs out afterwards and leaves the browser on the start
//! page; every mark and unmark is in the audit log.

use super::{COOKIE, MARK_SECS, mark};
use crate::app::App;
use crate::audit;
use crate::error::AppError;
use crate::http::cookies;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::operator::auth::current;
use crate::operator::views;
use crate::ui;
use maud::html;

pub const PATH: &str = "/operatore/chiosco";

pub fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let o = current(ctx)?.clone();
    let marked = ctx
        .cookie(COOKIE)
        .is_some_and(|v| super::valid_mark(&app.secret, v, app.now()));
    let by_network = ctx.kiosk && !marked;
    let done = ctx.query().get("esito").to_string();
    let body = html! {
        h1 { "Modalità chiosco" }
        @match done.as_str() {
            "attivato" => (ui::alert("success", "Questo browser è ora un chiosco. Esci dal back office e lascialo sulla pagina iniziale del portale.")),
            "disattivato" => (ui::alert("success", "Questo browser non è più un chiosco.")),
            _ => {}
        }
        p { "Nei chioschi delle sale d'attesa il portale si adatta a chi lo usa in piedi, con il dito, e a chi viene dopo: dopo "
            (app.config.kiosk.idle_secs) " secondi senza tocchi chiede «Sei ancora lì?» ed esce da solo, i moduli non ricordano i dati, i pulsanti sono più grandi, e al posto di Download il paziente riceve un SMS con l'indirizzo del portale sul cellulare registrato." }
        p {
            "Stato di questo browser: "
            strong {
                @if marked { "chiosco (attivato da un operatore)" }
                @else if by_network { "chiosco (indirizzo nella configurazione kiosk.networks)" }
                @else { "non è un chiosco" }
            }
        }
        div class="actions" {
            form method="post" action=(PATH) {
                (ui::csrf_field(&o.csrf_token))
                input type="hidden" name="azione" value="attiva";
                button type="submit" class="btn btn-primary" { "Imposta questo browser come chiosco" }
            }
            @if marked {
                form method="post" action=(PATH) {
                    (ui::csrf_field(&o.csrf_token))
                    input type="hidden" name="azione" value="disattiva";
                    button type="submit" class="btn btn-outline" { "Non è più un chiosco" }
                }
            }
        }
    };
    Ok(resp::ok_html(views::page(
        app,
        ctx,
        "Modalità chiosco",
        Some(PATH),
        body,
    )))
}

pub async fn submit(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    let o = current(ctx)?.clone();
    let (now, ip) = (app.now(), ctx.ip.to_string());
    let (action, cookie, done) = match ctx.form().get("azione") {
        "attiva" => (
            "kiosk_mark",
            cookies::set(COOKIE, &mark(&app.secret, now), Some(MARK_SECS), ctx.tls),
            "attivato",
        ),
        "disattiva" => (
            "kiosk_unmark",
            cookies::clear(COOKIE, ctx.tls),
            "disattivato",
        ),
        _ => return Err(AppError::bad_request("Azione non valida.")),
    };
    let entry = audit::Entry::by(o.actor()).action(action).ip(&ip);
    app.db
        .write(move |tx| Ok(audit::log(tx, now, &entry)?))
        .await?;
    ctx.set_cookies.push(cookie);
    Ok(resp::go_to(ctx, &format!("{PATH}?esito={done}")))
}
