//! VOL012: data volumes of pods that are not running when a backup is taken (Job and CronJob
//! pods, workloads with `replicas: 0`). Velero's file-system backup skips every volume of such
//! a pod, so opting it in does nothing (kots-backup-truth F9;
//! `vmware-tanzu/velero pkg/podvolume/backupper.go@v1.18.0` L264-267).

use super::data_volumes;
use crate::release::{Release, Running, Volume, Workload};
use crate::rules::Ctx;

/// VOL012: a data volume only pods that are not running mount.
pub fn not_running(ctx: &mut Ctx) {
    let release = ctx.release;
    for w in &release.workloads {
        let Running::No(why) = w.running else { continue };
        // An ephemeral volume dies with its pod: there is nothing to keep.
        for v in data_volumes(w).filter(|v| v.kind != "ephemeral") {
            if mounted_while_running(release, w, v) {
                continue;
            }
            let what = match &v.claim {
                Some(claim) => format!("claim `{claim}`"),
                None => v.kind.clone(),
            };
            ctx.report(
                w.file,
                v.name_span.clone(),
                format!(
                    "{} `{}`: volume `{}` ({what}) is never backed up: its pods are not running at backup time ({why}), and Velero's file-system backup skips every volume of a pod that is not running, so opting it in does nothing",
                    w.kind, w.name, v.name
                ),
            )
            .with_help("mount the claim in a pod that is running when backups are taken (and opt it in there), or back the volume up with CSI volume snapshots");
        }
    }
}

/// Another workload whose pods are running mounts the same claim: its backup holds the data.
fn mounted_while_running(release: &Release, w: &Workload, v: &Volume) -> bool {
    let Some(claim) = &v.claim else { return false };
    release.workloads.iter().any(|other| {
        !matches!(other.running, Running::No(_))
            && other.namespace == w.namespace
            && data_volumes(other).any(|o| o.claim.as_ref() == Some(claim))
    })
}
