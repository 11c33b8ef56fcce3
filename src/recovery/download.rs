//! Serving a recovered file: Content-Length, attachment name, ETag, single HTTP ranges
//! (so a broken download resumes), streamed from disk in large chunks.

use crate::error::{AppError, Kind};
use crate::http::resp::{Body, Resp};
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::{Frame, SizeHint};
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncSeekExt, ReadBuf};

const CHUNK: usize = 512 * 1024;

struct FileBody {
    file: tokio::fs::File,
    remaining: u64,
}

impl hyper::body::Body for FileBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = self.get_mut();
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        let want = CHUNK.min(this.remaining as usize);
        let mut chunk = BytesMut::zeroed(want);
        let mut rb = ReadBuf::new(&mut chunk);
        match Pin::new(&mut this.file).poll_read(cx, &mut rb) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Ok(())) => {
                let n = rb.filled().len();
                if n == 0 {
                    return Poll::Ready(Some(Err(std::io::ErrorKind::UnexpectedEof.into())));
                }
                this.remaining -= n as u64;
                chunk.truncate(n);
                Poll::Ready(Some(Ok(Frame::data(chunk.freeze()))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// A byte range `start..=end` of a file of `size` bytes; `Err` when unsatisfiable.
pub fn parse_range(header: &str, size: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        // Several ranges: answer with the whole file, which is allowed.
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let range = match (a.parse::<u64>().ok(), b.parse::<u64>().ok()) {
        (Some(start), Some(end)) if start <= end => (start, end.min(size.saturating_sub(1))),
        (Some(start), None) if b.is_empty() => (start, size.saturating_sub(1)),
        (None, Some(suffix)) if a.is_empty() && suffix > 0 => {
            (size.saturating_sub(suffix), size.saturating_sub(1))
        }
        _ => return Some(Err(())),
    };
    if size == 0 || range.0 >= size {
        Some(Err(()))
    } else {
        Some(Ok(range))
    }
}

pub struct Download<'a> {
    pub path: &'a str,
    pub size: u64,
    pub etag: &'a str,
    pub file_name: &'a str,
    pub content_type: &'static str,
}

/// A recovered document's cached ZIP (`store::ready_file`), with the request's Range and
/// If-Range: what the patient's Download and a shared link's download both serve.
pub async fn serve_ready(
    file: &super::store::ReadyFile,
    ctx: &crate::http::req::Ctx,
) -> Result<Resp, AppError> {
    let dl = Download {
        path: &file.path,
        size: file.size as u64,
        etag: &file.sha256[..32.min(file.sha256.len())],
        file_name: &file.name,
        content_type: "application/zip",
    };
    serve(&dl, ctx.header("range"), ctx.header("if-range")).await
}

pub async fn serve(
    d: &Download<'_>,
    range: Option<&str>,
    if_range: Option<&str>,
) -> Result<Resp, AppError> {
    let gone = || AppError::new(Kind::NotFound, super::text::FILE_GONE);
    let mut file = tokio::fs::File::open(d.path).await.map_err(|_| gone())?;
    let actual = file.metadata().await.map_err(|_| gone())?.len();
    if actual != d.size {
        return Err(AppError::internal(format!(
            "dimensione inattesa del file in cache: {actual} invece di {}",
            d.size
        )));
    }
    let etag = format!("\"{}\"", d.etag);
    // If-Range with another version: send the whole file.
    let range = range.filter(|_| if_range.is_none_or(|v| v == etag));
    let (status, start, end) = match range.and_then(|r| parse_range(r, d.size)) {
        None => (StatusCode::OK, 0, d.size.saturating_sub(1)),
        Some(Ok((s, e))) => (StatusCode::PARTIAL_CONTENT, s, e),
        Some(Err(())) => {
            let mut r = Response::new(crate::http::resp::full(Bytes::new()));
            *r.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
            r.headers_mut()
                .insert(header::CONTENT_RANGE, hv(&format!("bytes */{}", d.size)));
            return Ok(r);
        }
    };
    let len = if d.size == 0 { 0 } else { end - start + 1 };
    file.seek(std::io::SeekFrom::Start(start))
        .await
        .map_err(AppError::internal)?;
    let body: Body = FileBody {
        file,
        remaining: len,
    }
    .boxed();
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(d.content_type),
    );
    h.insert(header::CONTENT_LENGTH, hv(&len.to_string()));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::ETAG, hv(&etag));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if status == StatusCode::PARTIAL_CONTENT {
        h.insert(
            header::CONTENT_RANGE,
            hv(&format!("bytes {start}-{end}/{}", d.size)),
        );
    }
    crate::http::resp::attachment(&mut r, d.file_name);
    Ok(r)
}

fn hv(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or(HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some(Ok((0, 99))));
        assert_eq!(parse_range("bytes=900-", 1000), Some(Ok((900, 999))));
        assert_eq!(parse_range("bytes=-100", 1000), Some(Ok((900, 999))));
        assert_eq!(parse_range("bytes=500-5000", 1000), Some(Ok((500, 999))));
        assert_eq!(parse_range("bytes=1000-", 1000), Some(Err(())));
        assert_eq!(parse_range("bytes=5-1", 1000), Some(Err(())));
        assert_eq!(parse_range("bytes=a-b", 1000), Some(Err(())));
        assert_eq!(parse_range("bytes=0-1,5-6", 1000), None);
        assert_eq!(parse_range("items=0-1", 1000), None);
    }
}
