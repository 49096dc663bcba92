//! Dates and durations as users type them and as the CLI prints them.

use std::time::{SystemTime, UNIX_EPOCH};

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

use crate::error::{Error, Result};

/// The earliest time accepted as input: 1970-01-01T00:00:00Z.
pub const MIN_TIMESTAMP: i64 = 0;
/// The latest time accepted as input: 9999-12-31T23:59:59Z (the last second RFC 3339 and
/// `YYYY-MM-DD` can write).
pub const MAX_TIMESTAMP: i64 = 253_402_300_799;
/// The longest duration accepted (`--within`, `--ttl`, rotation and warning periods):
/// 36 500 days, about 100 years.
pub const MAX_DURATION_SECS: u64 = 36_500 * 86_400;

/// Seconds since the Unix epoch, now.
pub fn now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_millis() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// RFC 3339 in UTC (`2027-01-31T00:00:00Z`).
pub fn rfc3339(ts: i64) -> String {
    OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| ts.to_string())
}

/// `ts` in the machine's local time (`2027-01-31 13:00 +01:00`), when the offset can be
/// known (the `time` crate refuses to read it once a process has several threads).
pub fn local(ts: i64) -> Option<String> {
    let offset = time::UtcOffset::current_local_offset().ok()?;
    let t = OffsetDateTime::from_unix_timestamp(ts)
        .ok()?
        .to_offset(offset);
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory]:[offset_minute]"
    );
    t.format(&fmt).ok()
}

/// `ts` when it is between 1970-01-01 and 9999-12-31 (UTC), else an error naming `field`
/// and the range: `invalid --at: 9223372036854775807 is after 9999-12-31`.
pub fn check_timestamp(field: &str, ts: i64) -> Result<i64> {
    if ts < MIN_TIMESTAMP {
        Err(Error::invalid(
            field,
            format!("{ts} is before 1970-01-01 (use Unix seconds from 0 to {MAX_TIMESTAMP})"),
        ))
    } else if ts > MAX_TIMESTAMP {
        Err(Error::invalid(
            field,
            format!("{ts} is after 9999-12-31 (use Unix seconds from 0 to {MAX_TIMESTAMP})"),
        ))
    } else {
        Ok(ts)
    }
}

/// A point in time as users give it: Unix seconds (`1801396800`) or a date as
/// [`parse_date`] reads it; between 1970-01-01 and 9999-12-31.
pub fn parse_timestamp(field: &str, s: &str) -> Result<i64> {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return match t.parse::<i64>() {
            Ok(ts) => check_timestamp(field, ts),
            Err(_) if t.starts_with('-') => Err(Error::invalid(
                field,
                format!("{t} is before 1970-01-01 (use Unix seconds from 0 to {MAX_TIMESTAMP})"),
            )),
            Err(_) => Err(Error::invalid(
                field,
                format!("{t} is after 9999-12-31 (use Unix seconds from 0 to {MAX_TIMESTAMP})"),
            )),
        };
    }
    let ts = parse_date(field, s)?;
    check_timestamp(field, ts)
}

/// A date as users give it: RFC 3339 (`2027-01-31T12:00:00Z`, `...+02:00`) or a calendar
/// date `YYYY-MM-DD`, which means 00:00 UTC that day.
pub fn parse_date(field: &str, s: &str) -> Result<i64> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = Date::parse(s, &fmt) {
        return Ok(PrimitiveDateTime::new(d, Time::MIDNIGHT)
            .assume_utc()
            .unix_timestamp());
    }
    Err(Error::invalid(
        field,
        format!("{s:?} is not a date; use YYYY-MM-DD or RFC 3339 such as 2027-01-31T12:00:00Z"),
    ))
}

/// A duration such as `90d`, `15m`, `12h`, `2w`, `30s` or `1h30m`, in seconds: more than
/// zero and at most [`MAX_DURATION_SECS`].
pub fn parse_duration(field: &str, s: &str) -> Result<u64> {
    let bad = || {
        Error::invalid(
            field,
            format!("{s:?} is not a duration; use a number with a unit: 30s, 15m, 12h, 90d, 2w"),
        )
    };
    let too_long = || {
        Error::invalid(
            field,
            format!("{s:?} is longer than 36500 days (about 100 years)"),
        )
    };
    let s = s.trim();
    if s.is_empty() {
        return Err(bad());
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return Err(bad()),
        };
        if digits.is_empty() {
            return Err(bad());
        }
        // Digits only: the parse fails only when the number does not fit, too long anyway.
        let n: u64 = digits.parse().map_err(|_| too_long())?;
        digits.clear();
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(too_long)?;
    }
    if !digits.is_empty() {
        return Err(bad());
    }
    if total == 0 {
        return Err(Error::invalid(field, "must be longer than zero"));
    }
    if total > MAX_DURATION_SECS {
        return Err(too_long());
    }
    Ok(total)
}

/// Whole days in a duration given as text (`90d`, `12w`); refuses what is not whole days.
pub fn parse_days(field: &str, s: &str) -> Result<u32> {
    let secs = parse_duration(field, s)?;
    if secs % 86_400 != 0 {
        return Err(Error::invalid(
            field,
            format!("{s:?} is not a whole number of days"),
        ));
    }
    u32::try_from(secs / 86_400).map_err(|_| Error::invalid(field, "too long"))
}

/// `ts` relative to `now` in words: `in 3 h 12 min`, `2 days ago`, `in 45 s`, `just now`.
pub fn relative(ts: i64, now: i64) -> String {
    let d = ts.saturating_sub(now);
    let a = d.unsigned_abs();
    let span = if a < 5 {
        return "just now".to_owned();
    } else if a < 60 {
        format!("{a} s")
    } else if a < 3600 {
        format!("{} min", a / 60)
    } else if a < 86_400 {
        let (h, m) = (a / 3600, (a % 3600) / 60);
        if m == 0 {
            format!("{h} h")
        } else {
            format!("{h} h {m} min")
        }
    } else if a < 60 * 86_400 {
        let days = a / 86_400;
        if days == 1 {
            "1 day".to_owned()
        } else {
            format!("{days} days")
        }
    } else if a < 730 * 86_400 {
        format!("{} months", a / (30 * 86_400))
    } else {
        format!("{} years", a / (365 * 86_400))
    };
    if d > 0 {
        format!("in {span}")
    } else {
        format!("{span} ago")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("d", "1970-01-02").expect("date"), 86_400);
        assert_eq!(
            parse_date("d", "2027-01-31T12:00:00Z").expect("date"),
            1_801_396_800
        );
        assert_eq!(
            parse_date("d", "2027-01-31T14:00:00+02:00").expect("date"),
            1_801_396_800
        );
        let e = parse_date("expires", "31/01/2027").expect_err("not a date");
        assert!(e.to_string().contains("Invalid expires"), "{e}");
        assert!(parse_date("d", "2027-02-30").is_err());
        assert_eq!(rfc3339(1_801_396_800), "2027-01-31T12:00:00Z");
    }

    #[test]
    fn timestamps_are_bounded() {
        let e = parse_timestamp("--at", "9223372036854775807").expect_err("too late");
        assert_eq!(
            e.to_string(),
            "Invalid --at: 9223372036854775807 is after 9999-12-31 (use Unix seconds from 0 \
             to 253402300799)"
        );
        assert_eq!(e.kind(), "invalid_input");
        for late in ["99999999999999999999999", "253402300800"] {
            let e = parse_timestamp("--at", late).expect_err(late);
            assert!(e.to_string().contains("after 9999-12-31"), "{e}");
        }
        for early in ["-1", "-9223372036854775808", "-99999999999999999999999"] {
            let e = parse_timestamp("--at", early).expect_err(early);
            assert!(e.to_string().contains("before 1970-01-01"), "{e}");
        }
        assert_eq!(parse_timestamp("--at", "0").expect("epoch"), 0);
        assert_eq!(
            parse_timestamp("--at", "253402300799").expect("last"),
            MAX_TIMESTAMP
        );
        assert_eq!(
            parse_timestamp("--at", "9999-12-31T23:59:59Z").expect("last"),
            MAX_TIMESTAMP
        );
        assert_eq!(
            parse_timestamp("--at", "2027-01-31T12:00:00Z").expect("date"),
            1_801_396_800
        );
        assert!(parse_timestamp("--at", "1969-12-31").is_err());
        for junk in ["", "-", "+", "--5", "1e9", "12 34"] {
            assert!(parse_timestamp("--at", junk).is_err(), "{junk:?}");
        }
        assert_eq!(rfc3339(MAX_TIMESTAMP), "9999-12-31T23:59:59Z");
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

            /// Any text: a date, a time or a duration parses within its bounds or is an
            /// `invalid_input` error naming the field; never a panic.
            #[test]
            fn any_text(s in "[0-9smhdwTZ:+.-]{0,30}|\\PC{0,30}") {
                match parse_duration("f", &s) {
                    Ok(d) => prop_assert!((1..=MAX_DURATION_SECS).contains(&d)),
                    Err(e) => prop_assert!(e.to_string().starts_with("Invalid f: ")),
                }
                match parse_days("f", &s) {
                    Ok(d) => prop_assert!((1..=36_500).contains(&d)),
                    Err(e) => prop_assert!(e.to_string().starts_with("Invalid f: ")),
                }
                match parse_timestamp("f", &s) {
                    Ok(t) => prop_assert!((MIN_TIMESTAMP..=MAX_TIMESTAMP).contains(&t)),
                    Err(e) => prop_assert!(e.to_string().starts_with("Invalid f: ")),
                }
                if let Ok(t) = parse_date("f", &s) {
                    // Every date read can be written back.
                    prop_assert!(!rfc3339(t).is_empty());
                }
            }

            /// Any number: bounded timestamps and durations, relative times without
            /// overflow.
            #[test]
            fn any_number(n in any::<i64>(), m in any::<i64>(), u in any::<u64>()) {
                let ok = (MIN_TIMESTAMP..=MAX_TIMESTAMP).contains(&n);
                prop_assert_eq!(check_timestamp("f", n).is_ok(), ok);
                prop_assert_eq!(parse_timestamp("f", &n.to_string()).is_ok(), ok);
                let _ = relative(n, m);
                let _ = rfc3339(n);
                for unit in ["s", "m", "h", "d", "w"] {
                    let d = parse_duration("f", &format!("{u}{unit}"));
                    prop_assert!(d.map_or(true, |d| d <= MAX_DURATION_SECS));
                }
            }
        }
    }

    #[test]
    fn relative_times() {
        let now = 1_000_000;
        assert_eq!(relative(now + 3 * 3600 + 12 * 60, now), "in 3 h 12 min");
        assert_eq!(relative(now - 2 * 86_400, now), "2 days ago");
        assert_eq!(relative(now + 45, now), "in 45 s");
        assert_eq!(relative(now + 2, now), "just now");
        assert_eq!(relative(now - 7200, now), "2 h ago");
        assert_eq!(relative(now + 86_400 + 5, now), "in 1 day");
        assert_eq!(relative(now + 90 * 86_400, now), "in 3 months");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("t", "15m").expect("d"), 900);
        assert_eq!(parse_duration("t", "1h30m").expect("d"), 5400);
        assert_eq!(parse_duration("t", "2w").expect("d"), 14 * 86_400);
        for bad in ["", "15", "m", "15x", "0s", "-5m", "99999999999999999999d"] {
            assert!(parse_duration("t", bad).is_err(), "{bad:?} accepted");
        }
        let e = parse_duration("--within", "99999999999999999999d").expect_err("too long");
        assert_eq!(
            e.to_string(),
            "Invalid --within: \"99999999999999999999d\" is longer than 36500 days (about 100 years)"
        );
        assert!(parse_duration("t", "36500d").is_ok());
        assert!(parse_duration("t", "36500d1s").is_err());
        assert_eq!(
            parse_duration("t", "5214w2d").expect("d"),
            MAX_DURATION_SECS
        );
        assert!(
            parse_duration("t", "5214w3d").is_err(),
            "36 501 days is over"
        );
        assert_eq!(parse_days("r", "90d").expect("d"), 90);
        assert_eq!(parse_days("r", "2w").expect("d"), 14);
        assert!(parse_days("r", "36h").is_err());
    }
}
