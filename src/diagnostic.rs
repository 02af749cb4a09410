//! Diagnostics and fixes as plain data: no rule, format or command line knows more than this.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::yaml::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    Safe,
    Unsafe,
}

/// Index of a file in the release.
pub type FileId = usize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: FileId,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EditTarget {
    File(FileId),
    /// Create a file (e.g. the missing Backup manifest); the span is ignored.
    NewFile(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub target: EditTarget,
    pub span: Span,
    pub text: String,
}

impl Edit {
    pub fn replace(file: FileId, span: Span, text: impl Into<String>) -> Self {
        Edit {
            target: EditTarget::File(file),
            span,
            text: text.into(),
        }
    }

    pub fn insert(file: FileId, at: usize, text: impl Into<String>) -> Self {
        Self::replace(file, at..at, text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    pub description: String,
    pub edits: Vec<Edit>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub location: Location,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: String,
    pub name: String,
    pub severity: Severity,
    pub message: String,
    /// `None` for release-level findings (e.g. no Backup anywhere).
    pub location: Option<Location>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn file(&self) -> Option<FileId> {
        self.location.as_ref().map(|l| l.file)
    }
}
