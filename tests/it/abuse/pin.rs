//! PIN brute force: sequential, then many threads at once, against one patient while the
//! other logs in; and the per-IP limit hammered from many threads (login.rs has the
//! five-attempt lockout and a 27-attempt burst on one hashing thread).

use super::{Watch, count, figures, scale};
use crate::client::{Browser, Response};
use crate::{LAURA, MARIO, Server};
use std::sync::{Arc, Barrier};

fn db(s: &Server) -> rusqlite::Connection {
    rusqlite::Connection::open(s.db_path()).unwrap()
}

/// Wrong PINs checked for `cf` (the audit log has one row per PIN really checked).
fn checked(s: &Server, cf: &str, action: &str) -> i64 {
    db(s)
        .query_row(
            "SELECT count(*) FROM audit_log a JOIN patients p ON p.id = a.patient_id
             WHERE p.codice_fiscale = ?1 AND a.action = ?2",
            [cf, action],
            |r| r.get(0),
        )
        .unwrap()
}

fn locked(s: &Server) -> Vec<String> {
    let db = db(s);
    let mut st = db
        .prepare("SELECT codice_fiscale FROM login_failures WHERE locked_until IS NOT NULL")
        .unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// `n` wrong PIN (each different, as a guesser would send them).
fn guess(i: usize) -> String {
    format!("{:08}", 10_000_000 + i * 7919)
}

/// The lockout page: Italian, the time it ends, no session.
fn is_lockout(r: &Response) -> bool {
    r.status == 429
        && r.body.contains("bloccato fino alle")
        && r.body.contains("lang=\"it\"")
        && r.headers_named("set-cookie")
            .iter()
            .all(|c| !c.starts_with("cds_session="))
}

#[test]
fn sequential_guessing_locks_that_patient_only() {
    let s = Server::demo(&[("CDS_AUTH_IP_ATTEMPTS_PER_MINUTE", "100000")]);
    let watch = Watch::start(&s.addr);
    let n = 20 * scale();
    let mut b = Browser::new(&s.addr);
    let mut statuses = Vec::new();
    for i in 0..n {
        let r = b.login(MARIO.0, &guess(i));
        if i >= 4 {
            assert!(is_lockout(&r), "attempt {i}: {} {}", r.status, r.body);
        } else {
            assert_eq!(r.status, 401, "attempt {i}");
            assert!(r.body.contains("Codice fiscale o PIN non corretti"));
        }
        statuses.push(r.status);
    }
    assert_eq!(checked(&s, MARIO.0, "login_failed"), 5, "{statuses:?}");
    // The right PIN now: refused, no session.
    assert!(is_lockout(&Browser::new(&s.addr).login(MARIO.0, MARIO.1)));
    // Only Mario is locked; Laura logs in from the same connection's address.
    assert_eq!(locked(&s), vec![MARIO.0.to_string()]);
    let mut laura = Browser::new(&s.addr);
    assert_eq!(laura.login(LAURA.0, LAURA.1).status, 303);
    assert_eq!(laura.get("/dashboard").status, 200);
    assert_eq!(checked(&s, MARIO.0, "login"), 0);
    watch.finish();
    count(n * 2 + 4, n);
    figures();
}

#[test]
fn concurrent_guessing_checks_at_most_the_limit() {
    // Four hashing threads: attempts really overlap.
    let s = Server::demo(&[
        ("CDS_AUTH_IP_ATTEMPTS_PER_MINUTE", "100000"),
        ("CDS_AUTH_HASH_THREADS", "4"),
    ]);
    let watch = Watch::start(&s.addr);
    let (attackers, lauras) = (48 * scale(), 4);
    let barrier = Arc::new(Barrier::new(attackers + lauras));
    let mut threads = Vec::new();
    for i in 0..attackers + lauras {
        let mut b = Browser::new(&s.addr);
        b.get("/accedi");
        let barrier = barrier.clone();
        threads.push(std::thread::spawn(move || {
            barrier.wait();
            let (cf, pin) = if i < attackers {
                (MARIO.0, guess(i))
            } else {
                (LAURA.0, LAURA.1.to_string())
            };
            let r = b.post("/accedi", &[("codice_fiscale", cf), ("pin", &pin)]);
            (i < attackers, r)
        }));
    }
    let answers: Vec<(bool, Response)> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let mut wrong = 0;
    for (attacker, r) in &answers {
        if *attacker {
            assert!(r.status == 401 || is_lockout(r), "{} {}", r.status, r.body);
            wrong += usize::from(r.status == 401);
        } else {
            assert_eq!(r.status, 303, "Laura is not slowed down: {}", r.body);
        }
    }
    assert!(
        wrong <= 4,
        "at most four plain refusals before the lock: {wrong}"
    );
    assert_eq!(
        checked(&s, MARIO.0, "login_failed"),
        5,
        "no more PINs checked than the limit"
    );
    assert_eq!(locked(&s), vec![MARIO.0.to_string()]);
    assert!(is_lockout(&Browser::new(&s.addr).login(MARIO.0, MARIO.1)));
    assert_eq!(checked(&s, LAURA.0, "login"), lauras as i64);
    watch.finish();
    count(attackers + lauras * 2 + 2, attackers);
    figures();
}

#[test]
fn per_ip_limit_holds_under_concurrency() {
    let per_minute = 10;
    let s = Server::demo(&[("CDS_AUTH_IP_ATTEMPTS_PER_MINUTE", "10")]);
    let watch = Watch::start(&s.addr);
    let n = 40 * scale();
    let barrier = Arc::new(Barrier::new(n));
    let start = std::time::Instant::now();
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let mut b = Browser::new(&s.addr);
            b.get("/accedi");
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                // Malformed PINs: the limit counts attempts before anything is checked,
                // and no account is locked by them.
                b.post(
                    "/accedi",
                    &[("codice_fiscale", LAURA.0), ("pin", &format!("x{i}"))],
                )
            })
        })
        .collect();
    let answers: Vec<Response> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let secs = start.elapsed().as_secs() as usize;
    let limited = answers
        .iter()
        .filter(|r| {
            r.status == 429
                && r.body
                    .contains("Troppi tentativi di accesso da questa connessione")
        })
        .count();
    // A token comes back every 60/per_minute seconds.
    let allowed = per_minute + secs * per_minute / 60 + 1;
    assert!(
        n - limited <= allowed,
        "{} attempts passed the per-IP limit of {per_minute}/min",
        n - limited
    );
    assert!(answers.iter().all(|r| r.status == 422 || r.status == 429));
    assert!(locked(&s).is_empty(), "no account locked by the flood");
    watch.finish();
    count(n * 2, n);
    figures();
}
