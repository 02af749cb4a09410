//! The human report: miette's graphical rendering with the span underlined, the rule ID, a help
//! line and whether a fix exists, then one summary line.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteSpanContents, SourceSpan, SpanContents};

use super::{Summary, display_path};
use crate::diagnostic::{Diagnostic, Severity};
use crate::release::Release;

struct Report<'a> {
    d: &'a Diagnostic,
    source: Option<Named<'a>>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    /// Labels in other files, each shown with its own snippet.
    notes: Vec<Note<'a>>,
}

/// A file's text under its display name, borrowed: miette's `NamedSource` would need a copy of
/// the whole file per diagnostic.
struct Named<'a> {
    name: String,
    text: &'a str,
}

impl miette::SourceCode for Named<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, miette::MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// A related location in another file than the finding's.
struct Note<'a> {
    message: String,
    source: Named<'a>,
    label: LabeledSpan,
}

impl fmt::Debug for Note<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Note<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Note<'_> {}

impl miette::Diagnostic for Note<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
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

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        (!self.notes.is_empty())
            .then(|| Box::new(self.notes.iter().map(|n| n as &dyn miette::Diagnostic)) as Box<dyn Iterator<Item = _>>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

fn report<'a>(release: &'a Release, d: &'a Diagnostic) -> Report<'a> {
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
            notes: Vec::new(),
        };
    };
    let file = &release.files[loc.file];
    let source = Named {
        name: display_path(&file.path),
        text: &file.text,
    };
    let mut labels = vec![LabeledSpan::new_primary_with_span(None, span(&loc.span))];
    for l in d.labels.iter().filter(|l| l.location.file == loc.file) {
        labels.push(LabeledSpan::new_with_span(
            Some(l.message.clone()),
            span(&l.location.span),
        ));
    }
    let notes = d
        .labels
        .iter()
        .filter(|l| l.location.file != loc.file)
        .map(|l| {
            let other = &release.files[l.location.file];
            Note {
                message: l.message.clone(),
                source: Named {
                    name: display_path(&other.path),
                    text: &other.text,
                },
                label: LabeledSpan::new_primary_with_span(None, span(&l.location.span)),
            }
        })
        .collect();
    Report {
        d,
        source: Some(source),
        labels,
        help,
        notes,
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
