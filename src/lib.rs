//! snaplint: lint Replicated KOTS releases for everything that makes KOTS snapshots (Velero
//! backup and restore) work or fail.
//!
//! Data flows one way: `source` (discover, read, mask, parse) -> `release` (index) -> `rules`
//! (checks) -> `diagnostic` -> `report` / `fix`. See DESIGN.md.

pub mod diagnostic;
pub mod release;
pub mod rules;
pub mod source;
pub mod yaml;
pub mod cli;
pub mod config;
pub mod fix;
pub mod lint;
pub mod report;
