//! Go duration syntax (`time.ParseDuration`): `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, units `ns`,
//! `us`, `µs` (U+00B5), `μs` (U+03BC), `ms`, `s`, `m`, `h`; a bare `0` is allowed. Velero parses
//! every hook timeout and `metav1.Duration` field with it.
//! Source: golang/go `src/time/format.go` (`unitMap`, `ParseDuration`).

const NS: u64 = 1;
const UNITS: &[(&str, u64)] = &[
    ("ns", NS),
    ("us", 1_000),
    ("\u{b5}s", 1_000),
    ("\u{3bc}s", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60 * 1_000_000_000),
    ("h", 3_600 * 1_000_000_000),
];

/// Why a string is not a Go duration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationError {
    Empty,
    /// A number with no unit, like `30` (only `0` may go without one).
    MissingUnit,
    UnknownUnit(String),
    /// Something that is not a number where one is expected (`1h30`, `ten s`).
    Invalid,
    Overflow,
}

impl std::fmt::Display for DurationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DurationError::Empty => write!(f, "it is empty"),
            DurationError::MissingUnit => write!(f, "a number needs a unit (`ns`, `us`, `ms`, `s`, `m`, `h`)"),
            DurationError::UnknownUnit(u) => write!(
                f,
                "`{u}` is not a unit; Go durations know only `ns`, `us`, `ms`, `s`, `m` and `h`"
            ),
            DurationError::Invalid => write!(f, "it is not a number followed by a unit"),
            DurationError::Overflow => write!(f, "it is too long (over about 2562047 hours)"),
        }
    }
}

/// Parse a Go duration into nanoseconds (negative allowed, as in Go).
pub fn parse(s: &str) -> Result<i64, DurationError> {
    let mut rest = s;
    let neg = match rest.as_bytes().first() {
        Some(b'-') => {
            rest = &rest[1..];
            true
        }
        Some(b'+') => {
            rest = &rest[1..];
            false
        }
        _ => false,
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(if s.is_empty() {
            DurationError::Empty
        } else {
            DurationError::Invalid
        });
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        if !rest.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return Err(DurationError::Invalid);
        }
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int_part, after) = rest.split_at(int_len);
        let (frac_part, after) = match after.strip_prefix('.') {
            Some(a) => {
                let n = a.bytes().take_while(u8::is_ascii_digit).count();
                a.split_at(n)
            }
            None => ("", after),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(DurationError::Invalid);
        }
        let unit_len = after
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(after.len(), |(i, _)| i);
        let (unit, next) = after.split_at(unit_len);
        if unit.is_empty() {
            return Err(DurationError::MissingUnit);
        }
        let scale = UNITS
            .iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, n)| *n)
            .ok_or_else(|| DurationError::UnknownUnit(unit.to_owned()))?;
        let whole: u64 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| DurationError::Overflow)?
        };
        let mut v = whole.checked_mul(scale).ok_or(DurationError::Overflow)?;
        if !frac_part.is_empty() {
            // Fractions beyond nanosecond precision are dropped, as Go does.
            let mut frac = 0f64;
            let mut div = 1f64;
            for d in frac_part.bytes().take(30) {
                frac = frac * 10.0 + f64::from(d - b'0');
                div *= 10.0;
            }
            v = v
                .checked_add((frac * (scale as f64 / div)) as u64)
                .ok_or(DurationError::Overflow)?;
        }
        total = total.checked_add(v).ok_or(DurationError::Overflow)?;
        if total > 1 << 63 {
            return Err(DurationError::Overflow);
        }
        rest = next;
    }
    if total == 1 << 63 {
        return if neg {
            Ok(i64::MIN)
        } else {
            Err(DurationError::Overflow)
        };
    }
    let total = total as i64;
    Ok(if neg { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: i64 = 1_000_000_000;

    #[test]
    fn accepts_go_durations() {
        assert_eq!(parse("30s"), Ok(30 * SEC));
        assert_eq!(parse("5m"), Ok(300 * SEC));
        assert_eq!(parse("1h30m"), Ok(5400 * SEC));
        assert_eq!(parse("1.5h"), Ok(5400 * SEC));
        assert_eq!(parse(".5s"), Ok(SEC / 2));
        assert_eq!(parse("1.s"), Ok(SEC));
        assert_eq!(parse("0"), Ok(0));
        assert_eq!(parse("-0"), Ok(0));
        assert_eq!(parse("+5s"), Ok(5 * SEC));
        assert_eq!(parse("-1m"), Ok(-60 * SEC));
        assert_eq!(parse("100ms"), Ok(SEC / 10));
        assert_eq!(parse("1us"), Ok(1_000));
        assert_eq!(parse("1\u{b5}s"), Ok(1_000));
        assert_eq!(parse("1\u{3bc}s"), Ok(1_000));
        assert_eq!(parse("7ns"), Ok(7));
        assert_eq!(parse("0s"), Ok(0));
        assert_eq!(parse("2562047h"), Ok(2_562_047 * 3_600 * SEC));
    }

    #[test]
    fn rejects_what_go_rejects() {
        assert_eq!(parse(""), Err(DurationError::Empty));
        assert_eq!(parse("30"), Err(DurationError::MissingUnit));
        assert_eq!(parse("1h30"), Err(DurationError::MissingUnit));
        assert_eq!(parse("30d"), Err(DurationError::UnknownUnit("d".into())));
        assert_eq!(parse("30S"), Err(DurationError::UnknownUnit("S".into())));
        assert_eq!(parse("30 s"), Err(DurationError::UnknownUnit(" s".into())));
        assert_eq!(parse("1sec"), Err(DurationError::UnknownUnit("sec".into())));
        assert_eq!(parse("s"), Err(DurationError::Invalid));
        assert_eq!(parse("."), Err(DurationError::Invalid));
        assert_eq!(parse(".s"), Err(DurationError::Invalid));
        assert_eq!(parse("-"), Err(DurationError::Invalid));
        assert_eq!(parse("+"), Err(DurationError::Invalid));
        assert_eq!(parse(" 30s"), Err(DurationError::Invalid));
        assert_eq!(parse("3000000h"), Err(DurationError::Overflow));
        assert_eq!(parse("99999999999999999999s"), Err(DurationError::Overflow));
    }
}
