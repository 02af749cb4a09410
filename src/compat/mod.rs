//! The KOTS / Velero / Kubernetes compatibility data (`rules/compat.yaml`, compiled in and parsed
//! once) and the questions asked of it. Stands alone: no release, no rule, no output format.

mod version;

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

pub use version::{Version, VersionSpec, parse_version};

const COMPAT_YAML: &str = include_str!("../../rules/compat.yaml");

/// An inclusive range of Velero versions; `max` may be `X.Y.x` (every patch of X.Y).
#[derive(Debug, Clone, Serialize)]
pub struct Range {
    pub min: VersionSpec,
    pub max: VersionSpec,
}

impl Range {
    /// Whether every version `v` may stand for lies in the range.
    pub fn contains(&self, v: &VersionSpec) -> bool {
        match (v.lowest(), v.highest_bound()) {
            (Some(lo), Some(hi)) => self.min.lowest().is_some_and(|m| lo >= m) && self.covers_upper(&hi),
            _ => false,
        }
    }

    fn covers_upper(&self, hi: &Bound) -> bool {
        let Some(max) = self.max.highest_bound() else {
            return false;
        };
        bound_le(hi, &max)
    }
}

/// The highest version a spec may stand for: exact, or "below X.(Y+1).0" for a wildcard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    Including(Version),
    Below(Version),
}

fn bound_le(a: &Bound, b: &Bound) -> bool {
    match (a, b) {
        (Bound::Including(x), Bound::Including(y)) => x <= y,
        (Bound::Including(x), Bound::Below(y)) => x < y,
        // Every patch of a minor stays at or below an exact version only when that version is
        // at or past the next minor: `1.15.x` is not within `1.15.2`.
        (Bound::Below(x), Bound::Including(y)) => x <= y,
        (Bound::Below(x), Bound::Below(y)) => x <= y,
    }
}

impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} to {}", self.min, self.max)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct KotsRow {
    /// The row applies from this KOTS version ("1.125.2 and later") up to the next newer row.
    pub kots: Version,
    pub velero: Range,
    pub kubernetes: Vec<Version>,
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VeleroRow {
    /// `major.minor`.
    pub minor: String,
    pub expected: String,
    pub tested: Vec<Version>,
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Compat {
    /// Newest first.
    pub kots: Vec<KotsRow>,
    pub velero: Vec<VeleroRow>,
    pub restic_max: VersionSpec,
    pub kopia_min: VersionSpec,
    pub uploader_source: String,
    pub supported: Range,
    pub unsupported_from: Version,
    pub supported_source: String,
}

#[derive(Deserialize)]
struct RawRange {
    min: String,
    max: String,
}

#[derive(Deserialize)]
struct RawKots {
    kots: String,
    velero: RawRange,
    kubernetes: Vec<String>,
    source: String,
}

#[derive(Deserialize)]
struct RawVelero {
    minor: String,
    expected: String,
    tested: Vec<String>,
    source: String,
}

#[derive(Deserialize)]
struct RawMin {
    min: String,
}

#[derive(Deserialize)]
struct RawMax {
    max: String,
}

#[derive(Deserialize)]
struct RawUploader {
    restic: RawMax,
    kopia: RawMin,
    source: String,
}

#[derive(Deserialize)]
struct RawSupported {
    velero: RawRange,
    unsupported_from: String,
    source: String,
}

#[derive(Deserialize)]
struct Raw {
    kots: Vec<RawKots>,
    velero: Vec<RawVelero>,
    uploader: RawUploader,
    supported: RawSupported,
}

fn spec(s: &str) -> Result<VersionSpec, String> {
    match parse_version(s)? {
        VersionSpec::Latest => Err(format!("`{s}`: `latest` has no place in compat data")),
        v => Ok(v),
    }
}

fn exact(s: &str) -> Result<Version, String> {
    match spec(s)? {
        VersionSpec::Exact(v) => Ok(v),
        _ => Err(format!("`{s}`: expected an exact version")),
    }
}

fn range(r: &RawRange) -> Result<Range, String> {
    Ok(Range {
        min: spec(&r.min)?,
        max: spec(&r.max)?,
    })
}

/// Parse compat data from YAML text.
pub fn parse(text: &str) -> Result<Compat, String> {
    let docs = crate::yaml::parse_stream(text, &[]);
    let doc = docs.first().ok_or("compat.yaml is empty")?;
    if let Some(e) = &doc.error {
        return Err(e.message.clone());
    }
    let root = doc.root().ok_or("compat.yaml is empty")?;
    let value = crate::yaml::to_json(root).map_err(|e| e.to_string())?;
    let raw: Raw = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let mut kots = raw
        .kots
        .iter()
        .map(|r| {
            Ok(KotsRow {
                kots: exact(&r.kots)?,
                velero: range(&r.velero)?,
                kubernetes: r.kubernetes.iter().map(|k| exact(k)).collect::<Result<_, String>>()?,
                source: r.source.clone(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    kots.sort_by(|a, b| b.kots.cmp(&a.kots));
    let velero = raw
        .velero
        .iter()
        .map(|r| {
            Ok(VeleroRow {
                minor: r.minor.clone(),
                expected: r.expected.clone(),
                tested: r.tested.iter().map(|k| exact(k)).collect::<Result<_, String>>()?,
                source: r.source.clone(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Compat {
        kots,
        velero,
        restic_max: spec(&raw.uploader.restic.max)?,
        kopia_min: spec(&raw.uploader.kopia.min)?,
        uploader_source: raw.uploader.source,
        supported: range(&raw.supported.velero)?,
        unsupported_from: exact(&raw.supported.unsupported_from)?,
        supported_source: raw.supported.source,
    })
}

/// The built-in data, parsed once. The data is tested; a parse failure is a build defect.
pub fn data() -> &'static Compat {
    static DATA: OnceLock<Compat> = OnceLock::new();
    DATA.get_or_init(|| parse(COMPAT_YAML).unwrap_or_else(|e| panic!("rules/compat.yaml: {e}")))
}

/// How a Kubernetes version relates to a list of tested versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tested {
    /// Exactly one of the tested versions.
    Exact,
    /// Same minor as a tested version, another patch.
    SameMinor,
    No,
}

pub fn tested(list: &[Version], k8s: &VersionSpec) -> Tested {
    match k8s {
        VersionSpec::Exact(v) if list.contains(v) => Tested::Exact,
        VersionSpec::Exact(v) | VersionSpec::Wildcard(v) => {
            if list.iter().any(|t| t.major == v.major && t.minor == v.minor) {
                Tested::SameMinor
            } else {
                Tested::No
            }
        }
        VersionSpec::Latest => Tested::No,
    }
}

/// The uploader KOTS uses for a Velero version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Uploader {
    Restic,
    Kopia,
}

impl Compat {
    /// The row that applies to a KOTS version (the newest row at or below it). A wildcard
    /// (`1.124.x`) is taken at its oldest patch.
    pub fn kots_row(&self, kots: &VersionSpec) -> Option<&KotsRow> {
        let v = kots.lowest()?;
        self.kots.iter().find(|r| r.kots <= v)
    }

    /// The oldest KOTS row whose range holds this Velero version (`None`: no KOTS supports it).
    pub fn oldest_kots_for(&self, velero: &VersionSpec) -> Option<&KotsRow> {
        self.kots.iter().rev().find(|r| r.velero.contains(velero))
    }

    pub fn velero_row(&self, velero: &VersionSpec) -> Option<&VeleroRow> {
        let v = velero.lowest()?;
        self.velero
            .iter()
            .find(|r| r.minor == format!("{}.{}", v.major, v.minor))
    }

    /// Outside everything KOTS supports: older than 1.11.0, or 1.19 and newer.
    pub fn velero_unsupported(&self, velero: &VersionSpec) -> bool {
        velero.lowest().is_some() && !self.supported.contains(velero)
    }

    pub fn uploader(&self, velero: &VersionSpec) -> Option<Uploader> {
        let lo = velero.lowest()?;
        let kopia = self.kopia_min.lowest()?;
        Some(if lo >= kopia { Uploader::Kopia } else { Uploader::Restic })
    }

    pub fn oldest_row(&self) -> Option<&KotsRow> {
        self.kots.last()
    }

    /// Answer "does this combination work?".
    pub fn verdict(&self, kots: &VersionSpec, velero: &VersionSpec, kubernetes: Option<&VersionSpec>) -> Verdict {
        let row = self.kots_row(kots).cloned();
        let mut reasons = Vec::new();
        let mut supported = true;
        let oldest = self.oldest_row().map(|r| r.kots.to_string()).unwrap_or_default();
        match &row {
            None => {
                supported = false;
                reasons.push(format!(
                    "KOTS {kots} is older than every row of the compatibility table (the oldest is {oldest} and later)"
                ));
            }
            Some(r) => {
                reasons.push(format!(
                    "row \"{} and later\": Velero {}, tested on Kubernetes {}",
                    r.kots,
                    r.velero,
                    join(&r.kubernetes)
                ));
                if r.velero.contains(velero) {
                    reasons.push(format!("Velero {velero} is within {}", r.velero));
                } else {
                    supported = false;
                    reasons.push(format!("Velero {velero} is outside {} for this row", r.velero));
                }
            }
        }
        if self.velero_unsupported(velero) {
            reasons.push(format!(
                "KOTS supports Velero {} only; {} and newer are not supported",
                self.supported, self.unsupported_from
            ));
        }
        let velero_row = self.velero_row(velero).cloned();
        let kubernetes_tested = kubernetes.map(|k| {
            let t = row.as_ref().map_or(Tested::No, |r| tested(&r.kubernetes, k));
            match (t, &row) {
                (Tested::Exact, _) => {
                    reasons.push(format!("Kubernetes {k} is one of the versions tested for this row"))
                }
                (Tested::SameMinor, _) => reasons.push(format!(
                    "Kubernetes {k} is not in the tested list, but its minor version is"
                )),
                (Tested::No, Some(r)) => {
                    supported = false;
                    reasons.push(format!(
                        "Kubernetes {k} is not among the versions tested for this row ({})",
                        join(&r.kubernetes)
                    ));
                }
                (Tested::No, None) => {}
            }
            t
        });
        let oldest_kots = self.oldest_kots_for(velero).map(|r| r.kots.clone());
        Verdict {
            supported,
            kots: kots.to_string(),
            velero: velero.to_string(),
            kubernetes: kubernetes.map(ToString::to_string),
            row,
            reasons,
            velero_for_kots: self.kots_row(kots).map(|r| r.velero.to_string()),
            oldest_kots_for_velero: oldest_kots.map(|v| v.to_string()),
            kubernetes_tested,
            uploader: if self.velero_unsupported(velero) {
                None
            } else {
                self.uploader(velero)
            },
            velero_matrix: velero_row,
        }
    }
}

pub fn join(list: &[Version]) -> String {
    list.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// The answer to one `snaplint compat` question.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub supported: bool,
    pub kots: String,
    pub velero: String,
    pub kubernetes: Option<String>,
    /// The KOTS table row that applies.
    pub row: Option<KotsRow>,
    pub reasons: Vec<String>,
    /// The Velero versions this KOTS supports.
    pub velero_for_kots: Option<String>,
    /// The oldest KOTS that supports this Velero (`None`: none does).
    pub oldest_kots_for_velero: Option<String>,
    pub kubernetes_tested: Option<Tested>,
    pub uploader: Option<Uploader>,
    /// Velero's own Kubernetes matrix for this Velero minor.
    pub velero_matrix: Option<VeleroRow>,
}

/// Versions describing a customer's cluster (`check --kots-version ...`), for the checks.
#[derive(Debug, Clone, Default)]
pub struct ClusterVersions {
    pub kots: Option<VersionSpec>,
    pub velero: Option<VersionSpec>,
    pub kubernetes: Option<VersionSpec>,
}

#[cfg(test)]
mod tests;
