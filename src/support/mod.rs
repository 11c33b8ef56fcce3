//! "Assistenza": the patient's assistance and availability requests, with their state and
//! the operators' replies, and the form for a new one.

use crate::app::App;
use crate::http::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::Resp;

pub async fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    crate::pages::section(app, ctx, &crate::http::router::Route::Support)
}

pub async fn submit(_app: &App, _ctx: &mut Ctx) -> Result<Resp, AppError> {
    Err(AppError::not_found())
}
