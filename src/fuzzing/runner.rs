//! The bounded run of `make test`: every target replays its corpus (`fuzz/corpus/<target>/`,
//! crashes found before included), then mutates it at random for `CDS_FUZZ_SECS` seconds
//! (10 by default; 0: the corpus only). Not coverage-guided — that is libFuzzer's job in
//! `make soak` — but the same targets and properties, on stable and from the test build.
//! The mutations follow a seed: `CDS_FUZZ_SEED=N`, or `random` (what `make soak` uses);
//! without it a fixed seed per target, so that `make test` tries the same inputs on every
//! machine (a faster one tries more of the same sequence) and stays green unless a change
//! breaks a property. A failing input is written to `target/fuzz-crashes/<target>-<hash>`
//! and printed, in hex with the seed, so that a CI log is enough to replay it: copy it into
//! the corpus folder (see README, "Fuzzing").

use super::{MAX_INPUT, run};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The largest allocation an input of at most `MAX_INPUT` bytes may ask for (the DICOMweb
/// splitter reads in 256 KB chunks): more is an allocation the input's lengths steered.
const MAX_ALLOCATION: usize = 16 << 20;

/// The system allocator, noting the largest single request of this thread while armed.
struct Watched;

thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = ARMED.try_with(|armed| {
        if armed.get() {
            let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
        }
    });
}

// SAFETY: every call goes to `System` unchanged; `note` only reads and writes two
// const-initialised thread-local cells (no allocation, no reentrancy).
unsafe impl GlobalAlloc for Watched {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Watched = Watched;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    files.iter().filter_map(|f| std::fs::read(f).ok()).collect()
}

/// Words the mutator inserts (a blind mutator finds `bytes=` or `\r\n--` only by luck).
fn dictionary(target: &str) -> &'static [&'static [u8]] {
    match target {
        "codice_fiscale" => &[
            b" ",
            b"\t",
            b"L",
            b"V",
            b"A",
            b"T",
            b"71",
            b"41",
            b"00",
            b"\xc3\xa0",
        ],
        "filter_dates" => &[
            b"da=",
            b"&a=",
            b"&categoria=",
            b"&nascosti=1",
            b"9999-12-31",
            b"9999-12-30",
            b"0000-01-01",
            b"31/12/9999",
            b"29/02/2024",
            b"-",
            b"/",
            b"T10:30:00Z",
            b"+01:00",
            b"%2F",
            b".",
            b"prima=",
        ],
        "form_urlencoded" => &[
            b"&",
            b"=",
            b"%",
            b"%zz",
            b"+",
            b"%E2%82%AC",
            b"%C3",
            b"\xff",
        ],
        "range" => &[
            b"bytes=",
            b"-",
            b",",
            b"0",
            b"4096",
            b"4097",
            b"18446744073709551615",
            b" ",
            b"\n\"abc\"",
            b"\n",
        ],
        "multipart_form" | "dicomweb_multipart" => &[
            b"\r\n",
            b"--XyZ",
            b"\r\n--XyZ",
            b"--XyZ--",
            b"\r\n\r\n",
            b"\xff",
            b"Content-Disposition: form-data; name=\"",
            b"; filename=\"",
        ],
        "dicom_header" => &[
            b"DICM",
            b"\xff\xff\xff\xff",
            b"\xfe\xff\x00\xe0",
            b"\xe0\x7f\x10\x00",
            b"OB",
            b"SQ",
            b"UN",
            b"UT",
            b"PN",
            b"\x00\x00",
        ],
        "patient_csv" => &[
            b";",
            b",",
            b"\n",
            b"\r\n",
            b"\"",
            b"RSSMRA80A01A182N",
            b"BNCLRA85M52A182Y",
            b"+39 333 123 4567",
            b"\xef\xbb\xbf",
            b"\xf2",
        ],
        "api_json" => &[
            b"\"data\":\"9999-12-31\"",
            b"\"2026-11-28\"",
            b"\"2026-11-28T10:30:00+01:00\"",
            b"null",
            b"-1",
            b"1000000",
            b"\"\\u0000\"",
            b"\"\\u001c\"",
            b"1e3",
        ],
        _ => &[],
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// One to eight random edits of `input`: bytes flipped, set, inserted, removed, repeated,
/// a dictionary word or a piece of another corpus entry put in.
fn mutate(rng: &mut Rng, input: &[u8], pool: &[Vec<u8>], dict: &[&[u8]]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(v.len() + 1);
        match rng.below(8) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = [0, 0xff, b'0', b'9', b'\r', b'\n', b'-', b' '][rng.below(8)];
            }
            2 => {
                let b = rng.next() as u8;
                v.insert(at, b);
            }
            3 if !v.is_empty() => {
                let n = 1 + rng.below(16.min(v.len() - at.min(v.len() - 1)));
                let at = at.min(v.len() - 1);
                v.drain(at..(at + n).min(v.len()));
            }
            4 if !v.is_empty() => {
                let start = rng.below(v.len());
                let end = (start + 1 + rng.below(32)).min(v.len());
                let piece = v[start..end].to_vec();
                let times = 1 + rng.below(4);
                for _ in 0..times {
                    v.splice(at..at, piece.iter().copied());
                }
            }
            5 | 6 if !dict.is_empty() => {
                let w = dict[rng.below(dict.len())];
                v.splice(at..at, w.iter().copied());
            }
            _ if !pool.is_empty() => {
                let other = &pool[rng.below(pool.len())];
                if !other.is_empty() {
                    let start = rng.below(other.len());
                    let end = (start + 1 + rng.below(64)).min(other.len());
                    v.splice(at..at, other[start..end].iter().copied());
                }
            }
            _ => {}
        }
    }
    v.truncate(MAX_INPUT);
    v
}

fn save_crash(target: &str, input: &[u8]) -> PathBuf {
    use sha2::Digest;
    let dir = PathBuf::from(
        std::env::var("CARGO_TARGET_DIR")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/target").into()),
    )
    .join("fuzz-crashes");
    let _ = std::fs::create_dir_all(&dir);
    let name = crate::crypto::hex(&sha2::Sha256::digest(input)[..8]);
    let path = dir.join(format!("{target}-{name}"));
    let _ = std::fs::write(&path, input);
    path
}

fn check(target: &str, input: &[u8], origin: &dyn Fn() -> String) {
    LARGEST.with(|l| l.set(0));
    ARMED.with(|a| a.set(true));
    let outcome = std::panic::catch_unwind(|| run(target, input));
    ARMED.with(|a| a.set(false));
    let largest = LARGEST.with(Cell::get);
    let outcome = match outcome {
        Ok(true) if largest > MAX_ALLOCATION => {
            eprintln!(
                "{target}: one allocation of {largest} bytes for {} bytes of input",
                input.len()
            );
            Err(())
        }
        Ok(true) => Ok(()),
        Ok(false) => panic!("no target {target}"),
        Err(_) => Err(()),
    };
    match outcome {
        Ok(()) => {}
        Err(()) => {
            let path = save_crash(target, input);
            let shown = &input[..input.len().min(4096)];
            panic!(
                "fuzz target {target} failed on {} ({} bytes, {}; in hex, {}: {})",
                path.display(),
                input.len(),
                origin(),
                if shown.len() < input.len() {
                    "the first 4096"
                } else {
                    "whole"
                },
                crate::crypto::hex(shown)
            );
        }
    }
}

/// Adds a target's executions to `$CDS_SOAK_DIR/fuzz.txt` (default `target/soak`), the soak
/// figures `bench/soak.sh` sums (issue 16, item 10): `runs` targets, `bad_inputs` executions.
fn soak_figures(execs: u64) {
    static TOTAL: std::sync::Mutex<(u64, u64)> = std::sync::Mutex::new((0, 0));
    let mut total = TOTAL.lock().unwrap_or_else(|e| e.into_inner());
    total.0 += 1;
    total.1 += execs;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join(std::env::var("CDS_SOAK_DIR").unwrap_or_else(|_| "target/soak".into()));
    let when = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ");
    let text = format!(
        "suite fuzz\nwhen {when}\nruns {}\nbad_inputs {}\n",
        total.0, total.1
    );
    let part = dir.join("fuzz.txt.part");
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&part, text))
        .and_then(|()| std::fs::rename(&part, dir.join("fuzz.txt")));
    if let Err(e) = written {
        eprintln!("fuzz figures not written in {}: {e}", dir.display());
    }
}

/// `CDS_FUZZ_SEED`: a number, or `random`; unset, a fixed seed of the target's name.
fn seed(target: &str) -> u64 {
    let fixed = || {
        // FNV-1a of the name: each target its own sequence, the same on every run.
        target.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
        })
    };
    let random = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    };
    let seed = match std::env::var("CDS_FUZZ_SEED").ok().as_deref() {
        Some("random") => random(),
        Some(n) => n.parse().unwrap_or_else(|_| fixed()),
        None => fixed(),
    };
    seed | 1
}

/// Replays the corpus, then mutates it until the time is up. Prints executions and rate.
fn fuzz(target: &str) {
    let pool = corpus(target);
    assert!(!pool.is_empty(), "empty corpus for {target}");
    for (i, input) in pool.iter().enumerate() {
        check(target, input, &|| format!("corpus input {i}"));
    }
    let secs: u64 = std::env::var("CDS_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let seed = seed(target);
    let mut rng = Rng(seed);
    let dict = dictionary(target);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let mut execs = pool.len() as u64;
    let mut recent: Vec<Vec<u8>> = Vec::new();
    while Instant::now() < deadline {
        for _ in 0..64 {
            // Mostly from the corpus, sometimes from a recent mutant (deeper edits).
            let base = if !recent.is_empty() && rng.below(4) == 0 {
                &recent[rng.below(recent.len())]
            } else {
                &pool[rng.below(pool.len())]
            };
            let input = mutate(&mut rng, base, &pool, dict);
            check(target, &input, &|| {
                format!("CDS_FUZZ_SEED={seed}, execution {execs}")
            });
            execs += 1;
            if recent.len() < 256 {
                recent.push(input);
            } else {
                let i = rng.below(recent.len());
                recent[i] = input;
            }
        }
    }
    soak_figures(execs);
    let took = start.elapsed().as_secs_f64().max(0.001);
    println!(
        "fuzz {target}: {execs} executions in {took:.1} s ({:.0}/s), corpus {}, seed {seed}",
        execs as f64 / took,
        pool.len()
    );
}

macro_rules! targets {
    ($($name:ident),*) => {
        $(
            #[test]
            fn $name() {
                fuzz(stringify!($name));
            }
        )*

        /// Every target has its test here (and so runs in `make test`).
        #[test]
        fn every_target_is_run() {
            let tested = [$(stringify!($name)),*];
            for (name, _) in super::TARGETS {
                assert!(tested.contains(name), "{name} has no test");
            }
        }
    };
}

targets!(
    codice_fiscale,
    filter_dates,
    form_urlencoded,
    range,
    multipart_form,
    dicomweb_multipart,
    dicom_header,
    patient_csv,
    api_json
);
