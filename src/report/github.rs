//! GitHub Actions workflow commands: one annotation per finding.
//! Escaping follows the runner toolkit (actions/toolkit packages/core/src/command.ts).

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

pub fn render(release: &Release, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
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
    out
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
