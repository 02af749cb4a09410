//! Output formats. Each emitter turns diagnostics (plain data) into text; none knows a rule.

mod concise;
mod fingerprint;
mod github;
mod gitlab;
mod human;
mod json;
mod markdown;
pub mod plan;
pub mod rendered;
mod sarif;

pub use concise::render as concise;
pub use github::render as github;
pub use gitlab::render as gitlab;
pub use human::render as human;
pub use json::render as json;
pub use json::write as write_json;
pub use markdown::render as markdown;
pub use sarif::render as sarif;

use crate::diagnostic::{Diagnostic, EditTarget, Severity};
use crate::release::Release;
use crate::source::Position;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub documents: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub fixable: usize,
}

impl Summary {
    pub fn new(release: &Release, diagnostics: &[Diagnostic]) -> Self {
        let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
        Summary {
            files: release.files.iter().filter(|f| !f.template_source).count(),
            documents: release.document_count(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            fixable: diagnostics.iter().filter(|d| d.fix.is_some()).count(),
        }
    }
}

/// What SARIF needs to know of a rule; the CLI fills it from the rule specs.
pub struct RuleDoc<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub severity: Severity,
    pub category: &'a str,
    pub summary: &'a str,
    pub explain: &'a str,
}

/// Where release-level findings are shown by formats that need a file: the KOTS Application
/// manifest if there is one, else the first file.
pub fn anchor_file(release: &Release) -> String {
    let app = release
        .objects
        .iter()
        .find(|o| {
            o.kind.as_deref() == Some("Application")
                && o.api_version.as_deref().is_some_and(|a| a.starts_with("kots.io/"))
        })
        .map(|o| o.file);
    app.or((!release.files.is_empty()).then_some(0))
        .map_or_else(|| ".".to_owned(), |f| display_path(&release.files[f].path))
}

/// A path as shown to users: forward slashes, relative to the working directory when possible.
pub fn display_path(path: &std::path::Path) -> String {
    let rel = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(std::path::Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let s = rel.display().to_string().replace('\\', "/");
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

/// Start and end positions of a diagnostic's primary span.
pub fn range(release: &Release, d: &Diagnostic) -> Option<(String, Position, Position)> {
    let loc = d.location.as_ref()?;
    let file = &release.files[loc.file];
    Some((
        display_path(&file.path),
        file.position(loc.span.start),
        file.position(loc.span.end),
    ))
}

/// (file, start, end) of an edit; a new file's edit sits at 1:1.
pub fn edit_range(release: &Release, target: &EditTarget, span: &crate::yaml::Span) -> (String, Position, Position) {
    match target {
        EditTarget::File(id) => {
            let f = &release.files[*id];
            (display_path(&f.path), f.position(span.start), f.position(span.end))
        }
        EditTarget::NewFile(p) => {
            let start = Position { line: 1, column: 1 };
            (display_path(p), start, start)
        }
    }
}
