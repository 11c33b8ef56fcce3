//! The sandbox payment portal's pages.

use crate::app::App;
use crate::http::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::Resp;

pub async fn handle(_app: &App, _ctx: &mut Ctx) -> Result<Resp, AppError> {
    Err(AppError::not_found())
}
