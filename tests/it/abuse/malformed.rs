//! Oversized and malformed requests: huge headers, huge bodies on every kind of POST (forms
//! before and after login, the back office's forms and uploads, the API's JSON and PDF),
//! lying Content-Length, chunked garbage, invalid UTF-8, NUL bytes and absurd query strings.
//! What reaches the portal's handlers gets a 4xx Italian page; what HTTP itself cannot read
//! (hyper refuses it before any handler) a bare 4xx; never a 5xx, and the server goes on.

use super::{Watch, count, exchange, figures, italian_4xx, scale};
use crate::client::{Browser, Response, form, multipart};
use crate::{DEMO_TOKEN, MARIO, OPERATORE, Server};

/// A request with `body`, declared (`Content-Length`) or chunked (one chunk).
fn send(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    ctype: &str,
    body: &[u8],
    chunked: bool,
) -> Response {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {ctype}\r\n"
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    let mut bytes = if chunked {
        req.push_str("Transfer-Encoding: chunked\r\n\r\n");
        let mut b = req.into_bytes();
        b.extend_from_slice(format!("{:x}\r\n", body.len()).as_bytes());
        b.extend_from_slice(body);
        b.extend_from_slice(b"\r\n0\r\n\r\n");
        b
    } else {
        req.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        let mut b = req.into_bytes();
        b.extend_from_slice(body);
        b
    };
    bytes.shrink_to_fit();
    exchange(addr, &bytes, 30).unwrap_or_else(|| panic!("{method} {path}: no answer"))
}

/// The logged-in patient's and operator's cookies and tokens.
struct Who {
    cookie: String,
    csrf: String,
}

fn who(b: &Browser) -> Who {
    Who {
        cookie: b
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; "),
        csrf: b.csrf.clone().unwrap(),
    }
}

fn no_5xx_in_log(s: &Server) {
    let log = s.log();
    assert!(
        !log.contains("status=5") && !log.contains(" 500 ") && !log.contains("panicked"),
        "{log}"
    );
}

#[test]
fn oversized_bodies_on_every_kind_of_post_get_413() {
    let s = Server::demo(&[
        ("CDS_API_MAX_JSON_BYTES", "4096"),
        ("CDS_DOCUMENTS_MAX_UPLOAD_MB", "1"),
    ]);
    let watch = Watch::start(&s.addr);
    let mut anon = Browser::new(&s.addr);
    anon.get("/accedi");
    let anon = who(&anon);
    let mut patient = Browser::new(&s.addr);
    patient.login(MARIO.0, MARIO.1);
    patient.get("/assistenza");
    let patient = who(&patient);
    let mut op = Browser::new(&s.addr);
    op.operator_login(OPERATORE.0, OPERATORE.1);
    op.get("/operatore/pazienti/nuovo");
    let op = who(&op);
    let big = "x".repeat(200_000);
    let token = "0123456789abcdef0123456789abcdef";
    let forms: Vec<(&str, &Who)> = vec![
        ("/accedi", &anon),
        ("/nuovo-pin", &anon),
        ("/accedi/spid", &anon),
        ("/sandbox/pagamenti", &anon),
        ("/operatore/accedi", &anon),
        ("/assistenza", &patient),
        ("/condivisioni", &patient),
        ("/carrello/aggiungi", &patient),
        ("/dashboard/avvisi", &patient),
        ("/esci", &patient),
        ("/operatore/pazienti/nuovo", &op),
        ("/operatore/listino", &op),
        ("/operatore/profilo", &op),
    ];
    let shared = format!("/condivisi/{token}");
    let mut forms = forms;
    forms.push((&shared, &anon));
    let mut tried = 0;
    for (path, w) in &forms {
        for chunked in [false, true] {
            let body = form(&[("csrf", &w.csrf), ("campo", &big)]);
            let h = [("Cookie", w.cookie.clone())];
            let ctype = "application/x-www-form-urlencoded";
            let r = send(&s.addr, "POST", path, &h, ctype, body.as_bytes(), chunked);
            assert_eq!(r.status, 413, "{path} chunked={chunked}: {}", r.body);
            italian_4xx(&r, path);
            assert!(r.body.contains("troppo grandi"), "{path}");
            tried += 1;
        }
    }
    // The back office's uploads: over the file's limit.
    let pid: i64 = rusqlite::Connection::open(s.db_path())
        .unwrap()
        .query_row(
            "SELECT id FROM patients WHERE codice_fiscale = ?1",
            [MARIO.0],
            |r| r.get(0),
        )
        .unwrap();
    let huge_csv = vec![b'A'; 5 * 1024 * 1024 + 10];
    let huge_pdf = vec![b'%'; 1_000_001];
    let publish = format!("/operatore/pazienti/{pid}/pubblica");
    for (path, file) in [
        ("/operatore/pazienti/importa", &huge_csv),
        (publish.as_str(), &huge_pdf),
    ] {
        for chunked in [false, true] {
            let (ctype, body) = multipart(
                &[("csrf", &op.csrf)],
                Some(("file", "f.bin", "application/octet-stream", file)),
            );
            let h = [("Cookie", op.cookie.clone())];
            let r = send(&s.addr, "POST", path, &h, &ctype, &body, chunked);
            assert_eq!(r.status, 413, "{path} chunked={chunked}: {}", r.body);
            italian_4xx(&r, path);
            assert!(r.body.contains("troppo grande"), "{path}: {}", r.body);
            tried += 1;
        }
    }
    // The API: JSON over api.max_json_bytes, a PDF over documents.max_upload_mb.
    let bearer = [("Authorization", format!("Bearer {DEMO_TOKEN}"))];
    let json = format!("{{\"nome\": \"{}\"}}", "x".repeat(10_000));
    for (method, path) in [
        ("PUT", format!("/api/v1/pazienti/{}", MARIO.0)),
        ("POST", "/api/v1/documenti".to_string()),
        ("POST", "/api/v1/documenti/lotto".to_string()),
    ] {
        for chunked in [false, true] {
            let r = send(
                &s.addr,
                method,
                &path,
                &bearer,
                "application/json",
                json.as_bytes(),
                chunked,
            );
            assert_eq!(r.status, 413, "{path} chunked={chunked}: {}", r.body);
            assert!(r.body.contains("troppo grande"), "{path}: {}", r.body);
            tried += 1;
        }
    }
    let (ctype, body) = multipart(
        &[("metadati", "{}")],
        Some(("pdf", "r.pdf", "application/pdf", &huge_pdf)),
    );
    for chunked in [false, true] {
        let r = send(
            &s.addr,
            "POST",
            "/api/v1/documenti",
            &bearer,
            &ctype,
            &body,
            chunked,
        );
        assert_eq!(r.status, 413, "api pdf chunked={chunked}: {}", r.body);
        tried += 1;
    }
    // Nothing was written by any of them.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let rows: i64 = db
        .query_row(
            "SELECT (SELECT count(*) FROM support_requests) + (SELECT count(*) FROM shares)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 0);
    no_5xx_in_log(&s);
    watch.finish();
    count(tried + 4, tried);
    figures();
}

#[test]
fn malformed_requests_get_4xx_and_never_5xx() {
    let s = Server::demo(&[]);
    let watch = Watch::start(&s.addr);
    let mut tried = 0;
    // What HTTP itself refuses (hyper answers before any handler): a bare 4xx. (hyper checks
    // the head's size between reads of its buffer: a head of 100 kB may still be read.)
    let huge_header = format!(
        "GET /accedi HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(400_000)
    );
    let many_headers = format!(
        "GET /accedi HTTP/1.1\r\nHost: x\r\n{}\r\n",
        (0..200)
            .map(|i| format!("X-H{i}: v\r\n"))
            .collect::<String>()
    );
    let absurd_query = format!(
        "GET /accedi?{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "q=%FF&".repeat(20_000)
    );
    let refused: Vec<Vec<u8>> = vec![
        huge_header.into_bytes(),
        many_headers.into_bytes(),
        absurd_query.into_bytes(),
        b"POST /accedi HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n".to_vec(),
        b"POST /accedi HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n".to_vec(),
        b"POST /accedi HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nabcde"
            .to_vec(),
        b"POST /accedi HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n"
            .to_vec(),
        b"GET /acc\xff\xfeedi HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        b"GET /accedi\x00 HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        b"GET /accedi HTTP/1.1\r\nHost: x\r\nX-Nul: a\x00b\r\n\r\n".to_vec(),
        b"GARBAGE\r\n\r\n".to_vec(),
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".to_vec(),
    ];
    for (i, req) in refused.iter().enumerate() {
        if let Some(r) = exchange(&s.addr, req, 30) {
            assert!((400..500).contains(&r.status), "refused #{i}: {}", r.status);
        }
        tried += 1;
    }
    // What reaches the handlers: an Italian 4xx page.
    let mut b = Browser::new(&s.addr);
    b.get("/accedi");
    let w = who(&b);
    let ctype = "application/x-www-form-urlencoded";
    let h = [("Cookie", w.cookie.clone())];
    // A body shorter than its Content-Length, then the sender stops.
    let short = format!(
        "POST /accedi HTTP/1.1\r\nHost: x\r\nCookie: {}\r\nContent-Type: {ctype}\r\nContent-Length: 500\r\n\r\ncsrf=1",
        w.cookie
    );
    let mut stream = std::net::TcpStream::connect(&s.addr).unwrap();
    use std::io::Write;
    stream.write_all(short.as_bytes()).unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let r = crate::client::read_response(&mut stream);
    assert_eq!(r.status, 400, "{}", r.body);
    italian_4xx(&r, "short body");
    assert!(r.body.contains("Richiesta incompleta"));
    tried += 1;
    // Chunked garbage.
    for garbage in [
        &b"zz\r\nhello\r\n0\r\n\r\n"[..],
        b"5\r\nabcdefghij\r\n0\r\n\r\n",
        b"-1\r\n\r\n",
    ] {
        let mut req = format!(
            "POST /accedi HTTP/1.1\r\nHost: x\r\nCookie: {}\r\nContent-Type: {ctype}\r\nTransfer-Encoding: chunked\r\n\r\n",
            w.cookie
        )
        .into_bytes();
        req.extend_from_slice(garbage);
        let r = exchange(&s.addr, &req, 30).expect("an answer");
        assert!((400..500).contains(&r.status), "{garbage:?}: {}", r.status);
        if !r.body.is_empty() {
            italian_4xx(&r, "chunked garbage");
        }
        tried += 1;
    }
    // Invalid UTF-8 and NUL bytes in the fields, escaped and raw.
    let mut bodies: Vec<Vec<u8>> = Vec::new();
    for value in [
        "%FF%FE%FD",
        "%00",
        "RSSMRA80A01A182N%00",
        "%C0%AF",
        "%ED%A0%80",
    ] {
        bodies.push(
            format!(
                "csrf={}&codice_fiscale={value}&pin={value}",
                crate::client::enc(&w.csrf)
            )
            .into_bytes(),
        );
    }
    let mut raw = format!("csrf={}&codice_fiscale=", crate::client::enc(&w.csrf)).into_bytes();
    raw.extend_from_slice(b"\xff\xfe\x00RSSMRA&pin=\x00\x00");
    bodies.push(raw);
    for path in ["/accedi", "/nuovo-pin"] {
        for body in &bodies {
            let r = send(&s.addr, "POST", path, &h, ctype, body, false);
            italian_4xx(&r, path);
            tried += 1;
        }
    }
    // Absurd query strings the handlers read.
    let mut patient = Browser::new(&s.addr);
    patient.login(MARIO.0, MARIO.1);
    let mut op = Browser::new(&s.addr);
    op.operator_login(OPERATORE.0, OPERATORE.1);
    let long = "%FF".repeat(1_500);
    let repeated = "da=01/01/2000&".repeat(2_000);
    let n = 2 * scale();
    for _ in 0..n {
        for q in [
            format!("da={long}&a={long}"),
            repeated.clone(),
            "da=%00&a=%00&q=%00".to_string(),
            "da=99/99/99999999999&a=-1/-1/-1".to_string(),
            format!("q={}", "<".repeat(10_000)),
        ] {
            for (operator, path) in [
                (false, "/documenti-interscambiati"),
                (false, "/documenti"),
                (false, "/ordini"),
                (true, "/operatore/pazienti"),
                (true, "/operatore/richieste"),
                (true, "/operatore/registro"),
                (true, "/operatore/ordini"),
            ] {
                let b = if operator { &mut op } else { &mut patient };
                let r = b.get(&format!("{path}?{q}"));
                assert!(
                    r.status < 500,
                    "{path}?{}: {}",
                    &q[..q.len().min(40)],
                    r.status
                );
                if r.status >= 400 && !r.body.is_empty() {
                    italian_4xx(&r, path);
                }
                tried += 1;
            }
        }
    }
    // The patients are all there, nothing else was written, nothing logged as a 5xx.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let n: i64 = db
        .query_row("SELECT count(*) FROM patients", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    no_5xx_in_log(&s);
    watch.finish();
    count(tried + 4, tried);
    figures();
}
