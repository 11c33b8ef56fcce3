//! A read cache that any write to the database empties: an entry is good only while the
//! writer has committed nothing since it was read (`Db::generation`). What every
//! authenticated request reads — its session — and what pages poll — an order's state —
//! then costs no database round trip until something changes. No entry can outlive a
//! logout, a new PIN or a payment: those are writes. Only this process writes the file;
//! should someone change it from outside (the `sqlite3` shell), an entry still lasts at most
//! `MAX_AGE`.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The longest an entry is used, whatever the generation says.
pub const MAX_AGE: Duration = Duration::from_secs(2);

pub struct ReadCache<K, V> {
    entries: Mutex<HashMap<K, (u64, Instant, V)>>,
    max: usize,
}

impl<K: Eq + Hash, V: Clone> ReadCache<K, V> {
    pub fn new(max: usize) -> Self {
        ReadCache {
            entries: Mutex::new(HashMap::new()),
            max,
        }
    }

    /// The value read at `generation`, if the database is still at it.
    pub fn get(&self, key: &K, generation: u64) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(g, at, _)| *g == generation && at.elapsed() < MAX_AGE)
            .map(|(_, _, v)| v.clone())
    }

    /// Keeps `value`, read when the database was at `generation` (taken before the read).
    pub fn put(&self, key: K, generation: u64, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.max {
                entries.retain(|_, (g, at, _)| *g == generation && at.elapsed() < MAX_AGE);
                if entries.len() >= self.max {
                    entries.clear();
                }
            }
            entries.insert(key, (generation, Instant::now(), value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_lives_until_the_next_write() {
        let c = ReadCache::new(2);
        c.put("a", 7, 1);
        assert_eq!(c.get(&"a", 7), Some(1));
        assert_eq!(c.get(&"a", 8), None, "a write happened since");
        c.put("b", 8, 2);
        c.put("c", 8, 3); // full: the stale "a" goes first
        assert_eq!((c.get(&"b", 8), c.get(&"c", 8)), (Some(2), Some(3)));
    }
}
