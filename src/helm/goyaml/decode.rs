//! `sigs.k8s.io/yaml.Unmarshal` as Helm reads values files and `fromYaml` reads text: go-yaml
//! v2 decodes the first document into `interface{}` (YAML 1.1 typing, merge keys, aliases
//! with its alias-ratio guard), non-string keys become strings, and the result goes through
//! `encoding/json` into the target, so every number ends up a float64.
//!
//! The syntax is read by saphyr-parser; its error texts differ from libyaml's, but the
//! `yaml: line N: ...` shape and the line are kept.

use std::collections::{BTreeMap, HashMap};

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

use crate::helm::value::{Value, format_float};

use super::json::Target;
use super::resolve::{BINARY, Resolved, float32_key, resolve_plain, resolve_tagged};

/// Nesting deeper than this is refused (go-yaml allows 10000; this keeps the recursive
/// decoder well inside a 2 MiB thread stack, and no chart comes close).
const MAX_DEPTH: usize = 256;
/// Alias-driven decodes refused past this, whatever go-yaml's ratio would allow.
const MAX_ALIASED: usize = 1_000_000;

/// A values file or `fromYaml` text into `map[string]interface{}` (empty text: empty map).
pub fn from_yaml(text: &str) -> Result<Value, String> {
    decode(text, Target::Map)
}

/// Into `interface{}`: whatever the document's top level is (nil for an empty document).
pub fn from_yaml_any(text: &str) -> Result<Value, String> {
    decode(text, Target::Any)
}

/// Into `[]interface{}`, as `fromYamlArray` reads.
pub fn from_yaml_array(text: &str) -> Result<Value, String> {
    decode(text, Target::List)
}

/// The whole of sigs.k8s.io/yaml's `Unmarshal`, with its error wording.
pub fn decode(text: &str, target: Target) -> Result<Value, String> {
    let go = yaml_to_go(text).map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    let v = match go {
        Some(g) => to_value(&g).map_err(|e| format!("error converting YAML to JSON: {e}"))?,
        None => Value::Nil,
    };
    if let Some(e) = target.mismatch(&v) {
        return Err(format!("error unmarshaling JSON: while decoding JSON: {e}"));
    }
    Ok(if v.is_nil() { target.empty() } else { v })
}

/// What go-yaml v2 decodes into `interface{}`.
#[derive(Debug, Clone)]
enum Go {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Go>),
    Map(GoMap),
}

/// A Go `map[interface{}]interface{}`: keys equal when their dynamic type and value are.
#[derive(Debug, Clone, Default)]
struct GoMap {
    entries: Vec<(Go, Go)>,
    index: HashMap<KeyId, usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum KeyId {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(u64),
    Str(String),
    /// NaN keys never equal anything: each is its own entry.
    Unique(usize),
}

impl GoMap {
    fn insert(&mut self, k: Go, v: Go) {
        let id = match &k {
            Go::Nil => KeyId::Nil,
            Go::Bool(b) => KeyId::Bool(*b),
            Go::Int(i) => KeyId::Int(*i),
            Go::Uint(u) => KeyId::Uint(*u),
            Go::Float(f) if f.is_nan() => KeyId::Unique(self.entries.len()),
            // -0.0 == 0.0 in Go.
            Go::Float(f) => KeyId::Float(if *f == 0.0 { 0 } else { f.to_bits() }),
            Go::Str(s) => KeyId::Str(s.clone()),
            Go::Seq(_) | Go::Map(_) => KeyId::Unique(self.entries.len()),
        };
        match self.index.get(&id) {
            Some(&i) => self.entries[i].1 = v,
            None => {
                self.index.insert(id, self.entries.len());
                self.entries.push((k, v));
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Scalar,
    Seq,
    Map,
    Alias,
}

/// go-yaml's parser node.
#[derive(Debug)]
struct Node {
    kind: Kind,
    tag: String,
    value: String,
    /// A plain scalar without a tag (or with the `!` tag): its type comes from its text.
    implicit: bool,
    children: Vec<usize>,
    /// For an alias: the node its anchor names.
    target: usize,
}

/// go-yaml v2's `Unmarshal(text, &interface{})`; `None` for a stream with no document.
fn yaml_to_go(text: &str) -> Result<Option<Go>, String> {
    if text.chars().any(forbidden) {
        return Err("yaml: control characters are not allowed".into());
    }
    let Some((nodes, root)) = parse_first_document(text)? else {
        return Ok(None);
    };
    let mut d = Decoder {
        nodes: &nodes,
        active_aliases: Vec::new(),
        decode_count: 1,
        alias_count: 0,
        alias_depth: 0,
    };
    d.unmarshal(root, 0).map(Some)
}

/// Characters libyaml's reader refuses anywhere in the input.
fn forbidden(c: char) -> bool {
    let v = c as u32;
    !(matches!(v, 0x09 | 0x0A | 0x0D | 0x85)
        || (0x20..=0x7E).contains(&v)
        || (0xA0..=0xD7FF).contains(&v)
        || (0xE000..=0xFFFD).contains(&v)
        || v >= 0x10000)
}

struct Builder<'t> {
    text: &'t str,
    /// char index -> byte offset, for non-ASCII text (saphyr's markers count characters).
    char_bytes: Option<Vec<usize>>,
    nodes: Vec<Node>,
    stack: Vec<usize>,
    anchors: HashMap<usize, usize>,
    root: Option<usize>,
}

fn parse_first_document(text: &str) -> Result<Option<(Vec<Node>, usize)>, String> {
    let mut b = Builder {
        text,
        char_bytes: (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).chain([text.len()]).collect()),
        nodes: Vec::new(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
    };
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| b.scan_error(&e))?;
        match event {
            Event::DocumentEnd => break,
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix)).unwrap_or_default();
                let implicit = (tag.is_empty() && style == ScalarStyle::Plain) || tag == "!";
                let id = b.add(Kind::Scalar, tag, value.into_owned(), implicit, 0)?;
                b.anchor(anchor, id);
            }
            Event::SequenceStart(anchor, tag) => {
                b.open(Kind::Seq, anchor, tag.map(|t| format!("{}{}", t.handle, t.suffix)))?
            }
            Event::MappingStart(anchor, tag) => {
                b.open(Kind::Map, anchor, tag.map(|t| format!("{}{}", t.handle, t.suffix)))?
            }
            Event::SequenceEnd | Event::MappingEnd => {
                b.stack.pop();
            }
            Event::Alias(anchor) => {
                let name = b.alias_name(span.start.index());
                let target = *b
                    .anchors
                    .get(&anchor)
                    .ok_or_else(|| format!("yaml: unknown anchor '{name}' referenced"))?;
                b.add(Kind::Alias, String::new(), name, false, target)?;
            }
            _ => {}
        }
    }
    Ok(b.root.map(|r| (b.nodes, r)))
}

impl Builder<'_> {
    fn open(&mut self, kind: Kind, anchor: usize, tag: Option<String>) -> Result<(), String> {
        let id = self.add(kind, tag.unwrap_or_default(), String::new(), false, 0)?;
        self.anchor(anchor, id);
        self.stack.push(id);
        if self.stack.len() > MAX_DEPTH {
            return Err(format!("yaml: exceeded max depth of {MAX_DEPTH}"));
        }
        Ok(())
    }

    fn add(&mut self, kind: Kind, tag: String, value: String, implicit: bool, target: usize) -> Result<usize, String> {
        let id = self.nodes.len();
        self.nodes.push(Node {
            kind,
            tag,
            value,
            implicit,
            children: Vec::new(),
            target,
        });
        match self.stack.last() {
            Some(&parent) => self.nodes[parent].children.push(id),
            None => {
                if self.root.is_none() {
                    self.root = Some(id);
                }
            }
        }
        Ok(id)
    }

    fn anchor(&mut self, anchor: usize, id: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
    }

    fn byte_at(&self, char_index: usize) -> usize {
        match &self.char_bytes {
            Some(map) => map.get(char_index).copied().unwrap_or(self.text.len()),
            None => char_index.min(self.text.len()),
        }
    }

    /// The name after `*` at an alias's position.
    fn alias_name(&self, char_index: usize) -> String {
        let rest = self.text.get(self.byte_at(char_index)..).unwrap_or("");
        let rest = rest.strip_prefix('*').unwrap_or(rest);
        rest.chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
            .collect()
    }

    /// saphyr's error in libyaml's words where they are known, with the line go-yaml prints:
    /// a scanner error's line, a parser error's line minus one (go-yaml prints libyaml's
    /// 0-based mark for those), and none for a scanner error on the first line.
    fn scan_error(&self, e: &ScanError) -> String {
        let info = e.info();
        if info.contains("unknown anchor") {
            return format!(
                "yaml: unknown anchor '{}' referenced",
                self.alias_name(e.marker().index())
            );
        }
        let parser = info.starts_with("while parsing a node")
            || info.starts_with("while parsing a block")
            || info.starts_with("while parsing a flow");
        let problem = info.split_once(", ").map_or(info, |(_, p)| p);
        let problem = match problem {
            "expected ',' or ']'" => "did not find expected ',' or ']'",
            "simple key expect ':'" => "could not find expected ':'",
            p => p,
        };
        let mut line = e.marker().line();
        if problem == "found unexpected end of stream" {
            // libyaml stops at the end of the text, saphyr at the scalar's start.
            line = self.text.matches('\n').count() + 1;
        }
        let line = if parser {
            line.saturating_sub(1)
        } else if line > 1 {
            line
        } else {
            0
        };
        if line == 0 {
            format!("yaml: {problem}")
        } else {
            format!("yaml: line {line}: {problem}")
        }
    }
}

struct Decoder<'n> {
    nodes: &'n [Node],
    /// Alias nodes being expanded, to refuse an anchor that contains itself.
    active_aliases: Vec<usize>,
    decode_count: usize,
    alias_count: usize,
    alias_depth: usize,
}

/// go-yaml's allowed share of alias-driven decodes: 99% for small documents, down to 10%.
fn allowed_alias_ratio(decodes: usize) -> f64 {
    const LOW: f64 = 400_000.0;
    const HIGH: f64 = 4_000_000.0;
    let d = decodes as f64;
    if d <= LOW {
        0.99
    } else if d >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((d - LOW) / (HIGH - LOW))
    }
}

impl Decoder<'_> {
    fn count(&mut self) -> Result<(), String> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        let excessive = self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64 > allowed_alias_ratio(self.decode_count);
        if excessive || self.alias_count > MAX_ALIASED {
            return Err("yaml: document contains excessive aliasing".into());
        }
        Ok(())
    }

    fn unmarshal(&mut self, id: usize, depth: usize) -> Result<Go, String> {
        self.count()?;
        if depth > MAX_DEPTH {
            return Err(format!("yaml: exceeded max depth of {MAX_DEPTH}"));
        }
        let n = &self.nodes[id];
        match n.kind {
            Kind::Alias => self.alias(id, depth, |d, target, depth| d.unmarshal(target, depth)),
            Kind::Scalar => scalar(n),
            Kind::Seq => {
                let items = n
                    .children
                    .iter()
                    .map(|&c| self.unmarshal(c, depth + 1))
                    .collect::<Result<_, _>>()?;
                Ok(Go::Seq(items))
            }
            Kind::Map => {
                let mut m = GoMap::default();
                self.fill_map(id, &mut m, depth)?;
                Ok(Go::Map(m))
            }
        }
    }

    fn alias<T>(
        &mut self,
        id: usize,
        depth: usize,
        f: impl FnOnce(&mut Self, usize, usize) -> Result<T, String>,
    ) -> Result<T, String> {
        if self.active_aliases.contains(&id) {
            return Err(format!("yaml: anchor '{}' value contains itself", self.nodes[id].value));
        }
        self.active_aliases.push(id);
        self.alias_depth += 1;
        let r = f(self, self.nodes[id].target, depth + 1);
        self.alias_depth -= 1;
        self.active_aliases.pop();
        r
    }

    /// go-yaml's `mapping` into an existing map: merges (`<<`) write into the same map, and a
    /// later key replaces an earlier one.
    fn fill_map(&mut self, id: usize, out: &mut GoMap, depth: usize) -> Result<(), String> {
        let nodes = self.nodes;
        let children = &nodes[id].children;
        for pair in children.chunks(2) {
            let (k, v) = (pair[0], pair.get(1).copied());
            let Some(v) = v else { break };
            if is_merge(&nodes[k]) {
                self.merge(v, out, depth)?;
                continue;
            }
            let key = self.unmarshal(k, depth + 1)?;
            if matches!(key, Go::Seq(_) | Go::Map(_)) {
                return Err(format!("yaml: invalid map key: {}", go_syntax(&key)));
            }
            let value = self.unmarshal(v, depth + 1)?;
            out.insert(key, value);
        }
        Ok(())
    }

    fn merge(&mut self, id: usize, out: &mut GoMap, depth: usize) -> Result<(), String> {
        const WANT_MAP: &str = "yaml: map merge requires map or sequence of maps as the value";
        let nodes = self.nodes;
        let is_map_or_alias_to_map = |i: usize| match nodes[i].kind {
            Kind::Map => true,
            Kind::Alias => nodes[nodes[i].target].kind == Kind::Map,
            _ => false,
        };
        match nodes[id].kind {
            Kind::Map | Kind::Alias if is_map_or_alias_to_map(id) => self.merge_one(id, out, depth),
            Kind::Seq => {
                // Earlier maps take precedence: merge from the last.
                for &c in nodes[id].children.iter().rev() {
                    if !is_map_or_alias_to_map(c) {
                        return Err(WANT_MAP.into());
                    }
                    self.merge_one(c, out, depth)?;
                }
                Ok(())
            }
            _ => Err(WANT_MAP.into()),
        }
    }

    fn merge_one(&mut self, id: usize, out: &mut GoMap, depth: usize) -> Result<(), String> {
        self.count()?;
        if self.nodes[id].kind == Kind::Alias {
            return self.alias(id, depth, |d, target, depth| {
                d.count()?;
                d.fill_map(target, out, depth)
            });
        }
        self.fill_map(id, out, depth + 1)
    }
}

fn is_merge(n: &Node) -> bool {
    n.kind == Kind::Scalar && n.value == "<<" && (n.implicit || n.tag == super::resolve::MERGE)
}

/// go-yaml's `scalar` into `interface{}`.
fn scalar(n: &Node) -> Result<Go, String> {
    if n.tag.is_empty() && !n.implicit {
        return Ok(Go::Str(n.value.clone()));
    }
    let resolved = if n.tag.is_empty() || n.tag == "!" {
        if n.tag == "!" {
            Resolved::Str
        } else {
            resolve_plain(&n.value)
        }
    } else if n.tag == BINARY {
        let bytes = crate::helm::base64::decode(n.value.as_bytes())
            .map_err(|_| "yaml: !!binary value contains invalid base64 data")?;
        return Ok(Go::Str(String::from_utf8_lossy(&bytes).into_owned()));
    } else if is_resolvable(&n.tag) {
        resolve_tagged(&n.tag, &n.value).map_err(|e| format!("yaml: {e}"))?
    } else {
        Resolved::Str
    };
    Ok(match resolved {
        Resolved::Null => Go::Nil,
        Resolved::Bool(b) => Go::Bool(b),
        Resolved::Int(i) => Go::Int(i),
        Resolved::Uint(u) => Go::Uint(u),
        Resolved::Float(f) => Go::Float(f),
        Resolved::Timestamp | Resolved::Str => Go::Str(n.value.clone()),
    })
}

fn is_resolvable(tag: &str) -> bool {
    use super::resolve::{BOOL, FLOAT, INT, NULL, STR, TIMESTAMP};
    [STR, BOOL, INT, FLOAT, NULL, TIMESTAMP].contains(&tag)
}

/// Go's `%#v` of a decoded value, for the rare error messages that print one.
fn go_syntax(g: &Go) -> String {
    match g {
        Go::Nil => "<nil>".into(),
        Go::Bool(b) => b.to_string(),
        Go::Int(i) => i.to_string(),
        Go::Uint(u) => format!("0x{u:x}"),
        Go::Float(f) => format_float(*f, 'g', None),
        Go::Str(s) => format!("{s:?}"),
        Go::Seq(items) => format!(
            "[]interface {{}}{{{}}}",
            items.iter().map(go_syntax).collect::<Vec<_>>().join(", ")
        ),
        Go::Map(m) => format!(
            "map[interface {{}}]interface {{}}{{{}}}",
            m.entries
                .iter()
                .map(|(k, v)| format!("{}:{}", go_syntax(k), go_syntax(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// sigs.k8s.io/yaml's `convertToJSONableObject` then the JSON round trip: keys to strings,
/// numbers to float64, non-finite floats refused as `encoding/json` refuses them.
fn to_value(g: &Go) -> Result<Value, String> {
    Ok(match g {
        Go::Nil => Value::Nil,
        Go::Bool(b) => Value::Bool(*b),
        Go::Int(i) => Value::Float(*i as f64),
        Go::Uint(u) => Value::Float(*u as f64),
        Go::Float(f) if f.is_finite() => Value::Float(*f),
        Go::Float(f) => return Err(format!("json: unsupported value: {}", format_float(*f, 'g', None))),
        Go::Str(s) => Value::str(s.as_str()),
        Go::Seq(items) => Value::list(items.iter().map(to_value).collect::<Result<_, _>>()?),
        Go::Map(m) => {
            let mut out = BTreeMap::new();
            for (k, v) in &m.entries {
                out.insert(key_string(k, v)?, to_value(v)?);
            }
            Value::map(out)
        }
    })
}

fn key_string(k: &Go, v: &Go) -> Result<String, String> {
    Ok(match k {
        Go::Str(s) => s.clone(),
        Go::Int(i) => i.to_string(),
        Go::Float(f) => float32_key(*f),
        Go::Bool(b) => b.to_string(),
        Go::Nil => {
            return Err(format!(
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                go_syntax(v)
            ));
        }
        other => {
            let ty = if matches!(other, Go::Uint(_)) {
                "uint64"
            } else {
                "interface {}"
            };
            return Err(format!(
                "unsupported map key of type: {ty}, key: {}, value: {}",
                go_syntax(other),
                go_syntax(v)
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::goyaml::json::marshal;

    /// The decoded value as `toJson` prints it (expectations from `helm template`).
    fn json(text: &str) -> String {
        marshal(&from_yaml(text).unwrap(), true, false).unwrap()
    }

    fn err(text: &str) -> String {
        from_yaml(text).unwrap_err()
    }

    #[test]
    fn yaml_1_1_typing_and_float64_numbers() {
        assert_eq!(
            json(
                "n: [0755, 0x1F, 0o17, 1_000, 0b1010, +12, .5, 1e3, 12e, 09, 9007199254740993]\nb: [yes, No, on, OFF, y, N, yEs]\nt: [!!str 123, !!float 1, !!binary aGVsbG8=, ! 12, 2001-12-14]\n"
            ),
            r#"{"b":[true,false,true,false,true,false,"yEs"],"false":[493,31,15,1000,10,12,0.5,1000,"12e",9,9007199254740992],"t":["123",1,"hello","12","2001-12-14"]}"#
        );
        let Value::Map(m) = from_yaml("a: 1").unwrap() else {
            panic!()
        };
        assert!(matches!(m.borrow().get("a"), Some(Value::Float(f)) if *f == 1.0));
    }

    #[test]
    fn non_string_keys_become_their_text() {
        assert_eq!(
            json("no: b\n1: c\n1.5: d\n0x10: e\ntrue: f\n010: h\n1e3: i\n12345678.5: j\n-1: l\n"),
            r#"{"-1":"l","1":"c","1.2345678e+07":"j","1.5":"d","1000":"i","16":"e","8":"h","false":"b","true":"f"}"#
        );
    }

    #[test]
    fn merge_keys_and_aliases() {
        assert_eq!(
            json(
                "base: &b {a: 1, b: two}\nover:\n  <<: *b\n  b: three\nbefore:\n  a: 0\n  <<: {a: 5}\nmulti:\n  <<: [{a: 1}, {a: 2, y: 9}]\n"
            ),
            r#"{"base":{"a":1,"b":"two"},"before":{"a":5},"multi":{"a":1,"true":9},"over":{"a":1,"b":"three"}}"#
        );
        assert_eq!(json("\"<<\": {a: 1}"), r#"{"\u003c\u003c":{"a":1}}"#);
    }

    #[test]
    fn documents_duplicates_and_empty_text() {
        assert_eq!(json("a: 1\n---\nb: 2\n"), r#"{"a":1}"#);
        assert_eq!(json("a: 1\nb: 2\n---\nc: [\n"), r#"{"a":1,"b":2}"#);
        assert_eq!(json("---\n---\nb: 2\n"), "{}");
        assert_eq!(json(""), "{}");
        assert_eq!(json("# only\n"), "{}");
        assert_eq!(json("a: 1\na: 2\n"), r#"{"a":2}"#);
        assert_eq!(marshal(&from_yaml_array("").unwrap(), true, false).unwrap(), "[]");
    }

    #[test]
    fn errors_read_as_helm_prints_them() {
        let y = "error converting YAML to JSON: yaml: ";
        assert_eq!(
            err("a: [1, 2\n"),
            format!("{y}line 1: did not find expected ',' or ']'")
        );
        assert_eq!(
            err("a: b: c\n"),
            format!("{y}mapping values are not allowed in this context")
        );
        assert_eq!(
            err("a:\n  - b\n  c: d\n"),
            format!("{y}line 2: did not find expected '-' indicator")
        );
        assert_eq!(
            err("a: \"unterminated\n"),
            format!("{y}line 2: found unexpected end of stream")
        );
        assert_eq!(err("a: *x\n"), format!("{y}unknown anchor 'x' referenced"));
        assert_eq!(err("a: &x [*x]\n"), format!("{y}anchor 'x' value contains itself"));
        assert_eq!(
            err("<<: 1\n"),
            format!("{y}map merge requires map or sequence of maps as the value")
        );
        assert_eq!(err("a: !!int x\n"), format!("{y}cannot decode !!str `x` as a !!int"));
        assert_eq!(
            err("a: !!binary \"!!\"\n"),
            format!("{y}!!binary value contains invalid base64 data")
        );
        assert_eq!(err("a: \"\u{7f}\"\n"), format!("{y}control characters are not allowed"));
        assert_eq!(
            err("[1, 2]: x\n"),
            format!("{y}invalid map key: []interface {{}}{{1, 2}}")
        );
        assert_eq!(
            err("a: .inf\n"),
            "error converting YAML to JSON: json: unsupported value: +Inf"
        );
        assert_eq!(
            err("~: 1\n"),
            "error converting YAML to JSON: unsupported map key of type: %!s(<nil>), key: <nil>, value: 1"
        );
        let j = "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal";
        assert_eq!(
            err("- a\n"),
            format!("{j} array into Go value of type map[string]interface {{}}")
        );
        assert_eq!(
            err("12"),
            format!("{j} number into Go value of type map[string]interface {{}}")
        );
        assert_eq!(
            from_yaml_array("a: 1").unwrap_err(),
            format!("{j} object into Go value of type []interface {{}}")
        );
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert_eq!(
            err(&text),
            "error converting YAML to JSON: yaml: document contains excessive aliasing"
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
        assert!(from_yaml_any(&deep).is_err());
        let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(from_yaml_any(&ok).is_ok());
    }
}
