//! Fingerprints for SARIF `partialFingerprints` and GitLab `fingerprint`: stable across
//! unrelated edits (no line numbers), distinct for distinct findings.

use std::collections::HashMap;

use super::display_path;
use crate::diagnostic::Diagnostic;
use crate::release::Release;

/// FNV-1a, 64 bit: tiny, deterministic across platforms and Rust versions (unlike `DefaultHasher`).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// One fingerprint per diagnostic, in order: rule, file, the flagged text and its line's text
/// (whitespace collapsed), plus an occurrence counter for identical keys.
pub fn fingerprints(release: &Release, diagnostics: &[Diagnostic]) -> Vec<String> {
    let mut seen: HashMap<u64, usize> = HashMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let key = match &d.location {
                Some(loc) => {
                    let file = &release.files[loc.file];
                    let span_text = file.text.get(loc.span.clone()).unwrap_or("");
                    let line = file.lines().line_text(&file.text, file.lines().line_of(loc.span.start));
                    let line: Vec<&str> = line.split_whitespace().collect();
                    format!(
                        "{}\0{}\0{}\0{}",
                        d.rule,
                        display_path(&file.path),
                        span_text,
                        line.join(" ")
                    )
                }
                None => format!("{}\0{}", d.rule, d.message),
            };
            let h = fnv1a(key.as_bytes());
            let n = seen.entry(h).or_insert(0);
            *n += 1;
            format!("{:016x}:{}", h, n)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn fnv_is_the_reference_value() {
        assert_eq!(super::fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
