//! How an `AppError` (crate::error) answers over HTTP: its status and the title of its page.

use crate::error::{AppError, Kind};
use hyper::StatusCode;

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self.kind {
            Kind::BadRequest => StatusCode::BAD_REQUEST,
            Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
            Kind::Forbidden => StatusCode::FORBIDDEN,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Kind::Conflict => StatusCode::CONFLICT,
            Kind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            Kind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Kind::Timeout => StatusCode::REQUEST_TIMEOUT,
            Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn title(&self) -> &'static str {
        match self.kind {
            Kind::BadRequest | Kind::Unprocessable => "Richiesta non valida",
            Kind::Unauthenticated => "Accesso richiesto",
            Kind::Forbidden => "Operazione non consentita",
            Kind::NotFound => "Pagina non trovata",
            Kind::MethodNotAllowed => "Operazione non consentita",
            Kind::Conflict => "Operazione non possibile",
            Kind::PayloadTooLarge => "Dati troppo grandi",
            Kind::TooManyRequests => "Troppe richieste",
            Kind::Timeout => "Tempo scaduto",
            Kind::Unavailable => "Servizio momentaneamente non disponibile",
            Kind::Internal => "Errore del servizio",
        }
    }
}
