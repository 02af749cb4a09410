//! VOL rules: pod volumes opted in to Velero file-system backup, correctly.
//!
//! Velero reads `backup.velero.io/backup-volumes` (opt-in) or
//! `backup.velero.io/backup-volumes-excludes` (opt-out, when the Backup sets
//! `defaultVolumesToFsBackup: true`) from the Pod's own annotations only, and splits the value
//! with `strings.Split(value, ",")` without trimming: `"a, b"` names `a` and ` b`.
//! A templated value or volume list is unknown until render time and never a finding.

mod local_storage;
mod running;
mod skips;

pub use local_storage::host_path_storage;
pub use running::not_running;
pub use skips::{block_device, ignored_by_mode, not_mounted, on_non_pod};

use std::sync::OnceLock;

use super::Ctx;
use super::chart_values;
use super::hooks::patterns::DumpTarget;
use super::suggest::closest;
use crate::diagnostic::{Edit, FileId, Severity};
use crate::edit::{self, Doc};
use crate::release::effective::describe_all;
use crate::release::{Release, Running, Volume, Workload};
use crate::yaml::{Kind, Node, Span, Style, Typed};

pub const INCLUDE: &str = "backup.velero.io/backup-volumes";
pub const EXCLUDE: &str = "backup.velero.io/backup-volumes-excludes";
const KEYS: [&str; 2] = [INCLUDE, EXCLUDE];

/// Volume types Velero never needs to copy: restored from the manifests themselves.
const MANIFEST_TYPES: &[&str] = &["configMap", "secret", "projected", "downwardAPI"];

/// One comma-separated item of an annotation value, as Velero splits it.
struct Item<'r> {
    raw: &'r str,
    /// The item's bytes in the file, or the whole value when the value's source text is not
    /// its content (escapes, block scalars).
    span: Span,
}

impl Item<'_> {
    fn name(&self) -> &str {
        self.raw.trim()
    }

    /// The span of the name without surrounding spaces (when the item span is exact).
    fn name_span(&self, exact: bool) -> Span {
        if !exact {
            return self.span.clone();
        }
        let lead = self.raw.len() - self.raw.trim_start().len();
        let start = self.span.start + lead;
        start..start + self.name().len()
    }
}

/// A volume-list annotation (`backup-volumes` or `-excludes`) whose value is a known string.
struct List<'r> {
    value: Node<'r>,
    /// Where the string's content is in the file (inside quotes), when it is copied verbatim.
    inner: Option<Span>,
    items: Vec<Item<'r>>,
}

impl List<'_> {
    fn exact(&self) -> bool {
        self.inner.is_some()
    }

    fn has(&self, name: &str) -> bool {
        self.items.iter().any(|i| i.name() == name)
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(Item::name).filter(|n| !n.is_empty())
    }
}

/// What an annotation entry holds, as far as these rules are concerned.
enum Value<'r> {
    Absent,
    /// Templated: unknown until render time.
    Unknown,
    /// A YAML list, number, bool or null: VOL006's to report; unknown to the other rules.
    NotString(Node<'r>, Node<'r>),
    List(List<'r>),
}

/// The byte range of a scalar's content when the source text is exactly its value: plain and
/// single-line quoted scalars without escapes.
fn inner_span(text: &str, node: Node<'_>) -> Option<Span> {
    let s = node.scalar()?;
    let span = node.span();
    let inner = match s.style {
        Style::Plain => span,
        Style::SingleQuoted | Style::DoubleQuoted if span.len() >= 2 => span.start + 1..span.end - 1,
        _ => return None,
    };
    (text.get(inner.clone()) == Some(s.value)).then_some(inner)
}

fn split<'r>(value: &'r str, inner: Option<&Span>, whole: &Span) -> Vec<Item<'r>> {
    let mut at = inner.map(|s| s.start);
    value
        .split(',')
        .map(|raw| {
            let span = at.map_or(whole.clone(), |s| s..s + raw.len());
            at = at.map(|s| s + raw.len() + 1);
            Item { raw, span }
        })
        .collect()
}

fn read<'r>(text: &str, map: Option<Node<'r>>, key: &str) -> Value<'r> {
    let Some((k, v)) = map.and_then(|m| m.entry(key)) else {
        return Value::Absent;
    };
    if v.contains_template() || matches!(v.kind(), Kind::Alias(_)) {
        return Value::Unknown;
    }
    match v.scalar().map(|s| s.typed()) {
        Some(Typed::Str(value)) => {
            let inner = inner_span(text, v);
            let items = split(value, inner.as_ref(), &v.span());
            Value::List(List { value: v, inner, items })
        }
        _ => Value::NotString(k, v),
    }
}

/// A workload's pod as Velero sees it: the pod template's annotations and the mode.
pub(crate) struct Pod<'r> {
    w: &'r Workload,
    file: FileId,
    text: &'r str,
    /// The file, for fixes.
    doc: Doc<'r>,
    template: Node<'r>,
    annotations: Option<Node<'r>>,
    /// `backup-volumes` and `backup-volumes-excludes`, read once.
    include: Value<'r>,
    exclude: Value<'r>,
    /// Whether template actions may add annotations or volumes at render time: decided on the
    /// first ask, as several rules ask and the answer scans the pod template's text.
    annotations_unknown: OnceLock<bool>,
    volumes_unknown: OnceLock<bool>,
}

impl<'r> Pod<'r> {
    fn new(release: &'r Release, w: &'r Workload) -> Option<Self> {
        let text = &release.files[w.file].text;
        let template = w.template(release)?;
        let annotations = template.path("metadata.annotations");
        Some(Pod {
            w,
            file: w.file,
            text,
            doc: Doc::of(release, w.file),
            template,
            annotations,
            include: read(text, annotations, INCLUDE),
            exclude: read(text, annotations, EXCLUDE),
            annotations_unknown: OnceLock::new(),
            volumes_unknown: OnceLock::new(),
        })
    }

    fn annotations_unknown(&self, release: &Release) -> bool {
        *self
            .annotations_unknown
            .get_or_init(|| annotations_unknown(release, self))
    }

    fn volumes_unknown(&self, release: &Release) -> bool {
        *self.volumes_unknown.get_or_init(|| volumes_unknown(release, self))
    }

    fn list(&self, key: &str) -> &Value<'r> {
        if key == INCLUDE { &self.include } else { &self.exclude }
    }

    fn label(&self) -> String {
        format!("{} `{}`", self.w.kind, self.w.name)
    }
}

/// Every workload's pod, in workload order: built once per run ([`Ctx::pods`]).
pub(crate) fn pods(release: &Release) -> Vec<Pod<'_>> {
    let mut pods: Vec<Pod> = release.workloads.iter().filter_map(|w| Pod::new(release, w)).collect();
    pods.shrink_to_fit();
    pods
}

/// The bytes of an entry's block: from its key through every following line that is more
/// indented, blank, a comment or a template action (`{{- toYaml .Values.x | nindent 8 }}`),
/// so template actions that add to the entry at render time fall inside.
fn entry_region(text: &str, map: Node<'_>, key: &str) -> Option<Span> {
    let (k, _) = map.entry(key)?;
    let start = k.span().start;
    let bytes = text.as_bytes();
    let indent = start - bytes[..start].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line_end = |from: usize| {
        bytes[from..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| from + i)
    };
    // Line by line over the bytes: this runs for several keys of every pod template.
    let mut end = line_end(start);
    while end < bytes.len() {
        let line = end + 1;
        let next = line_end(line);
        let spaces = bytes[line..next].iter().take_while(|&&b| b == b' ').count();
        let body = &text[line + spaces..next];
        let inert = || body.trim().is_empty() || body.starts_with('#') || body.starts_with("{{");
        if spaces <= indent && !inert() {
            break;
        }
        end = next;
    }
    Some(start..end)
}

/// Template ranges starting inside `region`. Templates are in file order, so a binary search
/// keeps this cheap in a file of many workloads (a `helm template` stream).
fn templates_in<'r>(release: &'r Release, file: FileId, region: &Span) -> &'r [Span] {
    let all = &release.files[file].templates;
    let from = all.partition_point(|t| t.start < region.start);
    let to = all.partition_point(|t| t.start < region.end);
    &all[from..to.max(from)]
}

fn has_template(release: &Release, file: FileId, region: &Span) -> bool {
    !templates_in(release, file, region).is_empty()
}

/// The pod's volumes may include some only known at render time (a templated name, or a
/// template action such as `{{- toYaml .Values.extraVolumes }}` among them).
fn volumes_unknown(release: &Release, pod: &Pod) -> bool {
    let mut regions = Vec::new();
    if let Some(spec) = pod.template.get("spec") {
        regions.extend(entry_region(pod.text, spec, "volumes"));
    }
    if pod.w.kind == "StatefulSet" {
        let spec = pod.w.root(release).get("spec");
        regions.extend(spec.and_then(|s| entry_region(pod.text, s, "volumeClaimTemplates")));
    }
    pod.w.volumes.iter().any(|v| v.templated) || regions.iter().any(|r| has_template(release, pod.file, r))
}

/// The pod template's annotations may be extended at render time (a template action in
/// `metadata` outside `labels`, or a templated `annotations` value).
fn annotations_unknown(release: &Release, pod: &Pod) -> bool {
    if pod.annotations.is_some_and(|a| !a.is_map() && a.contains_template()) {
        return true;
    }
    let (Some(meta), Some(region)) = (
        pod.template.get("metadata"),
        entry_region(pod.text, pod.template, "metadata"),
    ) else {
        return false;
    };
    let labels = entry_region(pod.text, meta, "labels").unwrap_or(0..0);
    templates_in(release, pod.file, &region)
        .iter()
        .any(|t| !labels.contains(&t.start))
}

/// Replace the list's value with `new`, keeping its style.
fn replace_value(pod: &Pod, list: &List, new: &str) -> Option<Edit> {
    pod.doc.replace_scalar(list.value, new)
}

/// The workload's data volumes that every Backup KOTS creates copies: opted in (full backups
/// always opt in, whatever the vendor's Backup says) and, where the vendor's opt-out mode
/// reaches Velero, not excluded. A templated annotation is unknown: nothing.
pub fn backed_up<'w>(release: &Release, w: &'w Workload) -> Vec<&'w Volume> {
    let Some(pod) = Pod::new(release, w) else {
        return Vec::new();
    };
    let Value::List(included) = pod.list(INCLUDE) else {
        return Vec::new();
    };
    let excluded: Vec<&str> = match pod.list(EXCLUDE) {
        _ if release.opt_out_backups().next().is_none() => Vec::new(),
        Value::List(l) => l.names().collect(),
        Value::Absent => Vec::new(),
        Value::Unknown | Value::NotString(..) => return Vec::new(),
    };
    data_volumes(w)
        .filter(|v| included.has(&v.name) && !excluded.contains(&v.name.as_str()))
        .collect()
}

// ---------------------------------------------------------------- the plan

/// Why a pod volume is or is not copied by file-system backup, in Velero's order of decision
/// (`vmware-tanzu/velero pkg/util/podvolume/pod_volume.go@v1.18.0` `GetVolumesByPod`, then
/// `pkg/podvolume/backupper.go@v1.18.0` L264-367). `snaplint plan` prints these; VOL001
/// reports from them, so the two never disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Listed in `backup-volumes` (opt-in mode).
    OptedIn,
    /// Not listed in `backup-volumes` (opt-in mode).
    NotOptedIn,
    /// Listed in `backup-volumes-excludes` (opt-out mode).
    Excluded,
    /// Not excluded, so backed up by default (opt-out mode).
    OptOutDefault,
    /// A volume type file-system backup never copies (`configMap`, `hostPath`, ...).
    SkippedType(String),
    /// No regular container mounts it (init containers do not count).
    NotMounted,
    /// A raw block device (`volumeDevices`) of a regular container.
    BlockDevice,
    /// The pod is not running when the backup runs: Velero skips all its volumes (truth F9).
    NotRunning(&'static str),
    /// The annotation is not a string: Kubernetes rejects the manifest (VOL006).
    NotAString(&'static str),
    /// Known only at render time.
    Unknown(&'static str),
}

impl Reason {
    /// `Some(true)` copied, `Some(false)` not, `None` unknown until render time.
    pub fn backed_up(&self) -> Option<bool> {
        match self {
            Reason::OptedIn | Reason::OptOutDefault => Some(true),
            Reason::Unknown(_) => None,
            _ => Some(false),
        }
    }

    pub fn how(&self) -> &'static str {
        match self.backed_up() {
            Some(true) => "file-system backup",
            Some(false) => "not backed up",
            None => "unknown",
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Reason::OptedIn => format!("opted in (`{INCLUDE}`)"),
            Reason::NotOptedIn => format!("not opted in (not in `{INCLUDE}`)"),
            Reason::Excluded => format!("excluded (opt-out: in `{EXCLUDE}`)"),
            Reason::OptOutDefault => {
                format!("opt-out default (`defaultVolumesToFsBackup: true`, not in `{EXCLUDE}`)")
            }
            Reason::SkippedType(kind) if kind == "hostPath" => {
                "skipped type hostPath (file-system backup does not support it)".into()
            }
            Reason::SkippedType(kind) => format!("skipped type {kind} (restored from the manifests)"),
            Reason::NotMounted => "not mounted by a regular container".into(),
            Reason::BlockDevice => "block device (`volumeDevices`): file-system backup skips it".into(),
            Reason::NotRunning(why) => format!("not running at backup time ({why}): Velero skips its volumes"),
            Reason::NotAString(key) => format!("`{key}` is not a string: Kubernetes rejects the manifest (VOL006)"),
            Reason::Unknown(what) => format!("{what}: unknown until render time"),
        }
    }
}

/// One pod volume, decided for both modes a Backup KOTS creates can run in. Pick the one for a
/// backup with [`VolumePlan::outcome`].
#[derive(Debug, Clone)]
pub struct VolumePlan<'w> {
    pub volume: &'w Volume,
    /// What the annotations and the volume select, pod running or not: opt-in mode.
    pub opt_in: Reason,
    /// The same in opt-out mode (`defaultVolumesToFsBackup: true` reaches Velero).
    pub opt_out: Reason,
    /// Why the pod is not running at backup time, when it is not.
    pub not_running: Option<&'static str>,
}

impl VolumePlan<'_> {
    /// The decision for one Backup KOTS creates, pod running or not.
    pub fn outcome(&self, backup: &crate::release::EffectiveBackup) -> Reason {
        let selected = if backup.opt_out { &self.opt_out } else { &self.opt_in };
        match (self.not_running, selected) {
            (_, Reason::SkippedType(_) | Reason::Unknown(_) | Reason::NotAString(_)) | (None, _) => selected.clone(),
            (Some(why), _) => Reason::NotRunning(why),
        }
    }
}

/// Every pod volume of the workload and what file-system backup does with it. Empty when the
/// workload has no pod template.
pub fn volume_plan<'w>(release: &'w Release, w: &'w Workload) -> Vec<VolumePlan<'w>> {
    Pod::new(release, w).map_or_else(Vec::new, |pod| plan_of(release, &pod))
}

/// [`volume_plan`] of a pod already read.
fn plan_of<'w>(release: &Release, pod: &Pod<'w>) -> Vec<VolumePlan<'w>> {
    let w = pod.w;
    let unknown = pod.annotations_unknown(release);
    let (include, exclude) = (pod.list(INCLUDE), pod.list(EXCLUDE));
    let not_running = match w.running {
        Running::No(why) => Some(why),
        Running::Yes | Running::Unknown => None,
    };
    w.volumes
        .iter()
        .map(|v| {
            let decide = |key: &'static str, list: &Value| match volume_skip(w, v) {
                Some(reason) => reason,
                None if unknown => Reason::Unknown("pod annotations templated"),
                None => selection(key, list, &v.name),
            };
            VolumePlan {
                volume: v,
                opt_in: decide(INCLUDE, include),
                opt_out: decide(EXCLUDE, exclude),
                not_running,
            }
        })
        .collect()
}

/// What skips the volume whatever the annotations say.
fn volume_skip(w: &Workload, v: &Volume) -> Option<Reason> {
    if v.templated {
        return Some(Reason::Unknown("volume name templated"));
    }
    if v.kind == "hostPath" || MANIFEST_TYPES.contains(&v.kind.as_str()) {
        return Some(Reason::SkippedType(v.kind.to_string()));
    }
    let mounted = w.app_containers().any(|c| c.mounts.contains(&v.name));
    if mounted {
        return None;
    }
    Some(if w.app_containers().any(|c| c.devices.contains(&v.name)) {
        Reason::BlockDevice
    } else {
        Reason::NotMounted
    })
}

/// The annotation's verdict: `backup-volumes` in opt-in mode, the excludes in opt-out mode.
fn selection(key: &'static str, list: &Value, name: &str) -> Reason {
    let listed = match list {
        Value::Unknown => return Reason::Unknown("annotation templated"),
        Value::NotString(..) => return Reason::NotAString(key),
        Value::Absent => false,
        Value::List(l) => l.has(name),
    };
    match (key == INCLUDE, listed) {
        (true, true) => Reason::OptedIn,
        (true, false) => Reason::NotOptedIn,
        (false, true) => Reason::Excluded,
        (false, false) => Reason::OptOutDefault,
    }
}

// ---------------------------------------------------------------- VOL001

/// VOL001: a volume holding data is not backed up.
///
/// Full backups always opt in (KOTS drops the vendor's `defaultVolumesToFsBackup`), so a data
/// volume must be in `backup-volumes`; where the vendor's opt-out mode reaches Velero
/// (application-only backups, Embedded Cluster improved DR), it must also not be excluded. A
/// volume missing from both is one finding, naming every backup that loses it.
pub fn not_opted_in(ctx: &mut Ctx) {
    let release = ctx.release;
    for pod in ctx.pods() {
        // Opting in does nothing for a pod that is not running at backup time: VOL012's.
        if pod.annotations_unknown(release) || matches!(pod.w.running, Running::No(_)) {
            continue;
        }
        missing_opt_in(ctx, pod);
        if release.opt_out_backups().next().is_some() {
            excluded_data(ctx, pod);
        }
    }
}

/// Data volumes a regular container mounts: Velero skips a volume only init containers mount,
/// and block devices (`volumeDevices`).
fn data_volumes(w: &Workload) -> impl Iterator<Item = &Volume> {
    w.volumes
        .iter()
        .filter(|v| v.holds_data() && !v.templated)
        .filter(|v| w.app_containers().any(|c| c.mounts.contains(&v.name)))
}

/// The backups that opt in (every one unless the vendor's opt-out reaches them), for messages:
/// empty when all of them do.
fn opt_in_backups(release: &Release) -> Option<String> {
    release.opt_out_backups().next()?;
    describe_all(release.effective.iter().filter(|e| !e.opt_out))
}

fn missing_opt_in(ctx: &mut Ctx, pod: &Pod) {
    // VOL003's and VOL007's: their fixes move or rename the annotation, and adding another
    // in the same pass would leave a duplicate key.
    let misspelled_key = pod.annotations.is_some_and(|a| {
        a.entries()
            .iter()
            .any(|(k, _)| k.as_str().and_then(intended_key).is_some())
    });
    if misspelled_key || on_workload(ctx.release, pod.w).is_some() {
        return;
    }
    let listed = match pod.list(INCLUDE) {
        Value::List(l) => Some(l),
        Value::Absent => None,
        Value::Unknown | Value::NotString(..) => return,
    };
    let which = opt_in_backups(ctx.release);
    // Replicated's export pattern: a pre-backup hook dumps the database into a volume the
    // backup copies, so leaving the live data out is intended.
    let dump = ctx.hook_runs().dump_targets(pod.w).into_iter().find(|t| t.backed_up);
    let mut lost: Vec<&Volume> = Vec::new();
    for p in plan_of(ctx.release, pod) {
        let v = p.volume;
        if !v.holds_data() || p.opt_in != Reason::NotOptedIn {
            continue;
        }
        // With the vendor's opt-out mode, an excluded volume is meant to stay out:
        // `excluded_data` reports it once, for every backup. A near-miss name is VOL002's.
        let excluded = which.is_some() && p.opt_out == Reason::Excluded;
        if excluded || listed.as_ref().is_some_and(|l| misspelled(pod.w, l, &v.name)) {
            continue;
        }
        match &dump {
            Some(dump) => covered_by_dump(ctx, pod, v, dump),
            None => lost.push(v),
        }
    }
    if lost.is_empty() {
        return;
    }
    // One edit opts every lost volume of the pod in, so a single --fix pass reaches the end
    // however many there are; each finding carries it.
    let names: Vec<&str> = lost.iter().map(|v| v.name.as_str()).collect();
    let (edit, description, help) = opt_in_edit(ctx.release, pod, listed, &names.join(","));
    let effect = match &which {
        None => "so Velero does not back up its data".to_owned(),
        Some(backups) => format!(
            "so {backups} do not back up its data (they always opt in: KOTS drops the Backup's `defaultVolumesToFsBackup` from them)"
        ),
    };
    for v in lost {
        let fix = ctx.fix(description.clone(), edit.clone().into_iter().collect());
        ctx.report(
            pod.file,
            v.name_span.clone(),
            format!(
                "{}: volume `{}` ({}) is not in the pod template's `{INCLUDE}`, {effect}",
                pod.label(),
                v.name,
                v.kind
            ),
        )
        .with_help(help.clone())
        .with_fix(fix.filter(|f| !f.edits.is_empty()));
    }
}

/// A data volume left out because a pre-backup hook's dump, which the backup holds, covers it:
/// an info, no fix.
fn covered_by_dump(ctx: &mut Ctx, pod: &Pod, v: &Volume, dump: &DumpTarget) {
    let on = dump.volume.as_deref().unwrap_or("?");
    ctx.report(
        pod.file,
        v.name_span.clone(),
        format!(
            "{}: volume `{}` ({}) is not in `{INCLUDE}`, which looks intended: the pre-backup hook dumps the data to `{}` on volume `{on}`, which the backup holds",
            pod.label(),
            v.name,
            v.kind,
            dump.path
        ),
    )
    .with_severity(Severity::Info)
    .with_help("restore the dump with a post-restore hook; opt the volume in as well only if the live files are needed too");
}

/// The edit that opts `name` in, its description and the help: on the pod template, or, for a
/// pod rendered from a chart, in the HelmChart's values that write its annotations.
fn opt_in_edit(release: &Release, pod: &Pod, listed: Option<&List>, name: &str) -> (Option<Edit>, String, String) {
    let help = format!("add `{INCLUDE}: {name}` to `{}`", annotations_path(pod.w));
    if release.files[pod.file].chart.is_none() {
        let description = format!("add `{name}` to `{INCLUDE}` on the pod template");
        return (add_name(pod, listed, name), description, help);
    }
    let rendered = listed.and_then(|l| l.value.as_str());
    match chart_values::add_to_pod_annotation(release, pod.w, INCLUDE, name, rendered) {
        Some(v) => {
            let description = format!("add `{name}` to `{INCLUDE}` in {}", v.place);
            let help = format!(
                "the chart writes this pod's annotations from {}: opt `{name}` in there",
                v.place
            );
            (Some(v.edit), description, help)
        }
        None => (None, String::new(), help),
    }
}

/// A name in the list that is not a volume but is closest to `volume`: VOL002 reports it.
fn misspelled(w: &Workload, list: &List, volume: &str) -> bool {
    let names = || w.volumes.iter().map(|v| v.name.as_str());
    list.names()
        .filter(|n| w.volume(n).is_none())
        .any(|n| closest(n, names()) == Some(volume))
}

/// The workload's own `metadata.annotations` entry when it holds a volume-list key.
fn on_workload<'r>(release: &'r Release, w: &Workload) -> Option<(Node<'r>, Node<'r>)> {
    if w.template_path.is_empty() {
        return None;
    }
    let entry = w.root(release).get("metadata")?.entry("annotations")?;
    KEYS.iter().any(|k| entry.1.entry(k).is_some()).then_some(entry)
}

/// Where the pod's annotations live in the workload, for messages.
fn annotations_path(w: &Workload) -> String {
    match w.template_path {
        "" => "metadata.annotations".into(),
        p => format!("{p}.metadata.annotations"),
    }
}

/// Append `name` to the opt-in list (keeping order and quoting), or create the annotation.
fn add_name(pod: &Pod, list: Option<&List>, name: &str) -> Option<Edit> {
    match list {
        Some(list) => pod.doc.append_to_list(list.value, list.inner.clone()?, name),
        None => pod.doc.insert_leading(
            pod.template,
            &["metadata", "annotations"],
            &[edit::Item::pair(INCLUDE, name)],
        ),
    }
}

fn excluded_data(ctx: &mut Ctx, pod: &Pod) {
    let Value::List(list) = pod.list(EXCLUDE) else {
        return;
    };
    let opt_out = describe_all(ctx.release.opt_out_backups()).unwrap_or_default();
    for p in plan_of(ctx.release, pod) {
        let v = p.volume;
        // A volume both included and excluded is VOL005's.
        if !v.holds_data() || p.opt_out != Reason::Excluded || p.opt_in == Reason::OptedIn {
            continue;
        }
        let Some(item) = list.items.iter().find(|i| i.name() == v.name) else {
            continue;
        };
        let fix = ctx.fix(
            format!("remove `{}` from `{EXCLUDE}`", v.name),
            remove_name(pod, list, &v.name).unwrap_or_default(),
        );
        ctx.report(
            pod.file,
            v.name_span.clone(),
            format!(
                "{}: volume `{}` ({}) is listed in `{EXCLUDE}`, so {opt_out} (file-system backup on by default: the Backup sets `defaultVolumesToFsBackup: true`) skip its data, and full backups (always opt-in) skip it too: it is not in `{INCLUDE}`",
                pod.label(),
                v.name,
                v.kind
            ),
        )
        .with_label(pod.file, item.name_span(list.exact()), "excluded here")
        .with_help(format!("remove `{}` from `{EXCLUDE}` unless its data is disposable", v.name))
        .with_fix(fix.filter(|f| !f.edits.is_empty()));
    }
}

/// Drop `name` from the exclude list; the whole annotation when nothing is left.
fn remove_name(pod: &Pod, list: &List, name: &str) -> Option<Vec<Edit>> {
    let rest: Vec<&str> = list.names().filter(|n| *n != name).collect();
    if !rest.is_empty() {
        return Some(vec![replace_value(pod, list, &rest.join(","))?]);
    }
    let meta = pod.template.get("metadata")?;
    let (key, map) = meta.entry("annotations")?;
    pod.doc.remove((key, map), &[EXCLUDE])
}

// ---------------------------------------------------------------- VOL002

/// VOL002: a listed name matches no volume of the pod.
pub fn unknown_volume(ctx: &mut Ctx) {
    let release = ctx.release;
    for pod in ctx.pods() {
        if pod.volumes_unknown(release) {
            continue;
        }
        for key in KEYS {
            if let Value::List(list) = pod.list(key) {
                unknown_names(ctx, pod, key, list);
            }
        }
    }
}

fn unknown_names(ctx: &mut Ctx, pod: &Pod, key: &str, list: &List) {
    let volumes: Vec<&str> = pod.w.volumes.iter().map(|v| v.name.as_str()).collect();
    let mut seen = Vec::new();
    for item in &list.items {
        let name = item.name();
        // Empty items and duplicates are VOL006's.
        if name.is_empty() || volumes.contains(&name) || seen.contains(&name) {
            continue;
        }
        seen.push(name);
        let suggestion = closest(name, volumes.iter().copied());
        let fix = suggestion.filter(|_| list.exact()).and_then(|s| {
            let edit = pod.doc.replace_list_item(list.value, item.name_span(true), s)?;
            ctx.fix(format!("change `{name}` to `{s}`"), vec![edit])
        });
        let d = ctx.report(
            pod.file,
            item.name_span(list.exact()),
            format!(
                "`{key}` names `{name}`, but {} has no volume by that name: Velero skips it (with no log line in Velero 1.14+, with a `No volume named` warning in 1.11-1.13)",
                pod.label()
            ),
        );
        match suggestion {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None => d.with_help(format!("the pod's volumes are: {}", list_or_none(&volumes))),
        }
        .with_fix(fix);
    }
}

fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() {
        return "(none)".into();
    }
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

// ---------------------------------------------------------------- VOL003

/// VOL003: the annotation is on the workload's own metadata, which Velero never reads.
pub fn on_workload_metadata(ctx: &mut Ctx) {
    let release = ctx.release;
    for pod in ctx.pods() {
        let Some(own) = on_workload(release, pod.w) else {
            continue;
        };
        let keys: Vec<&str> = KEYS.into_iter().filter(|k| own.1.entry(k).is_some()).collect();
        for key in &keys {
            let Some((k, _)) = own.1.entry(key) else { continue };
            let fix = ctx.fix(
                format!("move `{key}` to the pod template's annotations"),
                move_to_template(pod, own, &keys).unwrap_or_default(),
            );
            ctx.report(
                pod.file,
                k.span(),
                format!(
                    "`{key}` is on {}'s own metadata; Velero reads it only from the pod, so it is ignored",
                    pod.label()
                ),
            )
            .with_help(format!("move it to `{}`", annotations_path(pod.w)))
            .with_fix(fix.filter(|f| !f.edits.is_empty()));
        }
    }
}

/// Move the keys into the pod template's annotations, merging comma lists.
fn move_to_template(pod: &Pod, (own_key, own): (Node<'_>, Node<'_>), keys: &[&str]) -> Option<Vec<Edit>> {
    let dst: &[&str] = &["metadata", "annotations"];
    pod.doc
        .move_entries((own_key, own), keys, (pod.template, dst), &merge_lists)
}

/// Merge a moved list into the pod template's: its names first, then new ones.
fn merge_lists(_key: &str, src: Node<'_>, dst: Node<'_>) -> Option<String> {
    let (s, d) = (src.as_str()?, dst.as_str()?);
    let mut names: Vec<&str> = d.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
    for n in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    Some(names.join(","))
}

// ---------------------------------------------------------------- VOL004

/// VOL004: an opted-in volume file-system backup cannot or need not copy.
pub fn unsupported_type(ctx: &mut Ctx) {
    for pod in ctx.pods() {
        let Value::List(list) = pod.list(INCLUDE) else {
            continue;
        };
        let mut seen = Vec::new();
        for item in &list.items {
            let Some(v) = pod.w.volume(item.name()).filter(|v| !seen.contains(&v.name)) else {
                continue;
            };
            seen.push(v.name.clone());
            let span = item.name_span(list.exact());
            if v.kind == "hostPath" {
                ctx.report(pod.file, span, format!("{}: volume `{}` is a hostPath volume, which Velero's file-system backup does not support: it is not backed up (silently in Velero 1.14+, with a warning in 1.11-1.13)", pod.label(), v.name))
                    .with_help("store the data on a PersistentVolumeClaim, or remove the name from the annotation");
            } else if MANIFEST_TYPES.contains(&v.kind.as_str()) {
                ctx.report(pod.file, span, format!("{}: volume `{}` is a {} volume: Velero 1.14+ never copies it, even opted in (1.11-1.13 copy it for nothing); its content comes from the manifests, which the backup already holds", pod.label(), v.name, v.kind))
                    .with_severity(Severity::Info)
                    .with_help("remove the name from the annotation");
            }
        }
    }
}

// ---------------------------------------------------------------- VOL005

/// VOL005: the same volume is both included and excluded; only one annotation counts.
pub fn included_and_excluded(ctx: &mut Ctx) {
    let release = ctx.release;
    let opt_out = describe_all(release.opt_out_backups());
    for pod in ctx.pods() {
        let (Value::List(inc), Value::List(exc)) = (pod.list(INCLUDE), pod.list(EXCLUDE)) else {
            continue;
        };
        let mut seen = Vec::new();
        for item in &exc.items {
            let name = item.name();
            if name.is_empty() || seen.contains(&name) || !inc.has(name) {
                continue;
            }
            seen.push(name);
            let Some(inc_item) = inc.items.iter().find(|i| i.name() == name) else {
                continue;
            };
            let outcome = match &opt_out {
                None => "every Backup KOTS creates opts in, so Velero ignores the excludes and backs it up".to_owned(),
                Some(skipping) => format!(
                    "full backups opt in and back it up, while {skipping} (the Backup sets `defaultVolumesToFsBackup: true`) use only the excludes and skip it"
                ),
            };
            ctx.report(
                pod.file,
                item.name_span(exc.exact()),
                format!(
                    "{}: volume `{name}` is both included and excluded; {outcome}",
                    pod.label()
                ),
            )
            .with_label(pod.file, inc_item.name_span(inc.exact()), "included here")
            .with_help("list the volume in only one of the two annotations");
        }
    }
}

// ---------------------------------------------------------------- VOL006

/// VOL006: a value Velero reads differently than it looks.
pub fn malformed(ctx: &mut Ctx) {
    for pod in ctx.pods() {
        for key in KEYS {
            match pod.list(key) {
                Value::List(list) => malformed_items(ctx, pod, key, list),
                Value::NotString(k, v) => not_a_string(ctx, pod, *k, *v),
                Value::Absent | Value::Unknown => {}
            }
        }
    }
}

/// What is wrong with one item, if anything.
fn item_problem(item: &Item, earlier: &[Item]) -> Option<String> {
    let name = item.name();
    if name.is_empty() {
        return Some("an empty item (a stray comma) names no volume".into());
    }
    if name.len() != item.raw.len() {
        return Some(format!(
            "`{}` has spaces around the name: Velero does not trim them, so it matches no volume",
            item.raw
        ));
    }
    earlier
        .iter()
        .any(|e| e.name() == name)
        .then(|| format!("`{name}` is listed twice"))
}

fn malformed_items(ctx: &mut Ctx, pod: &Pod, key: &str, list: &List) {
    // A value with nothing in it opts in nothing: harmless, and not worth a guess.
    if list.items.iter().all(|i| i.name().is_empty()) {
        return;
    }
    let normal = normalized(list);
    for (i, item) in list.items.iter().enumerate() {
        let Some(problem) = item_problem(item, &list.items[..i]) else {
            continue;
        };
        let edit = replace_value(pod, list, &normal);
        let fix = ctx.fix(format!("rewrite the value as `{normal}`"), edit.into_iter().collect());
        let span = match (item.name().is_empty(), list.exact()) {
            (true, true) => comma_span(item, i),
            // Spaces are the fault: cover them.
            (false, true) if item.name().len() != item.raw.len() => item.span.clone(),
            _ => item.name_span(list.exact()),
        };
        ctx.report(pod.file, span, format!("`{key}` on {}: {problem}", pod.label()))
            .with_help(format!("write `{key}: {normal}` (names separated by commas only)"))
            .with_fix(fix.filter(|f| !f.edits.is_empty()));
    }
}

/// An empty item has no bytes: point at the comma that ends it (or, for the last, starts it).
fn comma_span(item: &Item, index: usize) -> Span {
    let s = item.span.start;
    if index == 0 { s..s + 1 } else { s - 1..s }
}

fn normalized(list: &List) -> String {
    let mut names: Vec<&str> = Vec::new();
    for n in list.names() {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    names.join(",")
}

fn not_a_string(ctx: &mut Ctx, pod: &Pod, key: Node<'_>, value: Node<'_>) {
    let (what, fixed) = match value.kind() {
        Kind::Seq(items) => {
            let names: Option<Vec<&str>> = items.iter().map(Node::as_str).collect();
            ("a YAML list", names.map(|n| n.join(",")))
        }
        Kind::Scalar(s) if matches!(s.typed(), Typed::Null) => return,
        Kind::Scalar(s) => ("not a string", Some(s.value.to_string())),
        _ => return,
    };
    let fix = fixed.as_ref().and_then(|f| {
        let edits = pod.doc.replace_value(Some(key), value, &pod.doc.quoted(f))?;
        ctx.fix(format!("write the value as the string `{f}`"), edits)
    });
    let name = key.as_str().unwrap_or_default();
    ctx.report(
        pod.file,
        value.span(),
        format!(
            "`{name}` on {} is {what}: annotation values must be strings, so Kubernetes rejects the whole manifest and the workload is not deployed",
            pod.label()
        ),
    )
    .with_severity(Severity::Error)
    .with_help(format!("write `{name}: '{}'`", fixed.as_deref().unwrap_or("vol1,vol2")))
    .with_fix(fix);
}

// ---------------------------------------------------------------- VOL007

/// VOL007: a near miss of the annotation key, which Velero ignores.
pub fn misspelled_key(ctx: &mut Ctx) {
    let release = ctx.release;
    for pod in ctx.pods() {
        let own = pod.w.own_annotations(release);
        for map in [pod.annotations, own].into_iter().flatten() {
            misspelled_in(ctx, pod, map);
        }
    }
}

/// The key a near miss was meant to be. Every annotation key of every pod asks (twice: VOL001
/// and VOL007), and the same few keys recur, so answers are remembered per thread.
fn intended_key(key: &str) -> Option<&'static str> {
    thread_local! {
        static SEEN: std::cell::RefCell<std::collections::HashMap<String, Option<&'static str>>> =
            std::cell::RefCell::default();
    }
    if let Some(hit) = SEEN.with(|m| m.borrow().get(key).copied()) {
        return hit;
    }
    let answer = intended_key_uncached(key);
    SEEN.with(|m| m.borrow_mut().insert(key.to_owned(), answer));
    answer
}

fn intended_key_uncached(key: &str) -> Option<&'static str> {
    if KEYS.contains(&key) {
        return None;
    }
    if let Some(k) = KEYS.iter().find(|k| k.eq_ignore_ascii_case(key)) {
        return Some(k);
    }
    if let Some(k) = closest(key, KEYS) {
        return Some(k);
    }
    // Right name under a wrong prefix: `velero.io/backup-volumes`, `backup.velero/...`.
    let (prefix, name) = key.rsplit_once('/')?;
    if !prefix.to_ascii_lowercase().contains("velero") {
        return None;
    }
    let names = KEYS.map(|k| &k[k.len() - name_len(k)..]);
    let wanted = names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(name))
        .or_else(|| closest(name, names).and_then(|c| names.iter().position(|n| *n == c)))?;
    Some(KEYS[wanted])
}

fn name_len(key: &str) -> usize {
    key.len() - key.rfind('/').map_or(0, |i| i + 1)
}

fn misspelled_in(ctx: &mut Ctx, pod: &Pod, map: Node<'_>) {
    for (k, _) in map.entries() {
        let Some(key) = k.as_str() else { continue };
        let Some(wanted) = intended_key(key) else {
            continue;
        };
        // Renaming onto a key the map already has (or VOL003 is moving in) would leave a
        // duplicate key.
        let edit = (map.entry(wanted).is_none() && on_workload(ctx.release, pod.w).is_none())
            .then(|| pod.doc.replace_scalar(k, wanted))
            .flatten();
        let fix = ctx.fix(format!("rename the key to `{wanted}`"), edit.into_iter().collect());
        ctx.report(
            pod.file,
            k.span(),
            format!(
                "annotation key `{key}` on {} is not `{wanted}`: Velero ignores it",
                pod.label()
            ),
        )
        .with_help(format!("did you mean `{wanted}`?"))
        .with_fix(fix.filter(|f| !f.edits.is_empty()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    /// The rule IDs `check` reports on one file, in order.
    fn run(id: &str, text: &str) -> Vec<String> {
        let file = SourceFile::from_text("w.yaml".into(), None, text.into());
        let release = Release::new(vec![file], None);
        crate::rules::run_rule(&release, id)
            .iter()
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn an_entry_region_runs_over_deeper_and_inert_lines() {
        let text = "spec:\n  volumes:\n    - name: a\n\n  # note\n  {{- toYaml .Values.extra | nindent 4 }}\n  containers:\n  - name: c\n  tail: {{ x }}";
        let file = SourceFile::from_text("w.yaml".into(), None, text.into());
        let spec = file.documents[0].root().and_then(|r| r.get("spec")).unwrap();
        let region = |key: &str| entry_region(text, spec, key).map(|r| &text[r]);
        // Through the blank, comment and template lines, to the next key at the same indent.
        assert_eq!(
            region("volumes"),
            Some("volumes:\n    - name: a\n\n  # note\n  {{- toYaml .Values.extra | nindent 4 }}")
        );
        // A sequence at the key's own indent is not deeper: the region is the key's line.
        assert_eq!(region("containers"), Some("containers:"));
        // The last line of a file without a final line break, whole.
        assert_eq!(region("tail"), Some("tail: {{ x }}"));
        assert_eq!(region("missing"), None);
    }

    const CHART: &str = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: mq\nspec:\n  template:\n    metadata:\n      labels:\n        {{- include \"mq.labels\" . | nindent 8 }}\n      ANNOTATIONS\n    spec:\n      containers:\n        - name: mq\n          volumeMounts:\n            - name: data\n              mountPath: /data\n      volumes:\n        VOLUMES\n  volumeClaimTemplates:\n    - metadata:\n        name: data\n";

    fn chart(annotations: &str, volumes: &str) -> String {
        CHART.replace("ANNOTATIONS", annotations).replace("VOLUMES", volumes)
    }

    #[test]
    fn templated_annotations_are_unknown_but_templated_labels_are_not() {
        let with_values = chart(
            "{{- with .Values.podAnnotations }}\n      annotations:\n        {{- toYaml . | nindent 8 }}\n      {{- end }}",
            "[]",
        );
        assert_eq!(run("VOL001", &with_values), Vec::<String>::new());
        let templated_value = chart(
            "annotations:\n        backup.velero.io/backup-volumes: {{ .Values.backupVolumes }}",
            "[]",
        );
        assert_eq!(run("VOL001", &templated_value), Vec::<String>::new());
        assert_eq!(run("VOL002", &templated_value), Vec::<String>::new());
        // Only the labels are templated: the missing opt-in is known.
        let plain = chart("annotations: {}", "[]");
        assert_eq!(run("VOL001", &plain).len(), 1);
    }

    #[test]
    fn templated_volumes_make_unknown_names_unknown() {
        let ann = "annotations:\n        backup.velero.io/backup-volumes: data,extra";
        let extra = chart(ann, "{{- toYaml .Values.extraVolumes | nindent 8 }}");
        assert_eq!(run("VOL002", &extra), Vec::<String>::new());
        let known = chart(ann, "- name: tmp\n          emptyDir: {}");
        assert_eq!(run("VOL002", &known).len(), 1);
    }

    #[test]
    fn spaces_are_vol006_not_vol002() {
        let text = chart(
            "annotations:\n        backup.velero.io/backup-volumes: tmp, data",
            "- name: tmp\n          emptyDir: {}",
        );
        assert_eq!(run("VOL002", &text), Vec::<String>::new());
        assert_eq!(run("VOL001", &text), Vec::<String>::new());
        assert_eq!(run("VOL006", &text).len(), 1);
    }

    #[test]
    fn intended_keys() {
        assert_eq!(intended_key("backup.velero.io/backup-volume"), Some(INCLUDE));
        assert_eq!(intended_key("velero.io/backup-volumes"), Some(INCLUDE));
        assert_eq!(intended_key("Backup.Velero.io/Backup-Volumes"), Some(INCLUDE));
        assert_eq!(intended_key("backup.velero.io/backup-volumes-exclude"), Some(EXCLUDE));
        assert_eq!(intended_key("velero.io/backup-volumes-excludes"), Some(EXCLUDE));
        assert_eq!(intended_key(INCLUDE), None);
        assert_eq!(intended_key("pre.hook.backup.velero.io/container"), None);
        assert_eq!(intended_key("backup.velero.io/must-include-additional-items"), None);
        assert_eq!(intended_key("example.com/backup-volumes"), None);
    }

    #[test]
    fn items_keep_exact_spans() {
        let text = "k: 'scratch, dta'";
        let value_span = 3..text.len();
        let inner = 4..text.len() - 1;
        let items = split("scratch, dta", Some(&inner), &value_span);
        assert_eq!(&text[items[1].name_span(true)], "dta");
        assert_eq!(&text[items[0].name_span(true)], "scratch");
    }

    /// (volume, opt-in reason, opt-out reason, pod not running) of the first workload.
    fn plan_of(text: &str) -> Vec<(String, Reason, Reason, bool)> {
        let release = Release::new(vec![SourceFile::from_text("w.yaml".into(), None, text.into())], None);
        let w = &release.workloads[0];
        volume_plan(&release, w)
            .into_iter()
            .map(|p| (p.volume.name.to_string(), p.opt_in, p.opt_out, p.not_running.is_some()))
            .collect()
    }

    const POD: &str = "apiVersion: apps/v1\nkind: KIND\nmetadata:\n  name: app\nspec:\n  REPLICAS\n  template:\n    metadata:\n      annotations:\n        backup.velero.io/backup-volumes: data,cfg,dev\n        backup.velero.io/backup-volumes-excludes: tmp\n    spec:\n      initContainers:\n        - name: init\n          volumeMounts:\n            - name: seed\n              mountPath: /seed\n      containers:\n        - name: app\n          volumeMounts:\n            - name: data\n              mountPath: /data\n            - name: tmp\n              mountPath: /tmp\n            - name: cfg\n              mountPath: /cfg\n          volumeDevices:\n            - name: dev\n              devicePath: /dev/x\n      volumes:\n        - name: data\n          persistentVolumeClaim:\n            claimName: data\n        - name: tmp\n          emptyDir: {}\n        - name: cfg\n          configMap:\n            name: cfg\n        - name: dev\n          persistentVolumeClaim:\n            claimName: dev\n        - name: seed\n          persistentVolumeClaim:\n            claimName: seed\n";

    fn pod(kind: &str, replicas: &str) -> String {
        POD.replace("KIND", kind).replace("REPLICAS", replicas)
    }

    #[test]
    fn volume_plan_decides_each_volume_in_both_modes() {
        use Reason::*;
        let got = plan_of(&pod("Deployment", "replicas: 2"));
        let want = [
            ("data", OptedIn, OptOutDefault),
            ("tmp", NotOptedIn, Excluded),
            ("cfg", SkippedType("configMap".into()), SkippedType("configMap".into())),
            ("dev", BlockDevice, BlockDevice),
            ("seed", NotMounted, NotMounted),
        ];
        assert_eq!(got.len(), want.len());
        for ((name, opt_in, opt_out, stopped), (n, i, o)) in got.iter().zip(want) {
            assert_eq!((name.as_str(), opt_in, opt_out, *stopped), (n, &i, &o, false));
        }
    }

    #[test]
    fn volume_plan_knows_pods_that_are_not_running() {
        for (kind, replicas, stopped) in [
            ("Deployment", "replicas: 0", true),
            ("Deployment", "replicas: 1", false),
            ("Deployment", "replicas: {{ .Values.n }}", false),
            ("Job", "parallelism: 1", true),
        ] {
            let got = plan_of(&pod(kind, replicas));
            assert_eq!(got[0].3, stopped, "{kind} {replicas}");
        }
    }

    #[test]
    fn a_stopped_pod_backs_up_nothing_but_keeps_its_type_skips() {
        let release = Release::new(
            vec![SourceFile::from_text(
                "w.yaml".into(),
                None,
                format!(
                    "{}---\napiVersion: velero.io/v1\nkind: Backup\nmetadata:\n  name: b\n",
                    pod("Deployment", "replicas: 0")
                ),
            )],
            None,
        );
        let full = &release.effective[0];
        let plan = volume_plan(&release, &release.workloads[0]);
        assert_eq!(plan[0].outcome(full), Reason::NotRunning("`replicas: 0`"));
        assert_eq!(plan[0].outcome(full).backed_up(), Some(false));
        assert_eq!(plan[2].outcome(full), Reason::SkippedType("configMap".into()));
    }

    #[test]
    fn templated_annotations_make_the_plan_unknown() {
        let text = pod("Deployment", "replicas: 1").replace(
            "        backup.velero.io/backup-volumes-excludes: tmp\n",
            "        {{- toYaml .Values.podAnnotations | nindent 8 }}\n",
        );
        let got = plan_of(&text);
        assert_eq!(got[0].1, Reason::Unknown("pod annotations templated"));
        assert_eq!(got[0].1.backed_up(), None);
        // A type Velero never copies stays known.
        assert_eq!(got[2].1, Reason::SkippedType("configMap".into()));
    }

    #[test]
    fn empty_annotations_are_not_unknown() {
        let text = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  template:\n    metadata:\n      annotations:\n    spec:\n      containers:\n        - name: db\n          volumeMounts:\n            - name: data\n              mountPath: /data\n  volumeClaimTemplates:\n    - metadata:\n        name: data\n";
        assert_eq!(run("VOL001", text).len(), 1);
    }
}
