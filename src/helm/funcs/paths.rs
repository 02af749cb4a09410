//! Sprig's path functions: Go's `path` package (slash-separated, never the OS's separator).

use super::{Func, arity, strval};
use crate::helm::value::Value;

pub(super) const FUNCS: &[(&str, Func)] = &[
    ("base", |a| one(a, base)),
    ("dir", |a| one(a, dir)),
    ("ext", |a| one(a, ext)),
    ("clean", |a| one(a, clean)),
    ("isAbs", |a| {
        arity(a, 1)?;
        Ok(Value::Bool(strval(&a[0]).starts_with('/')))
    }),
];

fn one(args: &[Value], f: fn(&str) -> String) -> super::Result {
    arity(args, 1)?;
    Ok(Value::str(f(&strval(&args[0]))))
}

/// `path.Clean`: one slash between elements, no `.`, `..` resolved lexically.
fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&l) if l != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            other => parts.push(other),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

/// `path.Base`: the last element, trailing slashes dropped; `.` for empty, `/` for all slashes.
fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_owned()
}

/// `path.Dir`: everything but the last element, cleaned.
fn dir(p: &str) -> String {
    let cut = p.rfind('/').map_or(0, |i| i + 1);
    clean(&p[..cut])
}

/// `path.Ext`: from the last `.` of the last element.
fn ext(p: &str) -> String {
    let last = p.rsplit('/').next().unwrap_or(p);
    last.rfind('.').map_or_else(String::new, |i| last[i..].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_path_semantics() {
        // Checked against helm v3.17.1: {{ base "a/b/" }} and so on.
        assert_eq!(base("a/b/c.yaml"), "c.yaml");
        assert_eq!(base("a/b/"), "b");
        assert_eq!(base(""), ".");
        assert_eq!(base("///"), "/");
        assert_eq!(dir("a/b/c.yaml"), "a/b");
        assert_eq!(dir("c.yaml"), ".");
        assert_eq!(dir("/c"), "/");
        assert_eq!(ext("a/b.tar.gz"), ".gz");
        assert_eq!(ext("a.d/b"), "");
        assert_eq!(clean("a//b/./../c/"), "a/c");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(clean("../../a"), "../../a");
        assert_eq!(clean(""), ".");
    }
}
