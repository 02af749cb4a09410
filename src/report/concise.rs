//! `path:line:col: ID message`, one per line; release-level findings show `<release>`.

use std::fmt::Write as _;

use super::range;
use crate::diagnostic::Diagnostic;
use crate::release::Release;

pub fn render(release: &Release, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let fixable = if d.fix.is_some() { " [*]" } else { "" };
        match range(release, d) {
            Some((path, start, _)) => {
                let _ = writeln!(
                    out,
                    "{path}:{}:{}: {}{fixable} {}",
                    start.line, start.column, d.rule, d.message
                );
            }
            None => {
                let _ = writeln!(out, "<release>: {}{fixable} {}", d.rule, d.message);
            }
        }
    }
    out
}
