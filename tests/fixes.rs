//! Every fixable rule: its fix applied to the failing fixture leaves no finding of that rule,
//! keeps every comment, and a second run changes nothing.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use snaplint::rules::{FixKind, builtin};

fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap().display().to_string();
            out.insert(rel, std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
    }
    out
}

fn comments(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| {
            l.find(" #")
                .map(|i| &l[i + 1..])
                .or_else(|| l.trim_start().starts_with('#').then(|| l.trim_start()))
        })
        .collect()
}

#[test]
fn every_fix_relints_clean_keeps_comments_and_is_idempotent() {
    for rule in builtin().unwrap().iter().filter(|r| r.fix != FixKind::None) {
        let (_tmp, dir) = copy_dir(&manifest_dir().join(format!("testdata/rules/{}/fail", rule.id)));
        let before = read_tree(&dir);
        let out = fix_all(&dir);
        assert_ne!(code(&out), 2, "{}: {}", rule.id, stderr(&out));
        let after = read_tree(&dir);
        assert_ne!(before, after, "{}: the fix changed nothing", rule.id);
        let remaining = rules_in(&json(&run_in(&dir, &["check", "--no-config", "--format", "json", "."])));
        assert!(
            !remaining.contains(&rule.id),
            "{}: still reported after --fix: {remaining:?}",
            rule.id
        );
        for (file, text) in &before {
            let fixed = after.get(file).unwrap_or_else(|| panic!("{}: {file} lost", rule.id));
            for c in comments(text) {
                assert!(fixed.contains(c), "{}: comment `{c}` lost from {file}", rule.id);
            }
        }
        let again = run_in(&dir, &["check", "--no-config", "--fix", "--unsafe-fixes", "."]);
        assert!(
            stderr(&again).contains("Applied 0 fixes"),
            "{}: second --fix changed more: {}",
            rule.id,
            stderr(&again)
        );
        assert_eq!(after, read_tree(&dir), "{}: second --fix changed files", rule.id);
    }
}
