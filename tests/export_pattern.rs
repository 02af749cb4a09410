//! Replicated's export pattern (`docs/vendor/snapshots-hooks.md`): a pre-backup hook dumps the
//! database into a scratch volume the backup holds, and a restore hook loads it. Then the
//! database's own data volume being left out is intended: at most an info, never a warning.
//! The same release dumping where no backed-up volume is gets reported.

mod common;

use common::*;

fn findings(dir: &str) -> Vec<(String, String)> {
    let out = run(&["check", "--no-config", "--format", "json", dir]);
    json(&out)["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or("").to_owned(),
                d["severity"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_export_pattern_lints_without_warnings() {
    let f = findings("testdata/rules/HOOK014/pass");
    assert_eq!(
        f,
        [("VOL001".to_owned(), "info".to_owned())],
        "the data PVC is covered by the dump"
    );
    let out = run(&[
        "check",
        "--no-config",
        "--fail-on",
        "warning",
        "testdata/rules/HOOK014/pass",
    ]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

#[test]
fn a_dump_outside_every_backed_up_volume_is_reported() {
    let f = findings("testdata/rules/HOOK014/fail");
    assert!(f.iter().any(|(r, s)| r == "HOOK014" && s == "warning"), "{f:?}");
    // With no dump in the backup, the data volume left out is a plain VOL001 warning again.
    assert!(f.iter().any(|(r, s)| r == "VOL001" && s == "warning"), "{f:?}");
}
