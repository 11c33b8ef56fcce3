//! Pages of the shell: the home redirect, the sections that later issues fill, the
//! privacy notice, the accessibility statement and the logo.

use crate::app::App;
use crate::auth::{LANDING, sessions};
use crate::http::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::http::router::Route;
use crate::ui::{self, Page};
use hyper::StatusCode;
use maud::html;

pub fn home(_app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    Ok(resp::redirect(if ctx.session.is_some() {
        LANDING
    } else {
        "/accedi"
    }))
}

/// A menu section: its title and what it will hold; the features arrive with their issues.
pub fn section(app: &App, ctx: &mut Ctx, route: &Route) -> Result<Resp, AppError> {
    sessions::require(ctx)?;
    let (path, title, intro) = match route {
        Route::Dashboard => (
            "/dashboard",
            "Dashboard",
            "Gli ultimi ordini e i nuovi documenti a colpo d'occhio.",
        ),
        Route::Orders => (
            "/ordini",
            "Ordini",
            "I tuoi ordini di copia della cartella clinica e il loro stato.",
        ),
        _ => (
            "/assistenza",
            "Assistenza",
            "Le tue richieste di assistenza e di disponibilità.",
        ),
    };
    let body = html! {
        h1 class="page-title" { (title) }
        p { (intro) }
        (ui::alert("info", "Questa sezione è in preparazione e sarà disponibile a breve."))
    };
    Ok(resp::ok_html(ui::page(
        app,
        ctx,
        Page {
            title,
            active: Some(path),
        },
        body,
    )))
}

pub fn legal(app: &App, ctx: &mut Ctx, route: &Route) -> Result<Resp, AppError> {
    let (title, text) = if *route == Route::Privacy {
        ("Informativa privacy", &app.config.legal.privacy_text)
    } else {
        (
            "Dichiarazione di accessibilità",
            &app.config.legal.accessibility_text,
        )
    };
    let body = html! { h1 class="page-title" { (title) } (ui::paragraphs(text)) };
    Ok(resp::ok_html(ui::page(
        app,
        ctx,
        Page {
            title,
            active: None,
        },
        body,
    )))
}

pub fn logo(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    match &app.logo {
        Some((data, kind)) => {
            let mut r = resp::with_type(StatusCode::OK, kind, data.clone());
            r.headers_mut().insert(
                hyper::header::CACHE_CONTROL,
                hyper::header::HeaderValue::from_static("public, max-age=86400"),
            );
            Ok(r)
        }
        None => crate::http::assets::serve("img/logo-asl.svg", ctx.header("if-none-match"))
            .ok_or_else(AppError::not_found),
    }
}
