//! Chart archives (`.tgz`) read in memory, bounded: compressed size, entry count, total
//! unpacked bytes (a gzip bomb stops at the limit), entry paths relative without `..`, no links.
//! Nothing is ever written to disk.

use std::collections::BTreeMap;
use std::io::Read;

use flate2::read::GzDecoder;

/// Chart archives larger than this are not opened (real charts are kilobytes to a few MiB).
pub const MAX_ARCHIVE_BYTES: usize = 16 * 1024 * 1024;
/// Entries in one archive, subchart archives included.
pub const MAX_ENTRIES: usize = 10_000;
/// Bytes unpacked from one archive, subchart archives included (gzip bomb guard).
pub const MAX_UNPACKED_BYTES: u64 = 32 * 1024 * 1024;

/// What is left of the limits while reading one archive and the archives inside it.
pub struct Budget {
    pub bytes: u64,
    pub entries: usize,
}

impl Budget {
    pub fn new() -> Self {
        Budget {
            bytes: MAX_UNPACKED_BYTES,
            entries: MAX_ENTRIES,
        }
    }
}

impl Default for Budget {
    fn default() -> Self {
        Self::new()
    }
}

/// A reader that fails once more than `left` bytes were asked of it.
struct Limited<'b, R> {
    inner: R,
    budget: &'b mut Budget,
}

impl<R: Read> Read for Limited<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let n64 = n as u64;
        if n64 > self.budget.bytes {
            return Err(std::io::Error::other(format!(
                "unpacks to more than {} MiB (a gzip bomb?)",
                MAX_UNPACKED_BYTES >> 20
            )));
        }
        self.budget.bytes -= n64;
        Ok(n)
    }
}

/// Every regular file of a gzipped tar, by its path inside the archive.
pub fn read_tgz(bytes: &[u8], budget: &mut Budget) -> Result<BTreeMap<String, Vec<u8>>, String> {
    if bytes.len() > MAX_ARCHIVE_BYTES {
        return Err(format!("archive is larger than {} MiB", MAX_ARCHIVE_BYTES >> 20));
    }
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Err("not a gzip file".into());
    }
    let entries_left = budget.entries;
    let mut count = 0;
    let reader = Limited {
        inner: GzDecoder::new(bytes),
        budget,
    };
    let mut archive = tar::Archive::new(reader);
    let mut files = BTreeMap::new();
    for entry in archive.entries().map_err(|e| describe(&e))? {
        let mut entry = entry.map_err(|e| describe(&e))?;
        count += 1;
        if count > entries_left {
            return Err(format!("more than {MAX_ENTRIES} entries"));
        }
        let path =
            String::from_utf8(entry.path_bytes().into_owned()).map_err(|_| "an entry path is not UTF-8".to_owned())?;
        check_path(&path)?;
        let kind = entry.header().entry_type();
        if kind.is_symlink() || kind.is_hard_link() {
            return Err(format!("entry `{path}` is a link; charts hold regular files only"));
        }
        if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() || kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            return Err(format!("entry `{path}` is not a regular file"));
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(|e| describe(&e))?;
        files.insert(path, data);
    }
    drop(archive);
    budget.entries -= count;
    Ok(files)
}

fn describe(e: &std::io::Error) -> String {
    let s = e.to_string();
    if s.contains("gzip bomb") {
        return s;
    }
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "truncated archive (unexpected end of data)".into(),
        _ => format!("cannot read archive: {s}"),
    }
}

/// Relative, no `..`, no absolute or drive paths, no backslashes.
fn check_path(path: &str) -> Result<(), String> {
    let bad = path.starts_with('/')
        || path.contains('\\')
        || path.contains('\0')
        || path.split('/').any(|c| c == "..")
        || path.get(1..2) == Some(":");
    if bad {
        return Err(format!("entry path `{path}` escapes the archive (absolute or `..`)"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_traversal_paths() {
        assert!(check_path("chart/../../etc/passwd").is_err());
        assert!(check_path("/etc/passwd").is_err());
        assert!(check_path("chart/templates/a.yaml").is_ok());
    }

    #[test]
    fn not_gzip_is_an_error() {
        assert_eq!(read_tgz(b"hello", &mut Budget::new()).unwrap_err(), "not a gzip file");
    }
}
