//! The span tree: every key, value and list item knows its byte range in the original file.

use std::ops::Range;

pub type Span = Range<usize>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone)]
pub struct Scalar {
    pub value: compact_str::CompactString,
    pub style: Style,
    /// The scalar overlaps a masked KOTS/Helm template: its value is unknown until render time.
    pub templated: bool,
}

#[derive(Debug, Clone)]
pub(super) enum NodeKind {
    Scalar(Scalar),
    Map(Vec<(Node, Node)>),
    Seq(Vec<Node>),
    Alias(usize),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub(super) span: Span,
    pub(super) kind: NodeKind,
}

/// What a node is, as rules match on it.
#[derive(Debug, Clone, Copy)]
pub enum Kind<'t> {
    Scalar(&'t Scalar),
    Map(Entries<'t>),
    Seq(Items<'t>),
    /// An alias (`*name`); kept unexpanded so alias bombs cost nothing.
    Alias(usize),
}

/// A mapping's entries, in source order: (key, value) pairs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Entries<'t>(&'t [(Node, Node)]);

/// A sequence's items, in source order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Items<'t>(&'t [Node]);

impl<'t> Entries<'t> {
    pub fn iter(self) -> impl DoubleEndedIterator<Item = (&'t Node, &'t Node)> + ExactSizeIterator + Clone {
        self.0.iter().map(|(k, v)| (k, v))
    }
    pub fn len(self) -> usize {
        self.0.len()
    }
    pub fn is_empty(self) -> bool {
        self.0.is_empty()
    }
    pub fn get(self, i: usize) -> Option<(&'t Node, &'t Node)> {
        self.0.get(i).map(|(k, v)| (k, v))
    }
    pub fn first(self) -> Option<(&'t Node, &'t Node)> {
        self.get(0)
    }
    pub fn last(self) -> Option<(&'t Node, &'t Node)> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }
}

impl<'t> Items<'t> {
    pub fn iter(self) -> impl DoubleEndedIterator<Item = &'t Node> + ExactSizeIterator + Clone {
        self.0.iter()
    }
    pub fn len(self) -> usize {
        self.0.len()
    }
    pub fn is_empty(self) -> bool {
        self.0.is_empty()
    }
    pub fn get(self, i: usize) -> Option<&'t Node> {
        self.0.get(i)
    }
    pub fn first(self) -> Option<&'t Node> {
        self.0.first()
    }
    pub fn last(self) -> Option<&'t Node> {
        self.0.last()
    }
}

impl<'t> IntoIterator for Entries<'t> {
    type Item = (&'t Node, &'t Node);
    type IntoIter = std::iter::Map<std::slice::Iter<'t, (Node, Node)>, fn(&'t (Node, Node)) -> (&'t Node, &'t Node)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<'t> IntoIterator for Items<'t> {
    type Item = &'t Node;
    type IntoIter = std::slice::Iter<'t, Node>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// What a scalar means under the YAML 1.2 core schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Typed<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
}

impl Scalar {
    pub fn typed(&self) -> Typed<'_> {
        if self.style != Style::Plain {
            return Typed::Str(&self.value);
        }
        let v = self.value.as_str();
        match v {
            "" | "~" | "null" | "Null" | "NULL" => Typed::Null,
            "true" | "True" | "TRUE" => Typed::Bool(true),
            "false" | "False" | "FALSE" => Typed::Bool(false),
            ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Typed::Float(f64::INFINITY),
            "-.inf" | "-.Inf" | "-.INF" => Typed::Float(f64::NEG_INFINITY),
            ".nan" | ".NaN" | ".NAN" => Typed::Float(f64::NAN),
            _ => parse_number(v).unwrap_or(Typed::Str(v)),
        }
    }
}

fn parse_number(v: &str) -> Option<Typed<'_>> {
    let first = v.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    if let Some(hex) = v.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(Typed::Int);
    }
    if let Some(oct) = v.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok().map(Typed::Int);
    }
    if v.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b'+') {
        return v.parse::<i64>().ok().map(Typed::Int);
    }
    let looks_float = v
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    if looks_float && v.bytes().any(|b| b.is_ascii_digit()) {
        return v.parse::<f64>().ok().map(Typed::Float);
    }
    None
}

impl Node {
    /// An empty sequence at offset 0: what an object without a root reads as.
    pub const EMPTY: Node = Node {
        span: 0..0,
        kind: NodeKind::Seq(Vec::new()),
    };

    /// Map every span in this subtree through `f`: for a tree parsed from text embedded in a
    /// scalar, to point into the file that holds it.
    pub fn shift_spans(&mut self, f: &dyn Fn(&Span) -> Span) {
        self.span = f(&self.span);
        match &mut self.kind {
            NodeKind::Map(entries) => {
                for (k, v) in entries {
                    k.shift_spans(f);
                    v.shift_spans(f);
                }
            }
            NodeKind::Seq(items) => items.iter_mut().for_each(|i| i.shift_spans(f)),
            _ => {}
        }
    }

    /// The node's byte range in its file.
    pub fn span(&self) -> Span {
        self.span.clone()
    }

    pub fn kind(&self) -> Kind<'_> {
        match &self.kind {
            NodeKind::Scalar(s) => Kind::Scalar(s),
            NodeKind::Map(e) => Kind::Map(Entries(e)),
            NodeKind::Seq(i) => Kind::Seq(Items(i)),
            NodeKind::Alias(id) => Kind::Alias(*id),
        }
    }

    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The string value of a known (non-templated) scalar.
    pub fn as_str(&self) -> Option<&str> {
        self.scalar().filter(|s| !s.templated).map(|s| s.value.as_str())
    }

    pub fn is_templated(&self) -> bool {
        self.scalar().is_some_and(|s| s.templated)
    }

    /// A mapping's entries; none for anything else.
    pub fn entries(&self) -> Entries<'_> {
        match &self.kind {
            NodeKind::Map(entries) => Entries(entries),
            _ => Entries(&[]),
        }
    }

    /// A sequence's items; none for anything else.
    pub fn items(&self) -> Items<'_> {
        match &self.kind {
            NodeKind::Seq(items) => Items(items),
            _ => Items(&[]),
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.kind, NodeKind::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.kind, NodeKind::Seq(_))
    }

    pub fn is_alias(&self) -> bool {
        matches!(self.kind, NodeKind::Alias(_))
    }

    /// The entry (key node, value node) for `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.entries()
            .iter()
            .find(|(k, _)| k.scalar().is_some_and(|s| s.value == key))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// Follow a dotted path of mapping keys: `spec.template.metadata`.
    pub fn path(&self, dotted: &str) -> Option<&Node> {
        dotted.split('.').try_fold(self, |node, key| node.get(key))
    }

    /// Follow a JSON pointer (`/spec/hooks/resources/0`), returning the deepest node reached
    /// and whether the whole pointer resolved.
    pub fn pointer(&self, pointer: &str) -> (&Node, bool) {
        let mut node = self;
        for raw in pointer.split('/').skip(1) {
            let seg = raw.replace("~1", "/").replace("~0", "~");
            let next = match &node.kind {
                NodeKind::Map(_) => node.get(&seg),
                NodeKind::Seq(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => return (node, false),
            }
        }
        (node, true)
    }

    /// Visit this node and every descendant.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Node)) {
        f(self);
        match &self.kind {
            NodeKind::Map(entries) => {
                for (k, v) in entries {
                    k.walk(f);
                    v.walk(f);
                }
            }
            NodeKind::Seq(items) => items.iter().for_each(|i| i.walk(f)),
            _ => {}
        }
    }

    pub fn contains_template(&self) -> bool {
        let mut found = false;
        self.walk(&mut |n| found |= n.is_templated());
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(v: &str) -> Scalar {
        Scalar {
            value: v.into(),
            style: Style::Plain,
            templated: false,
        }
    }

    #[test]
    fn core_schema_typing() {
        assert_eq!(plain("30").typed(), Typed::Int(30));
        assert_eq!(plain("true").typed(), Typed::Bool(true));
        assert_eq!(plain("~").typed(), Typed::Null);
        assert_eq!(plain("1.5").typed(), Typed::Float(1.5));
        assert_eq!(plain("30s").typed(), Typed::Str("30s"));
        assert_eq!(plain("yes").typed(), Typed::Str("yes"));
        let quoted = Scalar {
            value: "30".into(),
            style: Style::DoubleQuoted,
            templated: false,
        };
        assert_eq!(quoted.typed(), Typed::Str("30"));
    }
}
