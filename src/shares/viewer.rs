//! "Visualizza online": the doctor who passed the code views the study in the browser with
//! the package's own viewer. `/condivisi/<token>/viewer/<name>` serves one entry of the
//! cached ZIP — `VIEWER/…` (the viewer and its `study.js`) or `DICOM/…` (what the viewer
//! fetches, `../DICOM/S0001/I0001` from `VIEWER/index.html`) — read out of the ZIP on disk,
//! never extracted, and only when that exact name is in the ZIP. The same check as the
//! download (the link open, the doctor's cookie); the viewer's page is an access of the
//! share ("Visualizzazione online") and of the audit log each time it is opened, and so is
//! a file fetched outside a viewing recorded in the last hour.

use super::store::{self, Share};
use super::{DOCTOR_PATH, SESSION_SECS, doctor, text};
use crate::app::App;
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::i18n::Lang;
use crate::public_id::PublicId;
use crate::recovery;
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::Response;
use hyper::body::{Frame, SizeHint};
use hyper::header::{self, HeaderValue};
use std::io::Read;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The viewer's page in the ZIP.
const PAGE: &str = "VIEWER/index.html";
const STUDY_JS: &str = "VIEWER/study.js";
const CHUNK: usize = 256 * 1024;

/// A name the viewer may ask for: under `VIEWER/` or `DICOM/`, plain ASCII path segments
/// (the package's own names), never `..`, an empty segment or an encoded character. The
/// ZIP must also hold exactly that name.
pub fn servable(name: &str) -> bool {
    (name.starts_with("VIEWER/") || name.starts_with("DICOM/"))
        && name.len() <= 200
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/'))
        && name
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

fn content_type(name: &str) -> &'static str {
    if name.starts_with("DICOM/") {
        return "application/dicom";
    }
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        _ => "application/octet-stream",
    }
}

pub async fn serve(
    app: &App,
    ctx: &mut Ctx,
    token: &PublicId,
    name: &str,
) -> Result<Resp, AppError> {
    let sh = doctor::find(app, token).await?;
    let now = app.now();
    if let Some(why) = sh.closed(now) {
        return Ok(doctor::closed_page(app, ctx, why));
    }
    if !doctor::opened(app, ctx, &sh) {
        return Ok(resp::redirect(&format!("{DOCTOR_PATH}/{token}")));
    }
    if !servable(name) {
        return Err(AppError::not_found());
    }
    let doc = sh.document_id;
    let file = app
        .db
        .read(move |c| Ok(recovery::store::ready_file(c, doc, now)?))
        .await?
        .ok_or_else(|| AppError::missing(text::NOT_READY))?;
    let entry = open(file.path, name.to_string()).await?;
    if ctx.method != hyper::Method::HEAD {
        audit(app, ctx, &sh, name == PAGE, now).await?;
    }
    let body = match entry {
        Entry::Whole(data) if name == STUDY_JS => {
            let data = with_lang(&data, ctx.lang);
            resp::full(data)
        }
        Entry::Whole(data) => resp::full(data),
        Entry::Streamed { size, rx } => ChannelBody {
            rx,
            remaining: size,
        }
        .boxed(),
    };
    let mut r = Response::new(body);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(name)),
    );
    Ok(r)
}

/// Records the viewing: the viewer's page each time, any other file only when no viewing
/// is recorded in the last hour (someone fetching the files without the page).
async fn audit(app: &App, ctx: &Ctx, sh: &Share, page: bool, now: i64) -> Result<(), AppError> {
    let (share, since) = (sh.id, now - SESSION_SECS);
    if !page
        && app
            .db
            .read(move |c| Ok(store::viewed_since(c, share, since)?))
            .await?
    {
        return Ok(());
    }
    let (sh, ip) = (sh.clone(), ctx.ip.to_string());
    app.db
        .write(move |tx| {
            if page || !store::viewed_since(tx, sh.id, since)? {
                doctor::record(tx, &sh, "share_view", store::VIEW, now, &ip)?;
            }
            Ok(())
        })
        .await
}

/// `study.js` with the request's language: the online viewer speaks the page's language
/// (the package keeps the one it was made in). Unchanged if it is not the packager's.
fn with_lang(data: &[u8], lang: Lang) -> Vec<u8> {
    let parsed = std::str::from_utf8(data)
        .ok()
        .and_then(|s| s.strip_prefix("window.CDS_STUDY = "))
        .and_then(|s| s.trim_end().strip_suffix(';'))
        .and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok());
    match parsed {
        Some(mut v) if v.is_object() => {
            v["lang"] = serde_json::json!(lang.code());
            format!("window.CDS_STUDY = {v};\n").into_bytes()
        }
        _ => data.to_vec(),
    }
}

/// An entry of the ZIP: small ones (the viewer's files) whole, DICOM files streamed.
enum Entry {
    Whole(Vec<u8>),
    Streamed {
        size: u64,
        rx: tokio::sync::mpsc::Receiver<std::io::Result<Bytes>>,
    },
}

/// Opens `name` in the ZIP at `path` on a blocking thread, which then reads it on in chunks
/// (a DICOM file can be large) as the response body takes them.
async fn open(path: String, name: String) -> Result<Entry, AppError> {
    let (first_tx, first_rx) = tokio::sync::oneshot::channel::<Result<Entry, AppError>>();
    tokio::task::spawn_blocking(move || {
        let mut zip = match std::fs::File::open(&path)
            .map_err(zip::result::ZipError::Io)
            .and_then(|f| zip::ZipArchive::new(std::io::BufReader::new(f)))
        {
            Ok(z) => z,
            Err(e) => {
                let _ = first_tx.send(Err(
                    AppError::missing(text::NOT_READY).because(format!("{path}: {e}"))
                ));
                return;
            }
        };
        let mut entry = match zip.by_name(&name) {
            Ok(e) if e.is_file() => e,
            _ => {
                let _ = first_tx.send(Err(AppError::not_found()));
                return;
            }
        };
        let size = entry.size();
        if !name.starts_with("DICOM/") {
            let mut data = Vec::with_capacity(size.min(1 << 20) as usize);
            let r = entry.read_to_end(&mut data).map(|_| Entry::Whole(data));
            let _ = first_tx.send(r.map_err(AppError::internal));
            return;
        }
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        if first_tx.send(Ok(Entry::Streamed { size, rx })).is_err() {
            return;
        }
        let mut left = size;
        while left > 0 {
            let mut buf = vec![0u8; CHUNK.min(left as usize)];
            let chunk = match entry.read(&mut buf) {
                Ok(0) => Err(std::io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    left -= n as u64;
                    buf.truncate(n);
                    // Before the last bytes go, reading past the end checks the CRC: a
                    // damaged entry ends short, and the browser sees a failed fetch.
                    match left {
                        0 => entry.read(&mut [0u8; 1]).map(|_| Bytes::from(buf)),
                        _ => Ok(Bytes::from(buf)),
                    }
                }
                Err(e) => Err(e),
            };
            let failed = chunk.is_err();
            if tx.blocking_send(chunk).is_err() || failed {
                return; // the browser went away, or the entry could not be read
            }
        }
    });
    first_rx
        .await
        .map_err(|_| AppError::internal("lettura dello ZIP interrotta"))?
}

/// A response body fed by the blocking reader.
struct ChannelBody {
    rx: tokio::sync::mpsc::Receiver<std::io::Result<Bytes>>,
    remaining: u64,
}

impl hyper::body::Body for ChannelBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = self.get_mut();
        match this.rx.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) if this.remaining == 0 => Poll::Ready(None),
            Poll::Ready(None) => Poll::Ready(Some(Err(std::io::ErrorKind::UnexpectedEof.into()))),
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Some(Ok(b))) => {
                this.remaining = this.remaining.saturating_sub(b.len() as u64);
                Poll::Ready(Some(Ok(Frame::data(b))))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_packages_own_names() {
        for ok in [
            "VIEWER/index.html",
            "VIEWER/study.js",
            "DICOM/S0001/I0001",
            "DICOM/S12/I0001.dcm",
        ] {
            assert!(servable(ok), "{ok}");
        }
        for bad in [
            "",
            "LEGGIMI.txt",
            "DICOMDIR",
            "VIEWER/",
            "VIEWER/../LEGGIMI.txt",
            "DICOM/./S0001",
            "DICOM//S0001",
            "/VIEWER/index.html",
            "VIEWER\\index.html",
            "VIEWER/%2e%2e/LEGGIMI.txt",
            "viewer/index.html",
            "DICOM/S0001/I0001?x",
        ] {
            assert!(!servable(bad), "{bad}");
        }
    }

    #[test]
    fn types_by_name() {
        assert_eq!(
            content_type("VIEWER/index.html"),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            content_type("VIEWER/viewer.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("VIEWER/viewer.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("DICOM/S0001/I0001"), "application/dicom");
    }

    /// A ZIP with one stored entry of `len` bytes; `damage` flips one of its bytes on disk.
    fn zip_with(path: &std::path::Path, name: &str, len: usize, damage: bool) -> Vec<u8> {
        use std::io::Write;
        let data: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        w.start_file(name, o).unwrap();
        w.write_all(&data).unwrap();
        w.finish().unwrap();
        if damage {
            let mut all = std::fs::read(path).unwrap();
            let at = all.windows(4).position(|x| x == &data[1000..1004]).unwrap();
            all[at] ^= 0xff;
            std::fs::write(path, all).unwrap();
        }
        data
    }

    async fn body_of(path: &std::path::Path, name: &str) -> Result<Vec<u8>, String> {
        let entry = open(path.to_string_lossy().into_owned(), name.into())
            .await
            .map_err(|e| e.to_string())?;
        let body = match entry {
            Entry::Whole(data) => return Ok(data),
            Entry::Streamed { size, rx } => ChannelBody {
                rx,
                remaining: size,
            },
        };
        body.collect()
            .await
            .map(|b| b.to_bytes().to_vec())
            .map_err(|e| e.to_string())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn entries_are_read_out_of_the_zip_and_a_damaged_one_fails() {
        let dir = std::env::temp_dir().join(format!("cds-share-viewer-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (good, bad) = (dir.join("good.zip"), dir.join("bad.zip"));
        // Larger than a chunk: streamed in several.
        let data = zip_with(&good, "DICOM/S0001/I0001", 3 * CHUNK + 17, false);
        assert_eq!(body_of(&good, "DICOM/S0001/I0001").await.unwrap(), data);
        assert!(body_of(&good, "DICOM/S0001/I0002").await.is_err());
        zip_with(&bad, "DICOM/S0001/I0001", 3 * CHUNK + 17, true);
        let e = body_of(&bad, "DICOM/S0001/I0001").await.unwrap_err();
        assert!(e.contains("checksum"), "{e}");
        let small = zip_with(&good, "VIEWER/viewer.js", 5000, false);
        assert_eq!(body_of(&good, "VIEWER/viewer.js").await.unwrap(), small);
        zip_with(&bad, "VIEWER/viewer.js", 5000, true);
        assert!(body_of(&bad, "VIEWER/viewer.js").await.is_err());
        assert!(
            body_of(&dir.join("gone.zip"), "VIEWER/viewer.js")
                .await
                .is_err()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn study_js_takes_the_request_language() {
        let js = b"window.CDS_STUDY = {\"lang\":\"it\",\"series\":[]};\n";
        let en = String::from_utf8(with_lang(js, Lang::En)).unwrap();
        assert_eq!(en, "window.CDS_STUDY = {\"lang\":\"en\",\"series\":[]};\n");
        assert_eq!(with_lang(b"alert(1)", Lang::En), b"alert(1)");
    }
}
