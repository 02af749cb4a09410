//! Template masking: KOTS `repl{{ ... }}`, `{{repl ... }}` and Helm `{{ ... }}` are replaced by
//! same-length placeholders so the YAML parser sees plain scalars and byte offsets stay true.
//! A line holding nothing but template actions (`{{- if .Values.x }}`) becomes a comment, since
//! such lines are control flow, not values.

use std::borrow::Cow;
use std::ops::Range;

const PLACEHOLDER: u8 = b'x';

pub struct Masked<'t> {
    /// The text as the parser sees it: borrowed when there is nothing to mask.
    pub text: Cow<'t, str>,
    /// Byte ranges (in the original text) that were templates.
    pub templates: Vec<Range<usize>>,
}

pub fn mask_templates(text: &str) -> Masked<'_> {
    let templates = find_templates(text);
    if templates.is_empty() {
        return Masked {
            text: Cow::Borrowed(text),
            templates,
        };
    }
    let mut bytes = text.as_bytes().to_vec();
    for range in &templates {
        for b in &mut bytes[range.clone()] {
            if *b != b'\n' && *b != b'\r' {
                *b = PLACEHOLDER;
            }
        }
    }
    comment_out_template_only_lines(&mut bytes, &templates);
    // Only ASCII bytes replaced whole template ranges (which start and end on ASCII braces),
    // so the result is still valid UTF-8; fall back to the original if that ever fails.
    let text = String::from_utf8(bytes).map_or(Cow::Borrowed(text), Cow::Owned);
    Masked { text, templates }
}

fn find_templates(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let (opens, closes) = (memchr::memmem::Finder::new("{{"), memchr::memmem::Finder::new("}}"));
    while let Some(rel) = opens.find(&bytes[i..]) {
        let open = i + rel;
        let Some(close_rel) = closes.find(&bytes[open + 2..]) else {
            break;
        };
        let end = open + 2 + close_rel + 2;
        let start = if open >= 4 && &bytes[open - 4..open] == b"repl" {
            open - 4
        } else {
            open
        };
        out.push(start..end);
        i = end;
    }
    out
}

/// Only lines that hold a template can be template-only: visit just those.
fn comment_out_template_only_lines(bytes: &mut [u8], templates: &[Range<usize>]) {
    let mut last_line = usize::MAX;
    for t in templates {
        let line_start = bytes[..t.start].iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
        if line_start == last_line {
            continue;
        }
        last_line = line_start;
        let line_end = bytes[line_start..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |p| line_start + p);
        let Some(first) = (line_start..line_end).find(|&i| !bytes[i].is_ascii_whitespace()) else {
            continue;
        };
        let all_template = (first..line_end)
            .filter(|&i| !bytes[i].is_ascii_whitespace())
            .all(|i| templates.iter().any(|r| r.contains(&i)));
        if all_template {
            bytes[first] = b'#';
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_kots_and_helm_templates_with_same_length() {
        let src = "a: repl{{ ConfigOption \"x\" }}\nb: '{{repl Foo }}'\nc: {{ .Values.c }}\n";
        let m = mask_templates(src);
        assert_eq!(m.text.len(), src.len());
        assert_eq!(m.templates.len(), 3);
        assert!(m.text.starts_with("a: xxxx"));
        assert!(m.text.contains("b: 'xxxx"));
        assert!(!m.text.contains("{{"));
    }

    #[test]
    fn template_only_lines_become_comments() {
        let src = "{{- if .Values.on }}\nx: 1\n  {{- end }}\n";
        let m = mask_templates(src);
        assert_eq!(m.text, "#xxxxxxxxxxxxxxxxxxx\nx: 1\n  #xxxxxxxxx\n");
    }

    #[test]
    fn unclosed_braces_are_left_alone() {
        let m = mask_templates("a: '{{ oops'\n");
        assert!(m.templates.is_empty());
    }
}
