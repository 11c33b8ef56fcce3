//! Slowloris (headers trickled, or nothing sent at all) and slow or stalled bodies on every
//! kind of body — a form, the API's JSON, a back-office upload, the API's PDF upload — with
//! short timeouts from `CDS_HTTP_*`: each is dropped (408 with an Italian message where a
//! handler reads the body) while others are served.

use super::{Watch, count, exchange, figures, italian_4xx, scale};
use crate::client::{Browser, parse};
use crate::{DEMO_TOKEN, MARIO, OPERATORE, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const SHORT: [(&str, &str); 2] = [
    ("CDS_HTTP_HEADER_READ_TIMEOUT_SECS", "2"),
    ("CDS_HTTP_BODY_READ_TIMEOUT_SECS", "2"),
];

/// Far above the 2 s timeouts: a connection still open then was not dropped (a bound
/// against hanging, not a speed figure).
const GIVE_UP: Duration = Duration::from_secs(25);

/// Sends `head`, then `drip` one byte every 200 ms (cycling); whether the server closed
/// the connection before `GIVE_UP`, and what it sent.
fn trickle(addr: &str, head: &[u8], drip: &[u8]) -> (bool, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let _ = s.write_all(head);
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let mut i = 0;
    while start.elapsed() < GIVE_UP {
        if !drip.is_empty() && s.write_all(&drip[i % drip.len()..][..1]).is_err() {
            return (true, got);
        }
        i += 1;
        match s.read(&mut buf) {
            Ok(0) => return (true, got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return (true, got),
        }
    }
    (false, got)
}

#[test]
fn slowloris_connections_are_dropped_while_others_are_served() {
    let s = Server::demo(&SHORT);
    let watch = Watch::start(&s.addr);
    let n = 24 * scale();
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let addr = s.addr.clone();
            std::thread::spawn(move || match i % 3 {
                // Headers one byte at a time, never ending.
                0 => trickle(
                    &addr,
                    b"GET /accedi HTTP/1.1\r\nHost: x\r\n",
                    b"X-Slow: y\r\n",
                ),
                // Connected, nothing sent.
                1 => trickle(&addr, b"", b""),
                // A whole request, then a second one trickled on the same connection.
                _ => trickle(
                    &addr,
                    b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /accedi HTTP/1.1\r\n",
                    b"X-Slow: y\r\n",
                ),
            })
        })
        .collect();
    // Meanwhile a patient logs in and reads his page.
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    assert_eq!(b.get("/documenti-interscambiati").status, 200);
    for (i, t) in threads.into_iter().enumerate() {
        let (closed, _) = t.join().unwrap();
        assert!(closed, "slow connection {i} still open after {GIVE_UP:?}");
    }
    watch.finish();
    count(n + 3, n);
    figures();
}

#[test]
fn slow_and_stalled_bodies_are_dropped_with_a_408() {
    let s = Server::demo(&SHORT);
    let watch = Watch::start(&s.addr);
    // A login form whose body trickles: 408, an Italian page, the connection closed.
    let mut b = Browser::new(&s.addr);
    b.get("/accedi");
    let cookie = format!("cds_pre={}", b.cookies["cds_pre"]);
    let head = format!(
        "POST /accedi HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ncodice_fiscale="
    );
    let (closed, got) = trickle(&s.addr, head.as_bytes(), b"A");
    assert!(closed, "a trickled body is dropped");
    let r = parse(&got);
    assert_eq!(r.status, 408, "{}", r.body);
    italian_4xx(&r, "slow form");
    assert!(r.body.contains("Invio dei dati troppo lento"), "{}", r.body);

    // The API's JSON, stalled half-way.
    let stalled = format!(
        "PUT /api/v1/pazienti/{} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {DEMO_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{{\"nome\": \"Ma",
        MARIO.0
    );
    let r = exchange(&s.addr, stalled.as_bytes(), GIVE_UP.as_secs()).expect("an answer");
    assert_eq!(r.status, 408, "{}", r.body);
    assert!(r.body.contains("Invio dei dati troppo lento"), "{}", r.body);

    // The API's PDF upload, stalled inside the file.
    let boundary = "XyZbOuNdArY";
    let pdf_head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"pdf\"; filename=\"r.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    );
    let stalled = format!(
        "POST /api/v1/documenti HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {DEMO_TOKEN}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 900000\r\n\r\n{pdf_head}"
    );
    let r = exchange(&s.addr, stalled.as_bytes(), GIVE_UP.as_secs())
        .expect("a stalled upload is answered, not held for minutes");
    assert_eq!(r.status, 408, "{}", r.body);
    assert!(r.body.contains("troppo lento"), "{}", r.body);

    // A back-office upload (the CSV import), stalled after its CSRF field.
    let mut op = Browser::new(&s.addr);
    op.operator_login(OPERATORE.0, OPERATORE.1);
    op.get("/operatore/pazienti/importa");
    let cookies: Vec<String> = op.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let token = op.csrf.clone().unwrap();
    let stalled = format!(
        "POST /operatore/pazienti/importa HTTP/1.1\r\nHost: x\r\nCookie: {}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 900000\r\n\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.csv\"\r\nContent-Type: text/csv\r\n\r\ncodice_fiscale;nome",
        cookies.join("; ")
    );
    let r = exchange(&s.addr, stalled.as_bytes(), GIVE_UP.as_secs())
        .expect("a stalled upload is answered, not held for minutes");
    assert_eq!(r.status, 408, "{}", r.body);
    italian_4xx(&r, "stalled upload");
    assert!(r.body.contains("Invio del file troppo lento"), "{}", r.body);
    // Nothing half-written: no patient imported, no temporary file left.
    let tmp = s.data.0.join("data/tmp");
    let left = std::fs::read_dir(&tmp).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "the partial upload was removed");
    watch.finish();
    count(10, 4);
    figures();
}
