//! `snaplint compat` on both sides of every row boundary of the KOTS table, for Velero 1.17/1.18
//! around KOTS 1.130.7, for 1.19 and for Velero older than 1.11.0.

mod common;

use common::*;

/// Exit code of `snaplint compat --kots K --velero V`.
fn compat(kots: &str, velero: &str) -> i32 {
    code(&run(&["compat", "--kots", kots, "--velero", velero]))
}

fn verdict(kots: &str, velero: &str, k8s: Option<&str>) -> serde_json::Value {
    let mut args = vec!["compat", "--format", "json", "--kots", kots, "--velero", velero];
    if let Some(k) = k8s {
        args.extend(["--kubernetes", k]);
    }
    json(&run(&args))
}

const SUPPORTED: i32 = 0;
const NOT: i32 = 1;

#[test]
fn row_1_117_3() {
    assert_eq!(compat("1.117.2", "1.11.0"), NOT, "older than every row");
    assert_eq!(compat("1.117.3", "1.11.0"), SUPPORTED);
    assert_eq!(compat("1.117.3", "1.14.1"), SUPPORTED);
    assert_eq!(compat("1.117.3", "1.14.2"), NOT);
}

#[test]
fn row_1_123_1() {
    assert_eq!(compat("1.123.0", "1.15.1"), NOT, "1.123.0 is still on the 1.117.3 row");
    assert_eq!(compat("1.123.0", "1.14.1"), SUPPORTED);
    assert_eq!(compat("1.123.1", "1.15.1"), SUPPORTED);
    assert_eq!(compat("1.123.1", "1.15.2"), NOT);
}

#[test]
fn row_1_124_0() {
    assert_eq!(compat("1.123.9", "1.15.2"), NOT);
    assert_eq!(compat("1.124.0", "1.15.2"), SUPPORTED);
    assert_eq!(compat("1.124.0", "1.16.0"), NOT);
}

#[test]
fn row_1_124_18() {
    assert_eq!(compat("1.124.17", "1.16.0"), NOT);
    assert_eq!(compat("1.124.18", "1.16.0"), SUPPORTED);
    assert_eq!(compat("1.124.18", "1.16.1"), NOT);
}

#[test]
fn row_1_125_0() {
    assert_eq!(compat("1.124.99", "1.16.1"), NOT);
    assert_eq!(compat("1.125.0", "1.16.1"), SUPPORTED);
    assert_eq!(compat("1.125.0", "1.16.2"), NOT);
}

#[test]
fn row_1_125_2() {
    assert_eq!(compat("1.125.1", "1.16.2"), NOT);
    assert_eq!(compat("1.125.2", "1.16.2"), SUPPORTED);
    assert_eq!(compat("1.125.2", "1.16.3"), NOT);
}

#[test]
fn row_1_130_7_and_velero_1_17_1_18() {
    assert_eq!(compat("1.130.6", "1.17.0"), NOT);
    assert_eq!(compat("1.130.6", "1.18.1"), NOT);
    assert_eq!(compat("1.130.6", "1.16.2"), SUPPORTED);
    assert_eq!(compat("1.130.7", "1.17.0"), SUPPORTED);
    assert_eq!(compat("1.130.7", "1.18.0"), SUPPORTED);
    assert_eq!(compat("1.130.7", "1.18.9"), SUPPORTED, "1.18.x means every 1.18 patch");
    assert_eq!(compat("1.131.0", "1.18.1"), SUPPORTED);
    let v = verdict("1.125.2", "1.17.0", None);
    assert_eq!(v["oldest_kots_for_velero"], "1.130.7");
    assert_eq!(v["velero_for_kots"], "1.11.0 to 1.16.2");
    assert_eq!(v["uploader"], "kopia");
}

#[test]
fn velero_1_19_is_never_supported() {
    assert_eq!(compat("1.130.7", "1.19.0"), NOT);
    assert_eq!(compat("1.200.0", "1.19.0"), NOT);
    let v = verdict("1.130.7", "1.19.0", None);
    assert_eq!(v["oldest_kots_for_velero"], serde_json::Value::Null);
    let text = stdout(&run(&["compat", "--kots", "1.130.7", "--velero", "1.19.0"]));
    assert!(text.contains("no KOTS version supports Velero 1.19.0"), "{text}");
}

#[test]
fn velero_older_than_1_11_is_never_supported() {
    assert_eq!(compat("1.117.3", "1.10.3"), NOT);
    assert_eq!(compat("1.130.7", "1.10.0"), NOT);
    assert_eq!(compat("1.130.7", "1.11.0"), SUPPORTED);
}

#[test]
fn kubernetes_tested_or_not() {
    let ok = run(&[
        "compat",
        "--kots",
        "1.124.5",
        "--velero",
        "1.15.0",
        "--kubernetes",
        "1.30.4",
    ]);
    assert_eq!(code(&ok), SUPPORTED, "{}", stdout(&ok));
    let v = verdict("1.124.5", "1.15.0", Some("1.30.9"));
    assert_eq!(v["kubernetes_tested"], "same-minor");
    assert_eq!(v["supported"], true);
    let v = verdict("1.124.5", "1.15.0", Some("1.33.0"));
    assert_eq!(v["kubernetes_tested"], "no");
    assert_eq!(v["supported"], false);
}

#[test]
fn table_and_usage() {
    let t = run(&["compat", "--table"]);
    assert_eq!(code(&t), 0);
    assert!(
        stdout(&t).contains("1.130.7 and later   1.11.0 to 1.18.x"),
        "{}",
        stdout(&t)
    );
    let j = json(&run(&["compat", "--table", "--format", "json"]));
    assert_eq!(j["kots"].as_array().map(Vec::len), Some(7));
    assert_eq!(code(&run(&["compat", "--kots", "1.125"])), 2);
    assert_eq!(code(&run(&["compat", "--kots", "one", "--velero", "1.15.0"])), 2);
    assert_eq!(code(&run(&["compat"])), 2);
}

#[test]
fn check_version_flags_reach_the_rules() {
    let clean = run(&["check", "--no-config", "--format", "json", "testdata/releases/sample"]);
    assert_eq!(code(&clean), 0, "{}", stdout(&clean));
    let out = run(&[
        "check",
        "--no-config",
        "--format",
        "json",
        "testdata/releases/sample",
        "--kots-version",
        "1.125.2",
        "--velero-version",
        "1.17.0",
        "--kubernetes-version",
        "1.29.0",
    ]);
    let fired = rules_in(&json(&out));
    assert!(fired.contains(&"VER001".to_owned()), "{fired:?}");
    assert!(fired.contains(&"VER002".to_owned()), "{fired:?}");
    let bad = run(&[
        "check",
        "--no-config",
        "testdata/releases/sample",
        "--velero-version",
        "1.17",
    ]);
    assert_eq!(code(&bad), 2);
}
