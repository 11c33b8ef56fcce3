//! Integration tests: one test binary. Each test starts the real `cds-portal` binary on
//! 127.0.0.1:0 with a temp data folder and talks HTTP to it; outside parts (the SMS
//! gateway) are real servers on loopback started by the test.

mod client;
mod login;
mod new_pin;
mod security;
mod server;
mod stub;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

pub const BIN: &str = env!("CARGO_BIN_EXE_cds-portal");
pub const MARIO: (&str, &str, &str) = ("RSSMRA80A01A182N", "12345678", "+393331234567");
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
}

impl Server {
    /// `cds-portal demo` (the two demo patients exist) with extra `CDS_*` variables.
    pub fn demo(env: &[(&str, &str)]) -> Server {
        Server::spawn(BIN, "demo", env, None)
    }

    pub fn spawn(bin: &str, command: &str, env: &[(&str, &str)], cwd: Option<&Path>) -> Server {
        let data = TempDir::new(command);
        let stderr_path = data.0.join("stderr.log");
        let mut cmd = Command::new(bin);
        cmd.args([command, "--listen", "127.0.0.1:0", "--data"])
            .arg(data.0.join("data"))
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
        let mut child = cmd.spawn().expect("start cds-portal");
        let mut line = String::new();
        let stdout = child.stdout.take().unwrap();
        let mut reader = BufReader::new(stdout);
        reader.read_line(&mut line).unwrap();
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in reader.lines() {});
        let addr = line.trim().to_string();
        assert!(
            addr.starts_with("127.0.0.1:"),
            "first line is the address, got {line:?}: {}",
            std::fs::read_to_string(&stderr_path).unwrap_or_default()
        );
        Server {
            child,
            addr,
            data,
            stderr_path,
        }
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
