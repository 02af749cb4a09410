//! Masterminds/semver v3.3.0 as Helm's chart loader uses it: `NewVersion` (the chart version
//! must parse) and `NewConstraint(..).Check(..)` (`IsCompatibleRange`, which decides whether a
//! `charts/` subchart matches a `dependencies:` entry). Only the yes/no answers are needed, so
//! the library's explanatory errors are not reproduced.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub metadata: String,
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

/// The pieces a version or constraint version is made of, before the numbers are read.
struct Parts<'s> {
    major: &'s str,
    minor: Option<&'s str>,
    patch: Option<&'s str>,
    pre: &'s str,
    metadata: &'s str,
}

/// `v?N(.N)?(.N)?(-pre)?(+meta)?` where `digit` says which characters a number segment holds
/// (digits for versions; digits, `x`, `X`, `*` and, as in the library's regex, `|` for
/// constraints). Returns the parts and the rest of `s`.
fn split_parts(s: &str, digit: fn(u8) -> bool) -> Option<(Parts<'_>, &str)> {
    let body = s.strip_prefix('v').unwrap_or(s);
    let seg = |t: &str| t.bytes().take_while(|b| digit(*b)).count();
    let n = seg(body);
    if n == 0 {
        return None;
    }
    let (major, mut rest) = body.split_at(n);
    let mut dotted = [None, None];
    for slot in &mut dotted {
        let Some(after) = rest.strip_prefix('.') else { break };
        let n = seg(after);
        if n == 0 {
            break;
        }
        *slot = Some(&after[..n]);
        rest = &after[n..];
    }
    let ident = |t: &str| -> usize {
        // dot-separated non-empty runs of [0-9A-Za-z-]
        let b = t.as_bytes();
        let mut end = 0;
        let mut i = 0;
        loop {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
                i += 1;
            }
            if i == start {
                return end;
            }
            end = i;
            if i < b.len() && b[i] == b'.' {
                i += 1;
            } else {
                return end;
            }
        }
    };
    let mut pre = "";
    if let Some(after) = rest.strip_prefix('-') {
        let n = ident(after);
        if n > 0 {
            pre = &after[..n];
            rest = &after[n..];
        }
    }
    let mut metadata = "";
    if let Some(after) = rest.strip_prefix('+') {
        let n = ident(after);
        if n > 0 {
            metadata = &after[..n];
            rest = &after[n..];
        }
    }
    let parts = Parts {
        major,
        minor: dotted[0],
        patch: dotted[1],
        pre,
        metadata,
    };
    Some((parts, rest))
}

/// `semver.NewVersion`: the loose form (`v` prefix, minor and patch optional).
pub fn parse_version(s: &str) -> Option<Version> {
    let (p, rest) = split_parts(s, |b| b.is_ascii_digit())?;
    if !rest.is_empty() {
        return None;
    }
    let num = |t: Option<&str>| t.map_or(Some(0), |t| t.parse::<u64>().ok());
    if !valid_prerelease(p.pre) {
        return None;
    }
    Some(Version {
        major: num(Some(p.major))?,
        minor: num(p.minor)?,
        patch: num(p.patch)?,
        pre: p.pre.to_owned(),
        metadata: p.metadata.to_owned(),
    })
}

/// Numeric prerelease identifiers may not have leading zeros.
fn valid_prerelease(pre: &str) -> bool {
    pre.is_empty()
        || pre
            .split('.')
            .all(|p| !(p.bytes().all(|b| b.is_ascii_digit()) && p.len() > 1 && p.starts_with('0')))
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) => s.cmp(o),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        // Equal numbers with different text (impossible after validation) sort as the library
        // does: not greater means less.
        (Ok(a), Ok(b)) => {
            if a > b {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let sa: Vec<&str> = a.split('.').collect();
    let sb: Vec<&str> = b.split('.').collect();
    for i in 0..sa.len().max(sb.len()) {
        let d = compare_pre_part(sa.get(i).copied().unwrap_or(""), sb.get(i).copied().unwrap_or(""));
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

impl Version {
    pub fn compare(&self, o: &Version) -> Ordering {
        let nums = (self.major, self.minor, self.patch).cmp(&(o.major, o.minor, o.patch));
        if nums != Ordering::Equal {
            return nums;
        }
        match (self.pre.is_empty(), o.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => compare_prerelease(&self.pre, &o.pre),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

#[derive(Debug, Clone)]
struct Constraint {
    op: Op,
    con: Version,
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

/// `semver.NewConstraint(c).Check(v)`; a constraint that does not parse matches nothing.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let Some(v) = parse_version(version) else {
        return false;
    };
    let Some(ors) = parse_constraints(constraint) else {
        return false;
    };
    ors.iter().any(|and| and.iter().all(|c| c.check(&v)))
}

fn parse_constraints(c: &str) -> Option<Vec<Vec<Constraint>>> {
    let c = rewrite_ranges(c);
    c.split("||").map(parse_and_group).collect()
}

fn constraint_digit(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'x' | b'X' | b'*' | b'|')
}

/// One operator: the library's regex alternation resolves to the longest operator here,
/// since no version starts with an operator character.
fn split_op(s: &str) -> (Op, &str) {
    const OPS: &[(&str, Op)] = &[
        ("!=", Op::NotEqual),
        (">=", Op::GreaterEqual),
        ("=>", Op::GreaterEqual),
        ("<=", Op::LessEqual),
        ("=<", Op::LessEqual),
        ("~>", Op::Tilde),
        ("=", Op::TildeOrEqual),
        (">", Op::Greater),
        ("<", Op::Less),
        ("~", Op::Tilde),
        ("^", Op::Caret),
    ];
    for (text, op) in OPS {
        if let Some(rest) = s.strip_prefix(text) {
            return (*op, rest);
        }
    }
    (Op::TildeOrEqual, s)
}

/// `\s*op\s*version\s*` items separated by whitespace or a comma; `None` when the group is
/// not entirely made of such items (the library's validation regex).
fn parse_and_group(s: &str) -> Option<Vec<Constraint>> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    loop {
        let (op, after) = split_op(rest);
        let (parts, after) = split_parts(after.trim_start(), constraint_digit)?;
        out.push(build_constraint(op, &parts)?);
        let trimmed = after.trim_start();
        if trimmed.is_empty() {
            return Some(out);
        }
        let spaced = trimmed.len() < after.len();
        rest = match trimmed.strip_prefix(',') {
            Some(r) => r.trim_start(),
            None if spaced => trimmed,
            None => return None,
        };
    }
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

fn build_constraint(op: Op, p: &Parts<'_>) -> Option<Constraint> {
    let tail = if p.pre.is_empty() {
        String::new()
    } else {
        format!("-{}", p.pre)
    };
    let (text, dirty, minor_dirty, patch_dirty) = if is_x(p.major) {
        (format!("0.0.0{tail}"), true, false, false)
    } else if p.minor.is_none_or(is_x) {
        (format!("{}.0.0{tail}", p.major), true, true, false)
    } else if p.patch.is_none_or(is_x) {
        (
            format!("{}.{}.0{tail}", p.major, p.minor.unwrap_or("0")),
            true,
            false,
            true,
        )
    } else {
        let ver = format!(
            "{}.{}.{}{tail}",
            p.major,
            p.minor.unwrap_or("0"),
            p.patch.unwrap_or("0")
        );
        (ver, false, false, false)
    };
    Some(Constraint {
        op,
        con: parse_version(&text)?,
        dirty,
        minor_dirty,
        patch_dirty,
    })
}

/// `1.2 - 1.4.5` becomes `>= 1.2, <= 1.4.5` (a `-` with whitespace on both sides between two
/// versions).
fn rewrite_ranges(c: &str) -> String {
    let b = c.as_bytes();
    let is_version = |t: &str| split_parts(t, constraint_digit).is_some_and(|(_, r)| r.is_empty());
    for (i, _) in c.match_indices('-') {
        let spaced = |j: Option<&u8>| j.is_some_and(u8::is_ascii_whitespace);
        if i == 0 || !spaced(b.get(i - 1)) || !spaced(b.get(i + 1)) {
            continue;
        }
        let left = c[..i].trim_end();
        let lo_start = left.rfind(|ch: char| ch.is_ascii_whitespace()).map_or(0, |k| k + 1);
        let right = c[i + 1..].trim_start();
        let hi_len = right.find(|ch: char| ch.is_ascii_whitespace()).unwrap_or(right.len());
        let (lo, hi) = (&left[lo_start..], &right[..hi_len]);
        if is_version(lo) && is_version(hi) {
            let rest = rewrite_ranges(&right[hi_len..]);
            return format!("{}>= {lo}, <= {hi} {rest}", &left[..lo_start]);
        }
    }
    c.to_owned()
}

impl Constraint {
    fn check(&self, v: &Version) -> bool {
        // A prerelease only satisfies constraints that name a prerelease.
        if !v.pre.is_empty() && self.con.pre.is_empty() {
            return false;
        }
        let c = &self.con;
        match self.op {
            Op::TildeOrEqual if self.dirty => self.tilde(v),
            Op::TildeOrEqual => v.compare(c) == Ordering::Equal,
            Op::NotEqual => self.not_equal(v),
            Op::Greater => self.greater(v),
            Op::Less => v.compare(c) == Ordering::Less,
            Op::GreaterEqual => v.compare(c) != Ordering::Less,
            Op::LessEqual => self.less_equal(v),
            Op::Tilde => self.tilde(v),
            Op::Caret => self.caret(v),
        }
    }

    fn not_equal(&self, v: &Version) -> bool {
        let c = &self.con;
        if self.dirty {
            if c.major != v.major {
                return true;
            }
            if c.minor != v.minor && !self.minor_dirty {
                return true;
            }
            if self.minor_dirty {
                return false;
            }
            if c.patch != v.patch && !self.patch_dirty {
                return true;
            }
            if self.patch_dirty {
                return (!v.pre.is_empty() || !c.pre.is_empty())
                    && compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
            }
        }
        v.compare(c) != Ordering::Equal
    }

    fn greater(&self, v: &Version) -> bool {
        let c = &self.con;
        if !self.dirty {
            return v.compare(c) == Ordering::Greater;
        }
        if v.major != c.major {
            return v.major > c.major;
        }
        if self.minor_dirty {
            return false;
        }
        if self.patch_dirty {
            return v.minor > c.minor;
        }
        v.compare(c) == Ordering::Greater
    }

    fn less_equal(&self, v: &Version) -> bool {
        let c = &self.con;
        if !self.dirty {
            return v.compare(c) != Ordering::Greater;
        }
        !(v.major > c.major || (v.major == c.major && v.minor > c.minor && !self.minor_dirty))
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        v.major == c.major && (v.minor == c.minor || self.minor_dirty)
    }

    fn caret(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major > 0 || self.minor_dirty {
            return v.major == c.major;
        }
        if v.major > 0 {
            return false;
        }
        if c.minor > 0 || self.patch_dirty {
            return v.minor == c.minor;
        }
        if v.minor > 0 {
            return false;
        }
        c.patch == v.patch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_loosely() {
        assert_eq!(parse_version("v1.2").map(|v| v.to_string()).as_deref(), Some("1.2.0"));
        assert_eq!(
            parse_version("1.2.3-rc.1+b").map(|v| v.to_string()).as_deref(),
            Some("1.2.3-rc.1+b")
        );
        assert!(parse_version("1.2.3.4").is_none());
        assert!(parse_version("").is_none());
        assert!(parse_version("1.0.0-01").is_none());
        assert!(parse_version("x").is_none());
    }

    #[test]
    fn constraints_check_as_masterminds_does() {
        let ok = |c: &str, v: &str| is_compatible_range(c, v);
        assert!(ok("*", "1.2.3"));
        assert!(!ok("", "1.2.3"), "an empty constraint does not parse");
        assert!(ok("12.x.x", "12.5.0"));
        assert!(!ok("12.x.x", "13.0.0"));
        assert!(ok("~1.2.3", "1.2.9"));
        assert!(!ok("~1.2.3", "1.3.0"));
        assert!(ok("^2.0.0", "2.9.1"));
        assert!(!ok("^0.2.3", "0.3.0"));
        assert!(ok(">=1.0.0 <2.0.0", "1.5.0"));
        assert!(ok(">=1.0.0, <2.0.0", "1.5.0"));
        assert!(!ok(">=1.0.0,<2.0.0", "2.0.0"));
        assert!(ok("1.0.0 || 2.0.0", "2.0.0"));
        assert!(ok("1.2 - 1.4.5", "1.4.0"));
        assert!(!ok("1.2 - 1.4.5", "1.4.6"));
        assert!(!ok("^1.0.0", "1.2.0-beta"));
        assert!(ok("^1.0.0-0", "1.2.0-beta"));
        assert!(ok("0.1.0", "0.1.0"));
        assert!(!ok(">1.0.0<2", "1.5.0"));
        assert!(ok("!=1.2.3", "1.2.4"));
    }
}
