//! Byte-level readers: HTTP ranges, multipart forms, the DICOMweb multipart splitter, DICOM
//! headers.

use crate::http::upload::{Limits, read_parts};
use crate::recovery::dicomweb::{boundary, split_multipart};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::StatusCode;
use sha2::Digest;
use std::io::Read;
use std::path::PathBuf;
use std::sync::OnceLock;

/// A byte of the input chooses a chunk size; the reader hands out at most that many bytes
/// per call, so that delimiters fall across reads.
struct Chunked<'a> {
    data: &'a [u8],
    sizes: &'a [u8],
    at: usize,
    /// Bytes handed out so far.
    given: usize,
}

impl Chunked<'_> {
    fn next_size(&mut self) -> usize {
        let s = self.sizes.get(self.at % self.sizes.len().max(1)).copied();
        self.at += 1;
        match s {
            None | Some(0) => 64 * 1024,
            Some(s) => s as usize,
        }
    }
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.next_size().min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        self.given += n;
        Ok(n)
    }
}

/// Files of a few sizes, made once: the Range target serves them.
fn served_files() -> &'static [(PathBuf, Vec<u8>)] {
    static FILES: OnceLock<Vec<(PathBuf, Vec<u8>)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = super::scratch("range");
        [0usize, 1, 2, 100, 4097]
            .iter()
            .map(|&n| {
                let bytes: Vec<u8> = (0..n).map(|i| (i * 7 % 251) as u8).collect();
                let path = dir.join(format!("file-{n}"));
                std::fs::write(&path, &bytes).expect("range file");
                (path, bytes)
            })
            .collect()
    })
}

/// A recovered file served with the input's `Range` (and `If-Range`): 200 is the whole
/// file, 206 exactly the bytes its `Content-Range` names (never past the end), 416 names
/// the size; `Content-Length` is the body's length.
pub fn range(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let (path, bytes) = &served_files()[pick as usize % served_files().len()];
    let text = String::from_utf8_lossy(rest);
    let (range, if_range) = match text.split_once('\n') {
        Some((r, i)) => (r.to_string(), Some(i.to_string())),
        None => (text.to_string(), None),
    };
    let size = bytes.len() as u64;
    if let Some(Ok((s, e))) = crate::recovery::download::parse_range(&range, size) {
        assert!(s <= e && e < size, "{range:?} of {size}: {s}-{e}");
    }
    let path = path.to_string_lossy();
    let dl = crate::recovery::download::Download {
        path: &path,
        size,
        etag: "abc",
        file_name: "studio.zip",
        content_type: "application/zip",
    };
    let (status, headers, body) = super::block_on(async {
        let r = crate::recovery::download::serve(&dl, Some(&range), if_range.as_deref())
            .await
            .expect("serve");
        let (parts, body) = r.into_parts();
        let body = body.collect().await.expect("body").to_bytes();
        (parts.status, parts.headers, body)
    });
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    if status != StatusCode::RANGE_NOT_SATISFIABLE {
        assert_eq!(header("content-length"), Some(body.len().to_string()));
    }
    match status {
        StatusCode::OK => assert_eq!(&body[..], &bytes[..]),
        StatusCode::PARTIAL_CONTENT => {
            let cr = header("content-range").expect("Content-Range");
            let (span, total) = cr
                .strip_prefix("bytes ")
                .and_then(|r| r.split_once('/'))
                .expect("bytes s-e/size");
            assert_eq!(total, size.to_string());
            let (s, e) = span.split_once('-').expect("s-e");
            let (s, e): (usize, usize) = (s.parse().expect("s"), e.parse().expect("e"));
            assert!(s <= e && e < bytes.len(), "{cr} of {size}");
            assert_eq!(&body[..], &bytes[s..=e]);
        }
        StatusCode::RANGE_NOT_SATISFIABLE => {
            assert_eq!(header("content-range"), Some(format!("bytes */{size}")));
            assert!(body.is_empty());
        }
        s => panic!("status {s}"),
    }
}

/// Separates fields in the structured half of the multipart targets.
const SEP: u8 = 0xFF;

/// A multipart form (`http::upload`), two ways. Raw: the input is the body (boundary
/// `XyZ`), read in the input's chunk sizes: never more fields than allowed nor a field
/// longer than allowed. Round trip: the input's pieces become text fields (and a file) that
/// an encoder writes with a boundary none contains; reading gives every field back (the
/// last of a repeated name), the file byte for byte with its SHA-256.
pub fn multipart_form(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let dir = super::scratch("upload");
    let limits = Limits {
        max_file: 16 * 1024,
        timeout: std::time::Duration::from_secs(10),
        idle: std::time::Duration::from_secs(10),
    };
    let read = |body: Vec<u8>, sizes: Vec<u8>, boundary: String| {
        let chunks: Vec<Result<Bytes, std::io::Error>> = chunk(&body, &sizes)
            .into_iter()
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        super::block_on(read_parts(
            boundary,
            futures_util::stream::iter(chunks),
            &dir,
            &limits,
            None,
        ))
    };
    if mode & 1 == 0 {
        let sizes = rest.iter().take(4).copied().collect();
        if let Ok(up) = read(rest.to_vec(), sizes, "XyZ".into()) {
            assert!(up.fields.len() <= 64);
            assert!(up.fields.values().all(|v| v.len() <= 64 * 1024));
            if let Some(f) = &up.file {
                assert!(f.size <= limits.max_file);
                assert_eq!(
                    std::fs::metadata(&f.path).map(|m| m.len()).ok(),
                    Some(f.size)
                );
            }
        }
        return;
    }
    let pieces: Vec<&[u8]> = rest.split(|b| *b == SEP).collect();
    let with_file = mode & 2 != 0;
    let mut fields: Vec<(String, String)> = Vec::new();
    for pair in pieces.chunks(2).take(60) {
        // Names as forms have them (ours are ASCII words); values anything.
        let name: String = pair[0].iter().map(|b| (b'a' + b % 26) as char).collect();
        let value = String::from_utf8_lossy(pair.get(1).copied().unwrap_or(b"")).into_owned();
        fields.push((name, value));
    }
    let file: Vec<u8> = if with_file {
        rest.iter().rev().copied().collect()
    } else {
        Vec::new()
    };
    let mut boundary = String::from("b0undary");
    while fields
        .iter()
        .any(|(k, v)| k.contains(&boundary) || v.contains(&boundary))
        || find(&file, boundary.as_bytes())
    {
        boundary.push('x');
    }
    let mut body = Vec::new();
    for (k, v) in &fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(v.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    if with_file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&file);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let up = read(body, rest.iter().take(3).copied().collect(), boundary)
        .unwrap_or_else(|e| panic!("a well-formed form refused: {e:?}"));
    let mut want: std::collections::HashMap<String, String> = Default::default();
    for (k, v) in fields {
        want.insert(k, v);
    }
    assert_eq!(up.fields, want);
    match (&up.file, with_file) {
        (Some(f), true) => {
            assert_eq!(std::fs::read(&f.path).ok().as_deref(), Some(&file[..]));
            assert_eq!(f.size, file.len() as u64);
            assert_eq!(f.sha256, crate::crypto::hex(&sha2::Sha256::digest(&file)));
            assert_eq!(up.file_field, "file");
        }
        (None, false) => {}
        (f, _) => panic!("file {:?} expected {with_file}", f.as_ref().map(|f| f.size)),
    }
}

/// `data` in pieces of the given sizes (0: the rest).
fn chunk<'a>(data: &'a [u8], sizes: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    let mut i = 0;
    while !rest.is_empty() {
        let n = match sizes.get(i % sizes.len().max(1)) {
            None | Some(0) => rest.len(),
            Some(&n) => (n as usize).min(rest.len()),
        };
        out.push(&rest[..n]);
        rest = &rest[n..];
        i += 1;
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// The DICOMweb study answer split into part files, two ways. Raw: the input (boundary
/// `XyZ`) in the input's chunk sizes: either refused, or every part is a piece of the input
/// right before a delimiter and none holds one. Round trip: the input's pieces become the
/// parts of a body written with a boundary none contains; the split gives them back, in
/// order, byte for byte; the body cut short is refused. The Content-Type's boundary reads
/// back as written.
pub fn dicomweb_multipart(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let dir = super::scratch("dicomweb");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    let sizes: Vec<u8> = rest.iter().take(3).copied().collect();
    if mode & 1 == 0 {
        let mut r = Chunked {
            data: rest,
            sizes: &sizes,
            at: 0,
            given: 0,
        };
        let delim = b"\r\n--XyZ";
        if let Ok(files) = split_multipart(&mut r, "XyZ", &dir, &|_| {}) {
            // The input as the splitter sees it (a CRLF before the first delimiter).
            let mut whole = b"\r\n".to_vec();
            whole.extend_from_slice(rest);
            let mut at = 0;
            for f in &files {
                let part = std::fs::read(f).expect("part file");
                assert!(!find(&part, delim), "a part holds the delimiter");
                let start = (at..=whole.len().saturating_sub(part.len()))
                    .find(|&i| {
                        whole[i..].starts_with(&part) && whole[i + part.len()..].starts_with(delim)
                    })
                    .unwrap_or_else(|| panic!("part {} is not in the input", f.display()));
                at = start + part.len();
            }
        }
        if let Ok(ct) = std::str::from_utf8(rest)
            && let Some(b) = boundary(ct)
        {
            assert!(!b.starts_with('"') && !b.ends_with('"'), "{b:?}");
        }
        return;
    }
    let parts: Vec<&[u8]> = rest.split(|b| *b == SEP).collect();
    let mut b = String::from("DICOMwebBoundary");
    while parts.iter().any(|p| find(p, b.as_bytes())) {
        b.push('0');
    }
    let ct = format!("multipart/related; type=\"application/dicom\"; boundary=\"{b}\"");
    assert_eq!(boundary(&ct).as_deref(), Some(b.as_str()));
    let mut body = Vec::new();
    for p in &parts {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Type: application/dicom\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(p);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{b}--\r\n").as_bytes());
    let mut r = Chunked {
        data: &body,
        sizes: &sizes,
        at: 0,
        given: 0,
    };
    let files = split_multipart(&mut r, &b, &dir, &|_| {})
        .unwrap_or_else(|e| panic!("a well-formed body refused: {e:?}"));
    let got: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).expect("part"))
        .collect();
    let want: Vec<Vec<u8>> = parts.iter().map(|p| p.to_vec()).collect();
    assert_eq!(got, want);
    let cut = &body[..body.len() - 4 - mode as usize % (body.len() - 4).max(1)];
    let mut r = Chunked {
        data: cut,
        sizes: &sizes,
        at: 0,
        given: 0,
    };
    assert!(split_multipart(&mut r, &b, &dir, &|_| {}).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A DICOM file's header as the packaging reads it (up to the pixel data): never a panic;
/// the texts read are trimmed; reading is deterministic. No allocation beyond `runner::MAX_ALLOCATION` (the declared lengths).
pub fn dicom_header(data: &[u8]) {
    use crate::packaging::scan;
    let Some(obj) = scan::header_object(data) else {
        return;
    };
    let path = std::path::Path::new("x.dcm");
    let first = scan::from_object(&obj, path, data.len() as u64);
    for t in [
        &first.patient_id,
        &first.patient_name,
        &first.study_instance_uid,
        &first.series_instance_uid,
        &first.modality,
        &first.study_date,
        &first.study_description,
        &first.accession_number,
    ] {
        assert_eq!(t.trim(), t.as_str());
    }
    // The same bytes read again give the same header. (Written out by dicom-rs and read
    // back, some mutated headers differ: dicom-rs's writer, not the portal's reading, and the
    // portal never writes a header it read — so no property of ours.)
    let again = scan::header_object(data).expect("read again");
    let second = scan::from_object(&again, path, data.len() as u64);
    assert_eq!(format!("{first:?}"), format!("{second:?}"));
}
