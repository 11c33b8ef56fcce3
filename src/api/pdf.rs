//! `POST /documenti` as `multipart/form-data`: a `metadati` part (the document's JSON, without
//! `studio`) and a `pdf` file part, streamed to a temporary file (`http::upload`, no CSRF:
//! the API has no cookies), checked as a PDF, then kept in the document store by its
//! SHA-256 (`sha256/ab/<hex>.pdf` under `archive.pdf_root`) before it is published.

use super::Caller;
use super::documents::publish_item;
use super::item::item;
use super::json::ApiError;
use crate::app::App;
use crate::documents::publish::Source;
use crate::http::req::Ctx;
use crate::http::resp::Resp;
use crate::http::upload::{self, Limits};
use serde_json::{Map, Value};
use std::time::Duration;

/// A PDF of `documents.max_upload_mb` may come over a slow hospital link.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(300);

pub async fn publish_pdf(app: &App, ctx: &mut Ctx, caller: Caller) -> Result<Resp, ApiError> {
    let limits = Limits {
        max_file: app.config.documents.max_upload_mb * 1_000_000,
        timeout: UPLOAD_TIMEOUT,
        idle: super::body_timeout(app),
    };
    let declared = ctx
        .header("content-length")
        .and_then(|v| v.parse::<u64>().ok());
    // The metadata is small: a body far over the file's limit is refused before it comes.
    if declared.is_some_and(|n| n > limits.max_file + 256 * 1024) {
        return Err(upload_too_large(limits.max_file));
    }
    let body = ctx
        .upload
        .take()
        .ok_or_else(|| ApiError::fields(vec![("pdf".into(), "Allega il PDF.".into())]))?;
    let tmp = app.config.data_dir.join("tmp");
    let up = upload::read(ctx.header("content-type"), body, &tmp, &limits, None).await?;
    let mut errors = Vec::new();
    if up.file.is_some() && up.file_field != "pdf" {
        errors.push((
            up.file_field.clone(),
            "Parte non prevista: il file va nella parte pdf.".to_string(),
        ));
    }
    for name in up.fields.keys().filter(|k| k.as_str() != "metadati") {
        errors.push((name.clone(), "Parte non prevista.".to_string()));
    }
    let meta = match serde_json::from_str::<Value>(up.get("metadati")) {
        Ok(Value::Object(m)) => Some(m),
        _ => {
            errors.push((
                "metadati".into(),
                "Un oggetto JSON con i dati del documento.".into(),
            ));
            None
        }
    };
    let now = app.now();
    let checked = meta.as_ref().map(|m: &Map<String, Value>| {
        item(
            &app.config.documents.categories,
            m,
            String::new(),
            false,
            now,
        )
    });
    // A file in another part counts as no PDF (its temporary file goes when dropped).
    let pdf = up.file.filter(|_| up.file_field == "pdf");
    let (item, file) = match (checked, pdf) {
        (Some(Ok(i)), Some(f)) if errors.is_empty() => (i, f),
        (Some(Err(mut e)), file) => {
            errors.append(&mut e);
            return Err(with_pdf(errors, file.is_none()));
        }
        (_, file) => return Err(with_pdf(errors, file.is_none())),
    };
    if let Err(why) = upload::check_pdf(&file) {
        return Err(ApiError::unprocessable(why));
    }
    let cf = item.cf.clone();
    let known = app
        .db
        .read(move |c| Ok(crate::patients::store::credentials(c, &cf)?.is_some()))
        .await?;
    if !known {
        return Err(ApiError::unprocessable(
            "Paziente sconosciuto: crealo prima con PUT /api/v1/pazienti/{codice_fiscale}.",
        ));
    }
    let sha = file.sha256.clone();
    let reference = format!("sha256/{}/{sha}.pdf", &sha[..2]);
    let (size, to) = (file.size as i64, app.config.pdf_root().join(&reference));
    tokio::task::spawn_blocking(move || file.keep_as(&to))
        .await
        .map_err(|e| ApiError::from(crate::error::AppError::internal(e)))?
        .map_err(|e| ApiError::from(crate::error::AppError::internal(e)))?;
    let source = Source::Pdf {
        reference,
        sha256: sha,
        size,
        pages: None,
    };
    publish_item(app, caller, item, source).await
}

fn with_pdf(mut errors: Vec<(String, String)>, missing: bool) -> ApiError {
    if missing {
        errors.push(("pdf".into(), "Allega il PDF (parte pdf).".into()));
    }
    ApiError::fields(errors)
}

fn upload_too_large(max: u64) -> ApiError {
    ApiError::new(
        hyper::StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "Il PDF è troppo grande: il massimo è {} MB.",
            max.div_ceil(1_000_000)
        ),
    )
}
