//! Errors that speak to two audiences: a kind and an Italian message for the person,
//! a source that only goes to the log.

use hyper::StatusCode;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    BadRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    Unprocessable,
    TooManyRequests,
    Timeout,
    Unavailable,
    Internal,
}

#[derive(Debug)]
pub struct AppError {
    pub kind: Kind,
    /// For the person: Italian, no internals.
    pub message: String,
    /// For the log only.
    pub source: Option<String>,
    /// For 405: the allowed methods.
    pub allow: Option<&'static str>,
}

impl AppError {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        AppError {
            kind,
            message: message.into(),
            source: None,
            allow: None,
        }
    }

    pub fn internal(source: impl fmt::Display) -> Self {
        AppError {
            kind: Kind::Internal,
            message: "Si è verificato un errore imprevisto. Riprova tra qualche minuto.".into(),
            source: Some(source.to_string()),
            allow: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(Kind::BadRequest, message)
    }

    pub fn not_found() -> Self {
        Self::new(Kind::NotFound, "La pagina richiesta non esiste.")
    }

    pub fn method_not_allowed(allow: &'static str) -> Self {
        AppError {
            allow: Some(allow),
            ..Self::new(
                Kind::MethodNotAllowed,
                "Operazione non consentita su questa pagina.",
            )
        }
    }

    pub fn csrf() -> Self {
        Self::new(
            Kind::Forbidden,
            "La richiesta è scaduta o non proviene da questo portale. Ricarica la pagina e riprova.",
        )
    }

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

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)?;
        if let Some(s) = &self.source {
            write!(f, " ({s})")?;
        }
        Ok(())
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
        match &e {
            rusqlite::Error::QueryReturnedNoRows => AppError {
                source: Some(e.to_string()),
                ..Self::new(Kind::NotFound, "Elemento non trovato.")
            },
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(f.code, DatabaseBusy | DatabaseLocked) =>
            {
                AppError {
                    source: Some(e.to_string()),
                    ..Self::new(
                        Kind::Unavailable,
                        "Il servizio è molto occupato. Riprova tra qualche secondo.",
                    )
                }
            }
            _ => AppError::internal(e),
        }
    }
}
