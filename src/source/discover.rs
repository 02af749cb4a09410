//! Walking the given paths for YAML files, in a stable order, honouring `exclude` globs.

use std::path::{Path, PathBuf};

use globset::GlobSet;
use walkdir::WalkDir;

use super::LoadError;

/// YAML files, and JSON files (JSON is YAML: IAM policies, CloudFormation and Terraform JSON).
pub fn is_yaml_path(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json"))
}

/// Helm chart archives (`.tgz`, `.tar.gz`), read in memory and rendered.
pub fn is_chart_archive(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".tgz") || name.ends_with(".tar.gz")
}

/// A Helm chart source directory: one holding `Chart.yaml`.
pub fn is_chart_dir(path: &Path) -> bool {
    path.join("Chart.yaml").is_file()
}

/// Every YAML file, chart archive and chart directory under `paths`. Hidden files and directories (`.git`,
/// `.snaplint.yaml`, `.github`) are skipped; a file named explicitly is always taken.
/// Directories are walked without following symlinks (so a symlink loop cannot trap the walk);
/// a symlink, FIFO or other non-directory entry with a YAML name is returned too, and
/// `SourceFile::read` decides whether it is read or skipped with a reason. Archives must be
/// regular files.
pub fn discover(paths: &[PathBuf], exclude: &GlobSet, base: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for root in paths {
        let meta = std::fs::metadata(root).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => LoadError::NotFound { path: root.clone() },
            _ => LoadError::Io {
                path: root.clone(),
                source,
            },
        })?;
        if !meta.is_dir() {
            out.push(root.clone());
            continue;
        }
        let mut walker = WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        while let Some(entry) = walker.next() {
            let entry = entry.map_err(|e| {
                let path = e.path().map_or_else(|| root.clone(), Path::to_path_buf);
                LoadError::Io { path, source: e.into() }
            })?;
            let path = entry.path();
            let kind = entry.file_type();
            if kind.is_dir() && is_chart_dir(path) {
                // A chart is rendered as a whole; its raw templates are not YAML to lint.
                if !is_excluded(path, exclude, base) {
                    out.push(path.to_path_buf());
                }
                walker.skip_current_dir();
                continue;
            }
            let wanted = (!kind.is_dir() && is_yaml_path(path)) || (kind.is_file() && is_chart_archive(path));
            if wanted && !is_excluded(path, exclude, base) {
                out.push(path.to_path_buf());
            }
        }
    }
    out.dedup();
    Ok(out)
}

fn is_excluded(path: &Path, exclude: &GlobSet, base: &Path) -> bool {
    !exclude.is_empty() && exclude.is_match(relative_to(path, base))
}

/// `path` relative to `base` (the config file's directory) when it lies under it, with no
/// leading `./`, so globs like `charts/*.yaml` match however the path was given.
pub fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (path_abs, base_abs) = (abs(path), abs(base));
    let rel = path_abs.strip_prefix(&base_abs).map_or(path, |r| r);
    rel.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}
