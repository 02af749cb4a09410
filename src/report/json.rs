//! The JSON report, described by `schemas/report.schema.json`. Written straight from borrowed
//! structs (fields in the schema's order): no document-sized `serde_json::Value` is built first.

use serde::Serialize;

use super::{Summary, edit_range, range};
use crate::diagnostic::{Applicability, Diagnostic};
use crate::release::Release;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    diagnostics: Vec<Finding<'a>>,
    summary: Counts,
}

#[derive(Serialize)]
struct Counts {
    files: usize,
    documents: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

#[derive(Serialize)]
struct Finding<'a> {
    rule: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    help: Option<&'a str>,
    fix: Option<FixOut<'a>>,
}

#[derive(Serialize)]
struct FixOut<'a> {
    applicability: &'a str,
    edits: Vec<EditOut<'a>>,
}

#[derive(Serialize)]
struct EditOut<'a> {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    content: &'a str,
}

pub fn render(release: &Release, diagnostics: &[Diagnostic]) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail, and serde_json writes valid UTF-8.
    let _ = write(release, diagnostics, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`render`] into `out` as it is serialized: a large report is never held whole in memory.
pub fn write(release: &Release, diagnostics: &[Diagnostic], mut out: impl std::io::Write) -> std::io::Result<()> {
    let s = Summary::new(release, diagnostics);
    let report = Report {
        version: 1,
        diagnostics: diagnostics.iter().map(|d| finding(release, d)).collect(),
        summary: Counts {
            files: s.files,
            documents: s.documents,
            errors: s.errors,
            warnings: s.warnings,
            infos: s.infos,
        },
    };
    serde_json::to_writer_pretty(&mut out, &report)?;
    out.write_all(b"\n")
}

fn finding<'a>(release: &Release, d: &'a Diagnostic) -> Finding<'a> {
    let at = range(release, d);
    let fix = d.fix.as_ref().map(|f| FixOut {
        applicability: match f.applicability {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        },
        edits: f
            .edits
            .iter()
            .map(|e| {
                let (file, start, end) = edit_range(release, &e.target, &e.span);
                EditOut {
                    file,
                    line: start.line,
                    column: start.column,
                    end_line: end.line,
                    end_column: end.column,
                    content: &e.text,
                }
            })
            .collect(),
    });
    Finding {
        rule: &d.rule,
        name: &d.name,
        severity: d.severity.as_str(),
        message: &d.message,
        line: at.as_ref().map(|a| a.1.line),
        column: at.as_ref().map(|a| a.1.column),
        end_line: at.as_ref().map(|a| a.2.line),
        end_column: at.as_ref().map(|a| a.2.column),
        file: at.map(|a| a.0),
        help: d.help.as_deref(),
        fix,
    }
}
