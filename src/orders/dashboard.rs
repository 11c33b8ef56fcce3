//! "Dashboard": the last five orders and the new documents.

use crate::app::App;
use crate::http::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::Resp;

pub async fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    crate::pages::section(app, ctx, &crate::http::router::Route::Dashboard)
}
