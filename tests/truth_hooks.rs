//! The HOOK rules agree with what Velero really does (`kots-backup-truth.md`, facts F4, F5, F6,
//! F10 and the HOOK rows of section 1): one small release per corrected false positive or false
//! negative, asserting which rules fire, at what severity, and which must not.

mod common;

use common::*;
use serde_json::Value;

/// Every finding of the HOOK rules and RST003 for a release under `testdata/truth/`.
fn hook_findings(case: &str) -> Vec<Value> {
    let dir = manifest_dir().join("testdata/truth").join(case);
    let out = run(&["check", "--no-config", "--format", "json", dir.to_str().unwrap()]);
    assert_ne!(code(&out), 2, "{case}: {}", stderr(&out));
    json(&out)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            let rule = d["rule"].as_str().unwrap_or_default();
            rule.starts_with("HOOK") || rule == "RST003"
        })
        .cloned()
        .collect()
}

fn of<'a>(findings: &'a [Value], rule: &str) -> Vec<&'a Value> {
    findings.iter().filter(|d| d["rule"] == rule).collect()
}

/// The finding of `rule` on `line` of `file`, which must exist.
fn at<'a>(findings: &'a [Value], rule: &str, file: &str, line: u64) -> &'a Value {
    findings
        .iter()
        .find(|d| d["rule"] == rule && d["line"] == line && d["file"].as_str().is_some_and(|f| f.ends_with(file)))
        .unwrap_or_else(|| panic!("no {rule} at {file}:{line} in {findings:#?}"))
}

fn message(d: &Value) -> &str {
    d["message"].as_str().unwrap_or_default()
}

#[test]
fn sql_operators_inside_an_argument_are_not_shell_syntax() {
    // `psql -c "CHECKPOINT;"` and `mysql -e "FLUSH TABLES; UNLOCK TABLES"` run as written.
    let findings = hook_findings("hooks-sql-argument");
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn annotation_on_error_in_another_case_acts_as_continue() {
    let findings = hook_findings("hooks-on-error");
    assert_eq!(of(&findings, "HOOK003").len(), 3, "{findings:#?}");
    // `continue` works exactly as `Continue`: at most a warning, and it says so.
    let cont = at(&findings, "HOOK003", "redis.yaml", 17);
    assert_eq!(cont["severity"], "info");
    assert!(message(cont).contains("behaves as `Continue`"), "{}", message(cont));
    assert!(!message(cont).contains("does not fail"), "{}", message(cont));
    // `fail` was meant as `Fail` and acts as `Continue`: a warning.
    let fail = at(&findings, "HOOK003", "redis.yaml", 20);
    assert_eq!(fail["severity"], "warning");
    assert!(message(fail).contains("behaves as `Continue`"), "{}", message(fail));
    // The rewrite to `Fail` changes what Velero does: never applied by a plain `--fix`.
    for d in [cont, fail] {
        assert_eq!(d["fix"]["applicability"], "unsafe", "{d:#?}");
    }
    // In the spec the CRD enum rejects the Backup KOTS creates: an error.
    let spec = at(&findings, "HOOK003", "backup.yaml", 17);
    assert_eq!(spec["severity"], "error");
    assert!(message(spec).contains("rejected"), "{}", message(spec));
}

#[test]
fn on_error_case_fix_waits_for_unsafe_fixes() {
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/truth/hooks-on-error"));
    let before = std::fs::read_to_string(dir.join("redis.yaml")).unwrap();
    let out = run_in(&dir, &["check", "--no-config", "--fix", "--select", "HOOK003", "."]);
    assert_ne!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(dir.join("redis.yaml")).unwrap(), before);
    let out = run_in(
        &dir,
        &[
            "check",
            "--no-config",
            "--fix",
            "--unsafe-fixes",
            "--select",
            "HOOK003",
            ".",
        ],
    );
    assert_ne!(code(&out), 2, "{}", stderr(&out));
    let fixed = std::fs::read_to_string(dir.join("redis.yaml")).unwrap();
    assert!(
        fixed.contains("pre.hook.backup.velero.io/on-error: Continue"),
        "{fixed}"
    );
    assert!(fixed.contains("post.hook.restore.velero.io/on-error: Fail"), "{fixed}");
}

#[test]
fn restore_exec_hook_for_a_missing_container_is_discarded_not_failed() {
    let findings = hook_findings("hooks-restore-container-missing");
    assert_eq!(of(&findings, "HOOK005").len(), 2, "{findings:#?}");
    let restore = at(&findings, "HOOK005", "postgres.yaml", 19);
    assert_eq!(restore["severity"], "warning");
    assert!(message(restore).contains("discards"), "{}", message(restore));
    assert!(
        message(restore).contains("restore completes without them"),
        "{}",
        message(restore)
    );
    assert!(!message(restore).contains("the hook fails"), "{}", message(restore));
    // Backup hooks do fail on a missing container.
    let backup = at(&findings, "HOOK005", "postgres.yaml", 17);
    assert_eq!(backup["severity"], "error");
    assert!(
        message(backup).contains("the hook fails at backup time"),
        "{}",
        message(backup)
    );
}

#[test]
fn init_hook_image_without_command_is_an_error_reported_once() {
    let findings = hook_findings("hooks-init-no-command");
    // Absent and empty command alike: Velero 1.11-1.18.x panics and the pod is not restored.
    for line in [15, 34] {
        let d = at(&findings, "HOOK008", "workloads.yaml", line);
        assert_eq!(d["severity"], "error");
        assert!(message(d).contains("panics"), "{}", message(d));
        assert!(message(d).contains("not restored"), "{}", message(d));
        assert!(!message(d).contains("entrypoint"), "{}", message(d));
    }
    // The empty command is HOOK008's mistake alone: HOOK001 does not report it again.
    assert!(of(&findings, "HOOK001").is_empty(), "{findings:#?}");
    // Besides HOOK018: its literal images would not be pulled in an air gap either.
    let others = findings.iter().filter(|d| d["rule"] != "HOOK018").count();
    assert_eq!(others, 2, "{findings:#?}");
}

#[test]
fn timeouts_say_the_command_keeps_running() {
    let findings = hook_findings("hooks-timeout");
    assert_eq!(findings.len(), 2, "{findings:#?}");
    // An annotation: the hook still runs, with the 30s default.
    let ann = at(&findings, "HOOK004", "postgres.yaml", 18);
    assert_eq!(ann["severity"], "warning");
    for part in ["30s", "does not kill", "keeps running", "µs"] {
        assert!(message(ann).contains(part), "`{part}` missing: {}", message(ann));
    }
    assert!(!message(ann).contains("killed after"), "{}", message(ann));
    // A spec: the Backup does not decode.
    let spec = at(&findings, "HOOK004", "backup.yaml", 17);
    assert_eq!(spec["severity"], "error");
    assert!(message(spec).contains("does not decode"), "{}", message(spec));
}

#[test]
fn selectors_are_checked_against_rendered_chart_pods() {
    // The release ships a HelmChart, and its chart is rendered: a selector matching nothing is
    // reported; one matching the chart's pods is not; a namespace filter on a chart pod is
    // decided at install time, so it is not a finding.
    let findings = hook_findings("hooks-chart-rendered");
    let hook006 = of(&findings, "HOOK006");
    assert_eq!(hook006.len(), 1, "{findings:#?}");
    assert!(message(hook006[0]).contains("`dump`"), "{}", message(hook006[0]));
}

#[test]
fn selectors_stay_quiet_when_a_chart_template_was_not_analyzed() {
    let findings = hook_findings("hooks-chart-not-analyzed");
    assert!(of(&findings, "HOOK006").is_empty(), "{findings:#?}");
}
