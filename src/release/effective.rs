//! The Backups Velero really receives. KOTS never hands the vendor's Backup to Velero as
//! written: it builds one per backup type, and the rules judge those
//! (`../shared/reference/kots-backup-truth.md`, facts F1-F3 and F12; `replicatedhq/kots
//! pkg/kotsadmsnapshot/backup.go`):
//! - full (instance) backups are KOTS's own Backup with six of the vendor's fields copied
//!   (`mergeAppBackupSpec`); everything else, `defaultVolumesToFsBackup` included, is dropped,
//!   so pod volumes are always opted in;
//! - partial (application) backups are the vendor's Backup with KOTS's `labelSelector` and
//!   `includeClusterResources` added;
//! - Embedded Cluster installs back up through the full path (legacy DR) or, when the release
//!   ships a Restore as well, pass the vendor's Backup through nearly unchanged (improved DR).
//!
//! KOTS collapses an `includedNamespaces` holding `*` to `["*"]` on every path but improved DR.

use super::{Object, Release, VELERO_API};
use crate::yaml::{Node, Typed};

/// The Backup fields KOTS copies from the vendor's Backup into a full backup (`hooks` stands
/// for `hooks.resources`; `metadata.annotations` is copied too).
pub const FULL_COPIES: &[&str] = &[
    "includedNamespaces",
    "excludedNamespaces",
    "orLabelSelectors",
    "orderedResources",
    "hooks",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BackupType {
    Full,
    Partial,
    EmbeddedCluster,
}

impl BackupType {
    /// The name in `plan` output and JSON.
    pub fn name(self) -> &'static str {
        match self {
            BackupType::Full => "full",
            BackupType::Partial => "partial",
            BackupType::EmbeddedCluster => "embedded-cluster",
        }
    }
}

/// One Backup as Velero receives it from KOTS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveBackup {
    pub kind: BackupType,
    /// Embedded Cluster only: the improved-DR path (the release ships a Restore too).
    pub improved_dr: bool,
    /// Pod volumes are backed up unless excluded (the vendor's `defaultVolumesToFsBackup: true`
    /// reaches Velero), instead of only when opted in.
    pub opt_out: bool,
    /// Every vendor field reaches Velero, not only [`FULL_COPIES`].
    pub copies_all: bool,
    /// KOTS adds `labelSelector` (`kots.io/app-slug`) and `includeClusterResources`.
    pub adds_selector: bool,
    /// KOTS turns an `includedNamespaces` holding `*` into `["*"]`.
    pub collapses_wildcard: bool,
}

impl EffectiveBackup {
    /// Does the vendor's `spec.<field>` (top-level key) reach Velero?
    pub fn keeps(&self, field: &str) -> bool {
        self.copies_all || FULL_COPIES.contains(&field)
    }

    /// How messages name this backup type.
    pub fn describe(&self) -> &'static str {
        match (self.kind, self.improved_dr) {
            (BackupType::Full, _) => "full backups",
            (BackupType::Partial, _) => "application-only (partial) backups",
            (BackupType::EmbeddedCluster, true) => "Embedded Cluster disaster-recovery backups",
            (BackupType::EmbeddedCluster, false) => "Embedded Cluster (legacy DR) backups",
        }
    }
}

/// Backups named for a message ("full backups and application-only (partial) backups");
/// `None` when there are none.
pub fn describe_all<'e>(backups: impl IntoIterator<Item = &'e EffectiveBackup>) -> Option<String> {
    let names: Vec<&str> = backups.into_iter().map(EffectiveBackup::describe).collect();
    (!names.is_empty()).then(|| names.join(" and "))
}

/// The Backups KOTS creates from this release's Backup; none when it has no Backup (KOTS
/// then offers no snapshots for the app: BKP001).
pub fn build(release: &Release) -> Vec<EffectiveBackup> {
    let Some(vendor) = release.backup() else {
        return Vec::new();
    };
    let vendor_opt_out = vendor_opt_out(release.node(vendor));
    let full = EffectiveBackup {
        kind: BackupType::Full,
        improved_dr: false,
        opt_out: false,
        copies_all: false,
        adds_selector: false,
        collapses_wildcard: true,
    };
    let partial = EffectiveBackup {
        kind: BackupType::Partial,
        opt_out: vendor_opt_out,
        copies_all: true,
        adds_selector: true,
        ..full.clone()
    };
    let mut out = vec![full.clone(), partial];
    if ships_embedded_cluster(release) {
        let improved = release.objects.iter().any(is_restore);
        out.push(if improved {
            EffectiveBackup {
                kind: BackupType::EmbeddedCluster,
                improved_dr: true,
                opt_out: vendor_opt_out,
                copies_all: true,
                adds_selector: false,
                collapses_wildcard: false,
            }
        } else {
            EffectiveBackup {
                kind: BackupType::EmbeddedCluster,
                ..full
            }
        });
    }
    out
}

/// `spec.defaultVolumesToFsBackup: true`, written as a literal bool.
fn vendor_opt_out(backup: Node<'_>) -> bool {
    backup
        .path("spec.defaultVolumesToFsBackup")
        .and_then(|n| n.scalar())
        .is_some_and(|s| !s.templated && s.typed() == Typed::Bool(true))
}

/// The release ships an Embedded Cluster Config (`embeddedcluster.replicated.com` `Config`).
pub fn ships_embedded_cluster(release: &Release) -> bool {
    release.objects.iter().any(|o| {
        o.kind.as_deref() == Some("Config")
            && o.api_version
                .as_deref()
                .is_some_and(|a| a.starts_with("embeddedcluster.replicated.com/"))
    })
}

fn is_restore(o: &Object) -> bool {
    o.kind.as_deref() == Some("Restore") && o.api_version.as_deref() == Some(VELERO_API)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn release(docs: &str) -> Release {
        Release::new(vec![SourceFile::from_text("r.yaml".into(), None, docs.into())], None)
    }

    const BACKUP: &str =
        "apiVersion: velero.io/v1\nkind: Backup\nmetadata:\n  name: b\nspec:\n  defaultVolumesToFsBackup: true\n";
    const EC: &str = "---\napiVersion: embeddedcluster.replicated.com/v1beta1\nkind: Config\n";
    const RESTORE: &str = "---\napiVersion: velero.io/v1\nkind: Restore\nmetadata:\n  name: r\n";

    #[test]
    fn full_backups_opt_in_whatever_the_vendor_wrote_and_partial_ones_keep_it() {
        let r = release(BACKUP);
        let types: Vec<(BackupType, bool)> = r.effective.iter().map(|e| (e.kind, e.opt_out)).collect();
        assert_eq!(types, [(BackupType::Full, false), (BackupType::Partial, true)]);
        assert!(!r.effective[0].keeps("defaultVolumesToFsBackup"));
        assert!(r.effective[0].keeps("orLabelSelectors"));
        assert!(r.effective[1].adds_selector);
    }

    #[test]
    fn embedded_cluster_takes_the_improved_path_only_with_a_restore() {
        let legacy = release(&format!("{BACKUP}{EC}"));
        let ec = &legacy.effective[2];
        assert_eq!(
            (ec.kind, ec.improved_dr, ec.opt_out, ec.collapses_wildcard),
            (BackupType::EmbeddedCluster, false, false, true)
        );
        let improved = release(&format!("{BACKUP}{EC}{RESTORE}"));
        let ec = &improved.effective[2];
        assert_eq!(
            (ec.improved_dr, ec.opt_out, ec.collapses_wildcard, ec.adds_selector),
            (true, true, false, false)
        );
    }

    #[test]
    fn no_backup_no_backups() {
        assert!(release(EC).effective.is_empty());
    }
}
