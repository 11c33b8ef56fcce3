//! PIN hashing with argon2id on a bounded set of blocking threads, so that a flood of
//! logins cannot take every core away from the other pages.

use crate::config::Auth;
use crate::http::error::{AppError, Kind};
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Semaphore;

pub struct Hasher {
    params: Params,
    slots: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    /// Verified when the codice fiscale is unknown, so both cases take the same time.
    dummy_hash: String,
}

impl Hasher {
    pub fn new(cfg: &Auth) -> Result<Hasher, String> {
        let params = Params::new(cfg.argon2_m_kib, cfg.argon2_t, cfg.argon2_p, None)
            .map_err(|e| e.to_string())?;
        let dummy_hash = hash_with(&params, &crate::crypto::token())?;
        Ok(Hasher {
            params,
            slots: Semaphore::new(cfg.hash_threads),
            waiting: AtomicUsize::new(0),
            max_waiting: cfg.hash_queue,
            dummy_hash,
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(AppError::new(
                Kind::Unavailable,
                "Troppi accessi in corso. Riprova tra qualche secondo.",
            ));
        }
        let permit = self.slots.acquire().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let _permit = permit.map_err(AppError::internal)?;
        tokio::task::spawn_blocking(f)
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

pub fn hash_with(params: &Params, pin: &str) -> Result<String, String> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(pin.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

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
