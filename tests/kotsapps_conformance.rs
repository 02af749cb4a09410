//! Differential test on the 14 public KOTS sample releases of `../shared/corpus/kotsapps/`
//! (or `SNAPLINT_CORPUS=<dir>`): each release is checked with snaplint's own renderer
//! (`--helm-engine builtin`) and with a real helm binary (`--helm-engine helm`), and the two
//! must give the same findings. No file may give a PARSE001 (a false parse error) with either.
//!
//! What is compared:
//! - findings on the release's own files (and on a chart archive as a whole, HELM001): rule,
//!   file, line, column and message, exactly;
//! - findings from chart-rendered documents: rule, message, the rendered template, and the place
//!   in the rendered document. The builtin engine shows such a finding on the template line that
//!   wrote it (`x.tgz!chart/templates/_helpers.tpl`) with the rendered place as a related
//!   location ("rendered here", in SARIF only); the helm engine shows it on helm's output
//!   (`x.tgz!rendered/chart/templates/x.yaml`), which carries helm's `---` and `# Source:`
//!   lines and trims blank lines around each document. So the place is compared as the line
//!   within its document (counted from the document's first line that is neither blank nor
//!   `# Source:`) and the column, each rendering's text coming from `snaplint render --format
//!   json`. Where helm printed a template's documents in several pieces (it orders manifests by
//!   kind), a line of the piece cannot be told from the report, and only the template is
//!   compared.
//!
//! Helm draws `randAlphaNum`, `genCA`... afresh on each run, where snaplint renders fixed
//! placeholders: helm's check runs twice, and a (rule, file) whose findings differ between its
//! two runs is left out on both sides (the "random" column). `EXPECTED` lists the differences
//! known to be by design, each with its reason; one that no longer happens fails the test too,
//! so the list stays true.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// The machine running CI has two cores.
const THREADS: usize = 2;
/// Any one snaplint run (helm included); the biggest release takes about a second.
const SUBPROCESS_LIMIT: Duration = Duration::from_secs(60);

/// A difference known and explained: the release, the side that alone has the finding, its
/// rule, a part of its message, whether it is a renderer bug (to fix, then to remove from here)
/// or by design, and why.
struct Expected {
    release: &'static str,
    side: Side,
    rule: &'static str,
    message: &'static str,
    bug: bool,
    why: &'static str,
}

const EXPECTED: &[Expected] = &[Expected {
    release: "helm-grafana",
    side: Side::Builtin,
    rule: "HELM001",
    message: "`grafana/templates/secret.yaml` not analyzed: line 12: a condition depends on a KOTS template value",
    bug: false,
    why: "the HelmChart sets `adminPassword: \"repl{{ ConfigOption `admin_password`}}\"` and the \
              template branches on `{{- if .Values.adminPassword }}`: the value is known only at \
              install time, so snaplint's renderer reports the template not analyzed instead of \
              guessing, while helm tests the literal `repl{{ ... }}` text (non-empty, so true); the \
              Secret it renders has no findings",
}];

/// Files whose YAML is genuinely broken, where a PARSE001 is right: (release, file, why).
/// None of the 14 releases has one.
const BROKEN_YAML: &[(&str, &str, &str)] = &[];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Builtin,
    Helm,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Builtin => "builtin engine",
            Side::Helm => "helm engine",
        }
    }
}

/// One finding as compared: `file` is relative to the release (for a chart-rendered one,
/// `<archive>!<rendered template>`), `at` is `line:column` on a release file, the place in the
/// rendered document for a chart-rendered one ("" where it cannot be told).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct Finding {
    rule: String,
    file: String,
    at: String,
    message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = if self.file.is_empty() { "(release)" } else { &self.file };
        let at = if self.at.is_empty() {
            String::new()
        } else {
            format!(" {}", self.at)
        };
        write!(f, "{} {file}{at}: {}", self.rule, self.message)
    }
}

/// A place in a chart's rendering, as a report names it.
struct Rendered<'a> {
    /// The chart as the report names it (`x.tgz`, relative to the release).
    chart: &'a str,
    /// The template that rendered the document (`x/templates/y.yaml`).
    template: &'a str,
    line: usize,
    column: usize,
}

/// Each chart's rendered texts, per template, in the order the rendering lists them.
type Texts = BTreeMap<(String, String), Vec<String>>;

/// What comparing one release gave.
struct Outcome {
    release: String,
    archives: usize,
    builtin: usize,
    helm: usize,
    random: usize,
    /// Why the release could not be compared (snaplint failed, output not JSON, ...).
    failed: Option<String>,
    differences: Vec<String>,
    /// The entries of `EXPECTED` seen.
    expected: BTreeSet<usize>,
}

impl Outcome {
    fn status(&self) -> &'static str {
        match () {
            _ if self.failed.is_some() => "failed",
            _ if !self.differences.is_empty() => "differs",
            _ if self.expected.iter().any(|&i| EXPECTED[i].bug) => "match but for a known bug",
            _ if !self.expected.is_empty() => "match but for a design difference",
            _ => "match",
        }
    }
}

fn releases(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("read the kotsapps corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn count_archives(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| e.path())
            .map(|p| {
                if p.is_dir() {
                    count_archives(&p)
                } else {
                    usize::from(p.extension().is_some_and(|e| e == "tgz"))
                }
            })
            .sum()
    })
}

/// `snaplint <command> . <args>` in the release directory (so files are named relative to it),
/// as JSON; exit codes 0 and 1 are both a report.
fn snaplint_json(command: &str, release: &Path, args: &[&str]) -> Result<Value, String> {
    let mut cmd = bin();
    cmd.current_dir(release).args([command, "--no-config", "."]).args(args);
    let shown = format!("snaplint {command} . {} (in {})", args.join(" "), release.display());
    let (_, stdout, stderr) = run_bounded(cmd, None, SUBPROCESS_LIMIT)?;
    serde_json::from_slice(&stdout).map_err(|e| format!("{shown}: not JSON ({e}): {}", stderr.trim()))
}

/// Whether the release holds a chart (`render` refuses a release without one).
fn has_chart(dir: &Path) -> bool {
    count_archives(dir) > 0 || walk_has(dir, "Chart.yaml")
}

fn walk_has(dir: &Path, name: &str) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name() == name || (e.path().is_dir() && walk_has(&e.path(), name)))
    })
}

fn helm_engine_args(helm: &Path) -> Vec<String> {
    let helm = helm.display().to_string();
    ["--helm-engine", "helm", "--helm", &helm].map(str::to_owned).to_vec()
}

fn rendered_texts(release: &Path, engine: &[&str]) -> Result<Texts, String> {
    if !has_chart(release) {
        return Ok(Texts::new());
    }
    let report = snaplint_json("render", release, &[&["--format", "json"], engine].concat())?;
    let mut texts = Texts::new();
    for chart in report["charts"].as_array().into_iter().flatten() {
        let path = chart["path"].as_str().unwrap_or_default();
        for t in chart["templates"].as_array().into_iter().flatten() {
            let source = t["source"].as_str().unwrap_or_default();
            let text = t["text"].as_str().unwrap_or_default();
            texts
                .entry((path.to_owned(), source.to_owned()))
                .or_default()
                .push(text.to_owned());
        }
    }
    Ok(texts)
}

/// A `---` line, as snaplint splits a stream.
fn is_marker(line: &str) -> bool {
    line.strip_prefix("---")
        .is_some_and(|rest| rest.chars().next().is_none_or(char::is_whitespace))
}

/// Line `line` (1-based) of `text` as a line of its document: 0 for the document's first line
/// that is neither blank nor helm's `# Source:` header, the line after it 1, and so on.
fn document_line(text: &str, line: usize) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let here = line.checked_sub(1).filter(|&i| i < lines.len())?;
    let start = lines[..here].iter().rposition(|l| is_marker(l)).map_or(0, |i| i + 1);
    let skipped = |l: &str| l.trim().is_empty() || l.trim_start().starts_with("# Source:");
    let first = (start..=here).find(|&i| !skipped(lines[i]))?;
    Some(here - first)
}

/// The place of a finding in its rendered document, "" when the rendering cannot tell it.
fn place(texts: &Texts, r: &Rendered) -> String {
    match texts
        .get(&(r.chart.to_owned(), r.template.to_owned()))
        .map(Vec::as_slice)
    {
        Some([text]) => match document_line(text, r.line) {
            Some(n) => format!("document line {n}, column {}", r.column),
            None => format!("line {} (not in the rendered text)", r.line),
        },
        Some(_) => String::new(),
        None => format!("line {} (template not in the rendering)", r.line),
    }
}

/// Where helm printed a template in several pieces, the place in a piece is not compared on
/// either side (`place` gives none for helm's findings there).
fn forget_places_in_pieces(findings: &mut [Finding], helm_texts: &Texts) {
    for f in findings {
        let pieces = f
            .file
            .split_once('!')
            .and_then(|(chart, template)| helm_texts.get(&(chart.to_owned(), template.to_owned())));
        if pieces.is_some_and(|p| p.len() > 1) {
            f.at.clear();
        }
    }
}

/// `<chart>!rendered/<template>` into its two parts.
fn split_rendered(uri: &str) -> Option<(&str, &str)> {
    let (chart, inner) = uri.split_once('!')?;
    Some((chart, inner.strip_prefix("rendered/")?))
}

/// A finding of a report; `rendered_here` is the builtin engine's related location
/// (uri, line, column), if the finding has one.
fn finding(texts: &Texts, d: &Value, rendered_here: Option<(&str, usize, usize)>) -> Finding {
    let text = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
    let number = |k: &str| d[k].as_u64().map_or(0, |n| n as usize);
    let file = text("file");
    let here = rendered_here.or_else(|| {
        split_rendered(&file)
            .is_some()
            .then_some((file.as_str(), number("line"), number("column")))
    });
    let (file, at) = match here.and_then(|(uri, line, column)| Some((split_rendered(uri)?, line, column))) {
        Some(((chart, template), line, column)) => {
            let r = Rendered {
                chart,
                template,
                line,
                column,
            };
            (format!("{chart}!{template}"), place(texts, &r))
        }
        None if file.is_empty() => (String::new(), String::new()),
        None => (file.clone(), format!("{}:{}", number("line"), number("column"))),
    };
    Finding {
        rule: text("rule"),
        file,
        at,
        message: text("message"),
    }
}

/// The builtin engine's "rendered here" of each SARIF result, in report order.
fn rendered_here(sarif: &Value) -> Vec<Option<(String, usize, usize)>> {
    let results = sarif["runs"][0]["results"].as_array().cloned().unwrap_or_default();
    results
        .iter()
        .map(|r| {
            let l = r["relatedLocations"]
                .as_array()?
                .iter()
                .find(|l| l["message"]["text"] == "rendered here")?;
            let p = &l["physicalLocation"];
            let n = |k: &str| p["region"][k].as_u64().map(|n| n as usize);
            Some((
                p["artifactLocation"]["uri"].as_str()?.to_owned(),
                n("startLine")?,
                n("startColumn")?,
            ))
        })
        .collect()
}

fn diagnostics(report: &Value) -> Result<&Vec<Value>, String> {
    report["diagnostics"]
        .as_array()
        .ok_or_else(|| "the report has no diagnostics".into())
}

/// The findings of the builtin engine: its JSON report, with the rendered places from the
/// SARIF report of the same (deterministic) run.
fn builtin_findings(release: &Path) -> Result<Vec<Finding>, String> {
    let texts = rendered_texts(release, &[])?;
    let report = snaplint_json("check", release, &["--format", "json"])?;
    let sarif = snaplint_json("check", release, &["--format", "sarif"])?;
    let diags = diagnostics(&report)?;
    let places = rendered_here(&sarif);
    if places.len() != diags.len() {
        return Err(format!(
            "{} diagnostics but {} SARIF results",
            diags.len(),
            places.len()
        ));
    }
    let mut out: Vec<Finding> = diags
        .iter()
        .zip(&places)
        .map(|(d, p)| finding(&texts, d, p.as_ref().map(|(u, l, c)| (u.as_str(), *l, *c))))
        .collect();
    out.sort();
    Ok(out)
}

/// The findings of the helm engine, from one run of `check` (one helm run per chart).
fn helm_findings(release: &Path, texts: &Texts, engine: &[&str]) -> Result<Vec<Finding>, String> {
    let report = snaplint_json("check", release, &[&["--format", "json"], engine].concat())?;
    let mut out: Vec<Finding> = diagnostics(&report)?.iter().map(|d| finding(texts, d, None)).collect();
    out.sort();
    Ok(out)
}

fn counts(findings: &[Finding]) -> BTreeMap<&Finding, usize> {
    let mut m = BTreeMap::new();
    for f in findings {
        *m.entry(f).or_default() += 1;
    }
    m
}

/// The findings (as multisets) that only `a` has, then those only `b` has.
fn only_in<'a>(a: &'a [Finding], b: &'a [Finding]) -> (Vec<&'a Finding>, Vec<&'a Finding>) {
    let (ca, cb) = (counts(a), counts(b));
    let surplus = |x: &BTreeMap<&'a Finding, usize>, y: &BTreeMap<&'a Finding, usize>| {
        x.iter()
            .flat_map(|(f, n)| std::iter::repeat_n(*f, n.saturating_sub(y.get(f).copied().unwrap_or(0))))
            .collect::<Vec<_>>()
    };
    (surplus(&ca, &cb), surplus(&cb, &ca))
}

/// The (rule, file) pairs whose findings differ between two helm runs.
fn random_keys(first: &[Finding], second: &[Finding]) -> BTreeSet<(String, String)> {
    let (a, b) = only_in(first, second);
    a.into_iter()
        .chain(b)
        .map(|f| (f.rule.clone(), f.file.clone()))
        .collect()
}

/// The entry of `EXPECTED` that explains a finding only one side has.
fn expected_entry(release: &str, side: Side, f: &Finding) -> Option<usize> {
    EXPECTED
        .iter()
        .position(|e| e.release == release && e.side == side && e.rule == f.rule && f.message.contains(e.message))
}

/// Every PARSE001 of one side that `BROKEN_YAML` does not explain.
fn false_parse_errors(release: &str, side: Side, findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.rule == "PARSE001")
        .filter(|f| !BROKEN_YAML.iter().any(|(r, file, _)| *r == release && *file == f.file))
        .map(|f| format!("false parse error ({}): {f}", side.name()))
        .collect()
}

fn compare(release: &Path, helm: &Path) -> Result<Outcome, String> {
    let name = release
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let engine = helm_engine_args(helm);
    let engine: Vec<&str> = engine.iter().map(String::as_str).collect();
    let mut builtin = builtin_findings(release)?;
    let texts = rendered_texts(release, &engine)?;
    forget_places_in_pieces(&mut builtin, &texts);
    let theirs = helm_findings(release, &texts, &engine)?;
    let again = helm_findings(release, &texts, &engine)?;
    let random = random_keys(&theirs, &again);
    let compared = |fs: &[Finding]| -> Vec<Finding> {
        fs.iter()
            .filter(|f| !random.contains(&(f.rule.clone(), f.file.clone())))
            .cloned()
            .collect()
    };
    let (ours_compared, theirs_compared) = (compared(&builtin), compared(&theirs));
    let mut differences = [
        false_parse_errors(&name, Side::Builtin, &builtin),
        false_parse_errors(&name, Side::Helm, &theirs),
    ]
    .concat();
    let (only_ours, only_theirs) = only_in(&ours_compared, &theirs_compared);
    let mut expected = BTreeSet::new();
    for (side, fs) in [(Side::Builtin, only_ours), (Side::Helm, only_theirs)] {
        for f in fs {
            match expected_entry(&name, side, f) {
                Some(i) => {
                    expected.insert(i);
                }
                None => differences.push(format!("with the {} only: {f}", side.name())),
            }
        }
    }
    Ok(Outcome {
        release: name,
        archives: count_archives(release),
        builtin: builtin.len(),
        helm: theirs.len(),
        random: theirs.len() - theirs_compared.len(),
        failed: None,
        differences,
        expected,
    })
}

/// Compare every release, `THREADS` at a time, in corpus order.
fn compare_all(helm: &Path, releases: &[PathBuf]) -> Vec<Outcome> {
    par_map(releases, THREADS, |release| {
        compare(release, helm).unwrap_or_else(|why| Outcome {
            release: release
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            archives: count_archives(release),
            builtin: 0,
            helm: 0,
            random: 0,
            failed: Some(why),
            differences: Vec::new(),
            expected: BTreeSet::new(),
        })
    })
}

fn table(outcomes: &[Outcome], took: Duration) -> String {
    let mut t = format!(
        "{:<26} {:>8} {:>15} {:>6}  status\n",
        "release", "archives", "findings b/h", "random"
    );
    for o in outcomes {
        t.push_str(&format!(
            "{:<26} {:>8} {:>15} {:>6}  {}\n",
            o.release,
            o.archives,
            format!("{}/{}", o.builtin, o.helm),
            o.random,
            o.status()
        ));
    }
    let sum = |f: fn(&Outcome) -> usize| outcomes.iter().map(f).sum::<usize>();
    let exact = outcomes
        .iter()
        .filter(|o| o.failed.is_none() && o.differences.is_empty() && o.expected.is_empty())
        .count();
    let seen: BTreeSet<usize> = outcomes.iter().flat_map(|o| o.expected.iter().copied()).collect();
    t.push_str(&format!(
        "\n{exact}/{} releases give the same findings with both engines, {} more but for the known \
         differences below, {} differ ({} archives; findings builtin {}, helm {}; {} random), took {:.1}s\n",
        outcomes.len(),
        outcomes
            .iter()
            .filter(|o| o.failed.is_none() && o.differences.is_empty() && !o.expected.is_empty())
            .count(),
        outcomes
            .iter()
            .filter(|o| o.failed.is_some() || !o.differences.is_empty())
            .count(),
        sum(|o| o.archives),
        sum(|o| o.builtin),
        sum(|o| o.helm),
        sum(|o| o.random),
        took.as_secs_f64()
    ));
    if !seen.is_empty() {
        t.push_str("\nknown differences:\n");
    }
    for i in seen {
        let e = &EXPECTED[i];
        let kind = if e.bug { "bug" } else { "by design" };
        t.push_str(&format!(
            "  {} {} ({} only, {kind}): {}\n",
            e.release,
            e.rule,
            e.side.name(),
            e.why
        ));
    }
    t
}

#[test]
fn kotsapps_releases_give_the_same_findings_with_the_builtin_renderer_and_with_helm() {
    let Some((root, helm)) = corpus_and_helm("kotsapps", "kotsapps conformance") else {
        return;
    };
    let start = Instant::now();
    let releases = releases(&root);
    assert!(!releases.is_empty(), "no releases in {}", root.display());
    let outcomes = compare_all(&helm, &releases);
    eprint!("{}", table(&outcomes, start.elapsed()));

    let mut failures: Vec<String> = Vec::new();
    for o in &outcomes {
        if let Some(why) = &o.failed {
            failures.push(format!("{}: not compared: {why}", o.release));
        }
        failures.extend(o.differences.iter().map(|d| format!("{}: {d}", o.release)));
    }
    // An expected difference that no longer happens is stale: the list must stay true.
    for (i, e) in EXPECTED.iter().enumerate() {
        if outcomes
            .iter()
            .any(|o| o.release == e.release && o.failed.is_none() && !o.expected.contains(&i))
        {
            failures.push(format!(
                "{}: the expected difference `{} {}` ({}) no longer happens: remove it from EXPECTED",
                e.release,
                e.rule,
                e.message,
                e.side.name()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "the builtin renderer and helm disagree:\n  {}",
        failures.join("\n  ")
    );
}

#[test]
fn a_line_is_counted_within_its_document_past_helms_header_and_blank_lines() {
    let helm =
        "---\n# Source: c/templates/a.yaml\nkind: A\nspec:\n  x: 1\n---\n# Source: c/templates/a.yaml\nkind: B\n";
    let ours = "\n# a comment\nkind: A\nspec:\n  x: 1\n---\n\nkind: B\n";
    assert_eq!(document_line(helm, 5), Some(2));
    assert_eq!(document_line(ours, 5), Some(3));
    assert_eq!(document_line(helm, 8), document_line(ours, 8));
    assert_eq!(document_line(helm, 9), None);
    assert_eq!(document_line(helm, 0), None);
}

#[test]
fn findings_are_compared_as_multisets_and_helm_run_differences_are_random() {
    let f = |file: &str, message: &str| Finding {
        rule: "HOOK001".into(),
        file: file.into(),
        at: String::new(),
        message: message.into(),
    };
    let (a, b) = (
        vec![
            f("x.tgz!c/t.yaml", "Pod `c-k3j9x`"),
            f("x.tgz!c/u.yaml", "same"),
            f("x.tgz!c/u.yaml", "same"),
        ],
        vec![f("x.tgz!c/t.yaml", "Pod `c-p0q2w`"), f("x.tgz!c/u.yaml", "same")],
    );
    let (only_a, only_b) = only_in(&a, &b);
    assert_eq!(only_a, [&a[0], &a[1]]);
    assert_eq!(only_b, [&b[0]]);
    assert_eq!(
        false_parse_errors(
            "r",
            Side::Helm,
            &[
                f("x.yaml", "m"),
                Finding {
                    rule: "PARSE001".into(),
                    ..f("y.yaml", "bad")
                }
            ]
        ),
        ["false parse error (helm engine): PARSE001 y.yaml: bad"]
    );
    assert_eq!(
        random_keys(&a[..1], &b[..1]),
        BTreeSet::from([("HOOK001".to_owned(), "x.tgz!c/t.yaml".to_owned())])
    );
}

#[test]
fn a_template_helm_printed_in_pieces_is_compared_without_the_place() {
    let key = ("x.tgz".to_owned(), "c/templates/a.yaml".to_owned());
    let doc = "---\n# Source: c/templates/a.yaml\nkind: A\n".to_owned();
    let one = Texts::from([(key.clone(), vec![doc.clone()])]);
    let two = Texts::from([(key, vec![doc.clone(), doc])]);
    let r = Rendered {
        chart: "x.tgz",
        template: "c/templates/a.yaml",
        line: 3,
        column: 1,
    };
    assert_eq!(place(&one, &r), "document line 0, column 1");
    assert_eq!(place(&two, &r), "");
    let mut ours = vec![Finding {
        rule: "VOL001".into(),
        file: "x.tgz!c/templates/a.yaml".into(),
        at: "document line 4, column 1".into(),
        message: "m".into(),
    }];
    forget_places_in_pieces(&mut ours, &one);
    assert_eq!(ours[0].at, "document line 4, column 1");
    forget_places_in_pieces(&mut ours, &two);
    assert_eq!(ours[0].at, "");
}
