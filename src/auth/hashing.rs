//! PIN hashing with argon2id on a bounded set of blocking threads, so that a flood of
//! logins cannot take every core away from the other pages.
//!
//! The threads are the hasher's own (`auth.hash_threads` of them, for the process's life),
//! not tokio's blocking pool: each hash allocates `auth.argon2_m_kib` (19 MiB), and the
//! allocator keeps that block in the arena of the thread that freed it. On tokio's pool a
//! burst of logins spread the hashes over many short-lived threads and arenas, and the
//! memory grew by 19 MiB a login up to the arena limit; on a fixed thread the block is
//! reused by the next hash.

use crate::config::Auth;
use crate::error::{AppError, Context, Kind};
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use tokio::sync::Semaphore;

type Job = Box<dyn FnOnce() + Send>;

pub struct Hasher {
    params: Params,
    slots: Arc<Semaphore>,
    /// The hashing threads take their work here; they end when the hasher is dropped.
    jobs: mpsc::Sender<Job>,
    waiting: AtomicUsize,
    max_waiting: usize,
    /// Verified when the codice fiscale is unknown, so both cases take the same time.
    dummy_hash: String,
}

/// A place in the queue for a hashing thread; given back when dropped, also when the login
/// that holds it is cancelled while it waits.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn enter(count: &'a AtomicUsize, max: usize) -> Option<Waiting<'a>> {
        let w = Waiting(count);
        (count.fetch_add(1, Ordering::SeqCst) < max).then_some(w)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Hasher {
    pub fn new(cfg: &Auth) -> Result<Hasher, AppError> {
        let params = Params::new(cfg.argon2_m_kib, cfg.argon2_t, cfg.argon2_p, None)
            .context("parametri argon2 non validi")?;
        let dummy_hash = hash_with(&params, &crate::crypto::token()).map_err(AppError::internal)?;
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..cfg.hash_threads {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("cds-hash-{n}"))
                .spawn(move || {
                    loop {
                        // The lock is held only to take a job, not while it runs.
                        let job = queue
                            .lock()
                            .map_err(|_| ())
                            .and_then(|q| q.recv().map_err(|_| ()));
                        match job {
                            Ok(job) => job(),
                            Err(()) => break,
                        }
                    }
                })
                .context("thread di calcolo dei PIN non avviato")?;
        }
        Ok(Hasher {
            params,
            slots: Arc::new(Semaphore::new(cfg.hash_threads)),
            jobs,
            waiting: AtomicUsize::new(0),
            max_waiting: cfg.hash_queue,
            dummy_hash,
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let Some(waiting) = Waiting::enter(&self.waiting, self.max_waiting) else {
            return Err(AppError::new(Kind::Unavailable, super::text::HASHING_BUSY));
        };
        let permit = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(AppError::internal)?;
        drop(waiting);
        // The slot goes with the hashing thread: a cancelled login does not free it early.
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _permit = permit;
            let _ = answer.send(f());
        });
        self.jobs
            .send(job)
            .map_err(|_| AppError::internal("hashing threads ended"))?;
        answered.await.map_err(AppError::internal)
    }

    pub async fn hash(&self, pin: String) -> Result<String, AppError> {
        let params = self.params.clone();
        self.run(move || hash_with(&params, &pin))
            .await?
            .map_err(AppError::internal)
    }

    /// Checks `pin` against `stored`, or against a dummy hash when there is none.
    pub async fn verify(&self, pin: String, stored: Option<String>) -> Result<bool, AppError> {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.clone());
        let ok = self
            .run(move || {
                Argon2::default()
                    .verify_password(pin.as_bytes(), hash.as_str())
                    .is_ok()
            })
            .await?;
        Ok(ok && known)
    }
}

pub fn hash_with(params: &Params, pin: &str) -> Result<String, argon2::password_hash::Error> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(pin.as_bytes())
        .map(|h| h.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(threads: usize, queue: usize) -> Hasher {
        Hasher::new(&Auth {
            argon2_m_kib: 1024,
            argon2_t: 1,
            argon2_p: 1,
            hash_threads: threads,
            hash_queue: queue,
            ..Auth::default()
        })
        .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropped_waiting_logins_leave_the_queue_empty() {
        let h = Arc::new(small(1, 10));
        let stored = h.hash("12345678".into()).await.unwrap();
        // 100 logins wait for the one hashing thread and are cancelled meanwhile.
        let mut tasks = Vec::new();
        for _ in 0..100 {
            let (h, s) = (h.clone(), stored.clone());
            tasks.push(tokio::spawn(async move {
                h.verify("00000000".into(), Some(s)).await
            }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        for t in &tasks {
            t.abort();
        }
        for t in tasks {
            let _ = t.await;
        }
        assert_eq!(
            h.waiting.load(Ordering::SeqCst),
            0,
            "no place in the queue stays taken"
        );
        // A normal login afterwards is checked, not refused as "too many".
        assert!(
            h.verify("12345678".into(), Some(stored.clone()))
                .await
                .unwrap()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(h.slots.available_permits(), 1, "the hashing slot is back");
    }

    #[test]
    fn hash_and_verify() {
        let params = Params::new(1024, 1, 1, None).unwrap();
        let h = hash_with(&params, "12345678").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            Argon2::default()
                .verify_password(b"12345678", h.as_str())
                .is_ok()
        );
        assert!(
            Argon2::default()
                .verify_password(b"12345679", h.as_str())
                .is_err()
        );
    }
}
