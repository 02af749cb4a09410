//! Between snaplint and the protocol: byte offsets and UTF-16 positions, file paths and
//! `file:` URIs, findings and LSP diagnostics, edits and text edits.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{
    CodeDescription, CreateFile, DiagnosticRelatedInformation, DiagnosticSeverity, DocumentChangeOperation,
    DocumentChanges, Location, NumberOrString, OneOf, OptionalVersionedTextDocumentIdentifier, Position, Range,
    ResourceOp, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use crate::diagnostic::{Diagnostic, Edit, EditTarget, Severity};
use crate::release::Release;
use crate::yaml::Span;

/// Where each rule's documentation lives (its rule file, explain text included).
const RULE_DOCS: &str = "https://github.com/snaplint/snaplint/blob/main/rules";

/// The LSP position of byte `offset` in `text`: zero-based line, UTF-16 code units.
pub fn position(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..line_start].matches('\n').count();
    let character = text[line_start..offset].encode_utf16().count();
    Position::new(line as u32, character as u32)
}

pub fn range(text: &str, span: &Span) -> Range {
    Range::new(position(text, span.start), position(text, span.end))
}

pub fn uri_of(path: &Path) -> Option<Uri> {
    let abs = std::path::absolute(path).ok()?;
    let mut s = String::from("file://");
    for b in abs.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => s.push(b as char),
            _ => s.push_str(&format!("%{b:02X}")),
        }
    }
    Uri::from_str(&s).ok()
}

pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = rest.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok().map(PathBuf::from)
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// A finding as an LSP diagnostic on `text` (the file it is published on). `span` is where it
/// is shown: its location, or the top of the file for a release-level finding.
pub fn diagnostic(release: &Release, d: &Diagnostic, text: &str, span: &Span) -> lsp_types::Diagnostic {
    let related = d
        .labels
        .iter()
        .filter_map(|l| {
            let f = release.files.get(l.location.file)?;
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri_of(f.disk.as_ref()?)?, range(&f.text, &l.location.span)),
                message: l.message.clone(),
            })
        })
        .collect::<Vec<_>>();
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    lsp_types::Diagnostic {
        range: range(text, span),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.rule.clone())),
        code_description: Uri::from_str(&format!("{RULE_DOCS}/{}.yaml", d.rule))
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("snaplint".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// A file edit as an LSP text edit on that file's current text.
fn text_edit(release: &Release, e: &Edit) -> Option<(Uri, TextEdit)> {
    let EditTarget::File(id) = e.target else { return None };
    let f = release.files.get(id)?;
    Some((
        uri_of(f.disk.as_ref()?)?,
        TextEdit::new(range(&f.text, &e.span), e.text.clone()),
    ))
}

/// A fix's edits as a workspace edit: text edits per file, and a file the fix creates (the
/// missing Backup) as a create-file operation followed by its text. `None` when an edit has no
/// file on disk to go to.
pub fn workspace_edit(release: &Release, edits: &[Edit]) -> Option<WorkspaceEdit> {
    let mut ops = Vec::new();
    for e in edits {
        match &e.target {
            EditTarget::File(_) => {
                let (uri, edit) = text_edit(release, e)?;
                ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
                    edits: vec![OneOf::Left(edit)],
                }));
            }
            EditTarget::NewFile(path) => {
                let uri = uri_of(path)?;
                ops.push(DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                    uri: uri.clone(),
                    options: None,
                    annotation_id: None,
                })));
                let start = Position::new(0, 0);
                ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
                    edits: vec![OneOf::Left(TextEdit::new(Range::new(start, start), e.text.clone()))],
                }));
            }
        }
    }
    Some(WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(ops)),
        ..WorkspaceEdit::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "a: é😀x\nb: 1\n";
        let x = text.find('x').unwrap();
        // `é` is one UTF-16 unit, `😀` two.
        assert_eq!(position(text, x), Position::new(0, 6));
        assert_eq!(position(text, text.find('b').unwrap()), Position::new(1, 0));
    }

    #[test]
    fn uris_round_trip() {
        let p = PathBuf::from("/tmp/a b/ü.yaml");
        let uri = uri_of(&p).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/%C3%BC.yaml");
        assert_eq!(path_of(&uri).unwrap(), p);
    }
}
