//! Rendering a chart tree as Helm's engine does: every template of every enabled chart parsed
//! into one set in Helm's order (deepest paths first, so a parent's `define` wins over a
//! subchart's), then each non-partial template executed with its own chart's `.Values`,
//! `.Chart`, `.Files` and `.Template`. A file that does not parse, partial or not, is reported
//! with its line; it never disappears silently.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::chart::Scope;
use super::template::{self, Limits, Origin, Set};
use super::value::Value;

/// The Helm release a chart is rendered as.
#[derive(Debug, Clone)]
pub struct ReleaseInfo {
    pub name: String,
    pub namespace: String,
}

/// One rendered template: its path (`app/templates/x.yaml`) and text, or why it was not rendered.
#[derive(Debug)]
pub struct Rendered {
    pub path: String,
    pub result: Result<Text, String>,
    /// For a template that failed: the template (or helper) and byte where it did.
    pub failed_at: Option<FailedAt>,
}

/// Where a template failed: the template's name (`app/templates/_helpers.tpl`), its source
/// text and the byte offset in it.
#[derive(Debug, Clone)]
pub struct FailedAt {
    pub template: String,
    pub source: String,
    pub offset: usize,
}

/// Rendered text with the template source of each piece.
#[derive(Debug)]
pub struct Text {
    pub text: String,
    /// Output offset where each piece starts, and what wrote it.
    origins: Vec<(usize, Origin)>,
    sources: Rc<Sources>,
}

/// The template files of one render, by the file index origins carry.
#[derive(Debug)]
struct Sources(Vec<(Rc<str>, Rc<str>)>);

/// One piece of rendered output and the template bytes that wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece<'t> {
    /// Where the piece starts in the output.
    pub at: usize,
    /// The template (file path in the chart, `app/templates/x.yaml`) and its source text.
    pub template: &'t str,
    pub source: &'t str,
    /// The bytes of the template: a text node copied as it is (`verbatim`), or an action.
    pub span: std::ops::Range<usize>,
    pub verbatim: bool,
}

impl Text {
    /// Every piece of the output, in output order.
    pub fn pieces(&self) -> impl Iterator<Item = Piece<'_>> {
        self.origins.iter().filter_map(|(at, o)| {
            let (name, src) = self.sources.0.get(o.file)?;
            Some(Piece {
                at: *at,
                template: name,
                source: src,
                span: o.span.clone(),
                verbatim: o.verbatim,
            })
        })
    }
}

/// Helm's `sortTemplates`: more path segments first, then reverse lexicographic order.
fn helm_order(a: &str, b: &str) -> std::cmp::Ordering {
    let depth = |s: &str| s.matches('/').count();
    depth(b).cmp(&depth(a)).then_with(|| b.cmp(a))
}

fn renders(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    !base.starts_with('_') && base != "NOTES.txt"
}

pub fn render_scopes(scopes: &[Scope], release: &ReleaseInfo, capabilities: &Value, limits: &Limits) -> Vec<Rendered> {
    let mut all: Vec<(&str, &str, usize)> = scopes
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.templates.iter().map(move |(p, src)| (p.as_str(), src.as_str(), i)))
        .collect();
    all.sort_by(|a, b| helm_order(a.0, b.0));
    let mut set = Set::new();
    let mut out = Vec::new();
    let mut ok = Vec::new();
    for (path, src, scope) in all {
        match set.add(path, src) {
            Ok(()) => ok.push((path, scope)),
            Err(e) => out.push(Rendered {
                path: path.to_owned(),
                result: Err(format!(
                    "does not parse: line {}: {}",
                    template::line_of(src, e.pos),
                    e.message
                )),
                failed_at: Some(FailedAt {
                    template: path.to_owned(),
                    source: src.to_owned(),
                    offset: e.pos,
                }),
            }),
        }
    }
    let release = release_value(release);
    let sources = Rc::new(Sources(set.sources().collect()));
    let mut written = 0usize;
    for (path, i) in ok {
        let scope = &scopes[i];
        if scope.library || !renders(path) {
            continue;
        }
        let dot = dot(scope, path, &release, capabilities);
        let mut failed_at = None;
        let result = if written > limits.max_chart_output {
            Err(format!(
                "the chart renders more than {} (limits.max-chart-output in .snaplint.yaml)",
                crate::source::human_size(limits.max_chart_output as u64)
            ))
        } else {
            set.execute(path, dot, limits)
                .map(super::manifest::as_helm_prints)
                .map(|o| Text {
                    origins: o.origins,
                    text: o.text,
                    sources: sources.clone(),
                })
                .map_err(|e| {
                    failed_at = failure_place(&set, path, &e);
                    describe(&set, path, &e)
                })
        };
        written += result.as_ref().map_or(0, |t| t.text.len());
        out.push(Rendered {
            path: path.to_owned(),
            result,
            failed_at,
        });
    }
    out
}

fn failure_place(set: &Set, path: &str, e: &template::Error) -> Option<FailedAt> {
    let template = e.template.as_deref().unwrap_or(path);
    Some(FailedAt {
        template: template.to_owned(),
        source: set.src_of(template)?.to_owned(),
        offset: e.pos,
    })
}

/// `line N: message`, naming the template when it is not the one rendered (a helper).
fn describe(set: &Set, path: &str, e: &template::Error) -> String {
    let at = e.template.as_deref().unwrap_or(path);
    let line = set.src_of(at).map_or(0, |src| template::line_of(src, e.pos));
    if at == path {
        format!("line {line}: {}", e.message)
    } else {
        format!("{at}: line {line}: {}", e.message)
    }
}

fn release_value(r: &ReleaseInfo) -> Value {
    Value::map(BTreeMap::from([
        ("Name".to_owned(), Value::str(r.name.as_str())),
        ("Namespace".to_owned(), Value::str(r.namespace.as_str())),
        ("Service".to_owned(), Value::str("Helm")),
        ("IsInstall".to_owned(), Value::Bool(true)),
        ("IsUpgrade".to_owned(), Value::Bool(false)),
        ("Revision".to_owned(), Value::Int(1)),
    ]))
}

/// The top-level data of one template: Helm builds it per chart and sets `.Template` per file.
fn dot(scope: &Scope, path: &str, release: &Value, capabilities: &Value) -> Value {
    Value::map(BTreeMap::from([
        ("Values".to_owned(), scope.values.clone()),
        ("Chart".to_owned(), scope.chart.clone()),
        ("Files".to_owned(), scope.files.clone()),
        ("Release".to_owned(), release.clone()),
        ("Capabilities".to_owned(), capabilities.clone()),
        (
            "Template".to_owned(),
            Value::map(BTreeMap::from([
                ("Name".to_owned(), Value::str(path)),
                ("BasePath".to_owned(), Value::str(format!("{}/templates", scope.dir))),
            ])),
        ),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_parses_deepest_paths_first() {
        let mut v = vec![
            "app/templates/a.yaml",
            "app/charts/db/templates/_h.tpl",
            "app/templates/_h.tpl",
        ];
        v.sort_by(|a, b| helm_order(a, b));
        assert_eq!(
            v,
            [
                "app/charts/db/templates/_h.tpl",
                "app/templates/a.yaml",
                "app/templates/_h.tpl"
            ]
        );
    }

    /// A top chart `app` with these templates and no values.
    fn app(templates: Vec<(String, String)>) -> Scope {
        Scope {
            dir: "app".into(),
            chart: Value::empty_map(),
            values: Value::empty_map(),
            files: Value::empty_map(),
            templates,
            library: false,
            name: "app".into(),
            parent: None,
        }
    }

    fn release() -> ReleaseInfo {
        ReleaseInfo {
            name: "r".into(),
            namespace: "default".into(),
        }
    }

    #[test]
    fn a_chart_writes_a_bounded_total() {
        let templates: Vec<(String, String)> = (0..3)
            .map(|i| (format!("app/templates/t{i}.yaml"), "{{ repeat 1000 \"x\" }}".to_owned()))
            .collect();
        let limits = Limits {
            max_chart_output: 1500,
            ..Limits::default()
        };
        let out = render_scopes(&[app(templates)], &release(), &Value::empty_map(), &limits);
        let failed: Vec<_> = out.iter().filter(|r| r.result.is_err()).collect();
        assert_eq!(failed.len(), 1, "the third template is over the total: {out:?}");
        assert!(
            failed[0]
                .result
                .as_ref()
                .is_err_and(|e| e.contains("renders more than"))
        );
    }

    #[test]
    fn helper_parse_errors_are_reported_with_their_line() {
        let templates = vec![
            (
                "app/templates/_h.tpl".to_owned(),
                "{{ define \"x\" }}\n{{ if }}\n{{ end }}".to_owned(),
            ),
            ("app/templates/cm.yaml".to_owned(), "a: 1\nb: {{ \"x\" }}\n".to_owned()),
        ];
        let out = render_scopes(&[app(templates)], &release(), &Value::empty_map(), &Limits::default());
        let helper = out
            .iter()
            .find(|r| r.path.ends_with("_h.tpl"))
            .expect("helper reported");
        assert!(
            helper.result.as_ref().is_err_and(|e| e.contains("line 2")),
            "{helper:?}"
        );
        let cm = out.iter().find(|r| r.path.ends_with("cm.yaml")).expect("cm");
        let text = cm.result.as_ref().expect("rendered");
        assert_eq!(text.text, "a: 1\nb: x\n");
        let pieces: Vec<_> = text.pieces().map(|p| (p.at, p.template, p.span, p.verbatim)).collect();
        // `a: 1\nb: ` is copied from the template; the `x` was written by the action at 8..17.
        assert_eq!(
            pieces,
            [
                (0, "app/templates/cm.yaml", 0..8, true),
                (8, "app/templates/cm.yaml", 8..17, false),
                (9, "app/templates/cm.yaml", 17..18, true),
            ]
        );
    }
}
