//! Crash consistency (issue 16 item 3): the real server SIGKILLed at random moments, or at
//! a failpoint, while patients recover documents, confirm orders (the provider makes the
//! position), pay and fail at the provider, cancel (also racing a Conferma), and while the
//! poller reads payments and expiries; restarted with `serve` on the same folder, sometimes
//! killed again while it resumes, then driven to rest and checked (`checks.rs`).
//!
//! `CDS_CRASH_RUNS` runs (20 by default; `make soak` runs more), each from a seed printed
//! first: `CDS_CRASH_SEED=<seed> CDS_CRASH_RUNS=1 cargo test --test it -- crash::killed` replays
//! it (a kill at a failpoint lands at the same step; a timed kill at the same delay).
//! `REGRESSIONS` are seeds that once found a defect, run every time. The figures go to
//! stdout and to `$CDS_SOAK_DIR/crash.txt` (make bench prints them).

mod checks;
mod flows;
mod http;

use crate::orders::FAST_PAYMENTS;
use crate::{LAURA, MARIO, Server, eventually};
use flows::{Dbs, OrderPlan, PatientPlan, TARGETS};
use std::time::{Duration, Instant};

/// Seeds kept because they once found a defect (each with what it found).
const REGRESSIONS: &[u64] = &[];

/// Where a kill -9 lands exactly: the binary's own failpoints (src/failpoint.rs).
const POINTS: &[&str] = &[
    "confirm.reserved",
    "confirm.created",
    "recovery.claimed",
    "recovery.packaged",
    "poll.sync",
    "cancel.provider",
    "retry.created",
];

/// SplitMix64: small, seedable, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

pub fn pin_of(cf: &str) -> &'static str {
    if cf == LAURA.0 { LAURA.1 } else { MARIO.1 }
}

/// The run's patients and what each does, from the seed.
fn plan(rng: &mut Rng) -> Vec<PatientPlan> {
    let mario_docs = [
        "TC torace senza mdc",
        "Referto TC torace",
        "RM encefalo",
        "Lettera di dimissione – Medicina Interna",
    ];
    let mario_buys = [
        "Cartella clinica – ricovero in Medicina Interna",
        "Cartella clinica – ricovero in Chirurgia Generale",
    ];
    let laura_docs = ["RX torace 2 proiezioni", "Referto RX torace"];
    // (Her other cartella, Day Hospital Cardiologia, is still being prepared: not for sale.)
    let laura_buys = ["Cartella clinica – ricovero in Ortopedia"];
    let mut patients = vec![(MARIO, &mario_docs[..], &mario_buys[..])];
    if rng.chance(50) {
        patients.push((LAURA, &laura_docs[..], &laura_buys[..]));
    }
    patients
        .into_iter()
        .map(|(who, docs, buys)| PatientPlan {
            cf: who.0,
            pin: who.1,
            recover: docs.iter().copied().filter(|_| rng.chance(40)).collect(),
            recover_ok: Vec::new(),
            orders: {
                let mut orders = Vec::new();
                for t in buys {
                    if rng.chance(80) {
                        orders.push(OrderPlan {
                            title: t,
                            target: TARGETS[rng.below(TARGETS.len() as u64) as usize],
                            number: None,
                            paid: false,
                            failed_once: false,
                            expired_once: false,
                        });
                    }
                }
                orders
            },
        })
        .collect()
}

/// Runs every patient's driver on `addr` at once; gives the plans back with what was done.
fn drive_all(
    addr: &str,
    dbs: &Dbs,
    plans: Vec<PatientPlan>,
    deadline: Instant,
) -> (Vec<PatientPlan>, bool) {
    let handles: Vec<_> = plans
        .into_iter()
        .map(|mut p| {
            let (addr, dbs) = (addr.to_string(), dbs.clone());
            std::thread::spawn(move || {
                let done = flows::drive(&addr, &dbs, &mut p, deadline).is_some();
                (p, done)
            })
        })
        .collect();
    let mut all_done = true;
    let plans = handles
        .into_iter()
        .map(|h| {
            let (p, done) = h.join().expect("a driver failed");
            all_done &= done;
            p
        })
        .collect();
    (plans, all_done)
}

#[derive(Default)]
struct Figures {
    runs: u64,
    kills: u64,
    /// Kills that landed on a failpoint (the others at a random delay).
    at_points: u64,
    orders: u64,
    payments: u64,
    zips: u64,
    double_payments: u64,
    leaks: u64,
}

impl Figures {
    fn add(&mut self, o: &Figures) {
        self.runs += o.runs;
        self.kills += o.kills;
        self.at_points += o.at_points;
        self.orders += o.orders;
        self.payments += o.payments;
        self.zips += o.zips;
        self.double_payments += o.double_payments;
        self.leaks += o.leaks;
    }
}

/// One run: start, drive, kill -9 (one to three times), restart, drive to rest, check.
fn run(seed: u64, fig: &mut Figures) {
    let mut rng = Rng(seed);
    let mut plans = plan(&mut rng);
    let point = rng
        .chance(40)
        .then(|| POINTS[rng.below(POINTS.len() as u64) as usize]);
    let kills = 1 + rng.below(3);
    let mut env = FAST_PAYMENTS.to_vec();
    env.push(("CDS_RECOVERY_WORKERS", "2"));
    if let Some(p) = point {
        env.push(("FAILPOINTS", p));
    }
    let mut s = Server::demo(&env);
    let dbs = Dbs {
        portal: s.db_path(),
        sandbox: s.db_path().with_file_name("sandbox-pagopa.db"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    for k in 0..kills {
        let delay = Duration::from_millis(rng.below(if k == 0 { 2500 } else { 1200 }));
        let addr = s.addr.clone();
        let (d2, ps) = (dbs.clone(), plans.clone());
        let drivers = std::thread::spawn(move || drive_all(&addr, &d2, ps, deadline));
        if k == 0 && point.is_some() {
            // At the failpoint when the flows reach it; otherwise at a random moment.
            if eventually(3, || s.exited()) {
                fig.at_points += 1;
            }
        } else {
            std::thread::sleep(delay);
        }
        let _ = s.child.kill();
        let _ = s.child.wait();
        fig.kills += 1;
        plans = drivers.join().expect("drivers").0;
        checks::integrity(&dbs, &format!("seed {seed}, after kill {}", k + 1));
        s.restart_without(&["FAILPOINTS"]);
    }
    // No more kills: the flows end, the jobs and the payments come to rest.
    let (done, finished) = drive_all(&s.addr.clone(), &dbs, plans, deadline);
    assert!(
        finished,
        "seed {seed}: the server died with no kill: {}",
        s.log()
    );
    plans = done;
    let mut left = Vec::new();
    let rest = eventually(45, || {
        left = checks::unsettled(&dbs, &plans);
        left.is_empty()
    });
    assert!(
        rest,
        "seed {seed}: not at rest after the restart: {left:?}\n{}",
        s.log()
    );
    let mut tabs: Vec<http::Tab> = plans
        .iter()
        .map(|p| {
            let mut t = http::Tab::new(&s.addr);
            t.login(p.cf, p.pin).expect("server up");
            t
        })
        .collect();
    let cache = s.db_path().with_file_name("cache");
    let found = checks::at_rest(&dbs, &plans, &mut tabs, &cache);
    assert_eq!(found.double_payments, 0, "seed {seed}: double payments");
    assert_eq!(found.leaks, 0, "seed {seed}: another patient's data");
    assert!(!s.log().contains("panicked"), "seed {seed}: {}", s.log());
    fig.runs += 1;
    fig.orders += plans
        .iter()
        .map(|p| p.orders.iter().filter(|o| o.number.is_some()).count() as u64)
        .sum::<u64>();
    fig.payments += found.payments;
    fig.zips += found.zips;
    fig.double_payments += found.double_payments;
    fig.leaks += found.leaks;
}

fn env_u64(key: &str) -> Option<u64> {
    std::env::var(key).ok().and_then(|v| v.trim().parse().ok())
}

#[test]
fn killed_at_random_moments_the_portal_loses_nothing_and_pays_nothing_twice() {
    let runs = env_u64("CDS_CRASH_RUNS").unwrap_or(20);
    let base = env_u64("CDS_CRASH_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
            % 1_000_000_000
    });
    let started = Instant::now();
    println!(
        "crash: {runs} runs from seed {base} (replay one: CDS_CRASH_SEED=<seed> CDS_CRASH_RUNS=1)"
    );
    // Two runs at a time (each its own server and folder): most of a run is waiting for
    // the poller and the recoveries.
    let lanes = env_u64("CDS_CRASH_LANES").unwrap_or(2).max(1);
    let seeds: Vec<u64> = REGRESSIONS
        .iter()
        .copied()
        .chain((0..runs).map(|i| base + i))
        .collect();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(seeds.into_iter()));
    let handles: Vec<_> = (0..lanes)
        .map(|_| {
            let queue = queue.clone();
            std::thread::spawn(move || {
                let mut fig = Figures::default();
                loop {
                    let Some(seed) = queue.lock().unwrap().next() else {
                        return fig;
                    };
                    println!("crash: run seed {seed}");
                    run(seed, &mut fig);
                }
            })
        })
        .collect();
    let mut fig = Figures::default();
    for h in handles {
        let f = h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        fig.add(&f);
    }
    let requests = http::SENT.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "crash: {} runs, {} kills ({} at a failpoint), {} orders, {} payments, {} ZIPs checked, {requests} requests, \
         {} double payments, {} leaks, base seed {base}, {:.0} s",
        fig.runs,
        fig.kills,
        fig.at_points,
        fig.orders,
        fig.payments,
        fig.zips,
        fig.double_payments,
        fig.leaks,
        started.elapsed().as_secs_f64()
    );
    crate::soak::write(
        "crash",
        &[
            ("runs", fig.runs),
            ("kills", fig.kills),
            ("requests", requests),
            ("double_payments", fig.double_payments),
            ("leaks", fig.leaks),
        ],
    );
}
