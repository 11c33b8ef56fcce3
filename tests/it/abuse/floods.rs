//! New-PIN SMS floods, counted at the real SMS gateway stub: per codice fiscale (many
//! requests at once, then past the interval, then past the daily limit), per IP, and from
//! many addresses through `http.trusted_proxy` — where `X-Forwarded-For` counts only when
//! the trusted proxy sends it.

use super::{Watch, count, figures, scale};
use crate::client::{Browser, Response, form};
use crate::new_pin::{SAME, env, http_gateway};
use crate::stub::SmsStub;
use crate::{LAURA, MARIO, Server, eventually};
use std::sync::{Arc, Barrier};
use std::time::Duration;

/// Cheap hashing: the floods are about counting, not about the hash's cost.
const FAST_HASH: [(&str, &str); 2] = [
    ("CDS_AUTH_ARGON2_M_KIB", "1024"),
    ("CDS_AUTH_ARGON2_T", "1"),
];

/// Asks for a new PIN with `X-Forwarded-For: xff` (when given).
fn ask(addr: &str, cf: &str, mobile: &str, xff: Option<&str>) -> Response {
    let mut b = Browser::new(addr);
    b.get("/nuovo-pin");
    let token = b.csrf.clone().unwrap();
    let body = form(&[
        ("codice_fiscale", cf),
        ("cellulare", mobile),
        ("csrf", &token),
    ]);
    let headers: Vec<(&str, &str)> = xff.map(|v| ("X-Forwarded-For", v)).into_iter().collect();
    b.send("POST", "/nuovo-pin", &headers, &body)
}

/// `n` requests at the same instant; each answer.
fn burst(addr: &str, n: usize, cf: &'static str, mobile: &'static str) -> Vec<Response> {
    let barrier = Arc::new(Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let (addr, barrier) = (addr.to_string(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let xff = format!("10.1.{}.{}", i / 250, i % 250 + 1);
                ask(&addr, cf, mobile, Some(&xff))
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

/// The same answer to everyone; past `auth.hash_queue` requests waiting for the hasher (a
/// bigger `CDS_ABUSE_SCALE`), the Italian "busy" page instead (load shed, nothing sent).
fn same_answer(answers: &[Response]) {
    for r in answers {
        let busy = r.status == 503 && r.body.contains("Troppi accessi in corso");
        assert!(busy || r.status == 200, "{} {}", r.status, r.body);
        assert!(busy || r.body.contains(SAME));
    }
}

/// Messages the stub received for `to`, once nothing more is on its way.
fn settled(stub: &SmsStub, to: &str, expected: usize) -> usize {
    let n = || {
        stub.messages()
            .iter()
            .filter(|m| m.json["to"] == to)
            .count()
    };
    eventually(10, || n() >= expected);
    std::thread::sleep(Duration::from_millis(1500));
    n()
}

/// The demo with the SMS gateway at `stub`, fast PIN hashing and `vars` (a trusted proxy,
/// the limits under test).
fn flood_server(stub: &SmsStub, vars: &[(&'static str, &str)]) -> Server {
    let mut gateway = http_gateway(&stub.url());
    gateway.extend(vars.iter().map(|(k, v)| (*k, v.to_string())));
    let mut all = env(&gateway);
    all.extend_from_slice(&FAST_HASH);
    Server::demo(&all)
}

#[test]
fn one_codice_fiscale_flooded_from_many_addresses_gets_its_daily_sms_only() {
    let stub = SmsStub::start(0);
    let s = flood_server(
        &stub,
        &[
            ("CDS_HTTP_TRUSTED_PROXY", "127.0.0.1"),
            ("CDS_AUTH_PIN_RESET_MIN_INTERVAL_SECS", "2"),
            ("CDS_AUTH_PIN_RESET_MAX_PER_DAY", "2"),
        ],
    );
    let watch = Watch::start(&s.addr);
    let n = 30 * scale();
    // Every request from its own address (the per-IP limit does not stop them): one SMS.
    same_answer(&burst(&s.addr, n, MARIO.0, MARIO.2));
    assert_eq!(settled(&stub, MARIO.2, 1), 1, "one SMS for a burst");
    // After the interval, one more; after that, the day's limit (2) holds.
    std::thread::sleep(Duration::from_millis(3100));
    same_answer(&burst(&s.addr, n, MARIO.0, MARIO.2));
    assert_eq!(settled(&stub, MARIO.2, 2), 2);
    std::thread::sleep(Duration::from_millis(3100));
    same_answer(&burst(&s.addr, n, MARIO.0, MARIO.2));
    assert_eq!(
        settled(&stub, MARIO.2, 3),
        2,
        "at most max_per_day SMS a day"
    );
    // Another patient is not held back by Mario's flood.
    same_answer(&[ask(&s.addr, LAURA.0, LAURA.2, Some("10.2.0.1"))]);
    assert_eq!(settled(&stub, LAURA.2, 1), 1);
    assert_eq!(stub.messages().len(), 3, "nobody else got an SMS");
    watch.finish();
    count(n * 6 + 2, n * 3);
    figures();
}

/// `n` requests, one after the other, each from "another" address in its header.
fn spoofed(s: &Server, n: usize, header: impl Fn(usize) -> String) -> Vec<Response> {
    (0..n)
        .map(|i| ask(&s.addr, LAURA.0, "3330000000", Some(&header(i))))
        .collect()
}

fn limited(answers: &[Response]) -> usize {
    answers
        .iter()
        .filter(|r| {
            r.status == 429
                && r.body
                    .contains("Troppe richieste da questa connessione. Attendi un minuto")
        })
        .count()
}

#[test]
fn forwarded_for_from_an_untrusted_peer_does_not_bypass_the_per_ip_limit() {
    let stub = SmsStub::start(0);
    // A proxy is configured, but the requests do not come from it.
    let s = flood_server(
        &stub,
        &[
            ("CDS_HTTP_TRUSTED_PROXY", "192.0.2.1"),
            ("CDS_AUTH_IP_ATTEMPTS_PER_MINUTE", "5"),
        ],
    );
    let watch = Watch::start(&s.addr);
    let n = 20 * scale();
    let answers = spoofed(&s, n, |i| format!("10.3.{}.{}", i / 250, i % 250 + 1));
    assert!(
        n - limited(&answers) <= 6,
        "{} passed",
        n - limited(&answers)
    );
    // Laura's own right request from the flooded address is limited too: no SMS.
    let r = ask(&s.addr, LAURA.0, LAURA.2, Some("10.9.9.9"));
    assert_eq!(r.status, 429);
    assert!(r.body.contains("lang=\"it\""));
    std::thread::sleep(Duration::from_millis(1500));
    assert!(stub.messages().is_empty(), "{:?}", stub.messages());
    watch.finish();
    count(n * 2 + 2, n);
    figures();
}

#[test]
fn the_trusted_proxy_s_forwarded_address_is_limited_per_client() {
    let stub = SmsStub::start(0);
    let s = flood_server(
        &stub,
        &[
            ("CDS_HTTP_TRUSTED_PROXY", "127.0.0.1"),
            ("CDS_AUTH_IP_ATTEMPTS_PER_MINUTE", "5"),
        ],
    );
    let watch = Watch::start(&s.addr);
    let n = 20 * scale();
    // Distinct clients behind the proxy: none is limited.
    let many = spoofed(&s, n, |i| format!("10.4.{}.{}", i / 250, i % 250 + 1));
    assert_eq!(limited(&many), 0);
    // One client: limited after its five, whatever it puts before the proxy's entry.
    let one = spoofed(&s, n, |i| format!("203.0.113.{}, 10.5.0.1", i % 250));
    assert!(n - limited(&one) <= 6, "{} passed", n - limited(&one));
    // Another client is not held back by that one.
    let other = ask(&s.addr, LAURA.0, LAURA.2, Some("10.5.0.2"));
    same_answer(&[other]);
    assert_eq!(settled(&stub, LAURA.2, 1), 1);
    watch.finish();
    count(n * 4 + 2, n * 2);
    figures();
}
