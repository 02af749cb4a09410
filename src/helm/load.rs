//! Charts joining the release at load time: find the KOTS `HelmChart` resources among the
//! plain files, read each archive, render it with the matching HelmChart's values, and add the
//! rendered templates as in-memory files (`app.tgz!app/templates/x.yaml`, no disk path).

use std::path::PathBuf;

use serde_json::{Map, Value};

use super::values::{from_node, merge};
use super::{ReleaseInfo, read_chart, render};
use crate::diagnostic::FileId;
use crate::source::SourceFile;
use crate::yaml::{Node, Span};

/// A KOTS `HelmChart` (kots.io/v1beta1 or v1beta2) as the chart loader needs it.
#[derive(Debug, Clone)]
pub struct HelmChartRef {
    pub file: FileId,
    pub doc: usize,
    /// `spec.chart.name` and its span; `None` when missing or templated.
    pub name: Option<(String, Span)>,
    pub version: Option<(String, Span)>,
    /// The chart name/version is a KOTS template: unknown until install.
    pub templated: bool,
    pub values: Value,
    pub release_name: Option<String>,
    pub namespace: Option<String>,
}

/// What loading one chart archive gave.
#[derive(Debug, Clone)]
pub struct ChartRecord {
    /// The archive itself, as an (empty) file of the release.
    pub file: FileId,
    /// `Chart.yaml` name and version, when the archive could be read.
    pub chart: Option<(String, String)>,
    /// Why the archive could not be read (broken, hostile, over a limit).
    pub problem: Option<String>,
    /// Templates not analyzed: path inside the archive, and why.
    pub not_analyzed: Vec<(String, String)>,
    /// The HelmChart whose values were used (index into `helm_charts`' result).
    pub helm_chart: Option<(FileId, usize)>,
}

fn known_str(n: &Node) -> Option<(String, Span)> {
    n.as_str().map(|s| (s.to_owned(), n.span.clone()))
}

pub fn helm_charts(files: &[SourceFile]) -> Vec<HelmChartRef> {
    let mut out = Vec::new();
    for (file_id, file) in files.iter().enumerate() {
        for (doc_id, doc) in file.documents.iter().enumerate() {
            let Some(root) = doc.root.as_ref().filter(|r| r.is_map()) else {
                continue;
            };
            let kind = root.get("kind").and_then(Node::as_str);
            let api = root.get("apiVersion").and_then(Node::as_str).unwrap_or("");
            if kind != Some("HelmChart") || !api.starts_with("kots.io/") {
                continue;
            }
            let name_node = root.path("spec.chart.name");
            let version_node = root.path("spec.chart.chartVersion");
            let templated = name_node.is_some_and(Node::is_templated) || version_node.is_some_and(Node::is_templated);
            let mut values = root
                .path("spec.values")
                .and_then(|v| from_node(v, &file.text, &doc.anchors))
                .filter(Value::is_object)
                .unwrap_or_else(|| Value::Object(Map::new()));
            apply_optional_values(root, &file.text, &doc.anchors, &mut values);
            let release_name = root
                .path("spec.releaseName")
                .or_else(|| root.path("spec.chart.releaseName"))
                .and_then(Node::as_str)
                .map(str::to_owned);
            out.push(HelmChartRef {
                file: file_id,
                doc: doc_id,
                name: name_node.and_then(known_str),
                version: version_node.and_then(known_str),
                templated,
                values,
                release_name,
                namespace: root.path("spec.namespace").and_then(Node::as_str).map(str::to_owned),
            });
        }
    }
    out
}

/// `optionalValues` whose `when` is literally true apply (KOTS evaluates `when` at install
/// time; a templated `when` is unknown and its values are not applied).
fn apply_optional_values(
    root: &Node,
    text: &str,
    anchors: &std::collections::HashMap<usize, Node>,
    values: &mut Value,
) {
    for item in root.path("spec.optionalValues").map(Node::items).unwrap_or_default() {
        let when = item.get("when").and_then(|w| w.scalar()).filter(|s| !s.templated);
        if when.is_none_or(|s| s.value != "true") {
            continue;
        }
        let Some(extra) = item.get("values").and_then(|v| from_node(v, text, anchors)) else {
            continue;
        };
        let recursive = item
            .get("recursiveMerge")
            .and_then(Node::as_str)
            .is_some_and(|s| s == "true");
        match (recursive, values.as_object_mut(), extra) {
            (true, _, extra) => merge(values, &extra),
            (false, Some(m), Value::Object(e)) => {
                for (k, v) in e {
                    m.insert(k, v);
                }
            }
            _ => {}
        }
    }
}

/// Read every archive, render it, and append the archive and its rendered templates to
/// `files`. `archives` are (path as shown, bytes or why they could not be read).
pub fn load_archives(
    files: &mut Vec<SourceFile>,
    archives: Vec<(PathBuf, Result<Vec<u8>, String>)>,
) -> Vec<ChartRecord> {
    let refs = helm_charts(files);
    let mut records = Vec::new();
    for (path, bytes) in archives {
        let file = files.len();
        files.push(SourceFile::from_text(path.clone(), Some(path.clone()), String::new()));
        let chart = bytes.and_then(|b| read_chart(&b));
        let chart = match chart {
            Ok(c) => c,
            Err(problem) => {
                records.push(ChartRecord {
                    file,
                    chart: None,
                    problem: Some(problem),
                    not_analyzed: Vec::new(),
                    helm_chart: None,
                });
                continue;
            }
        };
        let matching = refs.iter().find(|r| {
            r.name.as_ref().is_some_and(|(n, _)| *n == chart.name)
                && r.version.as_ref().is_some_and(|(v, _)| *v == chart.version)
        });
        let release = ReleaseInfo {
            name: matching
                .and_then(|r| r.release_name.clone())
                .unwrap_or_else(|| chart.name.clone()),
            namespace: matching
                .and_then(|r| r.namespace.clone())
                .unwrap_or_else(|| "default".into()),
        };
        let empty = Value::Object(Map::new());
        let overrides = matching.map_or(&empty, |r| &r.values);
        let mut not_analyzed = Vec::new();
        for rendered in render(&chart, overrides, &release) {
            match rendered.result {
                Ok(out) if out.text.trim().is_empty() => {}
                Ok(out) => {
                    let text = out.text;
                    let shown = PathBuf::from(format!("{}!{}", path.display(), rendered.path));
                    let mut f = SourceFile::from_text(shown, None, text);
                    f.archive = Some(path.clone());
                    files.push(f);
                }
                Err(why) => not_analyzed.push((rendered.path, why)),
            }
        }
        records.push(ChartRecord {
            file,
            chart: Some((chart.name.clone(), chart.version.clone())),
            problem: None,
            not_analyzed,
            helm_chart: matching.map(|r| (r.file, r.doc)),
        });
    }
    records
}
