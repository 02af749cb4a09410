//! Version strings as KOTS, kURL and Velero write them: `1.15.2` (semver, optional `v`),
//! kURL's patch wildcard `1.15.x`, and kURL's `latest`.

use serde::Serialize;

pub use semver::Version;

use super::Bound;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSpec {
    Exact(Version),
    /// `X.Y.x`: every patch of X.Y (stored as X.Y.0).
    Wildcard(Version),
    /// kURL's `latest`: whatever is newest when the cluster is installed; unknown here.
    Latest,
}

impl VersionSpec {
    /// The oldest version this may stand for (`None` for `latest`).
    pub fn lowest(&self) -> Option<Version> {
        match self {
            VersionSpec::Exact(v) | VersionSpec::Wildcard(v) => Some(v.clone()),
            VersionSpec::Latest => None,
        }
    }

    /// The newest version this may stand for.
    pub fn highest_bound(&self) -> Option<Bound> {
        match self {
            VersionSpec::Exact(v) => Some(Bound::Including(v.clone())),
            VersionSpec::Wildcard(v) => Some(Bound::Below(Version::new(v.major, v.minor + 1, 0))),
            VersionSpec::Latest => None,
        }
    }

    /// `major.minor` of a known version.
    pub fn minor(&self) -> Option<(u64, u64)> {
        self.lowest().map(|v| (v.major, v.minor))
    }
}

impl std::fmt::Display for VersionSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VersionSpec::Exact(v) => write!(f, "{v}"),
            VersionSpec::Wildcard(v) => write!(f, "{}.{}.x", v.major, v.minor),
            VersionSpec::Latest => f.write_str("latest"),
        }
    }
}

impl Serialize for VersionSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

pub const EXPECTED: &str = "a version like `1.15.2` (kURL also accepts `1.15.x` and `latest`)";

/// Parse `1.15.2`, `v1.15.2`, `1.16.0-rc.1`, `1.15.x` or `latest`. The error says what was
/// expected.
pub fn parse_version(s: &str) -> Result<VersionSpec, String> {
    let t = s.trim();
    if t == "latest" {
        return Ok(VersionSpec::Latest);
    }
    let bare = t.strip_prefix('v').unwrap_or(t);
    if let Some(minor) = bare.strip_suffix(".x") {
        let mut parts = minor.split('.');
        let (Some(a), Some(b), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("`{s}` is not a version: expected {EXPECTED}"));
        };
        if let (Some(major), Some(minor)) = (number(a), number(b)) {
            return Ok(VersionSpec::Wildcard(Version::new(major, minor, 0)));
        }
        return Err(format!("`{s}` is not a version: expected {EXPECTED}"));
    }
    Version::parse(bare)
        .map(VersionSpec::Exact)
        .map_err(|_| format!("`{s}` is not a version: expected {EXPECTED}"))
}

fn number(s: &str) -> Option<u64> {
    let ok = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    ok.then(|| s.parse().ok()).flatten()
}
