//! Fixes through a chart's values: a volume missing its opt-in on a pod rendered from a chart
//! is opted in where the vendor configures the chart, the HelmChart's `spec.values`, at the
//! value the chart writes that pod's annotations from. The release then lints clean, comments
//! stay, a second run changes nothing, and the chart archive is never touched.

mod common;

use std::path::Path;

use common::*;

/// The helm-chart sample release with its one unrelated finding (a hook timeout that is not a
/// Go duration) corrected, and its pre-backup hook no longer dumping the database (the dump
/// would cover the data volume: Replicated's export pattern), so VOL001 is all that is left.
fn release() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = copy_dir(&manifest_dir().join("testdata/releases/helm-chart"));
    let path = dir.join("helmchart.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    let dump = "'[\"/bin/bash\", \"-c\", \"pg_dump -U postgres -d app > /scratch/backup.sql\"]'";
    assert!(text.contains(dump), "{text}");
    let text = text
        .replace("timeout: 3 minutes", "timeout: 3m")
        .replace(dump, "'[\"/bin/sync\"]'");
    std::fs::write(&path, text).expect("write");
    (tmp, dir)
}

/// `snaplint fix` on `dir` leaves it clean, and a second run changes nothing in `file`; the
/// fixed text of `file`.
fn fix_to_clean(dir: &Path, file: &Path) -> String {
    let fixed = run(&["fix", "--no-config", dir.to_str().expect("utf-8")]);
    assert_eq!(code(&fixed), 0, "{}", stderr(&fixed));
    let after = std::fs::read_to_string(file).expect("read");
    assert_eq!(rules_found(dir), Vec::<String>::new());
    let again = run(&["fix", "--no-config", dir.to_str().expect("utf-8")]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert_eq!(
        std::fs::read_to_string(file).expect("read"),
        after,
        "a second fix changes nothing"
    );
    after
}

fn rules_found(dir: &Path) -> Vec<String> {
    let out = run(&["check", "--no-config", "--format", "json", dir.to_str().expect("utf-8")]);
    json(&out)["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["rule"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn a_missing_opt_in_goes_into_the_helmchart_values_and_the_release_lints_clean() {
    let (_tmp, dir) = release();
    assert_eq!(rules_found(&dir), ["VOL001"]);
    let report = json(&run(&[
        "check",
        "--no-config",
        "--format",
        "json",
        dir.to_str().expect("utf-8"),
    ]));
    let vol = &report["diagnostics"][0];
    assert!(
        vol["file"]
            .as_str()
            .unwrap_or("")
            .ends_with("webapp-1.0.0.tgz!webapp/charts/postgresql/templates/statefulset.yaml"),
        "the finding is on the template line: {vol}"
    );
    assert!(
        vol["help"]
            .as_str()
            .unwrap_or("")
            .contains("`spec.values.postgresql.primary.podAnnotations`"),
        "{vol}"
    );
    let archive = std::fs::read(dir.join("webapp-1.0.0.tgz")).expect("read");
    let before = std::fs::read_to_string(dir.join("helmchart.yaml")).expect("read");

    let after = fix_to_clean(&dir, &dir.join("helmchart.yaml"));
    let diff: Vec<(&str, &str)> = before.lines().zip(after.lines()).filter(|(a, b)| a != b).collect();
    assert_eq!(
        diff,
        [(
            "          backup.velero.io/backup-volumes: backup",
            "          backup.velero.io/backup-volumes: backup,data"
        )],
        "one value changed, every other line (comments included) kept"
    );
    assert_eq!(before.lines().count(), after.lines().count());
    assert_eq!(std::fs::read(dir.join("webapp-1.0.0.tgz")).expect("read"), archive);
}

#[test]
fn the_values_path_is_created_when_the_helmchart_has_none_of_it() {
    let (_tmp, dir) = release();
    std::fs::write(
        dir.join("helmchart.yaml"),
        "# No values yet.\napiVersion: kots.io/v1beta2\nkind: HelmChart\nmetadata:\n  name: webapp\nspec:\n  chart:\n    name: webapp  # the chart in this release\n    chartVersion: 1.0.0\n  releaseName: shop\n  optionalValues:\n    - when: 'repl{{ LicenseFieldValue \"isSnapshotSupported\" }}'\n      recursiveMerge: true\n      values:\n        commonLabels:\n          kots.io/backup: velero\n          kots.io/app-slug: 'repl{{ LicenseFieldValue \"appSlug\" }}'\n",
    )
    .expect("write");
    assert_eq!(rules_found(&dir), ["VOL001", "VOL001"]);
    let after = fix_to_clean(&dir, &dir.join("helmchart.yaml"));
    assert!(after.starts_with("# No values yet.\n"), "{after}");
    assert!(
        after.contains("    name: webapp  # the chart in this release\n"),
        "{after}"
    );
    assert!(
        after.contains("  values:\n    postgresql:\n      primary:\n        podAnnotations:\n          backup.velero.io/backup-volumes: data\n"),
        "{after}"
    );
    assert!(
        after.contains("    podAnnotations:\n      backup.velero.io/backup-volumes: uploads\n"),
        "{after}"
    );
}

#[test]
fn a_templated_values_map_gets_no_fix() {
    let (_tmp, dir) = release();
    let path = dir.join("helmchart.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    // The vendor's podAnnotations for the database come from a KOTS template: unknown until
    // install, so no finding and nothing to edit.
    let templated = text.replace(
        "      primary:\n        podAnnotations:\n          backup.velero.io/backup-volumes: backup\n          pre.hook.backup.velero.io/command: '[\"/bin/sync\"]'\n          pre.hook.backup.velero.io/timeout: 3m\n          pre.hook.backup.velero.io/on-error: Fail\n",
        "      primary:\n        podAnnotations: 'repl{{ ConfigOption \"db_annotations\" }}'\n",
    );
    assert_ne!(templated, text);
    std::fs::write(&path, &templated).expect("write");
    let diff = run(&["fix", "--no-config", "--diff", dir.to_str().expect("utf-8")]);
    assert_eq!(String::from_utf8_lossy(&diff.stdout), "", "{}", stderr(&diff));
}

#[test]
fn a_chart_directory_without_a_helmchart_takes_the_opt_in_in_its_values_yaml() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (_src, chart) = copy_dir(&manifest_dir().join("testdata/charts/webapp"));
    let release = tmp.path().join("release");
    std::fs::create_dir_all(release.join("charts")).expect("mkdir");
    std::fs::rename(&chart, release.join("charts/webapp")).expect("move");
    std::fs::copy(
        manifest_dir().join("testdata/releases/helm-chart/backup.yaml"),
        release.join("backup.yaml"),
    )
    .expect("copy");
    assert_eq!(rules_found(&release), ["VOL001", "VOL001"]);
    let values = release.join("charts/webapp/values.yaml");
    let before = std::fs::read_to_string(&values).expect("read");
    let template = release.join("charts/webapp/templates/deployment.yaml");
    let template_before = std::fs::read(&template).expect("read");

    let after = fix_to_clean(&release, &values);
    assert!(
        after.contains("# the uploads volume is not backed up unless the HelmChart sets it.\npodAnnotations:\n  backup.velero.io/backup-volumes: uploads\n"),
        "{after}"
    );
    assert!(
        after.contains("postgresql:\n  enabled: true\n  primary:\n    podAnnotations:\n      backup.velero.io/backup-volumes: data\n"),
        "the subchart's value is set from the parent, under its key: {after}"
    );
    let comments = |t: &str| t.lines().filter(|l| l.trim_start().starts_with('#')).count();
    assert_eq!(comments(&before), comments(&after));
    assert_eq!(
        std::fs::read(&template).expect("read"),
        template_before,
        "templates are never edited"
    );
}

#[test]
fn a_mistake_in_the_helmchart_values_is_reported_once_where_it_is_written_and_fixed_there() {
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/releases/helm-chart"));
    let path = dir.join("helmchart.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        text.replace("backup-volumes: backup\n", "backup-volumes: backup,dta\n"),
    )
    .expect("write");
    let out = run(&["check", "--no-config", "--format", "json", dir.to_str().expect("utf-8")]);
    let report = json(&out);
    let found: Vec<(String, String, u64, u64)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap_or("");
            let name = Path::new(file).file_name().and_then(|n| n.to_str()).unwrap_or("");
            (
                d["rule"].as_str().unwrap_or("").to_owned(),
                name.to_owned(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    // The hook timeout and the misspelled volume are on the HelmChart lines that hold them,
    // once each, though the chart renders them into its StatefulSet.
    assert_eq!(
        found,
        [
            ("VOL002".to_owned(), "helmchart.yaml".to_owned(), 19, 51),
            ("HOOK004".to_owned(), "helmchart.yaml".to_owned(), 21, 46),
        ],
        "{report}"
    );
    let fixed = run(&["fix", "--no-config", dir.to_str().expect("utf-8")]);
    assert_eq!(code(&fixed), 1, "the hook timeout has no fix: {}", stderr(&fixed));
    let after = std::fs::read_to_string(&path).expect("read");
    assert!(after.contains("backup-volumes: backup,data\n"), "{after}");
    assert_eq!(rules_found(&dir), ["HOOK004"]);
}
