//! The one error type of the crate: a kind, a message for the person (Italian, no
//! internals) and a source chain that only goes to the log. Every layer returns it — the
//! stores' callers, background jobs, start-up — and only `http::error` turns it into a
//! response (status, page or fragment).

use crate::i18n::{Text, text};
use std::fmt;

/// Any error as a cause: what `source` holds, so the chain is kept to the log.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

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
    /// For the person, in both languages (Italian only in the back office and the API),
    /// no internals.
    pub message: Text,
    /// For the log only: the cause, with its own causes.
    pub source: Option<BoxError>,
    /// For 405: the allowed methods.
    pub allow: Option<&'static str>,
}

impl AppError {
    pub fn new(kind: Kind, message: impl Into<Text>) -> Self {
        AppError {
            kind,
            message: message.into(),
            source: None,
            allow: None,
        }
    }

    /// Something went wrong inside: a generic message, the cause to the log.
    pub fn internal(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Internal, text::ERR_INTERNAL).because(source)
    }

    /// The same error with its cause.
    pub fn because(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    pub fn bad_request(message: impl Into<Text>) -> Self {
        Self::new(Kind::BadRequest, message)
    }

    pub fn not_found() -> Self {
        Self::new(Kind::NotFound, text::ERR_NOT_FOUND)
    }

    /// Not there, in the words of what was looked for (`documents::NOT_FOUND`,
    /// `orders::NOT_FOUND`…): the same answer whether it does not exist or is another
    /// patient's.
    pub fn missing(message: impl Into<Text>) -> Self {
        Self::new(Kind::NotFound, message)
    }

    pub fn method_not_allowed(allow: &'static str) -> Self {
        AppError {
            allow: Some(allow),
            ..Self::new(Kind::MethodNotAllowed, text::ERR_METHOD)
        }
    }

    pub fn csrf() -> Self {
        Self::new(Kind::Forbidden, text::ERR_CSRF)
    }

    /// What a person reads: for an error inside, always the generic message (the words of
    /// a `context` are for the log).
    pub fn for_person(&self) -> &Text {
        const INTERNAL: Text = Text::Msg(text::ERR_INTERNAL);
        if self.kind == Kind::Internal {
            &INTERNAL
        } else {
            &self.message
        }
    }

    /// The causes, outermost first, as one line for the log.
    pub fn chain(&self) -> String {
        let mut out = String::new();
        let mut next: Option<&(dyn std::error::Error + 'static)> =
            self.source.as_deref().map(|e| e as _);
        while let Some(e) = next {
            if !out.is_empty() {
                out.push_str(": ");
            }
            // An AppError's Display adds its own causes: here only its message, the causes
            // follow in the loop.
            match e.downcast_ref::<AppError>() {
                Some(inner) => out.push_str(inner.message.italian()),
                None => out.push_str(&e.to_string()),
            }
            next = e.source();
        }
        out
    }
}

/// The message, then the causes: what the log and the command line print.
impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message.italian())?;
        let chain = self.chain();
        if !chain.is_empty() {
            write!(f, ": {chain}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
        match &e {
            rusqlite::Error::QueryReturnedNoRows => {
                Self::new(Kind::NotFound, "Elemento non trovato.").because(e)
            }
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(f.code, DatabaseBusy | DatabaseLocked) =>
            {
                Self::new(
                    Kind::Unavailable,
                    "Il servizio è molto occupato. Riprova tra qualche secondo.",
                )
                .because(e)
            }
            _ => AppError::internal(e),
        }
    }
}

/// `.context("what was being done")?`: an error of another type as an `AppError` that
/// says what failed (for the log and the command line) and keeps the cause.
pub trait Context<T> {
    fn context(self, what: impl Into<String>) -> Result<T, AppError>;
}

impl<T, E: Into<BoxError>> Context<T> for Result<T, E> {
    fn context(self, what: impl Into<String>) -> Result<T, AppError> {
        self.map_err(|e| AppError::new(Kind::Internal, what.into()).because(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_reaches_the_log_and_the_message_stays_clean() {
        let io = std::io::Error::other("disco pieno");
        let e: Result<(), _> = Err(io);
        let e = e.context("scrittura del pacchetto").unwrap_err();
        assert_eq!(e.message.italian(), "scrittura del pacchetto");
        assert_eq!(e.for_person(), &Text::Msg(text::ERR_INTERNAL));
        assert_eq!(e.to_string(), "scrittura del pacchetto: disco pieno");
        let outer = AppError::internal(e);
        assert_eq!(outer.chain(), "scrittura del pacchetto: disco pieno");
        assert!(std::error::Error::source(&outer).is_some());
        assert!(
            !outer.message.italian().contains("disco"),
            "the person never sees the cause"
        );
    }
}
