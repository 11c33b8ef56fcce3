//! Recovery of a document from the archive into the 24-hour cache: jobs in SQLite run by a
//! bounded pool of workers, resumed after a restart; the archive backends; the download.

pub mod archive;
pub mod dicomweb;
pub mod download;
pub mod lookup;
pub mod store;
pub mod text;
pub mod worker;

use std::collections::HashMap;
use std::sync::Mutex;

/// What the patient sees of a document's recovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Not in the cache (never recovered, or expired).
    ToRecover,
    InProgress,
    Ready {
        size: i64,
        expires_at: i64,
    },
    Failed {
        /// In Italian, as stored: one of the reasons of `text` (`text::reason` translates it).
        reason: String,
    },
}

impl Status {
    pub fn from_parts(
        state: Option<String>,
        error: Option<String>,
        size: Option<i64>,
        expires: Option<i64>,
        now: i64,
    ) -> Status {
        match state.as_deref() {
            Some("queued" | "running") => Status::InProgress,
            Some("ready") => match (size, expires) {
                (Some(size), Some(expires_at)) if expires_at > now => {
                    Status::Ready { size, expires_at }
                }
                _ => Status::ToRecover,
            },
            Some("failed") => Status::Failed {
                reason: error.unwrap_or_else(|| text::FAILED.it.into()),
            },
            _ => Status::ToRecover,
        }
    }
}

/// Progress of running recoveries, in memory: (bytes done, bytes expected if known).
#[derive(Default)]
pub struct Progress(Mutex<HashMap<i64, (u64, Option<u64>)>>);

impl Progress {
    pub fn set(&self, doc: i64, done: u64, total: Option<u64>) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(doc, (done, total));
        }
    }

    pub fn get(&self, doc: i64) -> Option<(u64, Option<u64>)> {
        self.0.lock().ok().and_then(|m| m.get(&doc).copied())
    }

    pub fn clear(&self, doc: i64) {
        if let Ok(mut m) = self.0.lock() {
            m.remove(&doc);
        }
    }
}

/// Shared by the pages and the workers.
#[derive(Default)]
pub struct Jobs {
    pub progress: Progress,
    /// Wakes an idle worker when a job is queued.
    pub wakeup: tokio::sync::Notify,
}
