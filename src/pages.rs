//! Pages of the shell: the home redirect, the privacy notice, the accessibility statement
//! and the logo.

use crate::app::App;
use crate::auth::LANDING;
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::http::router::Route;
use crate::i18n::text;
use crate::ui::{self, Page};
use hyper::StatusCode;
use maud::html;

pub fn home(_app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    // A kiosk left alone without a session comes back here (`/?ricomincia=1`, app.js): the
    // language the last person chose goes too.
    if ctx.kiosk && ctx.session.is_none() && !ctx.query().get("ricomincia").is_empty() {
        ctx.set_cookies.push(crate::http::cookies::clear(
            crate::i18n::Lang::COOKIE,
            ctx.tls,
        ));
    }
    Ok(resp::redirect(if ctx.session.is_some() {
        LANDING
    } else {
        "/accedi"
    }))
}

/// The privacy notice and the accessibility statement: the heading is the portal's, the
/// text the ASL's own (configuration, in Italian: marked `lang="it"`).
pub fn legal(app: &App, ctx: &mut Ctx, route: &Route) -> Result<Resp, AppError> {
    let (title, text) = if *route == Route::Privacy {
        (text::PRIVACY, &app.config.legal.privacy_text)
    } else {
        (text::ACCESSIBILITY, &app.config.legal.accessibility_text)
    };
    let title = ctx.lang.t(title);
    let body = html! {
        h1 class="page-title" { (title) }
        div class="legal-text" lang="it" { (ui::paragraphs(text)) }
    };
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
        None => crate::http::assets::serve("img/logo-asl.svg", ctx).ok_or_else(AppError::not_found),
    }
}
