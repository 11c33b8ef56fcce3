//! A thousand keep-alive connections opened, used, held and closed, round after round: the
//! server keeps serving (a patient logs in meanwhile) and gives back its file descriptors
//! and memory — `/proc/<pid>/status` and `/proc/<pid>/fd` before and after, a leak check,
//! not a timing.

use super::{Watch, count, figures, scale, usage};
use crate::client::Browser;
use crate::{MARIO, Server, eventually};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// One request on a kept-alive connection; its status (the body read by Content-Length).
fn ask(s: &mut TcpStream, path: &str) -> u16 {
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut byte).unwrap(), 1, "closed mid-answer");
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let len: usize = text
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .expect("a Content-Length on a kept-alive answer")
        .trim()
        .parse()
        .unwrap();
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).unwrap();
    text.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Opens `n` connections, asks twice on each (the second after all are open), holds them,
/// closes them; a patient's login in the middle must work.
fn round(addr: &str, n: usize, during: &mut impl FnMut()) {
    let mut held = Vec::with_capacity(n);
    for _ in 0..n {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        assert_eq!(ask(&mut s, "/healthz"), 200);
        held.push(s);
    }
    during();
    for s in &mut held {
        assert_eq!(ask(s, "/accedi"), 200);
    }
    drop(held);
}

#[test]
fn a_thousand_keep_alive_connections_cycled_leak_nothing() {
    // Cheap PIN hashing: this test is about the connections; the logins' memory has its
    // own test (`memory.rs`).
    let s = Server::demo(&[
        ("CDS_AUTH_ARGON2_M_KIB", "1024"),
        ("CDS_AUTH_ARGON2_T", "1"),
    ]);
    let pid = s.child.id();
    let watch = Watch::start(&s.addr);
    let n = 1000;
    let rounds = 3 * scale();
    let mut logins = 0;
    let addr = s.addr.clone();
    let mut login = || {
        let mut b = Browser::new(&addr);
        assert_eq!(b.login(MARIO.0, MARIO.1).status, 303, "served while held");
        assert_eq!(b.get("/dashboard").status, 200);
        logins += 1;
    };
    // A first round warms the allocator and the caches; it is the baseline.
    round(&s.addr, n, &mut login);
    let settled = |base: usize| eventually(15, || usage(pid).1 <= base);
    std::thread::sleep(Duration::from_millis(500));
    let (rss0, fds0) = usage(pid);
    let mut peak_fds = 0;
    for _ in 0..rounds {
        let mut during = || {
            peak_fds = peak_fds.max(usage(pid).1);
            login();
        };
        round(&s.addr, n, &mut during);
        assert!(
            settled(fds0 + 5),
            "descriptors given back: {:?} vs {fds0}",
            usage(pid)
        );
    }
    assert!(
        peak_fds >= n,
        "the connections were really held: {peak_fds}"
    );
    let (rss1, fds1) = usage(pid);
    // Bounded: rounds of a thousand connections do not add up.
    assert!(
        rss1 <= rss0 + 64 * 1024,
        "memory grew from {rss0} kB to {rss1} kB over {rounds} rounds"
    );
    assert!(fds1 <= fds0 + 5, "{fds1} descriptors vs {fds0}");
    watch.finish();
    count((rounds + 1) * n * 2 + logins * 3, 0);
    figures();
}
