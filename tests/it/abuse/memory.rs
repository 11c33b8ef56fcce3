//! Memory under a burst of logins. Each PIN check's argon2 hash takes `auth.argon2_m_kib`
//! (19 MiB); on the hasher's own threads that block is reused by the next hash, so thirty
//! more logins cost what the first few did. (On tokio's blocking pool each hash could land
//! on another thread and leave its 19 MiB in that thread's malloc arena: memory grew by
//! about 19 MiB a login, to hundreds of MB.)

use super::{count, figures, usage};
use crate::client::Browser;
use crate::{MARIO, Server};

#[test]
fn a_burst_of_logins_does_not_grow_memory_hash_by_hash() {
    // The default argon2 cost, on purpose; only the per-address bucket is opened.
    let s = Server::demo(&[("CDS_AUTH_IP_ATTEMPTS_PER_MINUTE", "100000")]);
    let pid = s.child.id();
    let burst = |n: usize| {
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let addr = s.addr.clone();
                std::thread::spawn(move || {
                    for _ in 0..n {
                        let mut b = Browser::new(&addr);
                        assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    };
    // A first burst warms the allocator, the caches and the hashing thread: the baseline.
    burst(2);
    let (rss0, _) = usage(pid);
    for _ in 0..4 {
        burst(2);
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let (rss1, _) = usage(pid);
    eprintln!("VmRSS after the warm-up {rss0} kB, after 32 more logins {rss1} kB");
    // 32 more logins; one more argon2 block (19 MiB) of slack for the allocator.
    assert!(
        rss1 <= rss0 + 24 * 1024,
        "memory grew from {rss0} kB to {rss1} kB over 32 logins"
    );
    count(40 * 3, 0);
    figures();
}
