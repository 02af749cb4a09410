//! Charts joining the release at load time: find the KOTS `HelmChart` resources among the
//! plain files, read each chart (archive or directory), render it with the matching
//! HelmChart's values, and add the rendered templates and their sources as in-memory files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::probe::{ValueMap, value_maps};
use super::values::{from_node, merge};
use super::{Chart, ReleaseInfo, read_chart, render_limits, render_within};
use crate::diagnostic::FileId;
use crate::source::{Limits, Provenance, SourceFile};
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

/// A template the renderer could not evaluate.
#[derive(Debug, Clone)]
pub struct NotAnalyzed {
    /// Its path in the chart (`app/templates/x.yaml`).
    pub template: String,
    pub why: String,
    /// The template (or helper) source file and bytes where it failed, when known.
    pub at: Option<(FileId, Span)>,
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
    /// Templates not analyzed, and why.
    pub not_analyzed: Vec<NotAnalyzed>,
    /// The HelmChart whose values were used: its file and document.
    pub helm_chart: Option<(FileId, usize)>,
    /// A chart directory's `values.yaml`, a file of the release: where a values fix goes
    /// when no HelmChart configures the chart.
    pub values_file: Option<FileId>,
    /// The annotation maps of the output that one chart value writes (builtin engine only).
    pub value_maps: Vec<ValueMap>,
}

fn known_str(n: Node<'_>) -> Option<(String, Span)> {
    n.as_str().map(|s| (s.to_owned(), n.span()))
}

pub fn helm_charts(files: &[SourceFile]) -> Vec<HelmChartRef> {
    let docs = files
        .iter()
        .enumerate()
        .flat_map(|(f, file)| (0..file.documents.len()).map(move |d| (f, d)));
    docs.filter_map(|(f, d)| helm_chart(files, f, d)).collect()
}

/// [`helm_charts`] of a loaded release, through its index of objects by kind.
pub fn release_helm_charts(release: &crate::release::Release) -> Vec<HelmChartRef> {
    let objects = release.of_kind("HelmChart");
    objects
        .filter_map(|o| helm_chart(&release.files, o.file, o.doc))
        .collect()
}

/// The document's KOTS HelmChart, if it is one.
fn helm_chart(files: &[SourceFile], file_id: usize, doc_id: usize) -> Option<HelmChartRef> {
    let file = &files[file_id];
    let root = file.documents[doc_id].root().filter(|r| r.is_map())?;
    let kind = root.get("kind").and_then(Node::as_str);
    let api = root.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    if kind != Some("HelmChart") || !api.starts_with("kots.io/") {
        return None;
    }
    let name_node = root.path("spec.chart.name");
    let version_node = root.path("spec.chart.chartVersion");
    let templated = name_node.is_some_and(Node::is_templated) || version_node.is_some_and(Node::is_templated);
    let mut values = root
        .path("spec.values")
        .and_then(|v| from_node(v, &file.text))
        .filter(Value::is_object)
        .unwrap_or_else(|| Value::Object(Map::new()));
    apply_optional_values(root, &file.text, &mut values);
    let release_name = root
        .path("spec.releaseName")
        .or_else(|| root.path("spec.chart.releaseName"))
        .and_then(Node::as_str)
        .map(str::to_owned);
    Some(HelmChartRef {
        file: file_id,
        doc: doc_id,
        name: name_node.and_then(known_str),
        version: version_node.and_then(known_str),
        templated,
        values,
        release_name,
        namespace: root.path("spec.namespace").and_then(Node::as_str).map(str::to_owned),
    })
}

/// `optionalValues` whose `when` is literally true apply (KOTS evaluates `when` at install
/// time; a templated `when` is unknown and its values are not applied).
fn apply_optional_values(root: Node<'_>, text: &str, values: &mut Value) {
    for item in root.path("spec.optionalValues").map(Node::items).unwrap_or_default() {
        let when = item.get("when").and_then(|w| w.scalar()).filter(|s| !s.templated);
        if when.is_none_or(|s| s.value != "true") {
            continue;
        }
        let Some(extra) = item.get("values").and_then(|v| from_node(v, text)) else {
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

/// What renders the charts: snaplint's own renderer (the default: no helm needed, findings
/// on template lines), or a `helm` binary the user trusts more (`--helm-engine helm`),
/// whose output has no template provenance.
#[derive(Debug, Clone, Default)]
pub enum Engine {
    #[default]
    Builtin,
    Helm(PathBuf),
}

/// Where a chart comes from: an archive (its bytes, or why they could not be read) or a
/// source directory holding `Chart.yaml`.
#[derive(Debug, Clone)]
pub enum ChartSource {
    Archive(Result<Vec<u8>, String>),
    Dir,
}

/// Read every chart, render it with its HelmChart's values, and append to `files`: the chart
/// itself (an empty file standing for it), each rendered template
/// (`app.tgz!rendered/app/templates/x.yaml`) with the provenance of every piece, and the
/// source of every template that wrote something (`app.tgz!app/templates/x.yaml`, or the
/// template's own path for a directory), where findings are shown.
pub fn load_charts(
    files: &mut Vec<SourceFile>,
    charts: &[(PathBuf, ChartSource)],
    engine: &Engine,
    limits: &Limits,
) -> Vec<ChartRecord> {
    let bounds = render_limits(limits);
    let refs = helm_charts(files);
    let mut records = Vec::new();
    for (path, source) in charts {
        let file = files.len();
        files.push(SourceFile::from_text(path.clone(), Some(path.clone()), String::new()));
        let is_dir = matches!(source, ChartSource::Dir);
        let chart = match source {
            ChartSource::Archive(bytes) => bytes.as_ref().map_err(Clone::clone).and_then(|b| read_chart(b)),
            ChartSource::Dir => super::chart::load_dir(path),
        };
        let mut values_file = None;
        let chart = chart.and_then(|mut c| {
            if is_dir {
                values_file = dir_values(files, path, &mut c)?;
            }
            Ok(c)
        });
        let chart = match chart {
            Ok(c) => c,
            Err(problem) => {
                records.push(ChartRecord {
                    file,
                    chart: None,
                    problem: Some(problem),
                    not_analyzed: Vec::new(),
                    helm_chart: None,
                    values_file: None,
                    value_maps: Vec::new(),
                });
                continue;
            }
        };
        let matching = refs.iter().find(|r| {
            r.name.as_ref().is_some_and(|(n, _)| *n == chart.name)
                && r.version.as_ref().is_some_and(|(v, _)| *v == chart.version)
        });
        let namespace = matching.and_then(|r| r.namespace.clone());
        let release = ReleaseInfo {
            name: matching
                .and_then(|r| r.release_name.clone())
                .unwrap_or_else(|| chart.name.clone()),
            // Helm's own default; KOTS installs such a chart into the application's namespace.
            namespace: namespace.clone().unwrap_or_else(|| "default".into()),
        };
        let empty = Value::Object(Map::new());
        let overrides = matching.map_or(&empty, |r| &r.values);
        let names = Names {
            chart: path,
            is_dir,
            app_namespace: namespace.is_none().then_some(release.namespace.as_str()),
        };
        let not_analyzed = match engine {
            Engine::Builtin => add_rendered(files, &names, render_within(&chart, overrides, &release, &bounds)),
            Engine::Helm(helm) => match helm_template(helm, path, overrides, &release) {
                Ok(out) => {
                    add_helm_output(files, &names, &out);
                    Vec::new()
                }
                Err(why) => vec![NotAnalyzed {
                    template: chart.dir.clone(),
                    why,
                    at: None,
                }],
            },
        };
        // Only a HelmChart (or a chart directory's values.yaml) can take a values fix; the
        // probe render costs as much as the first. Under `--helm-engine helm` too: helm's output
        // names its files and objects as the built-in renderer's does.
        let value_maps = if matching.is_some() || values_file.is_some() {
            value_maps(&chart, overrides, &release, &bounds, &|t| names.rendered(t))
        } else {
            Vec::new()
        };
        records.push(ChartRecord {
            file,
            chart: Some((chart.name.clone(), chart.version.clone())),
            problem: None,
            not_analyzed,
            helm_chart: matching.map(|r| (r.file, r.doc)),
            values_file,
            value_maps,
        });
    }
    records
}

/// A chart directory's `values.yaml` joins the release as a file of its own (the vendor edits
/// it; a fix may too). The chart renders with that file's text: on a render after a fix, the
/// text the fix left, not what is on disk. `None` when the chart has no `values.yaml`.
fn dir_values(files: &mut Vec<SourceFile>, dir: &Path, chart: &mut Chart) -> Result<Option<FileId>, String> {
    let path = dir.join("values.yaml");
    let id = match files.iter().position(|f| f.path == path) {
        Some(id) => id,
        None => {
            let Ok(text) = std::fs::read_to_string(&path) else {
                return Ok(None);
            };
            files.push(SourceFile::from_text(path.clone(), Some(path), text));
            files.len() - 1
        }
    };
    chart.values = super::chart::parse_values(&format!("{}/values.yaml", chart.dir), &files[id].text)?;
    Ok(Some(id))
}

/// `helm template` of the chart with the same values, release name and namespace, and the
/// Kubernetes version snaplint's renderer assumes.
fn helm_template(helm: &Path, chart: &Path, overrides: &Value, release: &ReleaseInfo) -> Result<String, String> {
    let values = tempfile::NamedTempFile::new().map_err(|e| format!("cannot write the values for helm: {e}"))?;
    std::fs::write(values.path(), overrides.to_string())
        .map_err(|e| format!("cannot write the values for helm: {e}"))?;
    let out = std::process::Command::new(helm)
        .arg("template")
        .arg(&release.name)
        .arg(chart)
        .args([
            "--namespace",
            &release.namespace,
            "--kube-version",
            super::chart::DEFAULT_KUBE_VERSION,
        ])
        .arg("-f")
        .arg(values.path())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", helm.display()))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("no message");
        return Err(format!("`helm template` failed: {first}"));
    }
    String::from_utf8(out.stdout).map_err(|_| "`helm template` output is not UTF-8".into())
}

/// helm's output, one file per `# Source:` template as `check -` reads such a stream.
fn add_helm_output(files: &mut Vec<SourceFile>, names: &Names, out: &str) {
    for mut f in crate::source::split_stdin(out) {
        f.path = names.rendered(&f.path.display().to_string());
        f.chart = Some(names.chart.to_path_buf());
        f.app_namespace = names.app_namespace.map(str::to_owned);
        files.push(f);
    }
}

/// How a chart's files are shown.
struct Names<'p> {
    chart: &'p Path,
    is_dir: bool,
    /// The namespace rendered for the KOTS application namespace, when no HelmChart names one.
    app_namespace: Option<&'p str>,
}

impl Names<'_> {
    /// A template's source: inside the archive, or at its own path under the directory
    /// (`app/templates/x.yaml` of `charts/app` is `charts/app/templates/x.yaml`).
    fn source(&self, template: &str) -> PathBuf {
        if self.is_dir {
            let inner = template.split_once('/').map_or(template, |(_, rest)| rest);
            self.chart.join(inner)
        } else {
            PathBuf::from(format!("{}!{template}", self.chart.display()))
        }
    }

    fn rendered(&self, template: &str) -> PathBuf {
        PathBuf::from(format!("{}!rendered/{template}", self.chart.display()))
    }
}

/// Add the rendered templates and the sources they came from; returns what was not analyzed.
fn add_rendered(files: &mut Vec<SourceFile>, names: &Names, rendered: Vec<super::Rendered>) -> Vec<NotAnalyzed> {
    let mut not_analyzed = Vec::new();
    let mut sources: HashMap<String, usize> = HashMap::new();
    // The source of a template, added the first time a piece or a failure points into it.
    let mut source_of = |files: &mut Vec<SourceFile>, template: &str, text: &str| {
        *sources.entry(template.to_owned()).or_insert_with(|| {
            files.push(SourceFile::template_source(
                names.source(template),
                text.to_owned(),
                names.chart.to_path_buf(),
            ));
            files.len() - 1
        })
    };
    for r in rendered {
        let out = match r.result {
            Ok(out) if out.text.trim().is_empty() => continue,
            Ok(out) => out,
            Err(why) => {
                let at = r.failed_at.map(|f| {
                    let end = f.source[f.offset.min(f.source.len())..]
                        .find('\n')
                        .map_or(f.source.len(), |i| f.offset + i);
                    (source_of(files, &f.template, &f.source), f.offset..end.max(f.offset))
                });
                not_analyzed.push(NotAnalyzed {
                    template: r.path,
                    why,
                    at,
                });
                continue;
            }
        };
        let mut provenance = Vec::new();
        for piece in out.pieces() {
            let source = source_of(files, piece.template, piece.source);
            provenance.push(Provenance {
                at: piece.at,
                file: source,
                span: piece.span.clone(),
                verbatim: piece.verbatim,
            });
        }
        let mut f = SourceFile::from_text(names.rendered(&r.path), None, out.text);
        f.chart = Some(names.chart.to_path_buf());
        f.app_namespace = names.app_namespace.map(str::to_owned);
        f.provenance = provenance;
        files.push(f);
    }
    not_analyzed
}
