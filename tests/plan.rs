//! `snaplint plan`: what each Backup KOTS creates really backs up and which hooks run, in the
//! three formats, against the published schema, and in agreement with `check` (VOL001).

mod common;

use common::*;
use serde_json::Value;

const RELEASES: &[&str] = &[
    "testdata/releases/sample",
    "testdata/releases/second-wave",
    "testdata/releases/hooks",
    "testdata/releases/no-backup",
    "testdata/plan/opt-out",
    "testdata/plan/embedded-cluster",
    "testdata/plan/export-pattern",
    "testdata/plan/selection",
];

fn plan(dir: &str, format: &str) -> String {
    let out = run(&["plan", "--format", format, dir]);
    assert_eq!(code(&out), 0, "{dir} {format}: {}", stderr(&out));
    stdout(&out)
}

fn plan_json(dir: &str) -> Value {
    serde_json::from_str(&plan(dir, "json")).expect("plan --format json is JSON")
}

/// The `backed_up` of `workload`'s `volume` in the backup of `kind`.
fn backed_up(plan: &Value, kind: &str, workload: &str, volume: &str) -> Value {
    let backup = plan["backups"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b["type"] == kind))
        .unwrap_or_else(|| panic!("no {kind} backup in {plan}"));
    let v = backup["volumes"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["workload"] == workload && v["volume"] == volume))
        .unwrap_or_else(|| panic!("no {workload} {volume} in {backup}"));
    v["backed_up"].clone()
}

#[test]
fn sample_snapshots() {
    let dir = "testdata/releases/sample";
    insta::assert_snapshot!("plan_sample_human", plan(dir, "human"));
    insta::assert_snapshot!("plan_sample_markdown", plan(dir, "markdown"));
    insta::assert_snapshot!("plan_sample_json", plan(dir, "json"));
}

#[test]
fn second_wave_snapshots() {
    let dir = "testdata/releases/second-wave";
    insta::assert_snapshot!("plan_second_wave_human", plan(dir, "human"));
    insta::assert_snapshot!("plan_second_wave_markdown", plan(dir, "markdown"));
    insta::assert_snapshot!("plan_second_wave_json", plan(dir, "json"));
}

#[test]
fn json_matches_its_schema() {
    let schema: Value = serde_json::from_str(include_str!("../schemas/plan.schema.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for dir in RELEASES {
        let doc = plan_json(dir);
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{dir}: {errors:?}");
    }
}

#[test]
fn schema_subcommand_prints_the_plan_schema() {
    let out = run(&["schema", "plan"]);
    assert_eq!(stdout(&out), include_str!("../schemas/plan.schema.json"));
}

#[test]
fn no_backup_no_snapshots() {
    let dir = "testdata/releases/no-backup";
    assert!(plan(dir, "human").contains("KOTS offers no snapshots for it (BKP001)"));
    assert_eq!(plan_json(dir), serde_json::json!({"version": 1, "backups": []}));
}

#[test]
fn opt_out_reaches_partial_backups_only() {
    let p = plan_json("testdata/plan/opt-out");
    let types: Vec<&Value> = p["backups"]
        .as_array()
        .map(|b| b.iter().map(|b| &b["type"]).collect())
        .unwrap_or_default();
    assert_eq!(types, ["full", "partial"]);
    // KOTS drops `defaultVolumesToFsBackup` from full backups: the un-annotated claim is lost there.
    assert_eq!(backed_up(&p, "full", "StatefulSet/db", "data"), false);
    assert_eq!(backed_up(&p, "partial", "StatefulSet/db", "data"), true);
    assert_eq!(backed_up(&p, "partial", "StatefulSet/db", "cache"), false);
    // Pods not running at backup time: opted in, still not copied (truth F9).
    for (w, v) in [("Job/migrate", "work"), ("Deployment/standby", "files")] {
        assert_eq!(backed_up(&p, "full", w, v), false);
        assert_eq!(backed_up(&p, "partial", w, v), false);
    }
}

#[test]
fn on_error_and_defaults_are_as_velero_runs_them() {
    let p = plan_json("testdata/plan/opt-out");
    let hook = &p["backups"][0]["hooks"][0];
    assert_eq!(hook["phase"], "pre-backup");
    assert_eq!(hook["container"], "db (first container)");
    assert_eq!(hook["timeout"], "30s");
    // `fail` is not `Fail`: Velero treats it as Continue (truth F4).
    assert_eq!(hook["on_error"], "Continue");
}

#[test]
fn restore_hooks_of_the_release_restore_run_on_embedded_cluster_improved_dr_only() {
    let p = plan_json("testdata/plan/embedded-cluster");
    let restores = |i: usize| -> Vec<Value> {
        p["backups"][i]["hooks"]
            .as_array()
            .map(|h| h.iter().filter(|h| h["phase"] == "post-restore").cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(p["backups"][2]["type"], "embedded-cluster");
    assert!(restores(0).is_empty() && restores(1).is_empty());
    let r = restores(2);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!((&r[0]["timeout"], &r[0]["on_error"]), (&"5m".into(), &"Fail".into()));
    assert_eq!(backed_up(&p, "embedded-cluster", "StatefulSet/db", "data"), true);
}

/// The `how` and `reason` of `workload`'s `volume` in every backup of the plan.
fn hows(plan: &Value, workload: &str, volume: &str) -> Vec<(String, String)> {
    let rows = plan["backups"].as_array().into_iter().flatten().flat_map(|b| {
        b["volumes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| v["workload"] == workload && v["volume"] == volume)
    });
    rows.map(|v| {
        (
            v["how"].as_str().unwrap_or("").to_owned(),
            v["reason"].as_str().unwrap_or("").to_owned(),
        )
    })
    .collect()
}

#[test]
fn a_volume_left_out_for_an_export_hook_says_where_its_data_is() {
    let p = plan_json("testdata/plan/export-pattern");
    let data = hows(&p, "StatefulSet/postgresql", "data");
    assert_eq!(data.len(), 2, "{data:?}");
    for (how, reason) in &data {
        assert_eq!(how, "export hook");
        assert!(reason.contains("`/scratch/backup.sql` on volume `backup`"), "{reason}");
    }
    assert!(plan("testdata/plan/export-pattern", "human").contains("no, dumped"));
    // The same release with the dump written outside every volume: the data is not backed up.
    let tmp = tempfile::tempdir().expect("tempdir");
    for name in ["postgres.yaml", "backup.yaml"] {
        let text =
            std::fs::read_to_string(manifest_dir().join("testdata/plan/export-pattern").join(name)).expect("read");
        let text = text.replace("> /scratch/backup.sql", "> /tmp/backup.sql");
        std::fs::write(tmp.path().join(name), text).expect("write");
    }
    let outside = plan_json(tmp.path().to_str().expect("utf-8"));
    let data = hows(&outside, "StatefulSet/postgresql", "data");
    assert!(
        !data.is_empty() && data.iter().all(|(how, _)| how == "not backed up"),
        "{data:?}"
    );
}

#[test]
fn pods_the_backup_does_not_select_back_up_nothing_and_run_no_hooks() {
    let p = plan_json("testdata/plan/selection");
    for (how, reason) in hows(&p, "StatefulSet/reports", "data") {
        assert_eq!(how, "not backed up");
        assert!(
            reason.contains("namespace `analytics` is not in the backup (KOTS005)"),
            "{reason}"
        );
    }
    assert_eq!(backed_up(&p, "full", "Deployment/web", "uploads"), true);
    let hooks: Vec<&Value> = p["backups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|b| b["hooks"].as_array().into_iter().flatten())
        .collect();
    assert!(hooks.is_empty(), "the unselected pod's hook is listed: {hooks:?}");
}

#[test]
fn chart_resources_without_kots_labels_are_not_selected() {
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/releases/helm-chart"));
    let chart = dir.join("helmchart.yaml");
    let text = std::fs::read_to_string(&chart).expect("read");
    let (kept, _) = text
        .split_once("  # Label the chart's resources")
        .expect("the labelling block");
    std::fs::write(&chart, kept).expect("write");
    let p = plan_json(dir.to_str().expect("utf-8"));
    for backup in ["full", "partial"] {
        assert_eq!(
            backed_up(&p, backup, "Deployment/shop-webapp", "uploads"),
            false,
            "{backup}"
        );
    }
    let reasons: Vec<String> = hows(&p, "Deployment/shop-webapp", "uploads")
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    assert!(
        reasons[0].contains("`kots.io/backup` label") && reasons[1].contains("`kots.io/app-slug` label"),
        "{reasons:?}"
    );
    // The same chart with the labels (the release as shipped) is selected.
    let labelled = plan_json("testdata/releases/helm-chart");
    assert_eq!(backed_up(&labelled, "full", "Deployment/shop-webapp", "uploads"), true);
}

#[test]
fn spec_hook_shadowed_by_an_annotation_hook_is_not_listed() {
    // second-wave: the Backup's `dump` hook selects postgres, whose pre-backup annotation wins
    // (HOOK012). Postgres runs in `acme-db`, which the backup includes once the Application
    // lists it (KOTS005).
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/releases/second-wave"));
    let app = "apiVersion: kots.io/v1beta1\nkind: Application\nmetadata:\n  name: acme\nspec:\n  additionalNamespaces: [acme-db]\n";
    std::fs::write(dir.join("kots-app.yaml"), app).expect("write");
    let p = plan_json(dir.to_str().expect("utf-8"));
    let pre: Vec<&Value> = p["backups"][0]["hooks"]
        .as_array()
        .map(|h| h.iter().filter(|h| h["phase"] == "pre-backup").collect())
        .unwrap_or_default();
    assert_eq!(pre.len(), 1, "{pre:?}");
    assert_eq!(pre[0]["command"], serde_json::json!(["/bin/sync"]));
}

/// Every data volume VOL001 or VOL012 reports is one `plan` says is not backed up in a backup
/// the finding names.
#[test]
fn plan_and_check_agree_on_lost_volumes() {
    let mut checked = 0;
    for dir in RELEASES
        .iter()
        .chain(&["testdata/releases/large", "testdata/rules/VOL001/fail"])
    {
        let report = json(&run(&["check", "--format", "json", "--select", "VOL001,VOL012", dir]));
        let p = plan_json(dir);
        for d in report["diagnostics"].as_array().into_iter().flatten() {
            let msg = d["message"].as_str().unwrap_or_default();
            let (head, _) = msg.split_once(':').unwrap_or_default();
            let (kind, name) = head.split_once(' ').unwrap_or_default();
            let workload = format!("{kind}/{}", name.trim_matches('`'));
            let volume = msg.split('`').nth(3).unwrap_or_default();
            let kind = if msg.contains("backup-volumes-excludes") {
                "partial"
            } else {
                "full"
            };
            assert_eq!(backed_up(&p, kind, &workload, volume), false, "{dir}: {msg}");
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} VOL001/VOL012 findings compared");
}

#[test]
fn readme_example_is_real_output() {
    let readme = std::fs::read_to_string(manifest_dir().join("README.md")).expect("README");
    let out = plan("testdata/plan/opt-out", "human");
    assert!(
        readme.contains(&format!("```text\n{out}```")),
        "README's `snaplint plan testdata/plan/opt-out` example is stale; paste:\n{out}"
    );
}
