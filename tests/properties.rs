//! Property tests: template masking keeps every byte offset; every diagnostic's span (and every
//! fix edit's) lies inside its file on char boundaries; applying all fixes is idempotent and
//! never adds a parse error. Inputs are lines of the rule fixtures, shuffled, re-indented and
//! salted with templates, multi-byte text, tabs, CRLF and BOMs.

use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;
use snaplint::diagnostic::{Diagnostic, EditTarget};
use snaplint::lint;
use snaplint::release::Release;
use snaplint::rules::{self, Filter, RunOptions};
use snaplint::source::{SourceFile, mask_templates};

/// Every rule fixture file, as lines.
fn files() -> &'static [Vec<String>] {
    static FILES: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    FILES.get_or_init(|| {
        let mut files = Vec::new();
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/rules");
        for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(entry.path()).unwrap();
                files.push(text.lines().map(str::to_owned).collect());
            }
        }
        files
    })
}

/// Every line of every rule fixture.
fn pool() -> &'static [String] {
    static POOL: OnceLock<Vec<String>> = OnceLock::new();
    POOL.get_or_init(|| files().concat())
}

fn salt() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("{{ .Values.x }}".to_owned()),
        Just("repl{{ ConfigOption \"v\" }}".to_owned()),
        Just("{{- if .Values.on }}".to_owned()),
        Just("café 日本 🎉".to_owned()),
        Just("\t".to_owned()),
        Just("---".to_owned()),
        Just("&a [x]".to_owned()),
        Just("*a".to_owned()),
        Just("# snaplint-ignore: VOL001".to_owned()),
        "[ -~éß日]{0,12}",
    ]
}

/// One line: a fixture line, maybe re-indented, maybe with salt appended.
fn line() -> impl Strategy<Value = String> {
    let n = pool().len();
    (0..n, 0..3usize, proptest::option::weighted(0.2, salt())).prop_map(|(i, shift, salt)| {
        let mut l = pool()[i].clone();
        if shift == 1 {
            l.insert_str(0, "  ");
        } else if shift == 2 && l.starts_with("  ") {
            l.drain(..2);
        }
        if let Some(s) = salt {
            l.push(' ');
            l.push_str(&s);
        }
        l
    })
}

/// A file: a rule fixture (so mostly real YAML with real findings and fixes), sometimes with
/// a few lines inserted or dropped, with LF or CRLF, maybe a BOM, maybe no trailing newline.
fn file() -> impl Strategy<Value = String> {
    let n = files().len();
    (
        0..n,
        proptest::collection::vec((0..60usize, line()), 0..3).prop_map(|v| if v.len() == 2 { Vec::new() } else { v }),
        proptest::option::weighted(0.2, 0..60usize),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(pick, inserts, drop, crlf, bom, final_newline)| {
            let mut lines: Vec<String> = files()[pick].clone();
            if let Some(d) = drop.filter(|d| *d < lines.len()) {
                lines.remove(d);
            }
            for (at, l) in inserts {
                lines.insert(at.min(lines.len()), l);
            }
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = lines.join(eol);
            if final_newline {
                text.push_str(eol);
            }
            if bom {
                text.insert(0, '\u{feff}');
            }
            text
        })
}

fn release(texts: &[String]) -> Release {
    let files = texts
        .iter()
        .enumerate()
        .map(|(i, t)| SourceFile::from_text(format!("f{i}.yaml").into(), None, t.clone()))
        .collect();
    Release::new(files, Some(".".into()))
}

fn parse_errors(f: &SourceFile) -> usize {
    f.documents.iter().filter(|d| d.error.is_some()).count()
}

fn check_spans(release: &Release, diagnostics: &[Diagnostic]) -> Result<(), TestCaseError> {
    for d in diagnostics {
        let mut spans: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
        spans.extend(d.location.iter().map(|l| (l.file, l.span.clone())));
        spans.extend(d.labels.iter().map(|l| (l.location.file, l.location.span.clone())));
        for e in d.fix.iter().flat_map(|f| &f.edits) {
            if let EditTarget::File(id) = e.target {
                spans.push((id, e.span.clone()));
            }
        }
        for (file, span) in spans {
            let text = &release.files[file].text;
            prop_assert!(
                span.start <= span.end && span.end <= text.len(),
                "{}: {span:?} outside",
                d.rule
            );
            prop_assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "{}: {span:?} off a char boundary",
                d.rule
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn masking_keeps_length_and_offsets(text in proptest::collection::vec(prop_oneof![salt(), line()], 0..12)
        .prop_map(|v| v.join("\n"))) {
        let masked = mask_templates(&text);
        prop_assert_eq!(masked.text.len(), text.len());
        let (a, b) = (text.as_bytes(), masked.text.as_bytes());
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            let inside = masked.templates.iter().any(|t| t.contains(&i));
            if inside {
                prop_assert!(
                    matches!(*y, b'x' | b'#') || (*y == *x && matches!(*x, b'\n' | b'\r')),
                    "byte {} in a template became {:?}", i, *y as char
                );
            } else {
                prop_assert_eq!(x, y, "byte {} outside templates changed", i);
            }
        }
        for t in &masked.templates {
            prop_assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        }
    }

    #[test]
    fn diagnostic_spans_are_inside_and_on_char_boundaries(texts in proptest::collection::vec(file(), 1..4)) {
        let rules = rules::builtin().unwrap();
        let release = release(&texts);
        let diagnostics = lint::lint(&release, rules, &Filter::default(), &RunOptions::default());
        check_spans(&release, &diagnostics)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn fixes_are_idempotent_and_keep_parsing(texts in proptest::collection::vec(file(), 1..3)) {
        let rules = rules::builtin().unwrap();
        let (filter, options) = (Filter::default(), RunOptions::default());
        let before = release(&texts);
        let errors_before: Vec<usize> = before.files.iter().map(parse_errors).collect();
        let once = lint::fix(before, rules, &filter, &options, true);
        check_spans(&once.release, &once.remaining)?;
        for (i, f) in once.release.files.iter().enumerate() {
            let limit = errors_before.get(i).copied().unwrap_or(0);
            prop_assert!(parse_errors(f) <= limit, "fixes broke {}:\n{}", f.path.display(), f.text);
        }
        let texts_once: Vec<(PathBuf, String)> =
            once.release.files.iter().map(|f| (f.path.clone(), f.text.to_string())).collect();
        let twice = lint::fix(once.release, rules, &filter, &options, true);
        prop_assert!(
            twice.changes.is_empty(),
            "a second fix run still changed {:?}",
            twice.changes.iter().map(|c| (&c.path, &c.new)).collect::<Vec<_>>()
        );
        let texts_twice: Vec<(PathBuf, String)> =
            twice.release.files.iter().map(|f| (f.path.clone(), f.text.to_string())).collect();
        prop_assert_eq!(texts_once, texts_twice);
    }
}
