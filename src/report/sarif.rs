//! SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

use serde_json::{Value, json};

use super::fingerprint::fingerprints;
use super::{RuleDoc, anchor_file, display_path, edit_range, range};
use crate::diagnostic::{Diagnostic, Severity};
use crate::release::Release;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFO_URI: &str = "https://github.com/snaplint/snaplint";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn region(start: crate::source::Position, end: crate::source::Position) -> Value {
    // SARIF regions must not be empty-before-start; a zero-width span still covers its column.
    let end_column = if end == start { end.column + 1 } else { end.column };
    json!({"startLine": start.line, "startColumn": start.column, "endLine": end.line, "endColumn": end_column})
}

pub fn render(release: &Release, diagnostics: &[Diagnostic], rules: &[RuleDoc<'_>]) -> String {
    let driver_rules: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": truncate(&description(r.explain), 1000)},
                "help": {"text": r.explain, "markdown": r.explain},
                "helpUri": format!("{INFO_URI}/blob/main/rules/{}.yaml", r.id),
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {"tags": [r.category]},
            })
        })
        .collect();
    let prints = fingerprints(release, diagnostics);
    let results: Vec<Value> = diagnostics
        .iter()
        .zip(prints)
        .map(|(d, print)| result(release, d, rules, print))
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "snaplint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFO_URI,
                "rules": driver_rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

/// The explain text's "what" and "why", as plain text: SARIF's fullDescription is shown where
/// markdown is not rendered.
fn description(explain: &str) -> String {
    explain
        .lines()
        .take_while(|l| !l.starts_with("## How to fix"))
        .filter(|l| !l.starts_with("## ") && !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

/// The diagnostic's labels (for a chart template: where the finding is in the rendered output).
fn related_locations(release: &Release, d: &Diagnostic) -> Value {
    d.labels
        .iter()
        .enumerate()
        .map(|(id, l)| {
            let f = &release.files[l.location.file];
            let (start, end) = (f.position(l.location.span.start), f.position(l.location.span.end));
            json!({"id": id, "message": {"text": l.message},
                "physicalLocation": {"artifactLocation": {"uri": display_path(&f.path)}, "region": region(start, end)}})
        })
        .collect()
}

fn result(release: &Release, d: &Diagnostic, rules: &[RuleDoc<'_>], fingerprint: String) -> Value {
    let (uri, region) = match range(release, d) {
        Some((path, start, end)) => (path, region(start, end)),
        // Code scanning needs a location: release-level findings sit on the release's anchor file.
        None => (anchor_file(release), json!({"startLine": 1, "startColumn": 1})),
    };
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str(&format!(". Help: {help}"));
    }
    let mut r = json!({
        "ruleId": d.rule,
        "level": level(d.severity),
        "message": {"text": text},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}],
        "partialFingerprints": {"snaplintFingerprint/v1": fingerprint},
    });
    if let Some(i) = rules.iter().position(|x| x.id == d.rule) {
        r["ruleIndex"] = json!(i);
    }
    if !d.labels.is_empty() {
        r["relatedLocations"] = related_locations(release, d);
    }
    if let Some(fix) = &d.fix {
        let changes: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| {
                let (file, start, end) = edit_range(release, &e.target, &e.span);
                json!({"artifactLocation": {"uri": file}, "replacements": [{
                    "deletedRegion": {"startLine": start.line, "startColumn": start.column, "endLine": end.line, "endColumn": end.column},
                    "insertedContent": {"text": e.text},
                }]})
            })
            .collect();
        r["fixes"] = json!([{"description": {"text": fix.description}, "artifactChanges": changes}]);
    }
    r
}
