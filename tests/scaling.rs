//! Lint time grows with the release, not with its square. A check that looks at every workload
//! for every workload (VOL001 once scanned every hook per pod) made 10,000 workloads take 36
//! times as long as 1,000; this catches that class of mistake without timing targets a busy
//! CI machine could miss: ten times the workloads must take under twenty times as long
//! (linear work is about ten; quadratic would be a hundred).

#[path = "support/generate.rs"]
mod generate;

use std::path::Path;
use std::time::Instant;

use snaplint::lint::{self, Input};
use snaplint::rules::{Filter, RunOptions, builtin};

/// Seconds to load, lint and report on the release in `dir` (the best of three), and how many
/// findings there were.
fn lint_seconds(dir: &Path) -> (f64, usize) {
    let rules = builtin().expect("rules");
    let paths = [dir.to_path_buf()];
    let exclude = globset::GlobSet::empty();
    let mut findings = 0;
    let best = (0..3)
        .map(|_| {
            let start = Instant::now();
            let input = Input::Paths {
                paths: &paths,
                exclude: &exclude,
                base: Path::new("."),
            };
            let release = lint::load(input).expect("load");
            let found = lint::lint(&release, rules, &Filter::default(), &RunOptions::default());
            std::hint::black_box(snaplint::report::json(&release, &found));
            findings = found.len();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min);
    (best, findings)
}

#[test]
fn ten_times_the_workloads_take_less_than_twenty_times_as_long() {
    let tmp = tempfile::tempdir().unwrap();
    let (small, large) = (tmp.path().join("small"), tmp.path().join("large"));
    let g_small = generate::generate(&small, 500, true).unwrap();
    let g_large = generate::generate(&large, 5_000, true).unwrap();
    assert_eq!((g_small.workloads, g_large.workloads), (500, 5_000));
    assert!(g_large.files > 9 * g_small.files && g_large.bytes > 9 * g_small.bytes);
    let (t_small, n_small) = lint_seconds(&small);
    let (t_large, n_large) = lint_seconds(&large);
    // The whole lint ran: every planted mistake was found.
    assert_eq!((n_small, n_large), (g_small.mistakes, g_large.mistakes));
    let ratio = t_large / t_small;
    assert!(
        ratio < 20.0,
        "5,000 workloads took {t_large:.2} s, {ratio:.1} times the {t_small:.3} s of 500: something is quadratic"
    );
}
