//! Dates and times as Compact stores them: `DATE` (Java's `LocalDate`), `TIME` (`LocalTime`),
//! `TIMESTAMP` (`LocalDateTime`) and `TIMESTAMP_WITH_TIMEZONE` (`OffsetDateTime`).
//!
//! In a Compact record a date is `i32 year, i8 month, i8 day`; a time is `i8 hour, i8 minute,
//! i8 second, i32 nanosecond`; a timestamp is a date then a time; a timestamp with time zone adds
//! the offset from UTC in seconds as an `i32` (all big-endian). With human-readable serde formats
//! (JSON) the types are ISO-8601 strings: `2024-02-29`, `13:45:30.5`, `2024-02-29T13:45:30.5`,
//! `2024-02-29T13:45:30.5+02:00`.

use std::fmt;
use std::str::FromStr;

use crate::error::SerializationError;
use crate::io::Input;
use crate::kind::FieldKind;
use crate::marker::{MarkerType, Sink};

fn invalid(what: &'static str) -> SerializationError {
    SerializationError::InvalidValue { what }
}

/// The largest year Java's `LocalDate` accepts (and its negation the smallest).
pub const MAX_YEAR: i32 = 999_999_999;
/// The largest offset from UTC, in seconds (18 hours, Java's `ZoneOffset` range).
pub const MAX_OFFSET_SECONDS: i32 = 18 * 3600;

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// A date without a time zone (`DATE`, Java's `LocalDate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// A date; fails when the month or the day does not exist or the year is out of Java's range.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, SerializationError> {
        if !(-MAX_YEAR..=MAX_YEAR).contains(&year) || day == 0 || day > days_in_month(year, month) {
            return Err(invalid("date"));
        }
        Ok(Date { year, month, day })
    }

    /// The year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    pub fn day(&self) -> u8 {
        self.day
    }

    pub(crate) fn put(&self, out: &mut impl Sink) {
        out.put(&self.year.to_be_bytes());
        out.put(&[self.month, self.day]);
    }

    pub(crate) fn read(input: &mut Input<'_>) -> Result<Date, SerializationError> {
        let year = input.i32()?;
        let month = input.u8()?;
        let day = input.u8()?;
        Date::new(year, month, day)
    }
}

/// A time of day without a time zone (`TIME`, Java's `LocalTime`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Time {
    hour: u8,
    minute: u8,
    second: u8,
    nano: u32,
}

impl Time {
    /// A time; fails unless `hour < 24`, `minute < 60`, `second < 60` and `nano < 10⁹`.
    pub fn new(hour: u8, minute: u8, second: u8, nano: u32) -> Result<Time, SerializationError> {
        if hour > 23 || minute > 59 || second > 59 || nano > 999_999_999 {
            return Err(invalid("time"));
        }
        Ok(Time {
            hour,
            minute,
            second,
            nano,
        })
    }

    /// The hour, 0 to 23.
    pub fn hour(&self) -> u8 {
        self.hour
    }

    /// The minute, 0 to 59.
    pub fn minute(&self) -> u8 {
        self.minute
    }

    /// The second, 0 to 59.
    pub fn second(&self) -> u8 {
        self.second
    }

    /// The nanosecond of the second.
    pub fn nano(&self) -> u32 {
        self.nano
    }

    pub(crate) fn put(&self, out: &mut impl Sink) {
        out.put(&[self.hour, self.minute, self.second]);
        out.put(&self.nano.to_be_bytes());
    }

    pub(crate) fn read(input: &mut Input<'_>) -> Result<Time, SerializationError> {
        let hour = input.u8()?;
        let minute = input.u8()?;
        let second = input.u8()?;
        let nano = input.i32()?;
        let nano = u32::try_from(nano).map_err(|_| invalid("time"))?;
        Time::new(hour, minute, second, nano)
    }
}

/// A date and time without a time zone (`TIMESTAMP`, Java's `LocalDateTime`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    date: Date,
    time: Time,
}

impl Timestamp {
    /// A timestamp from its date and time.
    pub fn new(date: Date, time: Time) -> Timestamp {
        Timestamp { date, time }
    }

    /// The date.
    pub fn date(&self) -> Date {
        self.date
    }

    /// The time.
    pub fn time(&self) -> Time {
        self.time
    }

    pub(crate) fn put(&self, out: &mut impl Sink) {
        self.date.put(out);
        self.time.put(out);
    }

    pub(crate) fn read(input: &mut Input<'_>) -> Result<Timestamp, SerializationError> {
        Ok(Timestamp {
            date: Date::read(input)?,
            time: Time::read(input)?,
        })
    }
}

/// A date and time with an offset from UTC (`TIMESTAMP_WITH_TIMEZONE`, Java's
/// `OffsetDateTime`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimestampWithTimezone {
    timestamp: Timestamp,
    offset_seconds: i32,
}

impl TimestampWithTimezone {
    /// A local timestamp at an offset from UTC in seconds (at most ±18 hours).
    pub fn new(timestamp: Timestamp, offset_seconds: i32) -> Result<Self, SerializationError> {
        if !(-MAX_OFFSET_SECONDS..=MAX_OFFSET_SECONDS).contains(&offset_seconds) {
            return Err(invalid("time zone offset"));
        }
        Ok(TimestampWithTimezone {
            timestamp,
            offset_seconds,
        })
    }

    /// The local date and time.
    pub fn timestamp(&self) -> Timestamp {
        self.timestamp
    }

    /// The offset from UTC in seconds.
    pub fn offset_seconds(&self) -> i32 {
        self.offset_seconds
    }

    pub(crate) fn put(&self, out: &mut impl Sink) {
        self.timestamp.put(out);
        out.put(&self.offset_seconds.to_be_bytes());
    }

    pub(crate) fn read(input: &mut Input<'_>) -> Result<Self, SerializationError> {
        let timestamp = Timestamp::read(input)?;
        TimestampWithTimezone::new(timestamp, input.i32()?)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.year > 9999 {
            write!(f, "+{}", self.year)?;
        } else if self.year < 0 {
            write!(f, "-{:04}", self.year.unsigned_abs())?;
        } else {
            write!(f, "{:04}", self.year)?;
        }
        write!(f, "-{:02}-{:02}", self.month, self.day)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}:{:02}", self.hour, self.minute, self.second)?;
        if self.nano != 0 {
            let digits = format!("{:09}", self.nano);
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        Ok(())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}T{}", self.date, self.time)
    }
}

impl fmt::Display for TimestampWithTimezone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.timestamp)?;
        let o = self.offset_seconds;
        if o == 0 {
            return f.write_str("Z");
        }
        let sign = if o < 0 { '-' } else { '+' };
        let a = o.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", a / 3600, a / 60 % 60)?;
        if !a.is_multiple_of(60) {
            write!(f, ":{:02}", a % 60)?;
        }
        Ok(())
    }
}

/// Parses exactly `n` ASCII digits.
fn digits(s: &str, n: usize, what: &'static str) -> Result<u32, SerializationError> {
    if s.len() != n || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(what));
    }
    s.parse().map_err(|_| invalid(what))
}

impl FromStr for Date {
    type Err = SerializationError;

    /// `YYYY-MM-DD`, with a sign for years outside 0000–9999.
    fn from_str(s: &str) -> Result<Date, SerializationError> {
        let (neg, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let mut parts = body.rsplitn(3, '-');
        let (Some(d), Some(m), Some(y)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(invalid("date"));
        };
        if y.len() < 4 || y.len() > 9 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("date"));
        }
        let year: i32 = y.parse().map_err(|_| invalid("date"))?;
        let year = if neg { -year } else { year };
        Date::new(year, digits(m, 2, "date")? as u8, digits(d, 2, "date")? as u8)
    }
}

impl FromStr for Time {
    type Err = SerializationError;

    /// `HH:MM:SS` with an optional fraction of up to nine digits.
    fn from_str(s: &str) -> Result<Time, SerializationError> {
        let (hms, frac) = match s.split_once('.') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let mut parts = hms.split(':');
        let (Some(h), Some(m), Some(sec), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("time"));
        };
        let nano = match frac {
            None => 0,
            Some(f) if !f.is_empty() && f.len() <= 9 => {
                digits(f, f.len(), "time")? * 10u32.pow(9 - f.len() as u32)
            }
            Some(_) => return Err(invalid("time")),
        };
        Time::new(
            digits(h, 2, "time")? as u8,
            digits(m, 2, "time")? as u8,
            digits(sec, 2, "time")? as u8,
            nano,
        )
    }
}

impl FromStr for Timestamp {
    type Err = SerializationError;

    /// `<date>T<time>`.
    fn from_str(s: &str) -> Result<Timestamp, SerializationError> {
        let (d, t) = s.split_once('T').ok_or(invalid("timestamp"))?;
        Ok(Timestamp::new(d.parse()?, t.parse()?))
    }
}

impl FromStr for TimestampWithTimezone {
    type Err = SerializationError;

    /// `<timestamp>Z` or `<timestamp>±HH:MM[:SS]`.
    fn from_str(s: &str) -> Result<Self, SerializationError> {
        if let Some(ts) = s.strip_suffix('Z') {
            return TimestampWithTimezone::new(ts.parse()?, 0);
        }
        let t_at = s.find('T').ok_or(invalid("timestamp"))?;
        let sign_at = s[t_at..]
            .rfind(['+', '-'])
            .map(|i| i + t_at)
            .ok_or(invalid("time zone offset"))?;
        let (ts, off) = s.split_at(sign_at);
        let neg = off.starts_with('-');
        let mut parts = off[1..].split(':');
        let h = digits(parts.next().unwrap_or(""), 2, "time zone offset")?;
        let m = digits(parts.next().unwrap_or(""), 2, "time zone offset")?;
        let sec = match parts.next() {
            Some(p) => digits(p, 2, "time zone offset")?,
            None => 0,
        };
        if parts.next().is_some() || m > 59 || sec > 59 {
            return Err(invalid("time zone offset"));
        }
        let total = (h * 3600 + m * 60 + sec) as i32;
        TimestampWithTimezone::new(ts.parse()?, if neg { -total } else { total })
    }
}

impl MarkerType for Date {
    const MARKER: &'static str = "$hazelcast::Date";
    const KIND: FieldKind = FieldKind::Date;
    fn put(&self, out: &mut impl Sink) {
        Date::put(self, out)
    }
    fn read(input: &mut Input<'_>) -> Result<Self, SerializationError> {
        Date::read(input)
    }
    fn sample() -> Self {
        Date {
            year: 2000,
            month: 1,
            day: 1,
        }
    }
}

impl MarkerType for Time {
    const MARKER: &'static str = "$hazelcast::Time";
    const KIND: FieldKind = FieldKind::Time;
    fn put(&self, out: &mut impl Sink) {
        Time::put(self, out)
    }
    fn read(input: &mut Input<'_>) -> Result<Self, SerializationError> {
        Time::read(input)
    }
    fn sample() -> Self {
        Time {
            hour: 0,
            minute: 0,
            second: 0,
            nano: 0,
        }
    }
}

impl MarkerType for Timestamp {
    const MARKER: &'static str = "$hazelcast::Timestamp";
    const KIND: FieldKind = FieldKind::Timestamp;
    fn put(&self, out: &mut impl Sink) {
        Timestamp::put(self, out)
    }
    fn read(input: &mut Input<'_>) -> Result<Self, SerializationError> {
        Timestamp::read(input)
    }
    fn sample() -> Self {
        Timestamp::new(Date::sample(), Time::sample())
    }
}

impl MarkerType for TimestampWithTimezone {
    const MARKER: &'static str = "$hazelcast::TimestampWithTimezone";
    const KIND: FieldKind = FieldKind::TimestampWithTimezone;
    fn put(&self, out: &mut impl Sink) {
        TimestampWithTimezone::put(self, out)
    }
    fn read(input: &mut Input<'_>) -> Result<Self, SerializationError> {
        TimestampWithTimezone::read(input)
    }
    fn sample() -> Self {
        TimestampWithTimezone {
            timestamp: Timestamp::sample(),
            offset_seconds: 0,
        }
    }
}

crate::marker::serde_via_marker!(Date, Time, Timestamp, TimestampWithTimezone);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_follows_java() {
        assert!(Date::new(2024, 2, 29).is_ok());
        assert!(Date::new(2023, 2, 29).is_err());
        assert!(Date::new(1900, 2, 29).is_err());
        assert!(Date::new(2000, 2, 29).is_ok());
        assert!(Date::new(2024, 13, 1).is_err());
        assert!(Date::new(2024, 4, 31).is_err());
        assert!(Date::new(MAX_YEAR + 1, 1, 1).is_err());
        assert!(Time::new(24, 0, 0, 0).is_err());
        assert!(Time::new(23, 59, 59, 999_999_999).is_ok());
        assert!(Time::new(0, 0, 0, 1_000_000_000).is_err());
        let ts = Timestamp::new(Date::sample(), Time::sample());
        assert!(TimestampWithTimezone::new(ts, 18 * 3600).is_ok());
        assert!(TimestampWithTimezone::new(ts, -18 * 3600 - 1).is_err());
    }

    #[test]
    fn text_round_trips() {
        for s in ["2024-02-29", "-0044-03-15", "+10000-01-01", "0000-01-01"] {
            assert_eq!(s.parse::<Date>().unwrap().to_string(), s);
        }
        for s in ["00:00:00", "13:45:30.5", "23:59:59.999999999", "01:02:03.000001"] {
            assert_eq!(s.parse::<Time>().unwrap().to_string(), s);
        }
        let t = "2024-02-29T13:45:30.25+05:30";
        assert_eq!(t.parse::<TimestampWithTimezone>().unwrap().to_string(), t);
        let t = "2024-02-29T13:45:30Z";
        assert_eq!(t.parse::<TimestampWithTimezone>().unwrap().offset_seconds(), 0);
        let t = "2024-02-29T13:45:30-00:00:01";
        assert_eq!(t.parse::<TimestampWithTimezone>().unwrap().offset_seconds(), -1);
        for bad in [
            "2024-2-29",
            "2024-02-30",
            "24:00:00",
            "12:00",
            "12:00:00.",
            "2024-02-29 12:00:00",
        ] {
            assert!(
                bad.parse::<Date>().is_err() && bad.parse::<Time>().is_err(),
                "{bad}"
            );
        }
        assert!(
            "2024-02-29T12:00:00+19:00"
                .parse::<TimestampWithTimezone>()
                .is_err()
        );
    }

    #[test]
    fn binary_layout() {
        let mut out = Vec::new();
        let t = TimestampWithTimezone::new(
            Timestamp::new(Date::new(2024, 2, 29).unwrap(), Time::new(13, 45, 30, 5).unwrap()),
            -3600,
        )
        .unwrap();
        t.put(&mut out);
        assert_eq!(
            out,
            [
                0, 0, 7, 232, 2, 29, 13, 45, 30, 0, 0, 0, 5, 0xff, 0xff, 0xf1, 0xf0
            ]
        );
        assert_eq!(TimestampWithTimezone::read(&mut Input::new(&out)).unwrap(), t);
        assert!(Time::read(&mut Input::new(&[0, 0, 0, 0xff, 0xff, 0xff, 0xff])).is_err());
    }
}
