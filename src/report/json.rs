//! The JSON report, described by `schemas/report.schema.json`.

use serde_json::{Value, json};

use super::{Summary, edit_range, range};
use crate::diagnostic::{Applicability, Diagnostic};
use crate::release::Release;

pub fn render(release: &Release, diagnostics: &[Diagnostic]) -> String {
    let s = Summary::new(release, diagnostics);
    let report = json!({
        "version": 1,
        "diagnostics": diagnostics.iter().map(|d| diagnostic(release, d)).collect::<Vec<_>>(),
        "summary": {
            "files": s.files, "documents": s.documents, "errors": s.errors,
            "warnings": s.warnings, "infos": s.infos,
        },
    });
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

fn diagnostic(release: &Release, d: &Diagnostic) -> Value {
    let (file, line, column, end_line, end_column) = match range(release, d) {
        Some((path, start, end)) => (
            json!(path),
            json!(start.line),
            json!(start.column),
            json!(end.line),
            json!(end.column),
        ),
        None => (Value::Null, Value::Null, Value::Null, Value::Null, Value::Null),
    };
    let fix = d.fix.as_ref().map(|f| {
        let edits: Vec<Value> = f
            .edits
            .iter()
            .map(|e| {
                let (file, start, end) = edit_range(release, &e.target, &e.span);
                json!({"file": file, "line": start.line, "column": start.column,
                       "end_line": end.line, "end_column": end.column, "content": e.text})
            })
            .collect();
        let applicability = match f.applicability {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        };
        json!({"applicability": applicability, "edits": edits})
    });
    json!({
        "rule": d.rule, "name": d.name, "severity": d.severity.as_str(), "message": d.message,
        "file": file, "line": line, "column": column, "end_line": end_line, "end_column": end_column,
        "help": d.help, "fix": fix,
    })
}
