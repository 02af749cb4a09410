//! One lint run: load the release once, run the rules, and (with fixes) iterate apply ->
//! re-parse -> re-lint in memory until nothing changes, before anything touches the disk.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use globset::GlobSet;

use crate::diagnostic::{Applicability, Diagnostic, EditTarget, Fix};
use crate::fix::{WriteError, apply_edits, overlaps, write_checked};
use crate::release::Release;
use crate::rules::{self, Filter, RuleSpec, RunOptions};
use crate::source::{Limits, LoadError, Loaded, Skipped, SourceFile, discover, split_stdin_limited};
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
    load_with(input, &Limits::default())
}

/// [`load`] under `.snaplint.yaml` `limits:`. Paths that are not read (a FIFO, a broken
/// symlink) are in `Release::skipped` with the reason.
pub fn load_with(input: Input<'_>, limits: &Limits) -> Result<Release, LoadError> {
    match input {
        Input::Stdin(text) => Ok(Release::new(split_stdin_limited(&text, limits), None)),
        Input::Paths { paths, exclude, base } => {
            let mut files = Vec::new();
            let mut skipped = Vec::new();
            // A symlink to a file that is also linted directly is read once: twice would
            // double its findings and make --fix write it twice.
            let mut seen: HashMap<PathBuf, PathBuf> = HashMap::new();
            for p in discover(paths, exclude, base)? {
                if let Ok(real) = std::fs::canonicalize(&p) {
                    if let Some(first) = seen.get(&real) {
                        skipped.push(Skipped {
                            path: p.clone(),
                            reason: format!("the same file as {}, which is linted", first.display()),
                        });
                        continue;
                    }
                    seen.insert(real, p.clone());
                }
                match SourceFile::read(&p, limits)? {
                    Loaded::File(f) => files.push(f),
                    Loaded::Skipped(s) => skipped.push(s),
                }
            }
            let root = paths.first().map(|p| {
                if p.is_dir() {
                    p.clone()
                } else {
                    p.parent().map(Path::to_path_buf).unwrap_or_default()
                }
            });
            let mut release = Release::new(files, root);
            release.skipped = skipped;
            Ok(release)
        }
    }
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

/// Write every changed file that lives on disk, each on its own: a file that cannot be written
/// (read-only, changed since it was read, outside `roots`) is an error for that file only.
pub fn write_changes(changes: &[Change], roots: &[PathBuf]) -> Vec<WriteError> {
    changes
        .iter()
        .filter_map(|c| {
            let disk = c.disk.as_ref()?;
            write_checked(disk, c.original.as_deref(), &c.new, roots).err()
        })
        .collect()
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

/// One pass: take each allowed fix whose edits do not overlap one already taken and that keeps
/// its file parsing, apply them all, rebuild the release.
fn apply_pass(
    release: Release,
    diagnostics: &[Diagnostic],
    unsafe_fixes: bool,
    dropped: &mut Vec<String>,
    refused: &mut HashSet<(String, String)>,
) -> (Release, usize) {
    let mut taken: Vec<Vec<(Span, String)>> = vec![Vec::new(); release.files.len()];
    let mut new_files: Vec<(PathBuf, String)> = Vec::new();
    let mut count = 0;
    let no_taken: Vec<Vec<(Span, String)>> = vec![Vec::new(); release.files.len()];
    for d in diagnostics {
        let Some(fix) = d.fix.as_ref().filter(|f| allowed(f, unsafe_fixes)) else {
            continue;
        };
        let key = (d.rule.clone(), d.message.clone());
        if refused.contains(&key) {
            continue;
        }
        let fix = &keep_line_endings(&release, fix);
        if try_take(&release, fix, &mut taken, &mut new_files) {
            count += 1;
        } else if fix_breaks_parsing(&release, fix, &no_taken) {
            refused.insert(key);
            dropped.push(d.rule.clone());
        }
    }
    if count == 0 {
        return (release, 0);
    }
    let root = release.root.clone();
    let mut files: Vec<SourceFile> = Vec::with_capacity(release.files.len() + new_files.len());
    for (file, edits) in release.files.into_iter().zip(taken) {
        if edits.is_empty() {
            files.push(file);
            continue;
        }
        let refs: Vec<(Span, &str)> = edits.iter().map(|(s, t)| (s.clone(), t.as_str())).collect();
        match apply_edits(&file.text, &refs) {
            Some(text) => files.push(SourceFile::from_text_limited(
                file.path.clone(),
                file.disk.clone(),
                text,
                file.limits,
            )),
            None => files.push(file),
        }
    }
    for (path, text) in new_files {
        files.push(SourceFile::from_text(path.clone(), Some(path), text));
    }
    (Release::new(files, root), count)
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
    if fix_breaks_parsing(release, fix, taken) {
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
        match apply_edits(&file.text, &edits) {
            Some(text) => {
                parse_errors(&SourceFile::from_text_limited(
                    file.path.clone(),
                    None,
                    text,
                    file.limits,
                )) > parse_errors(file)
            }
            None => true,
        }
    })
}
