//! Multipart uploads (a PDF to publish, a CSV of patients), read as a stream by the
//! `multer` crate: the file goes to a temporary file under `<data>/tmp` while its SHA-256 is
//! computed, never whole in memory; the size limit stops the transfer as soon as it is
//! passed. A browser form's first field is its CSRF token, checked before any file byte is
//! read (`expect_csrf`); the API, which uses no cookies, passes `None`.

use crate::error::{AppError, Kind};
use bytes::Bytes;
use futures_util::TryStreamExt;
use http_body_util::BodyStream;
use hyper::body::Incoming;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// Text fields are small: a form's own fields, or the API's JSON metadata.
const MAX_TEXT: usize = 64 * 1024;

/// A file received: a temporary file removed when this is dropped, unless kept.
pub struct Received {
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    #[allow(
        dead_code,
        reason = "issue 13 in progress: the API names the file in its answer"
    )]
    pub file_name: String,
    /// The first bytes (format checks).
    pub head: Vec<u8>,
    /// The last bytes (a PDF's trailer).
    pub tail: Vec<u8>,
    kept: bool,
}

impl Received {
    /// Moves the file to `to` (made of its hash by the caller), keeping one copy per content.
    pub fn keep_as(mut self, to: &Path) -> std::io::Result<()> {
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir)?;
        }
        if to.exists() {
            // Same hash, same bytes: the copy already stored serves.
            std::fs::remove_file(&self.path)?;
        } else if std::fs::rename(&self.path, to).is_err() {
            // Another file system: copy beside the target, then rename into place.
            let tmp = to.with_extension("part");
            std::fs::copy(&self.path, &tmp)?;
            std::fs::rename(&tmp, to)?;
            std::fs::remove_file(&self.path)?;
        }
        self.kept = true;
        Ok(())
    }
}

impl Drop for Received {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

pub struct Upload {
    pub fields: HashMap<String, String>,
    /// The first file field (a form sends one file).
    pub file: Option<Received>,
    /// The name of its field.
    pub file_field: String,
}

impl Upload {
    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }
}

pub struct Limits {
    pub max_file: u64,
    /// The whole body's time.
    pub timeout: Duration,
    /// The longest wait for the next bytes (`http.body_read_timeout_secs`): a stalled
    /// upload is dropped then, not at the end of `timeout`.
    pub idle: Duration,
}

fn too_slow() -> AppError {
    AppError::new(Kind::Timeout, "Invio del file troppo lento: riprova.")
}

/// One read of the body, given up after `idle` without bytes.
async fn within<T>(
    idle: Duration,
    read: impl std::future::Future<Output = Result<T, multer::Error>>,
) -> Result<Result<T, multer::Error>, AppError> {
    tokio::time::timeout(idle, read)
        .await
        .map_err(|_| too_slow())
}

fn too_large(max: u64) -> AppError {
    AppError::new(
        Kind::PayloadTooLarge,
        format!(
            "Il file è troppo grande: il massimo è {} MB.",
            max.div_ceil(1_000_000)
        ),
    )
}

/// Reads a `multipart/form-data` body; `tmp_dir` holds the file while it arrives.
pub async fn read(
    content_type: Option<&str>,
    body: Incoming,
    tmp_dir: &Path,
    limits: &Limits,
    expect_csrf: Option<&(dyn Fn(&str) -> bool + Sync)>,
) -> Result<Upload, AppError> {
    let boundary = content_type
        .and_then(|ct| multer::parse_boundary(ct).ok())
        .ok_or_else(|| {
            AppError::bad_request("Invia il modulo con il file allegato (multipart/form-data).")
        })?;
    let stream = BodyStream::new(body)
        .try_filter_map(|frame| async move { Ok::<_, hyper::Error>(frame.into_data().ok()) });
    match tokio::time::timeout(
        limits.timeout,
        read_parts(boundary, stream, tmp_dir, limits, expect_csrf),
    )
    .await
    {
        Ok(r) => r,
        Err(_) => Err(too_slow()),
    }
}

/// The parts of a multipart body given as a stream of chunks (the request's body; the fuzz
/// targets' bytes).
pub(crate) async fn read_parts<S, E>(
    boundary: String,
    stream: S,
    tmp_dir: &Path,
    limits: &Limits,
    expect_csrf: Option<&(dyn Fn(&str) -> bool + Sync)>,
) -> Result<Upload, AppError>
where
    S: futures_util::Stream<Item = Result<Bytes, E>> + Send,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut parts = multer::Multipart::new(stream, boundary);
    let bad =
        |e: multer::Error| AppError::bad_request("Modulo incompleto o non leggibile.").because(e);
    let mut up = Upload {
        fields: HashMap::new(),
        file: None,
        file_field: String::new(),
    };
    let mut first = true;
    let idle = limits.idle;
    while let Some(mut field) = within(idle, parts.next_field()).await?.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        if first {
            first = false;
            if let Some(check) = expect_csrf {
                if name != "csrf" {
                    return Err(AppError::csrf());
                }
                let token = read_text(&mut field, idle).await?;
                if !check(&token) {
                    return Err(AppError::csrf());
                }
                continue;
            }
        }
        match field.file_name().map(str::to_string) {
            Some(file_name) if up.file.is_none() => {
                up.file_field = name;
                up.file = Some(receive(&mut field, file_name, tmp_dir, limits).await?);
            }
            Some(_) => {
                return Err(AppError::bad_request("Invia un solo file per volta."));
            }
            None => {
                let text = read_text(&mut field, idle).await?;
                if up.fields.len() >= 64 {
                    return Err(AppError::bad_request("Troppi campi nel modulo."));
                }
                up.fields.insert(name, text);
            }
        }
    }
    // A form with no field at all carried no token either.
    if first && expect_csrf.is_some() {
        return Err(AppError::csrf());
    }
    Ok(up)
}

async fn read_text(field: &mut multer::Field<'_>, idle: Duration) -> Result<String, AppError> {
    let mut buf = Vec::new();
    while let Some(chunk) = within(idle, field.chunk())
        .await?
        .map_err(|e| AppError::bad_request("Modulo incompleto o non leggibile.").because(e))?
    {
        if buf.len() + chunk.len() > MAX_TEXT {
            return Err(AppError::new(
                Kind::PayloadTooLarge,
                "Un campo del modulo è troppo lungo.",
            ));
        }
        buf.extend_from_slice(&chunk);
    }
    String::from_utf8(buf).map_err(|_| AppError::bad_request("Testo non valido (UTF-8)."))
}

async fn receive(
    field: &mut multer::Field<'_>,
    file_name: String,
    tmp_dir: &Path,
    limits: &Limits,
) -> Result<Received, AppError> {
    let max = limits.max_file;
    tokio::fs::create_dir_all(tmp_dir)
        .await
        .map_err(AppError::internal)?;
    let path = tmp_dir.join(format!(
        "upload-{}.part",
        crate::crypto::hex(&crate::crypto::random_bytes::<12>())
    ));
    let mut received = Received {
        path,
        size: 0,
        sha256: String::new(),
        file_name: file_name.chars().take(200).collect(),
        head: Vec::new(),
        tail: Vec::new(),
        kept: false,
    };
    let mut out = tokio::fs::File::create(&received.path)
        .await
        .map_err(AppError::internal)?;
    let mut hash = Sha256::new();
    let mut tail: Vec<u8> = Vec::new();
    while let Some(chunk) = within(limits.idle, field.chunk())
        .await?
        .map_err(|e| AppError::bad_request("Invio del file interrotto.").because(e))?
    {
        received.size += chunk.len() as u64;
        if received.size > max {
            return Err(too_large(max));
        }
        hash.update(&chunk);
        if received.head.len() < 1024 {
            let take = (1024 - received.head.len()).min(chunk.len());
            received.head.extend_from_slice(&chunk[..take]);
        }
        keep_tail(&mut tail, &chunk);
        out.write_all(&chunk).await.map_err(AppError::internal)?;
    }
    out.flush().await.map_err(AppError::internal)?;
    received.tail = tail;
    received.sha256 = crate::crypto::hex(&hash.finalize());
    Ok(received)
}

fn keep_tail(tail: &mut Vec<u8>, chunk: &Bytes) {
    const TAIL: usize = 2048;
    tail.extend_from_slice(&chunk[chunk.len().saturating_sub(TAIL)..]);
    if tail.len() > TAIL {
        tail.drain(..tail.len() - TAIL);
    }
}

/// A PDF, checked for what a viewer needs: the `%PDF-1.x` header, the `%%EOF` marker at
/// the end and a `startxref` that points at a cross-reference table or stream inside the
/// file. A renamed image, a Word file or a truncated download fail it. Returns why not.
pub fn check_pdf(file: &Received) -> Result<(), &'static str> {
    if !file.head.starts_with(b"%PDF-1.") && !file.head.starts_with(b"%PDF-2.") {
        return Err("Il file non è un PDF.");
    }
    let tail = &file.tail;
    let Some(eof) = find_last(tail, b"%%EOF") else {
        return Err("Il PDF è incompleto (manca la fine del file).");
    };
    let Some(sx) = find_last(&tail[..eof], b"startxref") else {
        return Err("Il PDF è danneggiato (manca il riferimento all'indice).");
    };
    let offset: Option<u64> = std::str::from_utf8(&tail[sx + 9..eof])
        .ok()
        .and_then(|s| s.trim().parse().ok());
    let Some(offset) = offset.filter(|o| *o > 8 && *o < file.size) else {
        return Err("Il PDF è danneggiato (indice fuori dal file).");
    };
    let mut at = [0u8; 24];
    let n = read_at(&file.path, offset, &mut at).map_err(|_| "Il PDF non è leggibile.")?;
    let at = &at[..n];
    let table = at.starts_with(b"xref");
    let stream = at
        .split(|b| *b == b' ')
        .take(3)
        .collect::<Vec<_>>()
        .as_slice()
        .get(..3)
        .is_some_and(|p| {
            p[0].iter().all(u8::is_ascii_digit)
                && p[1].iter().all(u8::is_ascii_digit)
                && p[2].starts_with(b"obj")
        });
    if !table && !stream {
        return Err("Il PDF è danneggiato (indice non trovato).");
    }
    Ok(())
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn read_at(path: &Path, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    f.read(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(bytes: &[u8], tag: &str) -> Received {
        let path = std::env::temp_dir().join(format!("cds-pdf-{}-{tag}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        Received {
            path,
            size: bytes.len() as u64,
            sha256: String::new(),
            file_name: "x.pdf".into(),
            head: bytes[..bytes.len().min(1024)].to_vec(),
            tail: bytes[bytes.len().saturating_sub(2048)..].to_vec(),
            kept: false,
        }
    }

    #[test]
    fn a_real_pdf_passes_and_look_alikes_fail() {
        let mut page = crate::pdf::Page::default();
        page.text(50.0, 700.0, 12.0, false, "Referto");
        let pdf = crate::pdf::document(&[page]);
        assert_eq!(check_pdf(&received(&pdf, "ok")), Ok(()));
        let truncated = &pdf[..pdf.len() - 40];
        assert!(check_pdf(&received(truncated, "cut")).is_err());
        assert!(check_pdf(&received(b"\x89PNG\r\n\x1a\n....", "png")).is_err());
        let mut fake = b"%PDF-1.4\n".to_vec();
        fake.extend_from_slice(b"hello\nstartxref\n5\n%%EOF\n");
        assert!(check_pdf(&received(&fake, "fake")).is_err());
    }
}
