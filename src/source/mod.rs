//! Finding, reading and parsing the release's files. Each file is read once, masked once and
//! parsed once; everything downstream borrows from here.

mod discover;
mod lines;
mod mask;
mod suppress;

use std::path::{Path, PathBuf};

pub use discover::{discover, is_chart_archive, is_yaml_path, relative_to};
pub use lines::{LineIndex, Position};
pub use mask::mask_templates;
pub use suppress::{Suppression, parse_suppressions};

use crate::yaml::{Document, Span, parse_stream};

/// Larger files are reported, not parsed: no hand-written manifest is this big.
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: path does not exist")]
    NotFound { path: PathBuf },
    #[error("{path}: cannot read: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

#[derive(Debug)]
pub struct SourceFile {
    /// The path shown to users (as given on the command line, or from `# Source:`).
    pub path: PathBuf,
    /// Where the file lives on disk, when it does (not for stdin).
    pub disk: Option<PathBuf>,
    pub text: String,
    pub lines: LineIndex,
    pub templates: Vec<Span>,
    pub documents: Vec<Document>,
    pub suppressions: Vec<Suppression>,
    /// Why the file could not be parsed at all (binary, not UTF-8, too large).
    pub problem: Option<String>,
    /// For a template rendered from a Helm chart archive: the archive. Such a file has no
    /// `disk` path and takes no fixes.
    pub archive: Option<PathBuf>,
}

impl SourceFile {
    /// Build from text already in memory: mask, parse, scan suppression comments.
    pub fn from_text(path: PathBuf, disk: Option<PathBuf>, text: String) -> Self {
        let masked = mask_templates(&text);
        let documents = parse_stream(&masked.text, &masked.templates);
        let lines = LineIndex::new(&text);
        let suppressions = parse_suppressions(&text);
        SourceFile {
            path,
            disk,
            text,
            lines,
            templates: masked.templates,
            documents,
            suppressions,
            problem: None,
            archive: None,
        }
    }

    fn unparseable(path: PathBuf, disk: Option<PathBuf>, problem: String) -> Self {
        SourceFile {
            path,
            disk,
            text: String::new(),
            lines: LineIndex::new(""),
            templates: Vec::new(),
            documents: Vec::new(),
            suppressions: Vec::new(),
            problem: Some(problem),
            archive: None,
        }
    }

    /// Read and parse one file from disk.
    pub fn read(path: &Path) -> Result<Self, LoadError> {
        let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
            path: path.to_owned(),
            source,
        })?;
        Ok(Self::from_bytes(path.to_owned(), Some(path.to_owned()), bytes))
    }

    pub fn from_bytes(path: PathBuf, disk: Option<PathBuf>, bytes: Vec<u8>) -> Self {
        if bytes.len() > MAX_FILE_BYTES {
            let mib = MAX_FILE_BYTES / (1024 * 1024);
            return Self::unparseable(path, disk, format!("file is larger than {mib} MiB; not parsed"));
        }
        if bytes.iter().take(8192).any(|b| *b == 0) {
            return Self::unparseable(path, disk, "binary file (contains NUL bytes); not YAML".into());
        }
        match String::from_utf8(bytes) {
            Ok(text) => Self::from_text(path, disk, text),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                Self::unparseable(path, disk, format!("not valid UTF-8 (invalid byte at offset {at})"))
            }
        }
    }

    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(&self.text, offset)
    }
}

/// Split a `helm template` / `kubectl` stream read from stdin into one virtual file per
/// `# Source: path` comment, so findings name the chart template they came from.
pub fn split_stdin(text: &str) -> Vec<SourceFile> {
    let mut groups: Vec<(PathBuf, String)> = Vec::new();
    for chunk in split_at_markers(text) {
        let path = source_comment(chunk).map_or_else(|| PathBuf::from("<stdin>"), PathBuf::from);
        match groups.last_mut() {
            Some((p, t)) if *p == path => t.push_str(chunk),
            _ => groups.push((path, chunk.to_owned())),
        }
    }
    groups
        .into_iter()
        .map(|(path, text)| SourceFile::from_text(path, None, text))
        .collect()
}

fn split_at_markers(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if pos != 0 && line.starts_with("---") && line[3..].chars().next().is_none_or(char::is_whitespace) {
            out.push(&text[start..pos]);
            start = pos;
        }
        pos += line.len();
    }
    out.push(&text[start..]);
    out.retain(|c| !c.is_empty());
    out
}

fn source_comment(chunk: &str) -> Option<&str> {
    chunk
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("# Source:"))
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdin_stream_is_split_by_source_comment() {
        let text = "---\n# Source: app/templates/a.yaml\na: 1\n---\n# Source: app/templates/b.yaml\nb: 2\n";
        let files = split_stdin(text);
        let names: Vec<_> = files.iter().map(|f| f.path.display().to_string()).collect();
        assert_eq!(names, ["app/templates/a.yaml", "app/templates/b.yaml"]);
        assert_eq!(files[1].documents.len(), 1);
    }

    #[test]
    fn binary_and_non_utf8_are_problems_not_panics() {
        let bin = SourceFile::from_bytes("x.yaml".into(), None, vec![0x7f, 0, 1, 2]);
        assert!(bin.problem.unwrap().contains("binary"));
        let latin1 = SourceFile::from_bytes("y.yaml".into(), None, b"a: caf\xe9\n".to_vec());
        assert!(latin1.problem.unwrap().contains("UTF-8"));
    }
}
