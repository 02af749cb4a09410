//! `sigs.k8s.io/yaml.Marshal` as Helm's `toYaml` calls it: the value goes through
//! `encoding/json`, is read back by go-yaml v2 (numbers become ints or floats by YAML
//! resolution, strings pass through go-yaml's double-quoted scalar reader) and is written by
//! go-yaml v2's emitter. The emitter here is libyaml's state machine reduced to what that
//! pipeline produces (block collections, `{}`/`[]` for empty ones, no anchors or tags), with
//! its column tracking, scalar analysis, style choice and 80-column folding kept exactly.

use crate::helm::value::{Value, format_float};

use super::json::{LIMIT, MAX_OUTPUT, number_text};
use super::resolve::{Resolved, is_base60_float, resolve_plain};
use super::sort::{go_sort, key_less};

/// Nodes a value may expand to (shared maps can repeat one map many times).
const MAX_NODES: usize = 1_000_000;
const MAX_DEPTH: usize = 256;
const BEST_INDENT: i32 = 2;
const BEST_WIDTH: usize = 80;

/// `yaml.Marshal(v)` as sigs.k8s.io/yaml does it; the text ends with a newline.
pub fn to_yaml(v: &Value) -> Result<String, String> {
    let mut budget = MAX_NODES;
    let node = to_node(v, 0, &mut budget).map_err(|e| format!("error marshaling into JSON: {e}"))?;
    let mut e = Emitter::new();
    e.node(&node, Context::Root)?;
    // Document end: a line break unless the last line is already empty.
    e.write_indent();
    if e.out.len() > MAX_OUTPUT {
        return Err(format!("{LIMIT}YAML larger than {} MiB", MAX_OUTPUT >> 20));
    }
    Ok(e.out)
}

/// The value as go-yaml v2 reads its JSON text back.
enum Node {
    /// Plain scalars: `null`, `true`, numbers.
    Plain(String),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

fn to_node(v: &Value, depth: usize, budget: &mut usize) -> Result<Node, String> {
    *budget = budget
        .checked_sub(1)
        .ok_or_else(|| format!("{LIMIT}value has more than {MAX_NODES} nodes"))?;
    Ok(match v {
        Value::NoValue | Value::Nil => Node::Plain("null".into()),
        Value::Bool(b) => Node::Plain(b.to_string()),
        Value::Int(i) => Node::Plain(i.to_string()),
        Value::Float(f) => Node::Plain(yaml_number(&number_text(*f)?)),
        Value::Str(s) => Node::Str(reread_json_string(s)?),
        Value::Object(o) => Node::Str(reread_json_string(&o.display())?),
        Value::List(items, _) => {
            if depth >= MAX_DEPTH {
                return Err("json: unsupported value: encountered a cycle via []interface {}".into());
            }
            Node::Seq(
                items
                    .iter()
                    .map(|i| to_node(i, depth + 1, budget))
                    .collect::<Result<_, _>>()?,
            )
        }
        Value::Map(m) => {
            if depth >= MAX_DEPTH {
                return Err("json: unsupported value: encountered a cycle via map[string]interface {}".into());
            }
            let mut entries = Vec::new();
            for (k, item) in m.borrow().iter() {
                let key = reread_json_string(k)?;
                entries.push((
                    key.chars().collect::<Vec<char>>(),
                    key,
                    to_node(item, depth + 1, budget)?,
                ));
            }
            go_sort(&mut entries, &|a, b| key_less(&a.0, &b.0));
            Node::Map(entries.into_iter().map(|(_, k, n)| (k, n)).collect())
        }
    })
}

/// A JSON number's text as go-yaml resolves and re-prints it: integers stay as they are (up
/// to uint64), anything else is a float64 printed with `%g`'s shortest form (`1e+21`).
fn yaml_number(text: &str) -> String {
    match resolve_plain(text) {
        Resolved::Int(i) => i.to_string(),
        Resolved::Uint(u) => u.to_string(),
        Resolved::Float(f) => format_float(f, 'g', None),
        _ => text.to_owned(),
    }
}

/// Characters go-yaml's reader refuses in JSON text: JSON escapes the C0 controls, so what is
/// left is DEL, the C1 controls but NEL, U+FFFE and U+FFFF.
fn is_forbidden(c: char) -> bool {
    let c = c as u32;
    !(c < 0x20
        || (0x20..=0x7E).contains(&c)
        || c == 0x85
        || (0xA0..=0xD7FF).contains(&c)
        || (0xE000..=0xFFFD).contains(&c)
        || c >= 0x10000)
}

/// A string after `encoding/json` wrote it and go-yaml's double-quoted scalar reader read it
/// back. JSON escapes every control character, line and paragraph separator, so what changes
/// is NEL (U+0085), a line break to YAML 1.1 that is folded with the spaces around it
/// (`a \u{85} b` reads as `a b`), and the characters go-yaml refuses outright.
fn reread_json_string(s: &str) -> Result<String, String> {
    if s.chars().any(is_forbidden) {
        return Err("yaml: control characters are not allowed".into());
    }
    if !s.contains('\u{85}') {
        return Ok(s.to_owned());
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != ' ' && chars[i] != '\u{85}' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // A run of blanks and breaks: blanks before the first break are kept only if no break
        // follows; the first break folds to a space unless more breaks follow, which stay.
        let mut blanks = String::new();
        let mut breaks = 0usize;
        let mut last_was_break = false;
        while i < chars.len() && (chars[i] == ' ' || chars[i] == '\u{85}') {
            last_was_break = chars[i] == '\u{85}';
            if last_was_break {
                breaks += 1;
            } else if breaks == 0 {
                blanks.push(' ');
            }
            i += 1;
        }
        if last_was_break && at_document_marker(&chars, i) {
            return Err("yaml: found unexpected document indicator".into());
        }
        match breaks {
            0 => out.push_str(&blanks),
            1 => out.push(' '),
            n => out.extend(std::iter::repeat_n('\n', n - 1)),
        }
    }
    Ok(out)
}

/// `---` or `...` at the start of a line, followed by a blank or the end, inside a quoted
/// scalar is an error for go-yaml.
fn at_document_marker(chars: &[char], i: usize) -> bool {
    let three = |c: char| chars.get(i..i + 3).is_some_and(|w| w.iter().all(|x| *x == c));
    // The closing quote of the JSON string follows the text, and is no blank.
    (three('-') || three('.')) && chars.get(i + 3).is_some_and(|c| matches!(c, ' ' | '\u{85}'))
}

#[derive(Clone, Copy, PartialEq)]
enum Context {
    Root,
    SequenceItem,
    MappingValue,
    /// A key written without `?`.
    SimpleKey,
    /// A key written after `?` (too long or multi-line for a simple key).
    ComplexKey,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// libyaml's `yaml_emitter_analyze_scalar` result.
#[derive(Debug)]
struct Analysis {
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

struct Emitter {
    out: String,
    column: usize,
    whitespace: bool,
    indention: bool,
    indent: i32,
    indents: Vec<i32>,
    flow_level: usize,
    mapping_context: bool,
    simple_key_context: bool,
}

impl Emitter {
    fn new() -> Self {
        Emitter {
            out: String::new(),
            column: 0,
            whitespace: true,
            indention: true,
            indent: -1,
            indents: Vec::new(),
            flow_level: 0,
            mapping_context: false,
            simple_key_context: false,
        }
    }

    fn node(&mut self, node: &Node, ctx: Context) -> Result<(), String> {
        if self.out.len() > MAX_OUTPUT {
            return Err(format!("{LIMIT}YAML larger than {} MiB", MAX_OUTPUT >> 20));
        }
        self.mapping_context = matches!(ctx, Context::MappingValue | Context::SimpleKey | Context::ComplexKey);
        self.simple_key_context = ctx == Context::SimpleKey;
        match node {
            Node::Plain(s) => self.scalar(s, Style::Plain),
            Node::Str(s) => self.scalar(s, string_style(s)),
            Node::Seq(items) if items.is_empty() || self.flow_level > 0 => self.empty_flow("[", "]"),
            Node::Map(entries) if entries.is_empty() || self.flow_level > 0 => self.empty_flow("{", "}"),
            Node::Seq(items) => self.block_sequence(items)?,
            Node::Map(entries) => self.block_mapping(entries)?,
        }
        Ok(())
    }

    fn push_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    /// Only empty collections are written in flow style here.
    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.push_indent(true, false);
        self.pop_indent();
        self.write_indicator(close, false, false, false);
    }

    fn block_sequence(&mut self, items: &[Node]) -> Result<(), String> {
        // A sequence that is a mapping's value starts at the key's column (`a:\n- x`).
        let indentless = self.mapping_context && !self.indention;
        self.push_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Context::SequenceItem)?;
        }
        self.pop_indent();
        Ok(())
    }

    fn block_mapping(&mut self, entries: &[(String, Node)]) -> Result<(), String> {
        self.push_indent(false, false);
        for (key, value) in entries {
            self.write_indent();
            let a = analyze(key.as_bytes());
            // libyaml's check_simple_key: one line and at most 128 bytes.
            if !a.multiline && key.len() <= 128 {
                self.node(&Node::Str(key.clone()), Context::SimpleKey)?;
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.node(&Node::Str(key.clone()), Context::ComplexKey)?;
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(value, Context::MappingValue)?;
        }
        self.pop_indent();
        Ok(())
    }

    fn scalar(&mut self, value: &str, requested: Style) {
        let a = analyze(value.as_bytes());
        let style = self.select_style(value, requested, &a);
        self.push_indent(true, false);
        let allow_breaks = !self.simple_key_context;
        match style {
            Style::Plain => self.write_plain(value, allow_breaks),
            Style::Single => self.write_single(value, allow_breaks),
            Style::Double => self.write_double(value, allow_breaks),
            Style::Literal => self.write_literal(value),
        }
        self.pop_indent();
    }

    /// libyaml's `yaml_emitter_select_scalar_style`.
    fn select_style(&self, value: &str, requested: Style, a: &Analysis) -> Style {
        let mut style = requested;
        if self.simple_key_context && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain {
            let allowed = if self.flow_level > 0 {
                a.flow_plain_allowed
            } else {
                a.block_plain_allowed
            };
            if !allowed || (value.is_empty() && (self.flow_level > 0 || self.simple_key_context)) {
                style = Style::Single;
            }
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || self.flow_level > 0 || self.simple_key_context) {
            style = Style::Double;
        }
        style
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_str(&mut self, s: &str) {
        self.out.push_str(s);
        self.column += s.chars().count();
    }

    /// libyaml's `write_break`: `\n` through the line-break setting, other breaks copied.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, indicator: &str, need_whitespace: bool, is_whitespace: bool, is_indention: bool) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        self.write_str(indicator);
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        self.write_folded_text(value, allow_breaks, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        self.write_folded_text(value, allow_breaks, true);
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    /// The body of a plain or single-quoted scalar, as libyaml writes both: a single space
    /// past the best width becomes a line break, line breaks are doubled to survive folding.
    /// Single-quoted text doubles its quotes and never breaks at its first or last character.
    fn write_folded_text(&mut self, value: &str, allow_breaks: bool, single: bool) {
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        let mut breaks = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                let inner = !single || (i > 0 && i + 1 < chars.len());
                if allow_breaks && !spaces && self.column > BEST_WIDTH && inner && !next_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if single && c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
    }

    fn write_double(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        // libyaml tests for a BOM at the start of the value, not at each character: a value
        // starting with U+FEFF has every character escaped.
        let bom = value.starts_with('\u{FEFF}');
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if bom || !is_printable(c) || is_break(c) || c == '"' || c == '\\' {
                self.write_escape(c);
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i + 1 < chars.len() {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_escape(&mut self, c: char) {
        self.put('\\');
        let short = match c {
            '\0' => Some('0'),
            '\u{7}' => Some('a'),
            '\u{8}' => Some('b'),
            '\t' => Some('t'),
            '\n' => Some('n'),
            '\u{b}' => Some('v'),
            '\u{c}' => Some('f'),
            '\r' => Some('r'),
            '\u{1b}' => Some('e'),
            '"' => Some('"'),
            '\\' => Some('\\'),
            '\u{85}' => Some('N'),
            '\u{a0}' => Some('_'),
            '\u{2028}' => Some('L'),
            '\u{2029}' => Some('P'),
            _ => None,
        };
        if let Some(s) = short {
            self.put(s);
            return;
        }
        let v = c as u32;
        let text = if v <= 0xFF {
            format!("x{v:02X}")
        } else if v <= 0xFFFF {
            format!("u{v:04X}")
        } else {
            format!("U{v:08X}")
        };
        self.write_str(&text);
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        self.write_block_hints(value);
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in value.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }

    /// The indentation indicator when the text starts with a space or break, and the
    /// chomping indicator: `-` without a final break, `+` with more than one (or only one).
    fn write_block_hints(&mut self, value: &str) {
        if value.starts_with(' ') || value.chars().next().is_some_and(is_break) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        let mut rev = value.chars().rev();
        let chomp = match (rev.next(), rev.next()) {
            (None, _) => Some("-"),
            (Some(last), _) if !is_break(last) => Some("-"),
            (Some(_), None) => Some("+"),
            (Some(_), Some(before)) if is_break(before) => Some("+"),
            _ => None,
        };
        if let Some(h) = chomp {
            self.write_indicator(h, false, false, false);
        }
    }
}

/// go-yaml's `stringv`: literal for text with a newline, plain when the text reads back as
/// the same string, double quotes otherwise (the emitter may still pick another style).
fn string_style(s: &str) -> Style {
    if s.contains('\n') {
        Style::Literal
    } else if resolve_plain(s) == Resolved::Str && !is_base60_float(s) {
        Style::Plain
    } else {
        Style::Double
    }
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank_or_end(c: Option<char>) -> bool {
    c.is_none_or(|c| c == ' ' || c == '\t' || is_break(c) || c == '\0')
}

/// libyaml's `is_printable` (on UTF-8 bytes): note that it leaves out every character past
/// U+FFFF, so emoji are written escaped.
fn is_printable(c: char) -> bool {
    let v = c as u32;
    v == 0x0A
        || (0x20..=0x7E).contains(&v)
        || (0xA0..=0xD7FF).contains(&v)
        || ((0xE000..=0xFFFD).contains(&v) && v != 0xFEFF)
}

/// libyaml's `yaml_emitter_analyze_scalar`.
fn analyze(value: &[u8]) -> Analysis {
    let Ok(text) = std::str::from_utf8(value) else {
        return Analysis {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: false,
            single_quoted_allowed: false,
            block_allowed: false,
        };
    };
    if text.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = text.chars().collect();
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut line_breaks = false;
    let mut special = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut previous_break = false;
    if text.starts_with("---") || text.starts_with("...") {
        block_indicators = true;
        flow_indicators = true;
    }
    let mut preceded_by_whitespace = true;
    let n = chars.len();
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_whitespace = i + 1 >= n || matches!(chars[i + 1], ' ' | '\t');
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                '?' | ':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                '-' if followed_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        } else {
            match c {
                ',' | '?' | '[' | ']' | '{' | '}' => flow_indicators = true,
                ':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                '#' if preceded_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            leading_space |= i == 0;
            trailing_space |= i + 1 == n;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= i == 0;
            trailing_break |= i + 1 == n;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blank_or_end(Some(c));
    }
    let mut a = Analysis {
        multiline: line_breaks,
        flow_plain_allowed: true,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if flow_indicators {
        a.flow_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::goyaml::from_yaml;

    /// `toYaml` of `.Values.x` for values text defining `x`, as Helm prints it.
    fn yaml_of(values: &str) -> String {
        let v = from_yaml(values).unwrap();
        let Value::Map(m) = &v else { panic!("not a map") };
        let x = m.borrow().get("x").cloned().unwrap();
        to_yaml(&x).unwrap()
    }

    #[test]
    fn quoting_follows_go_yaml_v2() {
        let out = yaml_of(
            r#"x: ["yes", "no", "on", "Y", "1.0", "1e3", "0o17", "+1", "-", ":", "a:b", "a: b", "a #b", "@x",
                "`x", "%x", "!x", "&x", "|x", ">x", "{x}", "[x]", "x,y", "2001-12-14", "null", " x", "x ",
                "a\tb", "a\rb", "é", "😀", "", "~", "0x1f", "1_000", ".inf", "y", "1:20", "--- x", "...",
                "?x", "? x", "- x", "a#b", "a # b", "\ufeffab", "<<", "0755", "08", "1e400", "2001-13-14",
                "2000-02-29", "1:60", "0b101", "._5", "x\u0001", "a\u2028b", "x\u0085y"]"#,
        );
        let expected = concat!(
            "- \"yes\"\n- \"no\"\n- \"on\"\n- \"Y\"\n- \"1.0\"\n- \"1e3\"\n- \"0o17\"\n- \"+1\"\n- '-'\n- ':'\n",
            "- a:b\n- 'a: b'\n- 'a #b'\n- '@x'\n- '`x'\n- '%x'\n- '!x'\n- '&x'\n- '|x'\n- '>x'\n- '{x}'\n",
            "- '[x]'\n- x,y\n- \"2001-12-14\"\n- \"null\"\n- ' x'\n- 'x '\n- \"a\\tb\"\n- \"a\\rb\"\n- é\n",
            "- \"\\U0001F600\"\n- \"\"\n- \"~\"\n- \"0x1f\"\n- \"1_000\"\n- \".inf\"\n- \"y\"\n- \"1:20\"\n",
            "- '--- x'\n- '...'\n- ?x\n- '? x'\n- '- x'\n- a#b\n- 'a # b'\n- \"\\uFEFF\\x61\\x62\"\n- <<\n",
            "- \"0755\"\n- \"08\"\n- 1e400\n- 2001-13-14\n- \"2000-02-29\"\n- 1:60\n- \"0b101\"\n- ._5\n",
            "- \"x\\x01\"\n- 'a\u{2028}  b'\n- x y\n",
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn numbers_go_through_json() {
        let out = yaml_of("x: [1.5, 1e21, 0.000001, 100000000, 1e20, 1e19, 1e-7, -0.0, 0x1F, 9007199254740993]");
        assert_eq!(
            out,
            "- 1.5\n- 1e+21\n- 1e-06\n- 100000000\n- 1e+20\n- 10000000000000000000\n- 1e-07\n- 0\n- 31\n- 9007199254740992\n"
        );
        assert!(to_yaml(&Value::Float(f64::NAN)).is_err());
        assert_eq!(to_yaml(&Value::Int(3)).unwrap(), "3\n");
    }

    #[test]
    fn multi_line_strings_are_literal_blocks() {
        let out = yaml_of(r#"x: ["a\nb", "a\nb\n", "a\nb\n\n", "\na", " a\nb", "a \nb", "a\n b", "a\tb\nc", "\n"]"#);
        assert_eq!(
            out,
            "- |-\n  a\n  b\n- |\n  a\n  b\n- |+\n  a\n  b\n\n- |2-\n\n  a\n- |2-\n   a\n  b\n- \"a \\nb\"\n- |-\n  a\n   b\n- \"a\\tb\\nc\"\n- |2+\n\n"
        );
        assert_eq!(to_yaml(&Value::str("a\nb")).unwrap(), "|-\n  a\n  b\n");
    }

    #[test]
    fn keys_sort_naturally() {
        let out = yaml_of(
            "x: {k10: 1, k2: 2, k1: 3, a: 4, B: 5, _x: 6, '1': 7, '10': 8, '9': 9, a01: 10, a1: 11, a001: 12, é: 13, z: 14, '-': 16}",
        );
        assert_eq!(
            out,
            "'-': 16\n_x: 6\n\"1\": 7\n\"9\": 9\n\"10\": 8\nB: 5\na: 4\na1: 11\na01: 10\na001: 12\nk1: 3\nk2: 2\nk10: 1\nz: 14\né: 13\n"
        );
    }

    #[test]
    fn nesting_and_empty_collections() {
        let out = yaml_of("x: {a: [{b: 1, c: [1, 2]}, [3, [4, 5]], {}, []], e: {}, f: [], g: null}");
        assert_eq!(
            out,
            "a:\n- b: 1\n  c:\n  - 1\n  - 2\n- - 3\n  - - 4\n    - 5\n- {}\n- []\ne: {}\nf: []\ng: null\n"
        );
        assert_eq!(to_yaml(&Value::Nil).unwrap(), "null\n");
        assert_eq!(to_yaml(&Value::list(vec![])).unwrap(), "[]\n");
    }

    #[test]
    fn awkward_keys() {
        let out = yaml_of("x: {\"a\\nb\": 1, \"x: y\": 2, \"\": 3}");
        assert_eq!(out, "\"\": 3\n? |-\n  a\n  b\n: 1\n'x: y': 2\n");
    }

    #[test]
    fn long_lines_fold_at_80_columns() {
        let words = "word ".repeat(30);
        let out = to_yaml(&Value::map([("a".to_owned(), Value::str(words))].into())).unwrap();
        assert_eq!(
            out,
            "a: 'word word word word word word word word word word word word word word word word\n  word word word word word word word word word word word word word word '\n"
        );
        let plain =
            "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh iiiiiiiiii";
        assert_eq!(
            to_yaml(&Value::str(plain)).unwrap(),
            "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh\n  iiiiiiiiii\n"
        );
    }

    #[test]
    fn characters_go_yaml_refuses_make_an_error() {
        assert!(to_yaml(&Value::str("x\u{7f}")).is_err());
        assert!(to_yaml(&Value::str("\u{80}")).is_err());
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let deep = |n: usize| (0..n).fold(Value::Int(1), |v, _| Value::list(vec![v]));
        assert!(to_yaml(&deep(250)).is_ok());
        assert!(to_yaml(&deep(300)).unwrap_err().contains("cycle"));
    }

    #[test]
    fn self_containing_maps_are_refused() {
        let m = Value::empty_map();
        if let Value::Map(inner) = &m {
            inner.borrow_mut().insert("self".into(), m.clone());
        }
        assert!(to_yaml(&m).unwrap_err().contains("cycle"));
        if let Value::Map(inner) = &m {
            inner.borrow_mut().clear();
        }
    }
}
