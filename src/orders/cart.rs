//! "Carrello": the documents the patient chose to buy; add, remove, "Procedi all'ordine".

use crate::app::App;
use crate::http::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::Resp;

/// `/carrello/<...>` actions (all POST).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `/carrello/aggiungi` with the field `documento` (public id).
    Add,
    /// `/carrello/ordina`: "Procedi all'ordine".
    Checkout,
    /// `/carrello/<document public id>/rimuovi`
    Remove(String),
}

impl Action {
    pub fn decode(rest: &str) -> Option<Action> {
        match rest.trim_end_matches('/') {
            "aggiungi" => Some(Action::Add),
            "ordina" => Some(Action::Checkout),
            other => {
                let (id, verb) = other.split_once('/')?;
                (verb == "rimuovi" && !id.is_empty()).then(|| Action::Remove(id.to_string()))
            }
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Action::Add => "cart_add",
            Action::Checkout => "cart_checkout",
            Action::Remove(_) => "cart_remove",
        }
    }
}

pub async fn page(app: &App, ctx: &mut Ctx) -> Result<Resp, AppError> {
    crate::pages::section(app, ctx, &crate::http::router::Route::Cart)
}

pub async fn action(_app: &App, _ctx: &mut Ctx, _action: &Action) -> Result<Resp, AppError> {
    Err(AppError::not_found())
}
