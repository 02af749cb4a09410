//! KOTS rules: what KOTS does with the release decides what a snapshot holds.
//! - KOTS001: in-cluster object storage whose data no volume opt-in or hook covers.
//! - KOTS003: a v1beta2 HelmChart that does not label its resources for KOTS backups.
//! - KOTS004: a backed-up PVC on a StorageClass with `reclaimPolicy: Retain`.
//! - KOTS005: a workload in a namespace full backups do not include.
//!
//! `not_selected` gives `plan` the same two answers per workload and backup type.
//!
//! Sources: kots-facts §1.3, §1.4, §4, §5 (https://docs.replicated.com/vendor/snapshots-configuring-backups,
//! https://docs.replicated.com/vendor/helm-native-v2-using, `replicatedhq/kots:pkg/kotsadmsnapshot/backup.go`).

use super::Ctx;
use super::hooks::glob;
use super::volumes::backed_up;
use crate::diagnostic::FileId;
use crate::release::{BackupType, EffectiveBackup, Object, Release, Volume, Workload};
use crate::yaml::Node;

fn objects<'r>(release: &'r Release, kind: &'r str) -> impl Iterator<Item = &'r Object> + 'r {
    release.of_kind(kind)
}

// ---------------------------------------------------------------- KOTS004

/// The node holding the storage class a volume's claim asks for, if written literally.
fn storage_class_node<'r>(release: &'r Release, w: &Workload, v: &Volume) -> Option<Node<'r>> {
    w.claim_spec(release, v)?.get("storageClassName")
}

/// The release's StorageClass `name` when its reclaim policy is `Retain`: its policy node.
fn retained_class<'r>(release: &'r Release, name: &str) -> Option<(&'r Object, Node<'r>)> {
    objects(release, "StorageClass")
        .filter(|o| o.name.as_deref() == Some(name))
        .find_map(|o| {
            let policy = release.node(o).get("reclaimPolicy")?;
            (policy.as_str() == Some("Retain")).then_some((o, policy))
        })
}

pub fn retain_storage_class(ctx: &mut Ctx) {
    let release = ctx.release;
    if release.backup().is_none() {
        return;
    }
    for w in &release.workloads {
        for v in backed_up(release, w) {
            let Some(class) = storage_class_node(release, w, v) else {
                continue;
            };
            let Some((sc, policy)) = class.as_str().and_then(|c| retained_class(release, c)) else {
                continue;
            };
            let file = claim_file(release, w, v);
            let place = ctx.place(sc.file, &policy.span());
            ctx.report(
                file,
                class.span(),
                format!(
                    "{} `{}`: backed-up volume `{}` uses StorageClass `{}`, whose `reclaimPolicy: Retain` KOTS snapshots do not support",
                    w.kind,
                    w.name,
                    v.name,
                    sc.name.as_deref().unwrap_or_default()
                ),
            )
            .with_label(sc.file, policy.span(), "reclaimPolicy: Retain")
            .with_help(format!("the reclaim policy is at {place}; use a StorageClass with `reclaimPolicy: Delete` for volumes that snapshots back up"));
        }
    }
}

/// The file the claim's storage class is written in: the PVC's for a pod volume.
fn claim_file(release: &Release, w: &Workload, v: &Volume) -> FileId {
    if v.kind != "persistentVolumeClaim" {
        return w.file;
    }
    w.pod_volume(release, &v.name)
        .and_then(|n| n.path("persistentVolumeClaim.claimName"))
        .and_then(Node::as_str)
        .and_then(|c| objects(release, "PersistentVolumeClaim").find(|o| o.name.as_deref() == Some(c)))
        .map_or(w.file, |o| o.file)
}

// ---------------------------------------------------------------- KOTS005

/// Namespaces a KOTS full backup covers besides the app's own: Application
/// `additionalNamespaces` and Backup `includedNamespaces`. `None` when templated (unknown).
fn backup_namespaces(release: &Release) -> Option<Vec<&str>> {
    let backup = release.backup()?;
    let mut out = Vec::new();
    let lists = objects(release, "Application")
        .filter(|o| o.api_version.as_deref().is_some_and(|a| a.starts_with("kots.io/")))
        .filter_map(|o| release.node(o).path("spec.additionalNamespaces"))
        .chain(release.node(backup).path("spec.includedNamespaces"));
    for list in lists {
        for item in list.items() {
            out.push(item.as_str()?);
        }
        if list.contains_template() {
            return None;
        }
    }
    Some(out)
}

pub fn namespace_not_backed_up(ctx: &mut Ctx) {
    let release = ctx.release;
    let Some(covered) = backup_namespaces(release) else {
        return;
    };
    let mut places: Vec<(FileId, Node<'_>, String)> = Vec::new();
    for w in &release.workloads {
        let root = w.root(release);
        // A namespace the HelmChart gives its chart is reported once, on the HelmChart.
        let from_helm_chart = |ns: &str| {
            helm_chart_of(release, w.file)
                .and_then(|o| release.node(o).path("spec.namespace"))
                .is_some_and(|n| n.as_str() == Some(ns))
        };
        if let Some(ns) = root.path("metadata.namespace").filter(|_| {
            release
                .namespace_of(w.file, root)
                .is_some_and(|ns| !from_helm_chart(ns))
        }) {
            places.push((w.file, ns, format!("{} `{}`", w.kind, w.name)));
        }
    }
    for o in
        objects(release, "HelmChart").filter(|o| o.api_version.as_deref().is_some_and(|a| a.starts_with("kots.io/")))
    {
        if let Some(ns) = release
            .node(o)
            .path("spec.namespace")
            .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
        {
            places.push((
                o.file,
                ns,
                format!("HelmChart `{}`", o.name.as_deref().unwrap_or("<unnamed>")),
            ));
        }
    }
    for (file, node, what) in places {
        let ns = node.as_str().unwrap_or_default();
        if covered.iter().any(|p| glob(p, ns)) {
            continue;
        }
        ctx.report(
            file,
            node.span(),
            format!("{what} runs in namespace `{ns}`, which is neither in the Application's `additionalNamespaces` nor in the Backup's `includedNamespaces`: KOTS full backups leave it out"),
        )
        .with_help(format!("add `{ns}` to the Application's `spec.additionalNamespaces` (KOTS adds those to backups), or install into the app namespace by leaving `namespace` unset"));
    }
}

// ---------------------------------------------------------------- KOTS003

const BACKUP_LABELS: &str = "\
optionalValues:
  - when: 'repl{{ LicenseFieldValue \"isSnapshotSupported\" }}'
    recursiveMerge: true
    values:
      commonLabels:          # the chart's value for labels on every resource
        kots.io/backup: velero
        kots.io/app-slug: repl{{ LicenseFieldValue \"appSlug\" }}
      podLabels:             # and on pod templates
        kots.io/backup: velero
        kots.io/app-slug: repl{{ LicenseFieldValue \"appSlug\" }}";

/// Whether `node` holds the key anywhere (and, for `value`, with that value).
fn has_label(node: Node<'_>, key: &str, value: Option<&str>) -> bool {
    let mut found = false;
    node.walk(&mut |n| {
        found |= n
            .entry(key)
            .is_some_and(|(_, v)| value.is_none_or(|want| v.as_str() == Some(want) || v.contains_template()));
    });
    found
}

/// The KOTS backup labels (`kots.io/backup: velero`, `kots.io/app-slug`) a v1beta2 HelmChart's
/// values do not add to the chart's resources; `None` when its values are templated (unknown).
fn missing_backup_labels(release: &Release, helm_chart: &Object) -> Option<Vec<&'static str>> {
    let spec = release.node(helm_chart).get("spec");
    let mut values: Vec<Node<'_>> = spec.and_then(|s| s.get("values")).into_iter().collect();
    let optional = spec
        .and_then(|s| s.get("optionalValues"))
        .map(Node::items)
        .unwrap_or_default();
    values.extend(optional.iter().filter_map(|ov| ov.get("values")));
    // A values block written as a template (`repl{{ ... | nindent 6 }}`) is unknown.
    if values.iter().any(|v| !v.is_map() && v.contains_template()) {
        return None;
    }
    let missing = [(BACKUP_LABEL, Some("velero")), (SLUG_LABEL, None)]
        .into_iter()
        .filter(|(k, v)| !values.iter().any(|n| has_label(*n, k, *v)))
        .map(|(k, _)| k)
        .collect();
    Some(missing)
}

const BACKUP_LABEL: &str = "kots.io/backup";
const SLUG_LABEL: &str = "kots.io/app-slug";

fn v1beta2_helm_charts(release: &Release) -> impl Iterator<Item = &Object> {
    objects(release, "HelmChart").filter(|o| o.api_version.as_deref() == Some("kots.io/v1beta2"))
}

pub fn helm_backup_labels(ctx: &mut Ctx) {
    let release = ctx.release;
    if release.backup().is_none() {
        return;
    }
    for o in v1beta2_helm_charts(release) {
        let Some(missing) = missing_backup_labels(release, o) else {
            continue;
        };
        if missing.is_empty() || selected_by_backup(release, o) {
            continue;
        }
        let root = release.node(o);
        let at = root.path("metadata.name").or_else(|| root.get("kind")).unwrap_or(root);
        ctx.report(
            o.file,
            at.span(),
            format!(
                "HelmChart `{}` does not label the chart's resources with {}: on existing-cluster and kURL installs KOTS full backups select resources by these labels and leave this chart's out",
                o.name.as_deref().unwrap_or("<unnamed>"),
                missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(" and ")
            ),
        )
        .with_help(format!("add the labels through the chart's values, for example (use the value names your chart has):\n{BACKUP_LABELS}"));
    }
}

/// The HelmChart whose values rendered `file`, for a file rendered from a chart.
fn helm_chart_of(release: &Release, file: FileId) -> Option<&Object> {
    let archive = release.files[file].chart.as_ref()?;
    let record = release.charts.iter().find(|c| &release.files[c.file].path == archive)?;
    let (hc_file, doc) = record.helm_chart?;
    release.objects.iter().find(|o| o.file == hc_file && o.doc == doc)
}

/// Why the Backup KOTS creates of type `e` does not select `w`'s pods, when the release says
/// so: a namespace the backup does not include (KOTS005), or a v1beta2 chart's resources
/// without the label the backup selects by (KOTS003: `kots.io/backup` for full backups, unless
/// the vendor's `orLabelSelectors` select them; `kots.io/app-slug` for partial ones,
/// `replicatedhq/kots pkg/kotsadmsnapshot/backup.go` L163-177). Embedded Cluster backups select
/// by their own label selectors, which are not modelled: `None` there, as for anything unknown.
pub fn not_selected(release: &Release, w: &Workload, e: &EffectiveBackup) -> Option<String> {
    if e.kind == BackupType::EmbeddedCluster {
        return None;
    }
    let helm_chart = helm_chart_of(release, w.file);
    let spec_namespace = helm_chart
        .and_then(|o| release.node(o).path("spec.namespace"))
        .and_then(Node::as_str)
        .filter(|n| !n.is_empty());
    let namespace = w.namespace.as_deref().or(spec_namespace);
    if let (Some(ns), Some(covered)) = (namespace, backup_namespaces(release))
        && !covered.iter().any(|p| glob(p, ns))
    {
        return Some(format!("namespace `{ns}` is not in the backup (KOTS005)"));
    }
    let o = helm_chart.filter(|o| o.api_version.as_deref() == Some("kots.io/v1beta2"))?;
    let missing = missing_backup_labels(release, o)?;
    let label = match e.kind {
        BackupType::Full if !selected_by_backup(release, o) => BACKUP_LABEL,
        BackupType::Partial => SLUG_LABEL,
        _ => return None,
    };
    missing.contains(&label).then(|| {
        format!(
            "HelmChart `{}` does not add the `{label}` label the backup selects by (KOTS003)",
            o.name.as_deref().unwrap_or("<unnamed>")
        )
    })
}

/// Whether the vendor Backup's `orLabelSelectors`, which KOTS merges into full backups
/// (`replicatedhq/kots pkg/kotsadmsnapshot/backup.go` `mergeAppBackupSpec`), select every object
/// the HelmChart's chart rendered to (and every pod template in it). Unknown (no rendered
/// objects, a templated selector) is `false`: the label check stands.
fn selected_by_backup(release: &Release, helm_chart: &Object) -> bool {
    let Some(backup) = release.backup() else { return false };
    let selectors = release
        .node(backup)
        .path("spec.orLabelSelectors")
        .map(Node::items)
        .unwrap_or_default();
    if selectors.is_empty() || selectors.iter().any(|s| s.contains_template()) {
        return false;
    }
    let label_sets = chart_label_sets(release, helm_chart);
    !label_sets.is_empty()
        && label_sets
            .iter()
            .all(|labels| selectors.iter().any(|s| selector_matches(s, *labels)))
}

/// The `metadata.labels` of every object rendered from the chart this HelmChart configures, and
/// of every pod template among them (`None`: no labels).
fn chart_label_sets<'r>(release: &'r Release, helm_chart: &Object) -> Vec<Option<Node<'r>>> {
    let Some(record) = release
        .charts
        .iter()
        .find(|c| c.helm_chart == Some((helm_chart.file, helm_chart.doc)))
    else {
        return Vec::new();
    };
    let archive = &release.files[record.file].path;
    let rendered = |file: FileId| {
        let f = &release.files[file];
        !f.template_source && f.chart.as_ref() == Some(archive)
    };
    let mut out = Vec::new();
    for o in release.objects.iter().filter(|o| rendered(o.file)) {
        out.push(release.node(o).path("metadata.labels"));
    }
    for w in release.workloads.iter().filter(|w| rendered(w.file)) {
        if !w.template_path.is_empty() {
            out.push(w.template(release).and_then(|t| t.path("metadata.labels")));
        }
    }
    out
}

/// A Kubernetes LabelSelector (`matchLabels` and `matchExpressions`, ANDed) against labels.
fn selector_matches(selector: Node<'_>, labels: Option<Node<'_>>) -> bool {
    selector_matches_labels(selector, &|key| labels.and_then(|l| l.get(key)).and_then(Node::as_str))
}

/// [`selector_matches`] on labels given by a lookup.
fn selector_matches_labels<'l>(selector: Node<'_>, label: &dyn Fn(&str) -> Option<&'l str>) -> bool {
    let match_labels = selector.get("matchLabels").map(Node::entries).unwrap_or_default();
    let labels_ok = match_labels
        .iter()
        .all(|(k, v)| k.as_str().is_some_and(|k| label(k).is_some() && label(k) == v.as_str()));
    let expressions = selector.get("matchExpressions").map(Node::items).unwrap_or_default();
    let expressions_ok = expressions.iter().all(|e| {
        let (Some(key), Some(op)) = (
            e.get("key").and_then(Node::as_str),
            e.get("operator").and_then(Node::as_str),
        ) else {
            return false;
        };
        let values: Vec<&str> = e
            .get("values")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        match (op, label(key)) {
            ("In", Some(v)) => values.contains(&v),
            ("NotIn", v) => v.is_none_or(|v| !values.contains(&v)),
            ("Exists", v) => v.is_some(),
            ("DoesNotExist", v) => v.is_none(),
            _ => false,
        }
    });
    // An empty selector selects everything in Kubernetes, but Velero's orLabelSelectors with
    // nothing in them are not worth trusting: ask for at least one condition.
    !(match_labels.is_empty() && expressions.is_empty()) && labels_ok && expressions_ok
}

// ---------------------------------------------------------------- KOTS001
// Seed/kots-facts §2.1: object-stored data that is not on opted-in PVCs (Rook/Ceph, MinIO run
// by the app) needs custom backup and restore hooks.

#[derive(serde::Deserialize, Default)]
struct StorageParams {
    /// Image names (last path segment, without tag) of object-storage servers.
    images: Vec<String>,
    /// Operator kinds that run object storage.
    kinds: Vec<String>,
}

/// The image name without registry, path and tag: `quay.io/minio/minio:RELEASE.x` → `minio`.
fn image_name(image: &str) -> &str {
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split([':', '@']).next().unwrap_or(last)
}

/// The first container image that is an object-storage server.
fn storage_image<'r>(release: &'r Release, w: &Workload, names: &[String]) -> Option<Node<'r>> {
    let spec = w.template(release)?.get("spec")?;
    ["containers", "initContainers"]
        .iter()
        .filter_map(|k| spec.get(k))
        .flat_map(Node::items)
        .filter_map(|c| c.get("image"))
        .find(|i| i.as_str().is_some_and(|s| names.iter().any(|n| n == image_name(s))))
}

/// Workloads a backup hook (annotation or Backup spec, pre or post) runs in.
fn hooked_workloads(ctx: &Ctx) -> Vec<usize> {
    use super::hooks::Phase;
    ctx.hooks()
        .iter()
        .filter(|h| matches!(h.phase, Phase::PreBackup | Phase::PostBackup) && h.command.is_some())
        .flat_map(|h| h.targets.clone().unwrap_or_default())
        .collect()
}

pub fn object_storage_unprotected(ctx: &mut Ctx) {
    let params: StorageParams = ctx.params();
    let release = ctx.release;
    if release.backup().is_none() {
        return;
    }
    let hooked = hooked_workloads(ctx);
    for (i, w) in release.workloads.iter().enumerate() {
        let Some(image) = storage_image(release, w, &params.images) else {
            continue;
        };
        if hooked.contains(&i) || !backed_up(release, w).is_empty() {
            continue;
        }
        ctx.report(
            w.file,
            image.span(),
            format!(
                "{} `{}` runs object storage (`{}`), but none of its volumes is backed up and no backup hook runs in it: its data is not in the snapshot",
                w.kind,
                w.name,
                image.as_str().unwrap_or_default()
            ),
        )
        .with_help("opt its data volume in with `backup.velero.io/backup-volumes` on the pod template, or add pre-backup/post-restore hooks that export and re-import the data");
    }
    if !hooked.is_empty() {
        return;
    }
    for o in release
        .objects
        .iter()
        .filter(|o| o.kind.as_ref().is_some_and(|k| params.kinds.iter().any(|p| p == k)))
    {
        let root = release.node(o);
        let at = root.get("kind").unwrap_or(root);
        ctx.report(
            o.file,
            at.span(),
            format!(
                "{} `{}` runs object storage in the cluster, and the release has no backup hook: data kept in it is not in the snapshot",
                o.kind.as_deref().unwrap_or_default(),
                o.name.as_deref().unwrap_or("<unnamed>")
            ),
        )
        .with_help("add backup and restore hooks that export the object store's data to an opted-in volume and re-import it");
    }
}

// ---------------------------------------------------------------- KOTS006

/// Operators whose custom resource makes the pods and claims holding the data: the group of the
/// resource's apiVersion, its kind, the label the operator puts on the pods (valued with the
/// resource's name), and where the resource passes labels of its own on to them.
const OPERATORS: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "postgresql.cnpg.io",
        "Cluster",
        "cnpg.io/cluster",
        Some("spec.inheritedMetadata.labels"),
    ),
    (
        "postgres-operator.crunchydata.com",
        "PostgresCluster",
        "postgres-operator.crunchydata.com/cluster",
        Some("spec.metadata.labels"),
    ),
    ("acid.zalan.do", "postgresql", "cluster-name", None),
    ("kafka.strimzi.io", "Kafka", "strimzi.io/cluster", None),
    ("minio.min.io", "Tenant", "v1.min.io/tenant", None),
    (
        "elasticsearch.k8s.elastic.co",
        "Elasticsearch",
        "elasticsearch.k8s.elastic.co/cluster-name",
        None,
    ),
];

/// KOTS006: an operator's custom resource whose pods full backups do not select. KOTS's full
/// backups select by `kots.io/backup: velero` plus the vendor Backup's `orLabelSelectors`
/// (`replicatedhq/kots pkg/kotsadmsnapshot/backup.go:L1519-1524`), and KOTS labels only the
/// manifests it renders, not what an operator creates from them (truth M5).
pub fn operator_not_selected(ctx: &mut Ctx) {
    let release = ctx.release;
    let Some(backup) = release.backup() else { return };
    let selectors = release
        .node(backup)
        .path("spec.orLabelSelectors")
        .map(Node::items)
        .unwrap_or_default();
    if selectors.iter().any(|s| s.contains_template()) {
        return;
    }
    for o in &release.objects {
        let (Some(api), Some(kind), Some(name)) = (o.api_version.as_deref(), o.kind.as_deref(), o.name.as_deref())
        else {
            continue;
        };
        let group = api.split('/').next().unwrap_or(api);
        let Some((_, _, pod_label, inherited)) = OPERATORS.iter().find(|(g, k, ..)| *g == group && *k == kind) else {
            continue;
        };
        let root = release.node(o);
        let passed_on = inherited.and_then(|p| root.path(p));
        let label = |key: &str| {
            if key == *pod_label {
                return Some(name);
            }
            passed_on.and_then(|l| l.get(key)).and_then(Node::as_str)
        };
        if label("kots.io/backup") == Some("velero") || selectors.iter().any(|s| selector_matches_labels(s, &label)) {
            continue;
        }
        let at = root.path("metadata.name").unwrap_or(root);
        let how = match inherited {
            Some(path) => format!("add `kots.io/backup: velero` to `{path}`, which the operator puts on its pods"),
            None => format!(
                "select them in the Backup: an `orLabelSelectors` entry `matchLabels: {{{pod_label}: {name}}}` (application-only backups then fail validation, BKP007)"
            ),
        };
        ctx.report(
            o.file,
            at.span(),
            format!(
                "{kind} `{name}` ({group}): the pods and claims its operator creates carry `{pod_label}: {name}`, not `kots.io/backup: velero`, and no `orLabelSelectors` of the Backup selects them, so KOTS full backups leave its data out"
            ),
        )
        .with_help(format!("{how}; opt their volumes in with the operator's pod annotations as well"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Document, parse_stream};

    fn doc(text: &str) -> Document {
        parse_stream(text, &[]).remove(0)
    }

    #[test]
    fn label_selectors_match_like_kubernetes() {
        let labels = doc("app: web\ntier: front\n");
        let labels = labels.root().expect("a document");
        let yes = [
            "matchLabels: {app: web}",
            "matchExpressions: [{key: tier, operator: In, values: [front, back]}]",
            "matchExpressions: [{key: app, operator: Exists}, {key: gone, operator: DoesNotExist}]",
            "matchLabels: {app: web}\nmatchExpressions: [{key: tier, operator: NotIn, values: [db]}]",
        ];
        for s in yes {
            assert!(
                selector_matches(doc(s).root().expect("a document"), Some(labels)),
                "{s}"
            );
        }
        let no = [
            "matchLabels: {app: db}",
            "matchLabels: {app: web, team: x}",
            "matchExpressions: [{key: tier, operator: NotIn, values: [front]}]",
            "matchExpressions: [{key: tier, operator: Gt, values: ['1']}]",
            "{}",
        ];
        for s in no {
            assert!(
                !selector_matches(doc(s).root().expect("a document"), Some(labels)),
                "{s}"
            );
        }
        assert!(!selector_matches(
            doc("matchLabels: {app: web}").root().expect("a document"),
            None
        ));
    }
}
