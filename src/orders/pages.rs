//! "Ordini" and one order's page: details, consents, payer fields, the ticket, polling.

use crate::app::App;
use crate::http::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::Resp;

pub async fn list(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    crate::pages::section(app, ctx, &crate::http::router::Route::Orders)
}

pub async fn order(
    _app: &App,
    _ctx: &mut Ctx,
    _number: &str,
    _action: super::Action,
) -> Result<Resp, AppError> {
    Err(AppError::not_found())
}
