//! Helm's `releaseutil.SplitManifests`: how Helm cuts one template's output into documents
//! before anything reads it as YAML. Its separator is not YAML's document marker: any `---`
//! right after a newline splits, whatever follows on the line (`---# comment`, `---kind: A`),
//! and the whitespace around it goes with it. A rendered template is given on in the shape
//! `helm template` prints it, so plain YAML rules then find Helm's documents; user manifests
//! never come here and keep YAML's own rules.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::template::Output;

/// Helm's separator `(?:^|\s*\n)---\s*`, with RE2's ASCII `\s`; `^` is the start of the text.
static SEPARATOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[\t\n\x0C\r ]*\n)---[\t\n\x0C\r ]*").expect("a valid constant pattern"));

/// One of Helm's documents: its bytes in the output, and where the `---` before it starts
/// (none for the first piece of the text).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Manifest {
    range: Range<usize>,
    marker: Option<usize>,
}

/// Helm's documents of `text`, in order: the text trimmed (Go's `strings.TrimSpace`), split at
/// each separator, each piece trimmed again, empty pieces dropped.
fn split(text: &str) -> Vec<Manifest> {
    let trimmed = text.trim_start();
    let base = text.len() - trimmed.len();
    let trimmed = trimmed.trim_end();
    let mut out = Vec::new();
    let mut push = |from: usize, to: usize, marker: Option<usize>| {
        let piece = &trimmed[from..to];
        let start = from + (piece.len() - piece.trim_start().len());
        let end = from + piece.trim_end().len();
        if start < end {
            out.push(Manifest {
                range: base + start..base + end,
                marker: marker.map(|m| base + m),
            });
        }
    };
    let (mut from, mut marker) = (0, None);
    for m in SEPARATOR.find_iter(trimmed) {
        push(from, m.start(), marker);
        marker = Some(m.start() + m.as_str().find('-').unwrap_or(0));
        from = m.end();
    }
    push(from, trimmed.len(), marker);
    out
}

/// The output as `helm template` prints this template's documents (without its `# Source:`
/// lines): each of Helm's documents, a `---` line between two, a newline at the end. Every
/// piece keeps the template span that wrote it; a `---` line written here stands for the
/// separator Helm cut at.
pub fn as_helm_prints(out: Output) -> Output {
    let mut joined = Output::default();
    for (i, m) in split(&out.text).into_iter().enumerate() {
        if i > 0 {
            let marker = m.marker.unwrap_or(m.range.start);
            joined.append("---", &out, marker..marker + 3);
            joined.text.push('\n');
        }
        joined.append_range(&out, m.range.clone());
        // The newline ending the document stands for the whitespace Helm trimmed after it.
        let end = m.range.end;
        joined.append("\n", &out, end..(end + 1).min(out.text.len()));
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::template::Origin;

    fn docs(text: &str) -> Vec<&str> {
        split(text).into_iter().map(|m| &text[m.range]).collect()
    }

    /// What helm 3.17 printed for this template (`helm template`, one `# Source:` per document).
    #[test]
    fn documents_are_cut_where_helm_cuts_them() {
        let text = "\n\n---\nkind: A\n---# a comment\nkind: B\n---   kind: C\n---\n---\nkind: D\n\
                    data:\n  x: |\n    one\n     ---\n    two\n---kind: E   \n---\n# only a comment\n---\n\n";
        assert_eq!(
            docs(text),
            [
                "kind: A",
                "# a comment\nkind: B",
                "kind: C",
                "---\nkind: D\ndata:\n  x: |\n    one\n     ---\n    two",
                "kind: E",
                "# only a comment",
            ]
        );
        assert!(docs(" \n---\n\n").is_empty());
        assert_eq!(docs("a: 1\nb: ---\n"), ["a: 1\nb: ---"]);
    }

    fn verbatim(file: usize, span: Range<usize>) -> Origin {
        Origin {
            file,
            span,
            verbatim: true,
        }
    }

    #[test]
    fn printed_as_helm_prints_with_each_piece_where_it_came_from() {
        // `---` and `# c\n` copied from file 0, then `kind: B   \n` written by an action of file 1.
        let out = Output {
            text: "---# c\nkind: B   \n".into(),
            origins: vec![(0, verbatim(0, 10..17)), (7, verbatim(1, 40..51))],
        };
        let printed = as_helm_prints(out);
        assert_eq!(printed.text, "# c\nkind: B\n");
        assert_eq!(printed.origins, [(0, verbatim(0, 13..17)), (4, verbatim(1, 40..51))]);

        let out = Output {
            text: "a: 1\n---# c\nb: 2".into(),
            origins: vec![(0, verbatim(0, 0..16))],
        };
        let printed = as_helm_prints(out);
        assert_eq!(printed.text, "a: 1\n---\n# c\nb: 2\n");
        // The `---` line is the template's `---` at 5..8; `# c` is at 8.
        assert_eq!(printed.origins, [(0, verbatim(0, 0..16)), (9, verbatim(0, 8..16))]);
        assert_eq!(
            as_helm_prints(Output {
                text: "\n---\n".into(),
                ..Output::default()
            })
            .text,
            ""
        );
    }
}
