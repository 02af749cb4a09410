//! VOL013: backed-up volumes on hostPath-backed storage (the `local-path` provisioner k3s,
//! kind and RKE2 use by default, Docker Desktop's and MicroK8s' `hostpath`). Velero's
//! file-system backup sees their PersistentVolume as a hostPath volume and skips it, so the
//! volume is restored empty (`vmware-tanzu/velero pkg/podvolume/backupper.go@v1.18.0`
//! L339-349, `isHostPathVolume`).

use super::backed_up;
use crate::release::{Release, Running, Volume, Workload};
use crate::rules::Ctx;

/// Provisioners whose volumes are host directories.
const HOSTPATH_PROVISIONERS: &[&str] = &[
    "rancher.io/local-path",
    "k8s.io/minikube-hostpath",
    "microk8s.io/hostpath",
    "docker.io/hostpath",
    "openebs.io/local",
];

/// The default class names of those provisioners, for classes the release does not define.
const HOSTPATH_CLASSES: &[&str] = &["local-path", "hostpath", "microk8s-hostpath", "openebs-hostpath"];

/// VOL013: an opted-in volume whose claim asks for a hostPath-backed storage class.
pub fn host_path_storage(ctx: &mut Ctx) {
    let release = ctx.release;
    let classes = hostpath_classes(release);
    for w in release.workloads.iter().filter(|w| w.running == Running::Yes) {
        for v in backed_up(release, w) {
            let Some(class) = storage_class(release, w, v) else {
                continue;
            };
            let Some(provisioner) = classes.iter().find(|(c, _)| *c == class).map(|(_, p)| *p) else {
                continue;
            };
            ctx.report(
                w.file,
                v.name_span.clone(),
                format!(
                    "{} `{}`: volume `{}` is opted in, but its claim uses storage class `{class}` ({provisioner}), whose volumes are host directories: Velero's file-system backup skips hostPath volumes, so it is restored empty",
                    w.kind, w.name, v.name
                ),
            )
            .with_help("document that backups need a non-hostPath storage class (most CSI drivers), or back the data up through a pre-backup hook that dumps it into a volume that is backed up");
        }
    }
}

/// (class name, provisioner) of every hostPath-backed class: the release's StorageClasses with
/// such a provisioner, and the provisioners' default class names.
fn hostpath_classes(release: &Release) -> Vec<(&str, &str)> {
    let mut out: Vec<(&str, &str)> = release
        .of_kind("StorageClass")
        .filter_map(|o| {
            let provisioner = release.node(o).get("provisioner")?.as_str()?;
            let p = HOSTPATH_PROVISIONERS.iter().find(|p| **p == provisioner)?;
            Some((o.name.as_deref()?, *p))
        })
        .collect();
    let defined = |name: &str| release.of_kind("StorageClass").any(|o| o.name.as_deref() == Some(name));
    out.extend(
        HOSTPATH_CLASSES
            .iter()
            .filter(|c| !defined(c))
            .map(|c| (*c, "a hostPath provisioner's default class")),
    );
    out
}

/// The literal `storageClassName` the volume's claim asks for.
fn storage_class<'r>(release: &'r Release, w: &Workload, v: &Volume) -> Option<&'r str> {
    w.claim_spec(release, v)?
        .get("storageClassName")
        .filter(|n| !n.is_templated())?
        .as_str()
}
