//! `cargo bench --bench lint`: lint against the parse-only floor on generated releases of N
//! workloads, with time, throughput and peak memory. Each measurement runs in a fresh child
//! process so peak memory (VmHWM) belongs to that measurement alone, and the modes alternate
//! run by run (parse, lint, fix-diff, process, parse, ...) so a slow moment of the machine
//! does not land on one mode only; each cell is the median of its runs.
//!
//! The floor reads every file and runs the same YAML parser over it (events only), in parallel
//! as snaplint does, and nothing else. After the table come the ratios the performance issue
//! sets targets for: lint over the floor, time over ten times the work, peak memory over the
//! input.
//!
//! SNAPLINT_BENCH_N=1000,10000 limits the sizes; SNAPLINT_BENCH_RUNS sets runs per cell.

#[path = "../tests/support/generate.rs"]
mod generate;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rayon::prelude::*;
use snaplint::lint::{self, Input};
use snaplint::rules::{Filter, RunOptions, builtin};

const SIZES: &[usize] = &[100, 1_000, 10_000, 100_000];
const MODES: &[&str] = &["parse", "lint", "fix-diff", "process"];

/// One size's medians: (mode, seconds, peak KiB) and the input's bytes.
struct Row {
    n: usize,
    bytes: usize,
    cells: Vec<(&'static str, f64, u64)>,
}

impl Row {
    fn cell(&self, mode: &str) -> (f64, u64) {
        self.cells
            .iter()
            .find(|c| c.0 == mode)
            .map_or((f64::NAN, 0), |c| (c.1, c.2))
    }
}

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
        .unwrap_or(5);
    let tmp = std::env::temp_dir().join(format!("snaplint-bench-{}", std::process::id()));
    println!("| workloads | files | MB | findings | mode | time (ms) | MB/s | docs/s | peak RSS (MB) | vs parse |");
    println!("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
    let mut rows = Vec::new();
    for &n in &sizes {
        let dir = tmp.join(n.to_string());
        let g = generate::generate(&dir, n, true).expect("generate release");
        let mut samples: Vec<Vec<(f64, u64)>> = vec![Vec::new(); MODES.len()];
        for _ in 0..runs {
            for (m, mode) in MODES.iter().enumerate() {
                samples[m].push(measure(mode, &dir));
            }
        }
        let row = Row {
            n,
            bytes: g.bytes,
            cells: MODES
                .iter()
                .zip(samples)
                .map(|(mode, s)| {
                    (
                        *mode,
                        median(s.iter().map(|x| x.0).collect()),
                        s.iter().map(|x| x.1).max().unwrap_or(0),
                    )
                })
                .collect(),
        };
        print_row(&row, &g);
        rows.push(row);
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = std::fs::remove_dir_all(&tmp);
    print_ratios(&rows);
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn print_row(row: &Row, g: &generate::Generated) {
    let mb = g.bytes as f64 / 1e6;
    let docs = (g.workloads * 2 + 3) as f64;
    let (floor, _) = row.cell("parse");
    for &(mode, secs, peak_kb) in &row.cells {
        // The whole-process row is timed from outside: its memory is not measured.
        let peak = if mode == "process" {
            "–".to_owned()
        } else {
            format!("{:.1}", peak_kb as f64 / 1024.0)
        };
        println!(
            "| {} | {} | {mb:.1} | {} | {mode} | {:.1} | {:.1} | {:.0} | {peak} | {:.2}× |",
            row.n,
            g.files,
            g.mistakes,
            secs * 1e3,
            mb / secs,
            docs / secs,
            secs / floor
        );
    }
}

/// The performance issue's three measures: lint over the parse floor, lint time over ten times
/// the work, and lint's peak memory over the input's size.
fn print_ratios(rows: &[Row]) {
    println!();
    println!("| workloads | lint / parse floor | lint time / lint time at a tenth | peak memory / input |");
    println!("|---:|---:|---:|---:|");
    for row in rows {
        let (lint, peak_kb) = row.cell("lint");
        let tenth = rows
            .iter()
            .find(|r| r.n * 10 == row.n)
            .map_or("–".to_owned(), |r| format!("{:.1}×", lint / r.cell("lint").0));
        println!(
            "| {} | {:.2}× | {tenth} | {:.1}× |",
            row.n,
            lint / row.cell("parse").0,
            (peak_kb * 1024) as f64 / row.bytes as f64
        );
    }
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
            let phase = |name: &str, since: Instant| {
                if std::env::var_os("SNAPLINT_TIMINGS").is_some() {
                    eprintln!("{:>8.2} ms {name}", since.elapsed().as_secs_f64() * 1e3);
                }
                Instant::now()
            };
            let rules = builtin().expect("rules");
            let t = phase("rule specs", start);
            let release = load(dir);
            let t = phase("load", t);
            let diagnostics = lint::lint(&release, rules, &Filter::default(), &RunOptions::default());
            let t = phase("rules", t);
            // As the CLI writes it: to stdout as it is serialized.
            snaplint::report::write_json(&release, &diagnostics, std::io::sink()).expect("report");
            phase("report", t);
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

/// The floor: read the same files and run the same YAML parser over them, events only, in
/// parallel as snaplint reads and parses.
fn parse_only(dir: &Path) {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    let events: usize = files
        .par_iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("read");
            saphyr_parser::Parser::new_from_str(&text)
                .map(|ev| ev.map(|_| 1).expect("valid YAML"))
                .sum::<usize>()
        })
        .sum();
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
