//! GitLab Code Quality report (`artifacts:reports:codequality`): a JSON array of issues.

use serde_json::{Value, json};

use super::fingerprint::fingerprints;
use super::{anchor_file, range};
use crate::diagnostic::{Diagnostic, Severity};
use crate::release::Release;

pub fn render(release: &Release, diagnostics: &[Diagnostic]) -> String {
    let issues: Vec<Value> = diagnostics
        .iter()
        .zip(fingerprints(release, diagnostics))
        .map(|(d, fingerprint)| {
            let (path, line) = match range(release, d) {
                Some((path, start, _)) => (path, start.line),
                None => (anchor_file(release), 1),
            };
            let severity = match d.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
                Severity::Info => "info",
            };
            json!({
                "description": format!("{}: {}", d.rule, d.message),
                "check_name": d.rule,
                "fingerprint": fingerprint,
                "severity": severity,
                "location": {"path": path, "lines": {"begin": line}},
            })
        })
        .collect();
    serde_json::to_string_pretty(&issues).unwrap_or_default() + "\n"
}
