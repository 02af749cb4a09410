//! The BKP rules judge the Backups KOTS really creates (`../shared/reference/kots-backup-truth.md`
//! F1-F3, F11), not the vendor's manifest as written: each case here is a false positive or a
//! false negative snaplint 0.1.0 had.

mod common;

use common::*;

const EC: &str = "apiVersion: embeddedcluster.replicated.com/v1beta1\nkind: Config\nmetadata:\n  name: ec\n";
const RESTORE: &str =
    "apiVersion: velero.io/v1\nkind: Restore\nmetadata:\n  name: restore\nspec:\n  backupName: backup\n";

fn backup(spec: &str) -> String {
    format!("apiVersion: velero.io/v1\nkind: Backup\nmetadata:\n  name: backup\nspec:\n{spec}")
}

/// A release taking Embedded Cluster's improved disaster-recovery path: its Backup, an EC
/// Config and a Restore.
fn improved_dr(backup: &str) -> [(&str, &str); 3] {
    [("backup.yaml", backup), ("ec.yaml", EC), ("restore.yaml", RESTORE)]
}

/// (rule, severity, message) of every finding of `rule` on a release of these files.
fn found(files: &[(&str, &str)], rule: &str) -> Vec<(String, String)> {
    found_with(files, rule, &[])
}

/// The one finding of `rule` on a release of these files (failing unless there is exactly one).
fn only(files: &[(&str, &str)], rule: &str) -> (String, String) {
    let mut f = found(files, rule);
    assert_eq!(f.len(), 1, "{f:?}");
    f.remove(0)
}

/// `found`, with more `check` arguments (`--velero-version ...`).
fn found_with(files: &[(&str, &str)], rule: &str, args: &[&str]) -> Vec<(String, String)> {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::write(tmp.path().join(name), text).expect("write");
    }
    let mut argv = vec!["check", "--no-config", "--format", "json"];
    argv.extend_from_slice(args);
    argv.push(tmp.path().to_str().expect("utf-8"));
    let out = run(&argv);
    json(&out)["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == rule)
        .map(|d| {
            (
                d["severity"].as_str().unwrap_or("").to_owned(),
                d["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[test]
fn or_label_selectors_alone_break_application_only_backups() {
    let spec = "  orLabelSelectors:\n    - matchLabels:\n        app: acme\n";
    let f = [only(&[("backup.yaml", &backup(spec))], "BKP007")];
    assert_eq!(f[0].0, "warning");
    assert!(
        f[0].1.contains("application-only (partial) backups") && f[0].1.contains("full backups are not affected"),
        "{}",
        f[0].1
    );
}

#[test]
fn both_selectors_in_embedded_cluster_improved_dr_are_an_error() {
    let spec = "  labelSelector:\n    matchLabels:\n      app: acme\n  orLabelSelectors:\n    - matchLabels:\n        tier: db\n";
    let f = [only(&improved_dr(&backup(spec)), "BKP007")];
    assert_eq!(f[0].0, "error");
    assert!(
        f[0].1.contains("Embedded Cluster disaster-recovery backups"),
        "{}",
        f[0].1
    );
}

#[test]
fn a_scoped_filter_alone_breaks_application_only_backups() {
    let spec = "  excludedNamespaceScopedResources:\n    - events\n";
    let f = [only(&[("backup.yaml", &backup(spec))], "BKP008")];
    assert!(
        f[0].1.contains("KOTS adds `includeClusterResources`") && f[0].1.contains("full backups drop the field"),
        "{}",
        f[0].1
    );
}

#[test]
fn a_wildcard_with_other_namespaces_is_collapsed_by_kots_except_in_improved_dr() {
    let spec = "  includedNamespaces:\n    - '*'\n    - acme\n";
    let f = [only(&[("backup.yaml", &backup(spec))], "BKP006")];
    assert_eq!(f[0].0, "info", "KOTS collapses the list to [\"*\"]: {}", f[0].1);
    let f = [only(&improved_dr(&backup(spec)), "BKP006")];
    assert_eq!(f[0].0, "error");
    assert!(
        f[0].1.contains("Embedded Cluster disaster-recovery backups"),
        "{}",
        f[0].1
    );
}

#[test]
fn resource_lists_are_judged_only_where_kots_keeps_them() {
    let spec = "  includedResources:\n    - '*'\n    - pods\n";
    let f = [only(&[("backup.yaml", &backup(spec))], "BKP006")];
    assert!(
        f[0].1.contains("rejects application-only (partial) backups") && !f[0].1.contains("full backups"),
        "{}",
        f[0].1
    );
}

#[test]
fn fields_full_backups_drop_are_all_reported() {
    let spec = "  snapshotMoveData: true\n  uploaderConfig:\n    parallelFilesUpload: 4\n  resourcePolicy:\n    kind: configmap\n    name: policy\n";
    let f = found(&[("backup.yaml", &backup(spec))], "BKP005");
    let fields: Vec<&str> = f.iter().filter_map(|(_, m)| m.split('`').nth(1)).collect();
    assert_eq!(
        fields,
        ["spec.snapshotMoveData", "spec.uploaderConfig", "spec.resourcePolicy"],
        "{f:?}"
    );
}

#[test]
fn kots_condition_values_are_read_as_kots_reads_them() {
    let config_map =
        |ann: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: debug\n  annotations:\n    {ann}\n");
    let with_backup = |other: String| {
        vec![
            ("backup.yaml".to_owned(), backup("  {}\n")),
            ("cm.yaml".to_owned(), other),
        ]
    };
    let bkp009 = |files: Vec<(String, String)>| {
        let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        found(&refs, "BKP009")
    };
    // KOTS honours a YAML bool that excludes the object: nothing reaches the API server.
    assert_eq!(bkp009(with_backup(config_map("kots.io/exclude: true"))), []);
    assert_eq!(bkp009(with_backup(config_map("kots.io/when: false"))), []);
    // One that leaves it deployed puts a non-string annotation in front of the API server.
    let f = bkp009(with_backup(config_map("kots.io/exclude: false")));
    assert!(f.len() == 1 && f[0].1.contains("API server rejects"), "{f:?}");
    // KOTS parses the string with strconv.ParseBool: `True` works, `yes` fails the render.
    assert_eq!(bkp009(with_backup(config_map("kots.io/when: 'True'"))), []);
    let f = bkp009(with_backup(config_map("kots.io/when: 'yes'")));
    assert!(f.len() == 1 && f[0].1.contains("ParseBool"), "{f:?}");
    // On the Backup only the exact strings count.
    let b = "apiVersion: velero.io/v1\nkind: Backup\nmetadata:\n  name: backup\n  annotations:\n    kots.io/when: 'False'\nspec: {}\n";
    let f = found(&[("backup.yaml", b)], "BKP009");
    assert!(f.len() == 1 && f[0].1.contains("exactly"), "{f:?}");
}

#[test]
fn excluding_the_application_namespace_is_rejected_everywhere() {
    let spec = "  excludedNamespaces:\n    - kube-system\n    - 'repl{{ Namespace }}'\n";
    let f = [only(&[("backup.yaml", &backup(spec))], "BKP006")];
    assert_eq!(f[0].0, "error");
    assert!(
        f[0].1.contains("full backups and application-only (partial) backups"),
        "{}",
        f[0].1
    );
}

#[test]
fn an_operator_resource_is_selected_by_the_backup_selectors() {
    let cluster =
        "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: app-db\nspec:\n  instances: 1\n";
    let unselected = found(&[("backup.yaml", &backup("  {}\n")), ("db.yaml", cluster)], "KOTS006");
    assert_eq!(unselected.len(), 1, "{unselected:?}");
    let spec = "  orLabelSelectors:\n    - matchLabels:\n        cnpg.io/cluster: app-db\n";
    let selected = found(&[("backup.yaml", &backup(spec)), ("db.yaml", cluster)], "KOTS006");
    assert_eq!(selected, [], "full backups select the operator's pods by its label");
}

const OPTIONAL_NAMESPACE: &str = "  includedNamespaces:\n    - repl{{ Namespace }}\n    - monitoring\n";

fn installer(velero: &str) -> String {
    format!(
        "apiVersion: cluster.kurl.sh/v1beta1\nkind: Installer\nmetadata:\n  name: app\nspec:\n  velero:\n    version: {velero}\n"
    )
}

#[test]
fn a_namespace_nothing_creates_fails_backups_only_on_velero_1_14_0() {
    let b = backup(OPTIONAL_NAMESPACE);
    let release = [("backup.yaml", b.as_str())];
    let severities = |args: &[&str]| -> Vec<String> {
        found_with(&release, "BKP011", args)
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    };
    assert_eq!(severities(&[]), ["warning"], "KOTS supports 1.14.0");
    assert_eq!(severities(&["--velero-version", "1.14.0"]), ["error"]);
    assert!(severities(&["--velero-version", "1.14.1"]).is_empty());
    assert!(severities(&["--velero-version", "1.13.2"]).is_empty());
    let kurl = |v: &str| {
        let i = installer(v);
        found_with(
            &[("backup.yaml", b.as_str()), ("installer.yaml", i.as_str())],
            "BKP011",
            &[],
        )
    };
    let wildcard = kurl("1.14.x");
    assert_eq!(wildcard.len(), 1, "{wildcard:?}");
    assert!(
        wildcard[0].0 == "warning" && wildcard[0].1.contains("resolves"),
        "{wildcard:?}"
    );
    assert_eq!(kurl("1.14.0")[0].0, "error");
    assert!(kurl("1.15.x").is_empty());
}

#[test]
fn a_namespace_the_release_creates_or_installs_into_is_not_reported() {
    let b = backup(OPTIONAL_NAMESPACE);
    let app = "apiVersion: kots.io/v1beta1\nkind: Application\nmetadata:\n  name: app\nspec:\n  additionalNamespaces: [monitoring]\n";
    let ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: monitoring\n";
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: monitoring\n";
    let chart = "apiVersion: kots.io/v1beta2\nkind: HelmChart\nmetadata:\n  name: c\nspec:\n  namespace: monitoring\n  chart: {name: c, chartVersion: 1.0.0}\n";
    for other in [app, ns, cm, chart] {
        let f = found(&[("backup.yaml", &b), ("other.yaml", other)], "BKP011");
        assert!(f.is_empty(), "{other}: {f:?}");
    }
    // `*` anywhere: KOTS collapses the list to every namespace, and nothing is looked up.
    let star = backup("  includedNamespaces: ['*', monitoring]\n");
    assert!(found(&[("backup.yaml", &star)], "BKP011").is_empty());
}
