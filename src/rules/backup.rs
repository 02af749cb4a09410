//! BKP rules: the release's velero `Backup` manifest: present, well named, unique, valid, and not
//! setting what KOTS manages itself.

use serde::Deserialize;

use super::Ctx;
use super::schema;
use super::suggest::closest;
use super::versions;
use crate::compat::Version;
use crate::diagnostic::{Edit, EditTarget, FileId, Severity};
use crate::edit::Doc;
use crate::release::effective::describe_all;
use crate::release::{EffectiveBackup, Object, Release, VELERO_API};
use crate::yaml::{Kind, Node, Typed};

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
    ctx.report_release("no `kind: Backup` with `apiVersion: velero.io/v1` in the release: KOTS offers no snapshots for this application, and no backup opts in its volumes or runs its hooks")
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
        let edit = Doc::of(release, o.file).replace_scalar(value, wanted);
        let fix = edit.and_then(|e| ctx.fix(format!("change {field} to `{wanted}`"), vec![e]));
        ctx.report(
            o.file,
            value.span(),
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
        .map_or(node.span().start..node.span().start, |k| k.span())
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
        let Some(root) = doc.root() else { continue };
        // Alias bombs are PARSE001's to report.
        let Ok(violations) = schema::validate(&params.schema, root) else {
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
            ctx.report(o.file, key.span(), format!("`{}` is set: {}", field.path, field.reason))
                .with_help("remove the field; the customer configures this in the KOTS Admin Console");
        }
    }
}

fn entry_at<'n>(root: Node<'n>, dotted: &str) -> Option<(Node<'n>, Node<'n>)> {
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

/// (include list, exclude list, scoped filter: BKP008's).
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
fn list_items<'n>(spec: Node<'n>, key: &str) -> Vec<(&'n str, Node<'n>)> {
    spec.get(key)
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| n.as_str().map(|s| (s, n)))
        .collect()
}

fn backup_specs(release: &Release) -> impl Iterator<Item = (&Object, Node<'_>)> {
    release
        .backups()
        .filter_map(|o| release.node(o).get("spec").filter(|s| s.is_map()).map(|s| (o, s)))
}

/// The Backups KOTS creates that keep `field` of the vendor's Backup (and pass `keep`), as
/// message text; `None` when none does.
fn reaching(release: &Release, field: &str, keep: impl Fn(&EffectiveBackup) -> bool) -> Option<String> {
    describe_all(release.effective.iter().filter(|e| e.keeps(field) && keep(e)))
}

/// BKP006: include/exclude lists Velero rejects, in the Backups KOTS creates that keep them.
/// Full backups drop the resource filters; every path but Embedded Cluster improved DR
/// collapses an `includedNamespaces` holding `*` to `["*"]`.
pub fn filter_lists(ctx: &mut Ctx) {
    let release = ctx.release;
    for (o, spec) in backup_specs(release) {
        app_namespace_excluded(ctx, o.file, spec);
        for (inc_key, exc_key, scoped) in FILTER_PAIRS {
            // Scoped filters are BKP008's: they break partial backups whatever they hold.
            if *scoped {
                continue;
            }
            let Some(rejected) = reaching(release, inc_key, |_| true) else {
                continue;
            };
            let inc = list_items(spec, inc_key);
            let exc = list_items(spec, exc_key);
            wildcard_in_includes(ctx, o.file, inc_key, &inc);
            wildcard_in_excludes(ctx, o.file, (exc_key, &exc), &rejected);
            for (item, node) in &exc {
                let Some((_, inc_node)) = inc.iter().find(|(i, _)| i == item && *i != "*") else {
                    continue;
                };
                ctx.report(
                    o.file,
                    node.span(),
                    format!(
                        "`{item}` is in both `{inc_key}` and `{exc_key}`: Velero rejects {rejected} (FailedValidation)"
                    ),
                )
                .with_label(o.file, inc_node.span(), "included here")
                .with_help(format!("keep `{item}` in only one of the two lists"));
            }
        }
    }
}

/// `excludedNamespaces` holding `repl{{ Namespace }}`: KOTS always includes the application's
/// namespace, so every Backup it creates excludes an included item.
fn app_namespace_excluded(ctx: &mut Ctx, file: FileId, spec: Node<'_>) {
    let Some(rejected) = reaching(ctx.release, "excludedNamespaces", |_| true) else {
        return;
    };
    let text = &ctx.release.files[file].text;
    for item in spec.get("excludedNamespaces").map(Node::items).unwrap_or_default() {
        let raw = text.get(item.span()).unwrap_or_default();
        let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let app_ns =
            item.is_templated() && (compact.contains("repl{{Namespace}}") || compact.contains("{{replNamespace}}"));
        if !app_ns {
            continue;
        }
        ctx.report(
            file,
            item.span(),
            format!(
                "`excludedNamespaces` holds the application's namespace, which KOTS always includes: Velero rejects {rejected} (FailedValidation: an item both included and excluded)"
            ),
        )
        .with_help("remove it: KOTS backs up the application's namespace in every backup; leave resources out with the label `velero.io/exclude-from-backup: \"true\"`");
    }
}

fn wildcard_in_includes(ctx: &mut Ctx, file: FileId, key: &str, inc: &[(&str, Node<'_>)]) {
    if inc.len() < 2 {
        return;
    }
    let Some((_, star)) = inc.iter().find(|(i, _)| *i == "*") else {
        return;
    };
    let collapsing = key == "includedNamespaces";
    let Some(rejected) = reaching(ctx.release, key, |e| !(collapsing && e.collapses_wildcard)) else {
        // KOTS turns the list into `["*"]` before Velero sees it: the other items do nothing.
        ctx.report(
            file,
            star.span(),
            format!("`{key}` holds `*` together with other items: KOTS turns it into `[\"*\"]` (every namespace), so the other items do nothing"),
        )
        .with_severity(Severity::Info)
        .with_help("write `*` alone, or list the namespaces without `*` if every namespace was not meant");
        return;
    };
    ctx.report(
        file,
        star.span(),
        format!("`{key}` holds `*` together with other items: Velero rejects {rejected} (FailedValidation)"),
    )
    .with_help("use `*` alone (everything) or list the items without `*`");
}

fn wildcard_in_excludes(ctx: &mut Ctx, file: FileId, (key, exc): (&str, &[(&str, Node<'_>)]), rejected: &str) {
    let Some((_, star)) = exc.iter().find(|(i, _)| *i == "*") else {
        return;
    };
    ctx.report(
        file,
        star.span(),
        format!("`{key}` holds `*`: Velero does not allow `*` in this exclude list, and rejects {rejected} (FailedValidation)"),
    )
    .with_help("remove `*` from the exclude list and list what to leave out");
}

/// BKP007: `orLabelSelectors` in a Backup that also gets a `labelSelector`. Full backups drop
/// the vendor's `labelSelector` and keep `orLabelSelectors`; application-only backups always
/// get KOTS's own `labelSelector` (`kots.io/app-slug`); Embedded Cluster improved DR keeps both
/// as written. Velero rejects a Backup with both (truth F1, F2).
pub fn both_selectors(ctx: &mut Ctx) {
    let release = ctx.release;
    for (o, spec) in backup_specs(release) {
        let Some((or_key, _)) = set_entry(spec, "orLabelSelectors") else {
            continue;
        };
        let vendor_and = set_entry(spec, "labelSelector");
        let affected: Vec<&EffectiveBackup> = release
            .effective
            .iter()
            .filter(|e| {
                e.keeps("orLabelSelectors") && (e.adds_selector || vendor_and.is_some() && e.keeps("labelSelector"))
            })
            .collect();
        let Some(rejected) = describe_all(affected.iter().copied()) else {
            continue;
        };
        let what = if vendor_and.is_some() {
            "the Backup sets both `labelSelector` and `orLabelSelectors`"
        } else {
            "the Backup sets `orLabelSelectors`, and KOTS adds its own `labelSelector` (`kots.io/app-slug`) to application-only backups"
        };
        let d = ctx.report(
            o.file,
            or_key.span(),
            format!(
                "{what}: Velero rejects {rejected} (\"only one can be specified\", FailedValidation); full backups are not affected (KOTS drops `labelSelector` from them)"
            ),
        );
        if let Some((and_key, _)) = vendor_and {
            d.with_label(o.file, and_key.span(), "labelSelector set here");
        }
        // Embedded Cluster disaster recovery failing is worse than a partial-backup feature.
        if affected.iter().any(|e| e.improved_dr) {
            d.with_severity(Severity::Error);
        }
        d.with_help("full backups merge `orLabelSelectors` with KOTS's own selectors; if customers take application-only backups, select the resources by labels instead (label them `kots.io/backup: velero`) and drop `orLabelSelectors`");
    }
}

/// An entry whose value is set: not null, not an empty list.
fn set_entry<'n>(spec: Node<'n>, key: &str) -> Option<(Node<'n>, Node<'n>)> {
    spec.entry(key).filter(|(_, v)| match v.kind() {
        Kind::Scalar(s) => s.templated || s.typed() != Typed::Null,
        Kind::Seq(items) => !items.is_empty(),
        _ => true,
    })
}

/// BKP008: scoped resource filters. Velero rejects them mixed with the old filters, and KOTS
/// always adds `includeClusterResources` (an old filter) to application-only backups, so a
/// scoped filter alone breaks those; full backups drop them (truth F1, F2).
pub fn mixed_filters(ctx: &mut Ctx) {
    let release = ctx.release;
    for (o, spec) in backup_specs(release) {
        let Some((scoped, _)) = SCOPED_FILTERS.iter().find_map(|k| set_entry(spec, k)) else {
            continue;
        };
        let old: Vec<Node<'_>> = OLD_FILTERS
            .iter()
            .filter_map(|k| set_entry(spec, k))
            .map(|(k, _)| k)
            .collect();
        let affected: Vec<&EffectiveBackup> = release
            .effective
            .iter()
            .filter(|e| e.keeps("includedClusterScopedResources") && (e.adds_selector || !old.is_empty()))
            .collect();
        let Some(rejected) = describe_all(affected.iter().copied()) else {
            continue;
        };
        let name = scoped.as_str().unwrap_or_default();
        let mixed = if old.is_empty() {
            "KOTS adds `includeClusterResources` (an old resource filter) to application-only backups"
        } else {
            "the Backup also sets old resource filters (and KOTS adds `includeClusterResources` to application-only backups)"
        };
        let d = ctx.report(
            o.file,
            scoped.span(),
            format!(
                "`{name}` is a scoped resource filter and {mixed}: Velero rejects the two kinds together, so {rejected} fail (FailedValidation); full backups drop the field"
            ),
        );
        for k in old {
            d.with_label(o.file, k.span(), "old filter");
        }
        if affected.iter().any(|e| e.improved_dr) {
            d.with_severity(Severity::Error);
        }
        d.with_help("remove the scoped filters; to leave resources out of every backup, label them `velero.io/exclude-from-backup: \"true\"`");
    }
}

// ---------------------------------------------------------------- BKP010

const EXCLUDE_LABEL: &str = "velero.io/exclude-from-backup";

/// BKP010: a `velero.io/exclude-from-backup` label Velero does not read as written: it leaves an
/// item out only when the label is exactly `"true"` (`vmware-tanzu/velero
/// pkg/backup/item_backupper.go@v1.18.0` L116), on the object or, for pods, on the pod template.
pub fn exclude_label(ctx: &mut Ctx) {
    let release = ctx.release;
    let objects = release.objects.iter().map(|o| (o.file, Some(release.node(o))));
    let templates = release
        .workloads
        .iter()
        .filter(|w| !w.template_path.is_empty())
        .map(|w| (w.file, w.template(release)));
    for (file, node) in objects.chain(templates) {
        let Some((_, v)) = node
            .and_then(|n| n.path("metadata.labels"))
            .and_then(|l| l.entry(EXCLUDE_LABEL))
        else {
            continue;
        };
        let Some(s) = v.scalar().filter(|s| !s.templated) else {
            continue;
        };
        let message = match s.typed() {
            Typed::Str("true" | "false") => continue,
            Typed::Str(other) => format!(
                "`{EXCLUDE_LABEL}: {other}`: Velero leaves an item out only when the label is exactly `true`, so this one is backed up"
            ),
            typed => format!(
                "`{EXCLUDE_LABEL}: {}` is a YAML {}: label values must be strings, so the API server rejects the manifest",
                s.value,
                type_name(&typed)
            ),
        };
        ctx.report(file, v.span(), message).with_help(format!(
            "write `{EXCLUDE_LABEL}: \"true\"` to leave it out of backups, or remove the label"
        ));
    }
}

// ---------------------------------------------------------------- BKP011

/// Namespaces every cluster has.
const BUILTIN_NAMESPACES: &[&str] = &["default", "kube-system", "kube-public", "kube-node-lease"];

/// BKP011: on Velero 1.14.0 only, a Backup whose included namespaces do not all exist fails
/// validation (`vmware-tanzu/velero pkg/controller/backup_controller.go@v1.14.0` L599-614,
/// relaxed in 1.14.1 by #7998). KOTS adds the vendor's `includedNamespaces` and the
/// Application's `additionalNamespaces` to every Backup it creates.
pub fn namespaces_may_not_exist(ctx: &mut Ctx) {
    let release = ctx.release;
    let Some(velero) = versions::velero_may_be(ctx, &Version::new(1, 14, 0)) else {
        return;
    };
    let Some(backups) = reaching(release, "includedNamespaces", |_| true) else {
        return;
    };
    let known = known_namespaces(release);
    let mut found: Vec<(FileId, Node<'_>, &str, &str)> = Vec::new();
    for (o, spec) in backup_specs(release) {
        let items = list_items(spec, "includedNamespaces");
        // A list with `*` is collapsed by KOTS (or rejected, BKP006): no name is looked up.
        if items.iter().any(|(i, _)| *i == "*") {
            continue;
        }
        for (name, node) in items.into_iter().filter(|(_, n)| !n.is_templated()) {
            if is_pattern(name) || !(known.contains(name) || BUILTIN_NAMESPACES.contains(&name)) {
                found.push((o.file, node, name, "the Backup's `includedNamespaces`"));
            }
        }
    }
    // KOTS creates these namespaces, except for patterns, which are not namespace names.
    for o in versions::applications(release) {
        for item in release
            .node(o)
            .path("spec.additionalNamespaces")
            .map(Node::items)
            .unwrap_or_default()
        {
            if let Some(name) = item
                .as_str()
                .filter(|n| *n != "*" && !item.is_templated() && is_pattern(n))
            {
                found.push((o.file, item, name, "the Application's `additionalNamespaces`"));
            }
        }
    }
    for (file, node, name, list) in found {
        let (severity, why) = match &velero {
            versions::VeleroMayBe::Is(why) => (Severity::Error, why),
            versions::VeleroMayBe::Maybe(why) => (Severity::Warning, why),
        };
        let (message, help) = if is_pattern(name) {
            (
                format!(
                    "`{name}` in {list} is a pattern: Velero 1.14.0 ({why}) looks it up as a namespace name, finds none, and {backups} fail validation; Velero 1.14.1 relaxed the check"
                ),
                "list the namespaces by name, or require Velero 1.14.1 or later",
            )
        } else {
            (
                format!(
                    "`{name}` in {list} is a namespace this release neither creates nor installs into: on Velero 1.14.0 ({why}) {backups} fail validation on every cluster where it does not exist; Velero 1.14.1 relaxed the check"
                ),
                "list it in the Application's `spec.additionalNamespaces` instead (KOTS creates those namespaces and adds them to every backup), or ship a Namespace manifest for it; if it is optional, require Velero 1.14.1 or later",
            )
        };
        ctx.report(file, node.span(), message)
            .with_severity(severity)
            .with_help(help);
    }
}

fn is_pattern(name: &str) -> bool {
    name.contains(['*', '?', '['])
}

fn literal(n: Option<Node<'_>>) -> Option<&str> {
    n.filter(|n| !n.is_templated()).and_then(Node::as_str)
}

/// Namespaces that exist once the release is installed: the ones it creates (Namespace
/// manifests, the Application's `additionalNamespaces`, which KOTS creates) and the ones it
/// installs into (`metadata.namespace`, HelmChart `spec.namespace`), as literals.
fn known_namespaces(release: &Release) -> std::collections::HashSet<&str> {
    let mut out = std::collections::HashSet::new();
    for o in &release.objects {
        let root = release.node(o);
        out.extend(literal(root.path("metadata.namespace")));
        match o.kind.as_deref() {
            Some("Namespace") => out.extend(literal(root.path("metadata.name"))),
            Some("HelmChart") => out.extend(literal(root.path("spec.namespace"))),
            _ => {}
        }
    }
    for o in versions::applications(release) {
        let items = release
            .node(o)
            .path("spec.additionalNamespaces")
            .map(Node::items)
            .unwrap_or_default();
        out.extend(items.iter().filter_map(|n| literal(Some(n))));
    }
    out
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

fn condition_keys(map: Node<'_>) -> Vec<&str> {
    map.entries()
        .iter()
        .filter_map(|(k, _)| k.as_str().filter(|k| KOTS_CONDITIONS.contains(k)))
        .collect()
}

fn misplaced_conditions(ctx: &mut Ctx, o: &Object, root: Node<'_>, (meta_key, meta): (Node<'_>, Node<'_>)) {
    let doc = Doc::of(ctx.release, o.file);
    let mut places = vec![(meta_key, meta, "directly under `metadata`")];
    if let Some((labels_key, labels)) = meta.entry("labels") {
        places.push((labels_key, labels, "in `metadata.labels`"));
    }
    for (map_key, map, where_) in places {
        let keys = condition_keys(map);
        // One fix moves all of a map's keys; a second in the same pass would collide.
        let mut fix = move_to_annotations(&doc, root, (map_key, map), &keys)
            .and_then(|edits| ctx.fix("move into `metadata.annotations`", edits));
        for key in &keys {
            let Some((k, _)) = map.entry(key) else { continue };
            ctx.report(
                o.file,
                k.span(),
                format!("`{key}` is {where_}: KOTS reads it only from `metadata.annotations`, so it is ignored and the {} is always deployed", o.kind.as_deref().unwrap_or("object")),
            )
            .with_help(format!("move `{key}` under `metadata.annotations`"))
            .with_fix(fix.take());
        }
    }
}

/// Edits moving `keys` from `map` into `metadata.annotations`, keeping each entry's text.
fn move_to_annotations(
    doc: &Doc,
    root: Node<'_>,
    (map_key, map): (Node<'_>, Node<'_>),
    keys: &[&str],
) -> Option<Vec<Edit>> {
    let meta = root.get("metadata")?;
    if meta.get("annotations").is_some() || doc.is_flow(meta) {
        let refuse = |_: &str, _: Node<'_>, _: Node<'_>| None;
        return doc.move_entries((map_key, map), keys, (root, &["metadata", "annotations"]), &refuse);
    }
    // Directly under block `metadata` with no annotations yet: the first key's lines become
    // the new `annotations:` block (an insertion next to a removed line would overlap it).
    // From `labels`, a new block has no obvious place: no fix.
    if map != meta {
        return None;
    }
    doc.nest_entries(map, keys, "annotations")
}

/// How KOTS reads the condition values (truth F11; `replicatedhq/kots pkg/base/base.go`
/// `isExcludedByAnnotation`, `pkg/store/kotsstore/version_store.go:L170-176`): on ordinary
/// manifests a YAML bool or a `strconv.ParseBool` string; on the Backup (and Restore), which
/// KOTS decodes into Velero's types and reads on the snapshot path, exactly `"true"`/`"false"`.
fn non_string_conditions(ctx: &mut Ctx, o: &Object, ann: Node<'_>) {
    let velero_kind = o.api_version.as_deref() == Some(VELERO_API);
    for (k, v) in ann.entries() {
        let Some(key) = k.as_str().filter(|k| KOTS_CONDITIONS.contains(k)) else {
            continue;
        };
        let Some(s) = v.scalar().filter(|s| !s.templated) else {
            if !v.contains_template() {
                ctx.report(o.file, v.span(), format!("`{key}` is not a string: KOTS ignores it"))
                    .with_help(format!("write `{key}: 'true'` or a quoted template expression"));
            }
            continue;
        };
        match s.typed() {
            Typed::Str(text) => inexact_condition(ctx, o, (key, v), text, velero_kind),
            Typed::Bool(b) if !velero_kind && excludes(key, b) => {}
            typed => not_a_string(ctx, o, (key, v), s.value, &typed, velero_kind),
        }
    }
}

/// A literal YAML bool on an ordinary manifest that makes KOTS leave the object out, so the
/// annotation never reaches the API server.
fn excludes(key: &str, value: bool) -> bool {
    if key == "kots.io/exclude" { value } else { !value }
}

fn not_a_string(ctx: &mut Ctx, o: &Object, (key, v): (&str, Node<'_>), raw: &str, typed: &Typed, velero_kind: bool) {
    let effect = if velero_kind {
        "KOTS decodes this manifest into Velero's type, where annotations are strings, and fails on it"
    } else {
        "KOTS deploys the object with it, and the API server rejects a non-string annotation"
    };
    let doc = Doc::of(ctx.release, o.file);
    let edit = doc.replace_value(None, v, &doc.quoted(raw)).unwrap_or_default();
    let fix = ctx.fix(format!("quote the value: '{raw}'"), edit);
    ctx.report(
        o.file,
        v.span(),
        format!("`{key}: {raw}` is a YAML {}, not a string: {effect}", type_name(typed)),
    )
    .with_help(format!("quote it: `{key}: '{raw}'`"))
    .with_fix(fix);
}

/// A string KOTS does not read as the vendor means: not exactly `"true"`/`"false"` on the
/// Backup (the snapshot path compares strings), not a `ParseBool` string elsewhere.
fn inexact_condition(ctx: &mut Ctx, o: &Object, (key, v): (&str, Node<'_>), text: &str, velero_kind: bool) {
    const PARSE_BOOL: &[&str] = &[
        "1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False",
    ];
    let problem = if velero_kind {
        (text != "true" && text != "false")
            .then_some("KOTS compares exactly `\"true\"` and `\"false\"` when it decides whether to offer snapshots, so this value counts as neither")
    } else {
        (!PARSE_BOOL.contains(&text)).then_some(
            "KOTS parses it as a boolean (`strconv.ParseBool`) and fails to render the release on anything else",
        )
    };
    let Some(problem) = problem else { return };
    ctx.report(o.file, v.span(), format!("`{key}: {text}`: {problem}"))
        .with_help(format!(
            "write `{key}: 'true'` or `'false'`, or a template that renders to one of them"
        ));
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
