//! PIN hashing with argon2id on a bounded set of blocking threads, so that a flood of
//! logins cannot take every core away from the other pages.

use crate::config::Auth;
use crate::error::{AppError, Context, Kind};
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Semaphore;

pub struct Hasher {
    params: Params,
    slots: Arc<Semaphore>,
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
        Ok(Hasher {
            params,
            slots: Arc::new(Semaphore::new(cfg.hash_threads)),
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
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f()
        })
        .await
        .map_err(AppError::internal)
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
