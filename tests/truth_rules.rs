//! Regressions for the rules corrected against `kots-backup-truth.md` section 1 (issue #17):
//! each case under `testdata/truth/rules-*/` is a small release, and each test says which
//! rules must fire there, at which severity, and which must stay quiet.

mod common;

use common::*;
use serde_json::Value;

/// (rule, severity) of every finding `check` reports on one case directory.
fn findings(case: &str) -> Vec<(String, String)> {
    let dir = format!("testdata/truth/{case}");
    let out = run(&["check", "--no-config", "--format", "json", &dir]);
    let report = json(&out);
    report["diagnostics"]
        .as_array()
        .map(|a| a.iter().map(|d| (field(d, "rule"), field(d, "severity"))).collect())
        .unwrap_or_default()
}

fn field(d: &Value, key: &str) -> String {
    d[key].as_str().unwrap_or_default().to_owned()
}

/// The messages of one rule's findings on a case.
fn messages(case: &str, rule: &str) -> Vec<String> {
    let dir = format!("testdata/truth/{case}");
    let report = json(&run(&["check", "--no-config", "--format", "json", &dir]));
    report["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|d| d["rule"] == rule)
                .map(|d| field(d, "message"))
                .collect()
        })
        .unwrap_or_default()
}

fn expect(case: &str, want: &[(&str, &str)]) {
    let mut got = findings(case);
    got.sort();
    let mut want: Vec<(String, String)> = want.iter().map(|(r, s)| ((*r).to_owned(), (*s).to_owned())).collect();
    want.sort();
    assert_eq!(got, want, "{case}");
}

// ---------------------------------------------------------------- false negatives fixed

#[test]
fn vol008_reports_a_volume_only_an_init_container_mounts() {
    // Velero counts only spec.containers mounts (backupper.go@v1.18.0 L299-306).
    expect("rules-vol008-init-only", &[("VOL008", "warning")]);
    let m = messages("rules-vol008-init-only", "VOL008");
    assert!(m[0].contains("only init container `seed`"), "{m:?}");
    assert!(m[0].contains("only if a regular container mounts it"), "{m:?}");
    // The same volume mounted by the regular container too: copied, nothing to report.
    expect("rules-vol008-regular-mount", &[]);
}

#[test]
fn a_block_device_of_an_init_container_is_not_mounted_not_a_block_volume() {
    // Velero collects volumeDevices from spec.containers only as well: the volume is "not
    // mounted by any container" (VOL008), never reaching the block-volume check (VOL009).
    expect("rules-vol009-init-device", &[("VOL008", "warning")]);
}

// ---------------------------------------------------------------- false positives fixed

#[test]
fn kots005_takes_a_chart_without_namespace_to_be_in_the_application_namespace() {
    // Helm renders `.Release.Namespace` as `default`; KOTS installs a chart whose HelmChart
    // names no namespace into the application's, which every backup includes.
    expect("rules-kots005-chart-app-namespace", &[]);
    // The HelmChart's own namespace is the mistake: one finding, on the HelmChart, not a
    // second one on every rendered object.
    expect("rules-kots005-chart-other-namespace", &[("KOTS005", "warning")]);
    let m = messages("rules-kots005-chart-other-namespace", "KOTS005");
    assert!(
        m[0].starts_with("HelmChart `acme` runs in namespace `analytics`"),
        "{m:?}"
    );
}

#[test]
fn kots003_is_quiet_when_the_backup_selectors_select_the_chart() {
    // Full backups merge the vendor's orLabelSelectors (backup.go mergeAppBackupSpec); the
    // same selectors break application-only backups, where KOTS adds its own labelSelector.
    expect("rules-kots003-selected", &[("BKP007", "warning")]);
    // A selector that matches none of the chart's objects: the labels are still needed.
    expect(
        "rules-kots003-unselected",
        &[("BKP007", "warning"), ("KOTS003", "warning")],
    );
}

#[test]
fn ver002_accepts_the_tested_list_of_the_actual_velero_version() {
    // The KOTS 1.130.7 row is Velero 1.18's list; Velero 1.17 was tested on 1.32.3.
    expect("rules-ver002-velero-tested", &[]);
    // Listed by neither: information, not a warning.
    expect("rules-ver002-untested", &[("VER002", "info")]);
}

#[test]
fn ver001_wildcard_partly_in_range_is_a_warning_not_an_error() {
    // kURL resolves 1.16.x to its newest 1.16 patch: maybe 1.16.1 (in range), maybe 1.16.2.
    expect("rules-ver001-wildcard-partly", &[("VER001", "warning")]);
    let m = messages("rules-ver001-wildcard-partly", "VER001");
    assert!(m[0].contains("newest 1.16 patch"), "{m:?}");
    // No 1.16 patch is in KOTS 1.124.0's range: still an error.
    expect("rules-ver001-wildcard-outside", &[("VER001", "error")]);
}

#[test]
fn s3002_warns_only_for_a_location_that_can_reach_velero() {
    // No namespace (app namespace) or not `default`: Velero or KOTS ignore it.
    expect("rules-s3002-ignored", &[("S3002", "info"), ("S3002", "info")]);
    expect("rules-s3002-competes", &[("S3002", "warning")]);
}

// ---------------------------------------------------------------- severities and texts

#[test]
fn rst002_is_docs_conformance_only() {
    // Embedded Cluster overwrites spec.backupName with the backup it restores.
    expect("rules-rst002-info", &[("RST002", "info")]);
    let m = messages("rules-rst002-info", "RST002");
    assert!(!m[0].contains("cannot find"), "{m:?}");
}

#[test]
fn ver006_lone_backup_on_embedded_cluster_is_info() {
    // KOTS merges a lone Backup on Embedded Cluster (backup.go L597-603).
    expect("rules-ver006-info", &[("VER006", "info")]);
    let m = messages("rules-ver006-info", "VER006");
    assert!(!m[0].contains("no backups"), "{m:?}");
}

#[test]
fn vol006_a_list_value_is_an_error() {
    // A non-string annotation value gets the whole manifest rejected.
    expect("rules-vol006-list", &[("VOL006", "error")]);
}

#[test]
fn corrected_texts_say_what_upstream_does() {
    let rule_text = |id: &str| std::fs::read_to_string(manifest_dir().join(format!("rules/{id}.yaml"))).unwrap();
    let wrong: &[(&str, &str)] = &[
        ("PARSE001", "fails the release"),
        ("RST002", "disaster recovery fails"),
        ("VER006", "KOTS snapshots do not work on Embedded Cluster"),
        ("VER007", "or break the install"),
        ("VOL004", "Velero skips them in opt-out mode"),
        ("VOL008", "or init container"),
    ];
    for (id, phrase) in wrong {
        assert!(!rule_text(id).contains(phrase), "{id} still says `{phrase}`");
    }
    for id in [
        "PARSE001", "RST001", "RST002", "VER001", "VER002", "VER004", "VER006", "VER007", "VOL002", "VOL004", "VOL006",
        "VOL008", "VOL009", "S3002", "KOTS003",
    ] {
        let text = rule_text(id);
        assert!(
            text.contains("github.com/replicatedhq/") || text.contains("github.com/vmware-tanzu/velero/blob/v"),
            "{id}: the explain cites no upstream file"
        );
    }
}
