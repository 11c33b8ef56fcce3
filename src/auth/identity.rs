//! "Entra con SPID" / "Entra con CIE": until the OpenID Connect issue lands, these say so.

use crate::app::App;
use crate::http::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::http::router::Route;
use crate::ui::{self, Page};
use maud::html;

pub fn coming_soon(app: &App, ctx: &mut Ctx, route: &Route) -> Result<Resp, AppError> {
    let name = if *route == Route::LoginCie {
        "CIE (Carta d'Identità Elettronica)"
    } else {
        "SPID"
    };
    let body = html! {
        h1 class="page-title" { "Accesso con " (name) }
        (ui::alert("info", "L'accesso con SPID e CIE sarà disponibile a breve su questo portale."))
        @if app.config.auth.pin {
            p { "Nel frattempo puoi accedere con codice fiscale e PIN." }
            p { a class="btn btn-primary" href="/accedi" { "Accedi con codice fiscale e PIN" } }
        }
    };
    Ok(resp::ok_html(ui::page(
        app,
        ctx,
        Page {
            title: "Accesso",
            active: None,
        },
        body,
    )))
}
