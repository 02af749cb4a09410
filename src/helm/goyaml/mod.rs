//! YAML and JSON exactly as Helm 3.17's Go libraries read and write them: go-yaml v2 behind
//! sigs.k8s.io/yaml (`toYaml`, values files, `fromYaml`) and `encoding/json` (`toJson`,
//! `fromJson`). Rendered manifests must match `helm template` byte for byte, so quoting, key
//! order, line folding and number formatting follow the Go code, not the YAML spec.
//!
//! Known gaps: a tab-indented line is accepted where libyaml refuses it; YAML syntax errors
//! keep saphyr's wording outside the common cases mapped to libyaml's; containers nest at
//! most 256 deep (Go allows 10,000); `toYamlPretty` (go-yaml v3) and `toToml` are not here.

pub mod decode;
pub mod emit;
pub mod json;
mod resolve;
mod sort;

pub use decode::{from_yaml, from_yaml_any, from_yaml_array};
pub use emit::to_yaml;
