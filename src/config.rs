//! `.snaplint.yaml`: found by walking up from the first path, validated against
//! `schemas/config.schema.json`, then merged with command-line flags by the CLI.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::diagnostic::Severity;
use crate::rules::{Filter, RuleSpec, pattern_matches, schema};
use crate::source::{Limits, SourceFile};
use crate::yaml::{Node, to_json};

pub const FILE_NAME: &str = ".snaplint.yaml";

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Config {
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub per_file_ignores: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub fail_on: Option<Severity>,
    /// Where the release is, relative to the config file; used when no path is given.
    #[serde(default)]
    pub paths: Vec<PathBuf>,
    /// Resource limits; unset ones keep their defaults.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// The directory holding the config file; globs are relative to it.
    #[serde(skip)]
    pub base: PathBuf,
}

/// `limits:` as written. Sizes are bytes, or a number with a unit (`32MiB`, `500 KB`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct LimitsConfig {
    pub max_file_size: Option<Size>,
    pub max_documents: Option<usize>,
    pub max_depth: Option<usize>,
    pub max_archive_size: Option<Size>,
    pub max_template_steps: Option<usize>,
    pub max_template_output: Option<Size>,
    pub max_chart_output: Option<Size>,
    pub max_include_depth: Option<usize>,
}

/// A byte count: an integer, or a string with a unit (B, KB, KiB, MB, MiB, GB, GiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size(pub u64);

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bytes(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Bytes(n) => Ok(Size(n)),
            Raw::Text(t) => parse_size(&t).map(Size).map_err(serde::de::Error::custom),
        }
    }
}

/// `32MiB`, `500 KB`, `1048576` -> bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{text}` is not a size (e.g. 32MiB, 500KB, 1048576)"))?;
    let mult: u64 = match unit.trim() {
        "" | "B" => 1,
        "KB" => 1000,
        "KiB" => 1 << 10,
        "MB" => 1_000_000,
        "MiB" => 1 << 20,
        "GB" => 1_000_000_000,
        "GiB" => 1 << 30,
        u => {
            return Err(format!(
                "unknown size unit `{u}` in `{text}` (B, KB, KiB, MB, MiB, GB, GiB)"
            ));
        }
    };
    n.checked_mul(mult).ok_or_else(|| format!("`{text}` is too large"))
}

impl LimitsConfig {
    /// The effective limits: the configured ones over the defaults.
    pub fn resolve(&self) -> Limits {
        let d = Limits::default();
        Limits {
            max_file_size: self.max_file_size.map_or(d.max_file_size, |s| s.0),
            max_documents: self.max_documents.unwrap_or(d.max_documents),
            max_depth: self.max_depth.unwrap_or(d.max_depth),
            max_archive_size: self.max_archive_size.map_or(d.max_archive_size, |s| s.0),
            max_template_steps: self.max_template_steps.unwrap_or(d.max_template_steps),
            max_template_output: self.max_template_output.map_or(d.max_template_output, |s| s.0),
            max_chart_output: self.max_chart_output.map_or(d.max_chart_output, |s| s.0),
            max_include_depth: self.max_include_depth.unwrap_or(d.max_include_depth),
        }
    }
}

/// One line: the file, where, and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{path}{at}: {message}")]
pub struct ConfigError {
    pub path: PathBuf,
    pub at: String,
    pub message: String,
}

impl ConfigError {
    fn new(path: &Path, at: String, message: impl Into<String>) -> Self {
        ConfigError {
            path: path.to_owned(),
            at,
            message: message.into(),
        }
    }
}

/// The nearest `.snaplint.yaml` in `start` or a parent directory.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(start).ok()?;
    let dir = if abs.is_dir() { abs.as_path() } else { abs.parent()? };
    dir.ancestors().map(|d| d.join(FILE_NAME)).find(|p| p.is_file())
}

pub fn load(path: &Path, rules: &[RuleSpec]) -> Result<Config, ConfigError> {
    let bytes = std::fs::read(path).map_err(|e| ConfigError::new(path, String::new(), format!("cannot read: {e}")))?;
    let file = SourceFile::from_bytes(path.to_owned(), None, bytes);
    let at = |offset: usize| {
        let p = file.position(offset);
        format!(":{}:{}", p.line, p.column)
    };
    if let Some(problem) = &file.problem {
        return Err(ConfigError::new(path, String::new(), problem.clone()));
    }
    let Some(doc) = file.documents.first() else {
        return Ok(Config {
            base: base_dir(path),
            ..Config::default()
        });
    };
    if let Some(e) = &doc.error {
        return Err(ConfigError::new(
            path,
            at(e.offset),
            format!("invalid YAML: {}", e.message),
        ));
    }
    let Some(root) = doc.root() else {
        return Ok(Config::default());
    };
    let violations =
        schema::validate("config", root).map_err(|e| ConfigError::new(path, String::new(), e.to_string()))?;
    if let Some(v) = violations.into_iter().next() {
        let message = match v.unknown {
            Some((key, Some(s))) => format!("unknown key `{key}` (did you mean `{s}`?)"),
            Some((key, None)) => format!("unknown key `{key}`"),
            None => v.message,
        };
        return Err(ConfigError::new(path, at(v.span.start), message));
    }
    check_rule_ids(root, rules).map_err(|(offset, m)| ConfigError::new(path, at(offset), m))?;
    let value = to_json(root).map_err(|e| ConfigError::new(path, String::new(), e.to_string()))?;
    let mut config: Config =
        serde_json::from_value(value).map_err(|e| ConfigError::new(path, String::new(), e.to_string()))?;
    config.base = base_dir(path);
    Ok(config)
}

fn base_dir(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Every ID or prefix in the config must name at least one rule: a typo would silently do nothing.
fn check_rule_ids(root: Node<'_>, rules: &[RuleSpec]) -> Result<(), (usize, String)> {
    let mut patterns: Vec<Node<'_>> = Vec::new();
    for key in ["select", "ignore"] {
        patterns.extend(root.get(key).map(Node::items).unwrap_or_default());
    }
    if let Some(sev) = root.get("severity") {
        patterns.extend(sev.entries().iter().map(|(k, _)| k));
    }
    if let Some(pfi) = root.get("per-file-ignores") {
        patterns.extend(pfi.entries().iter().flat_map(|(_, v)| v.items()));
    }
    for node in patterns {
        let Some(p) = node.as_str() else { continue };
        if !rules.iter().any(|r| pattern_matches(p, &r.id, &r.name)) {
            return Err((
                node.span().start,
                format!("`{p}` matches no snaplint rule (see `snaplint rules`)"),
            ));
        }
    }
    Ok(())
}

pub fn glob_set(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(Glob::new(p).map_err(|e| format!("bad glob `{p}`: {e}"))?);
    }
    b.build().map_err(|e| e.to_string())
}

impl Config {
    /// The rule filter this config describes, before command-line flags are merged in.
    pub fn filter(&self) -> Result<Filter, String> {
        let mut severity = HashMap::new();
        for (id, s) in &self.severity {
            let level = match s.as_str() {
                "error" => Some(Severity::Error),
                "warning" => Some(Severity::Warning),
                "info" => Some(Severity::Info),
                _ => None,
            };
            severity.insert(id.clone(), level);
        }
        let mut per_file_ignores = Vec::new();
        for (glob, ids) in &self.per_file_ignores {
            let g = Glob::new(glob).map_err(|e| format!("bad glob `{glob}`: {e}"))?;
            per_file_ignores.push((g.compile_matcher(), ids.clone()));
        }
        Ok(Filter {
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            severity,
            per_file_ignores,
            base: self.base.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_units() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("32MiB"), Ok(32 << 20));
        assert_eq!(parse_size("500 KB"), Ok(500_000));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert!(
            parse_size("12 parsecs")
                .unwrap_err()
                .contains("unknown size unit `parsecs`")
        );
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("99999999999999999999GiB").is_err());
    }

    #[test]
    fn unset_limits_keep_defaults() {
        let l = LimitsConfig {
            max_depth: Some(10),
            ..LimitsConfig::default()
        }
        .resolve();
        assert_eq!(l.max_depth, 10);
        assert_eq!(l.max_file_size, Limits::default().max_file_size);
    }
}
