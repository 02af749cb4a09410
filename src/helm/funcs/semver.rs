//! Sprig's `semver` and `semverCompare`, with the rules of Masterminds/semver v3.3.0 (what Helm
//! 3.17 vendors), which are not Cargo's: versions may have a `v` prefix and omit minor and
//! patch (`v1.30`), constraints are `,`/space-separated ANDs joined by `||`, with `x`/`*`
//! wildcards, `~`, `^` and hyphen ranges, and a constraint without a prerelease never matches a
//! prerelease version (`>=1.19` rejects `1.30.0-gke.100`, which is why charts write `>=1.19-0`).
//! The library's regular expressions are followed by hand, quirks included (its version-segment
//! class `[0-9|x|X|\*]` also takes `|`).

use std::cmp::Ordering;
use std::rc::Rc;

use super::super::value::{Object, Value};
use super::convert::want_str;
use super::{Func, arity};

pub(super) const FUNCS: &[(&str, Func)] = &[("semver", semver), ("semverCompare", semver_compare)];

fn semver(args: &[Value]) -> super::Result {
    arity(args, 1)?;
    let v = Version::parse(want_str(&args[0])?)?;
    Ok(Value::Object(Rc::new(v)))
}

/// `semverCompare CONSTRAINT VERSION`: the constraint is parsed first, so both can fail.
fn semver_compare(args: &[Value]) -> super::Result {
    arity(args, 2)?;
    Ok(Value::Bool(matches(want_str(&args[0])?, want_str(&args[1])?)?))
}

/// `semver.NewConstraint(constraint).Check(semver.NewVersion(version))`; also what Helm's
/// chart loader uses to pair `charts/` subcharts with `dependencies:` entries.
pub(crate) fn matches(constraint: &str, version: &str) -> Result<bool, String> {
    let constraints = parse_constraints(constraint)?;
    let v = Version::parse(version)?;
    Ok(constraints.iter().any(|and| and.iter().all(|c| c.check(&v))))
}

/// A parsed version; in templates a `*semver.Version` with methods `.Major`, `.Prerelease`, ...
#[derive(Debug, Clone)]
pub(crate) struct Version {
    pub(crate) major: u64,
    pub(crate) minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
    original: String,
}

const INVALID: &str = "Invalid Semantic Version";

fn is_id_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

impl Version {
    /// `semver.NewVersion`: `v?N(.N)?(.N)?(-PRE)?(+META)?` over the whole string.
    pub(crate) fn parse(s: &str) -> Result<Version, String> {
        let b = s.as_bytes();
        let mut i = usize::from(b.first() == Some(&b'v'));
        let major = take_while(b, &mut i, |c| c.is_ascii_digit()).ok_or(INVALID)?;
        let minor = dotted_number(b, &mut i);
        let patch = minor.and_then(|_| dotted_number(b, &mut i));
        let pre = tagged_ids(b, &mut i, b'-', b"+")?;
        let metadata = tagged_ids(b, &mut i, b'+', &[])?;
        if i != b.len() {
            return Err(INVALID.into());
        }
        let segment = |digits: &str| {
            digits.parse::<u64>().map_err(|_| {
                format!("Error parsing version segment: strconv.ParseUint: parsing \"{digits}\": value out of range")
            })
        };
        let v = Version {
            major: segment(major)?,
            minor: minor.map(segment).transpose()?.unwrap_or(0),
            patch: patch.map(segment).transpose()?.unwrap_or(0),
            pre: pre.unwrap_or_default().to_owned(),
            metadata: metadata.unwrap_or_default().to_owned(),
            original: s.to_owned(),
        };
        validate_prerelease(&v.pre)?;
        Ok(v)
    }

    fn compare(&self, o: &Version) -> Ordering {
        let by_numbers = (self.major, self.minor, self.patch).cmp(&(o.major, o.minor, o.patch));
        if by_numbers != Ordering::Equal {
            return by_numbers;
        }
        match (self.pre.is_empty(), o.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => compare_prerelease(&self.pre, &o.pre),
        }
    }

    pub(crate) fn string(&self) -> String {
        let mut out = format!("{}.{}.{}", self.major, self.minor, self.patch);
        if !self.pre.is_empty() {
            out.push('-');
            out.push_str(&self.pre);
        }
        if !self.metadata.is_empty() {
            out.push('+');
            out.push_str(&self.metadata);
        }
        out
    }

    /// The `Inc*` methods keep a `v` prefix and drop prerelease and metadata.
    fn incremented(&self, major: u64, minor: u64, patch: u64) -> Version {
        let mut v = Version {
            major,
            minor,
            patch,
            pre: String::new(),
            metadata: String::new(),
            original: String::new(),
        };
        let prefix = if self.original.starts_with('v') { "v" } else { "" };
        v.original = format!("{prefix}{}", v.string());
        v
    }
}

/// Digits at `i`, advancing past them; `None` (and no move) when there are none.
fn take_while<'a>(b: &'a [u8], i: &mut usize, pred: impl Fn(u8) -> bool) -> Option<&'a str> {
    let start = *i;
    while *i < b.len() && pred(b[*i]) {
        *i += 1;
    }
    if *i == start {
        return None;
    }
    std::str::from_utf8(&b[start..*i]).ok()
}

/// `(\.[0-9]+)?`: the digits after a dot, or nothing (and no move).
fn dotted_number<'a>(b: &'a [u8], i: &mut usize) -> Option<&'a str> {
    if b.get(*i) != Some(&b'.') {
        return None;
    }
    let mut j = *i + 1;
    let digits = take_while(b, &mut j, |c| c.is_ascii_digit())?;
    *i = j;
    Some(digits)
}

/// `(-ID(\.ID)*)?` (or with `+`), anchored: the tag runs to the next `stops` byte or the end,
/// and must be dot-separated non-empty identifiers.
fn tagged_ids<'a>(b: &'a [u8], i: &mut usize, tag: u8, stops: &[u8]) -> Result<Option<&'a str>, String> {
    if b.get(*i) != Some(&tag) {
        return Ok(None);
    }
    let start = *i + 1;
    let mut end = start;
    while end < b.len() && !stops.contains(&b[end]) {
        end += 1;
    }
    let text = std::str::from_utf8(&b[start..end]).map_err(|_| INVALID.to_string())?;
    if text.split('.').any(|id| id.is_empty() || !id.bytes().all(is_id_char)) {
        return Err(INVALID.into());
    }
    *i = end;
    Ok(Some(text))
}

fn validate_prerelease(pre: &str) -> Result<(), String> {
    if pre.is_empty() {
        return Ok(());
    }
    for id in pre.split('.') {
        if id.bytes().all(|c| c.is_ascii_digit()) && id.len() > 1 && id.starts_with('0') {
            return Err("Version segment starts with 0".into());
        }
    }
    Ok(())
}

/// Dot-separated parts in turn; a missing part sorts first, numbers before words.
fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for i in 0..pa.len().max(pb.len()) {
        let d = compare_pre_part(pa.get(i).copied().unwrap_or(""), pb.get(i).copied().unwrap_or(""));
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
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
        // Equal numbers spelt differently ("01", "1") compare as less, as in the library.
        (Ok(x), Ok(y)) if x > y => Ordering::Greater,
        (Ok(_), Ok(_)) => Ordering::Less,
    }
}

impl Object for Version {
    fn type_name(&self) -> &'static str {
        "*semver.Version"
    }

    fn field(&self, name: &str) -> Option<Value> {
        self.method(name, &[]).and_then(Result::ok)
    }

    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let uint = |n: u64| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
        let nullary = match name {
            "Major" => Some(uint(self.major)),
            "Minor" => Some(uint(self.minor)),
            "Patch" => Some(uint(self.patch)),
            "Prerelease" => Some(Value::str(self.pre.as_str())),
            "Metadata" => Some(Value::str(self.metadata.as_str())),
            "Original" => Some(Value::str(self.original.as_str())),
            "String" => Some(Value::str(self.string())),
            "IncMajor" => Some(version_value(self.incremented(self.major.saturating_add(1), 0, 0))),
            "IncMinor" => Some(version_value(self.incremented(
                self.major,
                self.minor.saturating_add(1),
                0,
            ))),
            "IncPatch" => Some(version_value(if self.pre.is_empty() {
                self.incremented(self.major, self.minor, self.patch.saturating_add(1))
            } else {
                self.incremented(self.major, self.minor, self.patch)
            })),
            _ => None,
        };
        if let Some(v) = nullary {
            return Some(if args.is_empty() {
                Ok(v)
            } else {
                Err(wrong_args(name, 0, args.len()))
            });
        }
        let compare: fn(Ordering) -> Value = match name {
            "Compare" => |o| Value::Int(o as i64),
            "LessThan" => |o| Value::Bool(o.is_lt()),
            "LessThanEqual" => |o| Value::Bool(o.is_le()),
            "GreaterThan" => |o| Value::Bool(o.is_gt()),
            "GreaterThanEqual" => |o| Value::Bool(o.is_ge()),
            "Equal" => |o| Value::Bool(o.is_eq()),
            _ => return None,
        };
        Some(match args {
            [other] => other_version(other).map(|o| compare(self.compare(&o))),
            _ => Err(wrong_args(name, 1, args.len())),
        })
    }

    fn display(&self) -> String {
        self.string()
    }
}

fn version_value(v: Version) -> Value {
    Value::Object(Rc::new(v))
}

fn wrong_args(name: &str, want: usize, got: usize) -> String {
    format!("wrong number of args for {name}: want {want} got {got}")
}

/// A `*semver.Version` argument; its printed form parses back to the same version.
fn other_version(v: &Value) -> Result<Version, String> {
    match v {
        Value::Object(o) if o.type_name() == "*semver.Version" => Version::parse(&o.display()),
        other => Err(super::convert::wrong_type("*semver.Version", other)),
    }
}

// ---- constraints ----

#[derive(Debug)]
struct Constraint {
    op: &'static str,
    con: Version,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

/// A constraint version as `cvRegex` splits it: `v?SEG(.SEG)?(.SEG)?(-PRE)?(+META)?`.
#[derive(Debug, Default)]
struct Cv<'a> {
    text: &'a str,
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    /// With its leading `-`.
    pre: &'a str,
}

const OPS: [&str; 11] = ["!=", ">=", "=>", "<=", "=<", "~>", "=", ">", "<", "~", "^"];

fn is_seg_char(c: u8) -> bool {
    c.is_ascii_digit() || matches!(c, b'x' | b'X' | b'*' | b'|')
}

fn is_space(c: u8) -> bool {
    // RE2's `\s`: no vertical tab.
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r')
}

fn skip_spaces(b: &[u8], i: &mut usize) -> usize {
    let start = *i;
    while *i < b.len() && is_space(b[*i]) {
        *i += 1;
    }
    *i - start
}

/// The operator at `i` (possibly none): a wrong, shorter match would leave an operator
/// character where a version must start, so the longest one is the regex's choice.
fn parse_op(s: &str, i: &mut usize) -> &'static str {
    let rest = &s[*i..];
    let op = OPS.iter().find(|op| rest.starts_with(**op)).copied().unwrap_or("");
    *i += op.len();
    op
}

/// A constraint version at `i`, as long as the regex's greedy match takes it.
fn parse_cv<'a>(s: &'a str, i: &mut usize) -> Option<Cv<'a>> {
    let b = s.as_bytes();
    let start = *i;
    let mut j = start + usize::from(b.get(start) == Some(&b'v'));
    let seg = |j: &mut usize| {
        let from = *j;
        while *j < b.len() && is_seg_char(b[*j]) {
            *j += 1;
        }
        (*j > from).then(|| &s[from..*j])
    };
    let major = seg(&mut j)?;
    let dotted = |j: &mut usize| {
        if b.get(*j) != Some(&b'.') {
            return "";
        }
        let mut k = *j + 1;
        match seg(&mut k) {
            Some(_) => {
                let text = &s[*j..k];
                *j = k;
                text
            }
            None => "",
        }
    };
    let minor = dotted(&mut j);
    let patch = if minor.is_empty() { "" } else { dotted(&mut j) };
    let pre_start = j;
    greedy_ids(b, &mut j, b'-');
    let pre = &s[pre_start..j];
    greedy_ids(b, &mut j, b'+');
    *i = j;
    Some(Cv {
        text: &s[start..j],
        major,
        minor,
        patch,
        pre,
    })
}

/// `(TAG ID(\.ID)*)?`, unanchored and greedy.
fn greedy_ids(b: &[u8], j: &mut usize, tag: u8) {
    if b.get(*j) != Some(&tag) || !b.get(*j + 1).is_some_and(|c| is_id_char(*c)) {
        return;
    }
    let mut k = *j + 1;
    loop {
        while k < b.len() && is_id_char(b[k]) {
            k += 1;
        }
        if b.get(k) == Some(&b'.') && b.get(k + 1).is_some_and(|c| is_id_char(*c)) {
            k += 1;
        } else {
            break;
        }
    }
    *j = k;
}

fn parse_constraints(c: &str) -> Result<Vec<Vec<Constraint>>, String> {
    let c = rewrite_ranges(c);
    c.split("||").map(parse_and_group).collect()
}

/// One `||` alternative: `OP VERSION` items separated by spaces or commas. The whole text must
/// have that shape (else "improper constraint"), then each item is read.
fn parse_and_group(part: &str) -> Result<Vec<Constraint>, String> {
    let improper = || format!("improper constraint: {part}");
    let b = part.as_bytes();
    let mut i = 0;
    let mut items = Vec::new();
    skip_spaces(b, &mut i);
    loop {
        let op = parse_op(part, &mut i);
        skip_spaces(b, &mut i);
        items.push((op, parse_cv(part, &mut i).ok_or_else(improper)?));
        let spaces = skip_spaces(b, &mut i);
        if i == b.len() {
            return items.iter().map(|(op, cv)| build_constraint(op, cv)).collect();
        }
        if b[i] == b',' {
            i += 1;
            skip_spaces(b, &mut i);
        } else if spaces == 0 {
            return Err(improper());
        }
    }
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

/// `parseConstraint`: wildcard or missing parts make the constraint "dirty" and read as 0.
fn build_constraint(op: &'static str, cv: &Cv) -> Result<Constraint, String> {
    let minor = cv.minor.strip_prefix('.').unwrap_or(cv.minor);
    let patch = cv.patch.strip_prefix('.').unwrap_or(cv.patch);
    let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, true);
    let text = if is_x(cv.major) {
        format!("0.0.0{}", cv.pre)
    } else if is_x(minor) || minor.is_empty() {
        minor_dirty = true;
        format!("{}.0.0{}", cv.major, cv.pre)
    } else if is_x(patch) || patch.is_empty() {
        patch_dirty = true;
        format!("{}{}.0{}", cv.major, cv.minor, cv.pre)
    } else {
        dirty = false;
        cv.text.to_owned()
    };
    let con = Version::parse(&text).map_err(|_| "constraint Parser Error".to_string())?;
    Ok(Constraint {
        op,
        con,
        minor_dirty,
        patch_dirty,
        dirty,
    })
}

/// `A - B` becomes `>= A, <= B `, replacing each match's first occurrence, as the library does.
fn rewrite_ranges(c: &str) -> String {
    let mut found = Vec::new();
    let mut i = 0;
    while i < c.len() {
        match range_at(c, i) {
            Some((end, low, high)) => {
                found.push((&c[i..end], format!(">= {low}, <= {high} ")));
                i = end;
            }
            None => i += c[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    let mut out = c.to_owned();
    for (text, replacement) in found {
        out = out.replacen(text, &replacement, 1);
    }
    out
}

/// `\s*(CV)\s+-\s+(CV)\s*` starting at `i`: its end and the two versions.
fn range_at(c: &str, i: usize) -> Option<(usize, &str, &str)> {
    let b = c.as_bytes();
    let mut j = i;
    skip_spaces(b, &mut j);
    let low = parse_cv(c, &mut j)?.text;
    if skip_spaces(b, &mut j) == 0 || b.get(j) != Some(&b'-') {
        return None;
    }
    j += 1;
    if skip_spaces(b, &mut j) == 0 {
        return None;
    }
    let high = parse_cv(c, &mut j)?.text;
    skip_spaces(b, &mut j);
    Some((j, low, high))
}

impl Constraint {
    fn check(&self, v: &Version) -> bool {
        // Every operator first refuses a prerelease version unless the constraint has one
        // (`!=` only when dirty).
        let pre_blocked = !v.pre.is_empty() && self.con.pre.is_empty();
        match self.op {
            "" | "=" => {
                !pre_blocked
                    && if self.dirty {
                        self.tilde(v)
                    } else {
                        v.compare(&self.con).is_eq()
                    }
            }
            "!=" => self.not_equal(v),
            ">" => !pre_blocked && self.greater(v),
            "<" => !pre_blocked && v.compare(&self.con).is_lt(),
            ">=" | "=>" => !pre_blocked && v.compare(&self.con).is_ge(),
            "<=" | "=<" => !pre_blocked && self.less_equal(v),
            "~" | "~>" => !pre_blocked && self.tilde(v),
            "^" => !pre_blocked && self.caret(v),
            _ => false,
        }
    }

    fn not_equal(&self, v: &Version) -> bool {
        let c = &self.con;
        if self.dirty {
            if !v.pre.is_empty() && c.pre.is_empty() {
                return false;
            }
            if c.major != v.major {
                return true;
            }
            if c.minor != v.minor && !self.minor_dirty {
                return true;
            } else if self.minor_dirty {
                return false;
            } else if c.patch != v.patch && !self.patch_dirty {
                return true;
            } else if self.patch_dirty {
                return (!v.pre.is_empty() || !c.pre.is_empty()) && compare_prerelease(&v.pre, &c.pre).is_ne();
            }
        }
        !v.compare(c).is_eq()
    }

    fn greater(&self, v: &Version) -> bool {
        let c = &self.con;
        if !self.dirty {
            return v.compare(c).is_gt();
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
        v.compare(c).is_gt()
    }

    fn less_equal(&self, v: &Version) -> bool {
        let c = &self.con;
        if !self.dirty {
            return v.compare(c).is_le();
        }
        if v.major > c.major {
            return false;
        }
        !(v.major == c.major && v.minor > c.minor && !self.minor_dirty)
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c).is_lt() {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        v.major == c.major && (v.minor == c.minor || self.minor_dirty)
    }

    fn caret(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c).is_lt() {
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
    use super::super::super::value::go_string;
    use super::*;

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn compare(c: &str, v: &str) -> Result<bool, String> {
        match semver_compare(&[s(c), s(v)])? {
            Value::Bool(b) => Ok(b),
            other => panic!("{other:?}"),
        }
    }

    /// Each line is `constraint|version => what helm 3.17.1 printed`.
    const CASES: &str = "\
>=1.19-0|v1.30.0 => true
>=1.19-0|1.30.0-gke.100 => true
>=1.19-0|v1.30.0-gke.100 => true
>=1.19|v1.30.0-gke.100 => false
>=1.19|1.30.0 => true
>=1.19.0|v1.18.9 => false
<1.19-0|v1.18.9-eks-1234 => true
>= 1.19, < 1.25|1.24.3 => true
>=1.19,<1.25|1.25.0 => false
>=1.19 <1.25|1.20.1 => true
~1.2.3|1.2.9 => true
~1.2.3|1.3.0 => false
~1.2|1.2.0 => true
~1|1.9.9 => true
~1|2.0.0 => false
^1.2.3|1.9.0 => true
^1.2.3|2.0.0 => false
^0.2.3|0.2.9 => true
^0.2.3|0.3.0 => false
^0.0.3|0.0.3 => true
^0.0.3|0.0.4 => false
^0.0|0.0.9 => true
^0|0.9.9 => true
1.2.x|1.2.7 => true
1.2.x|1.3.0 => false
1.x|1.5.0 => true
*|1.5.0 => true
*|1.5.0-beta => false
x|0.0.0 => true
1.2|1.2.5 => true
1.2|1.3.0 => false
=1.2.3|1.2.3 => true
1.2.3|1.2.3+build => true
!=1.2.3|1.2.4 => true
!=1.2|1.2.4 => false
!=1.2|1.3.0 => true
>1.2|1.2.9 => false
>1.2|1.3.0 => true
>1|1.9 => false
>1|2.0 => true
<=1.2|1.2.9 => true
<=1.2|1.3.0 => false
=<1.2.3|1.2.3 => true
=>1.2.3|1.2.3 => true
~>1.2.3|1.2.5 => true
1.2 - 1.4|1.4.9 => true
1.2 - 1.4|1.5.0 => false
1.2 - 1.4.2|1.4.3 => false
1.0.0 - 2.0.0 || >=3.0.0|3.1.0 => true
<1.0.0 || >=2.0.0|1.5.0 => false
>=1.19-0|1.19.0-alpha.1 => true
>=1.19.0-0|1.19.0-alpha.1 => true
>1.2.3-alpha.1|1.2.3-alpha.2 => true
>1.2.3-alpha.10|1.2.3-alpha.9 => false
>1.2.3-alpha|1.2.3-alpha.1 => true
>=1.2.3-beta|1.2.3-alpha => false
<1.2.3-beta|1.2.3-alpha => true
>=v1.19|v1.20 => true
>=1.16-0|v1.16.15+k3s1 => true
>= 1.13.0-0|1.31.1-eks-ce1d5eb => true
>=1.21-0 <1.24-0|1.23.17-gke.1700 => true
^1.20.0-0|1.28.3 => true
>=1.19|bogus => Invalid Semantic Version
bogus|1.2.3 => improper constraint: bogus
>=1.19||<1.10|1.9.0 => true
|1.2.3 => improper constraint: 
>=1.2.3,|1.2.3 => improper constraint: >=1.2.3,
>=01.2.3|1.2.3 => true
>=1.2.3|01.02.03 => true
>=1.2.3|1.2.3-01 => Version segment starts with 0
1.2.3.4|1.2.3 => improper constraint: 1.2.3.4
>=1.2.x|1.2.0 => true
>=1.x|1.0.0-beta => false
>=*|1.0.0 => true
<2.x|1.9.9 => true
<2.x|2.0.0 => false
<=2.x|2.9.9 => true
>2.x|2.5 => false
>=1.2 <=1.4 || 1.6|1.6.3 => true
~0|0.5.0 => true
~0.0|0.0.5 => true
~0.0|0.1.0 => false
1.2.3-beta|1.2.3-beta => true
=1.2.3-beta.2|1.2.3-beta.2 => true
>=1.2.3 <1.2.3-beta|1.2.3 => false
  >=1.2   |1.3.0 => true
>=1.2.3||||1.2.3 => constraint Parser Error";

    #[test]
    fn constraints_as_helm() {
        for line in CASES.lines() {
            let (input, want) = line.split_once(" => ").expect("case");
            let (c, v) = input.rsplit_once('|').expect("case");
            let got = match compare(c, v) {
                Ok(b) => b.to_string(),
                Err(e) => e,
            };
            assert_eq!(got, want, "semverCompare {c:?} {v:?}");
        }
    }

    fn version(v: &str) -> Rc<dyn Object> {
        match semver(&[s(v)]).expect("version") {
            Value::Object(o) => o,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn version_object() {
        let v = version("v1.30.0-gke.100+meta");
        assert_eq!(v.display(), "1.30.0-gke.100+meta");
        assert_eq!(v.type_name(), "*semver.Version");
        let field = |name: &str| go_string(&v.method(name, &[]).expect("method").expect("ok"));
        assert_eq!(field("Major"), "1");
        assert_eq!(field("Minor"), "30");
        assert_eq!(field("Prerelease"), "gke.100");
        assert_eq!(field("Metadata"), "meta");
        assert_eq!(field("Original"), "v1.30.0-gke.100+meta");
        assert_eq!(version("1.2").display(), "1.2.0");
        let older = version("1.2.3");
        let newer = Value::Object(version("1.2.4"));
        assert_eq!(
            go_string(&older.method("Compare", std::slice::from_ref(&newer)).unwrap().unwrap()),
            "-1"
        );
        assert_eq!(go_string(&older.method("LessThan", &[newer]).unwrap().unwrap()), "true");
        assert_eq!(go_string(&older.method("IncMinor", &[]).unwrap().unwrap()), "1.3.0");
        assert_eq!(version("1.2.3-0a").display(), "1.2.3-0a");
    }

    #[test]
    fn version_errors() {
        let err = |v: &str| semver(&[s(v)]).expect_err("error");
        assert_eq!(err("x"), "Invalid Semantic Version");
        assert_eq!(err(""), "Invalid Semantic Version");
        assert_eq!(
            err("99999999999999999999.1.1"),
            "Error parsing version segment: strconv.ParseUint: parsing \"99999999999999999999\": value out of range"
        );
        assert_eq!(err("1.2.3-a..b"), "Invalid Semantic Version");
        assert_eq!(err("1.2.3+a..b"), "Invalid Semantic Version");
        assert_eq!(err("1.2.3-00"), "Version segment starts with 0");
        assert!(semver_compare(&[s(">=1.2"), Value::Nil]).is_err());
    }

    #[test]
    fn versions_parse_loosely() {
        let parse = |s: &str| Version::parse(s).map(|v| v.string()).ok();
        assert_eq!(parse("v1.2").as_deref(), Some("1.2.0"));
        assert_eq!(parse("1.2.3-rc.1+b").as_deref(), Some("1.2.3-rc.1+b"));
        assert!(parse("1.2.3.4").is_none());
        assert!(parse("").is_none());
        assert!(parse("1.0.0-01").is_none());
        assert!(parse("x").is_none());
    }

    /// What the chart loader asks when it pairs `charts/` subcharts with `dependencies:`.
    #[test]
    fn dependency_ranges_check_as_masterminds_does() {
        let ok = |c: &str, v: &str| matches(c, v).unwrap_or(false);
        assert!(ok("*", "1.2.3"));
        assert!(matches("", "1.2.3").is_err(), "an empty constraint does not parse");
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
