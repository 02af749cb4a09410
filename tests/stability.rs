//! Output does not depend on scheduling: a generated 1,000-workload release gives byte-identical
//! reports across runs and thread counts.

mod common;
#[path = "support/generate.rs"]
mod generate;

use common::*;

#[test]
fn output_is_identical_between_runs_and_thread_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let g = generate::generate(tmp.path(), 1_000, true).unwrap();
    assert_eq!((g.workloads, g.files), (1_000, 103));
    assert!(g.bytes > 1_000_000);
    let report = |threads: &str| {
        let out = bin()
            .env("RAYON_NUM_THREADS", threads)
            .args(["check", "--no-config", "--format", "json"])
            .arg(tmp.path())
            .output()
            .unwrap();
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        out.stdout
    };
    let first = report("2");
    let parsed: serde_json::Value = serde_json::from_slice(&first).unwrap();
    assert!(g.mistakes > 300);
    assert_eq!(parsed["diagnostics"].as_array().unwrap().len(), g.mistakes);
    assert_eq!(first, report("2"));
    assert_eq!(first, report("1"));
    assert_eq!(first, report("4"));
}
