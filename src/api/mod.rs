//! The ingest API `/api/v1` of the hospital's systems (RIS, ADT, document repository):
//! JSON with a bearer token (`operator::tokens`: scopes, address allow-list, expiry,
//! revocation), never a cookie nor a CSRF token; every answer, errors included, is JSON.
//! `openapi.json` describes it; each action is in the audit log as the token's.

pub mod documents;
pub mod item;
pub mod json;
pub mod openapi;
pub mod patients;
pub mod pdf;
pub mod withdraw;

use crate::app::App;
use crate::audit::Actor;
use crate::http::req::Ctx;
use crate::http::resp::Resp;
use crate::operator::tokens::store::{self, Token};
use hyper::{Method, StatusCode};
use json::ApiError;
use std::time::Duration;

pub const PREFIX: &str = "/api/v1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET /openapi.json`, without a token.
    OpenApi,
    /// `PUT /pazienti/{codice_fiscale}`
    Patient(String),
    /// `GET /pazienti/{codice_fiscale}/documenti`
    PatientDocuments(String),
    /// `POST /documenti`
    Documents,
    /// `POST /documenti/lotto` (and `DELETE` of the document whose external id is "lotto").
    Batch,
    /// `DELETE /documenti/{id_esterno}`
    Document(String),
    NotFound,
}

impl Route {
    /// The path after `/api/v1` ("" or "/…"); segments are percent-decoded.
    pub fn decode(rest: &str) -> Route {
        let Some(parts) = rest
            .split('/')
            .skip(1)
            .map(percent_decode)
            .collect::<Option<Vec<String>>>()
        else {
            return Route::NotFound;
        };
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        match parts.as_slice() {
            ["openapi.json"] => Route::OpenApi,
            ["pazienti", cf] if !cf.is_empty() => Route::Patient(cf.to_string()),
            ["pazienti", cf, "documenti"] if !cf.is_empty() => {
                Route::PatientDocuments(cf.to_string())
            }
            ["documenti"] => Route::Documents,
            ["documenti", "lotto"] => Route::Batch,
            ["documenti", id] if !id.is_empty() => Route::Document(id.to_string()),
            _ => Route::NotFound,
        }
    }

    /// The path as the request log shows it: without its parameters (a codice fiscale is
    /// personal data, and logs hold none).
    pub fn template(&self) -> &'static str {
        match self {
            Route::OpenApi => "/api/v1/openapi.json",
            Route::Patient(_) => "/api/v1/pazienti/{codice_fiscale}",
            Route::PatientDocuments(_) => "/api/v1/pazienti/{codice_fiscale}/documenti",
            Route::Documents => "/api/v1/documenti",
            Route::Batch => "/api/v1/documenti/lotto",
            Route::Document(_) => "/api/v1/documenti/{id_esterno}",
            Route::NotFound => crate::http::routes::NOT_A_ROUTE,
        }
    }

    /// Label for metrics: bounded, never holds a path parameter.
    pub fn name(&self) -> &'static str {
        match self {
            Route::OpenApi => "api_openapi",
            Route::Patient(_) => "api_patient",
            Route::PatientDocuments(_) => "api_patient_documents",
            Route::Documents => "api_publish",
            Route::Batch => "api_batch",
            Route::Document(_) => "api_withdraw",
            Route::NotFound => "api_not_found",
        }
    }
}

/// The API's routes and their methods (`http::routes::routes`); the patterns are the
/// routes' `template`s.
pub const ROUTES: &[(&str, &[&str])] = &[
    ("/api/v1/openapi.json", &["GET"]),
    ("/api/v1/pazienti/{codice_fiscale}", &["PUT"]),
    ("/api/v1/pazienti/{codice_fiscale}/documenti", &["GET"]),
    ("/api/v1/documenti", &["POST"]),
    ("/api/v1/documenti/lotto", &["POST", "DELETE"]),
    ("/api/v1/documenti/{id_esterno}", &["DELETE"]),
];

/// `%XX` escapes of a path segment; `None` when they do not make UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Answers an API request: never a page, never a redirect.
pub async fn serve(app: &App, route: &Route, ctx: &mut Ctx) -> Resp {
    match handle(app, route, ctx).await {
        Ok(r) => r,
        Err(e) => e.response(),
    }
}

async fn handle(app: &App, route: &Route, ctx: &mut Ctx) -> Result<Resp, ApiError> {
    let m = ctx.method.clone();
    let get = m == Method::GET || m == Method::HEAD;
    match route {
        Route::OpenApi if get => Ok(openapi::serve(app)),
        Route::OpenApi => Err(ApiError::method("GET, HEAD")),
        Route::Patient(cf) if m == Method::PUT => patients::upsert(app, ctx, cf).await,
        Route::Patient(_) => Err(ApiError::method("PUT")),
        Route::PatientDocuments(cf) if get => patients::documents(app, ctx, cf).await,
        Route::PatientDocuments(_) => Err(ApiError::method("GET, HEAD")),
        Route::Documents if m == Method::POST => documents::publish(app, ctx).await,
        Route::Documents => Err(ApiError::method("POST")),
        Route::Batch if m == Method::POST => documents::batch(app, ctx).await,
        Route::Batch if m == Method::DELETE => withdraw::withdraw(app, ctx, "lotto").await,
        Route::Batch => Err(ApiError::method("POST")),
        Route::Document(id) if m == Method::DELETE => withdraw::withdraw(app, ctx, id).await,
        Route::Document(_) => Err(ApiError::method("DELETE")),
        Route::NotFound => Err(ApiError::not_found(
            "Indirizzo dell'API inesistente: vedi /api/v1/openapi.json.",
        )),
    }
}

/// The system calling, as its token says.
pub struct Caller {
    pub token: Token,
    pub ip: String,
}

impl Caller {
    /// The documents it publishes are unique per origin and external id.
    pub fn origin(&self) -> String {
        format!("api:{}", self.token.client)
    }

    pub fn actor(&self) -> Actor {
        Actor::Api(self.token.id)
    }
}

/// The bearer token of the request, checked: 401 when missing, unknown, revoked or
/// expired; 403 when used from an address it does not allow or without `scope`. Unknown
/// tokens are guesses: counted per address like logins (`auth.ip_attempts_per_minute`,
/// `GUESSES`); once spent, every request from there is 429 for a while, whatever its
/// token, so that guessing learns nothing. The check comes before the lookup and the count
/// after it, so guesses sent at the same instant may pass together: with 256-bit random
/// tokens the limit is against floods of lookups, not a search that could succeed.
pub async fn authenticate(app: &App, ctx: &Ctx, scope: &'static str) -> Result<Caller, ApiError> {
    if app.ip_limiter.exhausted(ctx.ip, GUESSES) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Troppi token non validi da questo indirizzo: riprova tra un minuto.",
        ));
    }
    let guess = || {
        app.ip_limiter.allow(ctx.ip, GUESSES);
        ApiError::unauthorized("Token non valido.")
    };
    let secret = ctx
        .header("authorization")
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let Some(secret) = secret else {
        return Err(ApiError::unauthorized(
            "Token mancante: invia l'intestazione Authorization: Bearer <token>.",
        ));
    };
    if !secret.starts_with(store::PREFIX) || secret.len() > 200 {
        return Err(guess());
    }
    let secret = secret.to_string();
    let token = app
        .db
        .read(move |c| Ok(store::by_secret(c, &secret)?))
        .await?;
    let now = app.now();
    let token = match token {
        None => return Err(guess()),
        Some(t) if t.revoked_at.is_some() => {
            return Err(ApiError::unauthorized("Token revocato."));
        }
        Some(t) if t.expires_at.is_some_and(|e| e <= now) => {
            return Err(ApiError::unauthorized("Token scaduto."));
        }
        Some(t) => t,
    };
    if !token.allows(ctx.ip) {
        return Err(ApiError::forbidden(
            "Questo token non può essere usato da questo indirizzo.",
        ));
    }
    if !token.has(scope) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!("Il token non ha il permesso {scope}."),
        ));
    }
    // `used` notes at most one use a minute: skip the writer when it would change nothing.
    if token.last_used_at.is_none_or(|u| u < now - 60) {
        let id = token.id;
        app.db
            .write(move |tx| Ok(store::used(tx, id, now)?))
            .await?;
    }
    Ok(Caller {
        token,
        ip: ctx.ip.to_string(),
    })
}

/// The limiter's purpose for wrong API tokens.
const GUESSES: &str = "api_token";

/// How long a JSON body may take to arrive.
pub fn body_timeout(app: &App) -> Duration {
    Duration::from_secs(app.config.http.body_read_timeout_secs.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_paths() {
        let table = [
            ("/openapi.json", Route::OpenApi),
            (
                "/pazienti/RSSMRA80A01A182N",
                Route::Patient("RSSMRA80A01A182N".into()),
            ),
            (
                "/pazienti/RSSMRA80A01A182N/documenti",
                Route::PatientDocuments("RSSMRA80A01A182N".into()),
            ),
            ("/documenti", Route::Documents),
            ("/documenti/lotto", Route::Batch),
            ("/documenti/RIS%3A42", Route::Document("RIS:42".into())),
            ("/documenti/%ZZ", Route::NotFound),
            ("/documenti/%C3", Route::NotFound),
            ("/pazienti/", Route::NotFound),
            ("/documenti/a/b", Route::NotFound),
            ("", Route::NotFound),
            ("/", Route::NotFound),
        ];
        for (path, route) in table {
            assert_eq!(Route::decode(path), route, "{path}");
        }
    }
}
