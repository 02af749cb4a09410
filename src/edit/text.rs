//! Lines, columns and scalar spelling: the byte-level helpers the edit operations share.

use crate::yaml::{Scalar, Style, Typed};

pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].rfind('\n').map_or(0, |i| i + 1)
}

pub fn line_end(text: &str, offset: usize) -> usize {
    text[offset.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| offset + i)
}

/// Columns of indentation before `offset` on its line (spaces up to the first other byte).
pub fn indent_at(text: &str, offset: usize) -> usize {
    let start = line_start(text, offset);
    text[start..].bytes().take_while(|b| *b == b' ').count()
}

/// The column of `offset` within its line (bytes; YAML indentation is ASCII spaces).
pub fn column(text: &str, offset: usize) -> usize {
    offset - line_start(text, offset)
}

/// `offset`, moved back before a `\r` that ends its line, so inserted lines never split a CRLF.
pub fn before_cr(text: &str, offset: usize) -> usize {
    if offset > 0 && text.as_bytes().get(offset - 1) == Some(&b'\r') {
        offset - 1
    } else {
        offset
    }
}

/// A string as a block-context YAML scalar: plain when it reads back as the same string,
/// otherwise single-quoted.
pub fn scalar_text(value: &str) -> String {
    let plain = Scalar {
        value,
        style: Style::Plain,
        templated: false,
    };
    let special_start = value.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`~ ".contains(c));
    let risky = value.is_empty()
        || special_start
        || value.ends_with(' ')
        || value.contains(": ")
        || value.contains(" #")
        || value.ends_with(':')
        || value.contains('\n')
        || !matches!(plain.typed(), Typed::Str(_));
    if risky { single_quoted(value) } else { value.to_owned() }
}

/// A string as a scalar inside a flow collection, where `,[]{}` end a plain scalar.
pub fn flow_scalar_text(value: &str) -> String {
    if value.contains([',', '[', ']', '{', '}']) {
        single_quoted(value)
    } else {
        scalar_text(value)
    }
}

pub fn single_quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// A JSON string, which is also a valid YAML double-quoted scalar.
pub fn json_string(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| single_quoted(value))
}

/// Whether the line holding `offset` has nothing but template actions (masked spans) and
/// whitespace: `{{- include "x.labels" . | nindent 8 }}`, `repl{{ if ... }}`, `{{- end }}`.
pub fn template_only_line(text: &str, templates: &[crate::yaml::Span], offset: usize) -> bool {
    let (start, end) = (line_start(text, offset), line_end(text, offset));
    let mut any = false;
    let mut at = start;
    for t in templates.iter().filter(|t| t.end > start && t.start < end) {
        if !text[at..t.start.max(at)].trim().is_empty() {
            return false;
        }
        any = true;
        at = at.max(t.end);
    }
    any && text[at.min(end)..end].trim().is_empty()
}

/// The first word of a template action: `if` for `repl{{- if x }}` or `{{repl if x }}`.
pub fn action_word(action: &str) -> &str {
    let inner = action
        .trim_start_matches("repl")
        .trim_start_matches("{{")
        .trim_start_matches('-');
    let inner = inner.trim_start().trim_start_matches("repl").trim_start();
    inner
        .split(|c: char| c.is_whitespace() || c == '}' || c == '-')
        .next()
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_text_quotes_only_when_needed() {
        assert_eq!(scalar_text("data,scratch"), "data,scratch");
        assert_eq!(scalar_text("30"), "'30'");
        assert_eq!(scalar_text("true"), "'true'");
        assert_eq!(scalar_text("[\"/bin/sh\"]"), "'[\"/bin/sh\"]'");
        assert_eq!(scalar_text("it's: x"), "'it''s: x'");
    }

    #[test]
    fn flow_scalars_quote_flow_indicators() {
        assert_eq!(flow_scalar_text("data,scratch"), "'data,scratch'");
        assert_eq!(flow_scalar_text("data"), "data");
        assert_eq!(json_string("a\"b"), "\"a\\\"b\"");
    }

    #[test]
    fn action_words() {
        for (a, w) in [
            ("repl{{- if X }}", "if"),
            ("{{repl end }}", "end"),
            ("{{- end -}}", "end"),
            ("{{ .Values.x }}", ".Values.x"),
        ] {
            assert_eq!(action_word(a), w, "{a}");
        }
    }

    #[test]
    fn template_only_lines() {
        let text = "a: 1\n  {{- include \"x\" . | nindent 8 }}\nb: {{ .Values.b }}\n";
        let t1 = text.find("{{-").unwrap();
        let t2 = text.find("{{ .V").unwrap();
        let templates = vec![t1..text.find("}}\n").unwrap() + 2, t2..t2 + 14];
        assert!(!template_only_line(text, &templates, 0));
        assert!(template_only_line(text, &templates, t1));
        assert!(!template_only_line(text, &templates, t2));
    }
}
