//! The README's rules table is what `snaplint rules` prints.

mod common;

use common::*;

#[test]
fn readme_rules_table_matches_rules_command() {
    let readme = std::fs::read_to_string(manifest_dir().join("README.md")).unwrap();
    let start = readme.find("<!-- rules-table:start").expect("start marker");
    let end = readme.find("<!-- rules-table:end -->").expect("end marker");
    let block = &readme[start..end];
    let table = stdout(&run(&["rules"]));
    assert!(
        block.contains(&table),
        "README rules table is stale; paste `snaplint rules` output:\n{table}"
    );
}

#[test]
fn readme_quick_start_commands_are_the_ci_commands() {
    let readme = std::fs::read_to_string(manifest_dir().join("README.md")).unwrap();
    let ci = std::fs::read_to_string(manifest_dir().join(".ci/run")).unwrap();
    for cmd in ["cargo run --release -- check testdata/releases/sample", "cargo test"] {
        assert!(
            readme.contains(cmd) && ci.contains(cmd),
            "`{cmd}` must be in README and .ci/run"
        );
    }
}
