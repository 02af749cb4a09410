//! SARIF (validated against the official 2.1.0 schema), GitHub annotations, GitLab Code Quality,
//! Markdown, and `--output`.

mod common;

use common::*;

const BROKEN: &str = "testdata/rules/BKP002/fail";

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    // The official schema's `language` patterns have a stray `]` that ECMA-262 regexes accept as
    // a literal but the Rust regex engine rejects when the meta-schema checks `format: regex`;
    // escape just that character (snaplint never emits `language`).
    let text = include_str!("../schemas/sarif-2.1.0.schema.json").replace("{2}]?$", "{2}\\\\]?$");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for dir in [
        BROKEN,
        "testdata/rules/BKP004/fail",
        "testdata/releases/no-backup",
        "testdata/releases/sample",
    ] {
        let out = run(&["check", "--format", "sarif", dir]);
        let log = json(&out);
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{dir}: {errors:?}");
        if let Some(first) = log.pointer("/runs/0/results/0/locations/0/physicalLocation/region/startLine") {
            // The validation has teeth: a 0 line is rejected.
            let mut broken = log.clone();
            *broken
                .pointer_mut("/runs/0/results/0/locations/0/physicalLocation/region/startLine")
                .unwrap() = 0.into();
            assert!(
                validator.iter_errors(&broken).next().is_some(),
                "startLine 0 (was {first}) accepted"
            );
        }
        let run0 = &log["runs"][0];
        assert!(run0["results"].is_array(), "results must be present even when empty");
        for r in run0["results"].as_array().unwrap() {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            assert!(region["startLine"].as_u64().unwrap() >= 1);
            let idx = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(run0["tool"]["driver"]["rules"][idx]["id"], r["ruleId"]);
        }
    }
}

#[test]
fn sarif_result_has_region_fix_and_fingerprint() {
    let log = json(&run(&["check", "--format", "sarif", BROKEN]));
    let results = log["runs"][0]["results"].as_array().unwrap();
    let kind = results
        .iter()
        .find(|r| r["message"]["text"].as_str().unwrap().starts_with("kind `backup`"))
        .unwrap();
    assert_eq!(
        kind["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/rules/BKP002/fail/backup.yaml"
    );
    assert_eq!(
        kind["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 3, "startColumn": 7, "endLine": 3, "endColumn": 13})
    );
    assert_eq!(
        kind["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"],
        "Backup"
    );
    assert!(kind["partialFingerprints"]["snaplintFingerprint/v1"].is_string());
}

#[test]
fn fingerprints_survive_unrelated_edits() {
    let prints = |dir: &std::path::Path| -> Vec<String> {
        let log = json(&run_in(dir, &["check", "--format", "sarif", "."]));
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["snaplintFingerprint/v1"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    let (_tmp, dir) = copy_dir(&manifest_dir().join(BROKEN));
    let before = prints(&dir);
    let path = dir.join("backup.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("# a comment added above\n# and another\n{text}")).unwrap();
    let after = prints(&dir);
    assert_eq!(before, after);
    let mut unique = after.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), after.len(), "fingerprints must be distinct");
}

#[test]
fn github_annotations_snapshot() {
    insta::assert_snapshot!(stdout(&run(&[
        "check",
        "--format",
        "github",
        BROKEN,
        "testdata/rules/BKP005/fail"
    ])));
}

#[test]
fn gitlab_code_quality_snapshot() {
    let out = run(&["check", "--format", "gitlab", BROKEN]);
    let issues = json(&out);
    for i in issues.as_array().unwrap() {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(i[key].is_string(), "{key} missing in {i}");
        }
        assert!(i["location"]["path"].is_string() && i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
    }
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!(stdout(&run(&["check", "--format", "markdown", BROKEN])));
}

#[test]
fn output_writes_a_second_format_to_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let sarif = tmp.path().join("out.sarif");
    let md = tmp.path().join("summary.md");
    let out = run(&[
        "check",
        "--format",
        "concise",
        "--output",
        &format!("sarif={}", sarif.display()),
        "--output",
        &format!("markdown={}", md.display()),
        BROKEN,
    ]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("BKP002"), "terminal keeps --format");
    let log: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(std::fs::read_to_string(&md).unwrap().contains("| BKP002 | error |"));
    let bad = run(&["check", "--output", "xml=x", BROKEN]);
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("unknown format `xml`"));
}

/// GitHub shows at most 10 error, 10 warning and 10 notice annotations per step: with hundreds
/// of findings, the most severe come first, 10 of each kind, the rest are plain log lines, and
/// one notice (of the 10) says how many more there are.
#[test]
fn github_annotations_stay_within_the_per_step_limits() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = manifest_dir().join("testdata/fix-styles/many-claims");
    std::fs::copy(src.join("backup.yaml"), tmp.path().join("backup.yaml")).expect("copy");
    let deployment = std::fs::read_to_string(src.join("deployment.yaml")).expect("read");
    for i in 0..25 {
        // 12 warnings each; a misspelled kind on every other one adds errors.
        let text = deployment.replace("name: web\n", &format!("name: web{i}\n"));
        let text = if i % 2 == 0 {
            format!("{text}---\napiVersion: velero.io/v1\nkind: Backups\nmetadata:\n  name: b{i}\n")
        } else {
            text
        };
        std::fs::write(tmp.path().join(format!("d{i}.yaml")), text).expect("write");
    }
    let dir = tmp.path().to_str().expect("utf-8");
    let total = json(&run(&["check", "--no-config", "--format", "json", dir]))["diagnostics"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(total > 300, "{total} findings");
    let out = stdout(&run(&["check", "--no-config", "--format", "github", dir]));
    let count = |kind: &str| out.lines().filter(|l| l.starts_with(&format!("::{kind} "))).count();
    assert_eq!(
        (count("error"), count("warning"), count("notice")),
        (10, 10, 1),
        "{out}"
    );
    let first_warning = out.find("::warning ").expect("a warning");
    assert!(
        out.rfind("::error ").expect("an error") < first_warning,
        "errors come first"
    );
    let note = out.lines().last().expect("the note");
    assert!(
        note.starts_with("::notice title=snaplint::") && note.contains(&format!("{} more findings", total - 20)),
        "{note}"
    );
    assert_eq!(out.lines().count(), total + 1, "every finding is in the log");
}
