//! DICOMweb archive: WADO-RS study retrieval (`multipart/related; type="application/dicom"`)
//! over ureq, streamed part by part into files, with timeouts and basic or bearer auth.

use super::archive::{Archive, ArchiveError, ProgressFn, valid_uid};
use crate::config::DicomWeb;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub struct DicomWebArchive {
    agent: ureq::Agent,
    cfg: DicomWeb,
}

impl DicomWebArchive {
    pub fn new(cfg: &DicomWeb) -> DicomWebArchive {
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(cfg.connect_timeout_secs.max(1))))
            .timeout_recv_response(Some(Duration::from_secs(cfg.response_timeout_secs.max(1))))
            .timeout_recv_body(Some(Duration::from_secs(cfg.transfer_timeout_secs.max(1))))
            .http_status_as_error(false)
            .build()
            .into();
        DicomWebArchive {
            agent,
            cfg: cfg.clone(),
        }
    }

    fn auth(&self) -> Option<String> {
        if !self.cfg.token.is_empty() {
            Some(format!("Bearer {}", self.cfg.token))
        } else if !self.cfg.username.is_empty() {
            Some(format!(
                "Basic {}",
                base64(format!("{}:{}", self.cfg.username, self.cfg.password).as_bytes())
            ))
        } else {
            None
        }
    }
}

impl DicomWebArchive {
    /// `GET url` with `Accept` and the archive's credentials; `what` names the service in
    /// the error ("DICOMweb", "QIDO-RS").
    fn get(
        &self,
        url: &str,
        accept: &str,
        what: &str,
    ) -> Result<ureq::http::Response<ureq::Body>, ArchiveError> {
        let mut req = self.agent.get(url).header("Accept", accept);
        if let Some(a) = self.auth() {
            req = req.header("Authorization", a);
        }
        req.call()
            .map_err(|e| ArchiveError::Unavailable(format!("{what}: {e}")))
    }

    /// A DICOM JSON answer (QIDO-RS, WADO-RS metadata) for `path_query` under the base URL,
    /// e.g. `/studies?StudyDate=20261101-`. No content (204) is an empty list.
    pub fn get_json(&self, path_query: &str) -> Result<serde_json::Value, ArchiveError> {
        let url = format!("{}{path_query}", self.cfg.url.trim_end_matches('/'));
        let mut resp = self.get(&url, "application/dicom+json", "DICOMweb")?;
        match resp.status().as_u16() {
            200 => {}
            204 => return Ok(serde_json::Value::Array(Vec::new())),
            s => return Err(ArchiveError::Unavailable(format!("DICOMweb: risposta {s}"))),
        }
        resp.body_mut()
            .with_config()
            .limit(64 << 20)
            .read_json()
            .map_err(|e| ArchiveError::Corrupt(format!("DICOMweb: JSON non valido ({e})")))
    }
}

impl Archive for DicomWebArchive {
    fn find(
        &self,
        key: &super::lookup::StudyKey,
    ) -> Result<super::lookup::FoundStudy, ArchiveError> {
        let url = format!(
            "{}/{}",
            self.cfg.url.trim_end_matches('/'),
            super::lookup::qido_query(key)
        );
        let mut resp = self.get(&url, "application/dicom+json", "QIDO-RS")?;
        match resp.status().as_u16() {
            200 => {}
            // Some archives answer 204 to a search without matches.
            204 | 404 => {
                return Err(ArchiveError::NotFound("QIDO-RS: nessuno studio".into()));
            }
            s => return Err(ArchiveError::Unavailable(format!("QIDO-RS: risposta {s}"))),
        }
        let body = resp
            .body_mut()
            .with_config()
            .limit(1024 * 1024)
            .read_to_vec()
            .map_err(|e| ArchiveError::Corrupt(format!("QIDO-RS: {e}")))?;
        super::lookup::qido_answer(&body)
    }

    fn study(
        &self,
        study_uid: &str,
        scratch: &Path,
        progress: ProgressFn,
    ) -> Result<Vec<PathBuf>, ArchiveError> {
        if !valid_uid(study_uid) {
            return Err(ArchiveError::NotFound("StudyInstanceUID non valido".into()));
        }
        let url = format!("{}/studies/{study_uid}", self.cfg.url.trim_end_matches('/'));
        let resp = self.get(
            &url,
            "multipart/related; type=\"application/dicom\"",
            "DICOMweb",
        )?;
        match resp.status().as_u16() {
            200 => {}
            404 => {
                return Err(ArchiveError::NotFound(
                    "DICOMweb: studio non trovato (404)".into(),
                ));
            }
            s => return Err(ArchiveError::Unavailable(format!("DICOMweb: risposta {s}"))),
        }
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let boundary = boundary(content_type).ok_or_else(|| {
            ArchiveError::Corrupt(format!("DICOMweb: Content-Type inatteso {content_type:?}"))
        })?;
        let total = resp
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let reader = resp.into_body().into_reader();
        let files = split_multipart(reader, &boundary, scratch, &|done| progress(done, total))?;
        if files.is_empty() {
            return Err(ArchiveError::NotFound(
                "DICOMweb: studio senza istanze".into(),
            ));
        }
        Ok(files)
    }
}

/// The `boundary` parameter of a `multipart/related` Content-Type.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut parts = content_type.split(';').map(str::trim);
    if !parts.next()?.eq_ignore_ascii_case("multipart/related") {
        return None;
    }
    parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// A part's headers (Content-Type, Content-Location…) are a few hundred bytes: more is a
/// broken answer, refused before it fills the memory (it once grew without a bound).
const MAX_PART_HEADERS: usize = 64 * 1024;

/// Splits a multipart body into one file per part in `dir`, streaming: memory stays at a
/// few buffers whatever the study's size. A body that ends before the closing delimiter
/// is `Corrupt`.
pub fn split_multipart(
    mut r: impl Read,
    boundary: &str,
    dir: &Path,
    progress: &dyn Fn(u64),
) -> Result<Vec<PathBuf>, ArchiveError> {
    let io = |e: std::io::Error| ArchiveError::Unavailable(format!("DICOMweb: {e}"));
    let delim = format!("\r\n--{boundary}").into_bytes();
    // Prefixing CRLF lets the first delimiter match like the others.
    let mut buf: Vec<u8> = b"\r\n".to_vec();
    let mut chunk = vec![0u8; 256 * 1024];
    let mut received = 0u64;
    let mut eof = false;
    let mut files = Vec::new();
    let mut out: Option<std::io::BufWriter<std::fs::File>> = None;
    let mut in_headers = false;
    let mut started = false;
    loop {
        // Process what is buffered.
        loop {
            if in_headers {
                if buf.len() > MAX_PART_HEADERS
                    && find(&buf[..MAX_PART_HEADERS], b"\r\n\r\n").is_none()
                {
                    return Err(ArchiveError::Corrupt(
                        "DICOMweb: intestazioni di una parte troppo lunghe".into(),
                    ));
                }
                match find(&buf, b"\r\n\r\n") {
                    Some(i) => {
                        buf.drain(..i + 4);
                        let path = dir.join(format!("part{:06}.dcm", files.len() + 1));
                        out = Some(std::io::BufWriter::new(
                            std::fs::File::create(&path).map_err(io)?,
                        ));
                        files.push(path);
                        in_headers = false;
                    }
                    None => break,
                }
            } else {
                match find(&buf, &delim) {
                    Some(i) => {
                        if let Some(w) = out.as_mut() {
                            w.write_all(&buf[..i]).map_err(io)?;
                        }
                        if let Some(mut w) = out.take() {
                            w.flush().map_err(io)?;
                        }
                        let after = i + delim.len();
                        if buf.len() < after + 2 {
                            break;
                        }
                        if &buf[after..after + 2] == b"--" {
                            return if started || !files.is_empty() {
                                Ok(files)
                            } else {
                                Ok(Vec::new())
                            };
                        }
                        started = true;
                        buf.drain(..after);
                        in_headers = true;
                    }
                    None => {
                        // Keep a tail that could be the start of a delimiter.
                        let keep = delim.len().min(buf.len());
                        let cut = buf.len() - keep;
                        if let Some(w) = out.as_mut() {
                            w.write_all(&buf[..cut]).map_err(io)?;
                        }
                        buf.drain(..cut);
                        break;
                    }
                }
            }
        }
        if eof {
            return Err(ArchiveError::Corrupt(
                "DICOMweb: risposta multipart troncata".into(),
            ));
        }
        let n = r.read(&mut chunk).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                ArchiveError::Corrupt(format!("DICOMweb: risposta troncata ({e})"))
            } else {
                io(e)
            }
        })?;
        if n == 0 {
            eof = true;
        }
        received += n as u64;
        progress(received);
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let mut start = 0;
    while let Some(p) = hay[start..=hay.len() - needle.len()]
        .iter()
        .position(|&b| b == first)
    {
        let i = start + p;
        if &hay[i..i + needle.len()] == needle {
            return Some(i);
        }
        start = i + 1;
    }
    None
}

fn base64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in input.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(parts: &[&[u8]], close: bool) -> Vec<u8> {
        let mut b = Vec::new();
        for p in parts {
            b.extend_from_slice(b"--XyZ\r\nContent-Type: application/dicom\r\n\r\n");
            b.extend_from_slice(p);
            b.extend_from_slice(b"\r\n");
        }
        if close {
            b.extend_from_slice(b"--XyZ--\r\n");
        }
        b
    }

    /// Reads one byte at a time: delimiters split across reads must still be found.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() || buf.is_empty() {
                return Ok(0);
            }
            buf[0] = self.0[0];
            self.0 = &self.0[1..];
            Ok(1)
        }
    }

    #[test]
    fn splits_parts_and_detects_truncation() {
        let dir = std::env::temp_dir().join(format!("cds-mp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let a: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
        let b = b"second\r\n--XY not a delimiter".to_vec();
        let full = body(&[&a, &b], true);
        let files = split_multipart(Trickle(&full), "XyZ", &dir, &|_| {}).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(std::fs::read(&files[0]).unwrap(), a);
        assert_eq!(std::fs::read(&files[1]).unwrap(), b);
        let cut = &full[..full.len() - 30];
        let err = split_multipart(cut, "XyZ", &dir, &|_| {}).unwrap_err();
        assert!(matches!(err, ArchiveError::Corrupt(_)), "{err:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A part whose headers never end: refused after a bounded read, not buffered whole.
    #[test]
    fn endless_part_headers_are_refused_early() {
        struct Endless(u64);
        impl Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 >= 64 << 20 {
                    return Ok(0);
                }
                // "--XyZ\r\n", then header lines of 8 bytes for ever.
                let line: &[u8] = if self.0 == 0 {
                    b"--XyZ\r\n"
                } else {
                    b"X-A: b\r\n"
                };
                let n = if self.0 == 0 {
                    line.len()
                } else {
                    buf.len() - buf.len() % 8
                };
                for (i, b) in buf[..n].iter_mut().enumerate() {
                    *b = line[i % line.len()];
                }
                self.0 += n as u64;
                Ok(n)
            }
        }
        let dir = std::env::temp_dir().join(format!("cds-mp-endless-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut r = Endless(0);
        let err = split_multipart(&mut r, "XyZ", &dir, &|_| {}).unwrap_err();
        assert!(matches!(err, ArchiveError::Corrupt(_)), "{err:?}");
        assert!(r.0 < 1 << 20, "read {} bytes of headers", r.0);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn parses_boundary_and_base64() {
        assert_eq!(
            boundary("multipart/related; type=\"application/dicom\"; boundary=abc").as_deref(),
            Some("abc")
        );
        assert_eq!(
            boundary("multipart/related;boundary=\"q r\"").as_deref(),
            Some("q r")
        );
        assert_eq!(boundary("application/dicom"), None);
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64(b"ab"), "YWI=");
    }
}
