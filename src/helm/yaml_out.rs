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
            other => {
                let column = indent + key.chars().count() + 2;
                out.push_str(&format!("{pad}{key}: {}\n", scalar_at(other, column, indent + 2)));
            }
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
                out.push_str(&format!("{pad}- {}\n", scalar_at(other, indent + 2, indent + 2)));
                continue;
            }
        }
        // The item's first line moves up next to its dash.
        out.push_str(&pad);
        out.push_str("- ");
        out.push_str(&inner[indent + 2..]);
    }
}

/// A scalar starting at `column`, folded like yaml.v2 does (at a single space once past
/// column 80, continuing at `cont` spaces), so line numbers match Helm's output.
fn scalar_at(v: &Value, column: usize, cont: usize) -> String {
    let text = scalar(v);
    let foldable = matches!(v, Value::String(_)) && !text.starts_with('"');
    if !foldable || column + text.chars().count() <= BEST_WIDTH {
        return text;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut col = column;
    for (i, c) in chars.iter().enumerate() {
        let prev_space = i > 0 && chars[i - 1] == ' ';
        let next_space = chars.get(i + 1).is_none_or(|n| *n == ' ');
        let inner = i > 0 && i + 1 < chars.len();
        if *c == ' ' && !prev_space && col > BEST_WIDTH && inner && !next_space {
            out.push('\n');
            out.push_str(&" ".repeat(cont));
            col = cont;
            continue;
        }
        out.push(*c);
        col += 1;
    }
    out
}

const BEST_WIDTH: usize = 80;

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
    fn long_strings_fold_past_column_80_like_yaml_v2() {
        let v = json!({"pre.hook.backup.velero.io/command": "[\"/bin/bash\", \"-c\", \"pg_dump -U postgres -d app > /scratch/backup.sql\"]"});
        assert_eq!(
            to_yaml(&v),
            "pre.hook.backup.velero.io/command: '[\"/bin/bash\", \"-c\", \"pg_dump -U postgres -d app\n  > /scratch/backup.sql\"]'\n"
        );
    }

    #[test]
    fn like_helm_to_yaml() {
        let v = json!({"b": [1, {"y": "true", "x": "a: b"}], "a": {"k": "v"}, "e": {}, "num": 8080.0});
        assert_eq!(
            to_yaml(&v),
            "a:\n  k: v\nb:\n- 1\n- x: 'a: b'\n  \"y\": \"true\"\ne: {}\nnum: 8080\n"
        );
    }
}
