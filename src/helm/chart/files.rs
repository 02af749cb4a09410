//! `.Files` as Helm's `pkg/engine/files.go` defines it: a `map[string][]byte` of the chart's
//! non-template files with `Get`, `GetBytes`, `Glob` (gobwas/glob with `/` as separator; a
//! pattern that does not compile matches everything), `AsConfig`, `AsSecrets` and `Lines`.
//! `[]byte` results are lists of byte values (what `%v` prints for Go's `[]byte`).

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::helm::value::{Object, Value};

#[derive(Debug, Clone, Default)]
pub struct Files {
    files: Rc<BTreeMap<String, Rc<[u8]>>>,
}

impl Files {
    pub fn new(files: &[(String, Vec<u8>)]) -> Files {
        let map = files.iter().map(|(n, d)| (n.clone(), Rc::from(d.as_slice()))).collect();
        Files { files: Rc::new(map) }
    }

    pub fn value(self) -> Value {
        Value::Object(Rc::new(self))
    }

    /// The files by name, in Go's map iteration order for templates (sorted), for `range`.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(k, v)| (k.as_str(), &**v))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// A missing file is empty.
    pub fn get_bytes(&self, name: &str) -> &[u8] {
        self.files.get(name).map_or(&[], |d| d)
    }

    pub fn get(&self, name: &str) -> String {
        String::from_utf8_lossy(self.get_bytes(name)).into_owned()
    }

    pub fn glob(&self, pattern: &str) -> Files {
        let glob = Glob::compile(pattern);
        let map = self
            .files
            .iter()
            .filter(|(n, _)| glob.as_ref().is_none_or(|g| g.matches(n)))
            .map(|(n, d)| (n.clone(), d.clone()))
            .collect();
        Files { files: Rc::new(map) }
    }

    /// Base names to contents as a YAML map (a later duplicate base name wins).
    pub fn as_config(&self) -> String {
        let m: BTreeMap<String, String> = self
            .files
            .iter()
            .map(|(k, v)| (base(k).to_owned(), String::from_utf8_lossy(v).into_owned()))
            .collect();
        to_yaml_string_map(&m)
    }

    /// Base names to base64 contents as a YAML map.
    pub fn as_secrets(&self) -> String {
        let m: BTreeMap<String, String> = self
            .files
            .iter()
            .map(|(k, v)| (base(k).to_owned(), crate::helm::base64::encode(v)))
            .collect();
        to_yaml_string_map(&m)
    }

    /// The lines of a file (one trailing newline dropped); a missing file has none. Go
    /// indexes past the start of an empty file and the template fails.
    pub fn lines(&self, name: &str) -> Result<Vec<String>, String> {
        let Some(data) = self.files.get(name) else {
            return Ok(Vec::new());
        };
        if data.is_empty() {
            return Err("runtime error: index out of range [-1]".into());
        }
        let s = String::from_utf8_lossy(data);
        let s = s.strip_suffix('\n').unwrap_or(&s);
        Ok(s.split('\n').map(str::to_owned).collect())
    }
}

fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn bytes_value(data: &[u8]) -> Value {
    Value::list(data.iter().map(|b| Value::Int(i64::from(*b))).collect())
}

fn go_bytes(data: &[u8]) -> String {
    let parts: Vec<String> = data.iter().map(u8::to_string).collect();
    format!("[{}]", parts.join(" "))
}

/// One string argument, checked as text/template checks a method's arguments.
fn string_arg<'a>(name: &str, args: &'a [Value]) -> Result<&'a str, String> {
    if args.len() != 1 {
        return Err(format!("wrong number of args for {name}: want 1 got {}", args.len()));
    }
    match &args[0] {
        Value::Str(s) => Ok(s),
        Value::Nil | Value::NoValue => Err("invalid value; expected string".into()),
        other => Err(format!(
            "wrong type for value; expected string; got {}",
            other.type_name()
        )),
    }
}

fn no_args(name: &str, args: &[Value]) -> Result<(), String> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(format!("wrong number of args for {name}: want 0 got {}", args.len()))
    }
}

impl Object for Files {
    fn type_name(&self) -> &'static str {
        "engine.files"
    }

    /// `.Files.name` indexes the map; a missing key is Go's invalid value.
    fn field(&self, name: &str) -> Option<Value> {
        Some(self.files.get(name).map_or(Value::NoValue, |d| bytes_value(d)))
    }

    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let r = match name {
            "Get" => string_arg(name, args).map(|n| Value::str(self.get(n))),
            "GetBytes" => string_arg(name, args).map(|n| bytes_value(self.get_bytes(n))),
            "Glob" => string_arg(name, args).map(|p| self.glob(p).value()),
            "AsConfig" => no_args(name, args).map(|()| Value::str(self.as_config())),
            "AsSecrets" => no_args(name, args).map(|()| Value::str(self.as_secrets())),
            "Lines" => string_arg(name, args).and_then(|n| self.lines(n)).map(Value::strings),
            _ => return None,
        };
        Some(r)
    }

    fn entries(&self) -> Option<Vec<(String, Value)>> {
        Some(self.files.iter().map(|(k, v)| (k.clone(), bytes_value(v))).collect())
    }

    /// A Go map: a `Glob` that matches nothing is false and `empty`.
    fn go_len(&self) -> Option<usize> {
        Some(self.files.len())
    }

    fn display(&self) -> String {
        let parts: Vec<String> = self.files.iter().map(|(k, v)| format!("{k}:{}", go_bytes(v))).collect();
        format!("map[{}]", parts.join(" "))
    }
}

/// Helm's `toYAML` of a map of strings: go-yaml v2 output, trailing newline trimmed.
fn to_yaml_string_map(m: &BTreeMap<String, String>) -> String {
    let v = Value::map(m.iter().map(|(k, v)| (k.clone(), Value::str(v.as_str()))).collect());
    crate::helm::goyaml::emit::to_yaml(&v)
        .map(|y| y.trim_end_matches('\n').to_owned())
        .unwrap_or_default()
}

/// gobwas/glob compiled with `/` as the separator: `*` any run without `/`, `**` any run,
/// `?` one character but `/`, `[abc]`/`[a-z]` (`!` negates) one character, `{a,b}`
/// alternatives, `\` escapes.
#[derive(Debug, Clone)]
enum Token {
    Text(Vec<char>),
    Any,
    Super,
    Single,
    List(Vec<char>, bool),
    Range(char, char, bool),
    AnyOf(Vec<Vec<Token>>),
}

#[derive(Debug)]
struct Glob {
    tokens: Vec<Token>,
}

/// Backtracking steps one match may take before giving up (hostile patterns).
const MATCH_STEPS: usize = 200_000;

impl Glob {
    /// `None` when the pattern does not compile (Helm then matches everything).
    fn compile(pattern: &str) -> Option<Glob> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut p = GlobParser {
            chars,
            pos: 0,
            depth: 0,
        };
        let tokens = p.sequence()?;
        Some(Glob { tokens })
    }

    fn matches(&self, name: &str) -> bool {
        let s: Vec<char> = name.chars().collect();
        let mut steps = MATCH_STEPS;
        match_seq(&[&self.tokens], &s, &mut steps)
    }
}

struct GlobParser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

impl GlobParser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    /// Tokens up to the end, or up to a `,`/`}` inside braces (left for the caller).
    fn sequence(&mut self) -> Option<Vec<Token>> {
        let mut out = Vec::new();
        while let Some(c) = self.peek() {
            let in_terms = self.depth > 0;
            match c {
                ',' | '}' if in_terms => break,
                '{' => {
                    self.pos += 1;
                    out.push(self.alternatives()?);
                }
                '[' => {
                    self.pos += 1;
                    out.push(self.range()?);
                }
                '?' => {
                    self.pos += 1;
                    out.push(Token::Single);
                }
                '*' => {
                    self.pos += 1;
                    if self.peek() == Some('*') {
                        self.pos += 1;
                        out.push(Token::Super);
                    } else {
                        out.push(Token::Any);
                    }
                }
                _ => out.push(Token::Text(self.text(in_terms))),
            }
        }
        Some(out)
    }

    fn alternatives(&mut self) -> Option<Token> {
        self.depth += 1;
        if self.depth > 32 {
            return None;
        }
        let mut alts = vec![self.sequence()?];
        // An unclosed `{` runs to the end of the pattern, as gobwas parses it.
        while let Some(c) = self.peek() {
            self.pos += 1;
            if c == '}' {
                break;
            }
            alts.push(self.sequence()?);
        }
        self.depth -= 1;
        Some(Token::AnyOf(alts))
    }

    fn text(&mut self, in_terms: bool) -> Vec<char> {
        let mut out = Vec::new();
        while let Some(c) = self.peek() {
            if c == '\\' {
                self.pos += 1;
                if let Some(e) = self.peek() {
                    out.push(e);
                    self.pos += 1;
                }
                continue;
            }
            let breaker = matches!(c, '?' | '*' | '[' | '{') || (in_terms && matches!(c, '}' | ','));
            if breaker {
                break;
            }
            out.push(c);
            self.pos += 1;
        }
        out
    }

    /// After `[`: `!`? then `lo-hi` or a list of characters, then `]`.
    fn range(&mut self) -> Option<Token> {
        let not = self.peek() == Some('!');
        if not {
            self.pos += 1;
        }
        let first = self.peek()?;
        if self.chars.get(self.pos + 1) == Some(&'-') {
            let hi = *self.chars.get(self.pos + 2)?;
            self.pos += 3;
            if self.peek()? != ']' || hi < first {
                return None;
            }
            self.pos += 1;
            return Some(Token::Range(first, hi, not));
        }
        let mut list = Vec::new();
        while let Some(c) = self.peek() {
            if c == ']' {
                break;
            }
            self.pos += 1;
            if c == '\\' {
                list.push(self.peek()?);
                self.pos += 1;
            } else {
                list.push(c);
            }
        }
        if self.peek()? != ']' || list.is_empty() {
            return None;
        }
        self.pos += 1;
        Some(Token::List(list, not))
    }
}

/// Match `s` against the concatenation of `seqs` (a stack of continuations).
fn match_seq(seqs: &[&[Token]], s: &[char], steps: &mut usize) -> bool {
    if *steps == 0 {
        return false;
    }
    *steps -= 1;
    let Some((first, rest_seqs)) = seqs.split_first() else {
        return s.is_empty();
    };
    let Some((tok, rest)) = first.split_first() else {
        return match_seq(rest_seqs, s, steps);
    };
    let mut next: Vec<&[Token]> = Vec::with_capacity(seqs.len());
    next.push(rest);
    next.extend_from_slice(rest_seqs);
    match tok {
        Token::Text(t) => s.starts_with(t) && match_seq(&next, &s[t.len()..], steps),
        Token::Single => s.first().is_some_and(|c| *c != '/') && match_seq(&next, &s[1..], steps),
        Token::List(l, not) => s.first().is_some_and(|c| l.contains(c) != *not) && match_seq(&next, &s[1..], steps),
        Token::Range(lo, hi, not) => {
            s.first().is_some_and(|c| (lo <= c && c <= hi) != *not) && match_seq(&next, &s[1..], steps)
        }
        Token::Any => {
            let limit = s.iter().position(|c| *c == '/').unwrap_or(s.len());
            (0..=limit).any(|i| match_seq(&next, &s[i..], steps))
        }
        Token::Super => (0..=s.len()).any(|i| match_seq(&next, &s[i..], steps)),
        Token::AnyOf(alts) => alts.iter().any(|alt| {
            let mut with: Vec<&[Token]> = Vec::with_capacity(next.len() + 1);
            with.push(alt);
            with.extend_from_slice(&next);
            match_seq(&with, s, steps)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::value::go_string;

    fn sample() -> Files {
        Files::new(&[
            ("files/a.txt".into(), b"hello\nworld\n".to_vec()),
            ("files/empty.txt".into(), Vec::new()),
            ("files/m.txt".into(), b"multi\nline".to_vec()),
            ("files/sub/b.yaml".into(), b"x: 1\n".to_vec()),
        ])
    }

    fn names(f: &Files) -> String {
        f.entries().map(|(n, _)| format!("{n},")).collect()
    }

    fn call(f: &Files, m: &str, args: &[Value]) -> Result<Value, String> {
        f.method(m, args).unwrap()
    }

    // Expected values below are what helm template v3.17.1 printed for the same files.
    #[test]
    fn get_and_get_bytes() {
        let f = sample();
        assert_eq!(
            go_string(&call(&f, "Get", &[Value::str("files/a.txt")]).unwrap()),
            "hello\nworld\n"
        );
        assert_eq!(go_string(&call(&f, "Get", &[Value::str("nope")]).unwrap()), "");
        let b = call(&f, "GetBytes", &[Value::str("files/a.txt")]).unwrap();
        assert_eq!(go_string(&b), "[104 101 108 108 111 10 119 111 114 108 100 10]");
        assert_eq!(go_string(&f.field("nope").unwrap()), "<nil>");
        assert_eq!(
            f.display(),
            "map[files/a.txt:[104 101 108 108 111 10 119 111 114 108 100 10] files/empty.txt:[] files/m.txt:[109 117 108 116 105 10 108 105 110 101] files/sub/b.yaml:[120 58 32 49 10]]"
        );
        assert!(
            call(&f, "Get", &[])
                .unwrap_err()
                .starts_with("wrong number of args for Get")
        );
    }

    #[test]
    fn glob_uses_gobwas_semantics() {
        let f = sample();
        assert_eq!(names(&f.glob("files/*")), "files/a.txt,files/empty.txt,files/m.txt,");
        assert_eq!(
            names(&f.glob("files/**")),
            "files/a.txt,files/empty.txt,files/m.txt,files/sub/b.yaml,"
        );
        assert_eq!(names(&f.glob("**.yaml")), "files/sub/b.yaml,");
        assert_eq!(names(&f.glob("files/{a,m}.txt")), "files/a.txt,files/m.txt,");
        assert_eq!(names(&f.glob("files/[a-b].txt")), "files/a.txt,");
        assert_eq!(names(&f.glob("files/[!a].txt")), "files/m.txt,");
        assert_eq!(names(&f.glob("files/?.txt")), "files/a.txt,files/m.txt,");
        // Does not compile (a range then more characters): everything matches.
        assert_eq!(names(&f.glob("[a-z0-9]")), names(&f));
        assert_eq!(names(&f.glob("zzz")), "");
    }

    /// helm 3.17: `{{ if .Files.Glob "files/none" }}` takes the else branch, `or` passes it
    /// over, `empty` is true, `len` is 0, as for any empty Go map.
    #[test]
    fn a_glob_that_matches_nothing_is_an_empty_map() {
        let f = sample();
        let none = call(&f, "Glob", &[Value::str("files/none")]).unwrap();
        let some = call(&f, "Glob", &[Value::str("files/*")]).unwrap();
        assert!(!none.truth());
        assert!(some.truth());
        let func = |name: &str, v: &Value| {
            let f = crate::helm::funcs::lookup(name).unwrap();
            go_string(&f(std::slice::from_ref(v)).unwrap())
        };
        assert_eq!(func("empty", &none), "true");
        assert_eq!(func("empty", &some), "false");
        assert_eq!(func("len", &none), "0");
        assert_eq!(func("len", &some), "3");
    }

    #[test]
    fn as_config_and_as_secrets() {
        let f = sample().glob("files/*");
        assert_eq!(
            f.as_secrets(),
            "a.txt: aGVsbG8Kd29ybGQK\nempty.txt: \"\"\nm.txt: bXVsdGkKbGluZQ=="
        );
        assert_eq!(
            f.as_config(),
            "a.txt: |\n  hello\n  world\nempty.txt: \"\"\nm.txt: |-\n  multi\n  line"
        );
        assert_eq!(sample().glob("zzz").as_config(), "{}");
    }

    #[test]
    fn lines() {
        let f = sample();
        assert_eq!(
            go_string(&call(&f, "Lines", &[Value::str("files/a.txt")]).unwrap()),
            "[hello world]"
        );
        assert_eq!(go_string(&call(&f, "Lines", &[Value::str("nope")]).unwrap()), "[]");
        // helm: error calling Lines: runtime error: index out of range [-1]
        assert_eq!(
            call(&f, "Lines", &[Value::str("files/empty.txt")]).unwrap_err(),
            "runtime error: index out of range [-1]"
        );
    }
}
