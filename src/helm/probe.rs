//! Which chart value writes which annotation map of the rendered output. A fix that must add a
//! pod annotation belongs where the vendor configures the chart (the HelmChart's `spec.values`),
//! not in the rendered text; to know where, the chart is rendered once more with a marker key
//! in every candidate value (`podAnnotations`, `primary.podAnnotations`, ...) and each marker
//! is looked for in the output. Following the real renderer this way sees through helpers
//! (`include "common.tplvalues.render"`), `with`/`if` guards and `toYaml`, which reading the
//! template text would not.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{Map, Value as Json};

use super::chart::{self, Scope};
use super::value::Value;
use super::{Chart, ReleaseInfo, render::render_scopes, template};
use crate::source::SourceFile;
use crate::yaml::Node;

/// Marker keys are `snaplint.probe/v<index of the candidate>`.
const MARKER: &str = "snaplint.probe/v";

/// More candidates than this are not probed (no real chart comes close).
const MAX_CANDIDATES: usize = 512;

/// A map of one rendered object that exactly one chart value writes, and nothing else does:
/// adding `key: value` under `values_path` adds that entry to this map and nowhere else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueMap {
    /// Keys from the chart's values root (`["postgresql", "primary", "podAnnotations"]`).
    pub values_path: Vec<String>,
    /// The rendered file (`app.tgz!rendered/app/templates/x.yaml`), the object's kind and name.
    pub rendered: PathBuf,
    pub kind: Option<String>,
    pub name: Option<String>,
    /// Keys from the object's root to the map (`["spec", "template", "metadata", "annotations"]`).
    pub map_path: Vec<String>,
}

/// The annotation maps of `chart`'s output that a single value writes, rendered with the
/// user's `overrides` plus a marker in each candidate. `rendered` names a template's output.
pub fn value_maps(
    chart: &Chart,
    overrides: &Json,
    release: &ReleaseInfo,
    limits: &template::Limits,
    rendered: &dyn Fn(&str) -> PathBuf,
) -> Vec<ValueMap> {
    let Ok(scopes) = chart::render_values(chart, &Value::from(overrides)) else {
        return Vec::new();
    };
    let candidates = candidates(&scopes);
    let mut probed = overrides.clone();
    let placed: Vec<bool> = candidates
        .iter()
        .enumerate()
        .map(|(i, path)| place_marker(&mut probed, path, i))
        .collect();
    if !placed.contains(&true) {
        return Vec::new();
    }
    let Ok(scopes) = chart::render_values(chart, &Value::from(&probed)) else {
        return Vec::new();
    };
    let capabilities = chart::capabilities(chart::DEFAULT_KUBE_VERSION);
    let outputs = render_scopes(&scopes, release, &capabilities, limits);
    let mut found = Found::new(&candidates);
    for out in outputs {
        if let Ok(text) = out.result
            && text.text.contains(MARKER)
        {
            found.scan(rendered(&out.path), text.text);
        }
    }
    found.into_maps()
}

/// Values paths that may hold annotations: every map (or null) under a key ending in
/// `annotations` in the values the chart renders with, and every `.Values.<...>annotations`
/// a template reads (a value the chart uses without declaring it), prefixed with its
/// subchart's key.
fn candidates(scopes: &[Scope]) -> Vec<Vec<String>> {
    let mut out = BTreeSet::new();
    if let Some(top) = scopes.first() {
        annotation_values(&top.values, &mut Vec::new(), &mut out);
    }
    for scope in scopes {
        let prefix = values_prefix(scopes, scope);
        for (_, src) in &scope.templates {
            for path in values_references(src) {
                out.insert(prefix.iter().cloned().chain(path).collect());
            }
        }
    }
    out.into_iter().take(MAX_CANDIDATES).collect()
}

fn is_annotations_key(key: &str) -> bool {
    key.to_ascii_lowercase().ends_with("annotations")
}

fn annotation_values(v: &Value, path: &mut Vec<String>, out: &mut BTreeSet<Vec<String>>) {
    let Value::Map(m) = v else { return };
    if path.len() > 8 {
        return;
    }
    for (k, child) in m.borrow().iter() {
        if k == "global" && path.is_empty() {
            continue;
        }
        path.push(k.clone());
        match child {
            Value::Map(_) | Value::Nil if is_annotations_key(k) => {
                out.insert(path.clone());
            }
            _ => annotation_values(child, path, out),
        }
        path.pop();
    }
}

/// A subchart's `.Values` is its parent's `.Values.<name or alias>`.
fn values_prefix(scopes: &[Scope], scope: &Scope) -> Vec<String> {
    let mut prefix = Vec::new();
    let mut at = scope;
    while let Some(parent) = at.parent {
        prefix.push(at.name.clone());
        at = &scopes[parent];
    }
    prefix.reverse();
    prefix
}

/// `.Values.a.b.podAnnotations` paths in a template's text.
fn values_references(src: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (i, _) in src.match_indices(".Values.") {
        let rest = &src[i + ".Values.".len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        let path: Vec<String> = rest[..end]
            .split('.')
            .take_while(|k| !k.is_empty())
            .map(str::to_owned)
            .collect();
        if path.last().is_some_and(|k| is_annotations_key(k)) && path[0] != "global" {
            out.push(path);
        }
    }
    out
}

/// Add marker `index` to the map at `path` of the user's values, creating the path. A value
/// the user set to something that is not a map (a KOTS template string) is left alone.
fn place_marker(values: &mut Json, path: &[String], index: usize) -> bool {
    let mut at = values;
    for key in path {
        let Json::Object(m) = at else { return false };
        let slot = m.entry(key.clone()).or_insert(Json::Null);
        if slot.is_null() {
            *slot = Json::Object(Map::new());
        }
        at = slot;
    }
    let Json::Object(m) = at else { return false };
    m.insert(format!("{MARKER}{index}"), Json::String("probe".into()));
    true
}

/// Where each marker turned up: as a map key (with its place) or anywhere at all.
struct Found<'c> {
    candidates: &'c [Vec<String>],
    keys: Vec<Vec<ValueMap>>,
    mentions: Vec<usize>,
}

impl<'c> Found<'c> {
    fn new(candidates: &'c [Vec<String>]) -> Self {
        Found {
            candidates,
            keys: vec![Vec::new(); candidates.len()],
            mentions: vec![0; candidates.len()],
        }
    }

    fn scan(&mut self, path: PathBuf, text: String) {
        for (i, _) in text.match_indices(MARKER) {
            if let Some(n) = marker_index(&text[i..])
                && let Some(m) = self.mentions.get_mut(n)
            {
                *m += 1;
            }
        }
        let file = SourceFile::from_text(path.clone(), None, text);
        for doc in &file.documents {
            let Some(root) = doc.root().filter(|r| r.is_map()) else {
                continue;
            };
            let kind = root.get("kind").and_then(Node::as_str).map(str::to_owned);
            let name = root.path("metadata.name").and_then(Node::as_str).map(str::to_owned);
            let mut keys = Vec::new();
            marker_keys(root, &mut Vec::new(), &mut keys);
            for (n, map_path) in keys {
                let (Some(k), Some(values_path)) = (self.keys.get_mut(n), self.candidates.get(n)) else {
                    continue;
                };
                k.push(ValueMap {
                    values_path: values_path.clone(),
                    rendered: path.clone(),
                    kind: kind.clone(),
                    name: name.clone(),
                    map_path,
                });
            }
        }
    }

    /// Candidates seen exactly once, as a map key: the only place setting them changes.
    fn into_maps(self) -> Vec<ValueMap> {
        self.keys
            .into_iter()
            .zip(self.mentions)
            .filter(|(keys, mentions)| keys.len() == 1 && *mentions == 1)
            .filter_map(|(mut keys, _)| keys.pop())
            .collect()
    }
}

fn marker_index(at: &str) -> Option<usize> {
    let digits = at.strip_prefix(MARKER)?;
    let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
    digits[..end].parse().ok()
}

/// Every marker used as a key, with the keys leading to its map.
fn marker_keys(node: Node<'_>, path: &mut Vec<String>, out: &mut Vec<(usize, Vec<String>)>) {
    if path.len() > 32 {
        return;
    }
    for (k, v) in node.entries() {
        let Some(key) = k.as_str() else { continue };
        if let Some(n) = marker_index(key) {
            out.push((n, path.clone()));
            continue;
        }
        path.push(key.to_owned());
        marker_keys(v, path, out);
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(files: &[(&str, &str)]) -> Chart {
        let files = files
            .iter()
            .map(|(p, t)| (format!("app/{p}"), t.as_bytes().to_vec()))
            .collect();
        chart::from_archive_files(files, &mut crate::helm::archive::Budget::new()).expect("chart")
    }

    fn maps(c: &Chart, overrides: Json) -> Vec<(String, String, String)> {
        let release = ReleaseInfo {
            name: "r".into(),
            namespace: "default".into(),
        };
        value_maps(c, &overrides, &release, &template::Limits::default(), &|p| {
            PathBuf::from(p)
        })
        .into_iter()
        .map(|m| {
            (
                m.values_path.join("."),
                format!("{}/{}", m.kind.unwrap_or_default(), m.name.unwrap_or_default()),
                m.map_path.join("."),
            )
        })
        .collect()
    }

    const CHART_YAML: &str = "apiVersion: v2\nname: app\nversion: 1.0.0\n";

    #[test]
    fn finds_the_value_behind_a_pod_templates_annotations_through_a_helper() {
        let c = chart(&[
            ("Chart.yaml", CHART_YAML),
            (
                "values.yaml",
                "primary:\n  podAnnotations: {}\nservice:\n  annotations: {}\ncommonAnnotations: {}\n",
            ),
            (
                "templates/_h.tpl",
                "{{- define \"render\" -}}{{ toYaml .value }}{{- end -}}",
            ),
            (
                "templates/sts.yaml",
                "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  {{- with .Values.commonAnnotations }}\n  annotations: {{- toYaml . | nindent 4 }}\n  {{- end }}\nspec:\n  template:\n    metadata:\n      {{- if .Values.primary.podAnnotations }}\n      annotations: {{- include \"render\" (dict \"value\" .Values.primary.podAnnotations) | nindent 8 }}\n      {{- end }}\n      {{- with .Values.commonAnnotations }}\n      labels: {{- toYaml . | nindent 8 }}\n      {{- end }}\n",
            ),
            (
                "templates/svc.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\n  annotations: {{- toYaml .Values.service.annotations | nindent 4 }}\n",
            ),
        ]);
        assert_eq!(
            maps(&c, serde_json::json!({})),
            [
                (
                    "primary.podAnnotations".into(),
                    "StatefulSet/db".into(),
                    "spec.template.metadata.annotations".into()
                ),
                (
                    "service.annotations".into(),
                    "Service/db".into(),
                    "metadata.annotations".into()
                ),
            ],
            "commonAnnotations lands in two maps: setting it would change both"
        );
    }

    #[test]
    fn a_subcharts_value_is_under_its_key_and_an_undeclared_value_is_found_by_its_reference() {
        let c = chart(&[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: db\n    version: 1.0.0\n    alias: pg\n",
            ),
            ("charts/db/Chart.yaml", "apiVersion: v2\nname: db\nversion: 1.0.0\n"),
            (
                "charts/db/templates/pod.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: db\n  {{- with .Values.podAnnotations }}\n  annotations: {{- toYaml . | nindent 4 }}\n  {{- end }}\n",
            ),
        ]);
        assert_eq!(
            maps(&c, serde_json::json!({"pg": {"other": 1}})),
            [(
                "pg.podAnnotations".into(),
                "Pod/db".into(),
                "metadata.annotations".into()
            )]
        );
    }

    #[test]
    fn a_value_the_user_templated_is_not_probed() {
        let c = chart(&[
            ("Chart.yaml", CHART_YAML),
            ("values.yaml", "podAnnotations: {}\n"),
            (
                "templates/pod.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {{- toYaml .Values.podAnnotations | nindent 4 }}\n",
            ),
        ]);
        let templated = serde_json::json!({"podAnnotations": "repl{{ ConfigOption \"a\" }}"});
        assert_eq!(maps(&c, templated), []);
    }
}
