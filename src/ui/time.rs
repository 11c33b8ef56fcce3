//! Times are stored as UTC unix seconds and shown in Europe/Rome.

use jiff::{Timestamp, tz::TimeZone};
use std::sync::OnceLock;

pub fn rome() -> &'static TimeZone {
    static TZ: OnceLock<TimeZone> = OnceLock::new();
    TZ.get_or_init(|| jiff::tz::db().get("Europe/Rome").unwrap_or(TimeZone::UTC))
}

/// `dd/mm/yyyy HH:MM` in Rome.
pub fn datetime(unix: i64) -> String {
    Timestamp::from_second(unix)
        .map(|t| {
            t.to_zoned(rome().clone())
                .strftime("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// `dd/mm/yyyy - HH:MM:SS` in Rome ("Ordinato il").
pub fn datetime_secs(unix: i64) -> String {
    Timestamp::from_second(unix)
        .map(|t| {
            t.to_zoned(rome().clone())
                .strftime("%d/%m/%Y - %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

/// Today in Rome.
pub fn today() -> jiff::civil::Date {
    Timestamp::now().to_zoned(rome().clone()).date()
}

/// The Rome day of a unix time.
pub fn day_of(unix: i64) -> jiff::civil::Date {
    Timestamp::from_second(unix)
        .map(|t| t.to_zoned(rome().clone()).date())
        .unwrap_or_default()
}

/// `dd/mm/yyyy`.
pub fn date(d: jiff::civil::Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

/// The first second of a Rome day (unix time): date ranges become `[start(from), start(to+1))`.
/// A day past the last instant jiff represents (9999-12-31 in Rome) starts at that instant,
/// a day before the first at the first: never 1970 (once `unwrap_or_default`: the filter
/// "al 30/12/9999" then ended in 1970 and the API dated "9999-12-31" 1 January 1970).
pub fn day_start(d: jiff::civil::Date) -> i64 {
    d.to_zoned(rome().clone())
        .map(|z| z.timestamp().as_second())
        .unwrap_or(if d.year() > 0 {
            Timestamp::MAX.as_second()
        } else {
            Timestamp::MIN.as_second()
        })
}

/// `HH:MM` in Rome.
pub fn clock(unix: i64) -> String {
    Timestamp::from_second(unix)
        .map(|t| t.to_zoned(rome().clone()).strftime("%H:%M").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rome_time_with_daylight_saving() {
        // 2026-01-15 12:00 UTC = 13:00 CET; 2026-07-15 12:00 UTC = 14:00 CEST.
        assert_eq!(datetime(1768478400), "15/01/2026 13:00");
        assert_eq!(datetime(1784116800), "15/07/2026 14:00");
        assert_eq!(clock(1784116800), "14:00");
        assert_eq!(datetime_secs(1784116805), "15/07/2026 - 14:00:05");
        assert_eq!(date(day_of(1784116800)), "15/07/2026");
        // Midnight in Rome is 22:00 UTC the day before in summer.
        assert_eq!(day_start(day_of(1784116800)), 1784066400);
    }

    #[test]
    fn the_last_days_jiff_knows_stay_in_their_order() {
        // 9999-12-31 00:00 in Rome is past jiff's last instant: not 1970.
        let last = jiff::civil::date(9999, 12, 31);
        let before = jiff::civil::date(9999, 12, 30);
        assert!(day_start(last) > day_start(before));
        assert!(day_start(before) > 1784066400);
        assert!(day_start(jiff::civil::date(-9999, 1, 1)) < 0);
    }
}
