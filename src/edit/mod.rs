//! The edit layer: the one place that turns a fix's intent ("add this annotation", "move these
//! entries", "write this command") into byte edits on the original text. Rules state intents
//! with raw values; the layer spells them in the style it finds in the file: block or flow
//! mappings, JSON files (which stay JSON), plain, quoted or block scalars, CRLF lines.
//!
//! Every operation returns `None` when it cannot edit safely, and the finding then carries no
//! fix: a node inside an anchor that aliases reuse (the edit would change every alias), a
//! mapping with a merge key (`<<: *base` may supply the key being added, which an explicit key
//! would shadow), a template-only line where the new lines would go (`{{- include ... }}`,
//! `repl{{ if }}`: the rendered result could change meaning), a block scalar to edit in place,
//! or comments inside a range to rewrite.

mod map;
mod scalar;
mod text;

pub use map::Item;
pub use text::{indent_at, json_string, scalar_text};

use crate::diagnostic::FileId;
use crate::source::SourceFile;
use crate::yaml::{Document, Kind, Node, Span};

/// One file's text with what the edit operations need to know about it.
pub struct Doc<'a> {
    pub text: &'a str,
    pub file: FileId,
    /// A `.json` file: every value is written as JSON.
    json: bool,
    templates: &'a [Span],
    documents: &'a [Document],
}

impl<'a> Doc<'a> {
    pub fn new(file: FileId, source: &'a SourceFile) -> Self {
        let json = source.path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
        Doc {
            text: &source.text,
            file,
            json,
            templates: &source.templates,
            documents: &source.documents,
        }
    }

    pub fn of(release: &'a crate::release::Release, file: FileId) -> Self {
        Self::new(file, &release.files[file])
    }

    /// A collection written in flow style.
    pub fn is_flow(&self, node: Node<'_>) -> bool {
        matches!(node.kind(), Kind::Map(_) | Kind::Seq(_))
            && self.text.get(node.span()).is_some_and(|t| t.starts_with(['{', '[']))
    }

    /// The node sits inside a flow collection, where `,[]{}` end a plain scalar.
    pub fn in_flow(&self, node: Node<'_>) -> bool {
        self.json
            || self
                .documents
                .iter()
                .filter_map(|d| d.root())
                .any(|root| self.flow_around(root, &node.span()))
    }

    /// A flow collection in `n` (or `n` itself) starts before `span` and holds it. Only nodes
    /// whose span holds `span` can, so the search follows those down, not the whole tree.
    fn flow_around(&self, n: Node<'_>, span: &Span) -> bool {
        if !(n.span().start <= span.start && span.end <= n.span().end) {
            return false;
        }
        if n.span().start < span.start && self.is_flow(n) {
            return true;
        }
        match n.kind() {
            Kind::Map(entries) => entries
                .iter()
                .any(|(k, v)| self.flow_around(k, span) || self.flow_around(v, span)),
            Kind::Seq(items) => items.iter().any(|i| self.flow_around(i, span)),
            _ => false,
        }
    }

    /// Editing `span` would change a node that aliases elsewhere in its document reuse.
    fn shared(&self, span: &Span) -> bool {
        self.documents.iter().filter(|d| d.has_aliases).any(|d| {
            d.anchored()
                .any(|a| a.span().start <= span.start && span.end <= a.span().end && a.span().start < a.span().end)
        })
    }

    /// A string as a scalar for this place: JSON in a JSON file, flow-safe in a flow
    /// collection, else plain or single-quoted.
    fn scalar(&self, value: &str, flow: bool) -> String {
        if self.json {
            text::json_string(value)
        } else if flow {
            text::flow_scalar_text(value)
        } else {
            scalar_text(value)
        }
    }

    /// `value` spelled as a scalar where `node` stands.
    pub fn spell(&self, node: Node<'_>, value: &str) -> String {
        self.scalar(value, self.in_flow(node))
    }

    /// `value` as a quoted string: JSON in a JSON file, single-quoted elsewhere.
    pub fn quoted(&self, value: &str) -> String {
        if self.json {
            text::json_string(value)
        } else {
            text::single_quoted(value)
        }
    }

    /// A template-only line at `offset`'s line.
    fn template_line(&self, offset: usize) -> bool {
        text::template_only_line(self.text, self.templates, offset)
    }

    /// `offset` lies inside a template block (`repl{{ if }}` ... `repl{{ end }}`, `range`,
    /// `with`) of its document: what is written there renders only under that condition.
    fn in_template_block(&self, offset: usize) -> bool {
        let doc_start = self
            .documents
            .iter()
            .map(|d| d.span.start)
            .filter(|s| *s <= offset)
            .max()
            .unwrap_or(0);
        let mut depth = 0i32;
        for t in self
            .templates
            .iter()
            .filter(|t| t.start >= doc_start && t.end <= offset)
        {
            match text::action_word(&self.text[t.clone()]) {
                "if" | "range" | "with" | "define" | "block" => depth += 1,
                "end" => depth -= 1,
                _ => {}
            }
        }
        depth > 0
    }
}

#[cfg(test)]
mod tests;
