//! BKP rules: the release's velero `Backup` manifest: present, well named, unique, valid, and not
//! setting what KOTS manages itself.

use serde::Deserialize;

use super::Ctx;
use super::schema;
use super::suggest::closest;
use crate::diagnostic::{Edit, EditTarget, Severity};
use crate::release::{Object, Release, VELERO_API};
use crate::yaml::Node;

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
