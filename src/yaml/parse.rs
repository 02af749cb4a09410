//! Build span trees from saphyr-parser events.
//!
//! The stream is first split at `---` lines so one broken document does not hide the others
//! (saphyr stops at the first error). Markers from saphyr count characters; they are turned into
//! byte offsets here so everything above this module works on bytes.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError};

use super::node::{Node, NodeKind, Scalar, Span, Style};

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
    pub root: Option<Node>,
    pub anchors: HashMap<usize, Node>,
    /// The document uses aliases (`*name`): only then can expanding it blow up.
    pub has_aliases: bool,
    pub error: Option<ParseError>,
}

/// Parse a masked stream. `templates` are the masked byte ranges, used to mark templated scalars.
pub fn parse_stream(text: &str, templates: &[Span]) -> Vec<Document> {
    parse_stream_limited(text, templates, MAX_DEPTH, usize::MAX).unwrap_or_default()
}

/// More documents in one file than `.snaplint.yaml` `limits.max-documents` allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyDocuments {
    pub limit: usize,
}

/// [`parse_stream`] with the configured limits: nesting deeper than `max_depth` is a parse error
/// of its document; more than `max_documents` documents refuse the whole stream, before most of
/// it is parsed.
pub fn parse_stream_limited(
    text: &str,
    templates: &[Span],
    max_depth: usize,
    max_documents: usize,
) -> Result<Vec<Document>, TooManyDocuments> {
    let too_many = TooManyDocuments { limit: max_documents };
    let chunks = split_documents(text);
    if chunks.len() > max_documents {
        return Err(too_many);
    }
    let mut docs = Vec::new();
    for chunk in chunks {
        let mut joined: Option<String> = None;
        for attempt in 0.. {
            let src = joined.as_deref().unwrap_or(&text[chunk.clone()]);
            let mut builder = Builder::new(src, chunk.start, templates, max_depth);
            builder.run();
            match builder.misindented_flow_line(src) {
                Some(newline) if attempt < MAX_FLOW_JOINS => {
                    let mut fixed = src.to_owned();
                    fixed.replace_range(newline..newline + 1, " ");
                    joined = Some(fixed);
                }
                _ => {
                    docs.extend(builder.finish(chunk));
                    break;
                }
            }
        }
        if docs.len() > max_documents {
            return Err(too_many);
        }
    }
    Ok(docs)
}

/// Flow-collection lines at their block's indentation re-parsed at most this often per document.
const MAX_FLOW_JOINS: usize = 64;

/// Split at lines that start with `---` followed by whitespace or the end of the line.
fn split_documents(text: &str) -> Vec<Span> {
    let mut cuts = vec![0];
    // A substring search for the marker is much cheaper than visiting every line.
    for (at, _) in text.match_indices("\n---") {
        if is_document_marker(&text[at + 1..]) {
            cuts.push(at + 1);
        }
    }
    cuts.push(text.len());
    cuts.windows(2).map(|w| w[0]..w[1]).collect()
}

fn is_document_marker(rest_of_text: &str) -> bool {
    rest_of_text
        .strip_prefix("---")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
}

enum Frame {
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
    },
}

struct Builder<'a> {
    text: &'a str,
    base: usize,
    templates: &'a [Span],
    max_depth: usize,
    /// chunk char index -> chunk byte offset, only built for non-ASCII chunks.
    char_bytes: Option<Vec<usize>>,
    frames: Vec<Frame>,
    docs: Vec<(Option<Node>, HashMap<usize, Node>, bool)>,
    aliases: bool,
    root: Option<Node>,
    anchors: HashMap<usize, Node>,
    in_doc: bool,
    error: Option<ParseError>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, base: usize, templates: &'a [Span], max_depth: usize) -> Self {
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
            frames: Vec::new(),
            docs: Vec::new(),
            root: None,
            anchors: HashMap::new(),
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
                let templated = self
                    .templates
                    .iter()
                    .any(|t| t.start < end.max(start + 1) && start < t.end);
                let node = Node {
                    span: start..end,
                    kind: NodeKind::Scalar(Scalar {
                        value: compact_str::CompactString::from(value.as_ref()),
                        style: style_of(style),
                        templated,
                    }),
                };
                self.value(node, anchor);
            }
            Event::Alias(id) => {
                self.aliases = true;
                self.value(
                    Node {
                        span: start..end,
                        kind: NodeKind::Alias(id),
                    },
                    0,
                );
            }
            Event::MappingStart(anchor, _) => self.push(
                Frame::Map {
                    start,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                },
                start,
            )?,
            Event::SequenceStart(anchor, _) => self.push(
                Frame::Seq {
                    start,
                    anchor,
                    items: Vec::new(),
                },
                start,
            )?,
            Event::MappingEnd => {
                self.check_duplicate_keys()?;
                self.pop(start, end)
            }
            Event::SequenceEnd => self.pop(start, end),
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

    fn push(&mut self, frame: Frame, at: usize) -> Result<(), ParseError> {
        if self.frames.len() >= self.max_depth {
            return Err(ParseError {
                offset: at,
                message: format!(
                    "nesting deeper than {} levels (limits.max-depth in .snaplint.yaml)",
                    self.max_depth
                ),
            });
        }
        self.frames.push(frame);
        Ok(())
    }

    /// YAML requires unique keys, and Kubernetes tooling rejects or silently drops duplicates;
    /// either way the manifest does not say what it seems to.
    fn check_duplicate_keys(&self) -> Result<(), ParseError> {
        let Some(Frame::Map { entries, .. }) = self.frames.last() else {
            return Ok(());
        };
        let mut seen = std::collections::HashSet::new();
        for (key, _) in entries {
            let Some(k) = key.scalar().filter(|s| !s.templated) else {
                continue;
            };
            if !seen.insert(k.value.as_str()) {
                return Err(ParseError {
                    offset: key.span.start,
                    message: format!("duplicate key `{}`", k.value),
                });
            }
        }
        Ok(())
    }

    fn pop(&mut self, end_start: usize, end_end: usize) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        // Flow collections end at their closing bracket (saphyr's end span runs on past it, over
        // trailing comments); block ones end at their last child.
        let bracket = self.text.as_bytes().get(end_start.wrapping_sub(self.base));
        let closing = (end_end > end_start && matches!(bracket, Some(b']' | b'}'))).then_some(end_start + 1);
        // Trees live as long as the run: give back the growth slack.
        let (node, anchor) = match frame {
            Frame::Map {
                start, anchor, entries, ..
            } => {
                let mut entries = entries;
                entries.shrink_to_fit();
                let last = entries.last().map(|(_, v)| v.span.end);
                let end = closing.or(last).unwrap_or(start).max(start);
                (
                    Node {
                        span: start..end,
                        kind: NodeKind::Map(entries),
                    },
                    anchor,
                )
            }
            Frame::Seq { start, anchor, items } => {
                let mut items = items;
                items.shrink_to_fit();
                let last = items.last().map(|v| v.span.end);
                let end = closing.or(last).unwrap_or(start).max(start);
                (
                    Node {
                        span: start..end,
                        kind: NodeKind::Seq(items),
                    },
                    anchor,
                )
            }
        };
        self.value(node, anchor);
    }

    fn value(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.frames.last_mut() {
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => *key = Some(node),
            },
            None => self.root = Some(node),
        }
    }

    fn end_document(&mut self) {
        if self.in_doc {
            let anchors = std::mem::take(&mut self.anchors);
            self.docs
                .push((self.root.take(), anchors, std::mem::take(&mut self.aliases)));
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
    /// `None` otherwise, or when the previous line holds a `#` (joining would comment it out).
    fn misindented_flow_line(&self, src: &str) -> Option<usize> {
        let e = self.error.as_ref().filter(|e| e.message == "invalid indentation")?;
        let in_flow = self.frames.last().is_some_and(|f| {
            let start = match f {
                Frame::Map { start, .. } | Frame::Seq { start, .. } => *start,
            };
            matches!(src.as_bytes().get(start.wrapping_sub(self.base)), Some(b'[' | b'{'))
        });
        if !in_flow {
            return None;
        }
        let at = e.offset.checked_sub(self.base)?;
        let newline = src.get(..at)?.rfind('\n')?;
        if !src[newline + 1..at].bytes().all(|b| b == b' ') {
            return None;
        }
        let previous = &src[src[..newline].rfind('\n').map_or(0, |i| i + 1)..newline];
        (!previous.contains('#')).then_some(newline)
    }

    fn finish(mut self, chunk: Span) -> Vec<Document> {
        if self.error.is_some() {
            // Keep what parsed before the error out of rules' sight: a broken document is one
            // finding, not a source of guesses.
            return vec![Document {
                span: chunk,
                root: None,
                anchors: HashMap::new(),
                has_aliases: false,
                error: self.error,
            }];
        }
        let n = self.docs.len();
        self.docs
            .drain(..)
            .enumerate()
            .filter(|(i, (root, _, _))| root.is_some() || (*i == 0 && n == 1))
            .map(|(_, (root, anchors, has_aliases))| Document {
                span: chunk.clone(),
                root,
                anchors,
                has_aliases,
                error: None,
            })
            .filter(|d| d.root.as_ref().is_some_and(|r| !is_empty_scalar(r)))
            .collect()
    }
}

fn is_empty_scalar(node: &Node) -> bool {
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
        let root = docs[0].root.as_ref().unwrap();
        let item = &root.path("c").unwrap().items()[0];
        let command = item.get("command").unwrap().items();
        assert_eq!(&text[command[1].span.clone()], "\"b\"");
        assert_eq!(item.path("other.k").and_then(Node::as_str), Some("v"));
        // istio 1.5's ClusterRole: items at the sequence item's own indentation.
        let text = "rules:\n- apiGroups: [\n  \"a\",\n  \"b\"]\n  verbs: [\"get\"]\n";
        let docs = parse(text);
        assert!(docs[0].error.is_none(), "{:?}", docs[0].error);
        let rule = &docs[0].root.as_ref().unwrap().path("rules").unwrap().items()[0];
        assert_eq!(rule.get("apiGroups").unwrap().items().len(), 2);
        // A comment before the line would swallow it if the lines were joined: still an error.
        assert!(parse("a: [\n  \"x\" # c\n]\n")[0].error.is_some());
        // Bad block indentation is not a flow line: still an error.
        assert!(parse("a:\n  b: 1\n c: 2\n")[0].error.is_some());
    }

    #[test]
    fn spans_are_bytes_for_keys_values_and_items() {
        let text = "# c\nmetadata:\n  name: café\nspec:\n  items:\n    - a\n    - \"b c\"\n";
        let docs = parse(text);
        assert_eq!(docs.len(), 1);
        let root = docs[0].root.as_ref().unwrap();
        let name = root.path("metadata.name").unwrap();
        assert_eq!(&text[name.span.clone()], "café");
        let items = root.path("spec.items").unwrap().items();
        assert_eq!(&text[items[1].span.clone()], "\"b c\"");
        let (key, _) = root.entry("spec").unwrap();
        assert_eq!(&text[key.span.clone()], "spec");
    }

    #[test]
    fn spans_stop_before_trailing_comments() {
        let text = "a: \"yes\"   # c\nb: 'it''s'  # d\nc: [x, y]  # e\nd: 30d  # f\n";
        let docs = parse(text);
        let root = docs[0].root.as_ref().unwrap();
        let span = |k: &str| &text[root.get(k).unwrap().span.clone()];
        assert_eq!(span("a"), "\"yes\"");
        assert_eq!(span("b"), "'it''s'");
        assert_eq!(span("c"), "[x, y]");
        assert_eq!(span("d"), "30d");
    }

    #[test]
    fn duplicate_keys_are_errors_at_the_second_key() {
        let text = "metadata:\n  annotations:\n    a: 1\n    a: 2\n";
        let err = parse(text)[0].error.clone().unwrap();
        assert_eq!(err.message, "duplicate key `a`");
        assert_eq!(err.offset, text.rfind("a:").unwrap());
    }

    #[test]
    fn splits_documents_and_isolates_errors() {
        let text = "a: 1\n---\nb: [unclosed\n---\nc: 3\n";
        let docs = parse(text);
        assert_eq!(docs.len(), 3);
        assert!(docs[0].error.is_none());
        assert!(docs[1].error.is_some());
        assert_eq!(docs[2].root.as_ref().unwrap().get("c").unwrap().as_str(), Some("3"));
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
        let c = docs[0].root.as_ref().unwrap().get("c").unwrap();
        assert!(matches!(c.items()[0].kind, NodeKind::Alias(_)));
    }

    #[test]
    fn empty_and_comment_only_streams_have_no_documents() {
        assert!(parse("").is_empty());
        assert!(parse("# only a comment\n---\n").is_empty());
    }
}
