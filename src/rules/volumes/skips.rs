//! VOL008 (opted-in volume no container mounts), VOL009 (opted-in raw block device), VOL010
//! (the volume annotation the backup mode ignores), VOL011 (volume annotations on an object
//! that is not a pod). Velero skips all of these with at most a log line.
//! Sources: `vmware-tanzu/velero:pkg/podvolume/backupper.go@v1.18.0` L351-367,
//! `pkg/util/podvolume/pod_volume.go@v1.18.0` (`GetVolumesByPod`).

use super::{EXCLUDE, INCLUDE, KEYS, List, Pod, Value, entry_region, has_template};
use crate::release::Release;
use crate::rules::Ctx;

/// The pod's containers (and so their mounts) may change at render time.
fn containers_unknown(release: &Release, pod: &Pod) -> bool {
    let Some(spec) = pod.template.get("spec") else {
        return false;
    };
    ["containers", "initContainers"]
        .iter()
        .filter_map(|k| entry_region(pod.text, spec, k))
        .any(|r| has_template(release, pod.file, &r))
}

/// Opted-in names whose volume is known, with the list they come from. Full backups always
/// read them (KOTS drops the vendor's `defaultVolumesToFsBackup`).
fn opted_in<'c>(ctx: &Ctx<'c>) -> Vec<(&'c Pod<'c>, &'c List<'c>)> {
    let release = ctx.release;
    ctx.pods()
        .iter()
        .filter(|p| !p.volumes_unknown(release) && !containers_unknown(release, p))
        .filter_map(|p| match p.list(INCLUDE) {
            Value::List(l) => Some((p, l)),
            _ => None,
        })
        .collect()
}

/// VOL008: an opted-in volume that no regular container mounts. Velero collects mounts and
/// devices from `pod.Spec.Containers` only (`backupper.go@v1.18.0` L299-306, same at v1.11.0),
/// so a volume mounted only by an init container is "not mounted by any container".
pub fn not_mounted(ctx: &mut Ctx) {
    for (pod, list) in opted_in(ctx) {
        for item in &list.items {
            let Some(v) = pod.w.volume(item.name()) else { continue };
            let used = pod
                .w
                .app_containers()
                .any(|c| c.mounts.contains(&v.name) || c.devices.contains(&v.name));
            if used {
                continue;
            }
            ctx.report(
                pod.file,
                item.name_span(list.exact()),
                format!(
                    "{}: volume `{}` is opted in, but {}: Velero copies a volume only if a regular container mounts it, so it skips this one with only a log line",
                    pod.label(),
                    v.name,
                    mounted_by(pod.w, &v.name)
                ),
            )
            .with_label(pod.file, v.name_span.clone(), "declared here")
            .with_help(format!("mount `{}` in the container that writes the data, or remove it from `{INCLUDE}`", v.name));
        }
    }
}

/// VOL009: an opted-in volume used as a raw block device by a regular container (devices of
/// init containers are not looked at either: VOL008's).
pub fn block_device(ctx: &mut Ctx) {
    for (pod, list) in opted_in(ctx) {
        for item in &list.items {
            let Some(v) = pod.w.volume(item.name()) else { continue };
            let Some(c) = pod.w.app_containers().find(|c| c.devices.contains(&v.name)) else {
                continue;
            };
            ctx.report(
                pod.file,
                item.name_span(list.exact()),
                format!(
                    "{}: volume `{}` is a raw block device of container `{}` (`volumeDevices`): file-system backup does not support block volumes (Velero 1.13+ skips it; on 1.11-1.12 its pod volume backup fails and the backup ends PartiallyFailed)",
                    pod.label(),
                    v.name,
                    c.name
                ),
            )
            .with_label(pod.file, c.name_span.clone(), "uses it as a block device")
            .with_help("back up block volumes with CSI volume snapshots, or copy the data to a mounted file-system volume in a pre-backup hook and opt that one in");
        }
    }
}

/// Why no regular container mounts `name`: only init containers do, or nothing does.
fn mounted_by(w: &crate::release::Workload, name: &str) -> String {
    let init: Vec<&str> = w
        .containers
        .iter()
        .filter(|c| c.init && (c.mounts.iter().any(|m| m == name) || c.devices.iter().any(|d| d == name)))
        .map(|c| c.name.as_str())
        .collect();
    match init.as_slice() {
        [] => "no container mounts it (`volumeMounts`)".into(),
        names => format!(
            "only init container{} {} mount{} it, and init containers do not count",
            if names.len() == 1 { "" } else { "s" },
            names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
            if names.len() == 1 { "s" } else { "" }
        ),
    }
}

/// The vendor Backup's `defaultVolumesToFsBackup` is templated: the mode is unknown.
fn mode_unknown(release: &Release) -> bool {
    release
        .backup()
        .and_then(|b| release.node(b).path("spec.defaultVolumesToFsBackup"))
        .is_some_and(|n| n.contains_template())
}

/// VOL010: `backup-volumes-excludes` where no Backup reads it. Every Backup KOTS creates opts
/// in unless the vendor's `defaultVolumesToFsBackup: true` reaches it; with that, full backups
/// still read `backup-volumes` and the others the excludes, so both annotations count.
pub fn ignored_by_mode(ctx: &mut Ctx) {
    let release = ctx.release;
    if mode_unknown(release) || release.opt_out_backups().next().is_some() {
        return;
    }
    for pod in ctx.pods() {
        // With both annotations the pod works in either mode (the server-wide default can
        // differ from the Backup's): deliberate, not a mistake.
        if pod.annotations_unknown(release) || !matches!(pod.list(INCLUDE), Value::Absent) {
            continue;
        }
        let Some((k, _)) = pod.annotations.and_then(|a| a.entry(EXCLUDE)) else {
            continue;
        };
        ctx.report(
            pod.file,
            k.span(),
            format!(
                "{}: `{EXCLUDE}` is ignored: every Backup KOTS creates runs in opt-in mode, so Velero reads only `{INCLUDE}`",
                pod.label()
            ),
        )
        .with_help(format!("only volumes listed in `{INCLUDE}` are backed up; list them there and remove `{EXCLUDE}`"));
    }
}

/// VOL011: volume annotations on an object that is not a pod or pod template.
pub fn on_non_pod(ctx: &mut Ctx) {
    let release = ctx.release;
    for (o, k) in release.annotations_off_pods() {
        let Some(key) = k.as_str().filter(|k| KEYS.contains(k)) else {
            continue;
        };
        let kind = o.kind.as_deref().unwrap_or_default();
        ctx.report(
            o.file,
            k.span(),
            format!("`{key}` is on {kind} `{}`: Velero reads volume annotations only on pods, so it is ignored", o.name.as_deref().unwrap_or("<unnamed>")),
        )
        .with_help("put it on the pod template (`spec.template.metadata.annotations`) of the workload that mounts the volume, naming the pod's volume (`spec.volumes[].name`)");
    }
}
