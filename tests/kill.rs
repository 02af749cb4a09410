//! SIGKILL in the middle of `--fix`: every file is exactly its old or its new content, never
//! partial (each write is a temp file in the same directory, fsynced, then renamed over).

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

const FILES: usize = 30;
const KILLS: usize = 200;

fn deployment(i: usize) -> String {
    std::fs::read_to_string(manifest_dir().join("testdata/rules/VOL003/fail/deployment.yaml"))
        .unwrap()
        .replace("uploads", &format!("uploads-{i:02}"))
}

fn name(i: usize) -> String {
    format!("deploy-{i:02}.yaml")
}

fn reset(dir: &Path, old: &[String]) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.file_name().unwrap().to_string_lossy().starts_with('.') {
            std::fs::remove_file(p).unwrap(); // temp files a killed run left behind
        }
    }
    for (i, text) in old.iter().enumerate() {
        std::fs::write(dir.join(name(i)), text).unwrap();
    }
}

fn spawn(dir: &Path, mode: &str) -> std::process::Child {
    let mut c = bin();
    c.current_dir(dir)
        .args([
            "check",
            mode,
            "--no-config",
            "--select",
            "VOL003",
            "--format",
            "concise",
            ".",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c.spawn().expect("spawn snaplint")
}

/// xorshift64*: random kill moments without a dependency.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

#[cfg(unix)]
#[test]
fn sigkill_mid_fix_never_leaves_a_partial_file() {
    // A process kill (unlike a power cut) loses nothing the kernel already has, so fsync does
    // not matter here: on tmpfs the runs are short and the loop stays fast.
    let shm = Path::new("/dev/shm");
    let tmp = if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let dir = tmp.path();
    let old: Vec<String> = (0..FILES).map(deployment).collect();

    // Full runs give the new contents and how long a run takes; `--diff` runs (all the work but
    // the writes) say when the writes start, so half the kills aim at the writes.
    let time = |mode: &str| {
        (0..3)
            .map(|_| {
                reset(dir, &old);
                let start = Instant::now();
                spawn(dir, mode).wait().unwrap();
                start.elapsed()
            })
            .min()
            .unwrap()
    };
    let before_writes = time("--diff");
    let full = time("--fix");
    let new: Vec<String> = (0..FILES)
        .map(|i| std::fs::read_to_string(dir.join(name(i))).unwrap())
        .collect();
    assert!(new.iter().zip(&old).all(|(n, o)| n != o), "every file must change");

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    let full_us = full.as_micros() as u64 * 21 / 20;
    let writes_from = (before_writes.as_micros() as u64 * 9 / 10).min(full_us);
    let (mut mixed, mut leftovers) = (0, 0);
    for round in 0..KILLS {
        reset(dir, &old);
        let mut child = spawn(dir, "--fix");
        let delay = if round % 2 == 0 {
            rng.below(full_us)
        } else {
            writes_from + rng.below(full_us - writes_from)
        };
        std::thread::sleep(Duration::from_micros(delay));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let mut fixed = 0;
        for i in 0..FILES {
            let text = std::fs::read_to_string(dir.join(name(i))).unwrap();
            assert!(
                text == old[i] || text == new[i],
                "round {round} (seed {seed}): {} is partial:\n{text}",
                name(i)
            );
            fixed += usize::from(text == new[i]);
        }
        mixed += usize::from(fixed > 0 && fixed < FILES);
        leftovers += std::fs::read_dir(dir)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with('.'))
            .count();
    }
    eprintln!(
        "{KILLS} kills over a {full:?} run, writes from about {before_writes:?} (seed {seed}): no partial \
         file; {mixed} kills left some files fixed and others not; {leftovers} temp files left behind \
         (hidden, never linted)"
    );
}
