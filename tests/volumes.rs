//! Pod volume backup rules (VOL): exact positions inside annotation values, fixes that touch
//! only annotation lines, opt-out mode, and no false positives on a large realistic release.

mod common;

use common::*;
use serde_json::Value;

fn diagnostics(report: &Value) -> Vec<&Value> {
    report["diagnostics"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn check_json(dir: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec!["check", "--no-config", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(".");
    json(&run_in(dir, &args))
}

#[test]
fn large_release_has_no_findings() {
    let out = run(&["check", "--no-config", "--format", "json", "testdata/releases/large"]);
    let report = json(&out);
    assert_eq!(diagnostics(&report), Vec::<&Value>::new(), "{}", stdout(&out));
    assert_eq!(code(&out), 0);
    let workloads = std::fs::read_dir(manifest_dir().join("testdata/releases/large"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .map(|t| {
            t.lines()
                .filter(|l| {
                    [
                        "Deployment",
                        "StatefulSet",
                        "DaemonSet",
                        "CronJob",
                        "Job",
                        "Pod",
                        "ReplicaSet",
                    ]
                    .iter()
                    .any(|k| *l == format!("kind: {k}"))
                })
                .count()
        })
        .sum::<usize>();
    assert!(workloads >= 20, "only {workloads} workloads");
}

#[test]
fn vol002_points_at_the_name_inside_the_annotation_value() {
    let out = run(&["check", "--no-config", "--format", "json", "testdata/rules/VOL002/fail"]);
    let report = json(&out);
    let d = diagnostics(&report)
        .into_iter()
        .find(|d| d["rule"] == "VOL002" && d["file"].as_str().is_some_and(|f| f.ends_with("deployment.yaml")))
        .expect("VOL002 on deployment.yaml");
    // `        backup.velero.io/backup-volumes: scratch,dta # what to back up`
    assert_eq!(
        (&d["line"], &d["column"], &d["end_line"], &d["end_column"]),
        (&Value::from(15), &Value::from(50), &Value::from(15), &Value::from(53))
    );
    assert_eq!(d["fix"]["edits"][0]["content"], "data");
    // Inside double quotes: the column of the name, not of the quote.
    let quoted = diagnostics(&report)
        .into_iter()
        .find(|d| d["rule"] == "VOL002" && d["file"].as_str().is_some_and(|f| f.ends_with("statefulset.yaml")))
        .expect("VOL002 on statefulset.yaml");
    assert_eq!(
        (&quoted["line"], &quoted["column"]),
        (&Value::from(16), &Value::from(43))
    );
}

#[test]
fn vol001_fix_creates_the_annotations_map() {
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/rules/VOL001/fail"));
    let cron_before = std::fs::read_to_string(dir.join("cronjob.yaml")).unwrap();
    let out = run_in(&dir, &["check", "--no-config", "--fix", "."]);
    // The CronJob's claim stays a VOL012 warning: no annotation can save it.
    assert_eq!(
        rules_in(&check_json(&dir, &[])),
        ["VOL012"],
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let deploy = std::fs::read_to_string(dir.join("deployment.yaml")).unwrap();
    assert!(
        deploy.contains(
            "      labels:\n        app: uploads # selector label\n      annotations:\n        backup.velero.io/backup-volumes: files\n    spec:\n"
        ),
        "{deploy}"
    );
    // A CronJob's pods are not running at backup time: opting its claim in would do nothing,
    // so no fix touches it.
    let cron = std::fs::read_to_string(dir.join("cronjob.yaml")).unwrap();
    assert_eq!(cron, cron_before);
    // An existing list keeps its order and quoting.
    let sts = std::fs::read_to_string(dir.join("statefulset.yaml")).unwrap();
    assert!(
        sts.contains("backup.velero.io/backup-volumes: 'scratch,data' # keep the quotes"),
        "{sts}"
    );
}

/// A changed line of a diff belongs to an annotation: a volume-list entry, or the `metadata:` /
/// `annotations:` keys created or removed around it.
fn is_annotation_line(line: &str) -> bool {
    let t = line.trim().to_ascii_lowercase();
    t.contains("velero.io/") || t == "annotations:" || t == "metadata:"
}

#[test]
fn fixes_touch_only_annotation_lines_and_leave_no_vol_findings() {
    for id in ["VOL001", "VOL002", "VOL003", "VOL006", "VOL007"] {
        let (_tmp, dir) = copy_dir(&manifest_dir().join(format!("testdata/rules/{id}/fail")));
        let diff = stdout(&run_in(
            &dir,
            &["check", "--no-config", "--select", "VOL", "--diff", "."],
        ));
        let changed: Vec<&str> = diff
            .lines()
            .filter(|l| (l.starts_with('+') || l.starts_with('-')) && !l.starts_with("+++") && !l.starts_with("---"))
            .collect();
        assert!(!changed.is_empty(), "{id}: nothing to fix");
        for line in &changed {
            assert!(is_annotation_line(&line[1..]), "{id}: fix touched `{line}`\n{diff}");
        }
        run_in(&dir, &["check", "--no-config", "--select", "VOL", "--fix", "."]);
        // VOL012 (a CronJob's claim) has no fix: no annotation can save it.
        let left = rules_in(&check_json(&dir, &["--select", "VOL", "--ignore", "VOL012"]));
        assert!(left.is_empty(), "{id}: left after --fix: {left:?}");
    }
}

const OPT_OUT_BACKUP: &str = "apiVersion: velero.io/v1\nkind: Backup\nmetadata:\n  name: backup\nspec:\n  defaultVolumesToFsBackup: true # back up every pod volume\n";

const OPT_OUT_DEPLOY: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    metadata:
      annotations:
        backup.velero.io/backup-volumes-excludes: tmp,logs
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/app:1.0.0
          volumeMounts:
            - name: data
              mountPath: /data
            - name: logs
              mountPath: /logs
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: data
          persistentVolumeClaim:
            claimName: app-data
        - name: logs
          persistentVolumeClaim:
            claimName: app-logs
        - name: tmp
          emptyDir: {}
";

/// KOTS drops the vendor's `defaultVolumesToFsBackup: true` from full backups, which always opt
/// in (kots-backup-truth F1); only application-only backups run in opt-out mode. So an
/// un-annotated PVC is lost in full backups, and an excluded one in every backup.
#[test]
fn opt_out_mode_reaches_only_application_backups() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("backup.yaml"), OPT_OUT_BACKUP).unwrap();
    std::fs::write(dir.join("app.yaml"), OPT_OUT_DEPLOY).unwrap();
    let report = check_json(dir, &["--select", "VOL"]);
    let found = diagnostics(&report);
    assert_eq!(found.len(), 2, "{report:#}");
    let at = |d: &Value| {
        (
            d["line"].as_u64().unwrap_or(0),
            d["message"].as_str().unwrap_or("").to_owned(),
        )
    };
    let (data, logs) = (at(found[0]), at(found[1]));
    assert!(found.iter().all(|d| d["rule"] == "VOL001"), "{report:#}");
    assert_eq!(data.0, 22);
    assert!(
        data.1.contains("`data`") && data.1.contains("full backups do not back up its data"),
        "{}",
        data.1
    );
    assert_eq!(logs.0, 25);
    assert!(
        logs.1.contains("`logs`")
            && logs.1.contains("application-only (partial) backups")
            && logs.1.contains("full backups (always opt-in) skip it too"),
        "{}",
        logs.1
    );

    run_in(dir, &["check", "--no-config", "--select", "VOL", "--fix", "."]);
    let fixed = std::fs::read_to_string(dir.join("app.yaml")).unwrap();
    assert!(
        fixed.contains("backup.velero.io/backup-volumes-excludes: tmp\n"),
        "{fixed}"
    );
    assert!(
        fixed.contains("backup.velero.io/backup-volumes: data,logs\n"),
        "{fixed}"
    );
    assert!(rules_in(&check_json(dir, &["--select", "VOL"])).is_empty());

    // The same manifests in opt-in mode: both PVCs are reported, and the excludes, which this
    // mode ignores, are pointed out (VOL010).
    std::fs::write(
        dir.join("backup.yaml"),
        "apiVersion: velero.io/v1\nkind: Backup\nmetadata:\n  name: backup\nspec: {}\n",
    )
    .unwrap();
    std::fs::write(dir.join("app.yaml"), OPT_OUT_DEPLOY).unwrap();
    let opt_in = rules_in(&check_json(dir, &["--select", "VOL"]));
    assert_eq!(opt_in, ["VOL010", "VOL001", "VOL001"]);
}
