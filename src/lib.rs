//! snaplint: lint Replicated KOTS releases for everything that makes KOTS snapshots (Velero
//! backup and restore) work or fail.
//!
//! Data flows one way: `source` (discover, read, mask, parse) -> `release` (index) -> `rules`
//! (checks) -> `diagnostic` -> `report` / `fix`. See DESIGN.md.

pub mod cli;
pub mod compat;
pub mod config;
pub mod diagnostic;
pub mod edit;
pub mod fix;
pub mod helm;
pub mod lint;
pub mod release;
pub mod report;
pub mod rules;
pub mod server;
pub mod source;
pub mod yaml;
