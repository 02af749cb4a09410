//! Issue 13's combined release: every second-wave mistake in one release, and exactly those
//! reported, each at its file, line and column.

mod common;

use common::*;

const RELEASE: &str = "testdata/releases/second-wave";

/// (rule, file, line, column) of every finding.
fn findings(dir: &std::path::Path) -> Vec<(String, String, u64, u64)> {
    let out = run_in(dir, &["check", "--no-config", "--format", "json", "."]);
    assert_ne!(code(&out), 2, "{}", stderr(&out));
    let report = json(&out);
    let mut got: Vec<_> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap_or("<release>").trim_start_matches("./");
            (
                d["rule"].as_str().unwrap_or_default().to_owned(),
                file.to_owned(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    got.sort();
    got
}

#[test]
fn second_wave_release_reports_exactly_its_mistakes() {
    let mut expected: Vec<(String, String, u64, u64)> = [
        ("BKP009", "backup.yaml", 6, 3),
        ("BKP006", "backup.yaml", 11, 7),
        // `acme-jobs`: nothing in the release creates it or installs into it (Velero 1.14.0).
        ("BKP011", "backup.yaml", 9, 7),
        // `labelSelector` and `includeClusterResources` (the BKP007 and BKP008 mistakes) are
        // fields KOTS drops from full backups: BKP005 always reports them too.
        ("BKP005", "backup.yaml", 12, 3),
        ("BKP007", "backup.yaml", 15, 3),
        ("BKP005", "backup.yaml", 18, 3),
        ("BKP008", "backup.yaml", 19, 3),
        ("HOOK012", "backup.yaml", 31, 24),
        ("KOTS003", "chart.yaml", 5, 9),
        ("VOL009", "ledger.yaml", 15, 42),
        ("KOTS001", "minio.yaml", 18, 18),
        ("KOTS005", "postgres.yaml", 5, 14),
        ("VOL008", "postgres.yaml", 16, 55),
        ("VOL010", "cache.yaml", 14, 9),
        ("KOTS004", "postgres.yaml", 42, 27),
        ("RST002", "restore.yaml", 6, 15),
        ("RST003", "restore.yaml", 17, 24),
        ("RST003", "restore.yaml", 20, 19),
        ("VOL011", "storage.yaml", 13, 5),
        ("HOOK013", "storage.yaml", 26, 5),
    ]
    .into_iter()
    .map(|(r, f, l, c)| (r.to_owned(), f.to_owned(), l, c))
    .collect();
    expected.sort();
    let (_tmp, dir) = copy_dir(&manifest_dir().join(RELEASE));
    assert_eq!(findings(&dir), expected);
}

/// RST001 needs a release without a Backup, which would silence every Backup rule above: it
/// is checked on the same release's Restore alone.
#[test]
fn its_restore_alone_is_a_restore_without_backup() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        manifest_dir().join(RELEASE).join("restore.yaml"),
        tmp.path().join("restore.yaml"),
    )
    .unwrap();
    let got = findings(tmp.path());
    assert!(
        got.contains(&("RST001".to_owned(), "restore.yaml".to_owned(), 2, 7)),
        "{got:?}"
    );
    assert!(got.iter().any(|(r, ..)| r == "BKP001"), "{got:?}");
}
