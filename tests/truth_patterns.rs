//! Regression cases for the dump and restore hook patterns (HOOK014-HOOK017), each a small
//! release under `testdata/truth/patterns-*`: which of these rules fire, and which must not.

mod common;

use common::*;

const RULES: &[&str] = &["HOOK014", "HOOK015", "HOOK016", "HOOK017"];

/// The pattern rules that fire on a release, with how often.
fn fired(case: &str) -> Vec<(String, usize)> {
    let dir = format!("testdata/truth/{case}");
    assert!(manifest_dir().join(&dir).is_dir(), "{dir} is missing");
    let out = run(&["check", "--no-config", "--format", "json", &dir]);
    let rules = rules_in(&json(&out));
    RULES
        .iter()
        .map(|r| ((*r).to_owned(), rules.iter().filter(|x| x == r).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn assert_fires(case: &str, expected: &[(&str, usize)]) {
    let expected: Vec<(String, usize)> = expected.iter().map(|(r, n)| ((*r).to_owned(), *n)).collect();
    assert_eq!(fired(case), expected, "{case}");
}

fn messages(case: &str, rule: &str) -> Vec<String> {
    let dir = format!("testdata/truth/{case}");
    let report = json(&run(&["check", "--no-config", "--format", "json", &dir]));
    report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["rule"] == rule)
        .filter_map(|d| d["message"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn the_documented_export_pattern_keeps_its_dump() {
    // The dump lands on the listed emptyDir: no HOOK014. As published, it sets no on-error and
    // its restore hook does not wait.
    assert_fires("patterns-docs-export", &[("HOOK016", 1), ("HOOK017", 1)]);
}

#[test]
fn a_dump_moved_onto_the_backed_up_volume_is_not_lost() {
    assert_fires("patterns-moved-dump", &[]);
}

#[test]
fn commands_that_only_look_like_dumps_are_not_dumps() {
    // `psql -f` reads, `rm -f` takes no value, `redis-cli save` is no `--rdb`.
    assert_fires("patterns-not-dumps", &[]);
}

#[test]
fn a_dump_on_a_hostpath_volume_is_not_copied() {
    assert_fires("patterns-hostpath", &[("HOOK014", 1)]);
    let m = messages("patterns-hostpath", "HOOK014");
    assert!(m[0].contains("`snapshots` is a `hostPath` volume"), "{m:?}");
}

#[test]
fn the_default_container_decides_where_the_dump_lands() {
    assert_fires("patterns-default-container", &[("HOOK014", 1)]);
    let m = messages("patterns-default-container", "HOOK014");
    assert!(
        m[0].contains("container `metrics`") && m[0].contains("own filesystem"),
        "{m:?}"
    );
}

#[test]
fn templated_commands_and_volume_lists_are_never_findings() {
    assert_fires("patterns-templated", &[]);
}

#[test]
fn a_retry_loop_waits_but_a_fixed_sleep_does_not() {
    assert_fires("patterns-restore-retry", &[("HOOK017", 1)]);
    let m = messages("patterns-restore-retry", "HOOK017");
    assert!(m[0].contains("`redis-cli`"), "{m:?}");
}

#[test]
fn zero_means_the_default_timeout_and_invalid_ones_are_hook004s() {
    // `0s` is the 30s default; `180` is HOOK004's; `-1s` is no limit. The `tar` and
    // `mysqldump` targets are on no volume of their containers.
    assert_fires("patterns-timeouts", &[("HOOK014", 2), ("HOOK015", 1)]);
    let m = messages("patterns-timeouts", "HOOK015");
    assert!(m[0].contains("`tar`") && m[0].contains("`0s`"), "{m:?}");
}

#[test]
fn helmchart_value_hooks_are_read_without_guessing_their_pod() {
    assert_fires("patterns-helmchart-values", &[("HOOK016", 1), ("HOOK017", 1)]);
}

#[test]
fn spec_hooks_velero_skips_are_not_reported() {
    // The annotation hook wins (HOOK012): the spec hook's `/tmp` dump, default timeout and
    // unset onError never happen.
    assert_fires("patterns-shadowed-spec", &[]);
    let dir = "testdata/truth/patterns-shadowed-spec";
    let rules = rules_in(&json(&run(&["check", "--no-config", "--format", "json", dir])));
    assert!(rules.contains(&"HOOK012".to_owned()), "{rules:?}");
}

#[test]
fn a_legacy_hook_shadowed_by_a_pre_hook_is_not_reported() {
    assert_fires("patterns-legacy-shadowed", &[]);
    // Without the `pre.` command, the legacy hook is the one Velero runs.
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/truth/patterns-legacy-shadowed"));
    let path = dir.join("postgres.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    let text: String = text
        .lines()
        .filter(|l| !l.contains("pre.hook.backup.velero.io/"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&path, text).expect("write");
    let out = run(&["check", "--no-config", "--format", "json", dir.to_str().expect("utf-8")]);
    let mut rules = rules_in(&json(&out));
    rules.retain(|r| RULES.contains(&r.as_str()));
    rules.sort();
    assert_eq!(rules, ["HOOK014", "HOOK015", "HOOK016"]);
}

#[test]
fn a_dump_volume_the_opt_out_excludes_is_lost_in_application_only_backups() {
    assert_fires("patterns-excluded", &[("HOOK014", 1)]);
    let m = messages("patterns-excluded", "HOOK014");
    assert!(
        m[0].contains("backup-volumes-excludes") && m[0].contains("application-only"),
        "{m:?}"
    );
}
