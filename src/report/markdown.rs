//! A Markdown table, for `$GITHUB_STEP_SUMMARY` and merge-request comments.

use std::fmt::Write as _;

use super::{Summary, range};
use crate::diagnostic::Diagnostic;
use crate::release::Release;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(release: &Release, diagnostics: &[Diagnostic]) -> String {
    let s = Summary::new(release, diagnostics);
    let mut out = String::from("## snaplint\n\n");
    if diagnostics.is_empty() {
        let _ = writeln!(out, "No findings in {} files ({} documents).", s.files, s.documents);
        return out;
    }
    out.push_str("| Rule | Severity | Location | Message |\n|---|---|---|---|\n");
    for d in diagnostics {
        let location = match range(release, d) {
            Some((path, start, _)) => format!("`{}:{}:{}`", path, start.line, start.column),
            None => "release".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            d.rule,
            d.severity.as_str(),
            cell(&location),
            cell(&d.message)
        );
    }
    let _ = writeln!(
        out,
        "\n{} errors, {} warnings, {} infos in {} files; {} fixable with `snaplint check --fix`.",
        s.errors, s.warnings, s.infos, s.files, s.fixable
    );
    out
}
