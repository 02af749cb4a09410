//! Sprig's date functions with Go's `time` semantics: reference-time layouts
//! (`"2006-01-02"`), `time.ParseDuration`, `Duration.String`.
//!
//! Rendering must be reproducible, so the clock is fixed: `now` is the Unix epoch,
//! 1970-01-01T00:00:00Z, and the local zone is UTC. The epoch is obviously synthetic (no one
//! mistakes a rendered `1970` for a real timestamp), and it makes `now | unixEpoch` print "0".
//! There is no zone database either: `dateInZone` knows UTC only and treats other names as Go
//! treats unknown ones (UTC).

use std::fmt::Write as _;
use std::rc::Rc;

use super::super::value::{Object, Value};
use super::convert::{want_str, wrong_type};
use super::{Func, arity};

pub(super) const FUNCS: &[(&str, Func)] = &[
    ("now", now),
    ("date", date),
    ("dateInZone", date_in_zone),
    ("date_in_zone", date_in_zone),
    ("htmlDate", html_date),
    ("htmlDateInZone", html_date_in_zone),
    ("dateModify", date_modify),
    ("date_modify", date_modify),
    ("mustDateModify", must_date_modify),
    ("must_date_modify", must_date_modify),
    ("ago", ago),
    ("duration", duration),
    ("durationRound", duration_round),
    ("toDate", to_date),
    ("mustToDate", must_to_date),
    ("unixEpoch", unix_epoch),
];

const NANOS_PER_SEC: i64 = 1_000_000_000;

/// A `time.Time`: an instant plus the zone it is shown in.
#[derive(Debug, Clone, PartialEq)]
struct Time {
    /// Seconds since the Unix epoch.
    secs: i64,
    nanos: u32,
    /// Seconds east of UTC.
    offset: i32,
    /// The zone's abbreviation; empty for a zone known only by its offset.
    zone: String,
}

impl Time {
    fn utc(secs: i64, nanos: u32) -> Time {
        Time {
            secs,
            nanos,
            offset: 0,
            zone: "UTC".into(),
        }
    }

    /// The fixed "current" time.
    fn now() -> Time {
        Time::utc(0, 0)
    }

    fn unix_nanos(&self) -> i128 {
        i128::from(self.secs) * i128::from(NANOS_PER_SEC) + i128::from(self.nanos)
    }

    fn from_unix_nanos(n: i128, like: &Time) -> Time {
        let secs = n.div_euclid(i128::from(NANOS_PER_SEC));
        Time {
            secs: i64::try_from(secs).unwrap_or(if secs < 0 { i64::MIN } else { i64::MAX }),
            nanos: n.rem_euclid(i128::from(NANOS_PER_SEC)) as u32,
            ..like.clone()
        }
    }

    fn fields(&self) -> Fields {
        let local = self.secs.saturating_add(i64::from(self.offset));
        let days = local.div_euclid(86_400);
        let secs_of_day = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Fields {
            year,
            month,
            day,
            hour: secs_of_day / 3600,
            minute: secs_of_day % 3600 / 60,
            second: secs_of_day % 60,
            nanos: self.nanos,
            weekday: (days + 4).rem_euclid(7) as usize,
            yday: days - days_from_civil(year, 1, 1) + 1,
        }
    }

    /// `Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`.
    fn string(&self) -> String {
        format(self, "2006-01-02 15:04:05.999999999 -0700 MST")
    }

    /// The inverse of `string`, for times that come back as arguments.
    fn from_string(s: &str) -> Option<Time> {
        let (date, rest) = s.split_once(' ')?;
        let (clock, rest) = rest.split_once(' ')?;
        let (offset, zone) = rest.split_once(' ')?;
        let mut d = date.rsplitn(3, '-');
        let (day, month) = (d.next()?.parse().ok()?, d.next()?.parse().ok()?);
        let year: i64 = d.next()?.parse().ok()?;
        let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
        let mut c = hms.split(':').map(str::parse::<i64>);
        let (h, m, sec) = (c.next()?.ok()?, c.next()?.ok()?, c.next()?.ok()?);
        let nanos = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<9}").get(..9)?.parse().ok()?
        };
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let digits: i32 = offset.get(1..)?.parse().ok()?;
        let offset = sign * (digits / 100 * 3600 + digits % 100 * 60);
        let local = days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + sec;
        let zone = if zone.starts_with(['+', '-']) {
            String::new()
        } else {
            zone.to_owned()
        };
        Some(Time {
            secs: local - i64::from(offset),
            nanos,
            offset,
            zone,
        })
    }
}

struct Fields {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    nanos: u32,
    /// 0 is Sunday.
    weekday: usize,
    yday: i64,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    days_from_civil(if month == 12 { year + 1 } else { year }, month % 12 + 1, 1) - days_from_civil(year, month, 1)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

impl Object for Time {
    fn type_name(&self) -> &'static str {
        "time.Time"
    }

    fn field(&self, name: &str) -> Option<Value> {
        self.method(name, &[]).and_then(Result::ok)
    }

    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let f = self.fields();
        let v = match (name, args) {
            ("Year", []) => Value::Int(f.year),
            ("Month", []) => Value::str(MONTHS[(f.month - 1) as usize]),
            ("Day", []) => Value::Int(f.day),
            ("Hour", []) => Value::Int(f.hour),
            ("Minute", []) => Value::Int(f.minute),
            ("Second", []) => Value::Int(f.second),
            ("Nanosecond", []) => Value::Int(i64::from(f.nanos)),
            ("YearDay", []) => Value::Int(f.yday),
            ("Weekday", []) => Value::str(DAYS[f.weekday]),
            ("Unix", []) => Value::Int(self.secs),
            ("UnixMilli", []) => Value::Int((self.unix_nanos() / 1_000_000) as i64),
            ("UnixNano", []) => Value::Int(self.unix_nanos() as i64),
            ("IsZero", []) => Value::Bool(self.secs == ZERO_TIME_SECS && self.nanos == 0),
            ("UTC" | "Local", []) => time_value(Time::utc(self.secs, self.nanos)),
            ("String", []) => Value::str(self.string()),
            ("Format", [layout]) => return Some(want_str(layout).map(|l| Value::str(format(self, l)))),
            ("Add", [Value::Int(d)]) => time_value(Time::from_unix_nanos(self.unix_nanos() + i128::from(*d), self)),
            ("Before" | "After" | "Equal", [other]) => {
                let other = match want_time(other) {
                    Ok(t) => t,
                    Err(e) => return Some(Err(e)),
                };
                let ord = self.unix_nanos().cmp(&other.unix_nanos());
                Value::Bool(match name {
                    "Before" => ord.is_lt(),
                    "After" => ord.is_gt(),
                    _ => ord.is_eq(),
                })
            }
            _ => return None,
        };
        Some(Ok(v))
    }

    fn display(&self) -> String {
        self.string()
    }
}

/// Unix seconds of Go's zero time, 0001-01-01T00:00:00Z.
const ZERO_TIME_SECS: i64 = -62_135_596_800;

fn time_value(t: Time) -> Value {
    Value::Object(Rc::new(t))
}

/// A `time.Time` parameter.
fn want_time(v: &Value) -> Result<Time, String> {
    match v {
        Value::Object(o) if o.type_name() == "time.Time" => {
            Time::from_string(&o.display()).ok_or_else(|| format!("unreadable time {}", o.display()))
        }
        other => Err(wrong_type("time.Time", other)),
    }
}

/// Sprig's loose date argument: a time, or Unix seconds; anything else means now.
fn loose_time(v: &Value) -> Time {
    match v {
        Value::Int(secs) => Time::utc(*secs, 0),
        other => want_time(other).unwrap_or_else(|_| Time::now()),
    }
}

fn now(args: &[Value]) -> super::Result {
    arity(args, 0)?;
    Ok(time_value(Time::now()))
}

fn date(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    in_zone(&args[0], &args[1], "Local")
}

fn date_in_zone(args: &[Value]) -> super::Result {
    arity(args, 3)?;
    in_zone(&args[0], &args[1], want_str(&args[2])?)
}

fn html_date(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    in_zone(&Value::str("2006-01-02"), &args[0], "Local")
}

fn html_date_in_zone(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    in_zone(&Value::str("2006-01-02"), &args[0], want_str(&args[1])?)
}

/// Every zone is UTC here (see the module doc); unknown names are UTC in Go too.
fn in_zone(layout: &Value, date: &Value, _zone: &str) -> super::Result {
    let layout = want_str(layout)?;
    let t = loose_time(date);
    Ok(Value::str(format(&Time::utc(t.secs, t.nanos), layout)))
}

fn date_modify(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    let t = want_time(&args[1])?;
    match parse_duration(want_str(&args[0])?) {
        Ok(d) => Ok(time_value(Time::from_unix_nanos(t.unix_nanos() + i128::from(d), &t))),
        Err(_) => Ok(time_value(t)),
    }
}

fn must_date_modify(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    let t = want_time(&args[1])?;
    let d = parse_duration(want_str(&args[0])?)?;
    Ok(time_value(Time::from_unix_nanos(t.unix_nanos() + i128::from(d), &t)))
}

/// Time since DATE, rounded to the second.
fn ago(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    let since = since(&loose_time(&args[0]));
    Ok(Value::str(duration_string(round_to_second(since))))
}

/// `time.Since` against the fixed clock, saturating as `Time.Sub` does.
fn since(t: &Time) -> i64 {
    let d = Time::now().unix_nanos() - t.unix_nanos();
    d.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// `Duration.Round(time.Second)`: halves away from zero.
fn round_to_second(d: i64) -> i64 {
    let r = d % NANOS_PER_SEC;
    let base = d - r;
    if r.abs() * 2 < NANOS_PER_SEC {
        base
    } else if d < 0 {
        base.saturating_sub(NANOS_PER_SEC)
    } else {
        base.saturating_add(NANOS_PER_SEC)
    }
}

/// `duration SECONDS`: a string of digits or an int64; anything else is 0.
fn duration(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    let secs = match &args[0] {
        Value::Str(s) => s.parse::<i64>().unwrap_or(0),
        Value::Int(i) => *i,
        _ => 0,
    };
    Ok(Value::str(duration_string(secs.wrapping_mul(NANOS_PER_SEC))))
}

/// `durationRound D`: the largest whole unit in D, from years (365 days) down to seconds.
fn duration_round(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    let d: i64 = match &args[0] {
        Value::Str(s) => parse_duration(s).unwrap_or(0),
        Value::Int(i) => *i,
        other => want_time(other).map(|t| since(&t)).unwrap_or(0),
    };
    let u = d.unsigned_abs();
    let hour = 3_600 * NANOS_PER_SEC as u64;
    let units = [
        (hour * 24 * 365, "y"),
        (hour * 24 * 30, "mo"),
        (hour * 24, "d"),
        (hour, "h"),
        (60 * NANOS_PER_SEC as u64, "m"),
        (NANOS_PER_SEC as u64, "s"),
    ];
    for (size, suffix) in units {
        if u > size {
            return Ok(Value::str(format!("{}{suffix}", u / size)));
        }
    }
    Ok(Value::str("0s"))
}

fn to_date(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    let parsed = parse(want_str(&args[0])?, want_str(&args[1])?);
    Ok(time_value(parsed.unwrap_or_else(|_| Time::utc(ZERO_TIME_SECS, 0))))
}

fn must_to_date(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    Ok(time_value(parse(want_str(&args[0])?, want_str(&args[1])?)?))
}

fn unix_epoch(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    Ok(Value::str(want_time(&args[0])?.secs.to_string()))
}

// ---- durations ----

/// `Duration.String()`: `1h2m3.5s`, `1.5ms`, `0s`.
fn duration_string(d: i64) -> String {
    let mut u = d.unsigned_abs();
    let mut out = String::new();
    if u < NANOS_PER_SEC as u64 {
        let (prec, unit) = match u {
            0 => return "0s".into(),
            1..=999 => (0, "ns"),
            1_000..=999_999 => (3, "µs"),
            _ => (6, "ms"),
        };
        out.push_str(&fraction(&mut u, prec));
        out = format!("{u}{out}{unit}");
    } else {
        let frac = fraction(&mut u, 9);
        let secs = u % 60;
        let minutes = u / 60 % 60;
        let hours = u / 3600;
        if hours > 0 {
            let _ = write!(out, "{hours}h{minutes}m");
        } else if u / 60 > 0 {
            let _ = write!(out, "{minutes}m");
        }
        let _ = write!(out, "{secs}{frac}s");
    }
    if d < 0 {
        out.insert(0, '-');
    }
    out
}

/// The last `prec` decimal digits of `u` as `.ddd` without trailing zeros (nothing if zero);
/// leaves the integer part in `u`.
fn fraction(u: &mut u64, prec: u32) -> String {
    let scale = 10u64.pow(prec);
    let frac = *u % scale;
    *u /= scale;
    if frac == 0 {
        return String::new();
    }
    let digits = format!("{frac:0width$}", width = prec as usize);
    format!(".{}", digits.trim_end_matches('0'))
}

/// `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or "0".
fn parse_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", quote(orig));
    let (neg, mut s) = match orig.as_bytes().first() {
        Some(b'-') => (true, &orig[1..]),
        Some(b'+') => (false, &orig[1..]),
        _ => (false, orig),
    };
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !s.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let whole: u64 = if int_len == 0 {
            0
        } else {
            s[..int_len].parse().map_err(|_| invalid())?
        };
        s = &s[int_len..];
        let (mut frac, mut scale, mut has_frac) = (0u64, 1f64, false);
        if let Some(rest) = s.strip_prefix('.') {
            let n = rest.bytes().take_while(u8::is_ascii_digit).count();
            for b in rest[..n].bytes() {
                // Digits past what fits in 63 bits are dropped, as Go does.
                if let Some(f) = frac.checked_mul(10).and_then(|f| f.checked_add(u64::from(b - b'0')))
                    && f < 1 << 63
                {
                    frac = f;
                    scale *= 10.0;
                }
            }
            has_frac = n > 0;
            s = &rest[n..];
        }
        if int_len == 0 && !has_frac {
            return Err(invalid());
        }
        let unit_len = s.find(|c: char| c == '.' || c.is_ascii_digit()).unwrap_or(s.len());
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {}", quote(orig)));
        }
        let unit_name = &s[..unit_len];
        s = &s[unit_len..];
        let unit: u64 = match unit_name {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    quote(unit_name),
                    quote(orig)
                ));
            }
        };
        let mut v = whole.checked_mul(unit).filter(|v| *v <= 1 << 63).ok_or_else(invalid)?;
        if frac > 0 {
            v = v.saturating_add((frac as f64 * (unit as f64 / scale)) as u64);
        }
        total = total.checked_add(v).filter(|t| *t <= 1 << 63).ok_or_else(invalid)?;
    }
    if neg {
        return Ok((total as i64).wrapping_neg());
    }
    i64::try_from(total).map_err(|_| invalid())
}

/// Go's `quote` in package time: double quotes, with `"` and `\` escaped.
fn quote(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

// ---- layouts ----

#[derive(Debug, Clone, Copy, PartialEq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    Pm,
    PmLower,
    Tz,
    /// Numeric zone: `Z` prints "Z" for UTC (ISO 8601); then `-07`, `-0700`, `-07:00`, `-070000`, `-07:00:00`.
    NumTz {
        iso: bool,
        colon: bool,
        minutes: bool,
        seconds: bool,
    },
    /// Fractional seconds, `.000` (fixed) or `.999` (trailing zeros dropped), with `.` or `,`.
    Frac {
        digits: usize,
        fixed: bool,
        sep: char,
    },
}

/// Go's `nextStdChunk`: the literal text before the next layout element, the element and
/// the rest of the layout.
fn next_chunk(layout: &str) -> (&str, Option<(Std, usize)>, &str) {
    let b = layout.as_bytes();
    let at = |i: usize, s: &str| layout[i..].starts_with(s);
    for i in 0..b.len() {
        let found = match b[i] {
            b'J' if at(i, "January") => Some((Std::LongMonth, 7)),
            b'J' if at(i, "Jan") && !starts_lower(&layout[i + 3..]) => Some((Std::Month, 3)),
            b'M' if at(i, "Monday") => Some((Std::LongWeekDay, 6)),
            b'M' if at(i, "Mon") && !starts_lower(&layout[i + 3..]) => Some((Std::WeekDay, 3)),
            b'M' if at(i, "MST") => Some((Std::Tz, 3)),
            b'0' => match b.get(i + 1) {
                Some(b'1') => Some((Std::ZeroMonth, 2)),
                Some(b'2') => Some((Std::ZeroDay, 2)),
                Some(b'3') => Some((Std::ZeroHour12, 2)),
                Some(b'4') => Some((Std::ZeroMinute, 2)),
                Some(b'5') => Some((Std::ZeroSecond, 2)),
                Some(b'6') => Some((Std::Year, 2)),
                Some(b'0') if b.get(i + 2) == Some(&b'2') => Some((Std::ZeroYearDay, 3)),
                _ => None,
            },
            b'1' if b.get(i + 1) == Some(&b'5') => Some((Std::Hour, 2)),
            b'1' => Some((Std::NumMonth, 1)),
            b'2' if at(i, "2006") => Some((Std::LongYear, 4)),
            b'2' => Some((Std::Day, 1)),
            // `_2006` is a literal `_` and a year.
            b'_' if at(i, "_2006") => return (&layout[..i + 1], Some((Std::LongYear, 4)), &layout[i + 5..]),
            b'_' if at(i, "_2") => Some((Std::UnderDay, 2)),
            b'_' if at(i, "__2") => Some((Std::UnderYearDay, 3)),
            b'3' => Some((Std::Hour12, 1)),
            b'4' => Some((Std::Minute, 1)),
            b'5' => Some((Std::Second, 1)),
            b'P' if b.get(i + 1) == Some(&b'M') => Some((Std::Pm, 2)),
            b'p' if b.get(i + 1) == Some(&b'm') => Some((Std::PmLower, 2)),
            b'-' | b'Z' => numeric_zone(&layout[i..]),
            b'.' | b',' => fraction_chunk(b, i),
            _ => None,
        };
        if let Some((std, len)) = found {
            return (&layout[..i], Some((std, len)), &layout[i + len..]);
        }
    }
    (layout, None, "")
}

fn starts_lower(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
}

fn numeric_zone(s: &str) -> Option<(Std, usize)> {
    let iso = s.starts_with('Z');
    let body = &s[1..];
    // Longest first, as Go checks them.
    let forms = [
        ("070000", false, true, true),
        ("07:00:00", true, true, true),
        ("0700", false, true, false),
        ("07:00", true, true, false),
        ("07", false, false, false),
    ];
    forms
        .iter()
        .find(|(f, ..)| body.starts_with(f))
        .map(|(f, colon, minutes, seconds)| {
            let std = Std::NumTz {
                iso,
                colon: *colon,
                minutes: *minutes,
                seconds: *seconds,
            };
            (std, f.len() + 1)
        })
}

/// `.000`/`.999` (or with `,`), only when no digit follows the run.
fn fraction_chunk(b: &[u8], i: usize) -> Option<(Std, usize)> {
    let ch = *b.get(i + 1)?;
    if ch != b'0' && ch != b'9' {
        return None;
    }
    let mut j = i + 1;
    while j < b.len() && b[j] == ch {
        j += 1;
    }
    if b.get(j).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let std = Std::Frac {
        digits: j - i - 1,
        fixed: ch == b'0',
        sep: char::from(b[i]),
    };
    Some((std, j - i))
}

/// `Time.Format`.
fn format(t: &Time, layout: &str) -> String {
    let f = t.fields();
    let mut out = String::new();
    let mut rest = layout;
    loop {
        let (prefix, std, suffix) = next_chunk(rest);
        out.push_str(prefix);
        let Some((std, _)) = std else {
            return out;
        };
        rest = suffix;
        format_one(t, &f, std, &mut out);
    }
}

fn format_one(t: &Time, f: &Fields, std: Std, out: &mut String) {
    let hour12 = if f.hour % 12 == 0 { 12 } else { f.hour % 12 };
    let _ = match std {
        Std::LongMonth => write!(out, "{}", MONTHS[(f.month - 1) as usize]),
        Std::Month => write!(out, "{}", &MONTHS[(f.month - 1) as usize][..3]),
        Std::NumMonth => write!(out, "{}", f.month),
        Std::ZeroMonth => write!(out, "{:02}", f.month),
        Std::LongWeekDay => write!(out, "{}", DAYS[f.weekday]),
        Std::WeekDay => write!(out, "{}", &DAYS[f.weekday][..3]),
        Std::Day => write!(out, "{}", f.day),
        Std::UnderDay => write!(out, "{:>2}", f.day),
        Std::ZeroDay => write!(out, "{:02}", f.day),
        Std::UnderYearDay => write!(out, "{:>3}", f.yday),
        Std::ZeroYearDay => write!(out, "{:03}", f.yday),
        Std::Hour => write!(out, "{:02}", f.hour),
        Std::Hour12 => write!(out, "{hour12}"),
        Std::ZeroHour12 => write!(out, "{hour12:02}"),
        Std::Minute => write!(out, "{}", f.minute),
        Std::ZeroMinute => write!(out, "{:02}", f.minute),
        Std::Second => write!(out, "{}", f.second),
        Std::ZeroSecond => write!(out, "{:02}", f.second),
        Std::LongYear => write!(out, "{}", padded(f.year, 4)),
        Std::Year => write!(out, "{}", padded(f.year % 100, 2)),
        Std::Pm => write!(out, "{}", if f.hour >= 12 { "PM" } else { "AM" }),
        Std::PmLower => write!(out, "{}", if f.hour >= 12 { "pm" } else { "am" }),
        Std::Tz if !t.zone.is_empty() => write!(out, "{}", t.zone),
        Std::Tz => write!(out, "{}", zone_offset(t.offset, false, true, false)),
        Std::NumTz { iso: true, .. } if t.offset == 0 => write!(out, "Z"),
        Std::NumTz {
            colon,
            minutes,
            seconds,
            ..
        } => write!(out, "{}", zone_offset(t.offset, colon, minutes, seconds)),
        Std::Frac { digits, fixed, sep } => write!(out, "{}", format_fraction(f.nanos, digits, fixed, sep)),
    };
}

/// Go's `appendInt(b, x, width)`: the sign, then the digits zero-padded to `width`.
fn padded(x: i64, width: usize) -> String {
    let digits = format!("{:0width$}", x.unsigned_abs());
    if x < 0 { format!("-{digits}") } else { digits }
}

fn zone_offset(offset: i32, colon: bool, minutes: bool, seconds: bool) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let abs = offset.unsigned_abs();
    let sep = if colon { ":" } else { "" };
    let mut out = format!("{sign}{:02}", abs / 3600);
    if minutes {
        let _ = write!(out, "{sep}{:02}", abs / 60 % 60);
    }
    if seconds {
        let _ = write!(out, "{sep}{:02}", abs % 60);
    }
    out
}

fn format_fraction(nanos: u32, digits: usize, fixed: bool, sep: char) -> String {
    let all = format!("{nanos:09}");
    let mut shown = all[..digits.min(9)].to_owned();
    if !fixed {
        shown.truncate(shown.trim_end_matches('0').len());
        if shown.is_empty() {
            return String::new();
        }
    }
    format!("{sep}{shown}")
}

// ---- parsing ----

/// What `time.Parse` has read so far.
struct Parsed {
    year: i64,
    month: i64,
    day: i64,
    yday: i64,
    hour: i64,
    minute: i64,
    second: i64,
    nanos: u32,
    pm: Option<bool>,
    utc: bool,
    offset: Option<i32>,
    zone_name: String,
}

/// `time.ParseInLocation(layout, value, Local)` with Local = UTC.
fn parse(layout: &str, value: &str) -> Result<Time, String> {
    let err = |elem: &str, rest: &str| {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            quote(value),
            quote(layout),
            quote(rest),
            quote(elem)
        )
    };
    let range = |what: &str| format!("parsing time {}: {what} out of range", quote(value));
    let mut p = Parsed {
        year: 0,
        month: -1,
        day: -1,
        yday: -1,
        hour: 0,
        minute: 0,
        second: 0,
        nanos: 0,
        pm: None,
        utc: false,
        offset: None,
        zone_name: String::new(),
    };
    let mut rest_layout = layout;
    let mut v = value;
    loop {
        let (prefix, std, suffix) = next_chunk(rest_layout);
        v = skip_literal(v, prefix).ok_or_else(|| err(prefix, v))?;
        let Some((std, len)) = std else {
            if !v.is_empty() {
                return Err(format!("parsing time {}: extra text: {}", quote(value), quote(v)));
            }
            break;
        };
        let elem = &rest_layout[prefix.len()..prefix.len() + len];
        rest_layout = suffix;
        let hold = v;
        match parse_one(&mut p, std, v, rest_layout) {
            Ok((rest, None)) => v = rest,
            Ok((_, Some(what))) => return Err(range(what)),
            Err(()) => return Err(err(elem, hold)),
        }
    }
    finish(p, value)
}

/// The layout's literal text must appear in the value; a space matches any run of spaces.
fn skip_literal<'a>(mut v: &'a str, mut prefix: &str) -> Option<&'a str> {
    while let Some(c) = prefix.chars().next() {
        if c == ' ' {
            if !v.is_empty() && !v.starts_with(' ') {
                return None;
            }
            prefix = prefix.trim_start_matches(' ');
            v = v.trim_start_matches(' ');
            continue;
        }
        v = v.strip_prefix(c)?;
        prefix = &prefix[c.len_utf8()..];
    }
    Some(v)
}

type Step<'a> = Result<(&'a str, Option<&'static str>), ()>;

/// Reads one layout element from `v`; `Some(what)` reports a value out of range.
fn parse_one<'a>(p: &mut Parsed, std: Std, v: &'a str, layout_rest: &str) -> Step<'a> {
    let out_of = |bad: bool, what: &'static str| if bad { Some(what) } else { None };
    match std {
        Std::Year => {
            let (n, rest) = digits_exact(v, 2)?;
            p.year = if n >= 69 { 1900 + n } else { 2000 + n };
            Ok((rest, None))
        }
        Std::LongYear => {
            let (n, rest) = digits_exact(v, 4)?;
            p.year = n;
            Ok((rest, None))
        }
        Std::Month | Std::LongMonth => {
            let (i, rest) = lookup_name(v, &MONTHS, std == Std::Month)?;
            p.month = i as i64 + 1;
            Ok((rest, None))
        }
        Std::WeekDay | Std::LongWeekDay => Ok((lookup_name(v, &DAYS, std == Std::WeekDay)?.1, None)),
        Std::NumMonth | Std::ZeroMonth => {
            let (n, rest) = getnum(v, std == Std::ZeroMonth)?;
            p.month = n;
            Ok((rest, out_of(!(1..=12).contains(&n), "month")))
        }
        Std::Day | Std::UnderDay | Std::ZeroDay => {
            let v = if std == Std::UnderDay {
                v.strip_prefix(' ').unwrap_or(v)
            } else {
                v
            };
            let (n, rest) = getnum(v, std == Std::ZeroDay)?;
            p.day = n;
            Ok((rest, None))
        }
        Std::UnderYearDay | Std::ZeroYearDay => {
            let v = if std == Std::UnderYearDay {
                v.trim_start_matches(' ')
            } else {
                v
            };
            let (n, rest) = getnum3(v, std == Std::ZeroYearDay)?;
            p.yday = n;
            Ok((rest, out_of(!(1..=366).contains(&n), "day-of-year")))
        }
        Std::Hour => {
            let (n, rest) = getnum(v, false)?;
            p.hour = n;
            Ok((rest, out_of(n >= 24, "hour")))
        }
        Std::Hour12 | Std::ZeroHour12 => {
            let (n, rest) = getnum(v, std == Std::ZeroHour12)?;
            p.hour = n;
            Ok((rest, out_of(n > 12, "hour")))
        }
        Std::Minute | Std::ZeroMinute => {
            let (n, rest) = getnum(v, std == Std::ZeroMinute)?;
            p.minute = n;
            Ok((rest, out_of(n >= 60, "minute")))
        }
        Std::Second | Std::ZeroSecond => {
            let (n, mut rest) = getnum(v, std == Std::ZeroSecond)?;
            p.second = n;
            if n >= 60 {
                return Ok((rest, Some("second")));
            }
            // A fraction in the value that the layout does not spell out is still read.
            let b = rest.as_bytes();
            let layout_has_frac = matches!(next_chunk(layout_rest).1, Some((Std::Frac { .. }, _)));
            if b.len() >= 2 && matches!(b[0], b'.' | b',') && b[1].is_ascii_digit() && !layout_has_frac {
                let n = 1 + rest[1..].bytes().take_while(u8::is_ascii_digit).count();
                p.nanos = nanoseconds(&rest[1..n]);
                rest = &rest[n..];
            }
            Ok((rest, None))
        }
        Std::Pm | Std::PmLower => {
            let word = v.get(..2).ok_or(())?;
            let (pm, am) = if std == Std::Pm { ("PM", "AM") } else { ("pm", "am") };
            p.pm = Some(match word {
                w if w == pm => true,
                w if w == am => false,
                _ => return Err(()),
            });
            Ok((&v[2..], None))
        }
        Std::NumTz {
            iso,
            colon,
            minutes,
            seconds,
        } => {
            if iso && let Some(rest) = v.strip_prefix('Z') {
                p.utc = true;
                return Ok((rest, None));
            }
            parse_offset(p, v, colon, minutes, seconds)
        }
        Std::Tz => {
            if let Some(rest) = v.strip_prefix("UTC") {
                p.utc = true;
                return Ok((rest, None));
            }
            let n = zone_name_len(v).ok_or(())?;
            p.zone_name = v[..n].to_owned();
            Ok((&v[n..], None))
        }
        Std::Frac {
            digits, fixed: true, ..
        } => {
            let n = 1 + digits;
            let b = v.as_bytes();
            if b.len() < n || !matches!(b[0], b'.' | b',') || !b[1..n].iter().all(u8::is_ascii_digit) {
                return Err(());
            }
            p.nanos = nanoseconds(&v[1..n]);
            Ok((&v[n..], None))
        }
        Std::Frac { fixed: false, .. } => {
            let b = v.as_bytes();
            if b.len() < 2 || !matches!(b[0], b'.' | b',') || !b[1].is_ascii_digit() {
                return Ok((v, None));
            }
            let n = 1 + v[1..].bytes().take_while(u8::is_ascii_digit).count();
            p.nanos = nanoseconds(&v[1..n]);
            Ok((&v[n..], None))
        }
    }
}

/// Exactly `n` leading digits.
fn digits_exact(v: &str, n: usize) -> Result<(i64, &str), ()> {
    let head = v.get(..n).ok_or(())?;
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    Ok((head.parse().map_err(|_| ())?, &v[n..]))
}

/// Go's `getnum`: one or two digits (two required when `fixed`).
fn getnum(v: &str, fixed: bool) -> Result<(i64, &str), ()> {
    let b = v.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_digit) {
        return Err(());
    }
    if !b.get(1).is_some_and(u8::is_ascii_digit) {
        if fixed {
            return Err(());
        }
        return Ok((i64::from(b[0] - b'0'), &v[1..]));
    }
    Ok((i64::from(b[0] - b'0') * 10 + i64::from(b[1] - b'0'), &v[2..]))
}

fn getnum3(v: &str, fixed: bool) -> Result<(i64, &str), ()> {
    let n = v.bytes().take(3).take_while(u8::is_ascii_digit).count();
    if n == 0 || (fixed && n != 3) {
        return Err(());
    }
    Ok((v[..n].parse().map_err(|_| ())?, &v[n..]))
}

/// Month or weekday names, case-insensitively (`short`: the three-letter forms).
fn lookup_name<'a>(v: &'a str, names: &[&str], short: bool) -> Result<(usize, &'a str), ()> {
    for (i, name) in names.iter().enumerate() {
        let name = if short { &name[..3] } else { name };
        if v.len() >= name.len() && v.is_char_boundary(name.len()) && v[..name.len()].eq_ignore_ascii_case(name) {
            return Ok((i, &v[name.len()..]));
        }
    }
    Err(())
}

/// A fraction's digits as nanoseconds (digits past the ninth are dropped).
fn nanoseconds(digits: &str) -> u32 {
    let nine: String = digits.chars().take(9).collect();
    format!("{nine:0<9}").parse().unwrap_or(0)
}

fn parse_offset<'a>(p: &mut Parsed, v: &'a str, colon: bool, minutes: bool, seconds: bool) -> Step<'a> {
    let b = v.as_bytes();
    let field = |at: usize| -> Result<i64, ()> {
        let d = b.get(at..at + 2).ok_or(())?;
        if d.iter().all(u8::is_ascii_digit) {
            Ok(i64::from(d[0] - b'0') * 10 + i64::from(d[1] - b'0'))
        } else {
            Err(())
        }
    };
    let sep = usize::from(colon);
    if colon && (b.get(3) != Some(&b':') || (seconds && b.get(6) != Some(&b':'))) {
        return Err(());
    }
    let hour = field(1)?;
    let minute = if minutes { field(3 + sep)? } else { 0 };
    let second = if seconds { field(5 + 2 * sep)? } else { 0 };
    let len = 3 + if minutes { 2 + sep } else { 0 } + if seconds { 2 + sep } else { 0 };
    let sign = match b.first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Err(()),
    };
    let what = if hour > 24 {
        Some("time zone offset hour")
    } else if minute > 60 {
        Some("time zone offset minute")
    } else if second > 60 {
        Some("time zone offset second")
    } else {
        None
    };
    p.offset = Some(sign * ((hour * 60 + minute) * 60 + second) as i32);
    Ok((&v[len..], what))
}

/// Go's `parseTimeZone`: three to five capitals (four or five ending in T), and a few specials.
fn zone_name_len(v: &str) -> Option<usize> {
    let b = v.as_bytes();
    if b.len() < 3 {
        return None;
    }
    if v.starts_with("ChST") || v.starts_with("MeST") {
        return Some(4);
    }
    if v.starts_with("GMT") {
        let signed = b.get(3).is_some_and(|c| matches!(c, b'+' | b'-'));
        let digits = if signed {
            b[4..].iter().take_while(|c| c.is_ascii_digit()).count()
        } else {
            0
        };
        return Some(if digits > 0 { 4 + digits } else { 3 });
    }
    let upper = b.iter().take(6).take_while(|c| c.is_ascii_uppercase()).count();
    match upper {
        3 => Some(3),
        4 if b[3] == b'T' || v.starts_with("WITA") => Some(4),
        5 if b[4] == b'T' => Some(5),
        _ => None,
    }
}

fn finish(p: Parsed, value: &str) -> Result<Time, String> {
    let mut hour = p.hour;
    match p.pm {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    let (mut month, mut day) = (p.month, p.day);
    if p.yday >= 0 {
        let start = days_from_civil(p.year, 1, 1);
        let (_, m, d) = civil_from_days(start + p.yday - 1);
        let leap_overflow = p.yday > days_from_civil(p.year + 1, 1, 1) - start;
        if leap_overflow || (month >= 0 && month != m) || (day >= 0 && day != d) {
            return Err(format!(
                "parsing time {}: day-of-year does not match {}",
                quote(value),
                if leap_overflow { "year" } else { "month" }
            ));
        }
        (month, day) = (m, d);
    } else {
        month = if month < 0 { 1 } else { month };
        day = if day < 0 { 1 } else { day };
    }
    if day < 1 || day > days_in_month(p.year, month) {
        return Err(format!("parsing time {}: day out of range", quote(value)));
    }
    let local = days_from_civil(p.year, month, day) * 86_400 + hour * 3600 + p.minute * 60 + p.second;
    if p.utc {
        return Ok(Time::utc(local, p.nanos));
    }
    if let Some(offset) = p.offset {
        let secs = local - i64::from(offset);
        // The local zone (UTC) is used when it has this offset and name.
        if offset == 0 && (p.zone_name.is_empty() || p.zone_name == "UTC") {
            return Ok(Time::utc(secs, p.nanos));
        }
        return Ok(Time {
            secs,
            nanos: p.nanos,
            offset,
            zone: p.zone_name,
        });
    }
    if !p.zone_name.is_empty() {
        // A name the local zone does not know: its offset is unknown, so 0 (GMT+N excepted).
        let offset = p
            .zone_name
            .strip_prefix("GMT")
            .and_then(|n| n.parse::<i32>().ok())
            .map_or(0, |h| h * 3600);
        return Ok(Time {
            secs: local - i64::from(offset),
            nanos: p.nanos,
            offset,
            zone: p.zone_name,
        });
    }
    Ok(Time::utc(local, p.nanos))
}

#[cfg(test)]
mod tests {
    use super::super::super::value::go_string;
    use super::*;
    use crate::helm::funcs::testing::{call, err, out, s};

    const T: Value = Value::Int(1_700_000_000);

    fn parsed(layout: &str, value: &str) -> Value {
        call("toDate", &[s(layout), s(value)]).expect("toDate")
    }

    #[test]
    fn formatting_as_go() {
        assert_eq!(
            out("date", &[s("2006-01-02T15:04:05Z07:00"), T]),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(
            out("date", &[s("Mon Jan _2 15:04:05 MST 2006"), T]),
            "Tue Nov 14 22:13:20 UTC 2023"
        );
        assert_eq!(
            out("date", &[s("January 2, 2006 3:04:05.000 PM -0700"), T]),
            "November 14, 2023 10:13:20.000 PM +0000"
        );
        assert_eq!(
            out(
                "date",
                &[s("06 1 2 3 4 5 pm .999 ,000 002 __2 -07:00:00 Z0700 Monday"), T]
            ),
            "23 11 14 10 13 20 pm  ,000 318 318 +00:00:00 Z Tuesday"
        );
        assert_eq!(out("date", &[s("2006-01-02"), Value::Int(86_399)]), "1970-01-01");
        assert_eq!(
            out("dateInZone", &[s("2006-01-02 15:04 MST"), T, s("UTC")]),
            "2023-11-14 22:13 UTC"
        );
        assert_eq!(
            out("dateInZone", &[s("2006-01-02 15:04 MST"), T, s("Nope/Zone")]),
            "2023-11-14 22:13 UTC"
        );
        assert_eq!(out("htmlDate", &[T]), "2023-11-14");
        assert_eq!(out("htmlDateInZone", &[T, s("UTC")]), "2023-11-14");
    }

    #[test]
    fn the_clock_is_fixed() {
        let now = call("now", &[]).unwrap();
        assert_eq!(now.type_name(), "time.Time");
        assert_eq!(go_string(&now), "1970-01-01 00:00:00 +0000 UTC");
        assert_eq!(out("unixEpoch", std::slice::from_ref(&now)), "0");
        assert_eq!(out("date", &[s("2006"), s("x")]), "1970");
        assert_eq!(out("ago", &[Value::Int(0)]), "0s");
        assert_eq!(out("ago", &[Value::Int(-90)]), "1m30s");
    }

    #[test]
    fn parsing_as_go() {
        assert_eq!(
            go_string(&parsed("2006-01-02", "2024-05-01")),
            "2024-05-01 00:00:00 +0000 UTC"
        );
        assert_eq!(go_string(&parsed("2006-01-02", "bad")), "0001-01-01 00:00:00 +0000 UTC");
        assert_eq!(
            go_string(&parsed(
                "2006-01-02 15:04:05.000 -0700",
                "2024-05-01 13:14:15.123 +0200"
            )),
            "2024-05-01 13:14:15.123 +0200 +0200"
        );
        assert_eq!(out("unixEpoch", &[parsed("2006-01-02", "2024-05-01")]), "1714521600");
        assert_eq!(
            out("date", &[s("Jan 2 2006"), parsed("2006-01-02", "2024-05-01")]),
            "May 1 2024"
        );
        assert_eq!(
            go_string(&parsed("02/01/06", "31/12/99")),
            "1999-12-31 00:00:00 +0000 UTC"
        );
        assert_eq!(
            go_string(&parsed("Jan 2 2006", "Feb 30 2024")),
            "0001-01-01 00:00:00 +0000 UTC"
        );
        assert_eq!(go_string(&parsed("15:04", "25:00")), "0001-01-01 00:00:00 +0000 UTC");
        assert_eq!(
            go_string(&parsed("2006-01-02T15:04:05Z07:00", "2024-05-01T10:00:00Z")),
            "2024-05-01 10:00:00 +0000 UTC"
        );
        assert_eq!(
            go_string(&parsed("2006-01-02T15:04:05Z07:00", "2024-05-01T10:00:00+05:30")),
            "2024-05-01 10:00:00 +0530 +0530"
        );
        assert_eq!(
            go_string(&parsed("2006-01-02 15:04:05", "2024-05-01 10:00:00.5")),
            "2024-05-01 10:00:00.5 +0000 UTC"
        );
        let year = parsed("2006-01-02", "2024-05-01");
        let Value::Object(o) = &year else { panic!() };
        assert_eq!(go_string(&o.method("Year", &[]).unwrap().unwrap()), "2024");
    }

    #[test]
    fn parse_errors_as_go() {
        assert_eq!(
            err("mustToDate", &[s("2006-01-02"), s("2024-13-01")]),
            "parsing time \"2024-13-01\": month out of range"
        );
        assert_eq!(
            err("mustToDate", &[s("2006-01-02"), s("x2024")]),
            "parsing time \"x2024\" as \"2006-01-02\": cannot parse \"x2024\" as \"2006\""
        );
        assert_eq!(
            err("mustToDate", &[s("2006-01-02"), s("2024-05-01x")]),
            "parsing time \"2024-05-01x\": extra text: \"x\""
        );
    }

    #[test]
    fn modifying() {
        let day = parsed("2006-01-02", "2024-05-01");
        assert_eq!(
            out("dateModify", &[s("-1.5h"), day.clone()]),
            "2024-04-30 22:30:00 +0000 UTC"
        );
        assert_eq!(
            out("dateModify", &[s("bad"), day.clone()]),
            "2024-05-01 00:00:00 +0000 UTC"
        );
        assert_eq!(
            err("mustDateModify", &[s("bad"), day]),
            "time: invalid duration \"bad\""
        );
        assert!(call("unixEpoch", &[Value::Int(5)]).is_err());
        assert!(call("dateModify", &[s("1h"), Value::Int(5)]).is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(out("duration", &[Value::Int(3700)]), "1h1m40s");
        assert_eq!(out("duration", &[s("3700")]), "1h1m40s");
        assert_eq!(out("duration", &[Value::Float(60.0)]), "0s");
        assert_eq!(out("duration", &[s("x")]), "0s");
        assert_eq!(out("duration", &[s("-3700")]), "-1h1m40s");
        assert_eq!(out("duration", &[s("90061")]), "25h1m1s");
        assert_eq!(out("durationRound", &[s("2h10m")]), "2h");
        assert_eq!(out("durationRound", &[Value::Int(3_000_000_000)]), "3s");
        assert_eq!(out("durationRound", &[s("-90s")]), "1m");
        assert_eq!(out("durationRound", &[s("bad")]), "0s");
        assert_eq!(out("durationRound", &[s("400h")]), "16d");
        assert_eq!(out("durationRound", &[s("1000000h")]), "114y");
        assert_eq!(out("durationRound", &[s("1.5s")]), "1s");
        assert_eq!(out("durationRound", &[s("1s")]), "0s");
        assert_eq!(out("durationRound", &[s("61s")]), "1m");
        assert_eq!(duration_string(1_500_000), "1.5ms");
        assert_eq!(duration_string(1_000), "1µs");
        assert_eq!(duration_string(3_600_000_000_000), "1h0m0s");
        assert_eq!(
            parse_duration("1d"),
            Err("time: unknown unit \"d\" in duration \"1d\"".into())
        );
        assert_eq!(parse_duration("1"), Err("time: missing unit in duration \"1\"".into()));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_duration(".5s"), Ok(500_000_000));
    }
}
