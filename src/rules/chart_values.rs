//! Fixes through a chart's values. A pod rendered from a chart gets its annotations where the
//! vendor configures the chart: the KOTS HelmChart's `spec.values` (or, for a chart directory
//! no HelmChart configures, its `values.yaml`), at the chart value the loader found writing
//! this pod's annotations (`helm::ValueMap`). The edit merges with what is there; the fix loop
//! renders the chart again with it.

use super::yaml_edit::{add_entries, scalar_text};
use crate::diagnostic::Edit;
use crate::release::{Release, Workload};
use crate::yaml::{Node, Typed};

/// Where in the HelmChart a pod annotation is set, and the edit that adds `name` to it.
pub struct ValuesEdit {
    pub edit: Edit,
    /// `spec.values.primary.podAnnotations` of `helmchart.yaml`, for messages.
    pub place: String,
}

/// Where a chart takes its values from: the KOTS HelmChart that configures it (file and
/// document), or, for a chart directory no HelmChart configures, its `values.yaml`.
#[derive(Clone, Copy)]
enum Source {
    HelmChart(usize, usize),
    ValuesFile(usize),
}

/// The chart value that writes this rendered pod's annotations (its keys from the values
/// root), and where that value is set.
fn pod_annotations_value(release: &Release, w: &Workload) -> Option<(Vec<String>, Source)> {
    let file = release.files.get(w.file)?;
    let chart = file.chart.as_ref()?;
    let record = release.charts.iter().find(|c| release.files[c.file].path == *chart)?;
    let map_path: Vec<&str> = w
        .template_path
        .split('.')
        .filter(|s| !s.is_empty())
        .chain(["metadata", "annotations"])
        .collect();
    let found = record.value_maps.iter().find(|m| {
        m.rendered == file.path
            && m.kind.as_deref() == Some(w.kind.as_str())
            && m.name.as_deref() == Some(w.name.as_str())
            && m.map_path == map_path
    })?;
    let source = match (record.helm_chart, record.values_file) {
        (Some((file, doc)), _) => Source::HelmChart(file, doc),
        (None, Some(file)) => Source::ValuesFile(file),
        (None, None) => return None,
    };
    Some((found.values_path.clone(), source))
}

/// The edit that adds `item` to the comma-separated annotation `key` of the rendered pod `w`,
/// where the chart's values are set. `rendered` is the annotation's value in the rendered pod,
/// if it has one: then those values must be what sets it (a value from the chart's defaults
/// or its template text would be duplicated, not extended), and the item is appended there.
pub fn add_to_pod_annotation(
    release: &Release,
    w: &Workload,
    key: &str,
    item: &str,
    rendered: Option<&str>,
) -> Option<ValuesEdit> {
    let (values_path, source) = pod_annotations_value(release, w)?;
    let mut path: Vec<&str> = values_path.iter().map(String::as_str).collect();
    let (file_id, base, place) = match source {
        Source::HelmChart(file_id, doc) => {
            let file = &release.files[file_id];
            path.insert(0, "values");
            let spec = file.documents.get(doc)?.root.as_ref()?.get("spec")?;
            let place = format!("`spec.{}` of the HelmChart in {}", path.join("."), file.path.display());
            (file_id, spec, place)
        }
        Source::ValuesFile(file_id) => {
            let file = &release.files[file_id];
            let root = file.documents.first()?.root.as_ref()?;
            let place = format!("`{}` in {}", path.join("."), file.path.display());
            (file_id, root, place)
        }
    };
    let text = &release.files[file_id].text;
    let existing = lookup(base, &path).and_then(|m| m.entry(key));
    let edit = match (existing, rendered) {
        (Some((_, value)), _) => {
            let Some(Typed::Str(old)) = value.scalar().filter(|s| !s.templated).map(|s| s.typed()) else {
                return None;
            };
            if old.split(',').any(|n| n == item) {
                // Already there, yet not in the rendered pod: the chart does not pass it on.
                return None;
            }
            let new = if old.is_empty() {
                item.to_owned()
            } else {
                format!("{old},{item}")
            };
            Edit::replace(file_id, value.span.clone(), scalar_text(&new))
        }
        (None, Some(_)) => return None,
        (None, None) => add_entries(text, file_id, base, &path, &[(key.to_owned(), scalar_text(item))])?,
    };
    Some(ValuesEdit { edit, place })
}

/// The map at `path` under `node`, if every step is a map.
fn lookup<'n>(node: &'n Node, path: &[&str]) -> Option<&'n Node> {
    path.iter().try_fold(node, |at, key| at.get(key)).filter(|n| n.is_map())
}
