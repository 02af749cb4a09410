//! Build span trees from saphyr-parser events.
//!
//! The stream is first split at `---` lines so one broken document does not hide the others
//! (saphyr stops at the first error). Markers from saphyr count characters; they are turned into
//! byte offsets here so everything above this module works on bytes.

use std::sync::Arc;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError};

use super::node::{Node, Raw, Span, Style, Tag, Tree, offset};

/// Deeper nesting than this is refused: no real manifest comes close, and it bounds recursion
/// in every consumer of the tree.
pub const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Document {
    /// The byte range of the whole document, `---` line and comments included.
    pub span: Span,
    tree: Tree,
    root: Option<u32>,
    /// The document uses aliases (`*name`): only then can expanding it blow up.
    pub has_aliases: bool,
    pub error: Option<ParseError>,
}

impl Document {
    /// The document's root node; `None` for an empty or broken document.
    pub fn root(&self) -> Option<Node<'_>> {
        self.root.map(|r| self.tree.node(r))
    }

    /// The nodes anchors name (`&name`), which aliases elsewhere in the document reuse.
    pub fn anchored(&self) -> impl Iterator<Item = Node<'_>> {
        self.tree.anchors.iter().map(|(_, id)| self.tree.node(*id))
    }

    /// Map every span of the tree through `f` (see [`Tree::shift_spans`]).
    pub fn shift_spans(&mut self, f: &dyn Fn(&Span) -> Span) {
        self.tree.shift_spans(f);
    }
}

/// Parse a stream. `templates` are masked byte ranges, used to mark templated scalars.
pub fn parse_stream(text: &str, templates: &[Span]) -> Vec<Document> {
    parse_stream_limited(&Arc::from(text), text, templates, MAX_DEPTH, usize::MAX).unwrap_or_default()
}

/// More documents in one file than `.snaplint.yaml` `limits.max-documents` allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyDocuments {
    pub limit: usize,
}

/// [`parse_stream`] of a file's text, `masked` being that text with its `templates` masked
/// (same length), under the configured limits: nesting deeper than `max_depth` is a parse error
/// of its document; more than `max_documents` documents refuse the whole stream, before most of
/// it is parsed. The documents' trees share `source`.
pub fn parse_stream_limited(
    source: &Arc<str>,
    masked: &str,
    templates: &[Span],
    max_depth: usize,
    max_documents: usize,
) -> Result<Vec<Document>, TooManyDocuments> {
    parse_chunks(masked, templates, (max_depth, max_documents), Keep::Whole(source))
}

/// The documents [`parse_stream_limited`] finds, and how many of them have a parse error,
/// without building their trees: for asking whether an edit breaks parsing.
pub fn count_errors_limited(
    text: &str,
    templates: &[Span],
    max_depth: usize,
    max_documents: usize,
) -> Result<(usize, usize), TooManyDocuments> {
    let docs = parse_chunks(text, templates, (max_depth, max_documents), Keep::KeysOnly)?;
    Ok((docs.len(), docs.iter().filter(|d| d.error.is_some()).count()))
}

/// How much of the tree a parse keeps.
#[derive(Clone, Copy)]
enum Keep<'s> {
    /// Everything, values read from the file's text where they stand verbatim in it.
    Whole(&'s Arc<str>),
    /// Only what finding errors needs: each mapping's keys until it ends (duplicate keys are
    /// errors); collections come out empty.
    KeysOnly,
}

fn parse_chunks(
    text: &str,
    templates: &[Span],
    (max_depth, max_documents): (usize, usize),
    keep: Keep<'_>,
) -> Result<Vec<Document>, TooManyDocuments> {
    let too_many = TooManyDocuments { limit: max_documents };
    let chunks = split_documents(text);
    if chunks.len() > max_documents {
        return Err(too_many);
    }
    let mut docs = Vec::new();
    let mut scratch = Scratch::default();
    for chunk in chunks {
        let mut joined: Option<String> = None;
        for attempt in 0.. {
            let src = joined.as_deref().unwrap_or(&text[chunk.clone()]);
            let mut builder = Builder::new(src, chunk.start, templates, max_depth, keep);
            builder.scratch = std::mem::take(&mut scratch);
            builder.run();
            match builder.misindented_flow_line(src) {
                Some(blank) if attempt < MAX_FLOW_JOINS => {
                    scratch = builder.recycle();
                    let mut fixed = src.to_owned();
                    fixed.replace_range(blank.clone(), &" ".repeat(blank.len()));
                    joined = Some(fixed);
                }
                _ => {
                    let (found, rest) = builder.finish(chunk);
                    docs.extend(found);
                    scratch = rest;
                    break;
                }
            }
        }
        if docs.len() > max_documents {
            return Err(too_many);
        }
    }
    // Kept as long as the file: without the growth's spare capacity.
    docs.shrink_to_fit();
    Ok(docs)
}

/// Mappings with at most this many keys are checked for duplicates pair by pair.
const SMALL_MAP: usize = 16;

/// Flow-collection lines at their block's indentation re-parsed at most this often per document.
const MAX_FLOW_JOINS: usize = 64;

/// Split at lines that start with `---` followed by whitespace or the end of the line.
pub fn split_documents(text: &str) -> Vec<Span> {
    let mut cuts = vec![0];
    // A substring search for the marker is much cheaper than visiting every line.
    for at in memchr::memmem::find_iter(text.as_bytes(), "\n---") {
        if is_document_marker(&text[at + 1..]) {
            cuts.push(at + 1);
        }
    }
    cuts.push(text.len());
    cuts.windows(2).map(|w| w[0]..w[1]).collect()
}

/// Does the text start with a `---` document marker?
pub fn is_document_marker(rest_of_text: &str) -> bool {
    rest_of_text
        .strip_prefix("---")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
}

/// A builder's stacks, kept from one document to the next so they grow once per file.
#[derive(Default)]
struct Scratch {
    frames: Vec<Frame>,
    /// Children of the open collections, a mapping's as key, value, key, value.
    pending: Vec<Raw>,
}

/// An open collection. Its children wait on the builder's `pending` stack (from `from` on) and
/// move into the arena side by side when it ends.
enum Frame {
    Map {
        start: usize,
        anchor: usize,
        from: usize,
        /// A key is pending: the next node is its value.
        has_key: bool,
    },
    Seq {
        start: usize,
        anchor: usize,
        from: usize,
    },
}

struct Builder<'a> {
    text: &'a str,
    base: usize,
    templates: &'a [Span],
    max_depth: usize,
    /// chunk char index -> chunk byte offset, only built for non-ASCII chunks.
    char_bytes: Option<Vec<usize>>,
    keep: Keep<'a>,
    scratch: Scratch,
    /// The document being built.
    tree: Tree,
    docs: Vec<(Tree, Option<u32>, bool)>,
    aliases: bool,
    root: Option<u32>,
    in_doc: bool,
    error: Option<ParseError>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, base: usize, templates: &'a [Span], max_depth: usize, keep: Keep<'a>) -> Self {
        let char_bytes = (!text.is_ascii()).then(|| {
            let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            v.push(text.len());
            v
        });
        Builder {
            text,
            base,
            templates,
            max_depth,
            char_bytes,
            keep,
            scratch: Scratch::default(),
            tree: new_tree(keep),
            docs: Vec::new(),
            root: None,
            in_doc: false,
            aliases: false,
            error: None,
        }
    }

    fn byte(&self, m: &Marker) -> usize {
        let local = match &self.char_bytes {
            Some(map) => map.get(m.index()).copied().unwrap_or(self.text.len()),
            None => m.index().min(self.text.len()),
        };
        self.base + local
    }

    fn run(&mut self) {
        for item in Parser::new_from_str(self.text) {
            let step = match item {
                Ok((event, span)) => {
                    let (start, end) = (self.byte(&span.start), self.byte(&span.end));
                    self.event(event, start, end)
                }
                Err(e) => Err(self.scan_error(&e)),
            };
            if let Err(e) = step {
                self.error = Some(e);
                return;
            }
        }
    }

    fn scan_error(&self, e: &ScanError) -> ParseError {
        ParseError {
            offset: self.byte(e.marker()),
            message: e.info().to_owned(),
        }
    }

    fn event(&mut self, event: Event<'_>, start: usize, end: usize) -> Result<(), ParseError> {
        match event {
            Event::DocumentStart(_) => {
                self.in_doc = true;
            }
            Event::DocumentEnd => self.end_document(),
            Event::Scalar(value, style, anchor, _tag) => {
                let end = self.scalar_end(start, end, style);
                let templated = self.overlaps_template(start, end.max(start + 1));
                let (a, b, in_text) = self.locate(start, style, &value, templated);
                let span = (offset(start), offset(end));
                let raw = Raw::new(span, a, b, Tag::Scalar, style_of(style), (templated, in_text))
                    .ok_or_else(|| too_big(start, "a scalar longer than 16 MiB"))?;
                self.value(raw, anchor);
            }
            Event::Alias(id) => {
                self.aliases = true;
                self.value(Raw::alias((offset(start), offset(end)), offset(id)), 0);
            }
            Event::MappingStart(anchor, _) => self.push(
                Frame::Map {
                    start,
                    anchor,
                    from: self.scratch.pending.len(),
                    has_key: false,
                },
                start,
            )?,
            Event::SequenceStart(anchor, _) => self.push(
                Frame::Seq {
                    start,
                    anchor,
                    from: self.scratch.pending.len(),
                },
                start,
            )?,
            Event::MappingEnd => {
                self.check_duplicate_keys()?;
                self.pop(start, end)?;
            }
            Event::SequenceEnd => self.pop(start, end)?,
            _ => {}
        }
        Ok(())
    }

    /// saphyr's span for a quoted scalar can run past the closing quote over trailing spaces and
    /// a comment; find the real closing quote. Other scalars lose trailing whitespace.
    fn scalar_end(&self, start: usize, end: usize, style: ScalarStyle) -> usize {
        let bytes = self.text.as_bytes();
        let local = start - self.base;
        let quote_end = |quote: u8| {
            let mut i = local + 1;
            while i < bytes.len() {
                match bytes[i] {
                    b'\\' if quote == b'"' => i += 2,
                    b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
                    b if b == quote => return Some(self.base + i + 1),
                    _ => i += 1,
                }
            }
            None
        };
        let found = match style {
            ScalarStyle::DoubleQuoted => quote_end(b'"'),
            ScalarStyle::SingleQuoted => quote_end(b'\''),
            _ => None,
        };
        found.unwrap_or_else(|| {
            let mut e = end;
            while e > start && bytes.get(e - 1 - self.base).is_some_and(|b| *b == b' ' || *b == b'\t') {
                e -= 1;
            }
            e
        })
    }

    /// Does `start..end` overlap a masked template? Templates are sorted and disjoint: the
    /// first one ending after `start` is the only candidate.
    fn overlaps_template(&self, start: usize, end: usize) -> bool {
        let i = self.templates.partition_point(|t| t.end <= start);
        self.templates.get(i).is_some_and(|t| t.start < end)
    }

    fn push(&mut self, frame: Frame, at: usize) -> Result<(), ParseError> {
        if self.scratch.frames.len() >= self.max_depth {
            return Err(ParseError {
                offset: at,
                message: format!(
                    "nesting deeper than {} levels (limits.max-depth in .snaplint.yaml)",
                    self.max_depth
                ),
            });
        }
        self.scratch.frames.push(frame);
        Ok(())
    }

    /// YAML requires unique keys, and Kubernetes tooling rejects or silently drops duplicates;
    /// either way the manifest does not say what it seems to.
    fn check_duplicate_keys(&self) -> Result<(), ParseError> {
        let Some(Frame::Map { from, .. }) = self.scratch.frames.last() else {
            return Ok(());
        };
        let entries = &self.scratch.pending[*from..];
        let known = |k: &&Raw| k.tag() == Tag::Scalar && !k.templated();
        let mut keys = entries.iter().step_by(2).enumerate().filter(|(_, k)| known(k));
        // Most mappings have a handful of keys: comparing each with those before it costs less
        // than building a set for every mapping of the file.
        let duplicate = if entries.len() <= 2 * SMALL_MAP {
            keys.find(|&(i, k)| {
                let v = self.tree.value(k);
                entries[..2 * i]
                    .iter()
                    .step_by(2)
                    .filter(known)
                    .any(|e| self.tree.value(e) == v)
            })
        } else {
            let mut seen = std::collections::HashSet::new();
            keys.find(|(_, k)| !seen.insert(self.tree.value(k)))
        }
        .map(|(_, k)| k);
        match duplicate {
            Some(key) => Err(ParseError {
                offset: key.start as usize,
                message: format!("duplicate key `{}`", self.tree.value(key)),
            }),
            None => Ok(()),
        }
    }

    /// Where a scalar's value is kept, as (offset, length, in the file's text): in the text
    /// when it stands there verbatim, else appended to the document's strings. A keys-only
    /// parse keeps only keys.
    fn locate(&mut self, start: usize, style: ScalarStyle, value: &str, templated: bool) -> (u32, usize, bool) {
        let Keep::Whole(source) = self.keep else {
            let is_key = matches!(self.scratch.frames.last(), Some(Frame::Map { has_key: false, .. }));
            return if is_key { self.store(value) } else { (0, 0, false) };
        };
        let at = match style {
            ScalarStyle::Plain => Some(start),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Some(start + 1),
            _ => None,
        };
        match at.filter(|&at| !templated && source.get(at..at + value.len()) == Some(value)) {
            Some(at) => (offset(at), value.len(), true),
            None => self.store(value),
        }
    }

    fn store(&mut self, value: &str) -> (u32, usize, bool) {
        let at = offset(self.tree.strings.len());
        self.tree.strings.push_str(value);
        (at, value.len(), false)
    }

    fn pop(&mut self, end_start: usize, end_end: usize) -> Result<(), ParseError> {
        let Some(frame) = self.scratch.frames.pop() else {
            return Ok(());
        };
        // Flow collections end at their closing bracket (saphyr's end span runs on past it, over
        // trailing comments); block ones end at their last child.
        let bracket = self.text.as_bytes().get(end_start.wrapping_sub(self.base));
        let closing = (end_end > end_start && matches!(bracket, Some(b']' | b'}'))).then_some(end_start + 1);
        let (start, anchor, from, tag) = match frame {
            Frame::Map {
                start, anchor, from, ..
            } => (start, anchor, from, Tag::Map),
            Frame::Seq { start, anchor, from } => (start, anchor, from, Tag::Seq),
        };
        let first = self.tree.nodes.len();
        match self.keep {
            Keep::Whole(_) => self.tree.nodes.extend(self.scratch.pending.drain(from..)),
            Keep::KeysOnly => self.scratch.pending.truncate(from),
        }
        let children = self.tree.nodes.len() - first;
        // A mapping's last child is its last value.
        let last = (children > 0).then(|| self.tree.nodes[self.tree.nodes.len() - 1].end as usize);
        let end = closing.or(last).unwrap_or(start).max(start);
        let count = if tag == Tag::Map { children / 2 } else { children };
        let raw = Raw::new(
            (offset(start), offset(end)),
            offset(first),
            count,
            tag,
            Style::Plain,
            (false, false),
        )
        .ok_or_else(|| too_big(start, "a collection of more than 16,777,215 entries"))?;
        self.value(raw, anchor);
        Ok(())
    }

    /// Put a finished node into its parent, or make it the root.
    fn value(&mut self, raw: Raw, anchor: usize) {
        if anchor != 0 {
            let id = offset(self.tree.nodes.len());
            self.tree.nodes.push(raw);
            self.tree.anchors.push((offset(anchor), id));
        }
        match self.scratch.frames.last_mut() {
            Some(Frame::Seq { .. }) if matches!(self.keep, Keep::KeysOnly) => {}
            Some(Frame::Seq { .. }) => self.scratch.pending.push(raw),
            Some(Frame::Map { has_key, .. }) => {
                self.scratch.pending.push(raw);
                *has_key = !*has_key;
            }
            None => {
                self.root = Some(offset(self.tree.nodes.len()));
                self.tree.nodes.push(raw);
            }
        }
    }

    fn end_document(&mut self) {
        if self.in_doc {
            let mut tree = std::mem::replace(&mut self.tree, new_tree(self.keep));
            tree.nodes.shrink_to_fit();
            tree.strings.shrink_to_fit();
            // Stable: an id defined twice keeps its definitions in order.
            tree.anchors.sort_by_key(|&(id, _)| id);
            self.docs
                .push((tree, self.root.take(), std::mem::take(&mut self.aliases)));
        }
        self.in_doc = false;
    }

    /// One chunk normally holds one document; `...` markers can make more.
    /// saphyr-parser rejects flow-collection lines (items or the closing bracket) indented no
    /// deeper than the enclosing block (`- apiGroups: [\n  "a",\n  "b"]`, `command: [\n
    /// "a"\n]`: saphyr-rs/saphyr#108), which libyaml, go-yaml and so Helm and kubectl accept:
    /// indentation does not matter inside a flow collection. When that is the error and the
    /// parser is inside a flow collection, the newline before the offending line (only
    /// whitespace there) can become a space: the same bytes, so every offset stays true.
    /// A comment ending the previous line (or being all of it) would swallow the joined line,
    /// so it is blanked to spaces with the newline: comments are not part of the tree, and
    /// go-yaml skips them inside flow collections too. The byte range to blank, or `None`.
    fn misindented_flow_line(&self, src: &str) -> Option<Span> {
        let e = self.error.as_ref().filter(|e| e.message == "invalid indentation")?;
        let flow = self.scratch.frames.last().map(|f| match f {
            Frame::Map { start, .. } | Frame::Seq { start, .. } => start.wrapping_sub(self.base),
        })?;
        if !matches!(src.as_bytes().get(flow), Some(b'[' | b'{')) {
            return None;
        }
        let at = e.offset.checked_sub(self.base)?;
        let newline = src.get(..at)?.rfind('\n')?;
        if newline <= flow || !src[newline + 1..at].bytes().all(|b| b == b' ') {
            return None;
        }
        match flow_line_end(src.get(flow + 1..newline)?) {
            // A CRLF file: the `\r` alone would still break the line.
            LineEnd::Plain if newline > flow + 1 && src.as_bytes()[newline - 1] == b'\r' => {
                Some(newline - 1..newline + 1)
            }
            LineEnd::Plain => Some(newline..newline + 1),
            LineEnd::Comment(c, last) => {
                let comment = flow + 1 + c;
                joins_safely(last, src.as_bytes().get(at).copied()).then_some(comment..newline + 1)
            }
            LineEnd::Quoted => None,
        }
    }

    /// The stacks, emptied, for the next builder.
    fn recycle(mut self) -> Scratch {
        self.scratch.frames.clear();
        self.scratch.pending.clear();
        self.scratch
    }

    fn finish(mut self, chunk: Span) -> (Vec<Document>, Scratch) {
        let docs = std::mem::take(&mut self.docs);
        let error = self.error.take();
        let scratch = self.recycle();
        if error.is_some() {
            // Keep what parsed before the error out of rules' sight: a broken document is one
            // finding, not a source of guesses.
            let broken = Document {
                span: chunk,
                tree: Tree::default(),
                root: None,
                has_aliases: false,
                error,
            };
            return (vec![broken], scratch);
        }
        let n = docs.len();
        let docs = docs
            .into_iter()
            .enumerate()
            .filter(|(i, (_, root, _))| root.is_some() || (*i == 0 && n == 1))
            .map(|(_, (tree, root, has_aliases))| Document {
                span: chunk.clone(),
                tree,
                root,
                has_aliases,
                error: None,
            })
            .filter(|d| d.root().is_some_and(|r| !is_empty_scalar(r)))
            .collect();
        (docs, scratch)
    }
}

/// How the last line of a flow collection's text so far ends.
#[derive(Debug, PartialEq, Eq)]
enum LineEnd {
    Plain,
    /// In a comment starting at this byte of the text; the last byte before it that is
    /// neither whitespace nor in a comment.
    Comment(usize, Option<u8>),
    /// Inside a quoted scalar: joining would change its value.
    Quoted,
}

/// Scan flow-collection text (after its `[` or `{`) as go-yaml does: a `#` starts a comment
/// at the start of a line or after whitespace, not inside a quoted scalar (`"a # b"`) nor a
/// plain one (`a#b`); a quote opens a scalar only where a token starts (`it's` is plain).
fn flow_line_end(text: &str) -> LineEnd {
    #[derive(Clone, Copy)]
    enum In {
        Tokens,
        Double,
        Single,
        Comment(usize),
    }
    let bytes = text.as_bytes();
    let mut state = In::Tokens;
    let mut last = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let after_space = i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n');
        let token_start = after_space || matches!(bytes[i - 1], b'[' | b'{' | b',' | b':');
        state = match (state, b) {
            (In::Comment(_), b'\n') => In::Tokens,
            (In::Comment(c), _) => In::Comment(c),
            (In::Tokens, b'#') if after_space => In::Comment(i),
            (In::Tokens, b'"') if token_start => In::Double,
            (In::Tokens, b'\'') if token_start => In::Single,
            (In::Tokens, _) => In::Tokens,
            (In::Double, b'\\') => {
                i += 1;
                In::Double
            }
            (In::Double, b'"') => In::Tokens,
            (In::Single, b'\'') if bytes.get(i + 1) == Some(&b'\'') => {
                i += 1;
                In::Single
            }
            (In::Single, b'\'') => In::Tokens,
            (quoted, _) => quoted,
        };
        if !matches!(state, In::Comment(_)) && !b.is_ascii_whitespace() {
            last = Some(b);
        }
        i += 1;
    }
    match state {
        In::Tokens => LineEnd::Plain,
        In::Comment(c) => LineEnd::Comment(c, last),
        In::Double | In::Single => LineEnd::Quoted,
    }
}

/// Whether blanking a comment between the token ending in `last` (`None`: the collection's
/// opening bracket) and the token starting with `next` (`None`: the end) keeps go-yaml's
/// reading. A comment
/// ends a plain scalar, and the next line cannot continue it (`[a # c` then `b]` is an error
/// in go-yaml); joined, `a` and `b` would read as one scalar. So a plain scalar before the
/// comment may only be followed by an indicator that ends it.
fn joins_safely(last: Option<u8>, next: Option<u8>) -> bool {
    let ends_token = |b: u8| matches!(b, b'[' | b'{' | b',' | b':' | b'"' | b'\'' | b']' | b'}');
    last.is_none_or(ends_token) || next.is_none_or(|b| matches!(b, b',' | b']' | b'}'))
}

/// A document's tree: over the file's text when values are kept.
fn new_tree(keep: Keep<'_>) -> Tree {
    match keep {
        Keep::Whole(source) => Tree::over(Arc::clone(source)),
        Keep::KeysOnly => Tree::default(),
    }
}

/// The error for a node too large for the tree's record (`node::MAX_B`).
fn too_big(offset: usize, what: &str) -> ParseError {
    ParseError {
        offset,
        message: format!("{what}; no Kubernetes object comes near (at most 1.5 MiB)"),
    }
}

fn is_empty_scalar(node: Node<'_>) -> bool {
    node.scalar()
        .is_some_and(|s| s.value.is_empty() && s.style == Style::Plain)
}

fn style_of(style: ScalarStyle) -> Style {
    match style {
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
        _ => Style::Plain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<Document> {
        parse_stream(text, &[])
    }

    #[test]
    fn flow_collections_may_close_at_their_keys_indentation() {
        // helm's own output for minio 5.4.0: go-yaml and kubectl accept it.
        let text =
            "c:\n  - name: x\n    command: [\n      \"a\",\n      \"b\"\n    ]\n    other: {\n      k: \"v\"\n    }\n";
        let docs = parse(text);
        assert!(docs[0].error.is_none(), "{:?}", docs[0].error);
        let root = docs[0].root().unwrap();
        let item = root.path("c").unwrap().items().first().unwrap();
        let command = item.get("command").unwrap().items();
        assert_eq!(&text[command.get(1).unwrap().span()], "\"b\"");
        assert_eq!(item.path("other.k").and_then(Node::as_str), Some("v"));
        // istio 1.5's ClusterRole: items at the sequence item's own indentation.
        let text = "rules:\n- apiGroups: [\n  \"a\",\n  \"b\"]\n  verbs: [\"get\"]\n";
        let docs = parse(text);
        assert!(docs[0].error.is_none(), "{:?}", docs[0].error);
        let rule = docs[0].root().unwrap().path("rules").unwrap().items().first().unwrap();
        assert_eq!(rule.get("apiGroups").unwrap().items().len(), 2);
        // A comment before the line is blanked with the newline, not joined into.
        assert_eq!(json("a: [\n  \"x\" # c\n]\n"), serde_json::json!({"a": ["x"]}));
        // Bad block indentation is not a flow line: still an error.
        assert!(parse("a:\n  b: 1\n c: 2\n")[0].error.is_some());
    }

    /// The document as JSON, asserting it parsed.
    fn json(text: &str) -> serde_json::Value {
        let docs = parse(text);
        assert!(docs[0].error.is_none(), "{text:?}: {:?}", docs[0].error);
        crate::yaml::to_json(docs[0].root().unwrap()).unwrap()
    }

    /// The 1-based line of a document's parse error.
    fn error_line(text: &str) -> Option<usize> {
        let docs = parse(text);
        let e = docs[0].error.as_ref()?;
        Some(text[..e.offset].matches('\n').count() + 1)
    }

    #[test]
    fn comments_beside_misindented_flow_lines_read_as_go_yaml_reads_them() {
        // Each of these: helm 3.17's `fromYaml | toJson` (go-yaml) gives the same.
        let item = |command: serde_json::Value| serde_json::json!({"c": [{"name": "x", "command": command}]});
        let head = "c:\n  - name: x\n    command: [\n";
        let cases = [
            (
                "      \"a\",\n      \"b\"\n    # closing\n    ]\n",
                serde_json::json!(["a", "b"]),
            ),
            (
                "      \"a\",\n      \"b\" # last\n    ]\n",
                serde_json::json!(["a", "b"]),
            ),
            ("      \"a\",\n    # one\n    # two\n    ]\n", serde_json::json!(["a"])),
            (
                "      \"a\", # c1\n    # c2\n    \"b\"\n    ]\n",
                serde_json::json!(["a", "b"]),
            ),
            ("      \"v # x\", # real\n    ]\n", serde_json::json!(["v # x"])),
            ("      'it''s # no', # real\n    ]\n", serde_json::json!(["it's # no"])),
            (
                "      \"a\\\" # still quoted\", # real\n    ]\n",
                serde_json::json!(["a\" # still quoted"]),
            ),
            ("      \"a\", # café ☕\n    ]\n", serde_json::json!(["a"])),
        ];
        for (body, command) in cases {
            assert_eq!(json(&format!("{head}{body}")), item(command), "{body:?}");
        }
        // The comment on the opening line.
        let text = "c:\n  - name: x\n    command: [ # opening\n    \"a\"\n    ]\n";
        assert_eq!(json(text), item(serde_json::json!(["a"])));
        // istio's shape, a comment line between items at the sequence item's indentation.
        let text = "rules:\n- apiGroups: [\n  \"a\",\n  # the core group\n  \"b\"]\n  verbs: [\"get\"]\n";
        assert_eq!(
            json(text),
            serde_json::json!({"rules": [{"apiGroups": ["a", "b"], "verbs": ["get"]}]})
        );
        // A CRLF file.
        let text = "c:\r\n  - name: x\r\n    command: [\r\n      \"a\", # c\r\n      \"b\"\r\n    ]\r\n";
        assert_eq!(json(text), item(serde_json::json!(["a", "b"])));
        // Spans still point into the original text.
        let text = format!("{head}      \"a\", # c1\n    # c2\n    \"b\"\n    ]\n");
        let docs = parse(&text);
        let item = docs[0].root().unwrap().path("c").unwrap().items().first().unwrap();
        let command = item.get("command").unwrap().items();
        assert_eq!(command.get(1).unwrap().span().start, text.rfind("\"b\"").unwrap());
    }

    #[test]
    fn real_errors_beside_flow_comments_stay_errors_on_their_line() {
        // go-yaml rejects each of these at the same line (its message counts from 0).
        let head = "c:\n  - name: x\n    command: [\n";
        // Joined over two comments, then a bracket too many.
        assert_eq!(
            error_line(&format!("{head}      \"a\", # c\n    # d\n    ]]\n")),
            Some(6)
        );
        // No comma between two items a comment separates.
        assert_eq!(error_line(&format!("{head}      \"a\" # c\n    \"b\"]\n")), Some(5));
        // Never closed.
        assert_eq!(
            error_line(&format!("{head}      \"a\", # c\n    # d\n    other: 1\n")),
            Some(7)
        );
        // A comment ends a plain scalar; the next line cannot continue it.
        assert_eq!(error_line(&format!("{head}      a # c\n    b]\n")), Some(5));
    }

    #[test]
    fn flow_text_ends_in_a_comment_only_outside_scalars() {
        assert_eq!(flow_line_end("\n  \"a\",\n  # c"), LineEnd::Comment(10, Some(b',')));
        assert_eq!(flow_line_end(" # opening"), LineEnd::Comment(1, None));
        assert_eq!(flow_line_end("\n  \"a # b\""), LineEnd::Plain);
        assert_eq!(flow_line_end("\n  'it''s # no'"), LineEnd::Plain);
        assert_eq!(flow_line_end("\n  a#b, it's"), LineEnd::Plain);
        assert_eq!(flow_line_end("\n  it's # c"), LineEnd::Comment(8, Some(b's')));
        assert_eq!(flow_line_end("\n  \"a\\\" # b"), LineEnd::Quoted);
        assert_eq!(flow_line_end("\n  \"multi"), LineEnd::Quoted);
        // A plain scalar before a comment may only be ended by an indicator after it.
        assert!(joins_safely(Some(b','), Some(b'"')));
        assert!(joins_safely(None, Some(b'a')));
        assert!(joins_safely(Some(b'a'), Some(b']')));
        assert!(joins_safely(Some(b'a'), None));
        assert!(!joins_safely(Some(b'a'), Some(b'b')));
    }

    #[test]
    fn counting_errors_finds_what_parsing_finds() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let texts = [
            "a: 1\n---\nb: [unclosed\n---\nc: 3\n",
            "l:\n  - {a: 1, a: 2}\n  - [x, {b: 1}]\n",
            "l:\n  - m:\n      k: 1\n      k: 2\n",
            "c:\n  - name: x\n    command: [\n      \"a\", # c\n    \"b\"\n    ]\n",
            "a: 1\n...\n---\nb: 2\n...\n",
            "# only a comment\n",
            &deep,
        ];
        for text in texts {
            let docs = parse_stream_limited(&Arc::from(text), text, &[], MAX_DEPTH, 10).unwrap();
            let errors = docs.iter().filter(|d| d.error.is_some()).count();
            assert_eq!(
                count_errors_limited(text, &[], MAX_DEPTH, 10),
                Ok((docs.len(), errors)),
                "{text:?}"
            );
        }
        assert!(count_errors_limited("a: 1\n---\nb: 2\n", &[], MAX_DEPTH, 1).is_err());
    }

    #[test]
    fn spans_are_bytes_for_keys_values_and_items() {
        let text = "# c\nmetadata:\n  name: café\nspec:\n  items:\n    - a\n    - \"b c\"\n";
        let docs = parse(text);
        assert_eq!(docs.len(), 1);
        let root = docs[0].root().unwrap();
        let name = root.path("metadata.name").unwrap();
        assert_eq!(&text[name.span()], "café");
        let items = root.path("spec.items").unwrap().items();
        assert_eq!(&text[items.get(1).unwrap().span()], "\"b c\"");
        let (key, _) = root.entry("spec").unwrap();
        assert_eq!(&text[key.span()], "spec");
    }

    #[test]
    fn spans_stop_before_trailing_comments() {
        let text = "a: \"yes\"   # c\nb: 'it''s'  # d\nc: [x, y]  # e\nd: 30d  # f\n";
        let docs = parse(text);
        let root = docs[0].root().unwrap();
        let span = |k: &str| &text[root.get(k).unwrap().span()];
        assert_eq!(span("a"), "\"yes\"");
        assert_eq!(span("b"), "'it''s'");
        assert_eq!(span("c"), "[x, y]");
        assert_eq!(span("d"), "30d");
    }

    #[test]
    fn values_read_from_the_text_or_stored_decode_the_same() {
        let text = "a: plain\nb: 'quoted'\nc: \"esc\\taped\"\nd: 'it''s'\ne: |\n  block\nf: folded\n  line\ng: \"\"\n";
        let docs = parse(text);
        let root = docs[0].root().unwrap();
        let value = |k: &str| root.get(k).and_then(Node::as_str).unwrap();
        assert_eq!(value("a"), "plain");
        assert_eq!(value("b"), "quoted");
        assert_eq!(value("c"), "esc\taped");
        assert_eq!(value("d"), "it's");
        assert_eq!(value("e"), "block\n");
        assert_eq!(value("f"), "folded line");
        assert_eq!(value("g"), "");
        // A templated scalar's value is the masked text, never the template's source.
        let masked = "a: xxxxxxxxxxxxx\n";
        let source: Arc<str> = Arc::from("a: {{ .Values }}\n");
        let template: Span = 3..16;
        let docs = parse_stream_limited(&source, masked, std::slice::from_ref(&template), MAX_DEPTH, 10).unwrap();
        let a = docs[0].root().unwrap().get("a").unwrap().scalar().unwrap();
        assert!(a.templated);
        assert_eq!(a.value, "xxxxxxxxxxxxx");
    }

    #[test]
    fn aliases_find_their_anchor_however_anchors_nest() {
        // The inner anchor ends (and is recorded) before the outer one.
        let text = "a: &outer {b: &inner [1, 2], c: 3}\nd: *inner\ne: *outer\n";
        assert_eq!(
            json(text),
            serde_json::json!({"a": {"b": [1, 2], "c": 3}, "d": [1, 2], "e": {"b": [1, 2], "c": 3}})
        );
        // A name anchored again: later aliases see the later node.
        assert_eq!(
            json("a: &x 1\nb: *x\nc: &x 2\nd: *x\n"),
            serde_json::json!({"a": 1, "b": 1, "c": 2, "d": 2})
        );
    }

    #[test]
    fn a_scalar_too_long_for_the_tree_is_an_error_not_a_panic() {
        let text = format!("a: 1\nb: {}\n", "x".repeat(1 << 24));
        let err = parse(&text)[0].error.clone().unwrap();
        assert_eq!(err.offset, 8);
        assert!(
            err.message.starts_with("a scalar longer than 16 MiB"),
            "{}",
            err.message
        );
    }

    #[test]
    fn duplicate_keys_are_errors_at_the_second_key() {
        let text = "metadata:\n  annotations:\n    a: 1\n    a: 2\n";
        let err = parse(text)[0].error.clone().unwrap();
        assert_eq!(err.message, "duplicate key `a`");
        assert_eq!(err.offset, text.rfind("a:").unwrap());
        // Small and large mappings are checked differently; both report the first repeat,
        // and a quoted key is the same key as its plain spelling.
        for n in [3, SMALL_MAP, SMALL_MAP + 1, 3 * SMALL_MAP] {
            let mut text: String = (0..n).map(|i| format!("k{i}: {i}\n")).collect();
            text.push_str("k2: again\n\"k1\": again\n");
            let err = parse(&text)[0].error.clone().unwrap();
            assert_eq!(err.message, "duplicate key `k2`", "{n} keys");
            assert_eq!(err.offset, text.rfind("k2:").unwrap(), "{n} keys");
        }
        let unique: String = (0..3 * SMALL_MAP).map(|i| format!("k{i}: {i}\n")).collect();
        assert!(parse(&unique)[0].error.is_none());
    }

    #[test]
    fn splits_documents_and_isolates_errors() {
        let text = "a: 1\n---\nb: [unclosed\n---\nc: 3\n";
        let docs = parse(text);
        assert_eq!(docs.len(), 3);
        assert!(docs[0].error.is_none());
        assert!(docs[1].error.is_some());
        assert_eq!(docs[2].root().unwrap().get("c").unwrap().as_str(), Some("3"));
    }

    #[test]
    fn refuses_deep_nesting() {
        let text = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        let docs = parse(&text);
        // saphyr's own recursion limit or ours, whichever is lower, stops it.
        let msg = &docs[0].error.as_ref().unwrap().message;
        assert!(msg.contains("nesting") || msg.contains("recursion limit"), "{msg}");
    }

    #[test]
    fn aliases_are_not_expanded() {
        let text = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n";
        let docs = parse(text);
        let c = docs[0].root().unwrap().get("c").unwrap();
        assert!(c.items().get(0).unwrap().is_alias());
    }

    #[test]
    fn empty_and_comment_only_streams_have_no_documents() {
        assert!(parse("").is_empty());
        assert!(parse("# only a comment\n---\n").is_empty());
    }
}
