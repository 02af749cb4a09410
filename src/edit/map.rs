//! Mapping operations: insert entries (creating missing mappings), remove them, move them
//! between mappings, in block, flow and JSON style.

use super::Doc;
use super::text::{before_cr, column, line_end, line_start};
use crate::diagnostic::Edit;
use crate::yaml::{Kind, Node, Style, Typed};

/// An entry to write: a key and a raw string value, spelled by the layer; or, for block
/// mappings only, an existing entry's full text (`key: value  # comment`), moved verbatim.
#[derive(Debug, Clone)]
pub enum Item {
    Pair(String, String),
    Raw(String),
}

impl Item {
    pub fn pair(key: &str, value: &str) -> Self {
        Item::Pair(key.to_owned(), value.to_owned())
    }
}

fn is_empty_value(node: Node<'_>) -> bool {
    match node.kind() {
        Kind::Scalar(s) => s.style == Style::Plain && matches!(s.typed(), Typed::Null),
        Kind::Map(e) => e.is_empty(),
        _ => false,
    }
}

fn has_merge_key(map: Node<'_>) -> bool {
    map.entries().iter().any(|(k, _)| k.as_str() == Some("<<"))
}

impl Doc<'_> {
    /// Add `items` to the mapping at `path` under `map`, creating the missing mappings, after
    /// the last entry of the mapping they join.
    pub fn insert(&self, map: Node<'_>, path: &[&str], items: &[Item]) -> Option<Edit> {
        self.insert_at(map, path, items, false)
    }

    /// Like `insert`, but a missing first level of `path` is created above the map's first
    /// key (`metadata:` reads best above a pod template's `spec:`).
    pub fn insert_leading(&self, map: Node<'_>, path: &[&str], items: &[Item]) -> Option<Edit> {
        self.insert_at(map, path, items, true)
    }

    fn insert_at(&self, map: Node<'_>, path: &[&str], items: &[Item], leading: bool) -> Option<Edit> {
        if !map.is_map() || self.shared(&map.span()) || has_merge_key(map) || self.in_template_block(map.span().start) {
            return None;
        }
        let flow = self.is_flow(map);
        let Some((first, rest)) = path.split_first() else {
            return if flow {
                self.flow_append(map, &self.flow_items(items)?)
            } else {
                self.block_append(map, &self.block_lines(items)?)
            };
        };
        match map.entry(first) {
            Some((_, value)) if value.is_map() && !value.entries().is_empty() => {
                self.insert_at(value, rest, items, false)
            }
            Some((key, value)) if is_empty_value(value) => self.fill_empty(key, value, rest, items),
            Some(_) => None,
            None if flow => {
                let nested = self.flow_nested(rest, &self.flow_items(items)?);
                self.flow_append(map, &[format!("{}: {nested}", self.scalar(first, true))])
            }
            None if leading => self.block_leading(map, path, items),
            None => {
                let indent = column(self.text, map.entries().first()?.0.span().start);
                let block = nested_block(indent, path, &self.block_lines(items)?);
                Some(Edit::insert(self.file, self.after_entries(map)?, block))
            }
        }
    }

    /// `annotations:`, `annotations: {}` or `annotations: ~` gets the entries.
    fn fill_empty(&self, key: Node<'_>, value: Node<'_>, rest: &[&str], items: &[Item]) -> Option<Edit> {
        if self.is_flow(value) && self.in_flow(value) || self.json {
            let nested = self.flow_nested(rest, &self.flow_items(items)?);
            return Some(Edit::replace(self.file, value.span(), nested));
        }
        if self.in_flow(key) {
            return None;
        }
        let colon = key.span().end + self.text[key.span().end..].find(':')? + 1;
        // A template line under the key (`{{- toYaml .Values.x | nindent 8 }}`) fills it.
        let next = line_end(self.text, colon) + 1;
        if next < self.text.len() && self.template_line(next) {
            return None;
        }
        let block = nested_block(column(self.text, key.span().start) + 2, rest, &self.block_lines(items)?);
        let end = if value.span().end > value.span().start {
            value.span().end
        } else {
            colon
        };
        Some(Edit::replace(self.file, colon..end.max(colon), block))
    }

    fn block_leading(&self, map: Node<'_>, path: &[&str], items: &[Item]) -> Option<Edit> {
        let (first_key, _) = map.entries().first()?;
        let at = line_start(self.text, first_key.span().start);
        // A first key sharing its line with a list dash (`- spec:`) has no line of its own.
        if !self.text[at..first_key.span().start].trim().is_empty() {
            return self.insert_at(map, path, items, false);
        }
        // A template line just above (`repl{{ if ... }}`) would take the new lines in.
        if at > 0 && self.template_line(at - 1) || self.in_template_block(at) {
            return None;
        }
        let block = nested_block(
            column(self.text, first_key.span().start),
            path,
            &self.block_lines(items)?,
        );
        Some(Edit::insert(self.file, at, format!("{}\n", &block[1..])))
    }

    fn block_append(&self, map: Node<'_>, lines: &[String]) -> Option<Edit> {
        let indent = column(self.text, map.entries().first()?.0.span().start);
        Some(Edit::insert(
            self.file,
            self.after_entries(map)?,
            nested_block(indent, &[], lines),
        ))
    }

    /// After the last line of a block map's last entry; `None` when a template-only line at
    /// the map's indentation follows, which belongs to the map (`{{- include ... }}`,
    /// `repl{{ end }}`): lines put before it could change what it renders or guards.
    fn after_entries(&self, map: Node<'_>) -> Option<usize> {
        let (k, v) = map.entries().last()?;
        let last_end = v.span().end.max(k.span().end);
        // Block scalars end after their newline; step back so we stay on their last line.
        let at = if last_end > 0 && self.text.as_bytes().get(last_end - 1) == Some(&b'\n') {
            last_end - 1
        } else {
            last_end
        };
        let end = line_end(self.text, at);
        let indent = column(self.text, map.entries().first()?.0.span().start);
        let mut next = end + 1;
        while next < self.text.len() {
            let line = &self.text[next..line_end(self.text, next)];
            if line.trim().is_empty() {
                next = line_end(self.text, next) + 1;
                continue;
            }
            let own = line.len() - line.trim_start().len();
            if own >= indent && self.template_line(next) {
                return None;
            }
            break;
        }
        (!self.in_template_block(end)).then(|| before_cr(self.text, end))
    }

    fn block_lines(&self, items: &[Item]) -> Option<Vec<String>> {
        if self.json {
            return None;
        }
        Some(
            items
                .iter()
                .map(|i| match i {
                    Item::Pair(k, v) => format!("{}: {}", self.scalar(k, false), self.scalar(v, false)),
                    Item::Raw(line) => line.clone(),
                })
                .collect(),
        )
    }

    fn flow_items(&self, items: &[Item]) -> Option<Vec<String>> {
        items
            .iter()
            .map(|i| match i {
                Item::Pair(k, v) => Some(format!("{}: {}", self.scalar(k, true), self.scalar(v, true))),
                Item::Raw(_) => None,
            })
            .collect()
    }

    /// `{a: {b: {items}}}` for the missing path `a.b`.
    fn flow_nested(&self, path: &[&str], items: &[String]) -> String {
        let mut out = format!("{{{}}}", items.join(", "));
        for key in path.iter().rev() {
            out = format!("{{{}: {out}}}", self.scalar(key, true));
        }
        out
    }

    /// Add entries to a flow mapping: inside `{}`, or after its last entry (on new lines when
    /// the mapping spans several).
    fn flow_append(&self, map: Node<'_>, entries: &[String]) -> Option<Edit> {
        let body = &self.text[map.span()];
        if !body.ends_with('}') {
            return None;
        }
        let Some((k, v)) = map.entries().last() else {
            let inner = map.span().start + 1..map.span().end - 1;
            return Some(Edit::replace(self.file, inner, entries.join(", ")));
        };
        let at = v.span().end.max(k.span().end);
        let text = if body.contains('\n') {
            let indent = " ".repeat(column(self.text, k.span().start));
            let eol = if body.contains("\r\n") { "\r\n" } else { "\n" };
            entries.iter().map(|e| format!(",{eol}{indent}{e}")).collect()
        } else {
            entries.iter().map(|e| format!(", {e}")).collect::<String>()
        };
        Some(Edit::insert(self.file, at, text))
    }

    /// The byte range of whole lines holding a block entry (key line through the value's last
    /// line, newline included).
    pub fn entry_lines(&self, key: Node<'_>, value: Node<'_>) -> std::ops::Range<usize> {
        let text = self.text;
        let start = line_start(text, key.span().start);
        let end_at = if value.span().end > 0 && text.as_bytes().get(value.span().end - 1) == Some(&b'\n') {
            value.span().end - 1
        } else {
            value.span().end.max(key.span().end)
        };
        let end = line_end(text, end_at);
        start..(end + 1).min(text.len())
    }

    /// The text of a single-line block entry (`key: value  # comment`), unindented.
    pub fn raw_entry(&self, key: Node<'_>, value: Node<'_>) -> Option<String> {
        if self.in_flow(key) {
            return None;
        }
        let raw = self.text[self.entry_lines(key, value)]
            .trim_end_matches(['\n', '\r'])
            .trim_start();
        (!raw.contains('\n')).then(|| raw.to_owned())
    }

    /// Remove entries `keys` from `map`, whose own entry is (`map_key`, `map`). A block map
    /// left empty goes with its key.
    pub fn remove(&self, (map_key, map): (Node<'_>, Node<'_>), keys: &[&str]) -> Option<Vec<Edit>> {
        if self.shared(&map.span()) || self.in_template_block(map.span().start) {
            return None;
        }
        let removed = |k: Node<'_>| k.as_str().is_some_and(|s| keys.contains(&s));
        let all = map.entries().iter().all(|(k, _)| removed(k));
        if self.is_flow(map) {
            return self.flow_remove(map_key, map, &removed, all);
        }
        if all && !self.in_flow(map_key) {
            return Some(vec![Edit::replace(self.file, self.entry_lines(map_key, map), "")]);
        }
        Some(
            map.entries()
                .iter()
                .filter(|(k, _)| removed(*k))
                .map(|(k, v)| Edit::replace(self.file, self.entry_lines(k, v), ""))
                .collect(),
        )
    }

    /// A flow mapping is rewritten from the kept entries' own text; with comments in it, not
    /// at all.
    fn flow_remove(
        &self,
        map_key: Node<'_>,
        map: Node<'_>,
        removed: &dyn Fn(Node<'_>) -> bool,
        all: bool,
    ) -> Option<Vec<Edit>> {
        let body = &self.text[map.span()];
        if body.contains(" #") || body.contains("\n#") || body.contains("\t#") {
            return None;
        }
        if all && !self.in_flow(map_key) {
            return Some(vec![Edit::replace(self.file, self.entry_lines(map_key, map), "")]);
        }
        let kept: Vec<&str> = map
            .entries()
            .iter()
            .filter(|(k, _)| !removed(*k))
            .map(|(k, v)| &self.text[k.span().start..v.span().end.max(k.span().end)])
            .collect();
        Some(vec![Edit::replace(
            self.file,
            map.span(),
            format!("{{{}}}", kept.join(", ")),
        )])
    }

    /// Move entries `keys` from the mapping (`src_key`, `src`) to the mapping at `dst_path`
    /// under `dst_parent` (created if missing, above the parent's first key). Block entries
    /// move with their text and comments; from or into flow style, as key and value. Where
    /// the destination already has the key, `merge(key, src_value, dst_value)` gives its new
    /// raw value, or `None` to refuse the whole move.
    pub fn move_entries(
        &self,
        (src_key, src): (Node<'_>, Node<'_>),
        keys: &[&str],
        (dst_parent, dst_path): (Node<'_>, &[&str]),
        merge: &dyn Fn(&str, Node<'_>, Node<'_>) -> Option<String>,
    ) -> Option<Vec<Edit>> {
        let dst = dst_path.iter().try_fold(dst_parent, |n, k| n.get(k));
        let deepest = dst_path
            .iter()
            .scan(dst_parent, |n, k| {
                *n = n.get(k)?;
                Some(*n)
            })
            .last()
            .unwrap_or(dst_parent);
        let verbatim = !self.is_flow(src) && !self.is_flow(deepest) && !self.in_flow(deepest) && !self.json;
        let mut edits = Vec::new();
        let mut items = Vec::new();
        for key in keys {
            let Some((k, v)) = src.entry(key) else { continue };
            if let Some((_, dv)) = dst.and_then(|d| d.entry(key)) {
                let merged = self.replace_scalar(dv, &merge(key, v, dv)?)?;
                edits.push(self.carry_comment(k, v, dv, merged)?);
                continue;
            }
            if verbatim {
                // Comment lines just above an entry describe it: they travel with it.
                let (range, comments) = self.leading_comments(k);
                items.extend(comments.into_iter().map(Item::Raw));
                if !range.is_empty()
                    && !src
                        .entries()
                        .iter()
                        .all(|(k, _)| k.as_str().is_some_and(|s| keys.contains(&s)))
                {
                    edits.push(Edit::replace(self.file, range, ""));
                }
                items.push(Item::Raw(self.raw_entry(k, v)?));
            } else {
                // A block entry's comments have nowhere to go in a flow mapping.
                if !self.is_flow(src)
                    && (!self.leading_comments(k).0.is_empty() || self.raw_entry(k, v)?.contains(" #"))
                {
                    return None;
                }
                items.push(Item::pair(key, v.as_str()?));
            }
        }
        if !items.is_empty() {
            edits.push(self.insert_leading(dst_parent, dst_path, &items)?);
        }
        edits.extend(self.remove((src_key, src), keys)?);
        Some(edits)
    }

    /// Put the block entries `keys` of `map` under a new entry `new_key:` where the first of
    /// them stands, keeping their text (`kots.io/when: x` directly under `metadata` becomes
    /// `annotations:` holding it).
    pub fn nest_entries(&self, map: Node<'_>, keys: &[&str], new_key: &str) -> Option<Vec<Edit>> {
        if self.is_flow(map) || self.json || self.shared(&map.span()) || self.in_template_block(map.span().start) {
            return None;
        }
        let entries: Vec<(Node<'_>, Node<'_>)> = keys.iter().filter_map(|k| map.entry(k)).collect();
        let lines = entries
            .iter()
            .map(|&(k, v)| self.raw_entry(k, v))
            .collect::<Option<Vec<_>>>()?;
        let (first, rest) = entries.split_first()?;
        let indent = " ".repeat(super::indent_at(self.text, first.0.span().start));
        let block: String = lines.iter().map(|l| format!("{indent}  {l}\n")).collect();
        let mut edits = vec![Edit::replace(
            self.file,
            self.entry_lines(first.0, first.1),
            format!("{indent}{new_key}:\n{block}"),
        )];
        edits.extend(
            rest.iter()
                .map(|&(k, v)| Edit::replace(self.file, self.entry_lines(k, v), "")),
        );
        Some(edits)
    }

    /// A source entry merged into `dst` takes its comment along: appended after the merged
    /// value, when `dst`'s line has none and is a block line; otherwise the merge is refused.
    fn carry_comment(&self, key: Node<'_>, value: Node<'_>, dst: Node<'_>, mut merged: Edit) -> Option<Edit> {
        if !self.leading_comments(key).1.is_empty() {
            return None;
        }
        let comment = if self.in_flow(key) {
            None
        } else {
            let raw = self.raw_entry(key, value)?;
            raw.find(" #").map(|i| raw[i..].trim().to_owned())
        };
        let Some(comment) = comment else {
            return Some(merged);
        };
        let line_rest = &self.text[dst.span().end..line_end(self.text, dst.span().end)];
        if self.in_flow(dst) || self.json || !line_rest.trim().is_empty() {
            return None;
        }
        merged.text.push_str(&format!(" {comment}"));
        Some(merged)
    }

    /// The full-line comments directly above `key` (range and trimmed texts, in order).
    fn leading_comments(&self, key: Node<'_>) -> (std::ops::Range<usize>, Vec<String>) {
        let text = self.text;
        let end = line_start(text, key.span().start);
        let mut start = end;
        let mut comments = Vec::new();
        while start > 0 {
            let prev = line_start(text, start - 1);
            let line = text[prev..start].trim();
            if !line.starts_with('#') {
                break;
            }
            comments.insert(0, line.to_owned());
            start = prev;
        }
        (start..end, comments)
    }
}

/// `lines` nested under `path`, each level two spaces deeper than `indent`.
fn nested_block(indent: usize, path: &[&str], lines: &[String]) -> String {
    let mut out = String::new();
    for (depth, key) in path.iter().enumerate() {
        out.push_str(&format!("\n{}{key}:", " ".repeat(indent + 2 * depth)));
    }
    let ind = " ".repeat(indent + 2 * path.len());
    for line in lines {
        out.push_str(&format!("\n{ind}{line}"));
    }
    out
}
