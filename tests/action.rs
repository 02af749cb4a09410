//! Runs action.yml's steps as GitHub would (inputs through `env:`, GITHUB_* files), on a broken
//! and a clean release.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value;

fn action() -> Value {
    let text = std::fs::read_to_string(manifest_dir().join("action.yml")).unwrap();
    let docs = snaplint::yaml::parse_stream(&text, &[]);
    let doc = &docs[0];
    snaplint::yaml::to_json(doc.root().unwrap()).unwrap()
}

/// GitHub's `${{ inputs.x }}` in `env:` values, with the action's defaults.
fn expand(value: &str, inputs: &BTreeMap<String, String>) -> String {
    let mut out = value.to_owned();
    for (k, v) in inputs {
        out = out.replace(&format!("${{{{ inputs.{k} }}}}"), v);
    }
    out
}

struct Run {
    code: i32,
    stdout: String,
    summary: String,
    outputs: String,
}

fn run_action(workspace: &Path, given: &[(&str, &str)]) -> Run {
    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_snaplint"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    run_action_in(workspace, given, &path, &[])
}

/// `run_action` with `path` as the runner's PATH and more environment (RUNNER_*, ...). Lines
/// a step appends to GITHUB_PATH come first in the PATH of the steps after it.
fn run_action_in(workspace: &Path, given: &[(&str, &str)], path: &str, env: &[(&str, String)]) -> Run {
    let action = action();
    let mut inputs: BTreeMap<String, String> = action["inputs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v["default"].as_str().unwrap_or("").to_owned()))
        .collect();
    for (k, v) in given {
        assert!(inputs.contains_key(*k), "unknown input {k}");
        inputs.insert((*k).to_owned(), (*v).to_owned());
    }
    let tmp = tempfile::tempdir().unwrap();
    let summary = tmp.path().join("summary.md");
    let outputs = tmp.path().join("outputs");
    let github_path = tmp.path().join("path");
    for f in [&summary, &outputs, &github_path] {
        std::fs::write(f, "").unwrap();
    }
    let mut stdout = String::new();
    let mut code = 0;
    for step in action["runs"]["steps"].as_array().unwrap() {
        // GitHub skips a step without `if:` after a failure; one with `if:` runs when it holds.
        let runs = match step["if"].as_str() {
            None => code == 0,
            Some(cond) => holds(cond, &inputs, &std::fs::read_to_string(&outputs).unwrap()),
        };
        if !runs {
            continue;
        }
        assert_eq!(step["shell"], "bash");
        let script = step["run"].as_str().unwrap();
        let added: Vec<String> = std::fs::read_to_string(&github_path)
            .unwrap()
            .lines()
            .rev()
            .map(str::to_owned)
            .collect();
        let step_path = added.into_iter().chain([path.to_owned()]).collect::<Vec<_>>().join(":");
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script])
            .current_dir(workspace)
            .env("PATH", &step_path)
            .env("GITHUB_PATH", &github_path)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("GITHUB_ACTION_PATH", manifest_dir())
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &outputs)
            .env("NO_COLOR", "1");
        for (k, v) in step["env"].as_object().into_iter().flatten() {
            cmd.env(k, expand(v.as_str().unwrap(), &inputs));
        }
        let out = cmd.output().unwrap();
        stdout.push_str(&String::from_utf8_lossy(&out.stdout));
        stdout.push_str(&String::from_utf8_lossy(&out.stderr));
        // The job's result is the first failure.
        if code == 0 {
            code = out.status.code().unwrap_or(-1);
        }
    }
    Run {
        code,
        stdout,
        summary: std::fs::read_to_string(&summary).unwrap(),
        outputs: std::fs::read_to_string(&outputs).unwrap(),
    }
}

/// The few `if:` terms action.yml uses, joined by `&&`; anything else fails the test so the
/// harness is taught it.
fn holds(cond: &str, inputs: &BTreeMap<String, String>, outputs: &str) -> bool {
    let expr = cond.trim().trim_start_matches("${{").trim_end_matches("}}");
    expr.split("&&").map(str::trim).all(|term| {
        if term == "!cancelled()" {
            return true;
        }
        if let Some(rest) = term.strip_prefix("inputs.") {
            let (name, value) = rest.split_once(" == ").expect("inputs.X == 'v'");
            return inputs[name] == value.trim_matches('\'');
        }
        if let Some(rest) = term.strip_prefix("steps.check.outputs.") {
            let name = rest.strip_suffix(" != ''").expect("steps.check.outputs.X != ''");
            return outputs
                .lines()
                .any(|l| l.split_once('=').is_some_and(|(k, v)| k == name && !v.is_empty()));
        }
        panic!("tests/action.rs cannot evaluate `{term}`")
    })
}

#[test]
fn no_input_is_interpolated_into_run_scripts() {
    for step in action()["runs"]["steps"].as_array().unwrap() {
        assert!(
            !step["run"].as_str().unwrap().contains("${{"),
            "interpolation in run: {step}"
        );
    }
}

#[test]
fn broken_release_annotates_summarises_and_fails() {
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/rules/BKP002/fail"));
    let r = run_action(&dir, &[("sarif-file", "snaplint.sarif")]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "::error file=backup.yaml,line=3,col=7,endLine=3,endColumn=13,title=BKP002 backup-kind-or-api-version::"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("::error title=BKP001 backup-manifest-missing::"),
        "{}",
        r.stdout
    );
    assert!(
        r.summary.contains("| BKP002 | error | `backup.yaml:3:7` |"),
        "{}",
        r.summary
    );
    assert!(
        r.outputs.contains("exit-code=1") && r.outputs.contains("sarif-file=snaplint.sarif"),
        "{}",
        r.outputs
    );
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("snaplint.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn fail_on_and_args_are_passed_through() {
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/rules/BKP005/fail"));
    assert_eq!(run_action(&dir, &[]).code, 1);
    let r = run_action(&dir, &[("fail-on", "error")]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("::warning file=backup.yaml"));
    let r = run_action(&dir, &[("args", "--ignore BKP005")]);
    assert_eq!(r.code, 0);
    assert!(r.summary.contains("No findings"));
}

#[test]
fn clean_release_passes_with_summary() {
    let r = run_action(&manifest_dir(), &[("path", "testdata/releases/sample")]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(r.summary.contains("No findings in 8 files"), "{}", r.summary);
    assert!(r.outputs.contains("exit-code=0"));
}

#[test]
fn version_mismatch_fails_the_install_step() {
    let r = run_action(
        &manifest_dir(),
        &[("path", "testdata/releases/sample"), ("version", "0.0.0-nope")],
    );
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("::error title=snaplint version::wanted 0.0.0-nope"));
}

#[test]
fn plan_goes_into_the_summary_after_the_check() {
    let r = run_action(&manifest_dir(), &[("path", "testdata/releases/sample")]);
    let check = r.summary.find("No findings in 8 files").expect("check summary");
    let plan = r.summary.find("## snaplint plan").expect("plan summary");
    assert!(check < plan, "{}", r.summary);
    assert!(
        r.summary.contains("| StatefulSet/postgres | data | yes |"),
        "{}",
        r.summary
    );
    let r = run_action(
        &manifest_dir(),
        &[("path", "testdata/releases/sample"), ("plan", "false")],
    );
    assert!(!r.summary.contains("snaplint plan"), "{}", r.summary);
}

#[test]
fn plan_runs_after_findings_and_its_failure_does_not_fail_the_job() {
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/rules/BKP002/fail"));
    let r = run_action(&dir, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.summary.contains("KOTS offers no snapshots"), "{}", r.summary);
    // `plan` does not read stdin: it fails, and only warns; the job keeps the check's result.
    let r = run_action(&manifest_dir(), &[("path", "-"), ("fail-on", "error")]);
    assert!(r.stdout.contains("::warning title=snaplint plan::"), "{}", r.stdout);
    assert!(r.outputs.contains("exit-code=0"), "{}", r.outputs);
    assert_eq!(r.code, 0);
}

/// A release server for the Action's download: `root` laid out as the project's GitHub
/// releases (`v<version>/<archive>` and `.sha256`), served over HTTP on a free local port.
fn serve(root: PathBuf) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            let path = request
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .trim_start_matches('/')
                .to_owned();
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let mut stream = &stream;
            let _ = match std::fs::read(root.join(&path)).ok().filter(|_| !path.contains("..")) {
                Some(body) => {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(&body))
                }
                None => stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
            };
        }
    });
    base
}

/// A release directory in the shape scripts/dist.sh writes, holding the binary under test.
fn release_dir(corrupt: bool) -> (tempfile::TempDir, String) {
    let version = env!("CARGO_PKG_VERSION");
    let target = "x86_64-unknown-linux-gnu";
    let tmp = tempfile::tempdir().unwrap();
    let stage = tmp.path().join(format!("snaplint-{version}-{target}"));
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_snaplint"), stage.join("snaplint")).unwrap();
    let releases = tmp.path().join("releases").join(format!("v{version}"));
    std::fs::create_dir_all(&releases).unwrap();
    let archive = format!("snaplint-{version}-{target}.tar.gz");
    let ok = Command::new("tar")
        .args(["-czf"])
        .arg(releases.join(&archive))
        .arg("-C")
        .arg(tmp.path())
        .arg(format!("snaplint-{version}-{target}"))
        .status()
        .unwrap();
    assert!(ok.success());
    let sum = Command::new("sha256sum")
        .arg(&archive)
        .current_dir(&releases)
        .output()
        .unwrap();
    let mut sum = String::from_utf8(sum.stdout).unwrap();
    if corrupt {
        sum.replace_range(0..4, "0000");
    }
    std::fs::write(releases.join(format!("{archive}.sha256")), sum).unwrap();
    let base = serve(tmp.path().join("releases"));
    (tmp, base)
}

/// No snaplint and no cargo on PATH: only the system's tools, as on a fresh runner.
const BARE_PATH: &str = "/usr/bin:/bin";

fn runner_env(base: &str, cache: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("SNAPLINT_DOWNLOAD_BASE", base.to_owned()),
        ("RUNNER_TOOL_CACHE", cache.display().to_string()),
        ("RUNNER_OS", "Linux".into()),
        ("RUNNER_ARCH", "X64".into()),
    ]
}

#[test]
fn the_action_installs_its_release_binary_without_cargo() {
    let (_release, base) = release_dir(false);
    let cache = tempfile::tempdir().unwrap();
    let env = runner_env(&base, cache.path());
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/rules/BKP002/fail"));
    let r = run_action_in(&dir, &[], BARE_PATH, &env);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("Installed snaplint"), "{}", r.stdout);
    assert!(
        r.stdout.contains("title=BKP002"),
        "the check ran with the downloaded binary: {}",
        r.stdout
    );
    assert!(cached_binary(cache.path()).is_file(), "not in the tool cache");
    // A second job on the same runner takes it from the tool cache: nothing is downloaded.
    let offline = runner_env("http://127.0.0.1:9", cache.path());
    let r = run_action_in(&dir, &[], BARE_PATH, &offline);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        !r.stdout.contains("Installed snaplint") && r.stdout.contains("title=BKP002"),
        "{}",
        r.stdout
    );
}

/// The action on the sample release on a fresh runner (no snaplint, no cargo) downloading
/// from `base` into the tool cache `cache`.
fn bare_run(base: &str, cache: &Path) -> Run {
    run_action_in(
        &manifest_dir(),
        &[("path", "testdata/releases/sample")],
        BARE_PATH,
        &runner_env(base, cache),
    )
}

fn cached_binary(cache: &Path) -> PathBuf {
    cache.join(format!(
        "snaplint/{}/x86_64-unknown-linux-gnu/bin/snaplint",
        env!("CARGO_PKG_VERSION")
    ))
}

#[test]
fn a_release_archive_that_does_not_match_its_checksum_is_refused() {
    let (_release, base) = release_dir(true);
    let cache = tempfile::tempdir().unwrap();
    let r = bare_run(&base, cache.path());
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.contains("does not match its published sha256"), "{}", r.stdout);
    assert!(
        !cached_binary(cache.path()).exists(),
        "a binary that failed its checksum was installed"
    );
}

#[test]
fn without_a_release_asset_the_action_says_it_builds_from_source() {
    let empty = tempfile::tempdir().unwrap();
    let base = serve(empty.path().to_path_buf());
    let cache = tempfile::tempdir().unwrap();
    let r = bare_run(&base, cache.path());
    assert!(r.stdout.contains("no release asset snaplint-"), "{}", r.stdout);
    assert!(r.stdout.contains("building snaplint from source"), "{}", r.stdout);
    // No cargo on this PATH: the build cannot start, and the step fails.
    assert_ne!(r.code, 0, "{}", r.stdout);
}
