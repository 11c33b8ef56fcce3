//! SQLite access: one writer connection, a few read-only readers, all used on blocking
//! threads; never across an `.await`.

pub mod migrate;

use crate::http::error::AppError;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    reader_slots: Semaphore,
}

const READERS: usize = 4;

fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

impl Db {
    /// Opens (creating if needed) the database and applies missing schema steps.
    pub fn open(path: &Path) -> Result<Db, String> {
        let mut writer = Connection::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        prepare(&writer).map_err(|e| e.to_string())?;
        writer
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| format!("{}: {e}", path.display()))?;
        migrate::upgrade(&mut writer, Some(path), migrate::SCHEMA)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let r = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| e.to_string())?;
            prepare(&r).map_err(|e| e.to_string())?;
            readers.push(r);
        }
        Ok(Db {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                writer: Mutex::new(writer),
                readers: Mutex::new(readers),
                reader_slots: Semaphore::new(READERS),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on a reader connection on a blocking thread.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, AppError> + Send + 'static,
    {
        let _permit = self
            .inner
            .reader_slots
            .acquire()
            .await
            .map_err(AppError::internal)?;
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let conn = inner.readers.lock().map_err(AppError::internal)?.pop();
            let conn = conn.ok_or_else(|| AppError::internal("reader pool empty"))?;
            let result = f(&conn);
            if let Ok(mut pool) = inner.readers.lock() {
                pool.push(conn);
            }
            result
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
            let mut conn = inner.writer.lock().map_err(AppError::internal)?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Online, consistent copy of the database (works while serving).
    pub fn backup_to(path: &Path, target: &Path) -> Result<(), String> {
        if target.exists() {
            return Err(format!(
                "{} esiste già: scegli un altro nome",
                target.display()
            ));
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(|e| e.to_string())?;
        conn.execute("VACUUM INTO ?1", [target.to_string_lossy()])
            .map_err(|e| format!("copia non riuscita: {e}"))?;
        Ok(())
    }
}
