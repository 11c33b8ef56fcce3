//! The API's answers: JSON bodies, and errors always as JSON
//! (`{"errore": "…", "campi": {"campo": "…"}}`), never a page or a redirect; reading a JSON
//! body within `api.max_json_bytes` and taking its fields with Italian field errors.

use crate::error::{AppError, Kind};
use crate::http::resp::{self, Resp};
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::StatusCode;
use hyper::header::{self, HeaderValue};
use serde_json::{Map, Value};
use std::time::Duration;

/// An error of the API: a status, a message for the caller's people (Italian) and, for
/// 400, the fields at fault.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub fields: Vec<(String, String)>,
    /// More members of the body (e.g. the `id` of the document a 409 is about).
    pub extra: Option<(&'static str, Value)>,
    pub allow: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            fields: Vec::new(),
            extra: None,
            allow: None,
        }
    }

    /// 400 with the fields at fault.
    pub fn fields(fields: Vec<(String, String)>) -> ApiError {
        ApiError {
            fields,
            ..ApiError::new(
                StatusCode::BAD_REQUEST,
                "Dati non validi: vedi i campi indicati.",
            )
        }
    }

    pub fn unprocessable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    pub fn unauthorized(message: &str) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, message)
    }

    pub fn forbidden(message: &str) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, message)
    }

    pub fn not_found(message: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn method(allow: &'static str) -> ApiError {
        ApiError {
            allow: Some(allow),
            ..ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "Metodo non consentito su questo indirizzo.",
            )
        }
    }

    pub fn with(mut self, name: &'static str, value: Value) -> ApiError {
        self.extra = Some((name, value));
        self
    }

    pub fn response(&self) -> Resp {
        let mut body = Map::new();
        body.insert("errore".into(), Value::String(self.message.clone()));
        if !self.fields.is_empty() {
            let campi: Map<String, Value> = self
                .fields
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            body.insert("campi".into(), Value::Object(campi));
        }
        if let Some((k, v)) = &self.extra {
            body.insert((*k).into(), v.clone());
        }
        let mut r = reply(self.status, &Value::Object(body));
        let h = r.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"cds-portal\""),
            );
        }
        if let Some(allow) = self.allow {
            h.insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            h.insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        }
        r
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        if matches!(e.kind, Kind::Internal | Kind::Unavailable) {
            tracing::error!(status = e.status().as_u16(), "{e}");
        }
        let status = e.status();
        // The API speaks of data, not of pages.
        let message = match e.kind {
            Kind::NotFound => "Risorsa non trovata.".to_string(),
            _ => e.message.italian().to_string(),
        };
        ApiError {
            allow: e.allow,
            ..ApiError::new(status, message)
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> ApiError {
        AppError::from(e).into()
    }
}

/// A JSON answer.
pub fn reply(status: StatusCode, body: &Value) -> Resp {
    resp::with_type(
        status,
        "application/json",
        serde_json::to_vec(body).unwrap_or_default(),
    )
}

/// The media type of the request, lower case, without parameters.
pub fn media_type(ctx: &crate::http::req::Ctx) -> String {
    ctx.header("content-type")
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

pub fn unsupported(expected: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        format!("Tipo di contenuto non supportato: invia {expected}."),
    )
}

/// Reads the whole body (at most `max` bytes) and parses it as a JSON object.
pub async fn read_object(
    body: Option<hyper::body::Incoming>,
    max: u64,
    timeout: Duration,
) -> Result<Map<String, Value>, ApiError> {
    let bytes = read_body(body, max, timeout).await?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "Il corpo della richiesta deve essere un oggetto JSON.",
        )),
        Err(e) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "JSON non valido (riga {}, colonna {}).",
                e.line(),
                e.column()
            ),
        )),
    }
}

pub fn too_large(max: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("Richiesta troppo grande: al massimo {max} byte."),
    )
}

async fn read_body(
    body: Option<hyper::body::Incoming>,
    max: u64,
    timeout: Duration,
) -> Result<Bytes, ApiError> {
    let Some(body) = body else {
        return Ok(Bytes::new());
    };
    let limited = Limited::new(body, max as usize);
    match tokio::time::timeout(timeout, limited.collect()).await {
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "Invio dei dati troppo lento.",
        )),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(too_large(max)),
        Ok(Err(_)) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "Richiesta incompleta.",
        )),
        Ok(Ok(c)) => Ok(c.to_bytes()),
    }
}

/// The fields of a JSON object, taken one by one; what is wrong is gathered by field name
/// (with `prefix`, e.g. "documenti[3].", for the items of a batch).
pub struct Fields<'a> {
    obj: &'a Map<String, Value>,
    pub errors: Vec<(String, String)>,
    prefix: String,
}

impl<'a> Fields<'a> {
    pub fn new(obj: &'a Map<String, Value>, prefix: String) -> Fields<'a> {
        Fields {
            obj,
            errors: Vec::new(),
            prefix,
        }
    }

    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        let name = format!("{}{field}", self.prefix);
        if !self.errors.iter().any(|(f, _)| *f == name) {
            self.errors.push((name, message.into()));
        }
    }

    /// Refuses members the schema does not name (a typo would otherwise be ignored).
    pub fn only(&mut self, known: &[&str]) {
        let unknown: Vec<String> = self
            .obj
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .cloned()
            .collect();
        for k in unknown {
            self.error(&k, "Campo non previsto.");
        }
    }

    /// A string member: `None` when absent or null (an error when `required`).
    pub fn text(&mut self, name: &str, required: bool, max_chars: usize) -> Option<String> {
        match self.obj.get(name) {
            None | Some(Value::Null) => {
                if required {
                    self.error(name, "Campo obbligatorio.");
                }
                None
            }
            Some(Value::String(s)) if s.chars().count() > max_chars => {
                self.error(name, format!("Al massimo {max_chars} caratteri."));
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.error(name, "Deve essere una stringa.");
                None
            }
        }
    }

    /// A non-blank string member.
    pub fn words(&mut self, name: &str, max_chars: usize) -> Option<String> {
        let s = self.text(name, true, max_chars)?;
        if blank(&s) {
            self.error(name, "Non può essere vuoto.");
            return None;
        }
        Some(s.trim().to_string())
    }

    /// An integer member, absent or null being `None`.
    pub fn int(&mut self, name: &str) -> Option<i64> {
        match self.obj.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
            Some(_) => {
                self.error(name, "Deve essere un numero intero.");
                None
            }
        }
    }
}

/// Nothing but white space, as the OpenAPI's pattern `[^\s\x1c-\x1f]` says (Python's `\s`,
/// which schemathesis uses, counts the separators U+001C–U+001F; Rust's `trim` does not).
pub fn blank(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// `{"id": …}`-style answers.
pub fn object(pairs: &[(&str, Value)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect(),
    )
}

pub fn ok(status: StatusCode, pairs: &[(&str, Value)]) -> Resp {
    reply(status, &object(pairs))
}
