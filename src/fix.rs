//! Applying fixes: non-overlapping byte edits on the original text (so comments, quoting and
//! key order survive), unified diffs, and atomic writes that refuse a file changed on disk.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::yaml::Span;

/// Apply `edits` (non-overlapping) to `text`. Returns `None` if any edit is out of bounds, off a
/// character boundary, or overlaps another.
pub fn apply_edits(text: &str, edits: &[(Span, &str)]) -> Option<String> {
    let mut sorted: Vec<_> = edits.to_vec();
    sorted.sort_by_key(|(span, _)| (span.start, span.end));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (span, replacement) in sorted {
        if span.start < pos
            || span.end < span.start
            || !text.is_char_boundary(span.start)
            || !text.is_char_boundary(span.end)
        {
            return None;
        }
        out.push_str(text.get(pos..span.start)?);
        out.push_str(replacement);
        pos = span.end;
    }
    out.push_str(text.get(pos..)?);
    Some(out)
}

/// Do two sets of edits touch overlapping bytes? Insertions at the same point also conflict,
/// since their order would be arbitrary.
pub fn overlaps(a: &[Span], b: &[Span]) -> bool {
    a.iter().any(|x| {
        b.iter()
            .any(|y| x.start < y.end && y.start < x.end || x.start == y.start)
    })
}

pub fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    let name = path.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: changed on disk since snaplint read it; not overwritten (run again)")]
    Changed { path: String },
    #[error("{path}: cannot write: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: resolves to {target}, outside the paths being fixed; not written")]
    Outside { path: String, target: String },
    #[error("{path}: read-only file; not overwritten (make it writable to fix it)")]
    ReadOnly { path: String },
}

/// Write a fixed file, but only inside `roots` (the paths snaplint was given): the real target
/// is resolved through every symlink first, refused if it lies outside, and written there, so a
/// symlink inside the release is kept and one pointing outside is never written through. A
/// read-only file is refused rather than replaced. `original` is what snaplint read.
pub fn write_checked(path: &Path, original: Option<&str>, content: &str, roots: &[PathBuf]) -> Result<(), WriteError> {
    let name = path.display().to_string();
    let target = resolve_inside(path, roots, original.is_none())?;
    if original.is_some()
        && let Ok(meta) = std::fs::metadata(&target)
        && meta.permissions().readonly()
    {
        return Err(WriteError::ReadOnly { path: name });
    }
    write_atomic_as(&name, &target, original, content)
}

/// The canonical path a write to `path` lands on, if it is inside `roots`. A directory root
/// holds everything under it; a file root holds itself, and (for `new` files, like a created
/// Backup manifest) its directory.
fn resolve_inside(path: &Path, roots: &[PathBuf], new: bool) -> Result<PathBuf, WriteError> {
    let name = path.display().to_string();
    let io = |source| WriteError::Io {
        path: name.clone(),
        source,
    };
    let target = if new {
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let file = path
            .file_name()
            .ok_or_else(|| io(std::io::ErrorKind::InvalidInput.into()))?;
        std::fs::canonicalize(parent).map_err(io)?.join(file)
    } else {
        std::fs::canonicalize(path).map_err(io)?
    };
    let inside = roots.iter().any(|root| {
        let Ok(root) = std::fs::canonicalize(root) else {
            return false;
        };
        if root.is_dir() {
            target.starts_with(&root)
        } else {
            target == root || new && target.parent() == root.parent()
        }
    });
    if inside {
        Ok(target)
    } else {
        Err(WriteError::Outside {
            path: name,
            target: target.display().to_string(),
        })
    }
}

/// Write `content` to `path` through a temp file in the same directory and a rename, keeping
/// the file's permissions. `original` is what snaplint read: if the file now differs, refuse.
/// A new file (`original` is `None`) must not exist yet.
pub fn write_atomic(path: &Path, original: Option<&str>, content: &str) -> Result<(), WriteError> {
    write_atomic_as(&path.display().to_string(), path, original, content)
}

/// [`write_atomic`], naming the file `name` in errors.
fn write_atomic_as(name: &str, path: &Path, original: Option<&str>, content: &str) -> Result<(), WriteError> {
    let name = name.to_owned();
    let io = |source| WriteError::Io {
        path: name.clone(),
        source,
    };
    let current = std::fs::read(path);
    let unchanged = match (original, &current) {
        (Some(orig), Ok(bytes)) => bytes == orig.as_bytes(),
        (None, Err(e)) => e.kind() == std::io::ErrorKind::NotFound,
        _ => false,
    };
    if !unchanged {
        return Err(WriteError::Changed { path: name });
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(content.as_bytes()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions()).map_err(io)?;
    }
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_sorted_edits_and_refuses_overlap() {
        let text = "a: 1\nb: 2\n";
        assert_eq!(apply_edits(text, &[(8..9, "3"), (3..4, "x")]).unwrap(), "a: x\nb: 3\n");
        assert!(apply_edits(text, &[(0..4, "z"), (2..5, "y")]).is_none());
        assert!(apply_edits(text, &[(0..100, "z")]).is_none());
    }

    #[test]
    fn atomic_write_keeps_mode_and_refuses_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "a: 1\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomic(&path, Some("a: 1\n"), "a: 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a: 2\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
        }
        let err = write_atomic(&path, Some("a: 1\n"), "a: 3\n").unwrap_err();
        assert!(matches!(err, WriteError::Changed { .. }));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a: 2\n");
    }
}
