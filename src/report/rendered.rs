//! `snaplint render`: what snaplint sees for each chart of a release, to debug a `HELM001`
//! or compare with `helm template`. Text is helm's shape (`---`, `# Source: <template>`); JSON
//! adds where each piece of every rendered template came from.

use serde_json::{Value, json};

use super::display_path;
use crate::helm::{ChartRecord, Engine};
use crate::release::Release;
use crate::source::SourceFile;

/// The rendered templates of one chart, in load order.
fn rendered<'r>(release: &'r Release, record: &ChartRecord) -> impl Iterator<Item = &'r SourceFile> {
    let chart = &release.files[record.file].path;
    release
        .files
        .iter()
        .filter(move |f| !f.template_source && f.chart.as_ref() == Some(chart))
}

/// The template path inside the chart (`app/templates/x.yaml`) from a rendered file's name.
fn template_name(f: &SourceFile) -> String {
    let shown = f.path.display().to_string();
    shown
        .split_once("!rendered/")
        .map_or(shown.clone(), |(_, t)| t.to_owned())
}

fn engine_name(engine: &Engine) -> String {
    match engine {
        Engine::Builtin => "snaplint's renderer".into(),
        Engine::Helm(path) => format!("helm ({})", path.display()),
    }
}

fn values_from(release: &Release, record: &ChartRecord) -> String {
    match record.helm_chart {
        Some((file, _)) => format!(
            "the chart's values.yaml and the HelmChart in {}",
            display_path(&release.files[file].path)
        ),
        None => "the chart's values.yaml (no HelmChart names this chart)".into(),
    }
}

pub fn text(release: &Release, engine: &Engine) -> String {
    let mut out = String::new();
    for record in &release.charts {
        let path = display_path(&release.files[record.file].path);
        let Some((name, version)) = &record.chart else {
            let problem = record.problem.as_deref().unwrap_or("not readable");
            out.push_str(&format!("# Chart: {path}: not read: {problem}\n"));
            continue;
        };
        out.push_str(&format!(
            "# Chart: {path} ({name} {version}), rendered by {}, values from {}\n",
            engine_name(engine),
            values_from(release, record)
        ));
        for f in rendered(release, record) {
            // helm's output (`--helm-engine helm`) keeps its own `# Source:` headers.
            if !f.text.starts_with("---\n# Source: ") {
                out.push_str(&format!("---\n# Source: {}\n", template_name(f)));
            }
            out.push_str(&f.text);
            if !f.text.ends_with('\n') {
                out.push('\n');
            }
        }
        for n in &record.not_analyzed {
            out.push_str(&format!("# Not analyzed: {}: {}\n", n.template, n.why));
        }
    }
    out
}

pub fn json(release: &Release, engine: &Engine) -> String {
    let charts: Vec<Value> = release
        .charts
        .iter()
        .map(|record| {
            let templates: Vec<Value> = rendered(release, record)
                .map(|f| json!({"source": template_name(f), "text": &*f.text, "provenance": provenance(release, f)}))
                .collect();
            let not_analyzed: Vec<Value> = record
                .not_analyzed
                .iter()
                .map(|n| json!({"template": n.template, "reason": n.why}))
                .collect();
            json!({
                "path": display_path(&release.files[record.file].path),
                "name": record.chart.as_ref().map(|c| &c.0),
                "version": record.chart.as_ref().map(|c| &c.1),
                "problem": record.problem,
                "values": record.chart.as_ref().map(|_| values_from(release, record)),
                "engine": engine_name(engine),
                "templates": templates,
                "not_analyzed": not_analyzed,
            })
        })
        .collect();
    serde_json::to_string_pretty(&json!({ "charts": charts })).unwrap_or_default() + "\n"
}

/// Each piece of a rendered template: its output offset and the template line and column
/// that wrote it.
fn provenance(release: &Release, f: &SourceFile) -> Vec<Value> {
    f.provenance
        .iter()
        .map(|p| {
            let source = &release.files[p.file];
            let at = source.position(p.span.start);
            json!({"offset": p.at, "file": display_path(&source.path), "line": at.line,
                "column": at.column, "verbatim": p.verbatim})
        })
        .collect()
}
