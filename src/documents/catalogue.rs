//! "Documenti": every document tied to the patient's codice fiscale, with price or GRATUITO,
//! state, a preview dialog and "Aggiungi Carrello".

use crate::app::App;
use crate::http::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::Resp;

/// `/documenti/<id>/<action>`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The preview (a dialog fragment for htmx, a page otherwise).
    Preview,
    /// The thumbnail JPEG of an image document.
    Thumbnail,
}

impl Action {
    pub fn decode(s: &str) -> Option<Action> {
        match s {
            "anteprima" => Some(Action::Preview),
            "miniatura" => Some(Action::Thumbnail),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Action::Preview => "catalogue_preview",
            Action::Thumbnail => "catalogue_thumbnail",
        }
    }
}

pub async fn list(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    crate::pages::section(app, ctx, &crate::http::router::Route::Documents)
}

pub async fn document(
    _app: &App,
    _ctx: &mut Ctx,
    _id: &str,
    _action: Action,
) -> Result<Resp, AppError> {
    Err(AppError::not_found())
}
