//! Every rule has a failing and a passing fixture; the failing one fires the rule, the passing
//! one does not; both outputs are snapshotted (human and JSON).

mod common;

use common::*;
use snaplint::rules::{CHECKS, builtin};

#[test]
fn every_rule_names_a_known_check_and_every_check_has_a_rule() {
    let rules = builtin().expect("built-in rules parse");
    for r in rules {
        assert!(
            CHECKS.iter().any(|(n, _)| *n == r.check),
            "{} names unknown check `{}`",
            r.id,
            r.check
        );
        assert!(!r.explain.trim().is_empty(), "{} has no explain text", r.id);
        assert!(r.explain.contains("http"), "{} explain cites no source", r.id);
    }
    for (name, _) in CHECKS {
        assert!(
            rules.iter().any(|r| r.check == *name),
            "check `{name}` has no rule file"
        );
    }
}

#[test]
fn rule_file_names_match_ids_and_ids_are_unique() {
    let rules = builtin().expect("built-in rules parse");
    for (file, _) in snaplint::rules::RULE_FILES {
        assert!(
            rules.iter().any(|r| format!("{}.yaml", r.id) == *file),
            "{file} does not hold the rule it is named after"
        );
    }
    let mut ids: Vec<_> = rules.iter().map(|r| &r.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), rules.len());
}

#[test]
fn every_rule_fires_on_its_failing_fixture_and_not_on_its_passing_one() {
    for rule in builtin().expect("rules") {
        for (kind, must_fire) in [("fail", true), ("pass", false)] {
            let dir = format!("testdata/rules/{}/{kind}", rule.id);
            assert!(
                manifest_dir().join(&dir).is_dir(),
                "{} has no {kind} fixture ({dir})",
                rule.id
            );
            let out = run(&["check", "--no-config", "--format", "json", &dir]);
            let fired = rules_in(&json(&out)).contains(&rule.id);
            assert_eq!(fired, must_fire, "{} on {dir}: {}", rule.id, stdout(&out));
            let human = stdout(&run(&["check", "--no-config", &dir]));
            let mut settings = insta::Settings::clone_current();
            settings.set_snapshot_suffix(format!("{}_{kind}", rule.id));
            settings.set_prepend_module_to_snapshot(false);
            settings.bind(|| {
                insta::assert_snapshot!("human", human);
                insta::assert_snapshot!("json", stdout(&out));
            });
        }
    }
}
