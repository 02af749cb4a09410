//! Helm charts in a release: `.tgz` archives read in memory (`archive`), chart templates
//! rendered in-process by a Go `text/template` subset with the Sprig/Helm functions charts
//! commonly use (`lexer` -> `parse` -> `eval` + `funcs`), values from the chart's `values.yaml`
//! overridden by the matching KOTS `HelmChart`'s `spec.values` (`values`). KOTS template values
//! (`repl{{ ... }}`) stay as text: the renderer never decides on them, and the template masking
//! marks them templated in the rendered output. A template the renderer cannot evaluate is
//! reported "not analyzed" instead of guessed.

pub mod archive;
pub mod chart;
mod eval;
mod legacy_funcs;
mod funcs;
pub mod value;
mod template;
mod lexer;
mod load;
mod parse;
pub mod values;
mod yaml_out;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

pub use load::{ChartRecord, HelmChartRef, helm_charts, load_archives};

use crate::source::SourceFile;
use archive::{Budget, read_tgz};
use eval::Engine;
use parse::{Defines, parse};
use values::{at, from_node, merge};

/// Subchart archives inside subchart archives, at most this deep.
const MAX_NESTING: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// 1-based line in the template; 0 when unknown.
    pub line: usize,
    pub message: String,
}

impl TemplateError {
    pub fn at(line: usize, message: impl Into<String>) -> Self {
        TemplateError {
            line,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

/// A KOTS template expression, unknown until install time.
pub fn is_kots_template(s: &str) -> bool {
    s.contains("repl{{") || s.contains("{{repl")
}

#[derive(Debug, Clone)]
struct Dependency {
    name: String,
    alias: Option<String>,
    condition: Option<String>,
}

/// One chart, its templates and its subcharts, all in memory.
#[derive(Debug, Clone)]
pub struct Chart {
    pub name: String,
    pub version: String,
    /// `.Chart` as templates see it (`Name`, `Version`, `AppVersion`, ...).
    meta: Value,
    /// Where the chart sits in the archive as Helm names it (`app`, `app/charts/postgresql`).
    pub dir: String,
    values: Value,
    /// Template files by path (`app/templates/deployment.yaml`).
    templates: Vec<(String, String)>,
    subcharts: Vec<Chart>,
    deps: Vec<Dependency>,
}

/// Read a chart archive: one top directory holding `Chart.yaml`.
pub fn read_chart(bytes: &[u8]) -> Result<Chart, String> {
    let mut budget = Budget::new();
    let files = read_tgz(bytes, &mut budget)?;
    chart_from_archive_files(files, "", &mut budget, 0)
}

fn chart_from_archive_files(
    files: BTreeMap<String, Vec<u8>>,
    parent: &str,
    budget: &mut Budget,
    depth: usize,
) -> Result<Chart, String> {
    let top: Vec<&str> = files.keys().filter_map(|p| p.split('/').next()).collect();
    let Some(first) = top.first().copied() else {
        return Err("archive is empty".into());
    };
    if top.iter().any(|t| *t != first) || files.keys().any(|p| !p.contains('/')) {
        return Err("archive does not hold a single chart directory".into());
    }
    let prefix = format!("{first}/");
    let rel = files
        .into_iter()
        .map(|(p, d)| (p[prefix.len()..].to_owned(), d))
        .collect();
    chart_from_files(rel, parent, budget, depth)
}

fn text(path: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|_| format!("{path} is not UTF-8"))
}

/// A YAML file of the chart as a value (empty file: empty map).
fn yaml_value(path: &str, src: &str) -> Result<Value, String> {
    let file = SourceFile::from_text(path.into(), None, src.to_owned());
    let Some(doc) = file.documents.iter().find(|d| d.root.is_some() || d.error.is_some()) else {
        return Ok(Value::Object(Map::new()));
    };
    if let Some(e) = &doc.error {
        return Err(format!("{path}: invalid YAML: {}", e.message));
    }
    let Some(root) = doc.root.as_ref() else {
        return Err(format!("{path}: empty"));
    };
    from_node(root, &file.text, &doc.anchors).ok_or_else(|| format!("{path}: aliases expand too far"))
}

/// The source text of a scalar in Chart.yaml (so `version: 1.10` stays `1.10`).
fn raw_field(src: &str, key: &str) -> Option<String> {
    let file = SourceFile::from_text("Chart.yaml".into(), None, src.to_owned());
    let node = file.documents.first()?.root.as_ref()?.get(key)?;
    node.scalar()?;
    let s = node
        .as_str()
        .map(str::to_owned)
        .or_else(|| file.text.get(node.span.clone()).map(str::to_owned))?;
    Some(s.trim().to_owned())
}

fn chart_from_files(
    mut files: BTreeMap<String, Vec<u8>>,
    parent: &str,
    budget: &mut Budget,
    depth: usize,
) -> Result<Chart, String> {
    let chart_yaml = files
        .remove("Chart.yaml")
        .ok_or("no Chart.yaml at the chart's top directory")?;
    let chart_src = text("Chart.yaml", chart_yaml)?;
    let meta_raw = yaml_value("Chart.yaml", &chart_src)?;
    let name = raw_field(&chart_src, "name").ok_or("Chart.yaml has no name")?;
    let version = raw_field(&chart_src, "version").ok_or("Chart.yaml has no version")?;
    let dir = if parent.is_empty() {
        name.clone()
    } else {
        format!("{parent}/charts/{name}")
    };
    let values = match files.remove("values.yaml") {
        Some(b) => yaml_value(&format!("{dir}/values.yaml"), &text("values.yaml", b)?)?,
        None => Value::Object(Map::new()),
    };
    let mut meta = Map::new();
    if let Value::Object(m) = &meta_raw {
        for (k, v) in m {
            let key = match k.as_str() {
                "apiVersion" => "APIVersion".to_owned(),
                _ => {
                    let mut c = k.chars();
                    c.next()
                        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
                }
            };
            meta.insert(key, v.clone());
        }
    }
    meta.insert("Name".into(), Value::String(name.clone()));
    meta.insert("Version".into(), Value::String(version.clone()));
    let deps = meta_raw
        .get("dependencies")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|d| {
                    Some(Dependency {
                        name: d.get("name")?.as_str()?.to_owned(),
                        alias: d.get("alias").and_then(Value::as_str).map(str::to_owned),
                        condition: d.get("condition").and_then(Value::as_str).map(str::to_owned),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let mut templates = Vec::new();
    let mut sub_dirs: BTreeMap<String, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
    let mut subcharts = Vec::new();
    for (path, data) in files {
        if let Some(t) = path.strip_prefix("templates/") {
            let full = format!("{dir}/templates/{t}");
            templates.push((full.clone(), text(&full, data)?));
        } else if let Some(rest) = path.strip_prefix("charts/") {
            match rest.split_once('/') {
                Some((sub, inner)) => {
                    sub_dirs
                        .entry(sub.to_owned())
                        .or_default()
                        .insert(inner.to_owned(), data);
                }
                None if rest.ends_with(".tgz") || rest.ends_with(".tar.gz") => {
                    if depth >= MAX_NESTING {
                        return Err(format!("subchart archives nest deeper than {MAX_NESTING} levels"));
                    }
                    let inner = read_tgz(&data, budget).map_err(|e| format!("{dir}/charts/{rest}: {e}"))?;
                    subcharts.push(chart_from_archive_files(inner, &dir, budget, depth + 1)?);
                }
                None => {}
            }
        }
    }
    for (_, sub_files) in sub_dirs {
        subcharts.push(chart_from_files(sub_files, &dir, budget, depth + 1)?);
    }
    Ok(Chart {
        name,
        version,
        meta: Value::Object(meta),
        dir,
        values,
        templates,
        subcharts,
        deps,
    })
}

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
    pub result: Result<String, String>,
}

/// Render every template of the chart and its enabled subcharts.
pub fn render(chart: &Chart, overrides: &Value, release: &ReleaseInfo) -> Vec<Rendered> {
    let mut values = chart.values.clone();
    merge(&mut values, overrides);
    let mut charts = Vec::new();
    collect(chart, values, None, &mut charts);
    let mut defines = Defines::new();
    let mut parsed = Vec::new();
    for (c, v, unknown) in &charts {
        for (path, src) in &c.templates {
            parsed.push((*c, v, unknown, path, parse(src, &mut defines)));
        }
    }
    let mut out = Vec::new();
    for (c, v, unknown, path, nodes) in parsed {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.starts_with('_') || base == "NOTES.txt" {
            continue;
        }
        let result = match (unknown, nodes) {
            (Some(why), _) => Err(why.clone()),
            (None, Err(e)) => Err(format!("template does not parse: {e}")),
            (None, Ok(nodes)) => {
                let dot = dot(c, v, release, path);
                Engine::new(&defines).render(&nodes, &dot).map_err(|e| e.to_string())
            }
        };
        out.push(Rendered {
            path: path.clone(),
            result,
        });
    }
    out
}

/// The chart and its enabled subcharts with their values (parent values under the subchart's
/// name or alias override the subchart's own, `global` is shared). A condition that is a KOTS
/// template leaves the subchart unknown.
fn collect<'c>(
    chart: &'c Chart,
    values: Value,
    unknown: Option<String>,
    out: &mut Vec<(&'c Chart, Value, Option<String>)>,
) {
    for sub in &chart.subcharts {
        let dep = chart.deps.iter().find(|d| d.name == sub.name);
        let key = dep.and_then(|d| d.alias.clone()).unwrap_or_else(|| sub.name.clone());
        let mut sub_unknown = unknown.clone();
        if let Some(cond) = dep.and_then(|d| d.condition.as_deref()) {
            let decided = cond
                .split(',')
                .find_map(|c| at(&values, c.trim()).map(|v| (c.trim(), v)));
            match decided {
                Some((_, Value::Bool(false))) => continue,
                Some((c, Value::String(s))) if is_kots_template(s) => {
                    sub_unknown.get_or_insert_with(|| {
                        format!("subchart condition `{c}` is a KOTS template value known only at install time")
                    });
                }
                _ => {}
            }
        }
        let mut sv = sub.values.clone();
        if let Some(o) = values.get(&key) {
            merge(&mut sv, o);
        }
        if let Some(g) = values.get("global") {
            let mut sg = sv.get("global").cloned().unwrap_or_else(|| json!({}));
            merge(&mut sg, g);
            if let Value::Object(m) = &mut sv {
                m.insert("global".into(), sg);
            }
        }
        collect(sub, sv, sub_unknown, out);
    }
    out.insert(0, (chart, values, unknown));
}

fn dot(chart: &Chart, values: &Value, release: &ReleaseInfo, path: &str) -> Value {
    json!({
        "Values": values,
        "Chart": chart.meta,
        "Release": {
            "Name": release.name,
            "Namespace": release.namespace,
            "Service": "Helm",
            "IsInstall": true,
            "IsUpgrade": false,
            "Revision": 1,
        },
        "Capabilities": {
            "KubeVersion": {"Version": "v1.30.0", "Major": "1", "Minor": "30", "GitVersion": "v1.30.0"},
            "HelmVersion": {"Version": "v3.15.0"},
        },
        "Template": {"Name": path, "BasePath": format!("{}/templates", chart.dir)},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_str(src: &str, values: Value) -> Result<String, TemplateError> {
        let mut d = Defines::new();
        let nodes = parse(src, &mut d)?;
        Engine::new(&d).render(&nodes, &json!({"Values": values, "Release": {"Name": "r"}}))
    }

    #[test]
    fn common_chart_idioms() {
        let src = r#"{{- define "n" -}}{{ .Release.Name }}-app{{- end -}}
name: {{ include "n" . }}
{{- with .Values.ann }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
port: {{ .Values.port | default 80 }}
q: {{ .Values.s | quote }}
{{- range $i, $v := .Values.l }}
- {{ $i }}={{ $v }}
{{- end }}
{{- if and .Values.on (not .Values.off) }}
on: yes
{{- else }}
on: no
{{- end }}"#;
        let out = render_str(
            src,
            json!({"ann": {"b": "2", "a": "x: y"}, "port": 8080.0, "s": "hi", "l": ["p", "q"], "on": true}),
        )
        .unwrap();
        assert_eq!(
            out,
            "name: r-app\nannotations:\n  a: 'x: y'\n  b: \"2\"\nport: 8080\nq: \"hi\"\n- 0=p\n- 1=q\non: yes"
        );
    }

    #[test]
    fn kots_values_pass_through_but_never_decide() {
        let v = json!({"x": "repl{{ ConfigOption `a` }}"});
        assert_eq!(
            render_str("a: {{ .Values.x }}", v.clone()).unwrap(),
            "a: repl{{ ConfigOption `a` }}"
        );
        let e = render_str("{{ if .Values.x }}a{{ end }}", v).unwrap_err();
        assert!(e.message.contains("KOTS template"), "{e}");
    }

    #[test]
    fn unknown_functions_and_nil_fields_are_errors() {
        assert!(render_str("{{ randAlphaNum 5 }}", json!({})).is_err());
        assert!(render_str("{{ .Values.a.b }}", json!({})).is_err());
        assert_eq!(render_str("{{ .Values.a }}", json!({})).unwrap(), "");
    }

    #[test]
    fn runaway_recursion_is_bounded() {
        let e = render_str(
            r#"{{ define "r" }}{{ include "r" . }}{{ end }}{{ include "r" . }}"#,
            json!({}),
        );
        assert!(e.unwrap_err().message.contains("nest"));
    }
}
