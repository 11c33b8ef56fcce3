//! Limits on guessing: per-IP attempts (in memory, per minute) and the per-codice-fiscale
//! lockout after repeated wrong PINs (in SQLite, so it survives a restart).

use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// (client, purpose) → (minute, attempts in that minute).
type Windows = HashMap<(IpAddr, &'static str), (i64, u32)>;

pub struct IpLimiter {
    per_minute: u32,
    windows: Mutex<Windows>,
}

impl IpLimiter {
    pub fn new(per_minute: u32) -> IpLimiter {
        IpLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt of `purpose` from `ip`; false when over the limit this minute.
    pub fn allow(&self, ip: IpAddr, purpose: &'static str, now: i64) -> bool {
        let minute = now / 60;
        let Ok(mut w) = self.windows.lock() else {
            return false;
        };
        if w.len() > 100_000 {
            w.retain(|_, (m, _)| *m == minute);
        }
        let entry = w.entry((ip, purpose)).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        entry.1 += 1;
        entry.1 <= self.per_minute
    }
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

/// Records a wrong PIN; returns the lock's end when this failure locks the codice fiscale.
pub fn record_failure(
    c: &Connection,
    cf: &str,
    now: i64,
    max: i64,
    lock_secs: i64,
) -> rusqlite::Result<Option<i64>> {
    // A lock that has run out starts a fresh count.
    c.execute(
        "INSERT INTO login_failures (codice_fiscale, failures, locked_until, last_failure_at)
         VALUES (?1, 1, NULL, ?2)
         ON CONFLICT (codice_fiscale) DO UPDATE SET
           failures = CASE WHEN locked_until IS NOT NULL AND locked_until <= ?2 THEN 1 ELSE failures + 1 END,
           locked_until = CASE WHEN locked_until IS NOT NULL AND locked_until <= ?2 THEN NULL ELSE locked_until END,
           last_failure_at = ?2",
        params![cf, now],
    )?;
    let failures: i64 = c.query_row(
        "SELECT failures FROM login_failures WHERE codice_fiscale = ?1",
        [cf],
        |r| r.get(0),
    )?;
    if failures >= max {
        let until = now + lock_secs;
        c.execute(
            "UPDATE login_failures SET locked_until = ?2 WHERE codice_fiscale = ?1",
            params![cf, until],
        )?;
        return Ok(Some(until));
    }
    Ok(None)
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

    #[test]
    fn locks_after_max_and_unlocks_after_expiry() {
        let c = db();
        let cf = "RSSMRA80A01H501U";
        for i in 0..4 {
            assert_eq!(record_failure(&c, cf, 1000 + i, 5, 900).unwrap(), None);
        }
        assert_eq!(record_failure(&c, cf, 1004, 5, 900).unwrap(), Some(1904));
        assert_eq!(locked_until(&c, cf, 1500).unwrap(), Some(1904));
        assert_eq!(locked_until(&c, cf, 1904).unwrap(), None);
        // After expiry one wrong PIN does not lock again at once.
        assert_eq!(record_failure(&c, cf, 2000, 5, 900).unwrap(), None);
    }

    #[test]
    fn ip_limit_per_minute() {
        let l = IpLimiter::new(2);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(l.allow(ip, "login", 60));
        assert!(l.allow(ip, "login", 61));
        assert!(!l.allow(ip, "login", 62));
        assert!(l.allow(ip, "pin", 62));
        assert!(l.allow(ip, "login", 120));
    }
}
