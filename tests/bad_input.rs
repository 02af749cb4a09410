//! Bad input: a clear message naming the file, never a panic; exit 2 only for usage and I/O.

mod common;

use common::*;

fn release_with(name: &str, bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = copy_dir(&manifest_dir().join("testdata/releases/sample"));
    std::fs::write(dir.join(name), bytes).unwrap();
    (tmp, dir)
}

fn concise(dir: &std::path::Path) -> (i32, String, String) {
    let out = run_in(dir, &["check", "--format", "concise", "."]);
    (code(&out), stdout(&out), stderr(&out))
}

#[test]
fn invalid_yaml_is_parse001_at_the_error() {
    let (_t, dir) = release_with(
        "broken.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   bad: indent\n",
    );
    let (c, out, err) = concise(&dir);
    assert_eq!(c, 1, "{err}");
    assert!(out.starts_with("broken.yaml:5:7: PARSE001 invalid YAML"), "{out}");
}

#[test]
fn empty_file_and_comment_only_file_are_fine() {
    let (_t, dir) = release_with("empty.yaml", b"");
    std::fs::write(dir.join("comments.yaml"), "# nothing here\n---\n").unwrap();
    assert_eq!(concise(&dir).0, 0);
}

#[test]
fn binary_file_is_named() {
    let (_t, dir) = release_with("logo.yaml", &[0x89, b'P', b'N', b'G', 0, 0, 0, 13]);
    let (c, out, _) = concise(&dir);
    assert_eq!(c, 1);
    assert!(out.contains("logo.yaml:1:1: PARSE001 binary file"), "{out}");
}

#[test]
fn non_utf8_file_is_named() {
    let (_t, dir) = release_with("latin1.yaml", b"a: caf\xe9\n");
    let (_, out, _) = concise(&dir);
    assert!(
        out.contains("latin1.yaml:1:1: PARSE001 not valid UTF-8 (invalid byte at offset 6)"),
        "{out}"
    );
}

#[test]
fn file_one_byte_over_the_limit_is_reported_not_read() {
    let (_t, dir) = release_with("huge.yaml", b"");
    // Sparse: the size is what counts, and it is checked before reading.
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.join("huge.yaml"))
        .unwrap();
    f.set_len(snaplint::source::MAX_FILE_BYTES as u64 + 1).unwrap();
    drop(f);
    let (_, out, _) = concise(&dir);
    assert!(
        out.contains("huge.yaml:1:1: PARSE001 file is 33554433 bytes, larger than 32 MiB (limits.max-file-size in .snaplint.yaml); not read"),
        "{out}"
    );
}

#[test]
fn deep_nesting_is_parse001() {
    let deep = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let (_t, dir) = release_with("deep.yaml", deep.as_bytes());
    let (c, out, _) = concise(&dir);
    assert_eq!(c, 1);
    assert!(out.contains("deep.yaml:1:") && out.contains("PARSE001"), "{out}");
}

#[test]
fn alias_bomb_is_parse001_quickly() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let (_t, dir) = release_with("bomb.yaml", bomb.as_bytes());
    let start = std::time::Instant::now();
    let (c, out, _) = concise(&dir);
    assert!(start.elapsed().as_secs() < 10);
    assert_eq!(c, 1);
    assert!(
        out.contains("bomb.yaml:1:1: PARSE001 invalid YAML: alias expansion exceeds"),
        "{out}"
    );
}

#[test]
fn missing_path_is_exit_2() {
    let out = run(&["check", "no/such/release"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        "snaplint: error: no/such/release: path does not exist"
    );
}

#[test]
fn directory_without_yaml_is_clean_but_bkp001_free() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("README.md"), "# hi\n").unwrap();
    let out = run_in(tmp.path(), &["check", "--format", "json", "."]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert_eq!(json(&out)["summary"]["files"], 0);
}

// Unreadable files (also when running as root), FIFOs, symlink loops: tests/corpus.rs.

#[test]
fn templates_do_not_cause_parse_errors() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  replicas: {{ .Values.replicas }}\n  template:\n    metadata:\n      annotations:\n{{- if .Values.backup }}\n        backup.velero.io/backup-volumes: 'repl{{ ConfigOption \"vols\" }}'\n{{- end }}\n    spec:\n      containers:\n        - name: web\n          image: {{repl LocalImageName \"nginx\" }}\n";
    let (_t, dir) = release_with("templated.yaml", text.as_bytes());
    let (c, out, _) = concise(&dir);
    assert_eq!(c, 0, "{out}");
}
