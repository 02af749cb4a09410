//! The binary end to end: exit codes, formats, config, suppressions, fixes.

mod common;

use common::*;

#[test]
fn sample_release_is_clean() {
    let out = run(&["check", "testdata/releases/sample", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let report = json(&out);
    assert_eq!(report["diagnostics"].as_array().map(Vec::len), Some(0));
    assert_eq!(report["summary"]["files"], 8);
}

#[test]
fn release_without_backup_reports_bkp001_release_level() {
    let out = run(&["check", "testdata/releases/no-backup", "--format", "json"]);
    assert_eq!(code(&out), 1);
    let report = json(&out);
    let d = &report["diagnostics"][0];
    assert_eq!(d["rule"], "BKP001");
    assert_eq!(d["file"], serde_json::Value::Null);
    assert_eq!(d["line"], serde_json::Value::Null);
    assert_eq!(d["fix"]["applicability"], "safe");
}

#[test]
fn json_report_matches_its_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schemas/report.schema.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for dir in [
        "testdata/releases/no-backup",
        "testdata/rules/BKP004/fail",
        "testdata/rules/BKP002/fail",
        "testdata/releases/sample",
    ] {
        let report = json(&run(&["check", "--format", "json", dir]));
        let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{dir}: {errors:?}");
    }
}

#[test]
fn concise_format_is_one_line_per_finding() {
    let out = run(&["check", "--format", "concise", "testdata/rules/BKP002/fail"]);
    let text = stdout(&out);
    assert!(
        text.contains("testdata/rules/BKP002/fail/backup.yaml:3:7: BKP002 kind `backup` is not `Backup`"),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("<release>: BKP001")));
}

#[test]
fn fail_on_error_ignores_warnings() {
    let dir = "testdata/rules/BKP005/fail";
    assert_eq!(code(&run(&["check", dir])), 1);
    assert_eq!(code(&run(&["check", "--fail-on", "error", dir])), 0);
}

#[test]
fn select_and_ignore_take_ids_and_prefixes() {
    let dir = "testdata/rules/BKP004/fail";
    let only5 = rules_in(&json(&run(&["check", "--format", "json", "--select", "BKP005", dir])));
    assert!(!only5.is_empty() && only5.iter().all(|r| r == "BKP005"));
    // The fixture's `onError: continue` is also a HOOK003 finding.
    let none = rules_in(&json(&run(&[
        "check", "--format", "json", "--ignore", "BKP", "--ignore", "HOOK", dir,
    ])));
    assert!(none.is_empty());
    let bad = run(&["check", "--select", "NOPE", dir]);
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("`NOPE` matches no snaplint rule"));
}

#[test]
fn config_is_discovered_and_applied() {
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/rules/BKP004/fail"));
    std::fs::write(
        dir.join(".snaplint.yaml"),
        "ignore: [BKP005, HOOK003]\nseverity:\n  BKP004: info\n",
    )
    .unwrap();
    let report = json(&run_in(&dir, &["check", "--format", "json"]));
    let rules = rules_in(&report);
    assert!(rules.iter().all(|r| r == "BKP004"), "{rules:?}");
    assert!(
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["severity"] == "info")
    );
    // --no-config brings them back.
    let all = rules_in(&json(&run_in(&dir, &["check", "--format", "json", "--no-config"])));
    assert!(all.iter().any(|r| r == "BKP005"));
}

#[test]
fn per_file_ignores_and_exclude() {
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/rules/BKP002/fail"));
    std::fs::write(
        dir.join(".snaplint.yaml"),
        "exclude: [backup-db.yaml]\nper-file-ignores:\n  backup.yaml: [BKP002]\n",
    )
    .unwrap();
    let rules = rules_in(&json(&run_in(&dir, &["check", "--format", "json", "."])));
    assert_eq!(rules, ["BKP001"]);
}

#[test]
fn invalid_config_is_exit_2_with_file_line_and_reason() {
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/releases/sample"));
    std::fs::write(dir.join(".snaplint.yaml"), "select: [BKP]\nignor: [VOL]\n").unwrap();
    let out = run_in(&dir, &["check"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains(".snaplint.yaml:2:1: unknown key `ignor` (did you mean `ignore`?)"),
        "{err}"
    );
    std::fs::write(dir.join(".snaplint.yaml"), "severity:\n  BKP001: loud\n").unwrap();
    let err = stderr(&run_in(&dir, &["check"]));
    assert!(err.contains(".snaplint.yaml:2:11:"), "{err}");
}

#[test]
fn inline_suppressions_and_unknown_ids() {
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/rules/BKP005/fail"));
    let path = dir.join("backup.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace("  storageLocation:", "  # snaplint-ignore: BKP005\n  storageLocation:");
    let text = format!("# snaplint-ignore-file: backup-field-managed-by-kotz\n{text}");
    std::fs::write(&path, text).unwrap();
    let report = json(&run_in(&dir, &["check", "--format", "json"]));
    let msgs: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert!(!msgs.iter().any(|m| m.contains("storageLocation")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("spec.ttl")));
    let sup: Vec<_> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "SUP001")
        .collect();
    assert_eq!(sup.len(), 1);
    assert_eq!(sup[0]["line"], 1);
    assert_eq!(sup[0]["column"], 25);
}

#[test]
fn fix_creates_a_backup_that_relints_clean_and_diff_writes_nothing() {
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/releases/no-backup"));
    let diff = run_in(&dir, &["check", "--diff"]);
    assert_eq!(code(&diff), 1);
    assert!(stdout(&diff).contains("+kind: Backup"));
    assert!(!dir.join("backup.yaml").exists(), "--diff wrote a file");
    let fixed = run_in(&dir, &["check", "--fix"]);
    assert_eq!(code(&fixed), 0, "{}{}", stdout(&fixed), stderr(&fixed));
    assert!(stderr(&fixed).contains("Applied 1 fix"));
    assert!(dir.join("backup.yaml").exists());
    assert_eq!(code(&run_in(&dir, &["check"])), 0);
    // A second --fix changes nothing.
    assert!(stderr(&run_in(&dir, &["check", "--fix"])).contains("Applied 0 fixes"));
}

#[test]
fn stdin_stream_attributes_findings_to_source_paths() {
    use std::io::Write;
    let stream = "---\n# Source: app/templates/backup.yaml\napiVersion: velero.io/v1\nkind: backup\nmetadata:\n  name: b\n---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\n";
    let mut child = bin()
        .args(["check", "--format", "concise", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stream.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        stdout(&out).contains("app/templates/backup.yaml:4:7: BKP002"),
        "{}",
        stdout(&out)
    );
    assert_eq!(code(&run(&["check", "--fix", "-"])), 2);
}

#[test]
fn rules_and_explain() {
    let table = stdout(&run(&["rules"]));
    assert!(table.contains("BKP001") && table.contains("backup-manifest-missing"));
    let list: serde_json::Value = serde_json::from_str(&stdout(&run(&["rules", "--format", "json"]))).unwrap();
    assert!(list.as_array().unwrap().len() >= 7);
    let by_name = stdout(&run(&["explain", "backup-manifest-missing"]));
    assert!(by_name.starts_with("# BKP001 (backup-manifest-missing)"));
    assert!(by_name.contains("https://docs.replicated.com/"));
    let missing = run(&["explain", "NOPE001"]);
    assert_eq!(code(&missing), 2);
}

#[test]
fn user_rule_files_reuse_built_in_checks() {
    let tmp = tempfile::tempdir().unwrap();
    let rule = "id: ACME001\nname: acme-no-ttl\nseverity: error\ncategory: backup\nsummary: Acme releases leave retention to the customer.\ncheck: backup-kots-managed-fields\nparams:\n  fields:\n    - path: spec.ttl\n      reason: Acme policy is to leave retention to the customer.\nfix: none\nexplain: |\n  Internal policy; see https://wiki.example.com/acme/backups\n";
    std::fs::write(tmp.path().join("ACME001.yaml"), rule).unwrap();
    let dir = tmp.path().to_str().unwrap();
    let out = run(&[
        "check",
        "--no-config",
        "--rules",
        dir,
        "--select",
        "ACME",
        "--format",
        "concise",
        "testdata/rules/BKP005/fail",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains("ACME001 `spec.ttl` is set: Acme policy is to leave retention to the customer."),
        "{text}"
    );

    std::fs::write(
        tmp.path().join("ACME002.yaml"),
        rule.replace("ACME001", "ACME002")
            .replace("acme-no-ttl", "acme-2")
            .replace("backup-kots-managed-fields", "no-such-check"),
    )
    .unwrap();
    let bad = run(&["check", "--rules", dir, "testdata/releases/sample"]);
    assert_eq!(code(&bad), 2);
    assert!(
        stderr(&bad).contains("ACME002.yaml: unknown check `no-such-check`"),
        "{}",
        stderr(&bad)
    );

    std::fs::write(
        tmp.path().join("ACME002.yaml"),
        rule.replace("ACME001", "BKP005").replace("acme-no-ttl", "acme-2"),
    )
    .unwrap();
    let clash = run(&["check", "--rules", dir, "testdata/releases/sample"]);
    assert_eq!(code(&clash), 2);
    assert!(
        stderr(&clash).contains("rule `BKP005` (acme-2) already exists"),
        "{}",
        stderr(&clash)
    );
}

#[test]
fn schema_prints_the_bundled_schemas() {
    for (name, file) in [
        ("config", "config.schema.json"),
        ("report", "report.schema.json"),
        ("backup", "backup.schema.json"),
    ] {
        let out = run(&["schema", name]);
        assert_eq!(code(&out), 0);
        assert_eq!(
            stdout(&out),
            std::fs::read_to_string(manifest_dir().join("schemas").join(file)).unwrap()
        );
    }
    assert_eq!(code(&run(&["schema", "nope"])), 2);
}
