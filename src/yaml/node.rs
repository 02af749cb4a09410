//! The span tree: every key, value and list item knows its byte range in the original file.
//!
//! A document's nodes live in one arena ([`Tree`]): fixed-size records with `u32` offsets and
//! a collection's children side by side. A scalar whose value is its source text (most of
//! them) is that slice of the file; only values that differ from their text (escapes, folded
//! lines, block scalars, masked templates) are stored, in one string buffer per document.
//! Rules see [`Node`], a copyable handle into it.

use std::ops::Range;
use std::sync::{Arc, LazyLock};

use super::views::{Entries, Items};

pub type Span = Range<usize>;

/// Declared in the order a node record encodes it (`Raw::style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// A scalar's decoded value and how it was written.
#[derive(Debug, Clone, Copy)]
pub struct Scalar<'t> {
    pub value: &'t str,
    pub style: Style,
    /// The scalar overlaps a masked KOTS/Helm template: its value is unknown until render time.
    pub templated: bool,
}

/// What a node record holds, declared in the order it encodes it (`Raw::tag`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
    Scalar,
    Map,
    Seq,
    Alias,
}

/// One node of the arena, 16 bytes. `a` and `b()` are, by tag: a scalar's value as offset and
/// length in the file's text (`in_text`) or in [`Tree::strings`]; a mapping's first child and
/// entry count (key then value, side by side); a sequence's first item and item count; an
/// alias's anchor id. `bits` holds `b` in its low 24 bits and the flags above them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Raw {
    pub(super) start: u32,
    pub(super) end: u32,
    pub(super) a: u32,
    bits: u32,
}

/// `b` must stay below this: a 16 MiB scalar or a 16-million-entry collection. Kubernetes keeps
/// no object over 1.5 MiB (etcd's request limit), so no manifest comes near.
pub(super) const MAX_B: usize = 1 << 24;

impl Raw {
    /// `None` when `b` is [`MAX_B`] or more.
    pub(super) const fn new(
        span: (u32, u32),
        a: u32,
        b: usize,
        tag: Tag,
        style: Style,
        flags: (bool, bool),
    ) -> Option<Raw> {
        if b >= MAX_B {
            return None;
        }
        Some(Raw::pack(span, a, b as u32, tag, style, flags))
    }

    /// An alias to anchor `id`: nothing to count, so nothing to refuse.
    pub(super) const fn alias(span: (u32, u32), id: u32) -> Raw {
        Raw::pack(span, id, 0, Tag::Alias, Style::Plain, (false, false))
    }

    /// `b` must be below [`MAX_B`].
    const fn pack(span: (u32, u32), a: u32, b: u32, tag: Tag, style: Style, (templated, in_text): (bool, bool)) -> Raw {
        let bits = b | (tag as u32) << 24 | (style as u32) << 26 | (templated as u32) << 29 | (in_text as u32) << 30;
        Raw {
            start: span.0,
            end: span.1,
            a,
            bits,
        }
    }

    pub(super) const fn b(&self) -> u32 {
        self.bits & (MAX_B as u32 - 1)
    }

    pub(super) const fn tag(&self) -> Tag {
        match (self.bits >> 24) & 3 {
            0 => Tag::Scalar,
            1 => Tag::Map,
            2 => Tag::Seq,
            _ => Tag::Alias,
        }
    }

    const fn style(&self) -> Style {
        match (self.bits >> 26) & 7 {
            0 => Style::Plain,
            1 => Style::SingleQuoted,
            2 => Style::DoubleQuoted,
            3 => Style::Literal,
            _ => Style::Folded,
        }
    }

    pub(super) const fn templated(&self) -> bool {
        self.bits & 1 << 29 != 0
    }

    pub(super) const fn in_text(&self) -> bool {
        self.bits & 1 << 30 != 0
    }
}

/// The nodes of one document.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    pub(super) nodes: Vec<Raw>,
    /// The text of the file the document is in, shared with its `SourceFile`.
    pub(super) text: Arc<str>,
    /// Values that are not their source text.
    pub(super) strings: String,
    /// (anchor id, anchored node), sorted by id, for resolving aliases.
    pub(super) anchors: Vec<(u32, u32)>,
}

pub(super) static EMPTY_TREE: LazyLock<Tree> = LazyLock::new(Tree::default);

static EMPTY_SEQ: Raw = Raw::pack((0, 0), 0, 0, Tag::Seq, Style::Plain, (false, false));

impl Tree {
    /// An empty tree whose scalars may be slices of `text`.
    pub(super) fn over(text: Arc<str>) -> Tree {
        Tree {
            text,
            ..Tree::default()
        }
    }

    /// A scalar's value.
    pub(super) fn value(&self, raw: &Raw) -> &str {
        &self.holding(raw)[Tree::range(raw)]
    }

    /// A scalar's value as bytes: for comparing without checking char boundaries.
    fn bytes(&self, raw: &Raw) -> &[u8] {
        &self.holding(raw).as_bytes()[Tree::range(raw)]
    }

    fn holding(&self, raw: &Raw) -> &str {
        if raw.in_text() { &self.text } else { &self.strings }
    }

    fn range(raw: &Raw) -> Range<usize> {
        raw.a as usize..raw.a as usize + raw.b() as usize
    }

    pub(super) fn node(&self, id: u32) -> Node<'_> {
        Node {
            tree: self,
            raw: &self.nodes[id as usize],
        }
    }

    /// Map every span through `f`: for a tree parsed from text embedded in a scalar, to point
    /// into the file that holds it.
    pub fn shift_spans(&mut self, f: &dyn Fn(&Span) -> Span) {
        for n in &mut self.nodes {
            let s = f(&(n.start as usize..n.end as usize));
            (n.start, n.end) = (offset(s.start), offset(s.end));
        }
    }
}

/// Offsets are `u32`: `SourceFile::from_text_limited` refuses files of 4 GiB or more.
pub(super) fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// A node of a document's tree: cheap to copy, valid as long as the document.
#[derive(Clone, Copy)]
pub struct Node<'t> {
    tree: &'t Tree,
    raw: &'t Raw,
}

impl<'t> Node<'t> {
    pub(super) fn new(tree: &'t Tree, raw: &'t Raw) -> Self {
        Node { tree, raw }
    }
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind() {
            Kind::Scalar(s) => write!(f, "Scalar({:?}) @ {:?}", s.value, self.span()),
            Kind::Map(e) => f.debug_map().entries(e.iter()).finish(),
            Kind::Seq(i) => f.debug_list().entries(i.iter()).finish(),
            Kind::Alias(id) => write!(f, "Alias({id}) @ {:?}", self.span()),
        }
    }
}

impl PartialEq for Node<'_> {
    /// The same node of the same tree.
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.raw, other.raw)
    }
}

impl Eq for Node<'_> {}

/// What a node is, as rules match on it.
#[derive(Debug, Clone, Copy)]
pub enum Kind<'t> {
    Scalar(Scalar<'t>),
    Map(Entries<'t>),
    Seq(Items<'t>),
    /// An alias (`*name`); kept unexpanded so alias bombs cost nothing.
    Alias(usize),
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

impl<'t> Scalar<'t> {
    pub fn typed(&self) -> Typed<'t> {
        if self.style != Style::Plain {
            return Typed::Str(self.value);
        }
        let v = self.value;
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

impl<'t> Node<'t> {
    /// An empty sequence at offset 0: what an object without a root reads as.
    pub fn empty() -> Node<'static> {
        Node {
            tree: &EMPTY_TREE,
            raw: &EMPTY_SEQ,
        }
    }

    /// The node's byte range in its file.
    pub fn span(self) -> Span {
        self.raw.start as usize..self.raw.end as usize
    }

    fn children(self) -> &'t [Raw] {
        let (first, n) = (self.raw.a as usize, self.raw.b() as usize);
        let n = if self.raw.tag() == Tag::Map { 2 * n } else { n };
        &self.tree.nodes[first..first + n]
    }

    pub fn kind(self) -> Kind<'t> {
        match self.raw.tag() {
            Tag::Scalar => Kind::Scalar(self.scalar_unchecked()),
            Tag::Map => Kind::Map(self.entries()),
            Tag::Seq => Kind::Seq(self.items()),
            Tag::Alias => Kind::Alias(self.raw.a as usize),
        }
    }

    fn scalar_unchecked(self) -> Scalar<'t> {
        Scalar {
            value: self.tree.value(self.raw),
            style: self.raw.style(),
            templated: self.raw.templated(),
        }
    }

    pub fn scalar(self) -> Option<Scalar<'t>> {
        (self.raw.tag() == Tag::Scalar).then(|| self.scalar_unchecked())
    }

    /// The string value of a known (non-templated) scalar.
    pub fn as_str(self) -> Option<&'t str> {
        self.scalar().filter(|s| !s.templated).map(|s| s.value)
    }

    pub fn is_templated(self) -> bool {
        self.raw.tag() == Tag::Scalar && self.raw.templated()
    }

    /// A mapping's entries; none for anything else.
    pub fn entries(self) -> Entries<'t> {
        let nodes = if self.is_map() { self.children() } else { &[] };
        Entries { tree: self.tree, nodes }
    }

    /// A sequence's items; none for anything else.
    pub fn items(self) -> Items<'t> {
        let nodes = if self.is_seq() { self.children() } else { &[] };
        Items { tree: self.tree, nodes }
    }

    pub fn is_map(self) -> bool {
        self.raw.tag() == Tag::Map
    }

    pub fn is_seq(self) -> bool {
        self.raw.tag() == Tag::Seq
    }

    pub fn is_alias(self) -> bool {
        self.raw.tag() == Tag::Alias
    }

    /// For an alias, the node its anchor names (the last one defined under that id).
    pub fn alias_target(self) -> Option<Node<'t>> {
        let Kind::Alias(id) = self.kind() else {
            return None;
        };
        // Sorted by id, each id's anchors in the order they were defined: the last one counts.
        let anchors = &self.tree.anchors;
        let after = anchors.partition_point(|(a, _)| (*a as usize) <= id);
        let (a, node) = anchors.get(after.checked_sub(1)?)?;
        (*a as usize == id).then(|| self.tree.node(*node))
    }

    /// The entry (key node, value node) for `key` in a mapping.
    pub fn entry(self, key: &str) -> Option<(Node<'t>, Node<'t>)> {
        // The hottest lookup of every rule: lengths first, then bytes (no char-boundary checks).
        let is_key =
            |k: &Raw| k.tag() == Tag::Scalar && k.b() as usize == key.len() && self.tree.bytes(k) == key.as_bytes();
        let pair = self.entries().nodes.chunks_exact(2).find(|pair| is_key(&pair[0]))?;
        let tree = self.tree;
        Some((Node { tree, raw: &pair[0] }, Node { tree, raw: &pair[1] }))
    }

    pub fn get(self, key: &str) -> Option<Node<'t>> {
        self.entry(key).map(|(_, v)| v)
    }

    /// Follow a dotted path of mapping keys: `spec.template.metadata`.
    pub fn path(self, dotted: &str) -> Option<Node<'t>> {
        // Split by hand: for these short paths a `str` splitter costs as much as the lookups.
        let (mut node, mut rest) = (self, dotted);
        while let Some(dot) = rest.bytes().position(|b| b == b'.') {
            node = node.get(&rest[..dot])?;
            rest = &rest[dot + 1..];
        }
        node.get(rest)
    }

    /// Follow a JSON pointer (`/spec/hooks/resources/0`), returning the deepest node reached
    /// and whether the whole pointer resolved.
    pub fn pointer(self, pointer: &str) -> (Node<'t>, bool) {
        let mut node = self;
        for raw in pointer.split('/').skip(1) {
            let seg = raw.replace("~1", "/").replace("~0", "~");
            let next = match node.raw.tag() {
                Tag::Map => node.get(&seg),
                Tag::Seq => seg.parse::<usize>().ok().and_then(|i| node.items().get(i)),
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
    pub fn walk(self, f: &mut dyn FnMut(Node<'t>)) {
        f(self);
        match self.kind() {
            Kind::Map(entries) => {
                for (k, v) in entries {
                    k.walk(f);
                    v.walk(f);
                }
            }
            Kind::Seq(items) => items.iter().for_each(|i| i.walk(f)),
            _ => {}
        }
    }

    pub fn contains_template(self) -> bool {
        let mut found = false;
        self.walk(&mut |n| found |= n.is_templated());
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(v: &str) -> Scalar<'_> {
        Scalar {
            value: v,
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
            value: "30",
            style: Style::DoubleQuoted,
            templated: false,
        };
        assert_eq!(quoted.typed(), Typed::Str("30"));
    }

    #[test]
    fn a_path_splits_at_every_dot_as_a_str_split_would() {
        let docs = crate::yaml::parse_stream("a:\n  b:\n    c: 1\n  \"\": {x: 2}\n\"\": 3\n", &[]);
        let root = docs[0].root().unwrap();
        let value = |p: &str| root.path(p).map(|n| n.span());
        let split = |p: &str| p.split('.').try_fold(root, |n, k| n.get(k)).map(|n| n.span());
        for p in ["a.b.c", "a", "a.b", "a..x", "a.", "", "a.b.c.d", "x.y", ".", "a.b."] {
            assert_eq!(value(p), split(p), "{p:?}");
        }
        assert!(value("a.b.c").is_some() && value("a..x").is_some() && value("").is_some());
    }

    #[test]
    fn a_node_is_two_pointers_and_its_record_sixteen_bytes() {
        // Size is what the tree costs per key, value and item: keep it from growing unnoticed.
        assert_eq!(std::mem::size_of::<Node<'_>>(), 16);
        assert_eq!(std::mem::size_of::<Raw>(), 16);
    }

    #[test]
    fn records_keep_every_field() {
        let styles = [
            Style::Plain,
            Style::SingleQuoted,
            Style::DoubleQuoted,
            Style::Literal,
            Style::Folded,
        ];
        for tag in [Tag::Scalar, Tag::Map, Tag::Seq, Tag::Alias] {
            for style in styles {
                for flags in [(false, false), (true, false), (false, true), (true, true)] {
                    let raw = Raw::new((7, 9), 3, MAX_B - 1, tag, style, flags).unwrap();
                    assert_eq!((raw.start, raw.end, raw.a, raw.b() as usize), (7, 9, 3, MAX_B - 1));
                    assert_eq!((raw.tag(), raw.style()), (tag, style));
                    assert_eq!((raw.templated(), raw.in_text()), flags);
                }
            }
        }
        assert!(Raw::new((0, 0), 0, MAX_B, Tag::Seq, Style::Plain, (false, false)).is_none());
    }
}
