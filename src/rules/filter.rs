//! Which rules run and at what severity: `--select`/`--ignore`, config `severity` overrides and
//! `per-file-ignores`.

use std::collections::HashMap;
use std::path::PathBuf;

use globset::GlobMatcher;

use super::RuleSpec;
use crate::diagnostic::{Diagnostic, Severity};
use crate::release::Release;

#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Empty means every rule.
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// `None` turns a rule off.
    pub severity: HashMap<String, Option<Severity>>,
    pub per_file_ignores: Vec<(GlobMatcher, Vec<String>)>,
    /// Paths in per-file-ignores are relative to this directory (the config file's).
    pub base: PathBuf,
}

/// `VOL001` matches by ID, `VOL` by prefix, `pod-volume-not-opted-in` by name, `ALL` everything.
pub fn pattern_matches(pattern: &str, rule_id: &str, rule_name: &str) -> bool {
    pattern.eq_ignore_ascii_case("ALL")
        || rule_name.eq_ignore_ascii_case(pattern)
        || rule_id.len() >= pattern.len() && rule_id[..pattern.len()].eq_ignore_ascii_case(pattern)
}

impl Filter {
    fn any(patterns: &[String], id: &str, name: &str) -> bool {
        patterns.iter().any(|p| pattern_matches(p, id, name))
    }

    pub fn selects(&self, rule: &RuleSpec) -> bool {
        let selected = self.select.is_empty() || Self::any(&self.select, &rule.id, &rule.name);
        let off = matches!(self.severity.get(&rule.id), Some(None));
        selected && !off && !Self::any(&self.ignore, &rule.id, &rule.name)
    }

    /// Apply the severity override; false when a per-file ignore drops the finding.
    pub fn keep(&self, d: &mut Diagnostic, release: &Release) -> bool {
        if let Some(Some(sev)) = self.severity.get(&d.rule) {
            d.severity = *sev;
        }
        let Some(file) = d.file() else { return true };
        let path = &release.files[file].path;
        let rel = crate::source::relative_to(path, &self.base);
        !self
            .per_file_ignores
            .iter()
            .any(|(glob, ids)| glob.is_match(&rel) && Self::any(ids, &d.rule, &d.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_id_prefix_and_name() {
        assert!(pattern_matches("VOL", "VOL001", "x"));
        assert!(pattern_matches("vol001", "VOL001", "x"));
        assert!(pattern_matches("pod-volume", "VOL001", "pod-volume"));
        assert!(!pattern_matches("VOL0011", "VOL001", "x"));
        assert!(!pattern_matches("HOOK", "VOL001", "x"));
    }
}
