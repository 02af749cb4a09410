//! Finding, reading and parsing the release's files. Each file is read once, masked once and
//! parsed once; everything downstream borrows from here.

mod discover;
mod lines;
mod mask;
mod reparse;
mod suppress;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

pub use discover::{discover, is_chart_archive, is_chart_dir, is_yaml_path, relative_to};
pub use lines::{LineIndex, Position};
pub use mask::mask_templates;
pub use suppress::{Suppression, parse_suppressions};

use crate::yaml::{Document, MAX_DEPTH, Span, parse_stream_limited};

/// Larger files are reported, not parsed: no hand-written manifest is this big. The default of
/// `limits.max-file-size`.
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

/// Resource limits, from `.snaplint.yaml` `limits:`. Each one turns a hostile or accidental
/// input (a log file named `.yaml`, a generated stream, a nesting bomb) into a clear finding
/// instead of a hang or an out-of-memory kill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes; a larger file is a PARSE001 finding and is not read (its size is checked first).
    pub max_file_size: u64,
    /// YAML documents in one file.
    pub max_documents: usize,
    /// Nesting of mappings and sequences.
    pub max_depth: usize,
    /// Bytes of a chart archive (`.tgz`), for the archive reader.
    pub max_archive_size: u64,
    /// Evaluation steps of one chart template (a loop that never ends stops here).
    pub max_template_steps: usize,
    /// Bytes one chart template may write.
    pub max_template_output: u64,
    /// Bytes all templates of one chart may write together.
    pub max_chart_output: u64,
    /// `include`/`template`/`tpl` calls nested in each other (recursion stops here).
    pub max_include_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: MAX_FILE_BYTES as u64,
            max_documents: 10_000,
            max_depth: MAX_DEPTH,
            // The archive reader refuses more than this anyway (helm::archive::MAX_ARCHIVE_BYTES).
            max_archive_size: 16 * 1024 * 1024,
            max_template_steps: 20_000_000,
            max_template_output: 16 << 20,
            max_chart_output: 64 << 20,
            max_include_depth: 100,
        }
    }
}

/// `33554432` -> `32 MiB`, for messages.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit && bytes % unit == 0 {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: path does not exist")]
    NotFound { path: PathBuf },
    #[error("{path}: cannot read: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// A path that was found but not read, and why (a FIFO, a broken symlink, a symlink loop).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

/// What reading one discovered path gives.
#[derive(Debug)]
pub enum Loaded {
    File(Box<SourceFile>),
    Skipped(Skipped),
}

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path shown to users (as given on the command line, or from `# Source:`).
    pub path: PathBuf,
    /// Where the file lives on disk, when it does (not for stdin).
    pub disk: Option<PathBuf>,
    /// Shared with the trees of its documents, whose scalars are slices of it.
    pub text: Arc<str>,
    /// Built the first time a position is asked for: most files of a large release have no
    /// finding, and their line starts are never needed.
    lines: OnceLock<LineIndex>,
    pub templates: Vec<Span>,
    pub documents: Vec<Document>,
    pub suppressions: Vec<Suppression>,
    /// Why the file could not be parsed at all (binary, not UTF-8, too large).
    pub problem: Option<String>,
    /// For a file of a Helm chart (a rendered template, or a template's source): the chart
    /// archive or directory. Such a file takes no fixes.
    pub chart: Option<PathBuf>,
    /// For a file rendered from a chart that KOTS installs into the application's namespace
    /// (no HelmChart `spec.namespace`): the namespace it was rendered with, which stands for
    /// that namespace wherever `.Release.Namespace` wrote it.
    pub app_namespace: Option<String>,
    /// A rendered template: which template bytes wrote each piece, in output order.
    pub provenance: Vec<Provenance>,
    /// A chart template's source, kept so findings can point at it; never linted as YAML.
    pub template_source: bool,
    /// The limits it was parsed under; re-parses after fixes use the same.
    pub limits: Limits,
}

/// Output from `at` on was written by `span` of the template-source file `file`: its own
/// text (`verbatim`) or an action's value.
#[derive(Debug, Clone)]
pub struct Provenance {
    pub at: usize,
    pub file: usize,
    pub span: Span,
    pub verbatim: bool,
}

impl SourceFile {
    /// Build from text already in memory: mask, parse, scan suppression comments.
    pub fn from_text(path: PathBuf, disk: Option<PathBuf>, text: String) -> Self {
        Self::from_text_limited(path, disk, text, Limits::default())
    }

    pub fn from_text_limited(path: PathBuf, disk: Option<PathBuf>, text: String, limits: Limits) -> Self {
        if u32::try_from(text.len()).is_err() {
            // The span tree's offsets are 32-bit.
            return Self::unparseable(path, disk, "larger than 4 GiB; not parsed".into(), limits);
        }
        let text: Arc<str> = text.into();
        let masked = mask_templates(&text);
        let parsed = parse_stream_limited(
            &text,
            &masked.text,
            &masked.templates,
            limits.max_depth,
            limits.max_documents,
        );
        let templates = masked.templates;
        let documents = match parsed {
            Ok(docs) => docs,
            Err(e) => {
                let problem = format!(
                    "more than {} YAML documents in one file (limits.max-documents in .snaplint.yaml); not parsed",
                    e.limit
                );
                return Self::unparseable(path, disk, problem, limits);
            }
        };
        let suppressions = parse_suppressions(&text);
        SourceFile {
            path,
            disk,
            text,
            lines: OnceLock::new(),
            templates,
            documents,
            suppressions,
            problem: None,
            chart: None,
            provenance: Vec::new(),
            template_source: false,
            app_namespace: None,
            limits,
        }
    }

    /// A chart template's source text: lines and suppression comments, no YAML documents.
    pub fn template_source(path: PathBuf, text: String, chart: PathBuf) -> Self {
        SourceFile {
            suppressions: parse_suppressions(&text),
            text: text.into(),
            template_source: true,
            app_namespace: None,
            chart: Some(chart),
            problem: None,
            ..Self::unparseable(path, None, String::new(), Limits::default())
        }
    }

    fn unparseable(path: PathBuf, disk: Option<PathBuf>, problem: String, limits: Limits) -> Self {
        SourceFile {
            path,
            disk,
            text: Arc::default(),
            lines: OnceLock::new(),
            templates: Vec::new(),
            documents: Vec::new(),
            suppressions: Vec::new(),
            problem: Some(problem),
            chart: None,
            provenance: Vec::new(),
            template_source: false,
            app_namespace: None,
            limits,
        }
    }

    fn too_large(path: PathBuf, disk: Option<PathBuf>, size: u64, limits: Limits) -> Self {
        let problem = format!(
            "file is {}, larger than {} (limits.max-file-size in .snaplint.yaml); not read",
            human_size(size),
            human_size(limits.max_file_size)
        );
        Self::unparseable(path, disk, problem, limits)
    }

    /// Read and parse one file from disk. Only regular files (or symlinks to them) are read: a
    /// FIFO would block forever, a device could be endless. The size limit is checked on the
    /// metadata before anything is read, and again while reading (the file may grow).
    pub fn read(path: &Path, limits: &Limits) -> Result<Loaded, LoadError> {
        use std::io::Read as _;
        let io = |source| LoadError::Io {
            path: path.to_owned(),
            source,
        };
        let skipped = |reason: &str| {
            Ok(Loaded::Skipped(Skipped {
                path: path.to_owned(),
                reason: reason.to_owned(),
            }))
        };
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return skipped("broken symlink (its target does not exist)");
            }
            Err(e) if e.raw_os_error() == Some(ELOOP) => return skipped("symlink loop"),
            Err(e) => return Err(io(e)),
        };
        if meta.is_dir() {
            return skipped("a directory, not a file");
        }
        if !meta.is_file() {
            return skipped(&format!("not a regular file ({}); not read", file_type_name(&meta)));
        }
        let disk = Some(path.to_owned());
        if meta.len() > limits.max_file_size {
            return Ok(Loaded::File(Box::new(Self::too_large(
                path.to_owned(),
                disk,
                meta.len(),
                *limits,
            ))));
        }
        let file = std::fs::File::open(path).map_err(io)?;
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(limits.max_file_size.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > limits.max_file_size {
            return Ok(Loaded::File(Box::new(Self::too_large(
                path.to_owned(),
                disk,
                bytes.len() as u64,
                *limits,
            ))));
        }
        Ok(Loaded::File(Box::new(Self::from_bytes_limited(
            path.to_owned(),
            disk,
            bytes,
            *limits,
        ))))
    }

    pub fn from_bytes(path: PathBuf, disk: Option<PathBuf>, bytes: Vec<u8>) -> Self {
        Self::from_bytes_limited(path, disk, bytes, Limits::default())
    }

    pub fn from_bytes_limited(path: PathBuf, disk: Option<PathBuf>, bytes: Vec<u8>, limits: Limits) -> Self {
        if bytes.len() as u64 > limits.max_file_size {
            return Self::too_large(path, disk, bytes.len() as u64, limits);
        }
        if let Some(encoding) = wide_encoding(&bytes) {
            let problem = format!("{encoding} is not supported; save the file as UTF-8");
            return Self::unparseable(path, disk, problem, limits);
        }
        if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
            return Self::unparseable(path, disk, "binary file (contains NUL bytes); not YAML".into(), limits);
        }
        match String::from_utf8(bytes) {
            Ok(text) => Self::from_text_limited(path, disk, text, limits),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let problem = format!("not valid UTF-8 (invalid byte at offset {at}); save the file as UTF-8");
                Self::unparseable(path, disk, problem, limits)
            }
        }
    }

    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    pub fn position(&self, offset: usize) -> Position {
        self.lines().position(&self.text, offset)
    }
}

#[cfg(unix)]
const ELOOP: i32 = 40;
#[cfg(not(unix))]
const ELOOP: i32 = -1;

/// UTF-16 and UTF-32 files announce themselves with a byte order mark (YAML allows them, but
/// no Kubernetes tool reads them, and they are full of NUL bytes).
fn wide_encoding(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0, 0, 0xFE, 0xFF, ..] | [0xFF, 0xFE, 0, 0, ..] => Some("UTF-32"),
        [0xFE, 0xFF, ..] | [0xFF, 0xFE, ..] => Some("UTF-16"),
        _ => None,
    }
}

fn file_type_name(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    let _ = meta;
    "not a file"
}

/// Split a `helm template` / `kubectl` stream read from stdin into one virtual file per
/// `# Source: path` comment, so findings name the chart template they came from.
pub fn split_stdin(text: &str) -> Vec<SourceFile> {
    split_stdin_limited(text, &Limits::default())
}

pub fn split_stdin_limited(text: &str, limits: &Limits) -> Vec<SourceFile> {
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
        .map(|(path, text)| SourceFile::from_text_limited(path, None, text, *limits))
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
