//! How an `AppError` (crate::error) answers over HTTP: its status and the title of its page.

use crate::error::{AppError, Kind};
use crate::i18n::{Msg, text};
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

    pub fn title(&self) -> Msg {
        match self.kind {
            Kind::BadRequest | Kind::Unprocessable => text::TITLE_BAD_REQUEST,
            Kind::Unauthenticated => text::TITLE_LOGIN,
            Kind::Forbidden | Kind::MethodNotAllowed => text::TITLE_FORBIDDEN,
            Kind::NotFound => text::TITLE_NOT_FOUND,
            Kind::Conflict => text::TITLE_CONFLICT,
            Kind::PayloadTooLarge => text::TITLE_TOO_LARGE,
            Kind::TooManyRequests => text::TITLE_TOO_MANY,
            Kind::Timeout => text::TITLE_TIMEOUT,
            Kind::Unavailable => text::TITLE_UNAVAILABLE,
            Kind::Internal => text::TITLE_INTERNAL,
        }
    }
}
