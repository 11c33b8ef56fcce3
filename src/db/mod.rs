//! SQLite access: one writer connection, a few read-only readers, all used on blocking
//! threads; never across an `.await`. Whatever future awaits them may be dropped (a
//! shutdown, a cancelled request): the reader's permit and connection go with the blocking
//! work and come back when it ends, and a writer left poisoned by a panic is used again
//! (the panic rolled its transaction back).
//!
//! A note on queries: this SQLite (STAT4 and the LIMIT optimisation compiled in) re-prepares
//! a statement at every new binding when a parameter is compared with the leading column of
//! the index that orders its rows, or is its LIMIT — a fifth of the Dashboard's time went
//! to parsing SQL again. Such queries write `patient_id = ?1 + 0` and `LIMIT ?2 + 0` (same
//! plan, the value is no longer "known" to the planner); a test checks that the lists are
//! prepared once.

pub mod cache;
pub mod migrate;

use crate::error::{AppError, Context, Kind};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    writer: Mutex<Connection>,
    /// Committed write transactions: read caches compare it (`cache::ReadCache`).
    generation: AtomicU64,
    readers: Mutex<Vec<Connection>>,
    reader_slots: Arc<Semaphore>,
}

const READERS: usize = 4;

fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

/// A lock whose holder panicked is still good here: SQLite rolled back what it was doing.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A reader connection taken from the pool; back in the pool on drop, even after a panic.
struct Reader<'a> {
    pool: &'a Mutex<Vec<Connection>>,
    conn: Option<Connection>,
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            lock(self.pool).push(c);
        }
    }
}

impl Db {
    /// Opens (creating if needed) the database and applies missing schema steps.
    pub fn open(path: &Path) -> Result<Db, AppError> {
        let where_ = || format!("database {}", path.display());
        let mut writer = Connection::open(path).context(where_())?;
        prepare(&writer).context(where_())?;
        writer
            .pragma_update(None, "journal_mode", "WAL")
            .context(where_())?;
        migrate::upgrade(&mut writer, Some(path), migrate::SCHEMA)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let r = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .context(where_())?;
            prepare(&r).context(where_())?;
            readers.push(r);
        }
        Ok(Db {
            inner: Arc::new(Inner {
                writer: Mutex::new(writer),
                generation: AtomicU64::new(0),
                readers: Mutex::new(readers),
                reader_slots: Arc::new(Semaphore::new(READERS)),
            }),
        })
    }

    /// How many write transactions have committed: take it before a read whose result is
    /// cached, so that a write during the read makes the entry stale at once.
    pub fn generation(&self) -> u64 {
        self.inner.generation.load(Ordering::SeqCst)
    }

    /// Runs `f` on a reader connection on a blocking thread.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, AppError> + Send + 'static,
    {
        let permit = self
            .inner
            .reader_slots
            .clone()
            .acquire_owned()
            .await
            .map_err(AppError::internal)?;
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            // Held by the work itself, not by the future that awaits it.
            let _permit = permit;
            let mut reader = Reader {
                pool: &inner.readers,
                conn: lock(&inner.readers).pop(),
            };
            let conn = reader
                .conn
                .as_mut()
                .ok_or_else(|| AppError::internal("reader pool empty"))?;
            f(conn)
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction on the writer; commits on `Ok`.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> Result<T, AppError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = lock(&inner.writer);
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            inner.generation.fetch_add(1, Ordering::SeqCst);
            Ok(value)
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Online, consistent copy of the database (works while serving).
    pub fn backup_to(path: &Path, target: &Path) -> Result<(), AppError> {
        if target.exists() {
            return Err(AppError::new(
                Kind::Conflict,
                format!("{} esiste già: scegli un altro nome", target.display()),
            ));
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .context(format!("database {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .context("copia non riuscita")?;
        conn.execute("VACUUM INTO ?1", [target.to_string_lossy()])
            .context("copia non riuscita")?;
        Ok(())
    }
}

/// The server's secret (CSRF signatures of anonymous forms): made once, kept in `settings`.
pub fn server_secret(c: &Connection) -> rusqlite::Result<Vec<u8>> {
    let fresh = crate::crypto::random_bytes::<32>().to_vec();
    c.execute(
        "INSERT OR IGNORE INTO settings (key, value) VALUES ('secret', ?1)",
        [&fresh],
    )?;
    c.query_row("SELECT value FROM settings WHERE key = 'secret'", [], |r| {
        r.get(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropped_reads_give_back_their_permit_and_connection() {
        let dir = std::env::temp_dir().join(format!("cds-db-drop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::open(&dir.join("t.db")).unwrap();
        // 100 reads that hold their connection a while, dropped while waiting or working.
        let mut tasks = Vec::new();
        for _ in 0..100 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                db.read(|_| {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    Ok(())
                })
                .await
            }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        for t in &tasks {
            t.abort();
        }
        // Every read after them works: no "reader pool empty", all four slots back.
        for _ in 0..20 {
            let n: i64 = db
                .read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get(0))?))
                .await
                .unwrap();
            assert_eq!(n, 1);
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(db.inner.reader_slots.available_permits(), READERS);
        assert_eq!(lock(&db.inner.readers).len(), READERS);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The statements of `c` that SQLite parsed again after their first preparation, with how
    /// many times.
    fn reprepared(c: &Connection) -> Vec<(i32, String)> {
        use rusqlite::ffi;
        let mut found = Vec::new();
        // SAFETY: the handle belongs to `c`, alive for the whole loop; sqlite3_next_stmt,
        // sqlite3_stmt_status and sqlite3_sql only read the connection's own statements.
        unsafe {
            let db = c.handle();
            let mut st = ffi::sqlite3_next_stmt(db, std::ptr::null_mut());
            while !st.is_null() {
                let k = ffi::sqlite3_stmt_status(st, ffi::SQLITE_STMTSTATUS_REPREPARE, 0);
                if k > 0 {
                    let sql = std::ffi::CStr::from_ptr(ffi::sqlite3_sql(st));
                    found.push((k, sql.to_string_lossy().into_owned()));
                }
                st = ffi::sqlite3_next_stmt(db, st);
            }
        }
        found
    }

    #[test]
    fn the_lists_are_prepared_once() {
        use crate::documents::store::{NewDocument, insert};
        let c = migrate::memory();
        let p = crate::patients::store::upsert(&c, "RSSMRA80A01A182N", "Mario", "Rossi", None, 1)
            .unwrap();
        for i in 0..5 {
            insert(
                &c,
                &NewDocument {
                    patient_id: p,
                    category: if i % 2 == 0 {
                        "Referto"
                    } else {
                        "Cartella clinica"
                    },
                    title: "Documento",
                    exchanged_at: 1_764_000_000 + i * 3600,
                    source_kind: "pdf",
                    source_ref: "x.pdf",
                    price_cents: 0,
                },
                1,
            )
            .unwrap();
        }
        let day = |d: &str| jiff::civil::Date::strptime("%Y-%m-%d", d).unwrap();
        for round in 0..4i64 {
            let f = crate::documents::filter::Filter {
                from: day("2025-01-01"),
                to: day("2026-12-31"),
                category: (round % 2 == 1).then(|| "Referto".to_string()),
                hidden: round % 2 == 0,
            };
            crate::documents::store::list(&c, p, &f, day("2020-01-01"), round, 20, 1).unwrap();
            crate::documents::store::new_documents(&c, p, round, 5 + round).unwrap();
            crate::documents::catalogue_store::list(
                &c,
                p,
                Some("Referto").filter(|_| round > 1),
                20 + round,
            )
            .unwrap();
            crate::orders::store::list(&c, p, 5 + round).unwrap();
            crate::orders::store::count(&c, p).unwrap();
            crate::support::store::list(&c, p).unwrap();
            crate::auth::store::session(&c, &[round as u8; 32]).unwrap();
        }
        let again = reprepared(&c);
        assert!(
            again.is_empty(),
            "parsed again at a new binding: {again:#?}"
        );
    }

    #[tokio::test]
    async fn a_panic_in_a_write_leaves_the_writer_usable() {
        let dir = std::env::temp_dir().join(format!("cds-db-panic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::open(&dir.join("t.db")).unwrap();
        let r = db
            .write(|tx| -> Result<(), AppError> {
                tx.execute("INSERT INTO settings (key, value) VALUES ('x', 'y')", [])?;
                panic!("boom")
            })
            .await;
        assert!(r.is_err());
        let n: i64 = db
            .write(|tx| {
                Ok(
                    tx.query_row("SELECT count(*) FROM settings WHERE key = 'x'", [], |r| {
                        r.get(0)
                    })?,
                )
            })
            .await
            .unwrap();
        assert_eq!(n, 0, "the panicking transaction was rolled back");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
