//! The whole pipeline on arbitrary bytes: load (binary / UTF-8 checks) -> mask -> parse ->
//! release index -> every rule -> reports -> fixes to a fixpoint (in memory) -> re-parse.
//!
//! Invariants checked besides "no panic": every diagnostic span lies inside its file and on
//! char boundaries; masking keeps the byte length; a fixed file never has more parse errors
//! than the original.
//!
//! Input: up to three files, separated by the line `#--snaplint-fuzz-file--`.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use snaplint::diagnostic::Diagnostic;
use snaplint::lint;
use snaplint::release::Release;
use snaplint::rules::{self, Filter, RuleSpec, RunOptions};
use snaplint::source::{SourceFile, mask_templates};

const SEP: &[u8] = b"\n#--snaplint-fuzz-file--\n";

fn rules() -> &'static [RuleSpec] {
    static RULES: OnceLock<&'static [RuleSpec]> = OnceLock::new();
    RULES.get_or_init(|| rules::builtin().expect("builtin rules"))
}

fn split(data: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = data;
    while out.len() < 2 {
        match rest.windows(SEP.len()).position(|w| w == SEP) {
            Some(i) => {
                out.push(rest[..i].to_vec());
                rest = &rest[i + SEP.len()..];
            }
            None => break,
        }
    }
    out.push(rest.to_vec());
    out
}

fn parse_errors(f: &SourceFile) -> usize {
    f.documents.iter().filter(|d| d.error.is_some()).count() + usize::from(f.problem.is_some())
}

fn check_spans(release: &Release, diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        let locs = d.location.iter().chain(d.labels.iter().map(|l| &l.location));
        for loc in locs {
            let text = &release.files[loc.file].text;
            assert!(loc.span.start <= loc.span.end, "{}: reversed span {:?}", d.rule, loc.span);
            assert!(loc.span.end <= text.len(), "{}: span {:?} past the end", d.rule, loc.span);
            assert!(
                text.is_char_boundary(loc.span.start) && text.is_char_boundary(loc.span.end),
                "{}: span {:?} off a char boundary",
                d.rule,
                loc.span
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let files: Vec<SourceFile> = split(data)
        .into_iter()
        .enumerate()
        .map(|(i, bytes)| {
            let p = PathBuf::from(format!("f{i}.yaml"));
            SourceFile::from_bytes(p.clone(), Some(p), bytes)
        })
        .collect();
    for f in &files {
        assert_eq!(mask_templates(&f.text).text.len(), f.text.len());
    }
    let before: Vec<(PathBuf, usize)> = files.iter().map(|f| (f.path.clone(), parse_errors(f))).collect();
    let release = Release::new(files, Some(PathBuf::from(".")));
    let filter = Filter::default();
    let options = RunOptions::default();
    let diagnostics = lint::lint(&release, rules(), &filter, &options);
    check_spans(&release, &diagnostics);
    let _ = snaplint::report::concise(&release, &diagnostics);
    let _ = snaplint::report::json(&release, &diagnostics);
    let _ = snaplint::report::human(&release, &diagnostics, false);

    let outcome = lint::fix(release, rules(), &filter, &options, true);
    check_spans(&outcome.release, &outcome.remaining);
    for c in &outcome.changes {
        let after = SourceFile::from_text(c.path.clone(), None, c.new.clone());
        let old = before.iter().find(|(p, _)| *p == c.path).map_or(0, |(_, n)| *n);
        assert!(
            parse_errors(&after) <= old,
            "fixes broke parsing of {}:\n--- before\n{:?}\n--- after\n{:?}",
            c.path.display(),
            c.original,
            c.new
        );
    }
});
