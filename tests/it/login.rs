//! Codice fiscale + PIN login: success, wrong PIN, unknown codice fiscale, lockout and
//! its expiry, concurrent attempts against the lockout, per-IP limit, sessions' idle and
//! absolute expiry, logout, a second login in the same browser.

use crate::client::Browser;
use crate::{LAURA, MARIO, Server};

#[test]
fn login_ok_lands_on_documenti_interscambiati() {
    let s = Server::demo(&[]);
    let mut b = Browser::new(&s.addr);
    let r = b.login("  rssmra80a01a182n ", MARIO.1);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some("/documenti-interscambiati"));
    let cookie = r
        .headers_named("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("cds_session="))
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "no Secure without TLS: {cookie}"
    );
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("cds_session=");
    assert_eq!(token.len(), 64, "256-bit token");
    let page = b.get("/documenti-interscambiati");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Mario Rossi"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    // Only the token's hash is stored.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let stored: Vec<u8> = db
        .query_row("SELECT token_hash FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert_ne!(stored, token.as_bytes());
    assert_eq!(stored.len(), 32);
    // Logged in, the login page sends the patient on.
    assert_eq!(b.get("/accedi").status, 303);
    assert!(!s.log().contains(MARIO.0), "codice fiscale in the log");
    assert!(!s.log().contains(MARIO.1), "PIN in the log");
}

#[test]
fn wrong_pin_and_unknown_codice_fiscale_answer_alike() {
    let s = Server::demo(&[]);
    let mut b = Browser::new(&s.addr);
    let wrong = b.login(LAURA.0, "11111111");
    let mut b2 = Browser::new(&s.addr);
    // Valid but not registered.
    let unknown = b2.login("RSSMRA80A01H501U", "11111111");
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    let msg = |body: &str| {
        body.split("alert-danger")
            .nth(1)
            .unwrap()
            .split("</div>")
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(msg(&wrong.body), msg(&unknown.body));
    assert!(wrong.body.contains("Codice fiscale o PIN non corretti"));
    assert!(
        wrong
            .headers_named("set-cookie")
            .iter()
            .all(|c| !c.starts_with("cds_session="))
    );
    assert_eq!(
        b.get("/dashboard").status,
        303,
        "no session after a wrong PIN"
    );
}

#[test]
fn lockout_after_five_wrong_pins_and_its_expiry() {
    let s = Server::demo(&[("CDS_AUTH_LOCKOUT_SECS", "3")]);
    let mut b = Browser::new(&s.addr);
    for i in 0..4 {
        assert_eq!(b.login(MARIO.0, "00000000").status, 401, "attempt {i}");
    }
    let fifth = b.login(MARIO.0, "00000000");
    assert_eq!(fifth.status, 429);
    assert!(fifth.body.contains("bloccato fino alle"), "{}", fifth.body);
    // Even the right PIN is refused while locked.
    let during = b.login(MARIO.0, MARIO.1);
    assert_eq!(during.status, 429);
    // An unknown codice fiscale locks the same way.
    let mut other = Browser::new(&s.addr);
    for _ in 0..5 {
        other.login("RSSMRA80A01H501U", "00000000");
    }
    assert_eq!(other.login("RSSMRA80A01H501U", "00000000").status, 429);
    std::thread::sleep(std::time::Duration::from_millis(3200));
    let after = b.login(MARIO.0, MARIO.1);
    assert_eq!(after.status, 303, "lock expired: {}", after.body);
}

#[test]
fn per_ip_limit() {
    let s = Server::demo(&[("CDS_AUTH_IP_ATTEMPTS_PER_MINUTE", "3")]);
    let mut b = Browser::new(&s.addr);
    for _ in 0..3 {
        assert_eq!(b.login(LAURA.0, "00000000").status, 401);
    }
    let r = b.login(LAURA.0, LAURA.1);
    assert_eq!(r.status, 429);
    assert!(
        r.body
            .contains("Troppi tentativi di accesso da questa connessione")
    );
}

#[test]
fn idle_expiry() {
    let s = Server::demo(&[
        ("CDS_SESSION_IDLE_TIMEOUT_SECS", "2"),
        ("CDS_SESSION_ABSOLUTE_TIMEOUT_SECS", "60"),
    ]);
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    assert_eq!(b.get("/dashboard").status, 200);
    std::thread::sleep(std::time::Duration::from_millis(2300));
    let r = b.get("/dashboard");
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/accedi?scaduta=1"));
    let page = b.get("/accedi?scaduta=1");
    assert!(page.body.contains("La sessione è scaduta"));
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let n: i64 = db
        .query_row("SELECT COUNT(*) FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0, "an expired session is deleted");
}

#[test]
fn absolute_expiry_even_when_active() {
    let s = Server::demo(&[
        ("CDS_SESSION_IDLE_TIMEOUT_SECS", "3"),
        ("CDS_SESSION_ABSOLUTE_TIMEOUT_SECS", "4"),
    ]);
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    let start = std::time::Instant::now();
    let mut expired_at = None;
    while start.elapsed().as_secs() < 7 {
        if b.get("/dashboard").status != 200 {
            expired_at = Some(start.elapsed());
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(700));
    }
    let t = expired_at.expect("the session ends at the absolute timeout");
    assert!(t.as_secs_f64() >= 3.0, "ended too early: {t:?}");
}

#[test]
fn logout_ends_the_session_server_side() {
    let s = Server::demo(&[]);
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    let stolen = b.cookies.get("cds_session").unwrap().clone();
    b.get("/dashboard");
    let r = b.post("/esci", &[]);
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/accedi?uscito=1"));
    let clear = r.header("clear-site-data").unwrap_or_default();
    assert!(
        clear.contains("\"storage\"") && clear.contains("\"cache\""),
        "{clear}"
    );
    // The old cookie, replayed, opens nothing.
    let replay = crate::client::request(
        &s.addr,
        "GET",
        "/dashboard",
        &[("Cookie", &format!("cds_session={stolen}"))],
        "",
    );
    assert_eq!(replay.status, 303);
}

#[test]
fn pin_login_can_be_switched_off() {
    let s = Server::demo(&[("CDS_AUTH_PIN", "false")]);
    assert_eq!(crate::client::get(&s.addr, "/accedi").status, 404);
    assert_eq!(crate::client::get(&s.addr, "/nuovo-pin").status, 404);
    assert_eq!(crate::client::get(&s.addr, "/accedi/spid").status, 200);
}

/// The rows the audit log has of `event` for Mario.
fn audited(s: &Server, event: &str) -> i64 {
    rusqlite::Connection::open(s.db_path())
        .unwrap()
        .query_row(
            "SELECT count(*) FROM audit_log a JOIN patients p ON p.id = a.patient_id
             WHERE p.codice_fiscale = ?1 AND a.action = ?2",
            [MARIO.0, event],
            |r| r.get(0),
        )
        .unwrap()
}

/// Sends one login form per browser, all at the same instant.
fn burst(s: &Server, pins: &[&str]) -> Vec<crate::client::Response> {
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(pins.len()));
    let threads: Vec<_> = pins
        .iter()
        .map(|pin| {
            let (addr, pin, barrier) = (s.addr.clone(), pin.to_string(), barrier.clone());
            let mut b = Browser::new(&addr);
            b.get("/accedi");
            std::thread::spawn(move || {
                barrier.wait();
                b.post("/accedi", &[("codice_fiscale", MARIO.0), ("pin", &pin)])
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

#[test]
fn concurrent_wrong_pins_check_at_most_the_limit_and_lock() {
    // One hashing thread: the attempts really queue behind each other, as under load.
    let s = Server::demo(&[
        ("CDS_AUTH_HASH_THREADS", "1"),
        ("CDS_AUTH_IP_ATTEMPTS_PER_MINUTE", "1000"),
    ]);
    let wrong: Vec<&str> = vec!["00000000"; 27];
    let answers = burst(&s, &wrong);
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    let checked = audited(&s, "login_failed");
    assert_eq!(
        checked, 5,
        "at most max_failures PINs checked: {statuses:?}"
    );
    // Wrong PINs checked before the lock answer 401, the rest 429 (locked).
    assert!(
        statuses.iter().all(|&c| c == 401 || c == 429),
        "{statuses:?}"
    );
    assert!(
        statuses.iter().filter(|&&c| c == 401).count() <= 4,
        "{statuses:?}"
    );
    // The right PIN now: locked, no session, and still no more PINs checked.
    let mut b = Browser::new(&s.addr);
    let r = b.login(MARIO.0, MARIO.1);
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(!b.cookies.contains_key("cds_session"));
    assert_eq!(audited(&s, "login"), 0);
    assert_eq!(audited(&s, "login_failed"), 5);
}

#[test]
fn a_right_pin_in_a_burst_past_the_limit_gets_no_session() {
    // 28 at once, the right PIN at position 22 (the audit's case): whatever order the
    // server takes them in, at most five PINs are checked before the lock; if the right
    // one was among them it may open a session, otherwise it is refused like the rest.
    let s = Server::demo(&[
        ("CDS_AUTH_HASH_THREADS", "1"),
        ("CDS_AUTH_IP_ATTEMPTS_PER_MINUTE", "1000"),
    ]);
    let mut pins: Vec<&str> = vec!["00000000"; 28];
    pins[21] = MARIO.1;
    let answers = burst(&s, &pins);
    let (failed, ok) = (audited(&s, "login_failed"), audited(&s, "login"));
    let right = answers[21].status;
    // A right PIN among the first five starts a new count: five more at most after it.
    let limit = if ok == 1 { 10 } else { 5 };
    assert!(
        failed + ok <= limit,
        "PINs checked: {failed} wrong, {ok} right"
    );
    assert!(
        (right == 303) == (ok == 1) && (right == 303 || right == 429),
        "right PIN answered {right}, {ok} logins"
    );
    // Either way the burst ends locked: the right PIN now gets no session.
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 429);
}

#[test]
fn a_second_login_in_the_same_browser_ends_the_first_session() {
    let s = Server::demo(&[]);
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    let first = b.cookies.get("cds_session").unwrap().clone();
    // A login form loaded in another tab before, sent now with the session cookie.
    b.cookies.remove("cds_session");
    b.get("/accedi");
    b.cookies.insert("cds_session".into(), first.clone());
    let r = b.post("/accedi", &[("codice_fiscale", LAURA.0), ("pin", LAURA.1)]);
    assert_eq!(r.status, 303, "{}", r.body);
    let second = b.cookies.get("cds_session").unwrap().clone();
    assert_ne!(first, second);
    let old = crate::client::request(
        &s.addr,
        "GET",
        "/dashboard",
        &[("Cookie", &format!("cds_session={first}"))],
        "",
    );
    assert_eq!(old.status, 303, "the first session ended");
    let new = crate::client::request(
        &s.addr,
        "GET",
        "/dashboard",
        &[("Cookie", &format!("cds_session={second}"))],
        "",
    );
    assert!(
        new.status == 200 && new.body.contains("Laura"),
        "{}",
        new.status
    );
}
