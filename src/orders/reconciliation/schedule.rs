//! The daily reconciliation: a task started with the server (when a payment provider is
//! configured) that runs one at `payments.reconcile_hour` o'clock, Rome time, every day.
//! It decides from the database, not from memory, so a restart neither repeats nor loses
//! a run: a daily run is due when none has started since the last `reconcile_hour`:00 that
//! has passed. A restart at 3:10 after the 3:00 run does nothing; a server that was down at
//! 3:00 runs at start. With no daily run ever, the first is at the next `reconcile_hour`
//! after the start (a new installation does not reconcile at its first start).
//! On the day the clocks go forward an hour that does not exist means the first instant
//! after the gap; on the day they go back, the first of the two: once a day either way.

use super::{Trigger, exclusive, run};
use crate::app::App;
use jiff::{Timestamp, tz::TimeZone};
use std::time::Duration;

/// The longest sleep between two looks at the database (a changed clock, a suspended VM).
const MAX_SLEEP_SECS: i64 = 600;

/// `hour`:00 of the Rome day `date` (unix seconds).
fn at_hour(tz: &TimeZone, date: jiff::civil::Date, hour: i64) -> i64 {
    date.at(hour.clamp(0, 23) as i8, 0, 0, 0)
        .to_zoned(tz.clone())
        .map(|z| z.timestamp().as_second())
        .unwrap_or_default()
}

fn rome_day(tz: &TimeZone, now: i64) -> jiff::civil::Date {
    Timestamp::from_second(now)
        .map(|t| t.to_zoned(tz.clone()).date())
        .unwrap_or_default()
}

/// The last `hour`:00 in Rome at or before `now`.
pub fn last_slot(now: i64, hour: i64) -> i64 {
    let tz = crate::ui::time::rome();
    let day = rome_day(tz, now);
    let today = at_hour(tz, day, hour);
    if today <= now {
        return today;
    }
    at_hour(tz, day.yesterday().unwrap_or(day), hour)
}

/// The first `hour`:00 in Rome after `now`.
pub fn next_slot(now: i64, hour: i64) -> i64 {
    let tz = crate::ui::time::rome();
    let day = rome_day(tz, now);
    let today = at_hour(tz, day, hour);
    if today > now {
        return today;
    }
    at_hour(tz, day.tomorrow().unwrap_or(day), hour)
}

/// Whether a daily run is due at `now`: none has started since the last `hour`:00. With no
/// daily run ever (`last_daily` is `None`), the server's start (`since`) counts as one.
pub fn due(last_daily: Option<i64>, since: i64, now: i64, hour: i64) -> bool {
    last_daily.unwrap_or(since) < last_slot(now, hour)
}

/// The task: looks at the last daily run now, then at each `reconcile_hour` (and every 10
/// minutes at most), and runs one when it is due.
pub async fn run_daily(app: App) {
    let since = app.now();
    let (hour, days) = (
        app.config.payments.reconcile_hour,
        app.config.payments.reconcile_days,
    );
    loop {
        let now = app.now();
        match app.db.read(|c| Ok(super::store::last_daily(c)?)).await {
            // While "Riconcilia ora" runs, the next look runs the daily one after it.
            Ok(last) if due(last, since, now, hour) => {
                if let Some(_running) = exclusive() {
                    match run(&app, Trigger::Daily, days).await {
                        Ok(s) => tracing::info!("{}", s.line()),
                        Err(e) => tracing::warn!("riconciliazione giornaliera non riuscita: {e}"),
                    }
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("riconciliazione giornaliera: {e}"),
        }
        let now = app.now();
        let wait = (next_slot(now, hour) - now).clamp(1, MAX_SLEEP_SECS);
        tokio::time::sleep(Duration::from_secs(wait as u64)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unix seconds of a Rome wall-clock time (the earlier one when it happens twice).
    fn rome(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> i64 {
        jiff::civil::date(y, mo, d)
            .at(h, mi, 0, 0)
            .to_zoned(crate::ui::time::rome().clone())
            .unwrap()
            .timestamp()
            .as_second()
    }

    fn utc(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> i64 {
        jiff::civil::date(y, mo, d)
            .at(h, mi, 0, 0)
            .to_zoned(TimeZone::UTC)
            .unwrap()
            .timestamp()
            .as_second()
    }

    #[test]
    fn slots_are_the_hour_in_rome() {
        // Winter (UTC+1) and summer (UTC+2).
        assert_eq!(
            last_slot(utc(2026, 1, 15, 10, 0), 3),
            utc(2026, 1, 15, 2, 0)
        );
        assert_eq!(
            last_slot(utc(2026, 7, 15, 10, 0), 3),
            utc(2026, 7, 15, 1, 0)
        );
        // Before 3:00 the last one was yesterday's; the next is today's.
        let night = rome(2026, 7, 15, 2, 30);
        assert_eq!(last_slot(night, 3), rome(2026, 7, 14, 3, 0));
        assert_eq!(next_slot(night, 3), rome(2026, 7, 15, 3, 0));
        // At 3:00 exactly, that one; the next is tomorrow's.
        let three = rome(2026, 7, 15, 3, 0);
        assert_eq!(last_slot(three, 3), three);
        assert_eq!(next_slot(three, 3), rome(2026, 7, 16, 3, 0));
        assert_eq!(
            last_slot(rome(2026, 7, 15, 0, 5), 0),
            rome(2026, 7, 15, 0, 0)
        );
        assert_eq!(
            next_slot(rome(2026, 7, 15, 23, 5), 23),
            rome(2026, 7, 16, 23, 0)
        );
    }

    #[test]
    fn once_a_day_across_restarts() {
        let since = rome(2026, 5, 1, 12, 0);
        let ran = rome(2026, 5, 10, 3, 0);
        // Restarted at 3:10 after the 3:00 run: nothing; due again the next day at 3:00.
        assert!(!due(Some(ran), since, rome(2026, 5, 10, 3, 10), 3));
        assert!(!due(Some(ran), since, rome(2026, 5, 11, 2, 59), 3));
        assert!(due(Some(ran), since, rome(2026, 5, 11, 3, 0), 3));
        // Down at 3:00: at start, the day's run is done then (and not again that day).
        assert!(due(Some(ran), since, rome(2026, 5, 11, 9, 30), 3));
        let late = rome(2026, 5, 11, 9, 30);
        assert!(!due(Some(late), since, rome(2026, 5, 11, 23, 59), 3));
        assert!(due(Some(late), since, rome(2026, 5, 12, 3, 0), 3));
        // Down for days: one run at start.
        assert!(due(Some(ran), since, rome(2026, 5, 14, 15, 0), 3));
        // A run by hand (CLI, back office) is not a daily one: the caller gives only
        // the daily ones. A changed hour takes effect at once.
        assert!(due(Some(ran), since, rome(2026, 5, 10, 5, 0), 5));
    }

    #[test]
    fn a_new_installation_waits_for_the_hour() {
        let started = rome(2026, 5, 10, 9, 0);
        assert!(!due(None, started, started, 3));
        assert!(!due(None, started, rome(2026, 5, 11, 2, 59), 3));
        assert!(due(None, started, rome(2026, 5, 11, 3, 0), 3));
        // Started at 2:00: the first run the same night at 3:00.
        let night = rome(2026, 5, 10, 2, 0);
        assert!(!due(None, night, night, 3));
        assert!(due(None, night, rome(2026, 5, 10, 3, 0), 3));
    }

    #[test]
    fn clocks_forward_23_hours_after_the_previous_run() {
        // 29 March 2026: 2:00 CET → 3:00 CEST. 3:00 CEST = 1:00 UTC, 23 h after
        // Saturday's 3:00 CET (2:00 UTC).
        let saturday = utc(2026, 3, 28, 2, 0);
        assert_eq!(last_slot(utc(2026, 3, 28, 12, 0), 3), saturday);
        assert_eq!(next_slot(saturday, 3), utc(2026, 3, 29, 1, 0));
        assert!(!due(Some(saturday), 0, utc(2026, 3, 29, 0, 59), 3));
        assert!(due(Some(saturday), 0, utc(2026, 3, 29, 1, 0), 3));
        // At 2 o'clock, which does not exist that day: the first instant after the gap.
        assert_eq!(
            next_slot(utc(2026, 3, 28, 12, 0), 2),
            utc(2026, 3, 29, 1, 0)
        );
        assert_eq!(
            last_slot(utc(2026, 3, 29, 0, 59), 2),
            utc(2026, 3, 28, 1, 0)
        );
    }

    #[test]
    fn clocks_back_25_hours_and_the_repeated_hour_once() {
        // 25 October 2026: 3:00 CEST → 2:00 CET. Saturday's 3:00 CEST is 1:00 UTC;
        // Sunday's 3:00 CET is 2:00 UTC, 25 h later: 24 h after is not yet the time.
        let saturday = utc(2026, 10, 24, 1, 0);
        assert!(!due(Some(saturday), 0, utc(2026, 10, 25, 1, 0), 3));
        assert!(!due(Some(saturday), 0, utc(2026, 10, 25, 1, 59), 3));
        assert!(due(Some(saturday), 0, utc(2026, 10, 25, 2, 0), 3));
        // At 2 o'clock, which happens twice: the first (0:00 UTC), not again an hour later.
        let first = utc(2026, 10, 25, 0, 0);
        assert_eq!(next_slot(utc(2026, 10, 24, 12, 0), 2), first);
        assert!(due(Some(utc(2026, 10, 24, 0, 0)), 0, first, 2));
        assert!(!due(Some(first), 0, utc(2026, 10, 25, 1, 0), 2));
        assert!(!due(Some(first), 0, utc(2026, 10, 25, 1, 30), 2));
        assert_eq!(next_slot(first, 2), utc(2026, 10, 26, 1, 0));
    }
}
