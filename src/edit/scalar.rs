//! Scalar operations: replace a value keeping its style, append to a comma-separated list,
//! and write a new value in place of any node (a block scalar or a block list included).

use super::Doc;
use super::text::{column, json_string, line_end, line_start, single_quoted};
use crate::diagnostic::Edit;
use crate::yaml::{Kind, Node, Span, Style};

impl Doc<'_> {
    /// Replace a scalar (a value or a key) with the string `value`, in the scalar's own style:
    /// plain stays plain where it reads back the same (quoted otherwise, and in flow context
    /// when it holds `,[]{}`), quotes stay quotes, JSON stays JSON. Block scalars are refused.
    pub fn replace_scalar(&self, node: Node<'_>, value: &str) -> Option<Edit> {
        let s = node.scalar().filter(|s| !s.templated)?;
        if self.shared(&node.span()) {
            return None;
        }
        let text = match s.style {
            _ if self.json => json_string(value),
            Style::Plain => self.scalar(value, self.in_flow(node)),
            Style::SingleQuoted if !value.contains('\n') => single_quoted(value),
            Style::DoubleQuoted => json_string(value),
            _ => return None,
        };
        Some(Edit::replace(self.file, node.span(), text))
    }

    /// Append `name` to the comma-separated list `value`, whose items end at `inner.end` (the
    /// content inside the quotes, or the plain scalar). A plain list inside a flow collection
    /// is rewritten quoted: there a comma would end the scalar.
    pub fn append_to_list(&self, value: Node<'_>, inner: Span, name: &str) -> Option<Edit> {
        let current = value.as_str()?;
        if self.shared(&value.span()) {
            return None;
        }
        let style = value.scalar()?.style;
        if style == Style::Plain && (self.in_flow(value) || self.json)
            || style == Style::SingleQuoted && name.contains('\'')
        {
            let joined = if current.is_empty() {
                name.to_owned()
            } else {
                format!("{current},{name}")
            };
            return self.replace_scalar(value, &joined);
        }
        if !matches!(style, Style::Plain | Style::SingleQuoted | Style::DoubleQuoted) {
            return None;
        }
        let sep = if inner.is_empty() { "" } else { "," };
        Some(Edit::insert(self.file, inner.end, format!("{sep}{name}")))
    }

    /// Replace one item of the comma-separated list `value` (its bytes `item`, inside the
    /// scalar's content) with `name`, which must read the same in the list's quoting.
    pub fn replace_list_item(&self, value: Node<'_>, item: Span, name: &str) -> Option<Edit> {
        let s = value.scalar().filter(|s| !s.templated)?;
        let safe = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
        if self.shared(&value.span())
            || !safe
            || !matches!(s.style, Style::Plain | Style::SingleQuoted | Style::DoubleQuoted)
        {
            return None;
        }
        let inside = value.span().start <= item.start && item.end <= value.span().end;
        inside.then(|| Edit::replace(self.file, item, name.to_owned()))
    }

    /// Write `text` (a flow value or a scalar, already spelled) in place of the value node
    /// of `key`, whatever its style. A block scalar loses its header and content lines, its
    /// header comment stays; a block collection is replaced from after `key:`. Comments
    /// inside the replaced range refuse the edit.
    pub fn replace_value(&self, key: Option<Node<'_>>, node: Node<'_>, text: &str) -> Option<Vec<Edit>> {
        if self.shared(&node.span()) {
            return None;
        }
        if let Kind::Scalar(s) = node.kind()
            && matches!(s.style, Style::Literal | Style::Folded)
        {
            return self.replace_block_scalar(node, text);
        }
        let block_collection = matches!(node.kind(), Kind::Map(_) | Kind::Seq(_)) && !self.is_flow(node);
        if !block_collection {
            return Some(vec![Edit::replace(self.file, node.span(), text.to_owned())]);
        }
        let key = key?;
        let colon = key.span().end + self.text[key.span().end..].find(':')? + 1;
        let end = trim_end_newline(self.text, node.span().end);
        if has_comment(&self.text[colon..end]) {
            return None;
        }
        Some(vec![Edit::replace(self.file, colon..end, format!(" {text}"))])
    }

    /// Rewrite a block list as a block list of `items` (JSON-quoted), at the first dash's
    /// column; refused when comments sit among the items.
    pub fn replace_block_list(&self, node: Node<'_>, items: &[String]) -> Option<Edit> {
        let (first, last) = (node.items().first()?, node.items().last()?);
        if self.shared(&node.span()) {
            return None;
        }
        let start = line_start(self.text, first.span().start);
        let dash = start + self.text[start..first.span().start].rfind('-')?;
        let end = trim_end_newline(self.text, last.span().end);
        if has_comment(&self.text[dash..end]) {
            return None;
        }
        let eol = if self.text[dash..end].contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let sep = format!("{eol}{}", " ".repeat(column(self.text, dash)));
        let lines: Vec<String> = items.iter().map(|a| format!("- {}", json_string(a))).collect();
        Some(Edit::replace(self.file, dash..end, lines.join(&sep)))
    }

    /// `key: >-\n  content\n` becomes `key: TEXT\n`: one edit for the indicator, one for the
    /// content lines, leaving a comment on the header line where it was.
    fn replace_block_scalar(&self, node: Node<'_>, text: &str) -> Option<Vec<Edit>> {
        let content_line = line_start(self.text, node.span().start);
        if content_line == 0 {
            return None;
        }
        let header_end = content_line - 1; // the newline that ends the header line
        let header_start = line_start(self.text, header_end);
        let header = &self.text[header_start..header_end];
        let code = header.split(" #").next().unwrap_or(header);
        let indicator = header_start + code.rfind(['|', '>'])?;
        let indicator_end = header_start + code.trim_end().len();
        let content_end = trim_end_newline(self.text, node.span().end);
        let header_eol = crate::edit::text::before_cr(self.text, line_end(self.text, indicator));
        Some(vec![
            Edit::replace(self.file, indicator..indicator_end, text.to_owned()),
            Edit::replace(self.file, header_eol..content_end.max(header_eol), String::new()),
        ])
    }
}

fn trim_end_newline(text: &str, end: usize) -> usize {
    let mut end = end;
    while end > 0 && matches!(text.as_bytes()[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    end
}

/// A `#` comment among lines (a `#` after whitespace or at a line start).
fn has_comment(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim_start();
        t.starts_with('#') || l.contains(" #")
    })
}
