//! Helm's `pkg/chart/loader`: an archive's files (the first path component is the chart's
//! directory, whatever its name) or a directory on disk (walked in lexical order, following
//! symlinks, minus what `.helmignore` ignores) become a `ChartNode`. `Chart.yaml`,
//! `values.yaml`, `templates/`, `charts/` (archives or directories, those starting with `_` or
//! `.` skipped) are taken apart as `LoadFiles` does; everything else is a file for `.Files`.
//! All of it is bounded by the archive limits (`archive::Budget`), directories included.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::ignore::Rules;
use super::meta::{ChartObject, Metadata};
use super::{ChartNode, MAX_NESTING, parse_values, parse_yaml_typed};
use crate::helm::archive::{Budget, MAX_ENTRIES, MAX_UNPACKED_BYTES, read_tgz};

const BOM: &[u8] = b"\xEF\xBB\xBF";
/// Directories deeper than this inside one chart are refused (a bound on recursion).
const MAX_DIR_DEPTH: usize = 64;
/// Charts in one tree, subcharts included: value processing copies a chart's whole values once
/// per subchart, so a hostile archive of thousands of tiny charts is refused up front. Real
/// charts have a few dozen at most.
const MAX_CHARTS: usize = 256;

type Buffered = Vec<(String, Vec<u8>)>;

/// Read a chart archive (`.tgz`) in memory.
pub fn read_chart(bytes: &[u8]) -> Result<ChartNode, String> {
    let mut budget = Budget::new();
    let files = read_tgz(bytes, &mut budget)?;
    from_archive_files(files, &mut budget)
}

/// A chart from the files of its archive (as `archive::read_tgz` gives them); subchart
/// archives inside draw on the same budget.
pub fn from_archive_files(files: BTreeMap<String, Vec<u8>>, budget: &mut Budget) -> Result<ChartNode, String> {
    let label = files
        .keys()
        .next()
        .and_then(|k| k.split('/').next())
        .unwrap_or("chart")
        .to_owned();
    let buffered = strip_archive_top(files)?;
    let top = load_files(buffered, "", &label, budget, 0)?;
    check_chart_count(&top)?;
    Ok(top)
}

fn check_chart_count(top: &ChartNode) -> Result<(), String> {
    fn count(c: &ChartNode) -> usize {
        1 + c.subcharts.iter().map(count).sum::<usize>()
    }
    if count(top) > MAX_CHARTS {
        return Err(format!("{}: more than {MAX_CHARTS} charts and subcharts", top.dir));
    }
    Ok(())
}

/// `LoadArchiveFiles`: drop each entry's first path component and clean the rest.
fn strip_archive_top(files: BTreeMap<String, Vec<u8>>) -> Result<Buffered, String> {
    let mut out = Vec::new();
    for (name, data) in files {
        let (top, rest) = name.split_once('/').unwrap_or((name.as_str(), ""));
        if rest.starts_with('/') {
            return Err("chart illegally contains absolute paths".into());
        }
        let n = clean(rest);
        if n == "." {
            return Err(format!(
                "chart illegally contains content outside the base directory: {name:?}"
            ));
        }
        if n.starts_with("..") {
            return Err("chart illegally references parent directory".into());
        }
        let b = n.as_bytes();
        if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/' {
            return Err("chart contains illegally named files".into());
        }
        if top == "Chart.yaml" {
            return Err("chart yaml not in base directory".into());
        }
        out.push((n, trim_bom(data)));
    }
    if out.is_empty() {
        return Err("no files in chart archive".into());
    }
    Ok(out)
}

fn trim_bom(mut data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(BOM) {
        data.drain(..BOM.len());
    }
    data
}

/// Go's `path.Clean` for a relative path.
fn clean(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            _ => parts.push(c),
        }
    }
    if parts.is_empty() { ".".into() } else { parts.join("/") }
}

fn utf8<'d>(path: &str, data: &'d [u8]) -> Result<&'d str, String> {
    std::str::from_utf8(data).map_err(|_| format!("{path}: invalid UTF-8"))
}

/// What `LoadFiles` sorts the chart's files into.
#[derive(Default)]
struct Sorted {
    metadata: Option<Metadata>,
    values: Option<crate::helm::value::Value>,
    templates: Vec<(String, Vec<u8>)>,
    files: Buffered,
    subcharts: BTreeMap<String, Buffered>,
}

/// `LoadFiles`: `label` names the chart's place in error messages.
fn load_files(
    files: Buffered,
    parent: &str,
    label: &str,
    budget: &mut Budget,
    depth: usize,
) -> Result<ChartNode, String> {
    let mut s = Sorted::default();
    for (name, data) in &files {
        if name == "Chart.yaml" {
            let path = format!("{label}/Chart.yaml");
            let v = parse_yaml_typed(&path, utf8(&path, data)?)?;
            let md = s.metadata.get_or_insert_with(Metadata::default);
            md.decode_into(&v)
                .map_err(|e| format!("{path}: cannot load Chart.yaml: {e}"))?;
            if md.api_version.is_empty() {
                md.api_version = "v1".into();
            }
        }
    }
    for (name, data) in files {
        sort_file(&mut s, name, data, label)?;
    }
    let mut md = s
        .metadata
        .ok_or_else(|| format!("{label}: Chart.yaml file is missing"))?;
    md.validate()
        .map_err(|e| format!("{label}/Chart.yaml: validation: {e}"))?;
    let dir = if parent.is_empty() {
        md.name.clone()
    } else {
        format!("{parent}/charts/{}", md.name)
    };
    let templates = s
        .templates
        .into_iter()
        .map(|(n, d)| (format!("{dir}/{n}"), String::from_utf8_lossy(&d).into_owned()))
        .collect();
    let mut subcharts = Vec::new();
    for (n, sub_files) in s.subcharts {
        if n.starts_with('_') || n.starts_with('.') {
            continue;
        }
        if depth + 1 > MAX_NESTING {
            return Err(format!(
                "{dir}/charts/{n}: subcharts nest deeper than {MAX_NESTING} levels"
            ));
        }
        subcharts.push(load_subchart(&n, sub_files, &md.name, &dir, budget, depth + 1)?);
    }
    let metadata = Rc::new(md);
    Ok(ChartNode {
        name: metadata.name.clone(),
        version: metadata.version.clone(),
        meta: ChartObject::value(metadata.clone(), parent.is_empty()),
        library: metadata.is_library(),
        values: s.values.unwrap_or_else(crate::helm::value::Value::empty_map),
        files: s.files,
        templates,
        deps: metadata.dependencies.clone(),
        subcharts,
        dir,
        metadata,
    })
}

fn sort_file(s: &mut Sorted, name: String, data: Vec<u8>, label: &str) -> Result<(), String> {
    let path = format!("{label}/{name}");
    let v1 = |s: &Sorted| s.metadata.as_ref().is_some_and(|m| m.api_version == "v1");
    match name.as_str() {
        "Chart.yaml" => {}
        "Chart.lock" => {
            parse_yaml_typed(&path, utf8(&path, &data)?).map_err(|e| format!("cannot load Chart.lock: {e}"))?;
        }
        "values.yaml" => s.values = Some(parse_values(&path, utf8(&path, &data)?)?),
        "values.schema.json" => {}
        "requirements.yaml" => {
            let v = parse_yaml_typed(&path, utf8(&path, &data)?)?;
            let md = s.metadata.get_or_insert_with(Metadata::default);
            md.decode_into(&v)
                .map_err(|e| format!("{path}: cannot load requirements.yaml: {e}"))?;
            if v1(s) {
                s.files.push((name, data));
            }
        }
        "requirements.lock" => {
            parse_yaml_typed(&path, utf8(&path, &data)?).map_err(|e| format!("cannot load requirements.lock: {e}"))?;
            s.metadata.get_or_insert_with(Metadata::default);
            if v1(s) {
                s.files.push((name, data));
            }
        }
        _ if name.starts_with("templates/") => s.templates.push((name, data)),
        _ if name.starts_with("charts/") => {
            if name.ends_with(".prov") {
                s.files.push((name, data));
                return Ok(());
            }
            let fname = &name["charts/".len()..];
            let cname = fname.split('/').next().unwrap_or(fname).to_owned();
            s.subcharts.entry(cname).or_default().push((fname.to_owned(), data));
        }
        _ => s.files.push((name, data)),
    }
    Ok(())
}

/// One entry of `charts/`: an archive (`x.tgz`) or a directory (`x/...`).
fn load_subchart(
    n: &str,
    files: Buffered,
    parent_name: &str,
    dir: &str,
    budget: &mut Budget,
    depth: usize,
) -> Result<ChartNode, String> {
    let label = format!("{dir}/charts/{n}");
    if n.ends_with(".tgz") {
        let Some((first, data)) = files.into_iter().next() else {
            return Err(format!("{label}: empty"));
        };
        if first != n {
            return Err(format!(
                "error unpacking subchart tar in {parent_name}: expected {n}, got {first}"
            ));
        }
        let inner = read_tgz(&data, budget).map_err(|e| format!("{label}: {e}"))?;
        let buffered = strip_archive_top(inner).map_err(|e| format!("{label}: {e}"))?;
        return load_files(buffered, dir, &label, budget, depth);
    }
    let buffered = files
        .into_iter()
        .filter_map(|(name, data)| Some((name.split_once('/')?.1.to_owned(), data)))
        .collect();
    load_files(buffered, dir, &label, budget, depth)
}

/// A chart directory on disk, as `helm template <dir>` loads it.
pub fn load_dir(path: &Path) -> Result<ChartNode, String> {
    let label = path.display().to_string().trim_end_matches('/').to_owned();
    let meta = std::fs::metadata(path).map_err(|e| format!("{label}: {e}"))?;
    if !meta.is_dir() {
        return Err(format!("{label}: not a directory"));
    }
    let mut budget = Budget::new();
    let rules = read_rules(path, &label, &mut budget)?.with_defaults();
    let mut walk = Walk {
        rules,
        label: label.clone(),
        budget: &mut budget,
        files: Vec::new(),
        stack: Vec::new(),
    };
    walk.dir(path, "", 0)?;
    let files = std::mem::take(&mut walk.files);
    let top = load_files(files, "", &label, &mut budget, 0)?;
    check_chart_count(&top)?;
    Ok(top)
}

fn read_rules(dir: &Path, label: &str, budget: &mut Budget) -> Result<Rules, String> {
    let path = dir.join(".helmignore");
    if std::fs::metadata(&path).is_err() {
        return Ok(Rules::default());
    }
    let data = read_bounded(&path, &format!("{label}/.helmignore"), budget)?;
    // The walk charges the file again when it reads it for `.Files`; refund this read.
    budget.bytes += data.len() as u64;
    let text = String::from_utf8_lossy(&data);
    Rules::parse(&text).map_err(|e| format!("{label}/.helmignore: {e}"))
}

/// Read a file without reading past the budget.
fn read_bounded(path: &Path, shown: &str, budget: &mut Budget) -> Result<Vec<u8>, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("error reading {shown}: {e}"))?;
    let mut data = Vec::new();
    f.take(budget.bytes + 1)
        .read_to_end(&mut data)
        .map_err(|e| format!("error reading {shown}: {e}"))?;
    let n = data.len() as u64;
    if n > budget.bytes {
        return Err(format!(
            "{shown}: the chart holds more than {} MiB",
            MAX_UNPACKED_BYTES >> 20
        ));
    }
    budget.bytes -= n;
    Ok(data)
}

struct Walk<'b> {
    rules: Rules,
    label: String,
    budget: &'b mut Budget,
    files: Buffered,
    /// Real paths of the directories being walked: a symlink back to one is a loop.
    stack: Vec<PathBuf>,
}

impl Walk<'_> {
    /// `sympath.Walk`: entries in lexical order, symlinks followed (the link's name is kept).
    fn dir(&mut self, path: &Path, rel: &str, depth: usize) -> Result<(), String> {
        if depth > MAX_DIR_DEPTH {
            return Err(format!("{}/{rel}: directories nest too deep", self.label));
        }
        let real = std::fs::canonicalize(path).map_err(|e| format!("{}/{rel}: {e}", self.label))?;
        if self.stack.contains(&real) {
            return Err(format!("{}/{rel}: symbolic link loop", self.label));
        }
        self.stack.push(real);
        let names = self.names(path, rel)?;
        for name in names {
            let n = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            self.entry(&path.join(&name), &n, depth)?;
        }
        self.stack.pop();
        Ok(())
    }

    fn names(&self, path: &Path, rel: &str) -> Result<Vec<String>, String> {
        let shown = format!("{}/{rel}", self.label);
        let mut names = Vec::new();
        for e in std::fs::read_dir(path).map_err(|e| format!("{shown}: {e}"))? {
            let e = e.map_err(|e| format!("{shown}: {e}"))?;
            let name = e
                .file_name()
                .into_string()
                .map_err(|n| format!("{shown}: file name {n:?} is not UTF-8"))?;
            names.push(name);
        }
        names.sort();
        Ok(names)
    }

    fn entry(&mut self, full: &Path, n: &str, depth: usize) -> Result<(), String> {
        let shown = format!("{}/{n}", self.label);
        if self.budget.entries == 0 {
            return Err(format!("{shown}: the chart holds more than {MAX_ENTRIES} entries"));
        }
        self.budget.entries -= 1;
        let lmeta = std::fs::symlink_metadata(full).map_err(|e| format!("{shown}: {e}"))?;
        let meta = if lmeta.file_type().is_symlink() {
            std::fs::metadata(full).map_err(|e| format!("{shown}: error evaluating symlink: {e}"))?
        } else {
            lmeta
        };
        if meta.is_dir() {
            if self.rules.ignore(n, true) {
                return Ok(());
            }
            return self.dir(full, n, depth + 1);
        }
        if self.rules.ignore(n, false) {
            return Ok(());
        }
        if !meta.is_file() {
            return Err(format!(
                "cannot load irregular file {} as it has file mode type bits set",
                full.display()
            ));
        }
        let data = read_bounded(full, &shown, self.budget)?;
        self.files.push((n.to_owned(), trim_bom(data)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::value::go_string;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (p, text) in files {
            let full = dir.join(p);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
    }

    const CHART: &str = "apiVersion: v2\nname: ig\nversion: 0.1.0\n";

    fn file_names(c: &ChartNode) -> Vec<&str> {
        c.files.iter().map(|(n, _)| n.as_str()).collect()
    }

    #[test]
    fn directory_chart_honours_helmignore() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        write(
            d,
            &[
                ("Chart.yaml", CHART),
                ("other.txt", "x"),
                ("keep.tgz", "k"),
                ("ci/a.txt", "c"),
                ("files/f.txt", "f"),
                ("templates/.hidden", "h"),
                ("templates/a.yaml", "# a"),
                ("templates/sub/b.yaml", "# b"),
            ],
        );
        // helm template lists .Files as `.helmignore,files/f.txt,keep.tgz,other.txt,`
        std::fs::write(d.join(".helmignore"), "ci/\n").unwrap();
        let c = load_dir(d).unwrap();
        assert_eq!(file_names(&c), [".helmignore", "files/f.txt", "keep.tgz", "other.txt"]);
        let t: Vec<&str> = c.templates.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(t, ["ig/templates/a.yaml", "ig/templates/sub/b.yaml"]);
        // helm template: `.helmignore,keep.tgz,other.txt,`
        std::fs::write(d.join(".helmignore"), "/ci\nfiles/*.txt\n").unwrap();
        assert_eq!(
            file_names(&load_dir(d).unwrap()),
            [".helmignore", "keep.tgz", "other.txt"]
        );
        // helm template: "Error: Chart.yaml file is missing"
        std::fs::write(d.join(".helmignore"), "*.tgz\n!other.txt\n").unwrap();
        assert!(load_dir(d).unwrap_err().ends_with("Chart.yaml file is missing"));
        std::fs::write(d.join(".helmignore"), "a/**\n").unwrap();
        let e = load_dir(d).unwrap_err();
        assert!(
            e.ends_with(".helmignore: double-star (**) syntax is not supported"),
            "{e}"
        );
    }

    #[test]
    fn directory_subcharts_and_symlinks() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        write(
            d,
            &[
                ("Chart.yaml", "apiVersion: v2\nname: p\nversion: 0.1.0\n"),
                ("values.yaml", "# {{ not a template\na: 1\n"),
                ("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.2.0\n"),
                ("charts/sub/templates/t.yaml", "# t"),
                ("charts/.git/x", "skipped"),
                ("charts/_skip/Chart.yaml", "broken: ["),
                ("real/data.txt", "d"),
            ],
        );
        std::os::unix::fs::symlink(d.join("real"), d.join("linked")).unwrap();
        std::os::unix::fs::symlink(d, d.join("real/loop")).unwrap();
        let e = load_dir(d).unwrap_err();
        assert!(e.contains("symbolic link loop"), "{e}");
        std::fs::remove_file(d.join("real/loop")).unwrap();
        let c = load_dir(d).unwrap();
        assert_eq!(file_names(&c), ["linked/data.txt", "real/data.txt"]);
        assert_eq!(go_string(&c.values), "map[a:1]");
        assert_eq!(c.subcharts.len(), 1);
        let sub = &c.subcharts[0];
        assert_eq!((sub.dir.as_str(), sub.version.as_str()), ("p/charts/sub", "0.2.0"));
        assert_eq!(sub.templates[0].0, "p/charts/sub/templates/t.yaml");
    }

    #[test]
    fn archive_paths_are_taken_apart_as_helm_does() {
        let files = BTreeMap::from([
            ("any/Chart.yaml".to_owned(), CHART.as_bytes().to_vec()),
            ("any/./templates/x.yaml".to_owned(), b"\xEF\xBB\xBF# x".to_vec()),
            ("any/charts/s.prov".to_owned(), b"sig".to_vec()),
            ("any/requirements.lock".to_owned(), b"digest: x".to_vec()),
        ]);
        let c = from_archive_files(files, &mut Budget::new()).unwrap();
        assert_eq!(c.templates, [("ig/templates/x.yaml".to_owned(), "# x".to_owned())]);
        // requirements.* are files only for apiVersion v1 charts.
        assert_eq!(file_names(&c), ["charts/s.prov"]);
        let top_level = BTreeMap::from([("README".to_owned(), Vec::new())]);
        assert_eq!(
            from_archive_files(top_level, &mut Budget::new()).unwrap_err(),
            "chart illegally contains content outside the base directory: \"README\""
        );
        let up = BTreeMap::from([("a/../../x".to_owned(), Vec::new())]);
        assert_eq!(
            from_archive_files(up, &mut Budget::new()).unwrap_err(),
            "chart illegally references parent directory"
        );
    }

    #[test]
    fn stray_entries_under_charts_fail_as_in_helm() {
        // helm template: "error unpacking subchart README.md in ig: Chart.yaml file is missing"
        let files = BTreeMap::from([
            ("ig/Chart.yaml".to_owned(), CHART.as_bytes().to_vec()),
            ("ig/charts/README.md".to_owned(), b"hi".to_vec()),
        ]);
        let e = from_archive_files(files, &mut Budget::new()).unwrap_err();
        assert_eq!(e, "ig/charts/README.md: Chart.yaml file is missing");
    }

    #[test]
    fn v1_requirements_give_dependencies() {
        let files = BTreeMap::from([
            ("c/Chart.yaml".to_owned(), b"name: c\nversion: 1.0.0\n".to_vec()),
            (
                "c/requirements.yaml".to_owned(),
                b"dependencies:\n- name: redis\n  version: 1.x\n  condition: redis.enabled\n".to_vec(),
            ),
        ]);
        let c = from_archive_files(files, &mut Budget::new()).unwrap();
        let deps = c.deps.unwrap();
        assert_eq!(
            (deps[0].name.as_str(), deps[0].condition.as_str()),
            ("redis", "redis.enabled")
        );
        assert_eq!(c.files[0].0, "requirements.yaml");
    }

    #[test]
    fn corpus_charts_load() {
        // `../shared` from the main checkout, `../../shared` from a worktree under /work/wt.
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let found = ["../shared/corpus/charts", "../../shared/corpus/charts"]
            .iter()
            .find_map(|d| std::fs::read_dir(root.join(d)).ok());
        let Some(entries) = found else {
            return;
        };
        let mut loaded = 0;
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "tgz") {
                let bytes = std::fs::read(&p).unwrap();
                match read_chart(&bytes) {
                    Ok(_) => loaded += 1,
                    Err(err) => eprintln!("{}: {err}", p.display()),
                }
            }
        }
        eprintln!("{loaded} corpus charts loaded");
    }
}
