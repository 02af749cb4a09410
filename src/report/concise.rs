//! `path:line:col: ID message`, one per line (the shape editors' problem matchers expect);
//! release-level findings show `<release>` for the location.

use std::fmt::Write as _;

use super::range;
use crate::diagnostic::Diagnostic;
use crate::release::Release;

pub fn render(release: &Release, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let _ = match range(release, d) {
            Some((path, start, _)) => writeln!(out, "{path}:{}:{}: {} {}", start.line, start.column, d.rule, d.message),
            None => writeln!(out, "<release>: {} {}", d.rule, d.message),
        };
    }
    out
}
