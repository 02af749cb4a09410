//! A release mixing correct annotation hooks, correct spec hooks and every hook mistake:
//! exactly the mistakes are reported, at their line and column; `--fix` then
//! `--fix --unsafe-fixes` leave only the unfixable ones, keep every comment, and a second run
//! changes nothing.

mod common;

use common::*;

const RELEASE: &str = "testdata/releases/hooks";

/// (file, line:col, rule) of every finding, in report order.
fn findings(dir: &std::path::Path) -> Vec<String> {
    let out = run_in(dir, &["check", "--no-config", "--format", "concise", "."]);
    assert_ne!(code(&out), 2, "{}", stderr(&out));
    stdout(&out)
        .lines()
        .filter_map(|l| {
            let (loc, rest) = l.split_once(": ")?;
            let rule = rest.split_whitespace().next()?;
            Some(format!("{} {rule}", loc.trim_start_matches("./")))
        })
        .collect()
}

const UNFIXABLE: &[&str] = &[
    "backup.yaml:38:26 HOOK005",
    "backup.yaml:41:9 HOOK006",
    "backup.yaml:53:24 HOOK010",
    "cache.yaml:18:44 HOOK004",
    "cache.yaml:19:46 HOOK008",
    "cache.yaml:21:46 HOOK001",
    "postgres.yaml:26:9 HOOK009",
    "restore.yaml:16:24 HOOK012",
    "restore.yaml:18:28 RST003",
    "restore.yaml:22:19 RST003",
];

#[test]
fn mixed_release_reports_exactly_the_mistakes() {
    let (_tmp, dir) = copy_dir(&manifest_dir().join(RELEASE));
    let mut expected = vec![
        "backup.yaml:31:24 HOOK002",
        "cache.yaml:6:5 HOOK007",
        "postgres.yaml:23:46 HOOK002",
        "postgres.yaml:24:47 HOOK003",
        "postgres.yaml:25:9 HOOK009",
        "restore.yaml:17:24 RST003",
    ];
    expected.extend(UNFIXABLE);
    expected.sort();
    let mut got = findings(&dir);
    got.sort();
    assert_eq!(got, expected);
}

fn comments(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| {
            l.find(" #")
                .map(|i| l[i + 1..].trim())
                .or_else(|| l.trim_start().starts_with('#').then(|| l.trim()))
        })
        .collect()
}

fn read_all(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn safe_then_unsafe_fixes_leave_only_the_unfixable_mistakes() {
    let (_tmp, dir) = copy_dir(&manifest_dir().join(RELEASE));
    let before = read_all(&dir);

    let out = run_in(&dir, &["check", "--no-config", "--fix", "."]);
    assert_ne!(code(&out), 2, "{}", stderr(&out));
    let mut after_safe: Vec<String> = findings(&dir);
    after_safe.sort();
    let mut expected: Vec<String> = UNFIXABLE.iter().map(|s| (*s).to_owned()).collect();
    // The unsafe HOOK002 and HOOK003 fixes wait for --unsafe-fixes. HOOK007's move shifts the lines of
    // cache.yaml, so compare (file, rule) after fixing.
    let ids = |v: &[String]| {
        let mut ids: Vec<String> = v
            .iter()
            .map(|s| {
                let (loc, rule) = s.split_once(' ').unwrap();
                format!("{} {rule}", loc.split(':').next().unwrap())
            })
            .collect();
        ids.sort();
        ids
    };
    expected.push("backup.yaml:31:24 HOOK002".into());
    expected.push("postgres.yaml:23:46 HOOK002".into());
    expected.push("postgres.yaml:24:47 HOOK003".into());
    assert_eq!(ids(&after_safe), ids(&expected), "after --fix: {after_safe:?}");

    let out = run_in(&dir, &["check", "--no-config", "--fix", "--unsafe-fixes", "."]);
    assert_ne!(code(&out), 2, "{}", stderr(&out));
    let after = findings(&dir);
    let mut unfixable: Vec<String> = UNFIXABLE.iter().map(|s| (*s).to_owned()).collect();
    // Once HOOK002's fix runs the restore command through a shell, it is a psql call that does
    // not wait for the database (HOOK017, which has no fix).
    unfixable.push("postgres.yaml:23:46 HOOK017".into());
    assert_eq!(ids(&after), ids(&unfixable), "after --unsafe-fixes: {after:?}");

    let fixed = read_all(&dir);
    for ((name, old), (_, new)) in before.iter().zip(&fixed) {
        for c in comments(old) {
            assert!(new.contains(c), "comment `{c}` lost from {name}:\n{new}");
        }
    }
    let postgres = &fixed.iter().find(|(n, _)| n == "postgres.yaml").unwrap().1;
    assert!(postgres.contains(
        r#"post.hook.restore.velero.io/command: '["/bin/sh", "-c", "psql -U app -d app -f /scratch/backup.sql"]'"#
    ));
    assert!(postgres.contains("post.hook.restore.velero.io/on-error: Continue"));
    assert!(postgres.contains("post.hook.restore.velero.io/exec-timeout: 2m"));
    let cache = &fixed.iter().find(|(n, _)| n == "cache.yaml").unwrap().1;
    assert!(cache.contains("        pre.hook.backup.velero.io/on-error: Fail # stop the backup when the save fails"));
    let backup = &fixed.iter().find(|(n, _)| n == "backup.yaml").unwrap().1;
    assert!(backup.contains(r#"command: ["/bin/sh", "-c", "redis-cli save > /dev/null"] # no shell"#));

    let again = run_in(&dir, &["check", "--no-config", "--fix", "--unsafe-fixes", "."]);
    assert!(stderr(&again).contains("Applied 0 fixes"), "{}", stderr(&again));
    assert_eq!(fixed, read_all(&dir), "second --fix changed files");
}

#[test]
fn hook_rules_are_quiet_on_the_sample_release() {
    let out = run(&["check", "--no-config", "--select", "HOOK", "testdata/releases/sample"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}
