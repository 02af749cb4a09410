//! VOL012: data volumes of pods that are not running when a backup is taken (Job and CronJob
//! pods, workloads with `replicas: 0`). Velero's file-system backup skips every volume of such
//! a pod, so opting it in does nothing (kots-backup-truth F9;
//! `vmware-tanzu/velero pkg/podvolume/backupper.go@v1.18.0` L264-267).

use std::collections::HashSet;

use super::data_volumes;
use crate::release::{Release, Running};
use crate::rules::Ctx;

/// VOL012: a data volume only pods that are not running mount.
pub fn not_running(ctx: &mut Ctx) {
    let release = ctx.release;
    let running = running_claims(release);
    for w in &release.workloads {
        let Running::No(why) = w.running else { continue };
        // An ephemeral volume dies with its pod: there is nothing to keep.
        for v in data_volumes(w).filter(|v| v.kind != "ephemeral") {
            // Another workload whose pods are running mounts the same claim: its backup holds
            // the data.
            if v.claim
                .as_deref()
                .is_some_and(|c| running.contains(&(w.namespace.as_deref(), c)))
            {
                continue;
            }
            let what = match &v.claim {
                Some(claim) => format!("claim `{claim}`"),
                None => v.kind.to_string(),
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

/// The claims (with their namespace) that a workload whose pods are running mounts.
fn running_claims(release: &Release) -> HashSet<(Option<&str>, &str)> {
    release
        .workloads
        .iter()
        .filter(|w| !matches!(w.running, Running::No(_)))
        .flat_map(|w| data_volumes(w).filter_map(|v| Some((w.namespace.as_deref(), v.claim.as_deref()?))))
        .collect()
}
