//! Integration tests: one test binary. Each test starts the real `cds-portal` binary on
//! 127.0.0.1:0 with a temp data folder and talks HTTP to it; outside parts (the SMS
//! gateway) are real servers on loopback started by the test.

mod abuse;
mod api;
mod api_auth;
mod archive_sync;
mod authz;
mod authz_table;
mod authz_world;
mod backup_drill;
mod cart;
mod catalogue;
mod client;
mod crash;
mod csrf_table;
mod dicomweb;
mod documents;
mod encodings;
mod english_auth;
mod english_docs;
mod english_manual;
mod english_orders;
mod english_shares;
mod faults;
mod fragments;
mod html;
mod italian;
mod kiosk;
mod language;
mod login;
mod new_pin;
mod oidc;
mod oidc_op;
mod oidc_op_selftest;
mod operator;
mod operator_inbox;
mod operator_orders;
mod orders;
mod orders_crash;
mod orders_retry;
mod payments_contract;
mod payments_faults;
mod payments_real;
mod payments_stub;
mod payments_tls;
mod privacy_audit;
mod reconcile;
mod reconcile_office;
mod retention;
mod roles;
mod schema_upgrade;
mod security;
mod server;
mod shares;
mod shares_viewer;
mod soak;
mod stub;
mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The binary under test; `CDS_IT_BIN` runs the same tests against another build (to see
/// a new test fail on the code before its fix).
pub static BIN: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    std::env::var("CDS_IT_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_cds-portal").to_string())
});
pub const MARIO: (&str, &str, &str) = ("RSSMRA80A01A182N", "12345678", "+393331234567");
/// The menu's sections that need a logged-in patient.
pub const SECTIONS: &[&str] = &[
    "/dashboard",
    "/documenti",
    "/documenti-interscambiati",
    "/ordini",
    "/carrello",
    "/assistenza",
];
/// The demo's operators (username, password).
pub const ADMIN: (&str, &str) = ("admin", "admin-demo-2026");
pub const OPERATORE: (&str, &str) = ("operatore", "operatore-demo-2026");
/// The demo's API token (client DEMO, every scope).
pub const DEMO_TOKEN: &str =
    "cdsapi_demo0000000000000000000000000000000000000000000000000000000000";
pub const LAURA: (&str, &str, &str) = ("BNCLRA85M52A182Y", "87654321", "+393477654321");

/// A fresh temp folder, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "cds-it-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Server {
    pub child: Child,
    pub addr: String,
    pub data: TempDir,
    pub stderr_path: PathBuf,
    bin: String,
    command: String,
    env: Vec<(String, String)>,
}

impl Server {
    /// `cds-portal demo` (the two demo patients exist) with extra `CDS_*` variables. The
    /// synthetic archive is generated once per test run and shared (read-only).
    pub fn demo(env: &[(&str, &str)]) -> Server {
        let (root, pdf) = shared_archive();
        let mut all = vec![
            ("CDS_ARCHIVE_ROOT", root.as_str()),
            ("CDS_ARCHIVE_PDF_ROOT", pdf.as_str()),
        ];
        all.extend_from_slice(env);
        Server::spawn(&BIN, "demo", &all, None)
    }

    pub fn spawn(bin: &str, command: &str, env: &[(&str, &str)], cwd: Option<&Path>) -> Server {
        Server::spawn_in(TempDir::new(command), bin, command, env, cwd)
    }

    /// `spawn` on a folder the test prepared: its `data/` is the data folder (a restored
    /// backup, an old database).
    pub fn spawn_in(
        data: TempDir,
        bin: &str,
        command: &str,
        env: &[(&str, &str)],
        cwd: Option<&Path>,
    ) -> Server {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let (child, addr, stderr_path) = Server::launch(bin, command, &env, cwd, &data.0);
        Server {
            child,
            addr,
            data,
            stderr_path,
            bin: bin.into(),
            command: command.into(),
            env,
        }
    }

    /// `restart` without some of the environment (e.g. the `FAILPOINTS` that crashed it).
    pub fn restart_without(&mut self, keys: &[&str]) {
        self.env.retain(|(k, _)| !keys.contains(&k.as_str()));
        self.restart();
    }

    /// Whether the process has ended (a failpoint aborted it).
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Kills the server (as a crash would) and starts it again on the same data folder, as
    /// `serve` (the demo would re-date its documents).
    pub fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.command = "serve".into();
        let (child, addr, stderr_path) =
            Server::launch(&self.bin, &self.command, &self.env, None, &self.data.0);
        self.child = child;
        self.addr = addr;
        self.stderr_path = stderr_path;
    }

    fn launch(
        bin: &str,
        command: &str,
        env: &[(String, String)],
        cwd: Option<&Path>,
        dir: &Path,
    ) -> (Child, String, PathBuf) {
        static RUN: AtomicUsize = AtomicUsize::new(0);
        let stderr_path = dir.join(format!("stderr-{}.log", RUN.fetch_add(1, Ordering::SeqCst)));
        let mut cmd = Command::new(bin);
        cmd.args([command, "--listen", "127.0.0.1:0", "--data"])
            .arg(dir.join("data"))
            .stdout(Stdio::piped())
            .stderr(Stdio::from(std::fs::File::create(&stderr_path).unwrap()))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default());
        if let Some(dir) = cwd {
            cmd.current_dir(dir);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        // A binary copied by a test can be "busy" for a moment: another test thread that
        // forked while the copy was open for writing still holds it (ETXTBSY). Retry.
        let mut tries = 0;
        let mut child = loop {
            match cmd.spawn() {
                Err(e) if e.raw_os_error() == Some(26) && tries < 50 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                r => break r.expect("start cds-portal"),
            }
        };
        let Some(line) = first_line(child.stdout.take().unwrap(), 120) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "cds-portal did not print its address within 120 s: {}",
                std::fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        };
        let addr = line.trim().to_string();
        assert!(
            addr.starts_with("127.0.0.1:"),
            "first line is the address, got {line:?}: {}",
            std::fs::read_to_string(&stderr_path).unwrap_or_default()
        );
        (child, addr, stderr_path)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    pub fn db_path(&self) -> PathBuf {
        self.data.0.join("data").join("cds-portal.db")
    }

    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The demo archive (small CT), written by a `cds-portal demo` run when missing.
pub fn shared_archive() -> &'static (String, String) {
    static ARCHIVE: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    ARCHIVE.get_or_init(|| {
        // Kept between runs in cargo's temp folder for tests: generated once.
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("demo-archive");
        let pdf = root.join("pdf");
        let (r, p) = (
            root.to_string_lossy().into_owned(),
            pdf.to_string_lossy().into_owned(),
        );
        let env = [
            ("CDS_ARCHIVE_ROOT", r.as_str()),
            ("CDS_ARCHIVE_PDF_ROOT", p.as_str()),
            ("CDS_DEMO_CT_SLICES", "12"),
        ];
        // Started and dropped: the archive is written before the server listens.
        drop(Server::spawn(&BIN, "demo", &env, None));
        (r, p)
    })
}

/// Polls `f` every 100 ms until it holds or `secs` pass.
pub fn eventually(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    f()
}

/// The first line a child prints on stdout (its address), or None after `secs`: a child that
/// never gets ready fails its test instead of hanging the run. The pipe is drained afterwards
/// so the child never blocks on a full pipe.
pub fn first_line(stdout: std::process::ChildStdout, secs: u64) -> Option<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = tx.send(line);
        for _ in reader.lines() {}
    });
    rx.recv_timeout(std::time::Duration::from_secs(secs)).ok()
}
