//! Times as Juju prints them, for the tools that show one (`secret-info-get`'s expiry,
//! `goal-state`'s `since`) and for the emulator's records.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// A time as Juju's `common.FormatTime(t, true)` prints it: RFC 3339 in UTC with a space for
/// the `T` (`2006-01-02 15:04:05Z`), the form of `goal-state`'s `since`.
pub fn format_iso_time(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    // Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times_read_like_go_s_format() {
        assert_eq!(format_iso_time(0), "1970-01-01 00:00:00Z");
        // Go's reference time, 2006-01-02T15:04:05Z.
        assert_eq!(format_iso_time(1_136_214_245), "2006-01-02 15:04:05Z");
        // A leap day.
        assert_eq!(format_iso_time(1_709_210_096), "2024-02-29 12:34:56Z");
    }
}
