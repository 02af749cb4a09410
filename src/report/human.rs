//! The human report: miette's graphical rendering with the span underlined, the rule ID, a help
//! line and whether a fix exists, then one summary line.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::{Summary, display_path};
use crate::diagnostic::{Diagnostic, Severity};
use crate::release::Release;

struct Report<'a> {
    d: &'a Diagnostic,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("{}({})", self.d.rule, self.d.name)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

fn report<'a>(release: &Release, d: &'a Diagnostic) -> Report<'a> {
    let mut help = d.help.clone();
    if let Some(fix) = &d.fix {
        let kind = match fix.applicability {
            crate::diagnostic::Applicability::Safe => "--fix",
            crate::diagnostic::Applicability::Unsafe => "--fix --unsafe-fixes",
        };
        let line = format!("fix available ({kind}): {}", fix.description);
        help = Some(match help {
            Some(h) => format!("{h}\n{line}"),
            None => line,
        });
    }
    let Some(loc) = &d.location else {
        return Report {
            d,
            source: None,
            labels: Vec::new(),
            help,
        };
    };
    let file = &release.files[loc.file];
    let source = NamedSource::new(display_path(&file.path), file.text.clone());
    let mut labels = vec![LabeledSpan::new_primary_with_span(None, span(&loc.span))];
    for l in d.labels.iter().filter(|l| l.location.file == loc.file) {
        labels.push(LabeledSpan::new_with_span(
            Some(l.message.clone()),
            span(&l.location.span),
        ));
    }
    Report {
        d,
        source: Some(source),
        labels,
        help,
    }
}

fn span(s: &crate::yaml::Span) -> SourceSpan {
    SourceSpan::new(s.start.into(), s.end - s.start)
}

pub fn render(release: &Release, diagnostics: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for d in diagnostics {
        let r = report(release, d);
        if handler.render_report(&mut out, &r).is_err() {
            out.push_str(&format!("{}: {}\n", d.rule, d.message));
        }
        out.push('\n');
    }
    let s = Summary::new(release, diagnostics);
    out.push_str(&summary_line(&s));
    out
}

fn summary_line(s: &Summary) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if s.errors + s.warnings + s.infos == 0 {
        return format!(
            "All checks passed ({}, {}).\n",
            plural(s.files, "file"),
            plural(s.documents, "document")
        );
    }
    format!(
        "{}, {}, {} in {}; {} fixable.\n",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.infos, "info"),
        plural(s.files, "file"),
        s.fixable
    )
}
