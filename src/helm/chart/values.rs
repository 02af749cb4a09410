//! The values each chart renders with, as `helm template` computes them (Helm v3.17
//! `action.Install`): `chartutil.ProcessDependenciesWithMerge` (aliases, tags, conditions,
//! disabled subcharts removed, then import-values), `chartutil.CoalesceValues` (user values
//! over chart defaults, subchart defaults under `.Values.<name or alias>`, `global` copied
//! down, null deleting a key), then the engine's scoping: a subchart's `.Values` is the very map
//! its parent sees at `.Values.<name>`, so `set` in one is seen by the other.
//!
//! The port follows Helm's code step by step, shallow and deep copies included, since which
//! maps end up shared is observable from templates. Helm's warnings are not reported.

use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;

use super::ChartNode;
use super::files::Files;
use super::meta::{ChartObject, Dependency, Metadata};
use crate::helm::funcs::semver;
use crate::helm::value::{Map, Value, go_string};

const GLOBAL: &str = "global";

/// One chart as rendered: what its templates see.
#[derive(Debug, Clone)]
pub struct Scope {
    /// `app`, `app/charts/<name or alias>`: template names and `.Template.BasePath` start here.
    pub dir: String,
    /// The chart's name as rendered (its alias, for an aliased subchart).
    pub name: String,
    /// The parent's index in the list (`None` for the top chart), for `.Subcharts`.
    pub parent: Option<usize>,
    /// `.Chart`.
    pub chart: Value,
    /// `.Values`.
    pub values: Value,
    /// `.Files`.
    pub files: Value,
    /// The templates Helm parses for this chart, by full path (`app/templates/x.yaml`): all of
    /// them, or only the `_*` ones of a library chart.
    pub templates: Vec<(String, String)>,
    pub library: bool,
}

/// Every enabled chart with its values, parent before its subcharts. `overrides` are the
/// user's values (`-f`; KOTS `HelmChart` `spec.values`).
pub fn render_values(top: &ChartNode, overrides: &Value) -> Result<Vec<Scope>, String> {
    let user = match overrides {
        Value::Map(m) => m.clone(),
        _ => new_map(),
    };
    let mut work = Work::new(top);
    process_dependency_enabled(&mut work, &user, "")?;
    process_dependency_import_values(&mut work)?;
    let values = coalesce_values_of(&work, &user, false)?;
    let mut out = Vec::new();
    push_scopes(&work, values, None, &mut out);
    Ok(out)
}

/// A chart while Helm processes its dependencies: Go mutates the loaded `*chart.Chart`
/// (names become aliases, disabled subcharts go, values get imports); this is that copy.
#[derive(Debug, Clone)]
struct Work<'c> {
    node: &'c ChartNode,
    md: Metadata,
    /// `c.Values`.
    values: Map,
    /// `c.Dependencies()`.
    deps: Vec<Work<'c>>,
}

impl<'c> Work<'c> {
    fn new(node: &'c ChartNode) -> Work<'c> {
        let values = match &node.values {
            Value::Map(m) => m.clone(),
            _ => new_map(),
        };
        Work {
            node,
            md: (*node.metadata).clone(),
            values,
            deps: node.subcharts.iter().map(Work::new).collect(),
        }
    }

    fn name(&self) -> &str {
        &self.md.name
    }
}

fn new_map() -> Map {
    Rc::new(std::cell::RefCell::new(BTreeMap::new()))
}

fn get(m: &Map, key: &str) -> Option<Value> {
    m.borrow().get(key).cloned()
}

fn set(m: &Map, key: &str, v: Value) {
    m.borrow_mut().insert(key.to_owned(), v);
}

fn entries(m: &Map) -> Vec<(String, Value)> {
    m.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn table_of(v: &Value) -> Option<Map> {
    match v {
        Value::Map(m) => Some(m.clone()),
        _ => None,
    }
}

fn is_null(v: &Value) -> bool {
    matches!(v, Value::Nil | Value::NoValue)
}

/// `copystructure.Copy` of a values map.
fn deep_copy(m: &Map) -> Map {
    match Value::Map(m.clone()).deep_copy() {
        Value::Map(c) => c,
        _ => new_map(),
    }
}

/// `CoalesceValues` (merge false) or `MergeValues` (merge true) of a chart and values.
fn coalesce_values_of(c: &Work<'_>, vals: &Map, merge: bool) -> Result<Map, String> {
    let dest = deep_copy(vals);
    coalesce(c, &dest, merge)?;
    Ok(dest)
}

fn coalesce(c: &Work<'_>, dest: &Map, merge: bool) -> Result<(), String> {
    coalesce_chart_values(c, dest, merge);
    coalesce_deps(c, dest, merge)
}

/// `coalesceDeps`: each subchart's values live under its name; globals flow down first.
fn coalesce_deps(c: &Work<'_>, dest: &Map, merge: bool) -> Result<(), String> {
    for sub in &c.deps {
        let name = sub.name();
        let dv = match get(dest, name) {
            None => {
                let m = new_map();
                set(dest, name, Value::Map(m.clone()));
                m
            }
            Some(Value::Map(m)) => m,
            Some(other) => return Err(format!("type mismatch on {name}: {}", go_percent_t(&other))),
        };
        coalesce_globals(&dv, dest);
        coalesce(sub, &dv, merge)?;
    }
    Ok(())
}

/// `coalesceGlobals`: the parent's globals over the subchart's, tables merged (the parent's
/// table copied shallowly, so its nested tables stay shared, as in Go).
fn coalesce_globals(dest: &Map, src: &Map) {
    let dg = match get(dest, GLOBAL) {
        None => new_map(),
        Some(Value::Map(m)) => m,
        Some(_) => return,
    };
    let sg = match get(src, GLOBAL) {
        None => new_map(),
        Some(Value::Map(m)) => m,
        Some(_) => return,
    };
    for (key, val) in entries(&sg) {
        if let Value::Map(vm) = &val {
            let vv: Map = Rc::new(std::cell::RefCell::new(vm.borrow().clone()));
            match get(&dg, &key) {
                None => set(&dg, &key, Value::Map(vv)),
                Some(Value::Map(destv)) => {
                    coalesce_tables(&vv, &destv, true);
                    set(&dg, &key, Value::Map(vv));
                }
                Some(_) => {}
            }
        } else if get(&dg, &key).is_some_and(|d| table_of(&d).is_some()) {
            // A table is not replaced by a scalar.
        } else {
            set(&dg, &key, val);
        }
    }
    set(dest, GLOBAL, Value::Map(dg));
}

/// `coalesceValues`: the chart's defaults (a deep copy) under the given values.
fn coalesce_chart_values(c: &Work<'_>, v: &Map, merge: bool) {
    let defaults = deep_copy(&c.values);
    for (key, val) in entries(&defaults) {
        match get(v, &key) {
            Some(value) if is_null(&value) && !merge => {
                v.borrow_mut().remove(&key);
            }
            Some(Value::Map(dest)) => {
                if let Value::Map(src) = &val {
                    let merge = merge || c.deps.iter().any(|d| d.name() == key);
                    coalesce_tables(&dest, src, merge);
                }
            }
            Some(_) => {}
            None => set(v, &key, val),
        }
    }
}

/// `coalesceTablesFullKey`: `src` fills what `dst` lacks; tables merge; a null in `dst`
/// deletes the key unless merging.
fn coalesce_tables(dst: &Map, src: &Map, merge: bool) {
    if Rc::ptr_eq(dst, src) {
        return;
    }
    for (key, val) in entries(src) {
        match get(dst, &key) {
            Some(dv) if !merge && is_null(&dv) => {
                dst.borrow_mut().remove(&key);
            }
            None => set(dst, &key, val),
            Some(dv) => {
                if let (Value::Map(sv), Value::Map(dm)) = (&val, &dv) {
                    coalesce_tables(dm, sv, merge);
                }
            }
        }
    }
}

/// Go's `%t` of a value that is not a bool (`type mismatch on x: %!t(string=a)`).
fn go_percent_t(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::NoValue | Value::Nil => "%!t(<nil>)".into(),
        Value::List(items, _) => {
            let parts: Vec<String> = items.iter().map(go_percent_t).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::Map(m) => {
            let parts: Vec<String> = m
                .borrow()
                .iter()
                .map(|(k, v)| format!("%!t(string={k}):{}", go_percent_t(v)))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
        other => format!("%!t({}={})", other.type_name(), go_string(other)),
    }
}

/// Why `PathValue` found nothing.
enum PathError {
    NoValue,
    Other,
}

/// `Values.Table`: the table at a dotted path.
fn table(v: &Map, name: &str) -> Option<Map> {
    let mut cur = v.clone();
    for part in name.split('.') {
        cur = table_of(&get(&cur, part)?)?;
    }
    Some(cur)
}

/// `Values.PathValue`: the non-table value at a dotted path.
fn path_value(v: &Map, path: &str) -> Result<Value, PathError> {
    if path.is_empty() {
        return Err(PathError::Other);
    }
    let (prefix, key) = match path.rsplit_once('.') {
        Some((p, k)) => (Some(p), k),
        None => (None, path),
    };
    let t = match prefix {
        None => v.clone(),
        Some(p) => table(v, p).ok_or(PathError::NoValue)?,
    };
    match get(&t, key) {
        Some(val) if table_of(&val).is_none() => Ok(val),
        _ => Err(PathError::NoValue),
    }
}

/// `processDependencyEnabled`: aliases applied, tags then conditions decide, disabled
/// subcharts removed, recursively with conditions read at `path` in the parent's values.
fn process_dependency_enabled(c: &mut Work<'_>, v: &Map, path: &str) -> Result<(), String> {
    let Some(mut reqs) = c.md.dependencies.take() else {
        return Ok(());
    };
    let existing = std::mem::take(&mut c.deps);
    let matches = |e: &Work<'_>, r: &Dependency| {
        e.name() == r.name && semver::matches(&r.version, &e.md.version).unwrap_or(false)
    };
    // Subcharts no dependency entry claims stay as they are.
    let mut deps: Vec<Work<'_>> = existing
        .iter()
        .filter(|e| !reqs.iter().any(|r| matches(e, r)))
        .cloned()
        .collect();
    for r in &mut reqs {
        if let Some(found) = existing.iter().find(|e| matches(e, r)) {
            let mut copy = found.clone();
            if !r.alias.is_empty() {
                copy.md.name = r.alias.clone();
            }
            deps.push(copy);
        }
        if !r.alias.is_empty() {
            r.name = r.alias.clone();
        }
    }
    for r in &mut reqs {
        r.enabled = true;
    }
    c.deps = deps;
    let cvals = coalesce_values_of(c, v, false)?;
    process_tags(&mut reqs, &cvals);
    process_conditions(&mut reqs, &cvals, path);
    let removed: HashSet<String> = reqs.iter().filter(|r| !r.enabled).map(|r| r.name.clone()).collect();
    c.deps.retain(|d| !removed.contains(d.name()));
    reqs.retain(|r| !removed.contains(&r.name));
    for t in &mut c.deps {
        let sub_path = format!("{path}{}.", t.name());
        process_dependency_enabled(t, &cvals, &sub_path)?;
    }
    c.md.dependencies = if reqs.is_empty() { None } else { Some(reqs) };
    Ok(())
}

/// `processDependencyTags`: any true tag enables, only false tags disable.
fn process_tags(reqs: &mut [Dependency], cvals: &Map) {
    let Some(tags) = table(cvals, "tags") else {
        return;
    };
    for r in reqs {
        let (mut has_true, mut has_false) = (false, false);
        for k in &r.tags {
            match get(&tags, k) {
                Some(Value::Bool(true)) => has_true = true,
                Some(Value::Bool(false)) => has_false = true,
                _ => {}
            }
        }
        r.enabled = has_true || !has_false;
    }
}

/// `processDependencyConditions`: the first path of the comma-separated list that holds a
/// bool decides; a non-bool is skipped. The parts are not trimmed, as in Helm.
fn process_conditions(reqs: &mut [Dependency], cvals: &Map, cpath: &str) {
    for r in reqs {
        for cond in r.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            if let Ok(Value::Bool(b)) = path_value(cvals, &format!("{cpath}{cond}")) {
                r.enabled = b;
                break;
            }
        }
    }
}

/// `processDependencyImportValues` with merge: children first.
fn process_dependency_import_values(c: &mut Work<'_>) -> Result<(), String> {
    for d in &mut c.deps {
        process_dependency_import_values(d)?;
    }
    process_import_values(c)
}

/// `processImportValues` (merge): the chart's values become its merged tree (subchart
/// defaults included) under what it imports from its subcharts.
fn process_import_values(c: &mut Work<'_>) -> Result<(), String> {
    if c.md.dependencies.is_none() {
        return Ok(());
    }
    let cvals = coalesce_values_of(c, &new_map(), true)?;
    let imported = new_map();
    for r in c.md.dependencies.iter_mut().flatten() {
        let mut rewritten = Vec::new();
        for iv in &r.import_values {
            let (child, parent) = match iv {
                Value::Map(m) => {
                    let field = |k: &str| match get(m, k) {
                        Some(Value::Str(s)) => Ok(s.to_string()),
                        _ => Err(format!(
                            "import-values of dependency {:?}: {k} must be a string",
                            r.name
                        )),
                    };
                    (field("child")?, field("parent")?)
                }
                Value::Str(s) => (format!("exports.{s}"), ".".to_owned()),
                _ => continue,
            };
            rewritten.push(Value::map(BTreeMap::from([
                ("child".to_owned(), Value::str(child.as_str())),
                ("parent".to_owned(), Value::str(parent.as_str())),
            ])));
            let Some(vv) = table(&cvals, &format!("{}.{child}", r.name)) else {
                continue;
            };
            coalesce_tables(&imported, &path_to_map(&parent, vv), true);
        }
        r.import_values = rewritten;
    }
    let merged = deep_copy(&cvals);
    coalesce_tables(&merged, &imported, true);
    c.values = merged;
    Ok(())
}

/// `pathToMap`: `a.b` and data give `{a: {b: data}}`; `.` gives data itself.
fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for part in path.split('.').rev() {
        let m = new_map();
        set(&m, part, Value::Map(cur));
        cur = m;
    }
    cur
}

/// The engine's `recAllTpls`: each chart's scope, its `.Values` looked up in the parent's.
fn push_scopes(c: &Work<'_>, values: Map, parent: Option<usize>, out: &mut Vec<Scope>) {
    let dir = match parent {
        None => c.name().to_owned(),
        Some(p) => format!("{}/charts/{}", out[p].dir, c.name()),
    };
    let library = c.md.is_library();
    let templates = c
        .node
        .templates
        .iter()
        .filter(|(p, _)| !library || p.rsplit('/').next().is_some_and(|b| b.starts_with('_')))
        .map(|(p, src)| {
            let rel = p.strip_prefix(&c.node.dir).unwrap_or(p);
            (format!("{dir}{rel}"), src.clone())
        })
        .collect();
    let index = out.len();
    out.push(Scope {
        dir,
        name: c.name().to_owned(),
        parent,
        chart: ChartObject::value(Rc::new(c.md.clone()), parent.is_none()),
        values: Value::Map(values.clone()),
        files: Files::new(&c.node.files).value(),
        templates,
        library,
    });
    for d in &c.deps {
        // `vals.Table("Values." + name)`: a dotted chart name walks nested tables.
        let sub = table(&values, d.name()).unwrap_or_else(new_map);
        push_scopes(d, sub, Some(index), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::chart::{load_dir, parse_values};
    use crate::helm::value::to_json;

    fn chart(files: &[(&str, &str)]) -> (tempfile::TempDir, ChartNode) {
        let tmp = tempfile::tempdir().unwrap();
        for (p, text) in files {
            let full = tmp.path().join(p);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        let c = load_dir(tmp.path()).unwrap();
        (tmp, c)
    }

    fn json(v: &Value) -> String {
        to_json(v).unwrap().to_string()
    }

    fn user(yaml: &str) -> Value {
        parse_values("user.yaml", yaml).unwrap()
    }

    fn dirs(scopes: &[Scope]) -> Vec<&str> {
        scopes.iter().map(|s| s.dir.as_str()).collect()
    }

    const PARENT: &str = "apiVersion: v2\nname: p\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: 0.1.0\n";
    const SUB: &str = "apiVersion: v2\nname: sub\nversion: 0.1.0\n";

    // Every expected value below is what `helm template` v3.17.1 printed (`toJson .Values`
    // in each chart's template) for the same chart and `-f` values.

    #[test]
    fn subchart_defaults_globals_and_shared_maps() {
        let (_t, c) = chart(&[
            ("Chart.yaml", PARENT),
            ("values.yaml", "global:\n  g: parent\nsub:\n  a: fromparent\n"),
            ("charts/sub/Chart.yaml", SUB),
            (
                "charts/sub/values.yaml",
                "a: subdefault\nb: subb\nglobal:\n  g: sub\n  h: subh\n",
            ),
        ]);
        let s = render_values(&c, &Value::empty_map()).unwrap();
        assert_eq!(dirs(&s), ["p", "p/charts/sub"]);
        assert_eq!(
            json(&s[0].values),
            r#"{"global":{"g":"parent"},"sub":{"a":"fromparent","b":"subb","global":{"g":"parent","h":"subh"}}}"#
        );
        assert_eq!(
            json(&s[1].values),
            r#"{"a":"fromparent","b":"subb","global":{"g":"parent","h":"subh"}}"#
        );
        // `set .Values "setBySub" "yes"` in the subchart shows in the parent's .Values.sub.
        let (Value::Map(sub), Value::Map(parent)) = (&s[1].values, &s[0].values) else {
            panic!()
        };
        sub.borrow_mut().insert("setBySub".into(), Value::str("yes"));
        assert!(json(&Value::Map(parent.clone())).contains(r#""setBySub":"yes""#));
    }

    #[test]
    fn null_deletes_defaults_but_not_user_only_keys() {
        let (_t, c) = chart(&[
            ("Chart.yaml", PARENT),
            ("values.yaml", "a: 1\nb: {x: 1, z: 2}\nkeepnull: null\nsub:\n  s: 1\n"),
            ("charts/sub/Chart.yaml", SUB),
            ("charts/sub/values.yaml", "s: 2\nt: 3\nu: {v: 1}\n"),
        ]);
        let s = render_values(
            &c,
            &user("a: null\nb: {x: null}\nnew: null\nsub:\n  t: null\n  u: null\n"),
        )
        .unwrap();
        assert_eq!(
            json(&s[0].values),
            r#"{"b":{"z":2},"keepnull":null,"new":null,"sub":{"global":{},"s":1}}"#
        );
        assert_eq!(json(&s[1].values), r#"{"global":{},"s":1}"#);
    }

    #[test]
    fn conditions_with_alias_tags_and_first_resolvable_condition() {
        let parent = "apiVersion: v2\nname: p\nversion: 0.1.0\ndependencies:\n\
            - name: sub\n  version: 0.1.0\n  alias: one\n  condition: one.enabled\n\
            - name: sub\n  version: \"*\"\n  alias: two\n  condition: missing.x,two.ok,two.enabled\n\
            - name: sub\n  version: \"~0.1\"\n  alias: three\n  tags: [front]\n\
            - name: sub\n  version: \">=1.0.0\"\n  alias: four\n";
        let (_t, c) = chart(&[
            ("Chart.yaml", parent),
            (
                "values.yaml",
                "one:\n  enabled: false\ntwo:\n  ok: true\n  enabled: false\ntags:\n  front: false\n",
            ),
            ("charts/sub/Chart.yaml", SUB),
            ("charts/sub/templates/t.yaml", "# t"),
        ]);
        // helm: only p/charts/two renders (one: condition false; three: its only tag is false;
        // four: the version does not match, so no subchart takes that alias).
        let s = render_values(&c, &Value::empty_map()).unwrap();
        assert_eq!(dirs(&s), ["p", "p/charts/two"]);
        assert_eq!(s[1].templates[0].0, "p/charts/two/templates/t.yaml");
        let Value::Object(chart) = &s[1].chart else { panic!() };
        assert_eq!(go_string(&chart.field("Name").unwrap()), "two");
        assert_eq!(go_string(&chart.field("IsRoot").unwrap()), "false");
        // User values: the condition wins over the tag; a non-bool condition is skipped.
        let s = render_values(&c, &user("one:\n  enabled: \"yes\"\ntags:\n  front: true\n")).unwrap();
        assert_eq!(dirs(&s), ["p", "p/charts/one", "p/charts/two", "p/charts/three"]);
    }

    #[test]
    fn dependency_without_version_keeps_its_subchart_unaliased() {
        let parent = "apiVersion: v2\nname: q\nversion: 0.1.0\ndependencies:\n\
            - name: sub\n  condition: sub.enabled\n  alias: al\n";
        let (_t, c) = chart(&[
            ("Chart.yaml", parent),
            ("values.yaml", "sub:\n  enabled: false\nal:\n  enabled: false\n"),
            ("charts/sub/Chart.yaml", SUB),
        ]);
        // helm renders q/charts/sub/templates/...: an empty version is no constraint Masterminds
        // accepts, so no dependency entry claims the subchart.
        let s = render_values(&c, &Value::empty_map()).unwrap();
        assert_eq!(dirs(&s), ["q", "q/charts/sub"]);
    }

    #[test]
    fn import_values_both_forms() {
        let parent = "apiVersion: v2\nname: q\nversion: 0.1.0\ndependencies:\n\
            - name: sub\n  version: \"*\"\n  alias: al\n  import-values:\n  - data\n  - child: x.z\n    parent: imp.here\n";
        let (_t, c) = chart(&[
            ("Chart.yaml", parent),
            ("values.yaml", "fromexport: parentwins\n"),
            ("charts/sub/Chart.yaml", SUB),
            (
                "charts/sub/values.yaml",
                "exports:\n  data:\n    fromexport: 1\n    other: 2\nx:\n  z:\n    deep: 2\n",
            ),
        ]);
        let s = render_values(&c, &Value::empty_map()).unwrap();
        // helm: {"al":{"exports":{"data":{"fromexport":1,"other":2}},"global":{},"x":{"z":{"deep":2}}},
        //        "fromexport":"parentwins","imp":{"here":{"deep":2}},"other":2}
        assert_eq!(
            json(&s[0].values),
            r#"{"al":{"exports":{"data":{"fromexport":1,"other":2}},"global":{},"x":{"z":{"deep":2}}},"fromexport":"parentwins","imp":{"here":{"deep":2}},"other":2}"#
        );
        let Value::Object(chart) = &s[0].chart else { panic!() };
        let deps = chart.field("Dependencies").unwrap();
        let Value::List(items, _) = &deps else { panic!() };
        let Value::Object(d) = &items[0] else { panic!() };
        assert_eq!(
            go_string(&d.field("ImportValues").unwrap()),
            "[map[child:exports.data parent:.] map[child:x.z parent:imp.here]]"
        );
    }

    #[test]
    fn library_subcharts_offer_only_partials() {
        let (_t, c) = chart(&[
            ("Chart.yaml", PARENT.replace("name: sub", "name: lib").as_str()),
            (
                "charts/lib/Chart.yaml",
                "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n",
            ),
            ("charts/lib/templates/_helpers.tpl", "{{ define \"x\" }}{{ end }}"),
            ("charts/lib/templates/cm.yaml", "kind: ConfigMap"),
            ("charts/lib/values.yaml", "libdefault: 1\n"),
        ]);
        let s = render_values(&c, &Value::empty_map()).unwrap();
        assert!(s[1].library);
        let t: Vec<&str> = s[1].templates.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(t, ["p/charts/lib/templates/_helpers.tpl"]);
        assert_eq!(json(&s[0].values), r#"{"lib":{"global":{},"libdefault":1}}"#);
    }

    #[test]
    fn a_scalar_where_a_subchart_table_goes_is_an_error() {
        let (_t, c) = chart(&[("Chart.yaml", PARENT), ("charts/sub/Chart.yaml", SUB)]);
        let e = render_values(&c, &user("sub: text\n")).unwrap_err();
        // helm: Error: type mismatch on sub: %!t(string=text)
        assert_eq!(e, "type mismatch on sub: %!t(string=text)");
    }

    #[test]
    fn files_and_chart_per_scope() {
        let (_t, c) = chart(&[
            ("Chart.yaml", PARENT),
            ("files/a.txt", "A"),
            ("charts/sub/Chart.yaml", SUB),
        ]);
        let s = render_values(&c, &Value::empty_map()).unwrap();
        let Value::Object(f) = &s[0].files else { panic!() };
        assert_eq!(f.display(), "map[files/a.txt:[65]]");
        let Value::Object(f) = &s[1].files else { panic!() };
        assert_eq!(f.display(), "map[]");
        assert_eq!(s[1].parent, Some(0));
    }
}

/// Cross-check support (run by hand): `CHART_DUMP_DIR=<chart dir> [CHART_DUMP_VALUES=<file>]
/// cargo test --lib helm::chart::values::dump -- --ignored --nocapture` prints one line per
/// scope in the same form as a `# DUMP` template rendered by the real helm.
#[cfg(test)]
mod dump {
    use super::*;
    use crate::helm::chart::{load_dir, parse_values};
    use crate::helm::value::to_json;

    #[test]
    #[ignore]
    fn dump() {
        let Ok(dir) = std::env::var("CHART_DUMP_DIR") else {
            return;
        };
        let c = load_dir(std::path::Path::new(&dir)).unwrap();
        let user = match std::env::var("CHART_DUMP_VALUES").ok().filter(|f| !f.is_empty()) {
            Some(f) => parse_values(&f, &std::fs::read_to_string(&f).unwrap()).unwrap(),
            None => Value::empty_map(),
        };
        for s in render_values(&c, &user).unwrap() {
            if s.library {
                continue;
            }
            let Value::Object(f) = &s.files else { continue };
            let names: String = f
                .display()
                .trim_start_matches("map[")
                .split(' ')
                .filter_map(|e| e.split_once(":["))
                .map(|(n, _)| format!("{n},"))
                .collect();
            let Value::Object(chart) = &s.chart else { continue };
            let name = go_string(&chart.field("Name").unwrap());
            println!("DUMP\t{}\t{}\t{names}\t{name}", s.dir, to_json(&s.values).unwrap());
        }
    }
}
