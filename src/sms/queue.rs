//! The SMS queue: rows in `sms_queue`, sent by one background task with exponential
//! backoff; the body is wiped once delivered (it holds a PIN).

use super::{Gateway, Outgoing};
use crate::app::App;
use rusqlite::{Connection, params};
use std::sync::Arc;
use std::time::Duration;

pub fn enqueue(c: &Connection, to: &str, body: &str, now: i64) -> rusqlite::Result<()> {
    let id = crate::crypto::hex(&crate::crypto::random_bytes::<16>());
    c.execute(
        "INSERT INTO sms_queue (message_id, to_e164, body, state, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, 'queued', ?4, ?4)",
        params![id, to, body, now],
    )?;
    Ok(())
}

/// What the console gateway "delivered", newest first: (to, text, sent at).
pub fn console_outbox(c: &Connection, limit: i64) -> rusqlite::Result<Vec<(String, String, i64)>> {
    c.prepare("SELECT to_e164, body, sent_at FROM sms_console_outbox ORDER BY id DESC LIMIT ?1")?
        .query_map([limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect()
}

pub fn queued(c: &Connection) -> rusqlite::Result<i64> {
    c.query_row(
        "SELECT COUNT(*) FROM sms_queue WHERE state = 'queued'",
        [],
        |r| r.get(0),
    )
}

fn due(c: &Connection, now: i64) -> rusqlite::Result<Vec<(i64, i64, Outgoing)>> {
    let mut stmt = c.prepare(
        "SELECT id, attempts, message_id, to_e164, body FROM sms_queue
         WHERE state = 'queued' AND next_attempt_at <= ?1 ORDER BY id LIMIT 20",
    )?;
    let rows = stmt.query_map([now], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            Outgoing {
                message_id: r.get(2)?,
                to_e164: r.get(3)?,
                body: r.get(4)?,
            },
        ))
    })?;
    rows.collect()
}

fn next_due(c: &Connection) -> rusqlite::Result<Option<i64>> {
    c.query_row(
        "SELECT MIN(next_attempt_at) FROM sms_queue WHERE state = 'queued'",
        [],
        |r| r.get(0),
    )
}

/// Seconds to wait after `attempts` failed attempts.
pub fn backoff(attempts: i64, max: i64) -> i64 {
    (1i64 << attempts.clamp(0, 20)).min(max.max(1))
}

fn mark_sent(
    c: &Connection,
    id: i64,
    msg: &Outgoing,
    keep: bool,
    now: i64,
) -> rusqlite::Result<()> {
    if keep {
        c.execute(
            "INSERT OR IGNORE INTO sms_console_outbox (message_id, to_e164, body, sent_at) VALUES (?1, ?2, ?3, ?4)",
            params![msg.message_id, msg.to_e164, msg.body, now],
        )?;
    }
    c.execute(
        "UPDATE sms_queue SET state = 'sent', body = '', sent_at = ?2, attempts = attempts + 1, last_error = NULL
         WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

fn mark_failed(
    c: &Connection,
    id: i64,
    attempts: i64,
    error: &str,
    now: i64,
    max_backoff: i64,
) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE sms_queue SET attempts = ?2, next_attempt_at = ?3, last_error = ?4 WHERE id = ?1",
        params![
            id,
            attempts + 1,
            now + backoff(attempts + 1, max_backoff),
            error
        ],
    )?;
    Ok(())
}

fn expire(c: &Connection, now: i64, max_age: i64) -> rusqlite::Result<usize> {
    c.execute(
        "UPDATE sms_queue SET state = 'expired', body = '' WHERE state = 'queued' AND created_at < ?1",
        [now - max_age],
    )
}

/// The sending task: wakes when a message is queued or one falls due.
pub async fn run(app: App, gateway: Arc<dyn Gateway>) {
    loop {
        let wait = match send_due(&app, &gateway).await {
            Ok(Some(next)) => (next - app.now()).clamp(0, 60) as u64,
            Ok(None) => 60,
            Err(e) => {
                tracing::error!("sms queue: {e}");
                5
            }
        };
        tokio::select! {
            _ = app.sms_wakeup.notified() => {}
            _ = tokio::time::sleep(Duration::from_millis(wait * 1000 + 50)) => {}
        }
    }
}

async fn send_due(
    app: &App,
    gateway: &Arc<dyn Gateway>,
) -> Result<Option<i64>, crate::error::AppError> {
    let now = app.now();
    let max_age = app.config.sms.max_age_secs;
    let expired = app
        .db
        .write(move |tx| Ok(expire(tx, now, max_age)?))
        .await?;
    if expired > 0 {
        tracing::warn!("sms queue: {expired} messaggi scaduti senza consegna");
    }
    let batch = app.db.read(move |c| Ok(due(c, now)?)).await?;
    for (id, attempts, msg) in batch {
        let gw = gateway.clone();
        let (result, msg) = tokio::task::spawn_blocking(move || (gw.send(&msg), msg))
            .await
            .map_err(crate::error::AppError::internal)?;
        let (keep, now, max_backoff) = (
            gateway.keeps_copy(),
            app.now(),
            app.config.sms.max_backoff_secs,
        );
        match result {
            Ok(()) => {
                app.db
                    .write(move |tx| Ok(mark_sent(tx, id, &msg, keep, now)?))
                    .await?
            }
            Err(e) => {
                tracing::warn!(
                    "sms {}: invio non riuscito (tentativo {}): {e}",
                    msg.message_id,
                    attempts + 1
                );
                app.db
                    .write(move |tx| Ok(mark_failed(tx, id, attempts, &e, now, max_backoff)?))
                    .await?
            }
        }
    }
    app.db.read(|c| Ok(next_due(c)?)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        assert_eq!(backoff(0, 60), 1);
        assert_eq!(backoff(1, 60), 2);
        assert_eq!(backoff(5, 60), 32);
        assert_eq!(backoff(6, 60), 60);
        assert_eq!(backoff(100, 60), 60);
    }
}
