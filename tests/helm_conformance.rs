//! Conformance against the real `helm template` on the shared corpus of real chart archives
//! (`../shared/corpus/charts/`, or `SNAPLINT_CORPUS=<dir>`): for each chart, the documents
//! snaplint renders in-process must be the ones helm prints, and snaplint's findings on the
//! archive must be its findings on helm's output. A per-chart table goes to stderr and to
//! `target/helm-conformance.txt`; `tests/helm_conformance.expected` is the ratchet: the charts
//! listed there must match, so a regression fails the test. `SNAPLINT_CONFORMANCE_ONLY=<text>`
//! runs only the archives whose file name contains `<text>` (and checks only their ratchet lines).
//!
//! Some values can never match: helm generates them afresh on every run (`randAlphaNum`
//! passwords, `genCA` certificates, `sha256sum` checksums over those, test pods named with a
//! random suffix), and snaplint by design renders fixed placeholders there. So helm renders each
//! chart twice, and whatever differs between its two runs is masked as `<random>` on both sides
//! before comparing:
//! - documents are first paired by (source path, position among that source's documents); where
//!   the two runs give a pair different `metadata.name`s, the name is random and the document is
//!   keyed by the name `<random>`, in helm's renderings and in snaplint's document at the same
//!   position alike;
//! - then, per document key, every JSON value that differs between the two helm runs (a leaf, or
//!   the whole subtree where the two runs' shapes differ) is replaced by `<random>` in helm's
//!   document and in snaplint's document of the same key at the same JSON path; the table's
//!   "random" column counts these per chart;
//! - the random names (both helm runs', and snaplint's for the same documents) are replaced by
//!   `<random>` in the findings' messages, which quote document names.
//!
//! Anything else, a value that is the same in both helm runs, must match exactly.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// The machine running CI has two cores.
const THREADS: usize = 2;
/// Any one helm or snaplint run; the slowest chart takes well under a second.
const SUBPROCESS_LIMIT: Duration = Duration::from_secs(30);
/// One in-process rendering of a chart (a renderer stuck in a loop must not hang the test).
const RENDER_LIMIT: Duration = Duration::from_secs(30);
/// The rule families whose findings are compared (HELM001/HELM002 are about rendering itself).
const COMPARED_RULES: &[&str] = &["VOL", "HOOK", "KOTS", "BKP"];
/// How much of a differing value the report shows.
const SHOWN_CHARS: usize = 70;
/// Stands for what differs between two helm runs of the same chart.
const RANDOM: &str = "<random>";

/// One corpus chart: the archive, its Chart.yaml name and version, and its values file.
struct Case {
    archive: PathBuf,
    file_name: String,
    name: String,
    version: String,
    values_file: Option<PathBuf>,
}

/// (source path, kind, metadata.name, index among documents with the same three).
type DocKey = (String, String, String, usize);
type Documents = BTreeMap<DocKey, Value>;
/// A document's place in its rendering: source path and position among that source's documents.
type Slot = (String, usize);
/// Per document, the JSON pointers (RFC 6901) of the values that differ between two helm runs.
type Masks = BTreeMap<DocKey, Vec<String>>;
/// Each template snaplint rendered: its path and its text or error.
type Rendering = Vec<(String, Result<String, String>)>;
/// (rule, template path inside the chart or "" for a release-wide finding, message).
type Finding = (String, String, String);

/// What comparing one chart gave.
struct Outcome {
    file_name: String,
    /// Why the chart could not be compared at all (helm failed, archive unreadable, ...).
    not_analyzed: Option<String>,
    rendered: usize,
    templates: usize,
    first_error: Option<String>,
    docs_same: usize,
    docs_helm: usize,
    doc_diff: Option<String>,
    findings_same: usize,
    findings_helm: usize,
    finding_diff: Option<String>,
    /// How many of helm's values were masked as random.
    random: usize,
    /// Helm's output has compared findings on templates (not only release-wide ones).
    has_template_findings: bool,
}

impl Outcome {
    fn failed(file_name: &str, why: String) -> Self {
        Outcome {
            file_name: file_name.to_owned(),
            not_analyzed: Some(why),
            rendered: 0,
            templates: 0,
            first_error: None,
            docs_same: 0,
            docs_helm: 0,
            doc_diff: None,
            findings_same: 0,
            findings_helm: 0,
            finding_diff: None,
            random: 0,
            has_template_findings: false,
        }
    }

    fn renders_fully(&self) -> bool {
        self.not_analyzed.is_none() && self.rendered == self.templates
    }

    fn documents_match(&self) -> bool {
        self.not_analyzed.is_none() && self.doc_diff.is_none()
    }

    fn findings_match(&self) -> bool {
        self.not_analyzed.is_none() && self.finding_diff.is_none()
    }

    fn matches(&self) -> bool {
        self.documents_match() && self.findings_match()
    }

    fn status(&self) -> &'static str {
        match () {
            _ if self.not_analyzed.is_some() => "not analyzed",
            _ if self.matches() => "match",
            _ => "differs",
        }
    }

    /// The first difference, in a few lines, for the ratchet's failure message and the report.
    fn first_difference(&self) -> String {
        if let Some(why) = &self.not_analyzed {
            return format!("not analyzed: {why}");
        }
        let mut lines = Vec::new();
        if let Some(e) = &self.first_error {
            lines.push(format!("first template error: {e}"));
        }
        if let Some(d) = &self.doc_diff {
            lines.push(format!("first document difference: {d}"));
        }
        if let Some(d) = &self.finding_diff {
            lines.push(format!("first finding difference: {d}"));
        }
        lines.join("\n    ")
    }
}

/// A top-level scalar of Chart.yaml as written (`version: 1.10` stays `1.10`).
fn chart_field(chart_yaml: &str, key: &str) -> Option<String> {
    chart_yaml.lines().find_map(|l| {
        let v = l.strip_prefix(key)?.strip_prefix(':')?;
        Some(v.trim().trim_matches('"').trim_matches('\'').to_owned())
    })
}

/// The archive's own `<top>/Chart.yaml`, read without snaplint's chart loader (which is what
/// is under test).
fn archive_chart_yaml(archive: &Path) -> Result<String, String> {
    let file = std::fs::File::open(archive).map_err(|e| e.to_string())?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in tar.entries().map_err(|e| e.to_string())? {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path().map_err(|e| e.to_string())?.to_string_lossy().into_owned();
        if path.split('/').count() == 2 && path.ends_with("/Chart.yaml") {
            let mut text = String::new();
            entry.read_to_string(&mut text).map_err(|e| e.to_string())?;
            return Ok(text);
        }
    }
    Err("no Chart.yaml at the archive's top directory".into())
}

/// `SNAPLINT_CONFORMANCE_ONLY`: whether an archive is part of this run.
fn selected(file_name: &str) -> bool {
    std::env::var("SNAPLINT_CONFORMANCE_ONLY").map_or(true, |only| file_name.contains(&only))
}

fn cases(charts: &Path) -> Vec<Case> {
    let mut archives: Vec<PathBuf> = std::fs::read_dir(charts)
        .expect("read corpus charts")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tgz"))
        .filter(|p| p.file_name().is_some_and(|n| selected(&n.to_string_lossy())))
        .collect();
    archives.sort();
    archives
        .into_iter()
        .map(|archive| {
            let file_name = archive.file_name().expect("name").to_string_lossy().into_owned();
            let chart_yaml = archive_chart_yaml(&archive).unwrap_or_else(|e| panic!("{file_name}: {e}"));
            let field = |k| chart_field(&chart_yaml, k).unwrap_or_else(|| panic!("{file_name}: no {k}"));
            let values = archive.with_file_name(format!("{}.values.yaml", file_name.trim_end_matches(".tgz")));
            Case {
                name: field("name"),
                version: field("version"),
                values_file: values.is_file().then_some(values),
                file_name,
                archive,
            }
        })
        .collect()
}

/// `helm template` exactly as the corpus README gives the oracle.
fn helm_template(helm: &Path, case: &Case) -> Result<String, String> {
    let mut cmd = Command::new(helm);
    cmd.args(["template", &case.name])
        .arg(&case.archive)
        .args(["--namespace", "default", "--kube-version", "v1.30.0"]);
    if let Some(v) = &case.values_file {
        cmd.arg("-f").arg(v);
    }
    let (ok, stdout, stderr) = run_bounded(cmd, None, SUBPROCESS_LIMIT)?;
    if !ok {
        return Err(format!("helm template failed: {}", stderr.trim()));
    }
    String::from_utf8(stdout).map_err(|_| "helm printed non-UTF-8 output".into())
}

/// A YAML text as JSON through snaplint's own YAML reader (empty: an empty map).
fn values_json(text: &str) -> Value {
    let file = snaplint::source::SourceFile::from_text("values.yaml".into(), None, text.to_owned());
    file.documents
        .iter()
        .find_map(|d| d.root().map(|r| snaplint::yaml::to_json(r).expect("values to JSON")))
        .unwrap_or_else(|| Value::Object(Default::default()))
}

/// Every document of a template's output, parsed by snaplint's YAML reader to JSON. A document
/// that does not parse is kept as a string saying why, so it shows up as a difference.
fn add_documents(path: &str, text: &str, out: &mut Vec<(String, Value)>) {
    let file = snaplint::source::SourceFile::from_text(path.into(), None, text.to_owned());
    for d in &file.documents {
        let value = match (&d.error, d.root()) {
            (Some(e), _) => Value::String(format!("<invalid YAML: {}>", e.message)),
            (None, Some(root)) => snaplint::yaml::to_json(root).unwrap_or_else(|e| Value::String(format!("<{e}>"))),
            (None, None) => continue,
        };
        out.push((path.to_owned(), value));
    }
}

/// A document's kind and metadata.name as text ("" when absent).
fn kind_and_name(value: &Value) -> (String, String) {
    let text = |v: &Value| {
        v.as_str().map_or_else(
            || if v.is_null() { String::new() } else { v.to_string() },
            str::to_owned,
        )
    };
    (text(&value["kind"]), text(&value["metadata"]["name"]))
}

/// Each document's slot, in order.
fn slots(docs: &[(String, Value)]) -> Vec<Slot> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    docs.iter()
        .map(|(path, _)| {
            let n = seen.entry(path).or_default();
            *n += 1;
            (path.clone(), *n - 1)
        })
        .collect()
}

/// The documents by key; a document in one of the `random_names` slots is keyed by the name
/// `<random>`, whatever its own name.
fn keyed(docs: Vec<(String, Value)>, random_names: &BTreeSet<Slot>) -> Documents {
    let mut seen: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    let mut out = Documents::new();
    for (slot, (path, value)) in slots(&docs).into_iter().zip(docs) {
        let (kind, mut name) = kind_and_name(&value);
        if random_names.contains(&slot) {
            name = RANDOM.to_owned();
        }
        let n = seen.entry((path.clone(), kind.clone(), name.clone())).or_default();
        out.insert((path, kind, name, *n), value);
        *n += 1;
    }
    out
}

/// Helm writes each manifest as `---\n# Source: <path>\n<document>`: its documents in order.
fn helm_documents(output: &str) -> Vec<(String, Value)> {
    let mut docs = Vec::new();
    for chunk in output.split("---\n# Source: ").skip(1) {
        let (path, body) = chunk.split_once('\n').unwrap_or((chunk, ""));
        add_documents(path.trim(), body, &mut docs);
    }
    docs
}

/// The slots where two helm runs give documents of the same kind different names.
fn random_name_slots(a: &[(String, Value)], b: &[(String, Value)]) -> BTreeSet<Slot> {
    let b_docs: BTreeMap<Slot, &Value> = slots(b).into_iter().zip(b.iter().map(|(_, v)| v)).collect();
    slots(a)
        .into_iter()
        .zip(a.iter().map(|(_, v)| v))
        .filter(|(slot, va)| {
            b_docs.get(slot).is_some_and(|vb| {
                let ((ka, na), (kb, nb)) = (kind_and_name(va), kind_and_name(vb));
                ka == kb && na != nb
            })
        })
        .map(|(slot, _)| slot)
        .collect()
}

/// The real names of the documents keyed `<random>` that helm also has (to be blanked out of
/// messages).
fn names_behind_random(docs: &Documents, helm: &Documents) -> Vec<String> {
    docs.iter()
        .filter(|(k, _)| k.2 == RANDOM && helm.contains_key(*k))
        .map(|(_, v)| kind_and_name(v).1)
        .filter(|n| !n.is_empty())
        .collect()
}

/// The JSON pointers where `a` and `b` differ: leaves, or a whole subtree where their shapes
/// (object keys, list length, type) differ.
fn differing_pointers(a: &Value, b: &Value, at: String, out: &mut Vec<String>) {
    match (a, b) {
        _ if a == b => {}
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() && x.keys().all(|k| y.contains_key(k)) => {
            for (k, v) in x {
                let step = k.replace('~', "~0").replace('/', "~1");
                differing_pointers(v, &y[k], format!("{at}/{step}"), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differing_pointers(v, w, format!("{at}/{i}"), out);
            }
        }
        _ => out.push(at),
    }
}

/// What differs between two helm runs, per document key.
fn random_values(a: &Documents, b: &Documents) -> Masks {
    let mut masks = Masks::new();
    for (k, va) in a {
        let mut pointers = Vec::new();
        if let Some(vb) = b.get(k) {
            differing_pointers(va, vb, String::new(), &mut pointers);
        }
        if !pointers.is_empty() {
            masks.insert(k.clone(), pointers);
        }
    }
    masks
}

/// Replace the masked values that the documents have by `<random>`; how many there were.
fn mask(docs: &mut Documents, masks: &Masks) -> usize {
    let mut n = 0;
    for (k, pointers) in masks {
        let Some(doc) = docs.get_mut(k) else { continue };
        for p in pointers {
            if let Some(v) = doc.pointer_mut(p) {
                *v = Value::String(RANDOM.into());
                n += 1;
            }
        }
    }
    n
}

/// Replace every random name in the findings' messages by `<random>` (longest first, so a name
/// that contains another is replaced whole).
fn mask_names(findings: &mut [Finding], names: &BTreeSet<String>) {
    let mut names: Vec<&String> = names.iter().collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    for f in findings {
        for n in &names {
            if f.2.contains(n.as_str()) {
                f.2 = f.2.replace(n.as_str(), RANDOM);
            }
        }
    }
}

/// Read and render the chart in-process on its own thread, bounded in time; a panic or a hang
/// is reported, not propagated. Each template: its path and its text or error.
fn render_in_process(case: &Case, overrides: Value) -> Result<Rendering, String> {
    let bytes = std::fs::read(&case.archive).map_err(|e| e.to_string())?;
    let release = snaplint::helm::ReleaseInfo {
        name: case.name.clone(),
        namespace: "default".into(),
    };
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let result = snaplint::helm::read_chart(&bytes).map(|chart| {
                snaplint::helm::render(&chart, &overrides, &release)
                    .into_iter()
                    .map(|r| (r.path, r.result.map(|t| t.text)))
                    .collect()
            });
            let _ = tx.send(result);
        })
        .map_err(|e| e.to_string())?;
    match rx.recv_timeout(RENDER_LIMIT) {
        Ok(Ok(rendered)) => Ok(rendered),
        Ok(Err(e)) => Err(format!("read_chart: {e}")),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("rendering took over {RENDER_LIMIT:?}")),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("the renderer panicked".into()),
    }
}

/// The compared findings of a snaplint JSON report. `in_archive`: files are named
/// `<archive>!<template path>`, and findings on other files (the archive itself, the HelmChart)
/// have no counterpart in helm's stream and are left out.
/// (rule, template, message) of the compared findings, from the JSON report and the SARIF one
/// of the same run (the same diagnostics in the same order). A finding in a chart sits on the
/// template line that wrote it, maybe a helper's; helm's `# Source:` names the rendered
/// template, which only SARIF carries, as the "rendered here" related location.
fn report_findings(json_out: &[u8], sarif_out: &[u8], in_archive: bool) -> Result<Vec<Finding>, String> {
    let report: Value = serde_json::from_slice(json_out).map_err(|e| format!("report is not JSON: {e}"))?;
    let sarif: Value = serde_json::from_slice(sarif_out).map_err(|e| format!("SARIF is not JSON: {e}"))?;
    let diags = report["diagnostics"].as_array().ok_or("report has no diagnostics")?;
    let results = sarif["runs"][0]["results"].as_array().ok_or("SARIF has no results")?;
    if diags.len() != results.len() {
        return Err(format!(
            "{} diagnostics but {} SARIF results",
            diags.len(),
            results.len()
        ));
    }
    let mut out = Vec::new();
    for (d, r) in diags.iter().zip(results) {
        let rule = d["rule"].as_str().unwrap_or_default();
        if !COMPARED_RULES.iter().any(|p| rule.starts_with(p)) {
            continue;
        }
        let rendered = r["relatedLocations"]
            .as_array()
            .and_then(|ls| ls.iter().find(|l| l["message"]["text"] == "rendered here"))
            .and_then(|l| l["physicalLocation"]["artifactLocation"]["uri"].as_str());
        let file = match rendered.or(d["file"].as_str()) {
            None => String::new(),
            Some(f) if in_archive => match f.split_once('!') {
                Some((_, inner)) => inner.trim_start_matches("rendered/").to_owned(),
                None => continue,
            },
            Some(f) => f.to_owned(),
        };
        let message = d["message"].as_str().unwrap_or_default().to_owned();
        out.push((rule.to_owned(), file, message));
    }
    out.sort();
    Ok(out)
}

fn snaplint_check(target: &str, input: Option<Vec<u8>>, in_archive: bool) -> Result<Vec<Finding>, String> {
    let run = |format: &str| {
        let mut cmd = bin();
        cmd.args(["check", "--no-config", "--format", format, target]);
        let (_, stdout, stderr) = run_bounded(cmd, input.clone(), SUBPROCESS_LIMIT)?;
        Ok::<_, String>((stdout, stderr))
    };
    let (json_out, stderr) = run("json")?;
    let (sarif_out, _) = run("sarif")?;
    report_findings(&json_out, &sarif_out, in_archive)
        .map_err(|e| format!("snaplint check {target}: {e}: {}", stderr.trim()))
}

/// snaplint on a release holding a copy of the archive (and, for a chart with a values file, a
/// HelmChart giving those values, as a KOTS vendor would ship it).
fn archive_findings(case: &Case, overrides: &Value) -> Result<Vec<Finding>, String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::copy(&case.archive, tmp.path().join(&case.file_name)).map_err(|e| e.to_string())?;
    if case.values_file.is_some() {
        // JSON is YAML: the values go in as one flow mapping, no re-indenting.
        let helm_chart = format!(
            "apiVersion: kots.io/v1beta2\nkind: HelmChart\nmetadata:\n  name: {name}\nspec:\n  chart:\n    \
             name: {name}\n    chartVersion: \"{version}\"\n  values: {overrides}\n",
            name = case.name,
            version = case.version,
        );
        std::fs::write(tmp.path().join("helmchart.yaml"), helm_chart).map_err(|e| e.to_string())?;
    }
    snaplint_check(&tmp.path().to_string_lossy(), None, true)
}

fn shorten(v: Option<&Value>) -> String {
    let s = v.map_or_else(|| "(absent)".to_owned(), Value::to_string);
    match s.char_indices().nth(SHOWN_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

/// The first place two JSON values differ: a short path and both values there.
fn json_diff(path: String, a: Option<&Value>, b: Option<&Value>) -> Option<(String, String, String)> {
    if a == b {
        return None;
    }
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let keys = x.keys().chain(y.keys().filter(|k| !x.contains_key(*k)));
            keys.into_iter()
                .find_map(|k| json_diff(format!("{path}.{k}"), x.get(k), y.get(k)))
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            (0..x.len().max(y.len())).find_map(|i| json_diff(format!("{path}[{i}]"), x.get(i), y.get(i)))
        }
        // Long strings (config files in ConfigMaps) differ somewhere inside: show from a little
        // before the first differing character.
        (Some(Value::String(x)), Some(Value::String(y))) => {
            let at = x.chars().zip(y.chars()).take_while(|(p, q)| p == q).count();
            let from = at.saturating_sub(20);
            let tail = |s: &str| {
                let t: String = s.chars().skip(from).collect();
                let shown = shorten(Some(&Value::String(t)));
                if from > 0 { format!("…{shown}") } else { shown }
            };
            Some((format!("{path} (character {at})"), tail(x), tail(y)))
        }
        _ => Some((if path.is_empty() { ".".into() } else { path }, shorten(a), shorten(b))),
    }
}

fn describe_key(k: &DocKey) -> String {
    let index = if k.3 > 0 { format!("#{}", k.3) } else { String::new() };
    format!("{} {}/{}{index}", k.0, k.1, k.2)
}

/// The first document both sides have but differently (the value difference says most about
/// the engine; a missing document usually has its template error shown already), then how
/// many documents only one side has, with the first of them.
fn first_doc_difference(helm: &Documents, ours: &Documents) -> Option<String> {
    let value_diff = helm.iter().find_map(|(k, a)| {
        let b = ours.get(k)?;
        json_diff(String::new(), Some(a), Some(b))
            .map(|(at, x, y)| format!("{} at {at}: helm {x}, snaplint {y}", describe_key(k)))
    });
    let missing: Vec<&DocKey> = helm.keys().filter(|k| !ours.contains_key(*k)).collect();
    let extra: Vec<&DocKey> = ours.keys().filter(|k| !helm.contains_key(*k)).collect();
    let mut parts: Vec<String> = value_diff.into_iter().collect();
    if let Some(k) = missing.first() {
        parts.push(format!(
            "{} of helm's documents missing, first {}",
            missing.len(),
            describe_key(k)
        ));
    }
    if let Some(k) = extra.first() {
        parts.push(format!(
            "{} documents helm does not print, first {}",
            extra.len(),
            describe_key(k)
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn counts(findings: &[Finding]) -> BTreeMap<&Finding, usize> {
    let mut m = BTreeMap::new();
    for f in findings {
        *m.entry(f).or_default() += 1;
    }
    m
}

/// How many of helm's findings snaplint also gives (as multisets), and the first difference.
fn compare_findings(helm: &[Finding], ours: &[Finding]) -> (usize, Option<String>) {
    let (h, o) = (counts(helm), counts(ours));
    let same = h.iter().map(|(f, n)| (*n).min(o.get(f).copied().unwrap_or(0))).sum();
    let keys: BTreeSet<&&Finding> = h.keys().chain(o.keys()).collect();
    let diff = keys.into_iter().find_map(|f| {
        let (hn, on) = (h.get(*f).copied().unwrap_or(0), o.get(*f).copied().unwrap_or(0));
        let side = match hn.cmp(&on) {
            std::cmp::Ordering::Equal => return None,
            std::cmp::Ordering::Greater => "on helm's output only",
            std::cmp::Ordering::Less => "on the archive only",
        };
        let file = if f.1.is_empty() { "(release)" } else { &f.1 };
        Some(format!(
            "{} {file} {side}: {}",
            f.0,
            shorten(Some(&Value::String(f.2.clone())))
        ))
    });
    (same, diff)
}

/// With `SNAPLINT_CONFORMANCE_DUMP=<dir>`, both renderings of the chart go to
/// `<dir>/<archive>.helm.yaml` and `<dir>/<archive>.snaplint.yaml`, to diff by hand.
fn dump(case: &Case, helm_output: &str, rendered: &Rendering) {
    let Some(dir) = std::env::var_os("SNAPLINT_CONFORMANCE_DUMP").map(PathBuf::from) else {
        return;
    };
    let mut ours = String::new();
    for (path, result) in rendered {
        match result {
            Ok(text) => ours.push_str(&format!("---\n# Source: {path}\n{text}\n")),
            Err(e) => ours.push_str(&format!("---\n# Source: {path}\n# ERROR: {e}\n")),
        }
    }
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{}.helm.yaml", case.file_name)), helm_output);
    let _ = std::fs::write(dir.join(format!("{}.snaplint.yaml", case.file_name)), ours);
}

fn compare_chart(helm: &Path, case: &Case) -> Outcome {
    // The second run only tells what is random in the first one.
    let (output, second) = match (helm_template(helm, case), helm_template(helm, case)) {
        (Ok(o), Ok(s)) => (o, s),
        (Err(e), _) | (_, Err(e)) => return Outcome::failed(&case.file_name, e),
    };
    let overrides = match &case.values_file {
        Some(p) => values_json(&std::fs::read_to_string(p).expect("read values file")),
        None => Value::Object(Default::default()),
    };
    let rendered = match render_in_process(case, overrides.clone()) {
        Ok(r) => r,
        Err(e) => return Outcome::failed(&case.file_name, e),
    };
    dump(case, &output, &rendered);
    let mut docs = Vec::new();
    let mut first_error = None;
    for (path, result) in &rendered {
        match result {
            Ok(text) => add_documents(path, text, &mut docs),
            Err(e) if first_error.is_none() => {
                first_error = Some(format!("{path}: {}", shorten(Some(&Value::String(e.clone())))))
            }
            Err(_) => {}
        }
    }
    let (first_docs, second_docs) = (helm_documents(&output), helm_documents(&second));
    let random_names = random_name_slots(&first_docs, &second_docs);
    let mut theirs = keyed(first_docs, &random_names);
    let again = keyed(second_docs, &random_names);
    let mut ours = keyed(docs, &random_names);
    // Names are read before masking, which blanks them out of the documents too.
    let names: BTreeSet<String> = [
        names_behind_random(&theirs, &theirs),
        names_behind_random(&again, &again),
        names_behind_random(&ours, &theirs),
    ]
    .concat()
    .into_iter()
    .collect();
    let masks = random_values(&theirs, &again);
    let random = mask(&mut theirs, &masks);
    mask(&mut ours, &masks);
    let docs_same = theirs.iter().filter(|(k, v)| ours.get(*k) == Some(*v)).count();
    let from_stream = snaplint_check("-", Some(output.into_bytes()), false);
    let from_archive = archive_findings(case, &overrides);
    let (mut from_stream, mut from_archive) = match (from_stream, from_archive) {
        (Ok(s), Ok(a)) => (s, a),
        (Err(e), _) | (_, Err(e)) => return Outcome::failed(&case.file_name, e),
    };
    mask_names(&mut from_stream, &names);
    mask_names(&mut from_archive, &names);
    let (findings_same, finding_diff) = compare_findings(&from_stream, &from_archive);
    Outcome {
        file_name: case.file_name.clone(),
        not_analyzed: None,
        rendered: rendered.iter().filter(|(_, r)| r.is_ok()).count(),
        templates: rendered.len(),
        first_error,
        docs_same,
        docs_helm: theirs.len(),
        doc_diff: first_doc_difference(&theirs, &ours),
        findings_same,
        findings_helm: from_stream.len(),
        finding_diff,
        random,
        has_template_findings: from_stream.iter().any(|f| !f.1.is_empty()),
    }
}

/// Compare every chart, `THREADS` at a time, in corpus order.
fn compare_all(helm: &Path, cases: &[Case]) -> Vec<Outcome> {
    par_map(cases, THREADS, |case| compare_chart(helm, case))
}

fn table(outcomes: &[Outcome], took: Duration) -> String {
    let mut t = format!(
        "{:<46} {:>11} {:>11} {:>9} {:>7}  status\n",
        "chart", "templates", "documents", "findings", "random"
    );
    for o in outcomes {
        let ratio = |a: usize, b: usize| {
            if o.not_analyzed.is_some() {
                "-".to_owned()
            } else {
                format!("{a}/{b}")
            }
        };
        let random = if o.not_analyzed.is_some() {
            "-".to_owned()
        } else {
            o.random.to_string()
        };
        t.push_str(&format!(
            "{:<46} {:>11} {:>11} {:>9} {:>7}  {}\n",
            o.file_name,
            ratio(o.rendered, o.templates),
            ratio(o.docs_same, o.docs_helm),
            ratio(o.findings_same, o.findings_helm),
            random,
            o.status()
        ));
    }
    let n = outcomes.len();
    let count = |f: &dyn Fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let with_findings = count(&|o| o.has_template_findings);
    t.push_str(&format!(
        "\ncharts fully rendered {}/{n}, charts whose documents match {}/{n}, charts whose findings match {}/{with_findings} \
         (charts whose helm output has VOL/HOOK/KOTS/BKP findings on templates), took {:.1}s\n",
        count(&|o| o.renders_fully()),
        count(&|o| o.documents_match()),
        count(&|o| o.has_template_findings && o.findings_match()),
        took.as_secs_f64()
    ));
    t.push_str("\nfirst differences:\n");
    for o in outcomes.iter().filter(|o| !o.matches()) {
        t.push_str(&format!("  {}\n    {}\n", o.file_name, o.first_difference()));
    }
    t
}

/// The archive file names listed in the ratchet file (`#` comments and blank lines skipped).
fn expected_matches() -> Vec<String> {
    let path = manifest_dir().join("tests/helm_conformance.expected");
    std::fs::read_to_string(&path)
        .expect("read tests/helm_conformance.expected")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn charts_render_and_lint_as_helm_template_output_does() {
    let Some((charts, helm)) = corpus_and_helm("charts", "helm conformance") else {
        return;
    };
    let start = Instant::now();
    let cases = cases(&charts);
    assert!(
        !cases.is_empty(),
        "no chart archives in {} (or none selected by SNAPLINT_CONFORMANCE_ONLY)",
        charts.display()
    );
    let outcomes = compare_all(&helm, &cases);
    let report = table(&outcomes, start.elapsed());
    eprint!("{report}");
    let out = manifest_dir().join("target/helm-conformance.txt");
    if let Err(e) = std::fs::write(&out, &report) {
        eprintln!("cannot write {}: {e}", out.display());
    }

    let expected: Vec<String> = expected_matches().into_iter().filter(|n| selected(n)).collect();
    for o in outcomes
        .iter()
        .filter(|o| o.matches() && !expected.contains(&o.file_name))
    {
        eprintln!(
            "newly matching: {}: add it to tests/helm_conformance.expected",
            o.file_name
        );
    }
    let mut failures = Vec::new();
    for name in &expected {
        match outcomes.iter().find(|o| o.file_name == *name) {
            None => failures.push(format!("{name}: listed but not in the corpus")),
            Some(o) if !o.matches() => failures.push(format!("{name}: {}", o.first_difference())),
            Some(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "charts listed in tests/helm_conformance.expected no longer match helm:\n  {}",
        failures.join("\n  ")
    );
}

#[test]
fn helm_stream_splits_per_source_and_diffs_name_the_first_differing_value() {
    let helm = keyed(
        helm_documents(
            "---\n# Source: c/templates/a.yaml\nkind: A\nmetadata:\n  name: x\nspec:\n  v: [1, 2]\n\
             ---\n# Source: c/templates/a.yaml\nkind: A\nmetadata:\n  name: x\n",
        ),
        &BTreeSet::new(),
    );
    let keys: Vec<String> = helm.keys().map(describe_key).collect();
    assert_eq!(keys, ["c/templates/a.yaml A/x", "c/templates/a.yaml A/x#1"]);
    let mut ours = Vec::new();
    add_documents(
        "c/templates/a.yaml",
        "kind: A\nmetadata:\n  name: x\nspec:\n  v: [1, 3]\n",
        &mut ours,
    );
    add_documents("c/templates/b.yaml", "kind: B\n", &mut ours);
    let long = "x".repeat(100);
    assert_eq!(
        json_diff(
            ".s".into(),
            Some(&Value::String(format!("{long}ab"))),
            Some(&Value::String(format!("{long}ac")))
        ),
        Some((
            ".s (character 101)".into(),
            "…\"xxxxxxxxxxxxxxxxxxxab\"".into(),
            "…\"xxxxxxxxxxxxxxxxxxxac\"".into()
        ))
    );
    assert_eq!(
        first_doc_difference(&helm, &keyed(ours, &BTreeSet::new())).as_deref(),
        Some(
            "c/templates/a.yaml A/x at .spec.v[1]: helm 2, snaplint 3; 1 of helm's documents missing, first \
             c/templates/a.yaml A/x#1; 1 documents helm does not print, first c/templates/b.yaml B/"
        )
    );
}

#[test]
fn values_and_names_that_differ_between_two_helm_runs_are_masked_on_both_sides() {
    let stream = |password: &str, pod: &str| {
        format!(
            "---\n# Source: c/templates/secret.yaml\nkind: Secret\nmetadata:\n  name: s\n  annotations:\n    \
             checksum/config: {password}-sum\ndata:\n  user: admin\n  password: {password}\n\
             ---\n# Source: c/templates/tests/test.yaml\nkind: Pod\nmetadata:\n  name: c-test-{pod}\n\
             spec:\n  args: [\"{pod}\"]\n"
        )
    };
    let (first, second) = (
        helm_documents(&stream("aaa", "k3j9x")),
        helm_documents(&stream("bbb", "p0q2w")),
    );
    let random_names = random_name_slots(&first, &second);
    assert_eq!(
        random_names,
        BTreeSet::from([("c/templates/tests/test.yaml".to_owned(), 0)])
    );
    let mut theirs = keyed(first, &random_names);
    let again = keyed(second, &random_names);
    let masks = random_values(&theirs, &again);
    let secret = (
        "c/templates/secret.yaml".to_owned(),
        "Secret".to_owned(),
        "s".to_owned(),
        0,
    );
    assert_eq!(
        masks[&secret],
        ["/metadata/annotations/checksum~1config", "/data/password"]
    );
    let pod = (
        "c/templates/tests/test.yaml".to_owned(),
        "Pod".to_owned(),
        RANDOM.to_owned(),
        0,
    );
    assert_eq!(masks[&pod], ["/metadata/name", "/spec/args/0"]);

    // snaplint's placeholders differ from both helm runs only where helm is random.
    let mut ours = Vec::new();
    add_documents(
        "c/templates/secret.yaml",
        "kind: Secret\nmetadata:\n  name: s\n  annotations:\n    checksum/config: x7k-sum\n\
         data:\n  user: admin\n  password: x7k\n",
        &mut ours,
    );
    add_documents(
        "c/templates/tests/test.yaml",
        "kind: Pod\nmetadata:\n  name: c-test-x7kq2\nspec:\n  args: [\"x7kq2\"]\n",
        &mut ours,
    );
    let mut ours = keyed(ours, &random_names);
    assert_eq!(names_behind_random(&ours, &theirs), ["c-test-x7kq2"]);
    assert_eq!(mask(&mut theirs, &masks), 4);
    assert_eq!(mask(&mut ours, &masks), 4);
    assert_eq!(first_doc_difference(&theirs, &ours), None);

    // A value helm gives the same twice is still compared.
    ours.get_mut(&secret).expect("secret")["data"]["user"] = Value::String("root".into());
    assert_eq!(
        first_doc_difference(&theirs, &ours).as_deref(),
        Some("c/templates/secret.yaml Secret/s at .data.user (character 0): helm \"admin\", snaplint \"root\"")
    );

    let names = BTreeSet::from(["c-test-k3j9x".to_owned(), "c-test-x7kq2".to_owned()]);
    let finding = |m: &str| {
        (
            "HOOK001".to_owned(),
            "c/templates/tests/test.yaml".to_owned(),
            m.to_owned(),
        )
    };
    let mut helm_findings = vec![finding("Pod `c-test-k3j9x` has no hook weight")];
    let mut our_findings = vec![finding("Pod `c-test-x7kq2` has no hook weight")];
    mask_names(&mut helm_findings, &names);
    mask_names(&mut our_findings, &names);
    assert_eq!(compare_findings(&helm_findings, &our_findings), (1, None));
}
