//! go-yaml v2's implicit typing of plain scalars (YAML 1.1 flavoured: `yes`/`no`/`on`/`off`
//! booleans, `0x`/`0o`/`0b`/leading-zero octal ints, `_` separators, `.inf`), used both to read
//! values and to decide when the emitter must quote a string so it reads back as a string.

/// What a scalar resolves to.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    /// Positive integers past `i64::MAX` (Go's `uint64`).
    Uint(u64),
    Float(f64),
    /// Looks like a date: go-yaml keeps the text as a string when decoding into `interface{}`.
    Timestamp,
    Str,
}

/// Tags go-yaml v2 resolves (its `resolvableTag`); others leave the text a string.
pub const STR: &str = "tag:yaml.org,2002:str";
pub const INT: &str = "tag:yaml.org,2002:int";
pub const FLOAT: &str = "tag:yaml.org,2002:float";
pub const BOOL: &str = "tag:yaml.org,2002:bool";
pub const NULL: &str = "tag:yaml.org,2002:null";
pub const TIMESTAMP: &str = "tag:yaml.org,2002:timestamp";
pub const BINARY: &str = "tag:yaml.org,2002:binary";
pub const MERGE: &str = "tag:yaml.org,2002:merge";

/// The literal words go-yaml v2 maps to values (its `resolveMap`).
fn word(s: &str) -> Option<Resolved> {
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Resolved::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Resolved::Bool(false),
        "" | "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// The tag name go-yaml prints in errors (`!!int`).
pub fn short_tag(tag: &str) -> String {
    match tag.strip_prefix("tag:yaml.org,2002:") {
        Some(rest) => format!("!!{rest}"),
        None => tag.to_owned(),
    }
}

fn tag_of(r: &Resolved) -> &'static str {
    match r {
        Resolved::Null => NULL,
        Resolved::Bool(_) => BOOL,
        Resolved::Int(_) | Resolved::Uint(_) => INT,
        Resolved::Float(_) => FLOAT,
        Resolved::Timestamp => TIMESTAMP,
        Resolved::Str => STR,
    }
}

/// A plain, untagged scalar.
pub fn resolve_plain(s: &str) -> Resolved {
    resolve_untagged(s, true)
}

/// A scalar with an explicit resolvable tag (`!!int "12"`); `Err` is go-yaml's message.
pub fn resolve_tagged(tag: &str, s: &str) -> Result<Resolved, String> {
    let r = if tag == STR {
        Resolved::Str
    } else {
        resolve_untagged(s, tag == TIMESTAMP)
    };
    let rtag = tag_of(&r);
    if rtag == tag {
        return Ok(r);
    }
    match (tag, &r) {
        (STR, _) => Ok(Resolved::Str),
        (FLOAT, Resolved::Int(i)) => Ok(Resolved::Float(*i as f64)),
        (FLOAT, Resolved::Uint(u)) => Ok(Resolved::Float(*u as f64)),
        _ => Err(format!(
            "cannot decode {} `{s}` as a {}",
            short_tag(rtag),
            short_tag(tag)
        )),
    }
}

fn resolve_untagged(s: &str, timestamps: bool) -> Resolved {
    let hint = s.bytes().next().map_or(b'N', hint_of);
    if hint == 0 {
        return Resolved::Str;
    }
    if let Some(r) = word(s) {
        return r;
    }
    match hint {
        b'.' => parse_float(s).map_or(Resolved::Str, Resolved::Float),
        b'D' | b'S' => {
            if timestamps && is_timestamp(s) {
                return Resolved::Timestamp;
            }
            let plain: String = s.chars().filter(|c| *c != '_').collect();
            if let Some(i) = parse_int(&plain) {
                return Resolved::Int(i);
            }
            if let Some(u) = parse_uint(&plain) {
                return Resolved::Uint(u);
            }
            if is_yaml_float(&plain) {
                if let Some(f) = parse_float(&plain) {
                    return Resolved::Float(f);
                }
            }
            Resolved::Str
        }
        _ => Resolved::Str,
    }
}

/// go-yaml's first-byte table: sign, digit, a letter some word starts with, or `.`.
fn hint_of(b: u8) -> u8 {
    match b {
        b'+' | b'-' => b'S',
        b'0'..=b'9' => b'D',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => b'M',
        b'.' => b'.',
        _ => 0,
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal text; out of range is an error there.
fn parse_float(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    // Rust also reads `inf`/`nan` words, which the callers' syntax checks already exclude
    // except after a sign.
    if lower.contains("inf") || lower.contains("nan") {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseUint(s, 0, 64)` without underscores: base prefixes, no sign.
pub fn parse_uint(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    let (radix, digits) = if b[0] == b'0' {
        match b.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if b.len() >= 3 => (2, &s[2..]),
            Some(b'o') if b.len() >= 3 => (8, &s[2..]),
            Some(b'x') if b.len() >= 3 => (16, &s[2..]),
            _ => (8, &s[1..]),
        }
    } else {
        (10, s)
    };
    let mut n: u64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(36)?;
        if d >= radix {
            return None;
        }
        n = n.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// Go's `strconv.ParseInt(s, 0, 64)` without underscores.
pub fn parse_int(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let u = parse_uint(rest)?;
    if neg {
        if u == 1 << 63 {
            Some(i64::MIN)
        } else {
            i64::try_from(u).ok().map(|i| -i)
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// YAML 1.1 base-60 floats (`1:20`): go-yaml no longer reads them but still quotes them.
/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
pub fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while i - start < 2 && b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        // `[0-5]?[0-9]`: two digits need a first digit up to 5; one digit is anything.
        match i - start {
            0 => return false,
            2 if b[start] > b'5' => {
                // Only the second form `[0-9]` can match, leaving a digit behind: no match.
                return false;
            }
            _ => {}
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// go-yaml's `parseTimestamp`: `YYYY-` then one of Go's layouts `2006-1-2T15:4:5.999999999Z07:00`
/// (or lower-case `t`), `2006-1-2 15:4:5.999999999`, `2006-1-2`, as `time.Parse` reads them.
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let Some((year, month, day, mut i)) = date(b) else {
        return false;
    };
    if !day_in_month(year, month, day) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zoned = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    i += 1;
    let Some(after) = clock(b, i) else {
        return false;
    };
    i = after;
    if zoned {
        zone(b, i) == Some(b.len())
    } else {
        i == b.len()
    }
}

/// Go's `getnum`: one or two digits.
fn num(b: &[u8], i: usize) -> Option<(u32, usize)> {
    let d0 = *b.get(i).filter(|c| c.is_ascii_digit())?;
    match b.get(i + 1).filter(|c| c.is_ascii_digit()) {
        Some(d1) => Some((u32::from(d0 - b'0') * 10 + u32::from(d1 - b'0'), i + 2)),
        None => Some((u32::from(d0 - b'0'), i + 1)),
    }
}

fn date(b: &[u8]) -> Option<(u32, u32, u32, usize)> {
    let year = b[..4].iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    let (month, i) = num(b, 5)?;
    if b.get(i) != Some(&b'-') || !(1..=12).contains(&month) {
        return None;
    }
    let (day, i) = num(b, i + 1)?;
    Some((year, month, day, i))
}

fn day_in_month(year: u32, month: u32, day: u32) -> bool {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (1..=days).contains(&day)
}

/// `15:4:5` with an optional fraction.
fn clock(b: &[u8], i: usize) -> Option<usize> {
    let (h, i) = num(b, i)?;
    if h >= 24 || b.get(i) != Some(&b':') {
        return None;
    }
    let (m, i) = num(b, i + 1)?;
    if m >= 60 || b.get(i) != Some(&b':') {
        return None;
    }
    let (s, mut i) = num(b, i + 1)?;
    if s >= 60 {
        return None;
    }
    if matches!(b.get(i), Some(b'.' | b',')) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    Some(i)
}

/// `Z07:00`: `Z` or `±hh:mm`.
fn zone(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) == Some(&b'Z') {
        return Some(i + 1);
    }
    let z = b.get(i..i + 6)?;
    let digits = |r: &[u8]| r.iter().all(u8::is_ascii_digit);
    if !matches!(z[0], b'+' | b'-') || z[3] != b':' || !digits(&z[1..3]) || !digits(&z[4..6]) {
        return None;
    }
    let hh = u32::from(z[1] - b'0') * 10 + u32::from(z[2] - b'0');
    let mm = u32::from(z[4] - b'0') * 10 + u32::from(z[5] - b'0');
    (hh <= 24 && mm <= 60).then_some(i + 6)
}

/// `strconv.FormatFloat(f, 'g', -1, 32)`: how sigs.k8s.io/yaml names a float map key.
pub fn float32_key(f: f64) -> String {
    let f32_value = f as f32;
    if f32_value.is_nan() {
        return ".nan".into();
    }
    if f32_value.is_infinite() {
        return if f32_value > 0.0 { ".inf".into() } else { "-.inf".into() };
    }
    crate::helm::value::format_float32(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_resolve_as_go_yaml_v2() {
        assert_eq!(resolve_plain("yes"), Resolved::Bool(true));
        assert_eq!(resolve_plain("OFF"), Resolved::Bool(false));
        assert_eq!(resolve_plain("yEs"), Resolved::Str);
        assert_eq!(resolve_plain("0755"), Resolved::Int(493));
        assert_eq!(resolve_plain("08"), Resolved::Float(8.0));
        assert_eq!(resolve_plain("1_000"), Resolved::Int(1000));
        assert_eq!(resolve_plain("18446744073709551615"), Resolved::Uint(u64::MAX));
        assert_eq!(resolve_plain("1e400"), Resolved::Str);
        assert_eq!(resolve_plain("<<"), Resolved::Str);
        assert_eq!(resolve_plain(""), Resolved::Null);
        assert_eq!(resolve_plain("2001-12-14"), Resolved::Timestamp);
        assert_eq!(resolve_plain("2001-02-29"), Resolved::Str);
        assert_eq!(resolve_plain("2001-12-14t21:59:43.10-05:00"), Resolved::Timestamp);
        assert!(is_base60_float("1:20") && is_base60_float("190:20:30"));
        assert!(!is_base60_float("1:60") && !is_base60_float("12"));
    }

    #[test]
    fn tagged_scalars() {
        assert_eq!(resolve_tagged(FLOAT, "1"), Ok(Resolved::Float(1.0)));
        assert_eq!(resolve_tagged(STR, "1"), Ok(Resolved::Str));
        assert_eq!(
            resolve_tagged(INT, "x").unwrap_err(),
            "cannot decode !!str `x` as a !!int"
        );
    }

    #[test]
    fn float_keys_print_with_float32_precision() {
        assert_eq!(float32_key(1.5), "1.5");
        assert_eq!(float32_key(12345678.5), "1.2345678e+07");
        assert_eq!(float32_key(0.1234567891), "0.12345679");
        assert_eq!(float32_key(f64::INFINITY), ".inf");
    }
}
