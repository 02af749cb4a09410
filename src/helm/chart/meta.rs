//! `Chart.yaml` as Helm decodes it into `chart.Metadata`: `sigs.k8s.io/yaml` turns YAML into
//! JSON (numbers and booleans bound for a string field become strings), then `encoding/json`
//! fills the struct (keys match field names case-insensitively, an exact match preferred;
//! unknown keys are dropped; a wrong JSON type is an error). `Metadata::validate` is
//! `chart.Metadata.Validate`. `ChartObject` is `.Chart` as templates see it:
//! `struct { chart.Metadata; IsRoot bool }`, so unknown Chart.yaml keys are not visible and
//! missing ones are zero values.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::helm::funcs::semver::Version;
use crate::helm::value::{Object, Value, format_float32, go_string};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

#[derive(Debug, Clone, Default)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    pub enabled: bool,
    /// Strings (`exports.<name>`) or `{child, parent}` maps, as written.
    pub import_values: Vec<Value>,
    pub alias: String,
}

#[derive(Debug, Clone, Default)]
pub struct Metadata {
    pub name: String,
    pub home: String,
    pub sources: Vec<String>,
    pub version: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub maintainers: Vec<Maintainer>,
    pub icon: String,
    pub api_version: String,
    pub condition: String,
    pub tags: String,
    pub app_version: String,
    pub deprecated: bool,
    pub annotations: BTreeMap<String, String>,
    pub kube_version: String,
    /// `None` is Go's nil slice (no `dependencies:` key), which Helm treats differently from
    /// an empty list.
    pub dependencies: Option<Vec<Dependency>>,
    pub type_: String,
}

/// A decode step failed: what `encoding/json` says (without its `json: ` prefix).
type Decoded<T> = Result<T, String>;

fn type_error(v: &Value, field: &str, go_type: &str) -> String {
    format!(
        "cannot unmarshal {} into Go struct field {field} of type {go_type}",
        super::json_kind(v)
    )
}

/// A scalar bound for a Go string field: strings as they are, numbers and booleans as
/// `sigs.k8s.io/yaml` converts them; `None` for null (the field keeps its value).
fn to_string_field(v: &Value, field: &str) -> Decoded<Option<String>> {
    Ok(Some(match v {
        Value::Nil | Value::NoValue => return Ok(None),
        Value::Str(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format_float32(*f),
        Value::Bool(b) => b.to_string(),
        other => return Err(type_error(other, field, "string")),
    }))
}

fn to_bool_field(v: &Value, field: &str) -> Decoded<Option<bool>> {
    match v {
        Value::Nil | Value::NoValue => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        other => Err(type_error(other, field, "bool")),
    }
}

fn to_strings_field(v: &Value, field: &str) -> Decoded<Option<Vec<String>>> {
    match v {
        Value::Nil | Value::NoValue => Ok(Some(Vec::new())),
        Value::List(items, _) => items
            .iter()
            .map(|i| Ok(to_string_field(i, field)?.unwrap_or_default()))
            .collect::<Decoded<Vec<_>>>()
            .map(Some),
        other => Err(type_error(other, field, "[]string")),
    }
}

/// The entries of a JSON object, each key matched to a field name (exactly, else ignoring
/// ASCII case), in key order: `sigs.k8s.io/yaml` writes the keys sorted and `encoding/json`
/// decodes them in turn, so of two keys for one field the later one wins.
fn fields<'v>(m: &'v BTreeMap<String, Value>, names: &[&'static str]) -> Vec<(&'static str, &'v Value)> {
    m.iter()
        .filter_map(|(k, v)| {
            let field = names
                .iter()
                .find(|n| **n == k.as_str())
                .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(k)))?;
            Some((*field, v))
        })
        .collect()
}

const METADATA_FIELDS: &[&str] = &[
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiVersion",
    "condition",
    "tags",
    "appVersion",
    "deprecated",
    "annotations",
    "kubeVersion",
    "dependencies",
    "type",
];

const DEPENDENCY_FIELDS: &[&str] = &[
    "name",
    "version",
    "repository",
    "condition",
    "tags",
    "enabled",
    "import-values",
    "alias",
];

impl Metadata {
    /// Decode a YAML value (from `Chart.yaml`, or `requirements.yaml` over an existing one) into
    /// this metadata, as `yaml.Unmarshal(data, md)` does: present keys overwrite, others stay.
    pub fn decode_into(&mut self, v: &Value) -> Decoded<()> {
        let m = match v {
            Value::Nil | Value::NoValue => return Ok(()),
            Value::Map(m) => m.borrow().clone(),
            other => {
                return Err(format!(
                    "cannot unmarshal {} into Go value of type chart.Metadata",
                    super::json_kind(other)
                ));
            }
        };
        let mut first_err = None;
        for (field, val) in fields(&m, METADATA_FIELDS) {
            // encoding/json keeps decoding after a type error and reports the first one.
            if let Err(e) = self.decode_field(field, val) {
                first_err.get_or_insert(e);
            }
        }
        first_err.map_or(Ok(()), Err)
    }

    fn decode_field(&mut self, field: &str, v: &Value) -> Decoded<()> {
        let go = format!("Metadata.{field}");
        let set = |slot: &mut String| -> Decoded<()> {
            if let Some(s) = to_string_field(v, &go)? {
                *slot = s;
            }
            Ok(())
        };
        match field {
            "name" => set(&mut self.name),
            "home" => set(&mut self.home),
            "version" => set(&mut self.version),
            "description" => set(&mut self.description),
            "icon" => set(&mut self.icon),
            "apiVersion" => set(&mut self.api_version),
            "condition" => set(&mut self.condition),
            "tags" => set(&mut self.tags),
            "appVersion" => set(&mut self.app_version),
            "kubeVersion" => set(&mut self.kube_version),
            "type" => set(&mut self.type_),
            "sources" => {
                self.sources = to_strings_field(v, &go)?.unwrap_or_default();
                Ok(())
            }
            "keywords" => {
                self.keywords = to_strings_field(v, &go)?.unwrap_or_default();
                Ok(())
            }
            "deprecated" => {
                if let Some(b) = to_bool_field(v, &go)? {
                    self.deprecated = b;
                }
                Ok(())
            }
            "annotations" => self.decode_annotations(v, &go),
            "maintainers" => {
                self.maintainers = decode_list(v, &go, "[]*chart.Maintainer", decode_maintainer)?;
                Ok(())
            }
            "dependencies" => {
                self.dependencies = match v {
                    Value::Nil | Value::NoValue => None,
                    _ => Some(decode_list(v, &go, "[]*chart.Dependency", decode_dependency)?),
                };
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn decode_annotations(&mut self, v: &Value, go: &str) -> Decoded<()> {
        match v {
            Value::Nil | Value::NoValue => {
                self.annotations.clear();
                Ok(())
            }
            Value::Map(m) => {
                for (k, val) in m.borrow().iter() {
                    let s = to_string_field(val, go)?.unwrap_or_default();
                    self.annotations.insert(k.clone(), s);
                }
                Ok(())
            }
            other => Err(type_error(other, go, "map[string]string")),
        }
    }

    /// `chart.Metadata.Validate`: sanitizes text fields, then checks them. The message is
    /// Helm's (after its `validation: ` prefix).
    pub fn validate(&mut self) -> Result<(), String> {
        for s in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.condition,
            &mut self.tags,
            &mut self.app_version,
            &mut self.kube_version,
        ] {
            *s = sanitize(s);
        }
        for s in self.sources.iter_mut().chain(self.keywords.iter_mut()) {
            *s = sanitize(s);
        }
        if self.api_version.is_empty() {
            return Err("chart.metadata.apiVersion is required".into());
        }
        if self.name.is_empty() {
            return Err("chart.metadata.name is required".into());
        }
        // Go's `name != filepath.Base(name)`: `/` alone is its own base.
        if self.name.contains('/') && self.name != "/" {
            return Err(format!("chart.metadata.name {:?} is invalid", self.name));
        }
        if self.version.is_empty() {
            return Err("chart.metadata.version is required".into());
        }
        if Version::parse(&self.version).is_err() {
            return Err(format!("chart.metadata.version {:?} is invalid", self.version));
        }
        if !matches!(self.type_.as_str(), "" | "application" | "library") {
            return Err("chart.metadata.type must be application or library".into());
        }
        for m in &mut self.maintainers {
            m.name = sanitize(&m.name);
            m.email = sanitize(&m.email);
            m.url = sanitize(&m.url);
        }
        let mut seen = std::collections::HashSet::new();
        for d in self.dependencies.iter_mut().flatten() {
            d.name = sanitize(&d.name);
            d.version = sanitize(&d.version);
            d.repository = sanitize(&d.repository);
            d.condition = sanitize(&d.condition);
            for t in &mut d.tags {
                *t = sanitize(t);
            }
            let alias_ok = d
                .alias
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !d.alias.is_empty() && !alias_ok {
                return Err(format!(
                    "dependency {:?} has disallowed characters in the alias",
                    d.name
                ));
            }
            let key = if d.alias.is_empty() { &d.name } else { &d.alias };
            if !seen.insert(key.clone()) {
                return Err(format!("more than one dependency with name or alias {key:?}"));
            }
        }
        Ok(())
    }

    pub fn is_library(&self) -> bool {
        self.type_.eq_ignore_ascii_case("library")
    }
}

/// A JSON array into a Go slice of struct pointers; a null element is an error here as
/// `Validate` makes it one.
fn decode_list<T>(v: &Value, go: &str, go_type: &str, item: fn(&Value, &str) -> Decoded<Option<T>>) -> Decoded<Vec<T>> {
    let items = match v {
        Value::Nil | Value::NoValue => return Ok(Vec::new()),
        Value::List(items, _) => items,
        other => return Err(type_error(other, go, go_type)),
    };
    let what = if go_type.contains("Maintainer") {
        "maintainers"
    } else {
        "dependencies"
    };
    items
        .iter()
        .map(|i| item(i, go)?.ok_or_else(|| format!("{what} must not contain empty or null nodes")))
        .collect()
}

fn object_fields(v: &Value, go: &str, go_type: &str) -> Decoded<Option<BTreeMap<String, Value>>> {
    match v {
        Value::Nil | Value::NoValue => Ok(None),
        Value::Map(m) => Ok(Some(m.borrow().clone())),
        other => Err(type_error(other, go, go_type)),
    }
}

fn decode_maintainer(v: &Value, go: &str) -> Decoded<Option<Maintainer>> {
    let Some(m) = object_fields(v, go, "chart.Maintainer")? else {
        return Ok(None);
    };
    let mut out = Maintainer::default();
    for (field, val) in fields(&m, &["name", "email", "url"]) {
        let go = format!("Maintainer.{field}");
        let Some(s) = to_string_field(val, &go)? else { continue };
        match field {
            "name" => out.name = s,
            "email" => out.email = s,
            _ => out.url = s,
        }
    }
    Ok(Some(out))
}

fn decode_dependency(v: &Value, go: &str) -> Decoded<Option<Dependency>> {
    let Some(m) = object_fields(v, go, "chart.Dependency")? else {
        return Ok(None);
    };
    let mut d = Dependency::default();
    for (field, val) in fields(&m, DEPENDENCY_FIELDS) {
        let go = format!("Dependency.{field}");
        match field {
            "tags" => d.tags = to_strings_field(val, &go)?.unwrap_or_default(),
            "enabled" => d.enabled = to_bool_field(val, &go)?.unwrap_or(d.enabled),
            "import-values" => {
                d.import_values = match val {
                    Value::Nil | Value::NoValue => Vec::new(),
                    // []interface{}: no string coercion; numbers are float64 after JSON.
                    Value::List(items, _) => items.iter().map(json_number).collect(),
                    other => return Err(type_error(other, &go, "[]interface {}")),
                }
            }
            _ => {
                let Some(s) = to_string_field(val, &go)? else { continue };
                match field {
                    "name" => d.name = s,
                    "version" => d.version = s,
                    "repository" => d.repository = s,
                    "condition" => d.condition = s,
                    _ => d.alias = s,
                }
            }
        }
    }
    Ok(Some(d))
}

/// Integers as float64, as they come out of `encoding/json` into `interface{}`.
fn json_number(v: &Value) -> Value {
    match v {
        Value::Int(i) => Value::Float(*i as f64),
        Value::List(items, _) => Value::list(items.iter().map(json_number).collect()),
        Value::Map(m) => Value::map(m.borrow().iter().map(|(k, v)| (k.clone(), json_number(v))).collect()),
        other => other.clone(),
    }
}

/// Go's `sanitizeString`: whitespace becomes a space, other non-printable runes go.
fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() || is_unprintable_format(c) {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

/// Format characters (Unicode Cf) Go's `unicode.IsPrint` rejects that Rust's `is_control`
/// does not cover.
fn is_unprintable_format(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// `.Chart`: the metadata and whether the chart is the top one.
#[derive(Debug, Clone)]
pub struct ChartObject {
    pub metadata: Rc<Metadata>,
    pub is_root: bool,
}

impl ChartObject {
    pub fn value(metadata: Rc<Metadata>, is_root: bool) -> Value {
        Value::Object(Rc::new(ChartObject { metadata, is_root }))
    }

    /// What `encoding/json` marshals (`toJson .Chart`): the JSON names, empty fields omitted,
    /// in struct order, then `IsRoot`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut out = metadata_json(&self.metadata);
        out.insert("IsRoot".into(), self.is_root.into());
        serde_json::Value::Object(out)
    }
}

fn put(o: &mut serde_json::Map<String, serde_json::Value>, key: &str, v: &str) {
    if !v.is_empty() {
        o.insert(key.into(), v.into());
    }
}

fn put_list(o: &mut serde_json::Map<String, serde_json::Value>, key: &str, v: &[String]) {
    if !v.is_empty() {
        o.insert(key.into(), v.into());
    }
}

fn metadata_json(md: &Metadata) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value as J;
    let mut o = serde_json::Map::new();
    put(&mut o, "name", &md.name);
    put(&mut o, "home", &md.home);
    put_list(&mut o, "sources", &md.sources);
    put(&mut o, "version", &md.version);
    put(&mut o, "description", &md.description);
    put_list(&mut o, "keywords", &md.keywords);
    if !md.maintainers.is_empty() {
        let list = md.maintainers.iter().map(maintainer_json).collect();
        o.insert("maintainers".into(), J::Array(list));
    }
    put(&mut o, "icon", &md.icon);
    put(&mut o, "apiVersion", &md.api_version);
    put(&mut o, "condition", &md.condition);
    put(&mut o, "tags", &md.tags);
    put(&mut o, "appVersion", &md.app_version);
    if md.deprecated {
        o.insert("deprecated".into(), J::Bool(true));
    }
    if !md.annotations.is_empty() {
        let m = md
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), J::from(v.as_str())))
            .collect();
        o.insert("annotations".into(), J::Object(m));
    }
    put(&mut o, "kubeVersion", &md.kube_version);
    if let Some(deps) = md.dependencies.as_ref().filter(|d| !d.is_empty()) {
        o.insert(
            "dependencies".into(),
            J::Array(deps.iter().map(dependency_json).collect()),
        );
    }
    put(&mut o, "type", &md.type_);
    o
}

fn maintainer_json(m: &Maintainer) -> serde_json::Value {
    let mut o = serde_json::Map::new();
    put(&mut o, "name", &m.name);
    put(&mut o, "email", &m.email);
    put(&mut o, "url", &m.url);
    serde_json::Value::Object(o)
}

fn dependency_json(d: &Dependency) -> serde_json::Value {
    use serde_json::Value as J;
    let mut o = serde_json::Map::new();
    o.insert("name".into(), J::from(d.name.as_str()));
    put(&mut o, "version", &d.version);
    o.insert("repository".into(), J::from(d.repository.as_str()));
    put(&mut o, "condition", &d.condition);
    put_list(&mut o, "tags", &d.tags);
    if d.enabled {
        o.insert("enabled".into(), J::Bool(true));
    }
    if !d.import_values.is_empty() {
        let items = d
            .import_values
            .iter()
            .map(|v| crate::helm::value::to_json(v).unwrap_or(J::Null));
        o.insert("import-values".into(), J::Array(items.collect()));
    }
    put(&mut o, "alias", &d.alias);
    J::Object(o)
}

fn strings(v: &[String]) -> Value {
    Value::strings(v.iter().cloned())
}

fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// Go prints a pointer inside a container as its address; any fixed address stands in.
const POINTER: &str = "0xc000010000";

fn pointers(n: usize) -> String {
    format!("[{}]", vec![POINTER; n].join(" "))
}

impl Metadata {
    fn field(&self, name: &str) -> Option<Value> {
        let s = |v: &str| Some(Value::str(v));
        match name {
            "Name" => s(&self.name),
            "Home" => s(&self.home),
            "Sources" => Some(strings(&self.sources)),
            "Version" => s(&self.version),
            "Description" => s(&self.description),
            "Keywords" => Some(strings(&self.keywords)),
            "Maintainers" => Some(Value::list(
                self.maintainers
                    .iter()
                    .map(|m| Value::Object(Rc::new(m.clone())))
                    .collect(),
            )),
            "Icon" => s(&self.icon),
            "APIVersion" => s(&self.api_version),
            "Condition" => s(&self.condition),
            "Tags" => s(&self.tags),
            "AppVersion" => s(&self.app_version),
            "Deprecated" => Some(Value::Bool(self.deprecated)),
            "Annotations" => Some(Value::map(
                self.annotations
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::str(v.as_str())))
                    .collect(),
            )),
            "KubeVersion" => s(&self.kube_version),
            "Dependencies" => Some(Value::list(
                self.dependencies
                    .iter()
                    .flatten()
                    .map(|d| Value::Object(Rc::new(d.clone())))
                    .collect(),
            )),
            "Type" => s(&self.type_),
            _ => None,
        }
    }

    /// `%v` of the struct: fields in order, space separated.
    fn display(&self) -> String {
        let annotations: Vec<String> = self.annotations.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        let deps = self.dependencies.as_ref().map_or(0, Vec::len);
        [
            self.name.clone(),
            self.home.clone(),
            go_list(&self.sources),
            self.version.clone(),
            self.description.clone(),
            go_list(&self.keywords),
            pointers(self.maintainers.len()),
            self.icon.clone(),
            self.api_version.clone(),
            self.condition.clone(),
            self.tags.clone(),
            self.app_version.clone(),
            self.deprecated.to_string(),
            format!("map[{}]", annotations.join(" ")),
            self.kube_version.clone(),
            pointers(deps),
            self.type_.clone(),
        ]
        .join(" ")
    }
}

impl Object for ChartObject {
    fn type_name(&self) -> &'static str {
        "struct { chart.Metadata; IsRoot bool }"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "IsRoot" => Some(Value::Bool(self.is_root)),
            "Metadata" => Some(Value::Object(Rc::new(MetadataObject(self.metadata.clone())))),
            _ => self.metadata.field(name),
        }
    }

    fn method(&self, _name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }

    fn display(&self) -> String {
        format!("{{{{{}}} {}}}", self.metadata.display(), self.is_root)
    }
}

/// `.Chart.Metadata`, the embedded struct on its own.
#[derive(Debug)]
struct MetadataObject(Rc<Metadata>);

impl Object for MetadataObject {
    fn type_name(&self) -> &'static str {
        "chart.Metadata"
    }

    fn field(&self, name: &str) -> Option<Value> {
        self.0.field(name)
    }

    fn method(&self, _name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }

    fn display(&self) -> String {
        format!("{{{}}}", self.0.display())
    }
}

impl Object for Maintainer {
    fn type_name(&self) -> &'static str {
        "*chart.Maintainer"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Name" => Some(Value::str(self.name.as_str())),
            "Email" => Some(Value::str(self.email.as_str())),
            "URL" => Some(Value::str(self.url.as_str())),
            _ => None,
        }
    }

    fn method(&self, _name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }

    fn display(&self) -> String {
        format!("&{{{} {} {}}}", self.name, self.email, self.url)
    }
}

impl Object for Dependency {
    fn type_name(&self) -> &'static str {
        "*chart.Dependency"
    }

    fn field(&self, name: &str) -> Option<Value> {
        let s = |v: &str| Some(Value::str(v));
        match name {
            "Name" => s(&self.name),
            "Version" => s(&self.version),
            "Repository" => s(&self.repository),
            "Condition" => s(&self.condition),
            "Tags" => Some(strings(&self.tags)),
            "Enabled" => Some(Value::Bool(self.enabled)),
            "ImportValues" => Some(Value::list(self.import_values.clone())),
            "Alias" => s(&self.alias),
            _ => None,
        }
    }

    fn method(&self, _name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }

    fn display(&self) -> String {
        let iv: Vec<String> = self.import_values.iter().map(go_string).collect();
        format!(
            "&{{{} {} {} {} {} {} [{}] {}}}",
            self.name,
            self.version,
            self.repository,
            self.condition,
            go_list(&self.tags),
            self.enabled,
            iv.join(" "),
            self.alias
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::chart::parse_yaml_typed;

    fn decode(src: &str) -> Result<Metadata, String> {
        let mut md = Metadata::default();
        md.decode_into(&parse_yaml_typed("Chart.yaml", src)?)?;
        if md.api_version.is_empty() {
            md.api_version = "v1".into();
        }
        md.validate()?;
        Ok(md)
    }

    #[test]
    fn numbers_become_strings_as_sigs_yaml_makes_them() {
        // helm template: `.Chart.Version` 1.1, `.Chart.AppVersion` 12
        let md = decode("apiVersion: v2\nname: r\nversion: 1.10\nappVersion: 12\n").unwrap();
        assert_eq!((md.version.as_str(), md.app_version.as_str()), ("1.1", "12"));
        assert_eq!(format_float32(1.23456789), "1.2345679");
        assert_eq!(format_float32(1234567.0), "1.234567e+06");
        assert_eq!(format_float32(0.0001), "0.0001");
        assert_eq!(format_float32(0.00001), "1e-05");
    }

    #[test]
    fn keys_match_case_insensitively_and_the_last_duplicate_wins() {
        let md = decode("apiVersion: v2\nNAME: r\nVersion: 1.0.0\n").unwrap();
        assert_eq!((md.name.as_str(), md.version.as_str()), ("r", "1.0.0"));
        let md = decode("apiVersion: v2\nNAME: q\nname: r\nversion: 1.0.0\n").unwrap();
        assert_eq!(md.name, "r");
    }

    #[test]
    fn validation_errors_are_helms() {
        let e = |src: &str| decode(src).unwrap_err();
        assert_eq!(
            e("apiVersion: v2\nname: r\nversion: 1.0.0\ntype: Library\n"),
            "chart.metadata.type must be application or library"
        );
        assert_eq!(
            e("apiVersion: v2\nname: r/x\nversion: 1.0.0\n"),
            "chart.metadata.name \"r/x\" is invalid"
        );
        assert_eq!(e("apiVersion: v2\nname: r\n"), "chart.metadata.version is required");
        assert_eq!(e("- a\n").split(" into").next(), Some("cannot unmarshal array"));
        assert_eq!(
            e("apiVersion: v2\nname: r\nversion: 1.0.0\nkeywords: a\n"),
            "cannot unmarshal string into Go struct field Metadata.keywords of type []string"
        );
        assert_eq!(decode("name: r\nversion: 1.0.0\n").unwrap().api_version, "v1");
    }

    #[test]
    fn descriptions_are_sanitized() {
        // helm template prints `a bc` for "a\tb\x01c".
        let md = decode("apiVersion: v2\nname: r\nversion: 1.0.0\ndescription: \"a\\tb\\x01c\"\n").unwrap();
        assert_eq!(md.description, "a bc");
    }

    #[test]
    fn chart_object_prints_as_go_does() {
        let md = decode("apiVersion: v2\nname: c\nversion: 0.1.0\nfoo: bar\n").unwrap();
        let o = ChartObject {
            metadata: Rc::new(md),
            is_root: true,
        };
        // helm template: `{{ .Chart }}`
        assert_eq!(o.display(), "{{c  [] 0.1.0  [] []  v2    false map[]  [] } true}");
        // helm template: `{{ toJson .Chart }}`
        assert_eq!(
            o.to_json().to_string(),
            r#"{"name":"c","version":"0.1.0","apiVersion":"v2","IsRoot":true}"#
        );
        assert!(o.field("Foo").is_none());
        assert_eq!(go_string(&o.field("AppVersion").unwrap()), "");
        assert_eq!(go_string(&o.field("Keywords").unwrap()), "[]");
    }
}
