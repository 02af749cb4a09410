//! Fix safety: a file changed since it was read is refused, writes stay inside the given paths
//! and never go through a symlink to outside, a read-only file is an error for that file only,
//! line endings and the trailing newline are kept.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use snaplint::fix::WriteError;
use snaplint::lint::{self, Input};
use snaplint::rules::{self, Filter, RunOptions};

/// A Deployment whose backup-volumes annotation is on the workload (VOL003, safe fix: move it
/// to the pod template).
fn fixable() -> String {
    std::fs::read_to_string(manifest_dir().join("testdata/rules/VOL003/fail/deployment.yaml")).unwrap()
}

fn fix_vol003(dir: &Path, paths: &[&str]) -> std::process::Output {
    let mut args = vec![
        "check",
        "--fix",
        "--no-config",
        "--select",
        "VOL003",
        "--format",
        "concise",
    ];
    args.extend(paths);
    run_in(dir, &args)
}

fn is_fixed(text: &str) -> bool {
    // The annotation moved under spec.template.metadata.annotations.
    let at = text.find("backup.velero.io/backup-volumes").unwrap();
    at > text.find("template:").unwrap()
}

#[test]
fn file_changed_between_read_and_write_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("deploy.yaml");
    std::fs::write(&path, fixable()).unwrap();
    let paths = vec![tmp.path().to_path_buf()];
    let release = lint::load(Input::Paths {
        paths: &paths,
        exclude: &globset::GlobSet::empty(),
        base: tmp.path(),
    })
    .unwrap();
    let filter = Filter {
        select: vec!["VOL003".into()],
        ..Filter::default()
    };
    let outcome = lint::fix(
        release,
        rules::builtin().unwrap(),
        &filter,
        &RunOptions::default(),
        false,
    );
    assert_eq!(outcome.changes.len(), 1);
    // Someone edits the file while snaplint works on it.
    std::fs::write(&path, "# edited by a human\n").unwrap();
    let errors: Vec<WriteError> = lint::write_changes(&outcome.changes, &paths)
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    assert_eq!(errors.len(), 1);
    assert!(matches!(errors[0], WriteError::Changed { .. }), "{}", errors[0]);
    assert!(
        errors[0]
            .to_string()
            .ends_with("changed on disk since snaplint read it; not overwritten (run again)")
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# edited by a human\n");
}

#[cfg(unix)]
#[test]
fn symlink_to_outside_is_never_written_through() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    let release = tmp.path().join("release");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::create_dir_all(&release).unwrap();
    std::fs::write(outside.join("deploy.yaml"), fixable()).unwrap();
    std::fs::write(release.join("own.yaml"), fixable().replace("uploads", "own")).unwrap();
    std::os::unix::fs::symlink("../outside/deploy.yaml", release.join("link.yaml")).unwrap();
    let out = fix_vol003(&release, &["."]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("link.yaml: resolves to ")
            && stderr(&out).contains("outside the paths being fixed; not written"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(outside.join("deploy.yaml")).unwrap(), fixable());
    assert!(
        std::fs::symlink_metadata(release.join("link.yaml"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // The release's own file is still fixed.
    assert!(is_fixed(&std::fs::read_to_string(release.join("own.yaml")).unwrap()));
}

#[cfg(unix)]
#[test]
fn symlink_inside_is_written_through_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let release = tmp.path().join("release");
    std::fs::create_dir_all(release.join("real")).unwrap();
    std::fs::write(release.join("real/deploy.yaml"), fixable()).unwrap();
    std::os::unix::fs::symlink("real/deploy.yaml", release.join("a-link.yaml")).unwrap();
    let out = fix_vol003(&release, &["."]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("skipped: the same file as"), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(release.join("a-link.yaml"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(is_fixed(
        &std::fs::read_to_string(release.join("real/deploy.yaml")).unwrap()
    ));
}

#[test]
fn writes_stay_inside_the_given_file() {
    // Given one file, a fix may not create files elsewhere than its directory, and edits land
    // only in that file. Its sibling is not touched.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("a.yaml"), fixable()).unwrap();
    std::fs::write(tmp.path().join("b.yaml"), fixable()).unwrap();
    let out = fix_vol003(tmp.path(), &["a.yaml"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(is_fixed(&std::fs::read_to_string(tmp.path().join("a.yaml")).unwrap()));
    assert_eq!(std::fs::read_to_string(tmp.path().join("b.yaml")).unwrap(), fixable());
    let names: Vec<PathBuf> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[cfg(unix)]
#[test]
fn read_only_file_is_an_error_for_it_alone() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let ro = tmp.path().join("a-readonly.yaml");
    let rw = tmp.path().join("b-writable.yaml");
    std::fs::write(&ro, fixable()).unwrap();
    std::fs::write(&rw, fixable().replace("uploads", "other")).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = fix_vol003(tmp.path(), &["."]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("a-readonly.yaml: read-only file; not overwritten (make it writable to fix it)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&ro).unwrap(), fixable());
    assert_eq!(std::fs::metadata(&ro).unwrap().permissions().mode() & 0o777, 0o444);
    assert!(is_fixed(&std::fs::read_to_string(&rw).unwrap()));
    // The summary is what is on disk: the unwritten file's finding remains, listed.
    assert!(
        stderr(&out).contains("Fixed 1 file; 1 file not written (above); 1 finding remains."),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("a-readonly.yaml"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("b-writable.yaml"), "{}", stdout(&out));
}

#[test]
fn crlf_file_keeps_crlf_and_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let crlf = fixable().replace('\n', "\r\n");
    std::fs::write(tmp.path().join("deploy.yaml"), &crlf).unwrap();
    let check = run_in(
        tmp.path(),
        &["check", "--no-config", "--select", "VOL003", "--format", "concise", "."],
    );
    assert!(
        stdout(&check).starts_with("deploy.yaml:7:5: VOL003"),
        "{}",
        stdout(&check)
    );
    let out = fix_vol003(tmp.path(), &["."]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let fixed = std::fs::read_to_string(tmp.path().join("deploy.yaml")).unwrap();
    assert!(is_fixed(&fixed), "{fixed}");
    let lone_lf = fixed
        .match_indices('\n')
        .filter(|(i, _)| fixed.as_bytes()[i - 1] != b'\r')
        .count();
    assert_eq!(lone_lf, 0, "{fixed:?}");
    assert!(fixed.ends_with("\r\n"));
    // Same result as fixing the LF file, with CRLF.
    let lf = tempfile::tempdir().unwrap();
    std::fs::write(lf.path().join("deploy.yaml"), fixable()).unwrap();
    fix_vol003(lf.path(), &["."]);
    let fixed_lf = std::fs::read_to_string(lf.path().join("deploy.yaml")).unwrap();
    assert_eq!(fixed, fixed_lf.replace('\n', "\r\n"));
}

#[test]
fn trailing_newline_is_kept_or_left_out() {
    for (name, text) in [
        ("with.yaml", fixable()),
        ("without.yaml", fixable().trim_end().to_owned()),
        ("bom.yaml", format!("\u{feff}{}", fixable())),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join(name), &text).unwrap();
        let out = fix_vol003(tmp.path(), &["."]);
        assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
        let fixed = std::fs::read_to_string(tmp.path().join(name)).unwrap();
        assert!(is_fixed(&fixed), "{name}: {fixed}");
        assert_eq!(fixed.ends_with('\n'), text.ends_with('\n'), "{name}: {fixed:?}");
        assert_eq!(fixed.starts_with('\u{feff}'), text.starts_with('\u{feff}'), "{name}");
    }
}
