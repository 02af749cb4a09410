//! Fixes through a chart's values. A pod rendered from a chart gets its annotations where the
//! vendor configures the chart: the KOTS HelmChart's `spec.values` (or, for a chart directory
//! no HelmChart configures, its `values.yaml`), at the chart value the loader found writing
//! this pod's annotations (`helm::ValueMap`). The edit merges with what is there; the fix loop
//! renders the chart again with it.

use crate::diagnostic::{Edit, EditTarget, FileId, Location};
use crate::edit::{Doc, Item};
use crate::release::{Release, Workload};
use crate::yaml::{Node, Span, Typed};

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

/// Where the chart value behind `w`'s annotations is set: the file, the map to add under,
/// the keys from there, and how to name the place in messages.
fn values_place<'r>(release: &'r Release, w: &Workload) -> Option<(FileId, Node<'r>, Vec<String>, String)> {
    let (mut path, source) = pod_annotations_value(release, w)?;
    match source {
        Source::HelmChart(file_id, doc) => {
            let file = &release.files[file_id];
            path.insert(0, "values".to_owned());
            let spec = file.documents.get(doc)?.root()?.get("spec")?;
            let place = format!("`spec.{}` of the HelmChart in {}", path.join("."), file.path.display());
            Some((file_id, spec, path, place))
        }
        Source::ValuesFile(file_id) => {
            let file = &release.files[file_id];
            let root = file.documents.first()?.root()?;
            let place = format!("`{}` in {}", path.join("."), file.path.display());
            Some((file_id, root, path, place))
        }
    }
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
    let (file_id, base, path, place) = values_place(release, w)?;
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let doc = Doc::of(release, file_id);
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
            doc.replace_scalar(value, &new)?
        }
        (None, Some(_)) => return None,
        (None, None) => doc.insert(base, &path, &[Item::pair(key, item)])?,
    };
    Some(ValuesEdit { edit, place })
}

/// A rendered pod annotation (key or value) and the same annotation in the chart's values.
struct Counterpart {
    /// The rendered node and its counterpart in the values file.
    rendered: Span,
    source: Span,
    source_file: FileId,
    /// Both are written with the same bytes, so offsets inside one are offsets inside the other.
    same_text: bool,
}

/// The values-file counterpart of the rendered annotation key or value holding `loc`, when the
/// annotation's map is written from a chart value that sets that key.
fn counterpart(release: &Release, loc: &Location) -> Option<Counterpart> {
    let file = release.files.get(loc.file)?;
    file.chart.as_ref()?;
    let inside = |n: Node<'_>| n.span().start <= loc.span.start && loc.span.end <= n.span().end;
    let (w, map) = release
        .workloads
        .iter()
        .filter(|w| w.file == loc.file)
        .find_map(|w| Some((w, w.pod_annotations(release).filter(|m| inside(*m))?)))?;
    let (key, value) = map.entries().iter().find(|(k, v)| inside(*k) || inside(*v))?;
    let (source_file, base, path, _) = values_place(release, w)?;
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let (skey, svalue) = lookup(base, &path)?.entry(key.as_str()?)?;
    let (rendered, source) = if inside(key) { (key, skey) } else { (value, svalue) };
    let source_text = &release.files[source_file].text;
    Some(Counterpart {
        rendered: rendered.span(),
        source: source.span(),
        source_file,
        same_text: file.text.get(rendered.span()) == source_text.get(source.span()),
    })
}

/// Where a finding in a rendered pod's annotations belongs when the chart's values set that
/// annotation: on the same bytes in the HelmChart (or `values.yaml`), where the vendor wrote it.
pub fn values_location(release: &Release, loc: &Location) -> Option<Location> {
    let c = counterpart(release, loc)?;
    let span = if c.same_text {
        let start = c.source.start + (loc.span.start - c.rendered.start);
        start..start + loc.span.len()
    } else {
        c.source
    };
    Some(Location {
        file: c.source_file,
        span,
    })
}

/// A fix's edit of a rendered pod annotation, made on the same bytes of the chart's values
/// instead. `None` unless the edit lies inside one annotation key or value written the same
/// way in both.
pub fn values_edit(release: &Release, edit: &Edit) -> Option<Edit> {
    let EditTarget::File(file) = edit.target else {
        return None;
    };
    let loc = Location {
        file,
        span: edit.span.clone(),
    };
    let c = counterpart(release, &loc).filter(|c| c.same_text)?;
    let start = c.source.start + (edit.span.start - c.rendered.start);
    Some(Edit::replace(
        c.source_file,
        start..start + edit.span.len(),
        edit.text.clone(),
    ))
}

/// Is `map` (in `file`) a HelmChart or `values.yaml` map that a rendered pod's annotations are
/// written from? The rendered pod is then checked instead, knowing its containers.
pub fn feeds_rendered_pod(release: &Release, file: FileId, map: Node<'_>) -> bool {
    release.workloads.iter().any(|w| {
        release.files[w.file].chart.is_some()
            && values_place(release, w).is_some_and(|(f, base, path, _)| {
                let path: Vec<&str> = path.iter().map(String::as_str).collect();
                f == file && lookup(base, &path).is_some_and(|m| m.span() == map.span())
            })
    })
}

/// The map at `path` under `node`, if every step is a map.
fn lookup<'n>(node: Node<'n>, path: &[&str]) -> Option<Node<'n>> {
    path.iter().try_fold(node, |at, key| at.get(key)).filter(|n| n.is_map())
}
