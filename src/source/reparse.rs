//! Parse errors after an edit, re-parsing one document instead of the whole file where that
//! gives the same answer. Checking that a fix applies (every distinct fix, on every run) then
//! costs a document's parse, not a file's.
//!
//! The stream is split at `---` lines before parsing and each piece is parsed on its own
//! (`yaml::parse_stream_limited`), so a piece's errors depend only on its own bytes, its own
//! templates, and where the pieces begin. An edit inside one piece keeps the others as they
//! were as long as it cannot move a piece boundary or a template boundary: it stays clear of
//! the boundaries, no template crosses one, and no `{{` is left open to pair with a `}}` in
//! another piece.

use std::ops::Range;

use super::SourceFile;
use super::mask::mask_templates;
use crate::yaml::{count_errors_limited, is_document_marker, split_documents};

impl SourceFile {
    /// The document piece (from its `---` line to the next) holding all of `spans` strictly
    /// inside, when re-parsing only that piece tells what re-parsing the file would.
    pub fn piece_holding<'s>(&self, mut spans: impl Iterator<Item = &'s Range<usize>>) -> Option<Range<usize>> {
        if self.problem.is_some() || open_template(&self.text, &self.templates) {
            return None;
        }
        let first = spans.next()?;
        let len = self.text.len();
        let inside = |p: &Range<usize>, s: &Range<usize>| {
            (p.start == 0 || s.start > p.start)
                && (p.end == len || s.end < p.end)
                && s.start >= p.start
                && s.end <= p.end
        };
        // A document's span is its piece; only a piece with no document (comments only) needs
        // the split.
        let i = self.documents.partition_point(|d| d.span.end <= first.start);
        let piece = match self.documents.get(i).filter(|d| inside(&d.span, first)) {
            Some(d) => d.span.clone(),
            None => split_documents(&self.text).into_iter().find(|p| inside(p, first))?,
        };
        let crosses = |b: usize| self.templates.iter().any(|t| t.start < b && b < t.end);
        if crosses(piece.start) || crosses(piece.end) || !spans.all(|s| inside(&piece, s)) {
            return None;
        }
        Some(piece)
    }

    /// The file's parse errors with `piece` (from [`SourceFile::piece_holding`]) replaced by
    /// `text`; `None` when the replacement could change other pieces, and the whole file has
    /// to be parsed again.
    pub fn errors_with_piece(&self, piece: &Range<usize>, text: &str) -> Option<usize> {
        let starts_piece = piece.start == 0 || is_document_marker(text);
        if !starts_piece || split_documents(text).len() != 1 {
            return None;
        }
        let masked = mask_templates(text);
        if open_template(text, &masked.templates) {
            return None;
        }
        let others = self.documents.iter().filter(|d| d.span != *piece);
        let room = self.limits.max_documents.checked_sub(others.clone().count())?;
        // Too many documents makes the whole file unparseable, with no document errors.
        let Ok((_, errors)) = count_errors_limited(&masked.text, &masked.templates, self.limits.max_depth, room) else {
            return Some(0);
        };
        Some(others.filter(|d| d.error.is_some()).count() + errors)
    }
}

/// A `{{` after the last template that never closes: template scanning stops there, so a `}}`
/// anywhere later would change what is masked.
fn open_template(text: &str, templates: &[Range<usize>]) -> bool {
    let after = templates.last().map_or(0, |t| t.end);
    text.get(after..).is_some_and(|rest| rest.contains("{{"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::apply_edits;

    fn errors(file: &SourceFile) -> usize {
        file.documents.iter().filter(|d| d.error.is_some()).count()
    }

    /// Errors after replacing `at` with `with`, by the piece when it may be used, and by
    /// parsing the whole file.
    fn both(text: &str, at: Range<usize>, with: &str) -> (Option<usize>, usize) {
        let file = SourceFile::from_text("f.yaml".into(), None, text.to_owned());
        let whole = apply_edits(text, &[(at.clone(), with)]).unwrap();
        let full = errors(&SourceFile::from_text("f.yaml".into(), None, whole));
        let local = file.piece_holding(std::iter::once(&at)).and_then(|p| {
            let local = apply_edits(&text[p.clone()], &[(at.start - p.start..at.end - p.start, with)]).unwrap();
            file.errors_with_piece(&p, &local)
        });
        (local, full)
    }

    #[test]
    fn a_piece_tells_what_the_whole_file_tells() {
        let text = "a: 1\n---\nb: [x]\n---\nc: {{ .Values.c }}\n";
        let b = text.find("[x]").unwrap();
        let cases: &[(Range<usize>, &str, Option<usize>)] = &[
            // Inside one document: its own parse decides.
            (b..b + 3, "[y]", Some(0)),
            (b..b + 3, "[y", Some(1)),
            (b + 1..b + 1, "\"", Some(1)),
            // A new document marker, an open template, a marker broken: the whole file.
            (b..b + 3, "x\n---\nd: 2", None),
            (b..b + 3, "'{{ x'", None),
            (text.find("---").unwrap() + 1..text.find("---").unwrap() + 2, "+", None),
        ];
        for (at, with, local) in cases {
            let (got, full) = both(text, at.clone(), with);
            assert_eq!(got, *local, "{with:?}");
            if let Some(n) = got {
                assert_eq!(n, full, "{with:?}");
            }
        }
    }

    #[test]
    fn pieces_are_refused_across_boundaries_and_templates() {
        let file = |t: &str| SourceFile::from_text("f.yaml".into(), None, t.to_owned());
        let text = "a: 1\n---\nb: 2\n";
        let boundary = text.find("---").unwrap();
        // An insertion right at a boundary could join two documents.
        assert!(
            file(text)
                .piece_holding(std::iter::once(&(boundary..boundary)))
                .is_none()
        );
        assert_eq!(file(text).piece_holding(std::iter::once(&(1..2))), Some(0..boundary));
        // Edits in two documents.
        assert!(
            file(text)
                .piece_holding([1..2, boundary + 5..boundary + 6].iter())
                .is_none()
        );
        // A template that spans a document marker masks it: the file is one piece.
        let text = "a: {{ x\n---\n}}\nb: 2\n";
        assert_eq!(file(text).piece_holding(std::iter::once(&(1..2))), Some(0..text.len()));
        // In a piece with no document (comments only), found by splitting.
        let text = "a: 1\n---\n# only a comment\n---\nb: 2\n";
        let comment = text.find("only").unwrap();
        let piece = file(text).piece_holding(std::iter::once(&(comment..comment + 4)));
        assert_eq!(piece, Some(text.find("---").unwrap()..text.rfind("---").unwrap()));
        // A `{{` that never closes stops template scanning: a later `}}` would change it.
        let text = "a: '{{ x'\n---\nb: 2\n";
        assert!(file(text).piece_holding(std::iter::once(&(1..2))).is_none());
    }
}
