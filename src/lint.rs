//! One lint run: load the release once, run the rules, and (with fixes) iterate apply ->
//! re-parse -> re-lint in memory until nothing changes, before anything touches the disk.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use globset::GlobSet;
use rayon::prelude::*;

use crate::diagnostic::{Applicability, Diagnostic, EditTarget, Fix};
use crate::fix::{apply_edits, overlaps};
use crate::release::Release;
use crate::rules::{self, Filter, RuleSpec, RunOptions};
use crate::source::{LoadError, SourceFile, discover, is_chart_archive, split_stdin};
use crate::yaml::Span;

/// Passes of fix -> re-lint before giving up on reaching a fixpoint.
const MAX_FIX_PASSES: usize = 10;

pub enum Input<'a> {
    Paths {
        paths: &'a [PathBuf],
        exclude: &'a GlobSet,
        base: &'a Path,
    },
    Stdin(String),
}

pub fn load(input: Input<'_>) -> Result<Release, LoadError> {
    match input {
        Input::Stdin(text) => Ok(Release::new(split_stdin(&text), None)),
        Input::Paths { paths, exclude, base } => {
            let found = discover(paths, exclude, base)?;
            let (archives, plain): (Vec<_>, Vec<_>) = found.into_iter().partition(|p| is_chart_archive(p));
            // Reading and parsing dominate; files are independent, so do them in parallel.
            // `collect` keeps discovery order, so everything downstream stays deterministic.
            let mut files = plain
                .par_iter()
                .map(|p| SourceFile::read(p))
                .collect::<Result<Vec<_>, _>>()?;
            let archives = archives
                .into_iter()
                .map(|p| {
                    let bytes = read_archive(&p);
                    (p, bytes)
                })
                .collect();
            let charts = crate::helm::load_archives(&mut files, archives);
            let root = paths.first().map(|p| {
                if p.is_dir() {
                    p.clone()
                } else {
                    p.parent().map(Path::to_path_buf).unwrap_or_default()
                }
            });
            let mut release = Release::new(files, root);
            release.charts = charts;
            Ok(release)
        }
    }
}

/// An archive's bytes, refusing one too large to be a chart before reading it.
fn read_archive(path: &Path) -> Result<Vec<u8>, String> {
    let len = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?.len();
    if len > crate::helm::archive::MAX_ARCHIVE_BYTES as u64 {
        return Err(format!(
            "archive is larger than {} MiB",
            crate::helm::archive::MAX_ARCHIVE_BYTES >> 20
        ));
    }
    std::fs::read(path).map_err(|e| format!("cannot read: {e}"))
}

pub fn lint(release: &Release, rules: &[RuleSpec], filter: &Filter, options: &RunOptions) -> Vec<Diagnostic> {
    rules::run(release, rules, filter, options)
}

/// A file the fixes changed or created.
pub struct Change {
    pub path: PathBuf,
    pub disk: Option<PathBuf>,
    /// `None` for a file the fixes create.
    pub original: Option<String>,
    pub new: String,
}

pub struct FixOutcome {
    pub applied: usize,
    /// Fixes dropped because they would have broken parsing, with the rule ID.
    pub dropped: Vec<String>,
    pub changes: Vec<Change>,
    pub release: Release,
    pub remaining: Vec<Diagnostic>,
}

fn allowed(fix: &Fix, unsafe_fixes: bool) -> bool {
    fix.applicability == Applicability::Safe || unsafe_fixes
}

/// Apply fixes to a fixpoint, in memory. Nothing is written here.
pub fn fix(
    release: Release,
    rules: &[RuleSpec],
    filter: &Filter,
    options: &RunOptions,
    unsafe_fixes: bool,
) -> FixOutcome {
    let originals: Vec<(PathBuf, Option<PathBuf>, String)> = release
        .files
        .iter()
        .map(|f| (f.path.clone(), f.disk.clone(), f.text.clone()))
        .collect();
    let mut release = release;
    let mut applied = 0;
    let mut dropped = Vec::new();
    let mut refused: HashSet<(String, String)> = HashSet::new();
    let mut diagnostics = lint(&release, rules, filter, options);
    for _ in 0..MAX_FIX_PASSES {
        let (next, n) = apply_pass(release, &diagnostics, unsafe_fixes, &mut dropped, &mut refused);
        release = next;
        if n == 0 {
            break;
        }
        applied += n;
        diagnostics = lint(&release, rules, filter, options);
    }
    let changes = release
        .files
        .iter()
        .filter_map(|f| {
            let orig = originals.iter().find(|(p, _, _)| *p == f.path);
            match orig {
                Some((_, _, text)) if *text == f.text => None,
                Some((_, disk, text)) => Some(Change {
                    path: f.path.clone(),
                    disk: disk.clone(),
                    original: Some(text.clone()),
                    new: f.text.clone(),
                }),
                None => Some(Change {
                    path: f.path.clone(),
                    disk: f.disk.clone(),
                    original: None,
                    new: f.text.clone(),
                }),
            }
        })
        .collect();
    FixOutcome {
        applied,
        dropped,
        changes,
        release,
        remaining: diagnostics,
    }
}

fn parse_errors(file: &SourceFile) -> usize {
    file.documents.iter().filter(|d| d.error.is_some()).count()
}

/// One pass: take each allowed fix whose edits do not overlap one already taken, apply them
/// all, rebuild the release. Fixes are first taken without checking them one by one, and the
/// changed files are parsed once; only when a file parses worse than before is the pass redone
/// checking each fix alone (dropping the ones that break parsing).
fn apply_pass(
    release: Release,
    diagnostics: &[Diagnostic],
    unsafe_fixes: bool,
    dropped: &mut Vec<String>,
    refused: &mut HashSet<(String, String)>,
) -> (Release, usize) {
    for check_each in [false, true] {
        let mut taken: Vec<Vec<(Span, String)>> = vec![Vec::new(); release.files.len()];
        let mut new_files: Vec<(PathBuf, String)> = Vec::new();
        let mut count = 0;
        for d in diagnostics {
            let Some(fix) = d.fix.as_ref().filter(|f| allowed(f, unsafe_fixes)) else {
                continue;
            };
            let key = (d.rule.clone(), d.message.clone());
            if refused.contains(&key) {
                continue;
            }
            if try_take(&release, fix, check_each, &mut taken, &mut new_files) {
                count += 1;
            } else if check_each && fix_breaks_parsing(&release, fix) {
                refused.insert(key);
                dropped.push(d.rule.clone());
            }
        }
        if count == 0 {
            return (release, 0);
        }
        if let Some(changed) = changed_files(&release, &taken, &new_files, check_each) {
            return (rebuild(release, changed), count);
        }
    }
    // Not reached: the checked pass trusts what it took. Applying nothing is the safe answer.
    (release, 0)
}

/// The re-parsed changed files (by index; new files appended), or `None` if one parses worse.
fn changed_files(
    release: &Release,
    taken: &[Vec<(Span, String)>],
    new_files: &[(PathBuf, String)],
    trusted: bool,
) -> Option<Vec<(Option<usize>, SourceFile)>> {
    let mut out = Vec::new();
    for (id, edits) in taken.iter().enumerate().filter(|(_, e)| !e.is_empty()) {
        let file = &release.files[id];
        let refs: Vec<(Span, &str)> = edits.iter().map(|(s, t)| (s.clone(), t.as_str())).collect();
        let Some(text) = apply_edits(&file.text, &refs) else {
            continue;
        };
        let next = SourceFile::from_text(file.path.clone(), file.disk.clone(), text);
        if !trusted && parse_errors(&next) > parse_errors(file) {
            return None;
        }
        out.push((Some(id), next));
    }
    for (path, text) in new_files {
        let next = SourceFile::from_text(path.clone(), Some(path.clone()), text.clone());
        if !trusted && parse_errors(&next) > 0 {
            return None;
        }
        out.push((None, next));
    }
    Some(out)
}

fn rebuild(release: Release, changed: Vec<(Option<usize>, SourceFile)>) -> Release {
    let root = release.root.clone();
    let charts = release.charts.clone();
    let mut files: Vec<Option<SourceFile>> = release.files.into_iter().map(Some).collect();
    let mut added = Vec::new();
    for (id, file) in changed {
        match id {
            Some(id) => files[id] = Some(file),
            None => added.push(file),
        }
    }
    let files: Vec<SourceFile> = files.into_iter().flatten().chain(added).collect();
    let mut next = Release::new(files, root);
    next.charts = charts;
    next
}

fn try_take(
    release: &Release,
    fix: &Fix,
    check_parse: bool,
    taken: &mut [Vec<(Span, String)>],
    new_files: &mut Vec<(PathBuf, String)>,
) -> bool {
    for edit in &fix.edits {
        match &edit.target {
            EditTarget::File(id) => {
                let spans: Vec<Span> = taken[*id].iter().map(|(s, _)| s.clone()).collect();
                if overlaps(&spans, std::slice::from_ref(&edit.span)) {
                    return false;
                }
            }
            EditTarget::NewFile(p) => {
                if new_files.iter().any(|(q, _)| q == p) || release.files.iter().any(|f| f.path == *p) {
                    return false;
                }
            }
        }
    }
    if check_parse && fix_breaks_parsing(release, fix) {
        return false;
    }
    for edit in &fix.edits {
        match &edit.target {
            EditTarget::File(id) => taken[*id].push((edit.span.clone(), edit.text.clone())),
            EditTarget::NewFile(p) => new_files.push((p.clone(), edit.text.clone())),
        }
    }
    true
}

/// Would this fix alone leave a file with more parse errors than it has now?
fn fix_breaks_parsing(release: &Release, fix: &Fix) -> bool {
    let mut by_file: Vec<(usize, Vec<(Span, &str)>)> = Vec::new();
    for edit in &fix.edits {
        match &edit.target {
            EditTarget::File(id) => match by_file.iter_mut().find(|(f, _)| f == id) {
                Some((_, v)) => v.push((edit.span.clone(), &edit.text)),
                None => by_file.push((*id, vec![(edit.span.clone(), &edit.text)])),
            },
            EditTarget::NewFile(p) => {
                let f = SourceFile::from_text(p.clone(), None, edit.text.clone());
                if parse_errors(&f) > 0 {
                    return true;
                }
            }
        }
    }
    by_file.into_iter().any(|(id, edits)| {
        let file = &release.files[id];
        match apply_edits(&file.text, &edits) {
            Some(text) => parse_errors(&SourceFile::from_text(file.path.clone(), None, text)) > parse_errors(file),
            None => true,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Edit, Severity};

    fn diagnostic(rule: &str, edit: Edit) -> Diagnostic {
        Diagnostic {
            rule: rule.into(),
            name: "test".into(),
            severity: Severity::Error,
            message: format!("{rule} finding"),
            location: None,
            labels: Vec::new(),
            help: None,
            fix: Some(Fix {
                applicability: Applicability::Safe,
                description: "test".into(),
                edits: vec![edit],
            }),
        }
    }

    #[test]
    fn a_fix_that_breaks_parsing_is_dropped_and_the_others_applied() {
        let files = vec![
            SourceFile::from_text("a.yaml".into(), None, "a: 1 # keep\n".into()),
            SourceFile::from_text("b.yaml".into(), None, "b: 2\n".into()),
        ];
        let release = Release::new(files, None);
        let good = diagnostic("GOOD", Edit::replace(1, 3..4, "3"));
        let bad = diagnostic("BAD", Edit::replace(0, 3..4, "[unclosed"));
        let (mut dropped, mut refused) = (Vec::new(), HashSet::new());
        let (next, applied) = apply_pass(release, &[bad, good], false, &mut dropped, &mut refused);
        assert_eq!(applied, 1);
        assert_eq!(dropped, ["BAD"]);
        assert_eq!(next.files[0].text, "a: 1 # keep\n");
        assert_eq!(next.files[1].text, "b: 3\n");
    }
}
