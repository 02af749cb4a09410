//! GitHub Actions workflow commands: one annotation per finding, within GitHub's limits.
//! Escaping follows the runner toolkit (actions/toolkit packages/core/src/command.ts). A step
//! shows at most 10 error, 10 warning and 10 notice annotations (actions/toolkit
//! docs/problem-matchers.md, "Limitations"); the rest would vanish silently, so the most severe
//! come first, the others are plain log lines, and one notice says how many there are.

use std::fmt::Write as _;

use super::range;
use crate::diagnostic::{Diagnostic, Severity};
use crate::release::Release;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Annotations of one kind GitHub shows per step.
pub const PER_KIND: usize = 10;

pub fn render(release: &Release, diagnostics: &[Diagnostic]) -> String {
    let mut ordered: Vec<&Diagnostic> = diagnostics.iter().collect();
    ordered.sort_by_key(|d| std::cmp::Reverse(d.severity));
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    let over = [Severity::Error, Severity::Warning, Severity::Info]
        .iter()
        .any(|s| count(*s) > PER_KIND);
    // With findings left over, one notice slot is the note saying so.
    let limit = |s: Severity| match s {
        Severity::Info if over => PER_KIND - 1,
        _ => PER_KIND,
    };
    let mut out = String::new();
    let mut shown = [0usize; 3];
    let mut rest: Vec<&Diagnostic> = Vec::new();
    for d in ordered {
        let slot = &mut shown[d.severity as usize];
        if *slot < limit(d.severity) {
            *slot += 1;
            annotation(&mut out, release, d);
        } else {
            rest.push(d);
        }
    }
    if rest.is_empty() {
        return out;
    }
    for d in &rest {
        let at = range(release, d).map_or_else(
            || "<release>".to_owned(),
            |(p, s, _)| format!("{p}:{}:{}", s.line, s.column),
        );
        let _ = writeln!(out, "{at}: {} {}", d.rule, d.message);
    }
    let by = |s: Severity| rest.iter().filter(|d| d.severity == s).count();
    let _ = writeln!(
        out,
        "::notice title=snaplint::{}",
        escape_data(&format!(
            "{} more finding{} ({} errors, {} warnings, {} infos) are not annotations: GitHub shows at most {PER_KIND} of each kind per step. They are listed in this step's log above, and the snaplint Action's job summary lists every finding.",
            rest.len(),
            if rest.len() == 1 { "" } else { "s" },
            by(Severity::Error),
            by(Severity::Warning),
            by(Severity::Info)
        ))
    );
    out
}

fn annotation(out: &mut String, release: &Release, d: &Diagnostic) {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut props = Vec::new();
    if let Some((path, start, end)) = range(release, d) {
        props.push(format!("file={}", escape_property(&path)));
        props.push(format!("line={}", start.line));
        props.push(format!("col={}", start.column));
        props.push(format!("endLine={}", end.line));
        props.push(format!("endColumn={}", end.column));
    }
    props.push(format!("title={}", escape_property(&format!("{} {}", d.rule, d.name))));
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let _ = writeln!(out, "::{command} {}::{}", props.join(","), escape_data(&message));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_percent_first_then_separators() {
        assert_eq!(escape_property("a%b:c,d\ne"), "a%25b%3Ac%2Cd%0Ae");
        assert_eq!(escape_data("50%: x,y\r\n"), "50%25: x,y%0D%0A");
    }
}
