//! Workloads: every object that carries a pod template, with the parts the volume and hook
//! rules need. Built once with the release index; spans point into the original file.

use super::{Object, Release};
use crate::diagnostic::FileId;
use crate::yaml::{Node, Span};

/// A name in the index: inline up to 24 bytes (nearly every Kubernetes name), so the index of
/// a large release is not hundreds of thousands of small heap strings.
pub type Name = compact_str::CompactString;

/// Kinds with a pod template, and the path to it (empty: the object is the pod).
const TEMPLATE_PATHS: &[(&str, &str)] = &[
    ("Pod", ""),
    ("Deployment", "spec.template"),
    ("StatefulSet", "spec.template"),
    ("DaemonSet", "spec.template"),
    ("ReplicaSet", "spec.template"),
    ("ReplicationController", "spec.template"),
    ("Job", "spec.template"),
    ("CronJob", "spec.jobTemplate.spec.template"),
];

/// Volume sources Velero's file-system backup treats as data worth keeping.
pub const DATA_VOLUME_TYPES: &[&str] = &["persistentVolumeClaim", "volumeClaimTemplate", "ephemeral"];

#[derive(Debug, Clone)]
pub struct Container {
    pub name: Name,
    pub name_span: Span,
    pub init: bool,
    /// Names in `volumeMounts[].name`.
    pub mounts: Vec<Name>,
    /// Names in `volumeDevices[].name` (raw block devices).
    pub devices: Vec<Name>,
}

#[derive(Debug, Clone)]
pub struct Volume {
    pub name: Name,
    pub name_span: Span,
    /// The volume source key (`persistentVolumeClaim`, `emptyDir`, ...), or `volumeClaimTemplate`
    /// for a StatefulSet's `volumeClaimTemplates` entry.
    pub kind: Name,
    /// The name is a template expression: unknown until render time.
    pub templated: bool,
    /// `persistentVolumeClaim.claimName`, when literal.
    pub claim: Option<Name>,
}

impl Volume {
    pub fn holds_data(&self) -> bool {
        DATA_VOLUME_TYPES.contains(&self.kind.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Workload {
    /// Index into `Release::objects`.
    pub object: usize,
    pub file: FileId,
    pub kind: Name,
    pub name: Name,
    pub namespace: Option<Name>,
    /// Dotted path from the object root to the pod template (empty for a Pod).
    pub template_path: &'static str,
    pub labels: Vec<(Name, Name)>,
    /// The pod template's labels may be extended at render time: any selector may match.
    pub labels_templated: bool,
    pub containers: Vec<Container>,
    pub volumes: Vec<Volume>,
    /// Whether its pods run when a backup is taken.
    pub running: Running,
}

/// Whether a workload's pods are running when a backup is taken: Velero's file-system backup
/// skips every volume of a pod that is not (`vmware-tanzu/velero pkg/podvolume/backupper.go@v1.18.0`
/// L264-267, `kube.IsPodRunning`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Running {
    Yes,
    /// Not running, and why.
    No(&'static str),
    /// `replicas` is templated.
    Unknown,
}

impl Workload {
    pub fn root<'r>(&self, release: &'r Release) -> Node<'r> {
        release.node(&release.objects[self.object])
    }

    /// The pod template node (the object itself for a Pod).
    pub fn template<'r>(&self, release: &'r Release) -> Option<Node<'r>> {
        let root = self.root(release);
        if self.template_path.is_empty() {
            Some(root)
        } else {
            root.path(self.template_path)
        }
    }

    /// `metadata.annotations` of the pod template: what Velero reads on the pod.
    pub fn pod_annotations<'r>(&self, release: &'r Release) -> Option<Node<'r>> {
        self.template(release)?.path("metadata.annotations")
    }

    /// `metadata.annotations` of the workload object itself (not read by Velero unless a Pod).
    pub fn own_annotations<'r>(&self, release: &'r Release) -> Option<Node<'r>> {
        if self.template_path.is_empty() {
            return None;
        }
        self.root(release).path("metadata.annotations")
    }

    /// The pod template's `spec.volumes` entry named `name`.
    pub fn pod_volume<'r>(&self, release: &'r Release, name: &str) -> Option<Node<'r>> {
        self.template(release)?
            .path("spec.volumes")?
            .items()
            .iter()
            .find(|n| n.get("name").and_then(Node::as_str) == Some(name))
    }

    /// The spec of the claim a volume asks for: the StatefulSet's claim template, an ephemeral
    /// volume's template, or the release's PersistentVolumeClaim the volume names.
    pub fn claim_spec<'r>(&self, release: &'r Release, v: &Volume) -> Option<Node<'r>> {
        match v.kind.as_str() {
            "volumeClaimTemplate" => self
                .root(release)
                .path("spec.volumeClaimTemplates")?
                .items()
                .iter()
                .find(|c| c.path("metadata.name").and_then(Node::as_str) == Some(v.name.as_str()))?
                .get("spec"),
            "ephemeral" => self
                .pod_volume(release, &v.name)?
                .path("ephemeral.volumeClaimTemplate.spec"),
            _ => {
                let claim = v.claim.as_deref()?;
                let pvc = release
                    .of_kind("PersistentVolumeClaim")
                    .find(|o| o.name.as_deref() == Some(claim))?;
                release.node(pvc).get("spec")
            }
        }
    }

    /// Containers (not init containers) in pod order; Velero's default hook container is the first.
    pub fn app_containers(&self) -> impl Iterator<Item = &Container> {
        self.containers.iter().filter(|c| !c.init)
    }

    pub fn volume(&self, name: &str) -> Option<&Volume> {
        self.volumes.iter().find(|v| v.name == name)
    }
}

/// A kind that is a pod or carries a pod template.
pub fn is_pod_kind(kind: &str) -> bool {
    TEMPLATE_PATHS.iter().any(|(k, _)| *k == kind)
}

pub fn build(release: &Release) -> Vec<Workload> {
    use rayon::prelude::*;
    // Objects are independent; `collect` keeps release order.
    release
        .objects
        .par_iter()
        .enumerate()
        .filter_map(|(i, o)| workload(release, i, o))
        .collect()
}

fn workload(release: &Release, index: usize, o: &Object) -> Option<Workload> {
    let kind = o.kind.as_deref()?;
    let (_, path) = TEMPLATE_PATHS.iter().find(|(k, _)| *k == kind)?;
    let root = release.node(o);
    let template = if path.is_empty() { root } else { root.path(path)? };
    let spec = template.get("spec");
    let mut containers = Vec::new();
    for (key, init) in [("initContainers", true), ("containers", false)] {
        let items = spec.and_then(|s| s.get(key)).map(Node::items).unwrap_or_default();
        containers.extend(items.iter().filter_map(|c| container(c, init)));
    }
    let mut volumes: Vec<Volume> = spec
        .and_then(|s| s.get("volumes"))
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(volume)
        .collect();
    if kind == "StatefulSet" {
        let claims = root
            .path("spec.volumeClaimTemplates")
            .map(Node::items)
            .unwrap_or_default();
        volumes.extend(claims.iter().filter_map(claim_template));
    }
    let label_map = template.path("metadata.labels");
    let labels = label_map
        .map(|l| {
            l.entries()
                .iter()
                .filter_map(|(k, v)| Some((k.as_str()?.into(), v.as_str()?.into())))
                .collect()
        })
        .unwrap_or_default();
    let running = running(kind, root);
    Some(Workload {
        running,
        object: index,
        file: o.file,
        kind: kind.into(),
        name: o.name.as_deref().unwrap_or("<unnamed>").into(),
        namespace: release.namespace_of(o.file, root).map(Name::from),
        template_path: path,
        labels: exact(labels),
        labels_templated: label_map.is_some_and(Node::contains_template),
        containers: exact(containers),
        volumes: exact(volumes),
    })
}

/// A list of the index without spare capacity: tens of thousands of them live as long as the
/// release, and a growing `Vec` holds up to twice what it needs.
fn exact<T>(mut v: Vec<T>) -> Vec<T> {
    v.shrink_to_fit();
    v
}

fn running(kind: &str, root: Node<'_>) -> Running {
    match kind {
        "Job" => return Running::No("a Job's pod has completed"),
        "CronJob" => return Running::No("a CronJob's pods have completed"),
        _ => {}
    }
    match root.path("spec.replicas") {
        Some(n) if n.contains_template() => Running::Unknown,
        Some(n) if n.scalar().is_some_and(|s| s.typed() == crate::yaml::Typed::Int(0)) => Running::No("`replicas: 0`"),
        _ => Running::Yes,
    }
}

fn container(node: Node<'_>, init: bool) -> Option<Container> {
    let name = node.get("name")?;
    let names = |key: &str| -> Vec<Name> {
        node.get(key)
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|m| m.get("name").and_then(Node::as_str).map(Name::from))
            .collect()
    };
    Some(Container {
        name: name.scalar()?.value.into(),
        name_span: name.span(),
        init,
        mounts: exact(names("volumeMounts")),
        devices: exact(names("volumeDevices")),
    })
}

fn volume(node: Node<'_>) -> Option<Volume> {
    let name = node.get("name")?;
    let kind = node
        .entries()
        .iter()
        .filter_map(|(k, _)| k.as_str())
        .find(|k| *k != "name")
        .unwrap_or("unknown");
    Some(Volume {
        name: name.scalar()?.value.into(),
        name_span: name.span(),
        kind: kind.into(),
        templated: name.is_templated(),
        claim: node
            .path("persistentVolumeClaim.claimName")
            .filter(|n| !n.is_templated())
            .and_then(Node::as_str)
            .map(Name::from),
    })
}

fn claim_template(node: Node<'_>) -> Option<Volume> {
    let name = node.path("metadata.name")?;
    Some(Volume {
        name: name.scalar()?.value.into(),
        name_span: name.span(),
        kind: "volumeClaimTemplate".into(),
        templated: name.is_templated(),
        claim: None,
    })
}

#[cfg(test)]
mod tests {
    use crate::release::Release;
    use crate::source::SourceFile;

    fn release(text: &str) -> Release {
        Release::new(vec![SourceFile::from_text("w.yaml".into(), None, text.into())], None)
    }

    #[test]
    fn statefulset_with_claim_templates_and_cronjob() {
        let r = release(
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  template:\n    metadata:\n      labels:\n        app: db\n    spec:\n      initContainers:\n        - name: init\n      containers:\n        - name: postgres\n          volumeMounts:\n            - name: data\n      volumes:\n        - name: scratch\n          emptyDir: {}\n  volumeClaimTemplates:\n    - metadata:\n        name: data\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: report\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: job\n          volumes:\n            - name: out\n              persistentVolumeClaim:\n                claimName: out\n",
        );
        assert_eq!(r.workloads.len(), 2);
        let db = &r.workloads[0];
        assert_eq!(db.labels, [("app".into(), "db".into())]);
        assert_eq!(
            db.app_containers().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["postgres"]
        );
        assert_eq!(db.containers[1].mounts, ["data"]);
        let kinds: Vec<_> = db
            .volumes
            .iter()
            .map(|v| (v.name.as_str(), v.kind.as_str(), v.holds_data()))
            .collect();
        assert_eq!(
            kinds,
            [("scratch", "emptyDir", false), ("data", "volumeClaimTemplate", true)]
        );
        let job = &r.workloads[1];
        assert_eq!(job.template_path, "spec.jobTemplate.spec.template");
        assert!(job.volume("out").is_some_and(|v| v.holds_data()));
    }
}
