//! `toYaml` as Helm prints it (sigs.k8s.io/yaml over yaml.v2): keys sorted, sequences not
//! indented under their key, strings quoted only when plain would change their meaning.

use serde_json::{Map, Number, Value};

/// Sorted keys and integral floats as integers, the way Go's encoders see values.
pub fn normalize(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), normalize(&m[k]));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        Value::Number(n) => Value::Number(integral(n)),
        other => other.clone(),
    }
}

fn integral(n: &Number) -> Number {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => Number::from(f as i64),
        _ => n.clone(),
    }
}

pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => map(m, 0, &mut out),
        Value::Array(a) if !a.is_empty() => seq(a, 0, &mut out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn map(m: &Map<String, Value>, indent: usize, out: &mut String) {
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    let pad = " ".repeat(indent);
    for k in keys {
        let key = string(k);
        match &m[k] {
            Value::Object(c) if !c.is_empty() => {
                out.push_str(&format!("{pad}{key}:\n"));
                map(c, indent + 2, out);
            }
            Value::Array(a) if !a.is_empty() => {
                out.push_str(&format!("{pad}{key}:\n"));
                seq(a, indent, out);
            }
            other => out.push_str(&format!("{pad}{key}: {}\n", scalar(other))),
        }
    }
}

fn seq(a: &[Value], indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for item in a {
        let mut inner = String::new();
        match item {
            Value::Object(c) if !c.is_empty() => map(c, indent + 2, &mut inner),
            Value::Array(x) if !x.is_empty() => seq(x, indent + 2, &mut inner),
            other => {
                out.push_str(&format!("{pad}- {}\n", scalar(other)));
                continue;
            }
        }
        // The item's first line moves up next to its dash.
        out.push_str(&pad);
        out.push_str("- ");
        out.push_str(&inner[indent + 2..]);
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => integral(n).to_string(),
        Value::String(s) => string(s),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// Words YAML 1.1 (yaml.v2) reads as something other than a string.
const SPECIAL: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on",
    "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF",
    ".nan", ".NaN", ".NAN", "<<",
];

fn string(s: &str) -> String {
    if plain_ok(s) {
        return s.to_owned();
    }
    if SPECIAL.contains(&s) || looks_numeric(s) {
        return format!("\"{s}\"");
    }
    if s.chars().all(|c| c == ' ' || !c.is_control()) && !s.contains('\n') {
        return format!("'{}'", s.replace('\'', "''"));
    }
    serde_json::to_string(s).unwrap_or_default()
}

fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if SPECIAL.contains(&s) || looks_numeric(s) {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || first.is_whitespace() || s.ends_with(char::is_whitespace) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    s.chars().all(|c| !c.is_control())
}

fn looks_numeric(s: &str) -> bool {
    let t = s.trim_start_matches(['+', '-']);
    let t = t.replace('_', "");
    t.parse::<f64>().is_ok()
        || t.starts_with("0x")
        || t.starts_with("0o")
        || (t.contains(':') && t.split(':').all(|p| p.chars().all(|c| c.is_ascii_digit())))
        || t.starts_with('.') && t[1..].chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn like_helm_to_yaml() {
        let v = json!({"b": [1, {"y": "true", "x": "a: b"}], "a": {"k": "v"}, "e": {}, "num": 8080.0});
        assert_eq!(
            to_yaml(&v),
            "a:\n  k: v\nb:\n- 1\n- x: 'a: b'\n  \"y\": \"true\"\ne: {}\nnum: 8080\n"
        );
    }
}
