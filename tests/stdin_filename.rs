//! `check --stdin-filename PATH -`, as editors call it (ALE, nvim-lint, flycheck, none-ls): the
//! unsaved buffer on stdin stands for PATH, the rest of the release comes from disk, only PATH's
//! findings are printed, and `--fix` prints the fixed text without touching the disk.

mod common;

use std::io::Write as _;
use std::path::Path;
use std::process::{Output, Stdio};

use common::*;

fn with_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut c = bin();
    c.current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn snaplint");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("snaplint ran")
}

const FILE: &str = "postgres-statefulset.yaml";

fn sample() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let (tmp, dir) = copy_dir(&manifest_dir().join("testdata/releases/sample"));
    let text = std::fs::read_to_string(dir.join(FILE)).expect("read");
    (tmp, dir, text)
}

#[test]
fn the_buffer_is_linted_with_its_release_from_disk() {
    let (_tmp, dir, text) = sample();
    let buffer = text.replace("backup-volumes: data", "backup-volumes: dta");
    let out = with_stdin(
        &dir,
        &["check", "--format", "json", "--stdin-filename", FILE, "-"],
        &buffer,
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report = json(&out);
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
    // The Backup is on disk beside it: no "no Backup in the release".
    assert!(diagnostics.iter().all(|d| d["rule"] != "BKP001"), "{report}");
    assert!(diagnostics.iter().any(|d| d["rule"] == "VOL002"), "{report}");
    assert!(
        diagnostics
            .iter()
            .all(|d| d["file"].as_str().is_some_and(|f| f.ends_with(FILE))),
        "{report}"
    );
    // The saved text is clean.
    let out = with_stdin(&dir, &["check", "--stdin-filename", FILE, "-"], &text);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

#[test]
fn findings_in_other_files_are_not_printed() {
    let (_tmp, dir, text) = sample();
    let broken = manifest_dir().join("testdata/rules/VOL003/fail/deployment.yaml");
    std::fs::copy(broken, dir.join("web-deployment.yaml")).expect("copy");
    let whole = run_in(&dir, &["check", "--format", "concise", "."]);
    assert!(
        stdout(&whole).contains("web-deployment.yaml"),
        "the other file has a finding: {}",
        stdout(&whole)
    );
    let out = with_stdin(
        &dir,
        &["check", "--format", "concise", "--stdin-filename", FILE, "-"],
        &text,
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(!stdout(&out).contains("web-deployment.yaml"), "{}", stdout(&out));
}

#[test]
fn fix_prints_the_fixed_buffer_and_writes_nothing() {
    let (_tmp, dir, text) = sample();
    let buffer = text.replace("backup-volumes: data", "backup-volumes: dta");
    let out = with_stdin(&dir, &["check", "--fix", "--stdin-filename", FILE, "-"], &buffer);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), text, "the fixed buffer");
    assert_eq!(
        std::fs::read_to_string(dir.join(FILE)).expect("read"),
        text,
        "the file on disk is untouched"
    );
    assert!(stderr(&out).contains("0 findings remain"), "{}", stderr(&out));
}

#[test]
fn a_new_unsaved_file_joins_the_release() {
    let (_tmp, dir, text) = sample();
    let out = with_stdin(
        &dir,
        &["check", "--format", "concise", "--stdin-filename", "new-db.yaml", "-"],
        &text
            .replace("name: postgres\n", "name: postgres2\n")
            .replace("backup-volumes: data", "backup-volumes: dta"),
    );
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("new-db.yaml") && stdout(&out).contains("VOL002"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn stdin_filename_needs_stdin() {
    let out = run(&["check", "--stdin-filename", "x.yaml", "testdata/releases/sample"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("give `-` as the only path"), "{}", stderr(&out));
}
