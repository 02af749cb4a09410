//! RST rules: the release's velero `Restore` manifest (used by Embedded Cluster disaster
//! recovery): a Backup to restore from, the right `backupName`, and hooks that will run.
//! Sources: kots-facts §5.3 (https://docs.replicated.com/embedded-cluster/v2/embedded-disaster-recovery),
//! velero-facts §4 (https://velero.io/docs/v1.18/restore-hooks/).

use super::Ctx;
use super::backup::kind_span;
use super::hooks;
use crate::edit::Doc;
use crate::release::{Object, Release, VELERO_API};
use crate::yaml::{Node, Span};

fn restores(release: &Release) -> impl Iterator<Item = &Object> {
    release
        .objects
        .iter()
        .filter(|o| o.kind.as_deref() == Some("Restore") && o.api_version.as_deref() == Some(VELERO_API))
}

/// RST001: a Restore with no Backup to restore from (what `kots lint` reports as
/// `backup-resource-required-when-restore-exists`).
pub fn without_backup(ctx: &mut Ctx) {
    let release = ctx.release;
    if release.backups().next().is_some() {
        return;
    }
    for o in restores(release) {
        let name = o.name.as_deref().unwrap_or("<unnamed>");
        ctx.report(
            o.file,
            kind_span(release, o),
            format!("Restore `{name}` has no velero.io/v1 Backup in the release: Embedded Cluster's improved disaster recovery uses the Restore only together with a Backup"),
        )
        .with_help("Embedded Cluster's improved disaster recovery needs a Backup and a Restore; add a Backup manifest (`apiVersion: velero.io/v1`, `kind: Backup`) and point the Restore's `spec.backupName` at its `metadata.name`");
    }
}

/// RST002: the Embedded Cluster docs ask for `spec.backupName` = the Backup's `metadata.name`.
/// Docs conformance only: EC's restore overwrites `backupName` with the backup it restores
/// (`replicatedhq/embedded-cluster cmd/installer/cli/restore.go`), so a mismatch breaks nothing.
pub fn backup_name(ctx: &mut Ctx) {
    let release = ctx.release;
    let Some(backup) = release.backup() else { return };
    let Some(wanted) = release.node(backup).path("metadata.name").and_then(Node::as_str) else {
        return;
    };
    for o in restores(release) {
        let root = release.node(o);
        match root.path("spec.backupName") {
            Some(value) if value.contains_template() => {}
            Some(value) => {
                let found = value.scalar().map_or("", |s| s.value);
                if found == wanted {
                    continue;
                }
                let edit = Doc::of(release, o.file).replace_scalar(value, wanted);
                let fix = edit.and_then(|e| ctx.fix(format!("set backupName to `{wanted}`"), vec![e]));
                ctx.report(
                    o.file,
                    value.span(),
                    format!("Restore `spec.backupName` is `{found}`, but the release's Backup is named `{wanted}`: the Embedded Cluster docs ask for the Backup's name (Embedded Cluster replaces it with the backup being restored, so restores still work)"),
                )
                .with_label(backup.file, name_span(release, backup), "the Backup's name")
                .with_help(format!("write `backupName: {wanted}`"))
                .with_fix(fix);
            }
            None => {
                ctx.report(
                    o.file,
                    kind_span(release, o),
                    format!("Restore has no `spec.backupName`: the Embedded Cluster docs ask for the release's Backup, `{wanted}` (Embedded Cluster sets it to the backup being restored, so restores still work)"),
                )
                .with_label(backup.file, name_span(release, backup), "the Backup's name")
                .with_help(format!("add `spec.backupName: {wanted}`"));
            }
        }
    }
}

fn name_span(release: &Release, o: &Object) -> Span {
    release
        .node(o)
        .path("metadata.name")
        .map_or_else(|| kind_span(release, o), |n| n.span())
}

/// RST003: Restore spec hooks, through the same checks the HOOK rules run on every other hook
/// (HOOK001 command, HOOK003 onError, HOOK004 durations, HOOK008 init containers), plus an
/// exec without a command, which a Backup's schema rule covers but nothing else does here.
pub fn hooks(ctx: &mut Ctx) {
    for hook in ctx.hooks().iter().filter(|h| h.restore_spec()) {
        hooks::check_missing(ctx, hook);
        hooks::check_invalid(ctx, hook);
        hooks::check_on_error(ctx, hook);
        hooks::check_timeouts(ctx, hook);
        hooks::check_restore_init(ctx, hook);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    const RESTORE: &str = "apiVersion: velero.io/v1\nkind: Restore\nmetadata:\n  name: restore\nspec:\n  backupName: backup\n  hooks:\n    resources:\n      - name: reindex\n        postHooks:\n          - exec:\n              onError: Continue\n          - exec:\n              command: /usr/bin/vacuumdb\n              execTimeout: 5 minutes\n              waitTimeout: 30\n          - init:\n              timeout: 1d\n              initContainers:\n                - name: cleanup\n                  image: alpine:3.20\n";

    /// (line, message start) of every RST003 finding.
    fn rst003(text: &str) -> Vec<(usize, String)> {
        let file = SourceFile::from_text("restore.yaml".into(), None, text.into());
        let release = Release::new(vec![file], None);
        let text = &release.files[0].text;
        crate::rules::run_rule(&release, "RST003")
            .iter()
            .map(|d| {
                let start = d.location.as_ref().expect("located").span.start;
                let line = text[..start].matches('\n').count() + 1;
                (line, d.message.split(':').next().unwrap_or_default().to_owned())
            })
            .collect()
    }

    #[test]
    fn every_restore_hook_check_runs_under_rst003() {
        let mut got = rst003(RESTORE);
        got.sort();
        let lines: Vec<usize> = got.iter().map(|(l, _)| *l).collect();
        // exec without command, string command, two bad durations, init timeout, init container
        // without command.
        assert_eq!(lines, [12, 14, 15, 16, 18, 20], "{got:?}");
        assert!(got[0].1.contains("without a `command`"), "{got:?}");
        assert!(got[1].1.starts_with("invalid command"), "{got:?}");
        assert!(got[5].1.contains("init container lacks `command`"), "{got:?}");
    }

    #[test]
    fn restore_spec_hooks_are_not_reported_by_the_hook_rules() {
        let file = SourceFile::from_text("restore.yaml".into(), None, RESTORE.into());
        let release = Release::new(vec![file], None);
        for id in ["HOOK001", "HOOK003", "HOOK004", "HOOK008"] {
            let out = crate::rules::run_rule(&release, id);
            assert!(
                out.is_empty(),
                "{id}: {:?}",
                out.iter().map(|d| &d.message).collect::<Vec<_>>()
            );
        }
    }
}
