//! `cargo bench --bench lint`: parse-only floor vs full lint vs `--fix --diff` on generated
//! releases of N workloads, with time, throughput and peak memory. Each measurement runs in a
//! fresh child process so peak memory (VmHWM) belongs to that measurement alone.
//!
//! SNAPLINT_BENCH_N=100,1000 limits the sizes; SNAPLINT_BENCH_RUNS sets runs per cell (best of).

#[path = "../tests/support/generate.rs"]
mod generate;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use snaplint::lint::{self, Input};
use snaplint::rules::{Filter, RunOptions, builtin};

const SIZES: &[usize] = &[100, 1_000, 10_000, 100_000];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1], Path::new(&args[i + 2]));
        return;
    }
    let sizes: Vec<usize> = std::env::var("SNAPLINT_BENCH_N")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| SIZES.to_vec());
    let runs: usize = std::env::var("SNAPLINT_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let tmp = std::env::temp_dir().join(format!("snaplint-bench-{}", std::process::id()));
    println!("| workloads | files | MB | findings | mode | time (ms) | MB/s | docs/s | peak RSS (MB) | vs parse |");
    println!("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
    for &n in &sizes {
        let dir = tmp.join(n.to_string());
        let g = generate::generate(&dir, n, true).expect("generate release");
        let mb = g.bytes as f64 / 1e6;
        let docs = (g.workloads * 2 + 3) as f64;
        let mut floor = None;
        for mode in ["parse", "lint", "fix-diff", "process"] {
            let (secs, peak_kb) = (0..runs)
                .map(|_| measure(mode, &dir))
                .fold((f64::MAX, 0), |(t, m), (t2, m2)| (t.min(t2), m.max(m2)));
            let base = *floor.get_or_insert(secs);
            // The whole-process row is timed from outside: its memory is not measured.
            let peak = if mode == "process" {
                "–".to_owned()
            } else {
                format!("{:.1}", peak_kb as f64 / 1024.0)
            };
            println!(
                "| {n} | {} | {mb:.1} | {} | {mode} | {:.1} | {:.1} | {:.0} | {peak} | {:.2}× |",
                g.files,
                g.mistakes,
                secs * 1e3,
                mb / secs,
                docs / secs,
                secs / base
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Run one measurement in a child process; returns (seconds, peak RSS in KiB).
fn measure(mode: &str, dir: &Path) -> (f64, u64) {
    if mode == "process" {
        // The whole `snaplint check` process, as CI runs it.
        let start = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_snaplint"))
            .args(["check", "--no-config", "--format", "json"])
            .arg(dir)
            .output()
            .expect("run snaplint");
        let secs = start.elapsed().as_secs_f64();
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "snaplint failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return (secs, 0);
    }
    let exe = std::env::current_exe().expect("own path");
    let out = Command::new(exe)
        .args(["--child", mode])
        .arg(dir)
        .output()
        .expect("run child");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let secs = parts
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("child failed: {text} {}", String::from_utf8_lossy(&out.stderr)));
    let kb = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    (secs, kb)
}

fn child(mode: &str, dir: &Path) {
    let start = Instant::now();
    match mode {
        "parse" => parse_only(dir),
        "lint" => {
            let rules = builtin().expect("rules");
            let release = load(dir);
            if std::env::var_os("SNAPLINT_TIMINGS").is_some() {
                eprintln!("{:>8.2} ms load", start.elapsed().as_secs_f64() * 1e3);
            }
            let diagnostics = lint::lint(&release, rules, &Filter::default(), &RunOptions::default());
            std::hint::black_box(snaplint::report::json(&release, &diagnostics));
            std::mem::forget(release); // as the CLI does before exiting
        }
        "fix-diff" => {
            let rules = builtin().expect("rules");
            let outcome = lint::fix(load(dir), rules, &Filter::default(), &RunOptions::default(), true);
            for c in &outcome.changes {
                std::hint::black_box(snaplint::fix::unified_diff(
                    &c.path,
                    c.original.as_deref().unwrap_or(""),
                    &c.new,
                ));
            }
        }
        _ => panic!("unknown mode {mode}"),
    }
    let secs = start.elapsed().as_secs_f64();
    println!("{secs} {}", peak_rss_kb());
}

fn load(dir: &Path) -> snaplint::release::Release {
    let paths = [dir.to_path_buf()];
    let exclude = globset::GlobSet::empty();
    lint::load(Input::Paths {
        paths: &paths,
        exclude: &exclude,
        base: Path::new("."),
    })
    .expect("load")
}

/// The floor: read the same files and run the same YAML parser over them, events only.
fn parse_only(dir: &Path) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let mut events = 0usize;
    for f in files {
        let text = std::fs::read_to_string(f).expect("read");
        for ev in saphyr_parser::Parser::new_from_str(&text) {
            ev.expect("valid YAML");
            events += 1;
        }
    }
    std::hint::black_box(events);
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
