//! Limits on guessing: per-IP attempts (in memory, a token bucket per client and purpose)
//! and the per-codice-fiscale lockout after repeated wrong PINs (in SQLite, so it survives a
//! restart). Every PIN attempt is counted before its PIN is checked (`reserve`), so attempts
//! sent at the same instant cannot check more PINs than the limit allows.

use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// (client, purpose) → (tokens left, in thousandths, at the time in ms).
type Buckets = HashMap<(IpAddr, &'static str), (u64, u64)>;

/// At most `per_minute` attempts at once, then one more every `60 / per_minute` s: a token
/// bucket, so no window boundary lets twice the limit through in a few seconds.
pub struct IpLimiter {
    per_minute: u64,
    buckets: Mutex<Buckets>,
}

impl IpLimiter {
    pub fn new(per_minute: u32) -> IpLimiter {
        IpLimiter {
            per_minute: u64::from(per_minute.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt of `purpose` from `ip` now.
    pub fn allow(&self, ip: IpAddr, purpose: &'static str) -> bool {
        let ms = jiff::Timestamp::now().as_millisecond().max(0) as u64;
        self.allow_at(ip, purpose, ms)
    }

    /// Whether `ip` has no attempt of `purpose` left now; counts nothing.
    pub fn exhausted(&self, ip: IpAddr, purpose: &'static str) -> bool {
        let ms = jiff::Timestamp::now().as_millisecond().max(0) as u64;
        self.exhausted_at(ip, purpose, ms)
    }

    /// Whether `ip` has no attempt of `purpose` left at `ms`; counts nothing.
    pub fn exhausted_at(&self, ip: IpAddr, purpose: &'static str, ms: u64) -> bool {
        let Ok(b) = self.buckets.lock() else {
            return true;
        };
        b.get(&(ip, purpose)).is_some_and(|(tokens, at)| {
            *tokens + ms.saturating_sub(*at) * self.per_minute / 60 < 1000
        })
    }

    /// Counts an attempt at `ms` (unix milliseconds); false when the bucket is empty.
    pub fn allow_at(&self, ip: IpAddr, purpose: &'static str, ms: u64) -> bool {
        let full = self.per_minute * 1000;
        let Ok(mut b) = self.buckets.lock() else {
            return false;
        };
        if b.len() > 100_000 {
            // Buckets that have refilled are the same as absent ones.
            let per_minute = self.per_minute;
            b.retain(|_, (tokens, at)| *tokens + ms.saturating_sub(*at) * per_minute / 60 < full);
        }
        let (tokens, at) = b.entry((ip, purpose)).or_insert((full, ms));
        // Refill: per_minute tokens per 60,000 ms, in thousandths of a token.
        let refilled = (*tokens + ms.saturating_sub(*at) * self.per_minute / 60).min(full);
        let allowed = refilled >= 1000;
        *tokens = if allowed { refilled - 1000 } else { refilled };
        *at = ms.max(*at);
        allowed
    }
}

/// Why a PIN attempt may not be checked.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Locked until this unix time.
    Locked(i64),
}

/// The attempts counted for a codice fiscale and its lock, if it has a row.
fn count(c: &Connection, cf: &str) -> rusqlite::Result<Option<(i64, Option<i64>)>> {
    c.query_row(
        "SELECT failures, locked_until FROM login_failures WHERE codice_fiscale = ?1",
        [cf],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// Counts a PIN attempt before its PIN is checked, in the writer's transaction: refused when
/// the codice fiscale is locked, or when `max` attempts are already counted (checked or under
/// way) — which locks it. A right PIN then clears the count (`succeed`); a wrong one stays
/// counted (`confirm_failure`). A crash in between leaves the attempt counted as wrong.
pub fn reserve(
    c: &Connection,
    cf: &str,
    now: i64,
    max: i64,
    lock_secs: i64,
) -> rusqlite::Result<Result<(), Refused>> {
    let row = count(c, cf)?;
    let counted = match row {
        Some((_, Some(until))) if until > now => return Ok(Err(Refused::Locked(until))),
        // A lock that has run out starts a fresh count.
        Some((_, Some(_))) | None => 0,
        Some((n, None)) => n,
    };
    if counted >= max {
        let until = now + lock_secs;
        c.execute(
            "UPDATE login_failures SET locked_until = ?2 WHERE codice_fiscale = ?1",
            params![cf, until],
        )?;
        return Ok(Err(Refused::Locked(until)));
    }
    c.execute(
        "INSERT INTO login_failures (codice_fiscale, failures, locked_until, last_failure_at)
         VALUES (?1, ?2, NULL, ?3)
         ON CONFLICT (codice_fiscale) DO UPDATE SET failures = ?2, locked_until = NULL, last_failure_at = ?3",
        params![cf, counted + 1, now],
    )?;
    Ok(Ok(()))
}

/// After a wrong PIN (already counted by `reserve`): locks the codice fiscale once `max`
/// wrong ones are counted. Returns the lock's end, and how many attempts are left.
pub fn confirm_failure(
    c: &Connection,
    cf: &str,
    now: i64,
    max: i64,
    lock_secs: i64,
) -> rusqlite::Result<(Option<i64>, i64)> {
    let row = count(c, cf)?;
    let failures = match row {
        Some((_, Some(until))) if until > now => return Ok((Some(until), 0)),
        Some((n, _)) => n,
        // A right PIN cleared the count meanwhile: this wrong one starts a new one.
        None => {
            c.execute(
                "INSERT INTO login_failures (codice_fiscale, failures, locked_until, last_failure_at) VALUES (?1, 1, NULL, ?2)",
                params![cf, now],
            )?;
            1
        }
    };
    if failures >= max {
        let until = now + lock_secs;
        c.execute(
            "UPDATE login_failures SET locked_until = ?2 WHERE codice_fiscale = ?1",
            params![cf, until],
        )?;
        return Ok((Some(until), 0));
    }
    Ok((None, max - failures))
}

/// After a right PIN, in the transaction that opens the session: refused when the codice
/// fiscale was locked meanwhile (by attempts under way at the same time); else the count
/// starts again.
pub fn succeed(c: &Connection, cf: &str, now: i64) -> rusqlite::Result<Result<(), Refused>> {
    if let Some(until) = locked_until(c, cf, now)? {
        return Ok(Err(Refused::Locked(until)));
    }
    clear_failures(c, cf)?;
    Ok(Ok(()))
}

/// Unix time until which the codice fiscale is locked, if it is now.
pub fn locked_until(c: &Connection, cf: &str, now: i64) -> rusqlite::Result<Option<i64>> {
    let until: Option<Option<i64>> = c
        .query_row(
            "SELECT locked_until FROM login_failures WHERE codice_fiscale = ?1",
            [cf],
            |r| r.get(0),
        )
        .optional()?;
    Ok(until.flatten().filter(|&u| u > now))
}

/// Forgets counts left alone since `before` and not locked now.
pub fn sweep(c: &Connection, before: i64) -> rusqlite::Result<()> {
    c.execute(
        "DELETE FROM login_failures WHERE last_failure_at < ?1 AND (locked_until IS NULL OR locked_until < ?1)",
        [before],
    )?;
    Ok(())
}

pub fn clear_failures(c: &Connection, cf: &str) -> rusqlite::Result<()> {
    c.execute("DELETE FROM login_failures WHERE codice_fiscale = ?1", [cf])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        crate::db::migrate::memory()
    }

    const CF: &str = "RSSMRA80A01H501U";

    #[test]
    fn locks_after_max_and_unlocks_after_expiry() {
        let c = db();
        for i in 0..4 {
            assert_eq!(reserve(&c, CF, 1000 + i, 5, 900).unwrap(), Ok(()));
            assert_eq!(
                confirm_failure(&c, CF, 1000 + i, 5, 900).unwrap(),
                (None, 4 - i)
            );
        }
        assert_eq!(reserve(&c, CF, 1004, 5, 900).unwrap(), Ok(()));
        assert_eq!(
            confirm_failure(&c, CF, 1004, 5, 900).unwrap(),
            (Some(1904), 0)
        );
        assert_eq!(locked_until(&c, CF, 1500).unwrap(), Some(1904));
        assert_eq!(
            reserve(&c, CF, 1500, 5, 900).unwrap(),
            Err(Refused::Locked(1904))
        );
        assert_eq!(locked_until(&c, CF, 1904).unwrap(), None);
        // After expiry one wrong PIN does not lock again at once.
        assert_eq!(reserve(&c, CF, 2000, 5, 900).unwrap(), Ok(()));
        assert_eq!(confirm_failure(&c, CF, 2000, 5, 900).unwrap(), (None, 4));
    }

    #[test]
    fn attempts_under_way_count_before_their_pin_is_checked() {
        let c = db();
        // Five attempts at the same instant are reserved; the sixth is refused and locks.
        for _ in 0..5 {
            assert_eq!(reserve(&c, CF, 1000, 5, 900).unwrap(), Ok(()));
        }
        assert_eq!(
            reserve(&c, CF, 1000, 5, 900).unwrap(),
            Err(Refused::Locked(1900))
        );
        // One of the five was the right PIN: the lock stands, no session.
        assert_eq!(succeed(&c, CF, 1001).unwrap(), Err(Refused::Locked(1900)));
    }

    #[test]
    fn a_right_pin_among_the_allowed_attempts_succeeds_and_clears() {
        let c = db();
        for _ in 0..4 {
            reserve(&c, CF, 1000, 5, 900).unwrap().unwrap();
            confirm_failure(&c, CF, 1000, 5, 900).unwrap();
        }
        reserve(&c, CF, 1000, 5, 900).unwrap().unwrap();
        assert_eq!(succeed(&c, CF, 1000).unwrap(), Ok(()));
        assert_eq!(locked_until(&c, CF, 1000).unwrap(), None);
        assert_eq!(reserve(&c, CF, 1001, 5, 900).unwrap(), Ok(()));
    }

    #[test]
    fn ip_bucket_has_no_window_boundary() {
        let l = IpLimiter::new(30);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        // 30 at once just before a minute boundary, then 2.6 s later: one more at most.
        let t = 59_000;
        assert!((0..30).all(|_| l.allow_at(ip, "login", t)));
        let later: usize = (0..30)
            .filter(|_| l.allow_at(ip, "login", t + 2_600))
            .count();
        assert_eq!(later, 1, "one token back after 2 s");
        assert!(
            l.allow_at(ip, "pin", t + 2_600),
            "purposes have their own buckets"
        );
        // A minute later the bucket is full again.
        assert_eq!(
            (0..40)
                .filter(|_| l.allow_at(ip, "login", t + 62_600))
                .count(),
            30
        );
    }

    #[test]
    fn exhausted_looks_without_counting() {
        let l = IpLimiter::new(3);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        assert!(!l.exhausted_at(ip, "api", 1_000), "nothing counted yet");
        for _ in 0..3 {
            assert!(!l.exhausted_at(ip, "api", 1_000), "looking counts nothing");
            assert!(l.allow_at(ip, "api", 1_000));
        }
        assert!(l.exhausted_at(ip, "api", 1_000));
        assert!(!l.exhausted_at(ip, "login", 1_000), "another purpose");
        // One attempt comes back every 20 s.
        assert!(l.exhausted_at(ip, "api", 20_999));
        assert!(!l.exhausted_at(ip, "api", 21_000));
    }
}
