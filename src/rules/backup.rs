//! BKP rules: the release's velero `Backup` manifest: present, well named, unique, valid, and not
//! setting what KOTS manages itself.

use serde::Deserialize;

use super::Ctx;
use super::schema;
use super::suggest::closest;
use super::yaml_edit::{entry_lines, indent_of, move_entries, raw_entry};
use crate::diagnostic::{Edit, EditTarget, FileId, Severity};
use crate::release::{Object, Release, VELERO_API};
use crate::yaml::{Node, NodeKind, Typed};

const MINIMAL_BACKUP: &str = "\
# Enables KOTS snapshots for this application: without a velero.io/v1 Backup in the release,
# KOTS leaves the application out of full (instance) backups.
apiVersion: velero.io/v1
kind: Backup
metadata:
  name: backup
spec: {}
";

/// Other Velero kinds: a near-miss of `Backup` must not be one of these.
const VELERO_KINDS: &[&str] = &[
    "Restore",
    "Schedule",
    "BackupStorageLocation",
    "VolumeSnapshotLocation",
    "BackupRepository",
    "PodVolumeBackup",
    "PodVolumeRestore",
    "DeleteBackupRequest",
    "DownloadRequest",
    "ServerStatusRequest",
    "DataUpload",
    "DataDownload",
];

pub fn present(ctx: &mut Ctx) {
    let release = ctx.release;
    if release.backups().next().is_some() || release.files.is_empty() {
        return;
    }
    // With a near-miss Backup present, BKP002's fix is the right one; a second file would
    // leave two Backups behind.
    let near_miss = release.objects.iter().any(|o| identity_problem(o).is_some());
    let fix = match (&release.root, near_miss) {
        (Some(root), false) => ctx.fix(
            format!("create {}", new_backup_path(root).display()),
            vec![Edit {
                target: EditTarget::NewFile(new_backup_path(root)),
                span: 0..0,
                text: MINIMAL_BACKUP.into(),
            }],
        ),
        _ => None,
    };
    ctx.report_release("no `kind: Backup` with `apiVersion: velero.io/v1` in the release: KOTS leaves this application out of full backups")
        .with_help("add a Backup manifest (minimal: `apiVersion: velero.io/v1`, `kind: Backup`, `metadata.name: backup`, `spec: {}`)")
        .with_fix(fix);
}

fn new_backup_path(root: &std::path::Path) -> std::path::PathBuf {
    ["backup.yaml", "velero-backup.yaml", "snaplint-backup.yaml"]
        .iter()
        .map(|n| root.join(n))
        .find(|p| !p.exists())
        .unwrap_or_else(|| root.join("velero-backup-snaplint.yaml"))
}

enum Identity {
    /// Velero apiVersion, kind not exactly `Backup`.
    Kind,
    /// Kind `Backup`, apiVersion velero-like but not `velero.io/v1`.
    ApiVersion,
}

fn identity_problem(o: &Object) -> Option<Identity> {
    let api = o.api_version.as_deref()?;
    let kind = o.kind.as_deref()?;
    let velero_like = api.to_ascii_lowercase().contains("velero");
    if !velero_like {
        return None;
    }
    if kind == "Backup" {
        return (api != VELERO_API).then_some(Identity::ApiVersion);
    }
    let near = kind.eq_ignore_ascii_case("backups")
        || closest(kind, ["Backup"]).is_some()
        || kind.eq_ignore_ascii_case("backup");
    let other_kind = VELERO_KINDS.iter().any(|k| k.eq_ignore_ascii_case(kind));
    (near && !other_kind).then_some(Identity::Kind)
}

pub fn identity(ctx: &mut Ctx) {
    let release = ctx.release;
    for o in &release.objects {
        let Some(problem) = identity_problem(o) else {
            continue;
        };
        let node = release.node(o);
        let (field, wanted) = match problem {
            Identity::Kind => ("kind", "Backup"),
            Identity::ApiVersion => ("apiVersion", VELERO_API),
        };
        let Some(value) = node.get(field) else {
            continue;
        };
        let found = value.as_str().unwrap_or_default();
        let fix = ctx.fix(
            format!("change {field} to `{wanted}`"),
            vec![Edit::replace(o.file, value.span.clone(), wanted)],
        );
        ctx.report(
            o.file,
            value.span.clone(),
            format!("{field} `{found}` is not `{wanted}`: KOTS and Velero will not treat this manifest as a Backup"),
        )
        .with_help(format!("use `apiVersion: {VELERO_API}` and `kind: Backup` exactly"))
        .with_fix(fix);
    }
}

pub fn unique(ctx: &mut Ctx) {
    let release = ctx.release;
    let backups: Vec<&Object> = release.backups().collect();
    if backups.len() < 2 {
        return;
    }
    // KOTS walks files in lexical order and keeps the last Backup it decodes.
    let kept = backups
        .iter()
        .max_by_key(|o| (release.files[o.file].path.as_path(), o.doc))
        .map(|o| release.files[o.file].path.display().to_string())
        .unwrap_or_default();
    for o in &backups {
        let span = kind_span(release, o);
        let name = o.name.as_deref().unwrap_or("<unnamed>");
        ctx.report(o.file, span, format!("Backup `{name}` is one of {} velero Backups in the release; KOTS keeps only one (the last it reads, in {kept})", backups.len()))
            .with_help("merge them into a single Backup manifest");
    }
}

pub(super) fn kind_span(release: &Release, o: &Object) -> crate::yaml::Span {
    let node = release.node(o);
    node.get("kind")
        .map_or(node.span.start..node.span.start, |k| k.span.clone())
}

#[derive(Deserialize, Default)]
struct SchemaParams {
    schema: String,
}

pub fn schema(ctx: &mut Ctx) {
    let params: SchemaParams = ctx.params();
    let release = ctx.release;
    for o in release.backups() {
        let doc = release.document(o);
        let Some(root) = &doc.root else { continue };
        // Alias bombs are PARSE001's to report.
        let Ok(violations) = schema::validate(&params.schema, root, &doc.anchors) else {
            continue;
        };
        for v in violations.into_iter().filter(|v| !owned_by_hook_rules(&v.pointer)) {
            match v.unknown {
                Some((key, suggestion)) => {
                    let d = ctx
                        .report(o.file, v.span, format!("unknown Backup field `{key}`: Velero drops it"))
                        .with_severity(Severity::Warning);
                    if let Some(s) = suggestion {
                        d.with_help(format!("did you mean `{s}`?"));
                    }
                }
                None => {
                    ctx.report(o.file, v.span, v.message);
                }
            }
        }
    }
}

/// Hook commands, on-error values and timeouts have their own rules (HOOK001, HOOK003,
/// HOOK004) with sharper messages and fixes; reporting them here too would say it twice.
fn owned_by_hook_rules(pointer: &str) -> bool {
    let parts: Vec<&str> = pointer.split('/').collect();
    matches!(
        parts.as_slice(),
        [
            "",
            "spec",
            "hooks",
            "resources",
            _,
            "pre" | "post",
            _,
            "exec",
            "command" | "onError" | "timeout",
            ..
        ]
    )
}

#[derive(Deserialize, Default)]
struct ManagedParams {
    fields: Vec<ManagedField>,
}

#[derive(Deserialize)]
struct ManagedField {
    path: String,
    reason: String,
}

pub fn kots_managed_fields(ctx: &mut Ctx) {
    let params: ManagedParams = ctx.params();
    let release = ctx.release;
    for o in release.backups() {
        let root = release.node(o);
        for field in &params.fields {
            let Some((key, _)) = entry_at(root, &field.path) else {
                continue;
            };
            ctx.report(
                o.file,
                key.span.clone(),
                format!("`{}` is set: {}", field.path, field.reason),
            )
            .with_help("remove the field; the customer configures this in the KOTS Admin Console");
        }
    }
}

fn entry_at<'n>(root: &'n Node, dotted: &str) -> Option<&'n (Node, Node)> {
    let (parent, last) = match dotted.rsplit_once('.') {
        Some((p, l)) => (root.path(p)?, l),
        None => (root, dotted),
    };
    parent.entry(last)
}

// ---------------------------------------------------------------- BKP006-BKP008
// What Velero's backup controller rejects with `FailedValidation`:
// `vmware-tanzu/velero:pkg/controller/backup_controller.go@v1.18.0` (validation),
// `pkg/util/collections/includes_excludes.go@v1.18.0`.

/// (include list, exclude list, scoped filter). Scoped filters allow `*` alone in excludes.
const FILTER_PAIRS: &[(&str, &str, bool)] = &[
    ("includedNamespaces", "excludedNamespaces", false),
    ("includedResources", "excludedResources", false),
    ("includedClusterScopedResources", "excludedClusterScopedResources", true),
    (
        "includedNamespaceScopedResources",
        "excludedNamespaceScopedResources",
        true,
    ),
];

const OLD_FILTERS: &[&str] = &["includedResources", "excludedResources", "includeClusterResources"];
const SCOPED_FILTERS: &[&str] = &[
    "includedClusterScopedResources",
    "excludedClusterScopedResources",
    "includedNamespaceScopedResources",
    "excludedNamespaceScopedResources",
];

/// The literal items of a list field (templated items left out: unknown).
fn list_items<'n>(spec: &'n Node, key: &str) -> Vec<(&'n str, &'n Node)> {
    spec.get(key)
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| n.as_str().map(|s| (s, n)))
        .collect()
}

fn backup_specs(release: &Release) -> impl Iterator<Item = (&Object, &Node)> {
    release
        .backups()
        .filter_map(|o| release.node(o).get("spec").filter(|s| s.is_map()).map(|s| (o, s)))
}

/// BKP006: include/exclude lists Velero rejects.
pub fn filter_lists(ctx: &mut Ctx) {
    let release = ctx.release;
    for (o, spec) in backup_specs(release) {
        for (inc_key, exc_key, scoped) in FILTER_PAIRS {
            let inc = list_items(spec, inc_key);
            let exc = list_items(spec, exc_key);
            wildcard_in_includes(ctx, o.file, inc_key, &inc);
            wildcard_in_excludes(ctx, o.file, (exc_key, &exc), inc.len(), *scoped);
            for (item, node) in &exc {
                let Some((_, inc_node)) = inc.iter().find(|(i, _)| i == item && *i != "*") else {
                    continue;
                };
                ctx.report(
                    o.file,
                    node.span.clone(),
                    format!(
                        "`{item}` is in both `{inc_key}` and `{exc_key}`: Velero rejects the Backup (FailedValidation)"
                    ),
                )
                .with_label(o.file, inc_node.span.clone(), "included here")
                .with_help(format!("keep `{item}` in only one of the two lists"));
            }
        }
    }
}

fn wildcard_in_includes(ctx: &mut Ctx, file: FileId, key: &str, inc: &[(&str, &Node)]) {
    if inc.len() < 2 {
        return;
    }
    if let Some((_, star)) = inc.iter().find(|(i, _)| *i == "*") {
        ctx.report(
            file,
            star.span.clone(),
            format!("`{key}` holds `*` together with other items: Velero rejects the Backup (FailedValidation)"),
        )
        .with_help("use `*` alone (everything) or list the items without `*`");
    }
}

fn wildcard_in_excludes(
    ctx: &mut Ctx,
    file: FileId,
    (key, exc): (&str, &[(&str, &Node)]),
    includes: usize,
    scoped: bool,
) {
    let Some((_, star)) = exc.iter().find(|(i, _)| *i == "*") else {
        return;
    };
    let why = match (scoped, exc.len() > 1, includes > 0) {
        (false, _, _) => "Velero does not allow `*` in this exclude list",
        (true, true, _) => "Velero does not allow `*` together with other items",
        (true, false, true) => "Velero does not allow excluding `*` while the matching include list is set",
        (true, false, false) => return,
    };
    ctx.report(
        file,
        star.span.clone(),
        format!("`{key}` holds `*`: {why}, and rejects the Backup (FailedValidation)"),
    )
    .with_help("remove `*` from the exclude list and list what to leave out");
}

/// BKP007: `labelSelector` and `orLabelSelectors` together.
pub fn both_selectors(ctx: &mut Ctx) {
    let release = ctx.release;
    for (o, spec) in backup_specs(release) {
        let (Some((and_key, _)), Some((or_key, _))) =
            (set_entry(spec, "labelSelector"), set_entry(spec, "orLabelSelectors"))
        else {
            continue;
        };
        ctx.report(
            o.file,
            or_key.span.clone(),
            "the Backup sets both `labelSelector` and `orLabelSelectors`: Velero rejects it (\"only one can be specified\", FailedValidation)",
        )
        .with_label(o.file, and_key.span.clone(), "labelSelector set here")
        .with_help("keep one: put the `labelSelector` terms into each `orLabelSelectors` entry, or drop `orLabelSelectors`");
    }
}

/// An entry whose value is set: not null, not an empty list.
fn set_entry<'n>(spec: &'n Node, key: &str) -> Option<&'n (Node, Node)> {
    spec.entry(key).filter(|(_, v)| match &v.kind {
        NodeKind::Scalar(s) => s.templated || s.typed() != Typed::Null,
        NodeKind::Seq(items) => !items.is_empty(),
        _ => true,
    })
}

/// BKP008: old resource filters mixed with the scoped ones.
pub fn mixed_filters(ctx: &mut Ctx) {
    let release = ctx.release;
    for (o, spec) in backup_specs(release) {
        let old: Vec<&Node> = OLD_FILTERS
            .iter()
            .filter_map(|k| set_entry(spec, k))
            .map(|(k, _)| k)
            .collect();
        let Some((scoped, _)) = SCOPED_FILTERS.iter().find_map(|k| set_entry(spec, k)) else {
            continue;
        };
        if old.is_empty() {
            continue;
        }
        let d = ctx.report(
            o.file,
            scoped.span.clone(),
            format!(
                "`{}` (a scoped resource filter) is mixed with the old resource filters: Velero rejects the Backup (FailedValidation: they cannot be used together)",
                scoped.as_str().unwrap_or_default()
            ),
        );
        for k in old {
            d.with_label(o.file, k.span.clone(), "old filter");
        }
        d.with_help("use either includedResources/excludedResources/includeClusterResources or the included/excluded ClusterScoped/NamespaceScoped filters, not both");
    }
}

// ---------------------------------------------------------------- BKP009
// KOTS reads `kots.io/when` / `kots.io/exclude` from `metadata.annotations` only, as strings
// (kots-facts §1.1: `pkg/store/kotsstore/version_store.go`; https://docs.replicated.com/vendor/packaging-include-resources).

const KOTS_CONDITIONS: &[&str] = &["kots.io/when", "kots.io/exclude"];

/// BKP009: conditional annotations KOTS never sees.
pub fn kots_conditions(ctx: &mut Ctx) {
    let release = ctx.release;
    for o in &release.objects {
        let root = release.node(o);
        let Some(meta_entry) = root.entry("metadata").filter(|(_, m)| m.is_map()) else {
            continue;
        };
        misplaced_conditions(ctx, o, root, meta_entry);
        if let Some(ann) = meta_entry.1.get("annotations") {
            non_string_conditions(ctx, o, ann);
        }
    }
}

fn condition_keys(map: &Node) -> Vec<&str> {
    map.entries()
        .iter()
        .filter_map(|(k, _)| k.as_str().filter(|k| KOTS_CONDITIONS.contains(k)))
        .collect()
}

fn misplaced_conditions(ctx: &mut Ctx, o: &Object, root: &Node, (meta_key, meta): &(Node, Node)) {
    let text = &ctx.release.files[o.file].text;
    let mut places = vec![(meta_key, meta, "directly under `metadata`")];
    if let Some((labels_key, labels)) = meta.entry("labels") {
        places.push((labels_key, labels, "in `metadata.labels`"));
    }
    for (map_key, map, where_) in places {
        let keys = condition_keys(map);
        // One fix moves all of a map's keys; a second in the same pass would collide.
        let mut fix = move_to_annotations(text, o.file, root, (map_key, map), &keys)
            .and_then(|edits| ctx.fix("move into `metadata.annotations`", edits));
        for key in &keys {
            let Some((k, _)) = map.entry(key) else { continue };
            ctx.report(
                o.file,
                k.span.clone(),
                format!("`{key}` is {where_}: KOTS reads it only from `metadata.annotations`, so it is ignored and the {} is always deployed", o.kind.as_deref().unwrap_or("object")),
            )
            .with_help(format!("move `{key}` under `metadata.annotations`"))
            .with_fix(fix.take());
        }
    }
}

/// Edits moving `keys` from `map` into `metadata.annotations`, keeping each entry's text.
fn move_to_annotations(
    text: &str,
    file: FileId,
    root: &Node,
    (map_key, map): (&Node, &Node),
    keys: &[&str],
) -> Option<Vec<Edit>> {
    let meta = root.get("metadata")?;
    if meta.get("annotations").is_some() {
        let refuse = |_: &str, _: &Node, _: &Node| None;
        return move_entries(
            text,
            file,
            (map_key, map),
            keys,
            (root, &["metadata", "annotations"]),
            &refuse,
        );
    }
    // Directly under `metadata` with no annotations yet: the first key's lines become the new
    // `annotations:` block (an insertion next to a removed line would overlap it). From
    // `labels`, a new block has no obvious place: no fix.
    if !std::ptr::eq(map, meta) {
        return None;
    }
    let entries: Vec<&(Node, Node)> = keys.iter().filter_map(|k| map.entry(k)).collect();
    let lines = entries
        .iter()
        .map(|(k, v)| raw_entry(text, k, v))
        .collect::<Option<Vec<_>>>()?;
    let (first, rest) = entries.split_first()?;
    let indent = " ".repeat(indent_of(text, first.0.span.start));
    let block: String = lines.iter().map(|l| format!("{indent}  {l}\n")).collect();
    let mut edits = vec![Edit::replace(
        file,
        entry_lines(text, &first.0, &first.1),
        format!("{indent}annotations:\n{block}"),
    )];
    edits.extend(
        rest.iter()
            .map(|(k, v)| Edit::replace(file, entry_lines(text, k, v), "")),
    );
    Some(edits)
}

fn non_string_conditions(ctx: &mut Ctx, o: &Object, ann: &Node) {
    for (k, v) in ann.entries() {
        let Some(key) = k.as_str().filter(|k| KOTS_CONDITIONS.contains(k)) else {
            continue;
        };
        let Some(s) = v.scalar().filter(|s| !s.templated) else {
            if !v.contains_template() {
                ctx.report(
                    o.file,
                    v.span.clone(),
                    format!("`{key}` is not a string: KOTS ignores it"),
                )
                .with_help(format!("write `{key}: 'true'` or a quoted template expression"));
            }
            continue;
        };
        if matches!(s.typed(), Typed::Str(_)) {
            continue;
        }
        let fix = ctx.fix(
            format!("quote the value: '{}'", s.value),
            vec![Edit::replace(
                o.file,
                v.span.clone(),
                format!("'{}'", s.value.replace('\'', "''")),
            )],
        );
        ctx.report(
            o.file,
            v.span.clone(),
            format!("`{key}: {}` is a YAML {}, not a string: annotation values must be strings, so the manifest is rejected or the condition ignored", s.value, type_name(&s.typed())),
        )
        .with_help(format!("quote it: `{key}: '{}'`", s.value))
        .with_fix(fix);
    }
}

fn type_name(t: &Typed) -> &'static str {
    match t {
        Typed::Null => "null",
        Typed::Bool(_) => "boolean",
        Typed::Int(_) => "integer",
        Typed::Float(_) => "number",
        Typed::Str(_) => "string",
    }
}
