//! The deletions of a retention run, each one statement.

use jiff::{Timestamp, ToSpan};
use rusqlite::{Connection, params};

/// The recovery records (document, file) of documents past their online window
/// (`exchange_day` before `first_online`) that nothing still needs: not in an order (a paid
/// copy stays downloadable) and not shared by a link still open.
pub fn recoveries_out_of_window(
    c: &Connection,
    first_online: &str,
) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut stmt = c.prepare(
        "SELECT r.document_id, COALESCE(r.file_path, '') FROM recoveries r
           JOIN documents d ON d.id = r.document_id
          WHERE d.exchange_day < ?1
            AND r.state IN ('ready', 'failed')
            AND NOT EXISTS (SELECT 1 FROM order_items i WHERE i.document_id = d.id)
            AND NOT EXISTS (SELECT 1 FROM shares s WHERE s.document_id = d.id
                             AND s.revoked_at IS NULL AND s.blocked_at IS NULL)",
    )?;
    let rows = stmt.query_map([first_online], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

pub fn forget_recoveries(c: &Connection, docs: &[(i64, String)]) -> rusqlite::Result<usize> {
    let mut n = 0;
    for (doc, _) in docs {
        n += c.execute("DELETE FROM recoveries WHERE document_id = ?1", [doc])?;
    }
    Ok(n)
}

/// Empties the text of SMS sent or given up before `before`, and drops the demo console's
/// copies of that age.
pub fn sms_bodies(c: &Connection, before: i64) -> rusqlite::Result<usize> {
    let n = c.execute(
        "UPDATE sms_queue SET body = '' WHERE state IN ('sent', 'expired') AND body <> ''
            AND COALESCE(sent_at, created_at) < ?1",
        [before],
    )?;
    let m = c.execute(
        "DELETE FROM sms_console_outbox WHERE sent_at < ?1",
        [before],
    )?;
    Ok(n + m)
}

/// Deletes shares whose end (revoked, blocked or expired, whichever came first) is before
/// `before`; their access lists go with them (`ON DELETE CASCADE`), their lines in the audit
/// log stay for its own retention.
pub fn ended_shares(c: &Connection, before: i64) -> rusqlite::Result<usize> {
    c.execute(
        "DELETE FROM shares WHERE MIN(expires_at, COALESCE(revoked_at, expires_at),
                                      COALESCE(blocked_at, expires_at)) < ?1",
        [before],
    )
}

pub fn audit(c: &Connection, before: i64) -> rusqlite::Result<usize> {
    let others = c.execute(
        "DELETE FROM audit_log WHERE at < ?1 AND action <> 'retention_purge'",
        params![before],
    )?;
    // The purge's own lines live as long as the others, but the last one always stays.
    let purges = c.execute(
        "DELETE FROM audit_log WHERE at < ?1 AND action = 'retention_purge'
            AND id <> (SELECT MAX(id) FROM audit_log WHERE action = 'retention_purge')",
        params![before],
    )?;
    Ok(others + purges)
}

/// `months` calendar months before `now`, in Rome.
pub fn months_before(now: i64, months: i64) -> i64 {
    Timestamp::from_second(now)
        .ok()
        .map(|t| t.to_zoned(crate::ui::time::rome().clone()))
        .and_then(|z| z.checked_sub(months.months()).ok())
        .map(|z| z.timestamp().as_second())
        .unwrap_or(now - months * 31 * 86_400)
}

/// Seconds from `now` to the next `hour`:00 in Rome.
pub fn secs_until_hour(now: i64, hour: i64) -> i64 {
    let Ok(t) = Timestamp::from_second(now) else {
        return 86_400;
    };
    let z = t.to_zoned(crate::ui::time::rome().clone());
    let today = z
        .date()
        .at(hour.clamp(0, 23) as i8, 0, 0, 0)
        .to_zoned(crate::ui::time::rome().clone());
    let next = match today {
        Ok(at) if at.timestamp().as_second() > now => Some(at),
        Ok(at) => at.checked_add(1.day()).ok(),
        Err(_) => None,
    };
    next.map(|n| n.timestamp().as_second() - now)
        .unwrap_or(86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_calendar_months_in_rome() {
        // 2026-11-29 12:00 Rome (CET, +01:00) → 2024-11-29 12:00.
        let now = 1_795_950_000;
        assert_eq!(months_before(now, 24), now - 730 * 86_400);
        // Across the summer-time change the wall time is kept.
        let march = months_before(now, 8); // 2026-03-29 12:00 CEST
        assert_eq!(now - march, 245 * 86_400 + 3600);
    }

    #[test]
    fn the_next_hour_is_today_or_tomorrow() {
        let noon = 1_795_950_000; // 12:00 Rome
        assert_eq!(secs_until_hour(noon, 13), 3600);
        assert_eq!(secs_until_hour(noon, 3), 15 * 3600);
        assert_eq!(secs_until_hour(noon, 12), 86_400);
    }
}
