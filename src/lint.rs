//! One lint run: load the release once, run the rules, and (with fixes) iterate apply ->
//! re-parse -> re-lint in memory until nothing changes, before anything touches the disk.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use globset::GlobSet;
use rayon::prelude::*;

use crate::diagnostic::{Applicability, Diagnostic, Edit, EditTarget, Fix};
use crate::fix::{WriteError, apply_edits, overlaps, write_checked};
use crate::helm::{ChartSource, Engine};
use crate::release::Release;
use crate::rules::{self, Filter, RuleSpec, RunOptions};
use crate::source::{
    Limits, LoadError, Loaded, Skipped, SourceFile, discover, is_chart_archive, is_chart_dir, split_stdin_limited,
};
use crate::yaml::Span;

/// Passes of fix -> re-lint before giving up on reaching a fixpoint.
pub const MAX_FIX_PASSES: usize = 10;

pub enum Input<'a> {
    Paths {
        paths: &'a [PathBuf],
        exclude: &'a GlobSet,
        base: &'a Path,
    },
    Stdin(String),
}

pub fn load(input: Input<'_>) -> Result<Release, LoadError> {
    load_with(input, &Limits::default())
}

/// [`load`] under `.snaplint.yaml` `limits:`. Paths that are not read (a FIFO, a broken
/// symlink) are in `Release::skipped` with the reason.
pub fn load_with(input: Input<'_>, limits: &Limits) -> Result<Release, LoadError> {
    load_rendered_by(input, limits, &Engine::Builtin)
}

/// [`load_with`], charts rendered by `engine`.
pub fn load_rendered_by(input: Input<'_>, limits: &Limits, engine: &Engine) -> Result<Release, LoadError> {
    match input {
        Input::Stdin(text) => Ok(Release::new(split_stdin_limited(&text, limits), None)),
        Input::Paths { paths, exclude, base } => {
            let found = discover(paths, exclude, base)?;
            let (charts, plain): (Vec<_>, Vec<_>) =
                found.into_iter().partition(|p| is_chart_archive(p) || is_chart_dir(p));
            let mut skipped = Vec::new();
            // A symlink to a file that is also linted directly is read once: twice would
            // double its findings and make --fix write it twice.
            let mut seen: HashMap<PathBuf, PathBuf> = HashMap::new();
            let mut unique = Vec::new();
            for p in plain {
                if let Ok(real) = std::fs::canonicalize(&p) {
                    if let Some(first) = seen.get(&real) {
                        let reason = format!("the same file as {}, which is linted", first.display());
                        skipped.push(Skipped {
                            path: p.clone(),
                            reason,
                        });
                        continue;
                    }
                    seen.insert(real, p.clone());
                }
                unique.push(p);
            }
            // Reading and parsing dominate; files are independent, so do them in parallel.
            // `collect` keeps discovery order, so everything downstream stays deterministic.
            let loaded = unique
                .par_iter()
                .map(|p| SourceFile::read(p, limits))
                .collect::<Result<Vec<_>, _>>()?;
            let mut files = Vec::new();
            for l in loaded {
                match l {
                    Loaded::File(f) => files.push(*f),
                    Loaded::Skipped(s) => skipped.push(s),
                }
            }
            let charts: Vec<(PathBuf, ChartSource)> = charts
                .into_iter()
                .map(|p| {
                    let source = if is_chart_dir(&p) {
                        ChartSource::Dir
                    } else {
                        ChartSource::Archive(read_archive(&p, limits.max_archive_size))
                    };
                    (p, source)
                })
                .collect();
            let records = crate::helm::load_charts(&mut files, &charts, engine, limits);
            let root = paths.first().map(|p| {
                if p.is_dir() {
                    p.clone()
                } else {
                    p.parent().map(Path::to_path_buf).unwrap_or_default()
                }
            });
            let mut release = Release::new(files, root);
            release.skipped = skipped;
            release.charts = records;
            release.chart_sources = charts;
            release.engine = engine.clone();
            release.limits = *limits;
            Ok(release)
        }
    }
}

/// An archive's bytes, refusing one too large to be a chart before reading it.
fn read_archive(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let len = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?.len();
    if len > max {
        return Err(format!(
            "archive is larger than {} MiB (limits.max-archive-size)",
            max >> 20
        ));
    }
    std::fs::read(path).map_err(|e| format!("cannot read: {e}"))
}

/// A release of `files` with `release`'s charts and settings: a copy to change in memory.
pub fn with_files(release: &Release, files: Vec<SourceFile>) -> Release {
    let mut next = Release::new(files, release.root.clone());
    next.charts = release.charts.clone();
    next.chart_sources = release.chart_sources.clone();
    next.engine = release.engine.clone();
    next.limits = release.limits;
    next.skipped = release.skipped.clone();
    next
}

/// The release with `path`'s text replaced by `text` (an editor's unsaved buffer), or added
/// when the release does not hold it; and that file's index.
pub fn with_buffer(release: Release, path: &Path, text: String) -> (Release, usize) {
    let wanted = std::fs::canonicalize(path).ok();
    let same = |f: &SourceFile| {
        f.chart.is_none()
            && f.disk
                .as_ref()
                .is_some_and(|d| d == path || wanted.is_some() && std::fs::canonicalize(d).ok() == wanted)
    };
    let existing = release.files.iter().position(same);
    let limits = existing.map_or(release.limits, |i| release.files[i].limits);
    let file = SourceFile::from_text_limited(
        existing.map_or_else(|| path.to_path_buf(), |i| release.files[i].path.clone()),
        Some(path.to_path_buf()),
        text,
        limits,
    );
    let release = rebuild(release, vec![(existing, file)]);
    // Charts configured by the buffer render again, after the release's own files.
    let at = release
        .files
        .iter()
        .position(|f| f.chart.is_none() && f.disk.as_deref() == Some(path))
        .unwrap_or(0);
    (release, at)
}

pub fn lint(release: &Release, rules: &[RuleSpec], filter: &Filter, options: &RunOptions) -> Vec<Diagnostic> {
    let mut diagnostics = rules::run(release, rules, filter, options);
    let t = std::time::Instant::now();
    drop_unappliable(release, &mut diagnostics);
    if std::env::var_os("SNAPLINT_TIMINGS").is_some() {
        eprintln!("{:>9.2} ms checking fixes apply", t.elapsed().as_secs_f64() * 1e3);
    }
    diagnostics
}

/// A finding is fixable only if its fix applies: a fix whose edits would leave a file parsing
/// worse than before is taken off its finding, so no output calls it fixable.
fn drop_unappliable(release: &Release, diagnostics: &mut [Diagnostic]) {
    // Findings often share one fix (every lost volume of a pod): check each distinct one once.
    let unique: HashSet<&[Edit]> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref().map(|f| f.edits.as_slice()))
        .collect();
    let no_taken: Vec<Vec<(Span, String)>> = vec![Vec::new(); release.files.len()];
    let broken: HashSet<Vec<Edit>> = unique
        .into_par_iter()
        .filter(|edits| {
            let fix = Fix {
                description: String::new(),
                applicability: Applicability::Safe,
                edits: edits.to_vec(),
            };
            fix_breaks_parsing(release, &keep_line_endings(release, &fix), &no_taken)
        })
        .map(<[Edit]>::to_vec)
        .collect();
    if broken.is_empty() {
        return;
    }
    for d in diagnostics.iter_mut() {
        if d.fix.as_ref().is_some_and(|f| broken.contains(&f.edits)) {
            d.fix = None;
        }
    }
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
    /// Every pass applied fixes and more were still offered: no fixpoint was reached.
    pub exhausted: bool,
    /// Fixes dropped because they would have broken parsing, with the rule ID.
    pub dropped: Vec<String>,
    pub changes: Vec<Change>,
    pub release: Release,
    pub remaining: Vec<Diagnostic>,
}

/// Write every changed file that lives on disk, each on its own: a file that cannot be written
/// (read-only, changed since it was read, outside `roots`) is an error for that file only.
/// The errors come with the index of their change.
pub fn write_changes(changes: &[Change], roots: &[PathBuf]) -> Vec<(usize, WriteError)> {
    changes
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let disk = c.disk.as_ref()?;
            write_checked(disk, c.original.as_deref(), &c.new, roots)
                .err()
                .map(|e| (i, e))
        })
        .collect()
}

/// The release as it stands on disk when the changes `unwritten` were not written, and its
/// findings: those files keep their old text, and their findings remain.
pub fn remaining_after(
    outcome: FixOutcome,
    unwritten: &[usize],
    rules: &[RuleSpec],
    filter: &Filter,
    options: &RunOptions,
) -> (Release, Vec<Diagnostic>) {
    if unwritten.is_empty() {
        return (outcome.release, outcome.remaining);
    }
    let mut release = outcome.release;
    let mut reverted = Vec::new();
    let mut not_created: Vec<usize> = Vec::new();
    for &i in unwritten {
        let c = &outcome.changes[i];
        let Some(id) = release.files.iter().position(|f| f.path == c.path) else {
            continue;
        };
        match &c.original {
            Some(text) => {
                let f = &release.files[id];
                let old = SourceFile::from_text_limited(f.path.clone(), f.disk.clone(), text.clone(), f.limits);
                reverted.push((Some(id), old));
            }
            None => not_created.push(id),
        }
    }
    // Files the fixes create come after the release's own, so removing them (last first)
    // leaves the indices of the reverted files as they are.
    not_created.sort_unstable();
    for id in not_created.into_iter().rev() {
        release.files.remove(id);
    }
    let release = rebuild(release, reverted);
    let diagnostics = lint(&release, rules, filter, options);
    (release, diagnostics)
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
    let originals: Vec<(PathBuf, Option<PathBuf>, std::sync::Arc<str>)> = release
        .files
        .iter()
        .map(|f| (f.path.clone(), f.disk.clone(), f.text.clone()))
        .collect();
    let mut release = release;
    let mut applied = 0;
    let mut dropped = Vec::new();
    let mut refused: HashSet<(String, String)> = HashSet::new();
    let mut diagnostics = lint(&release, rules, filter, options);
    let mut exhausted = true;
    for _ in 0..MAX_FIX_PASSES {
        let (next, n) = apply_pass(release, &diagnostics, unsafe_fixes, &mut dropped, &mut refused);
        release = next;
        if n == 0 {
            exhausted = false;
            break;
        }
        applied += n;
        diagnostics = lint(&release, rules, filter, options);
    }
    let offered = diagnostics
        .iter()
        .any(|d| d.fix.as_ref().is_some_and(|f| allowed(f, unsafe_fixes)));
    exhausted &= offered;
    // Rendered chart output changes with the values; only the files themselves are changes.
    let changes = release
        .files
        .iter()
        .filter(|f| f.chart.is_none())
        .filter_map(|f| {
            let orig = originals.iter().find(|(p, _, _)| *p == f.path);
            match orig {
                Some((_, _, text)) if *text == f.text => None,
                Some((_, disk, text)) => Some(Change {
                    path: f.path.clone(),
                    disk: disk.clone(),
                    original: Some(text.to_string()),
                    new: f.text.to_string(),
                }),
                None => Some(Change {
                    path: f.path.clone(),
                    disk: f.disk.clone(),
                    original: None,
                    new: f.text.to_string(),
                }),
            }
        })
        .collect();
    FixOutcome {
        applied,
        exhausted,
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
    let no_taken: Vec<Vec<(Span, String)>> = vec![Vec::new(); release.files.len()];
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
            let fix = &keep_line_endings(&release, fix);
            if try_take(&release, fix, check_each, &mut taken, &mut new_files) {
                count += 1;
            } else if check_each && fix_breaks_parsing(&release, fix, &no_taken) {
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
        let next = SourceFile::from_text_limited(file.path.clone(), file.disk.clone(), text, file.limits);
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
    let values_file = |id: usize| release.charts.iter().any(|c| c.values_file == Some(id));
    let values_changed = changed.iter().any(|(id, f)| {
        configures_charts(f) || id.is_some_and(|i| configures_charts(&release.files[i]) || values_file(i))
    });
    let Release {
        files,
        root,
        charts,
        chart_sources,
        engine,
        limits,
        skipped,
        ..
    } = release;
    let mut files: Vec<Option<SourceFile>> = files.into_iter().map(Some).collect();
    let mut added = Vec::new();
    for (id, file) in changed {
        match id {
            Some(id) => files[id] = Some(file),
            None => added.push(file),
        }
    }
    let (files, charts) = if values_changed {
        // The charts render again with the new values: their files go and come back after
        // the release's own files, whose indices stay as they were.
        let placeholders: HashSet<usize> = charts.iter().map(|c| c.file).collect();
        let mut files: Vec<SourceFile> = files
            .into_iter()
            .enumerate()
            .filter_map(|(id, f)| f.filter(|f| f.chart.is_none() && !placeholders.contains(&id)))
            .chain(added)
            .collect();
        let charts = crate::helm::load_charts(&mut files, &chart_sources, &engine, &limits);
        (files, charts)
    } else {
        (files.into_iter().flatten().chain(added).collect(), charts)
    };
    let mut next = Release::new(files, root);
    next.charts = charts;
    next.chart_sources = chart_sources;
    next.engine = engine;
    next.limits = limits;
    next.skipped = skipped;
    next
}

/// Does the file hold a KOTS HelmChart, whose values the charts render with?
fn configures_charts(file: &SourceFile) -> bool {
    !crate::helm::helm_charts(std::slice::from_ref(file)).is_empty()
}

/// Fixes insert `\n` line breaks; in a file with CRLF line endings they become `\r\n`, so a
/// fix never leaves a file with mixed endings.
fn keep_line_endings(release: &Release, fix: &Fix) -> Fix {
    let mut fix = fix.clone();
    for edit in &mut fix.edits {
        let EditTarget::File(id) = edit.target else { continue };
        if uses_crlf(&release.files[id].text) && edit.text.contains('\n') {
            edit.text = to_crlf(&edit.text);
        }
    }
    fix
}

/// Does the file's first line break use CRLF?
fn uses_crlf(text: &str) -> bool {
    text.find('\n')
        .is_some_and(|i| i > 0 && text.as_bytes()[i - 1] == b'\r')
}

fn to_crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut prev = '\0';
    for c in text.chars() {
        if c == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(c);
        prev = c;
    }
    out
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
    // Checked together with the fixes already taken in this pass: two fixes that are fine alone
    // can clash (two misspelled keys both renamed to the same key is a duplicate key).
    if check_parse && fix_breaks_parsing(release, fix, taken) {
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

/// Would this fix, on top of the edits already `taken` in this pass, leave a file with more
/// parse errors than it has now?
fn fix_breaks_parsing(release: &Release, fix: &Fix, taken: &[Vec<(Span, String)>]) -> bool {
    let mut by_file: Vec<(usize, Vec<(Span, &str)>)> = Vec::new();
    for edit in &fix.edits {
        match &edit.target {
            EditTarget::File(id) => match by_file.iter_mut().find(|(f, _)| f == id) {
                Some((_, v)) => v.push((edit.span.clone(), &edit.text)),
                None => {
                    let mut v: Vec<(Span, &str)> = taken[*id].iter().map(|(s, t)| (s.clone(), t.as_str())).collect();
                    v.push((edit.span.clone(), &edit.text));
                    by_file.push((*id, v));
                }
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
        errors_after(file, &edits).is_none_or(|n| n > parse_errors(file))
    })
}

/// The file's parse errors once `edits` are applied (`None`: they do not apply). Only the
/// document they fall in is parsed again when that tells the same.
fn errors_after(file: &SourceFile, edits: &[(Span, &str)]) -> Option<usize> {
    if let Some(piece) = file.piece_holding(edits.iter().map(|(s, _)| s)) {
        let local: Vec<(Span, &str)> = edits
            .iter()
            .map(|(s, t)| (s.start - piece.start..s.end - piece.start, *t))
            .collect();
        let text = apply_edits(&file.text[piece.clone()], &local)?;
        if let Some(n) = file.errors_with_piece(&piece, &text) {
            return Some(n);
        }
    }
    let text = apply_edits(&file.text, edits)?;
    Some(parse_errors(&SourceFile::from_text_limited(
        file.path.clone(),
        None,
        text,
        file.limits,
    )))
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
        assert_eq!(&*next.files[0].text, "a: 1 # keep\n");
        assert_eq!(&*next.files[1].text, "b: 3\n");
    }

    #[test]
    fn a_finding_whose_fix_would_break_parsing_is_not_fixable() {
        let files = vec![SourceFile::from_text("a.yaml".into(), None, "a: 1\nb: 2\n".into())];
        let release = Release::new(files, None);
        let mut found = vec![
            diagnostic("BAD", Edit::replace(0, 3..4, "[unclosed")),
            diagnostic("GOOD", Edit::replace(0, 3..4, "3")),
        ];
        drop_unappliable(&release, &mut found);
        assert!(found[0].fix.is_none());
        assert!(found[1].fix.is_some());
    }
}
