//! Text edits on YAML for fixes: add mapping entries (creating missing parents), replace a
//! value, remove or move entries. Edits keep the file's own indentation, comments and quoting.
//! Shared by the volume and hook rules (adding, moving annotations).

use crate::diagnostic::{Edit, FileId};
use crate::yaml::{Node, NodeKind, Scalar, Style, Typed};

/// Format a string as a YAML scalar: plain when it reads back as the same string, otherwise
/// single-quoted.
pub fn scalar_text(value: &str) -> String {
    let plain = Scalar {
        value: value.into(),
        style: Style::Plain,
        templated: false,
    };
    let special_start = value.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`~ ".contains(c));
    let risky = value.is_empty()
        || special_start
        || value.ends_with(' ')
        || value.contains(": ")
        || value.contains(" #")
        || value.ends_with(':')
        || value.contains('\n')
        || !matches!(plain.typed(), Typed::Str(_));
    if risky {
        format!("'{}'", value.replace('\'', "''"))
    } else {
        value.to_owned()
    }
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].rfind('\n').map_or(0, |i| i + 1)
}

fn line_end(text: &str, offset: usize) -> usize {
    text[offset.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| offset + i)
}

/// Columns of indentation before `offset` on its line (spaces up to the first other byte).
fn indent_at(text: &str, offset: usize) -> usize {
    let start = line_start(text, offset);
    text[start..].bytes().take_while(|b| *b == b' ').count()
}

/// The column of `offset` within its line (bytes; YAML indentation is ASCII spaces).
fn column(text: &str, offset: usize) -> usize {
    offset - line_start(text, offset)
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

fn is_empty_value(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Scalar(s) => s.style == Style::Plain && matches!(s.typed(), Typed::Null),
        NodeKind::Map(e) => e.is_empty(),
        _ => false,
    }
}

/// Add `entries` (already formatted values) to the mapping at `path` under `map`, creating the
/// missing mappings on the way. Returns `None` when the target is not something to add to
/// (a non-empty flow mapping, a list, a templated value).
pub fn add_entries(text: &str, file: FileId, map: &Node, path: &[&str], entries: &[(String, String)]) -> Option<Edit> {
    let lines: Vec<String> = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    add_lines(text, file, map, path, &lines)
}

/// Like `add_entries`, with each entry given as its full line text (`key: value  # comment`).
pub fn add_lines(text: &str, file: FileId, map: &Node, path: &[&str], entries: &[String]) -> Option<Edit> {
    if !map.is_map() {
        return None;
    }
    let Some((first, rest)) = path.split_first() else {
        return append_to_block_map(text, file, map, entries);
    };
    match map.entry(first) {
        Some((_, value)) if value.is_map() && !value.entries().is_empty() => {
            add_lines(text, file, value, rest, entries)
        }
        Some((key, value)) if is_empty_value(value) => {
            // `annotations:` or `annotations: {}`: write a block under the key.
            let indent = column(text, key.span.start) + 2;
            let block = nested_block(indent, rest, entries);
            let start = key.span.end + text[key.span.end..].find(':').map_or(0, |i| i + 1);
            let end = if value.span.end > value.span.start {
                value.span.end
            } else {
                start
            };
            Some(Edit::replace(file, start..end.max(start), block))
        }
        Some(_) => None,
        None => {
            let indent = first_key_column(text, map)?;
            let text_block = nested_block(indent, path, entries);
            Some(Edit::insert(file, insertion_point(text, map), text_block))
        }
    }
}

/// Like `add_entries`, but a missing first level of `path` is created before the map's first
/// key rather than after its last (`metadata:` reads best above a pod template's `spec:`).
pub fn add_entries_leading(
    text: &str,
    file: FileId,
    map: &Node,
    path: &[&str],
    entries: &[(String, String)],
) -> Option<Edit> {
    let lines: Vec<String> = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    add_lines_leading(text, file, map, path, &lines)
}

/// Like `add_entries_leading`, with each entry given as its full line text.
pub fn add_lines_leading(text: &str, file: FileId, map: &Node, path: &[&str], lines: &[String]) -> Option<Edit> {
    let (Some(first), Some((first_key, _))) = (path.first(), map.entries().first()) else {
        return add_lines(text, file, map, path, lines);
    };
    if map.entry(first).is_some() || text[map.span.clone()].starts_with('{') {
        return add_lines(text, file, map, path, lines);
    }
    let block = nested_block(column(text, first_key.span.start), path, lines);
    let at = line_start(text, first_key.span.start);
    // A first key sharing its line with a list dash (`- spec:`) has no line of its own.
    if !text[at..first_key.span.start].trim().is_empty() {
        return add_lines(text, file, map, path, lines);
    }
    Some(Edit::insert(file, at, format!("{}\n", &block[1..])))
}

fn first_key_column(text: &str, map: &Node) -> Option<usize> {
    map.entries().first().map(|(k, _)| column(text, k.span.start))
}

/// After the last line of the map's last entry.
fn insertion_point(text: &str, map: &Node) -> usize {
    let last_end = map
        .entries()
        .last()
        .map_or(map.span.end, |(k, v)| v.span.end.max(k.span.end));
    // Block scalars end after their newline; step back so we stay on their last line.
    let at = if last_end > 0 && text.as_bytes().get(last_end - 1) == Some(&b'\n') {
        last_end - 1
    } else {
        last_end
    };
    // Before a CRLF's `\r`, so the inserted lines do not split it.
    let end = line_end(text, at);
    if end > 0 && text.as_bytes().get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

fn append_to_block_map(text: &str, file: FileId, map: &Node, entries: &[String]) -> Option<Edit> {
    let indent = first_key_column(text, map)?;
    if text[map.span.clone()].starts_with('{') {
        return None;
    }
    Some(Edit::insert(
        file,
        insertion_point(text, map),
        nested_block(indent, &[], entries),
    ))
}

/// The byte range of whole lines holding an entry (key line through value's last line,
/// newline included), for removal.
pub fn entry_lines(text: &str, key: &Node, value: &Node) -> std::ops::Range<usize> {
    let start = line_start(text, key.span.start);
    let end_at = if value.span.end > 0 && text.as_bytes().get(value.span.end - 1) == Some(&b'\n') {
        value.span.end - 1
    } else {
        value.span.end.max(key.span.end)
    };
    let end = line_end(text, end_at);
    start..(end + 1).min(text.len())
}

/// Remove entries `keys` from the block mapping `map`, whose own entry is (`map_key`, `map`).
/// When nothing would be left, the whole `map_key:` entry goes too.
pub fn remove_entries(text: &str, file: FileId, map_key: &Node, map: &Node, keys: &[&str]) -> Vec<Edit> {
    let all_removed = map
        .entries()
        .iter()
        .all(|(k, _)| k.as_str().is_some_and(|s| keys.contains(&s)));
    if all_removed {
        return vec![Edit::replace(file, entry_lines(text, map_key, map), "")];
    }
    map.entries()
        .iter()
        .filter(|(k, _)| k.as_str().is_some_and(|s| keys.contains(&s)))
        .map(|(k, v)| Edit::replace(file, entry_lines(text, k, v), ""))
        .collect()
}

/// The raw text of an entry (`key: value  # comment`), without its indentation, for moving it
/// elsewhere with quoting and comments intact. Only single-line entries qualify.
pub fn raw_entry(text: &str, key: &Node, value: &Node) -> Option<String> {
    let lines = entry_lines(text, key, value);
    let raw = text[lines].trim_end_matches(['\n', '\r']).trim_start();
    (!raw.contains('\n')).then(|| raw.to_owned())
}

/// Move entries `keys` from the mapping (`src_key`, `src`) to the mapping at `dst_path` under
/// `dst_parent` (created if missing, above the parent's first key: `metadata:` reads best above
/// a pod template's `spec:`), keeping each entry's raw text. Where the destination
/// already has the key, `merge(key, src_value, dst_value)` gives the destination's new value
/// text, or `None` to refuse the whole move.
pub fn move_entries(
    text: &str,
    file: FileId,
    (src_key, src): (&Node, &Node),
    keys: &[&str],
    (dst_parent, dst_path): (&Node, &[&str]),
    merge: &dyn Fn(&str, &Node, &Node) -> Option<String>,
) -> Option<Vec<Edit>> {
    let dst = dst_path.iter().try_fold(dst_parent, |n, k| n.get(k));
    let all_moved = src
        .entries()
        .iter()
        .all(|(k, _)| k.as_str().is_some_and(|s| keys.contains(&s)));
    let mut edits = Vec::new();
    let mut lines = Vec::new();
    for key in keys {
        let Some((k, v)) = src.entry(key) else { continue };
        // Comment lines just above an entry describe it: they travel with it.
        let (comment_range, comments) = leading_comments(text, k);
        lines.extend(comments);
        if !all_moved && !comment_range.is_empty() {
            edits.push(Edit::replace(file, comment_range, ""));
        }
        match dst.and_then(|d| d.entry(key)) {
            Some((_, dv)) => edits.push(Edit::replace(file, dv.span.clone(), merge(key, v, dv)?)),
            None => lines.push(raw_entry(text, k, v)?),
        }
    }
    if !lines.is_empty() {
        edits.push(add_lines_leading(text, file, dst_parent, dst_path, &lines)?);
    }
    edits.extend(remove_entries(text, file, src_key, src, keys));
    Some(edits)
}

/// The full-line comments directly above `key` (range and trimmed texts, in order).
fn leading_comments(text: &str, key: &Node) -> (std::ops::Range<usize>, Vec<String>) {
    let end = line_start(text, key.span.start);
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

/// Indentation helper re-exported for rules that need to line up with an existing key.
pub fn indent_of(text: &str, offset: usize) -> usize {
    indent_at(text, offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::apply_edits;
    use crate::yaml::parse_stream;

    fn apply(text: &str, edit: Option<Edit>) -> String {
        let e = edit.expect("an edit");
        apply_edits(text, &[(e.span.clone(), e.text.as_str())]).unwrap()
    }

    fn root(text: &str) -> Node {
        parse_stream(text, &[]).remove(0).root.unwrap()
    }

    const DEPLOY: &str = "spec:\n  template:\n    metadata:\n      labels:\n        app: web # the app\n    spec:\n      containers: []\n";

    #[test]
    fn creates_missing_annotations_map_under_existing_metadata() {
        let r = root(DEPLOY);
        let tpl = r.path("spec.template").unwrap();
        let e = add_entries(
            DEPLOY,
            0,
            tpl,
            &["metadata", "annotations"],
            &[("a/b".into(), "data".into())],
        );
        let out = apply(DEPLOY, e);
        assert_eq!(
            out,
            "spec:\n  template:\n    metadata:\n      labels:\n        app: web # the app\n      annotations:\n        a/b: data\n    spec:\n      containers: []\n"
        );
        assert_eq!(
            root(&out)
                .path("spec.template.metadata.annotations")
                .unwrap()
                .get("a/b")
                .unwrap()
                .as_str(),
            Some("data")
        );
    }

    #[test]
    fn creates_metadata_when_template_has_none() {
        let text = "spec:\n  template:\n    spec:\n      containers: []\n";
        let r = root(text);
        let e = add_entries(
            text,
            0,
            r.path("spec.template").unwrap(),
            &["metadata", "annotations"],
            &[("k".into(), "v".into())],
        );
        let out = apply(text, e);
        assert_eq!(
            root(&out)
                .path("spec.template.metadata.annotations.k")
                .unwrap()
                .as_str(),
            Some("v")
        );
    }

    #[test]
    fn fills_empty_flow_and_null_maps() {
        for text in ["metadata:\n  annotations: {}\n", "metadata:\n  annotations:\n"] {
            let r = root(text);
            let out = apply(
                text,
                add_entries(text, 0, &r, &["metadata", "annotations"], &[("k".into(), "v".into())]),
            );
            assert_eq!(out, "metadata:\n  annotations:\n    k: v\n", "from {text:?}");
        }
    }

    #[test]
    fn appends_after_block_scalar() {
        let text = "a:\n  x: |\n    line\n  y: 1\nb: 2\n";
        let r = root(text);
        let out = apply(text, add_entries(text, 0, &r, &["a"], &[("z".into(), "3".into())]));
        assert_eq!(out, "a:\n  x: |\n    line\n  y: 1\n  z: 3\nb: 2\n");
    }

    #[test]
    fn removes_entries_and_empty_parent() {
        let text = "metadata:\n  name: x\n  annotations:\n    a: 1 # c\n    b: 2\nspec: {}\n";
        let r = root(text);
        let meta = r.get("metadata").unwrap();
        let (k, v) = meta.entry("annotations").unwrap();
        let one = remove_entries(text, 0, k, v, &["a"]);
        let refs: Vec<_> = one.iter().map(|e| (e.span.clone(), e.text.as_str())).collect();
        assert_eq!(
            apply_edits(text, &refs).unwrap(),
            "metadata:\n  name: x\n  annotations:\n    b: 2\nspec: {}\n"
        );
        let both = remove_entries(text, 0, k, v, &["a", "b"]);
        let refs: Vec<_> = both.iter().map(|e| (e.span.clone(), e.text.as_str())).collect();
        assert_eq!(apply_edits(text, &refs).unwrap(), "metadata:\n  name: x\nspec: {}\n");
        assert_eq!(
            raw_entry(text, &v.entries()[0].0, &v.entries()[0].1).unwrap(),
            "a: 1 # c"
        );
    }

    #[test]
    fn moves_entries_with_comments_and_merges_conflicts() {
        let text = "metadata:\n  annotations:\n    a: '1' # keep me\n    b: x\nspec:\n  template:\n    metadata:\n      annotations:\n        b: y\n";
        let r = root(text);
        let (k, v) = r.get("metadata").unwrap().entry("annotations").unwrap();
        let tpl = r.path("spec.template").unwrap();
        let merge = |_: &str, s: &Node, d: &Node| Some(format!("{},{}", d.as_str()?, s.as_str()?));
        let edits = move_entries(
            text,
            0,
            (k, v),
            &["a", "b"],
            (tpl, &["metadata", "annotations"]),
            &merge,
        )
        .unwrap();
        let refs: Vec<_> = edits.iter().map(|e| (e.span.clone(), e.text.as_str())).collect();
        let out = apply_edits(text, &refs).unwrap();
        assert_eq!(
            out,
            "metadata:\nspec:\n  template:\n    metadata:\n      annotations:\n        b: y,x\n        a: '1' # keep me\n"
        );
    }

    #[test]
    fn leading_entries_go_above_the_first_key() {
        let text = "template:\n  spec: # pod\n    containers: []\n";
        let r = root(text);
        let e = add_entries_leading(
            text,
            0,
            r.get("template").unwrap(),
            &["metadata", "annotations"],
            &[("k".into(), "v".into())],
        );
        assert_eq!(
            apply(text, e),
            "template:\n  metadata:\n    annotations:\n      k: v\n  spec: # pod\n    containers: []\n"
        );
    }

    #[test]
    fn moving_keeps_comment_lines_above_entries() {
        let text = "metadata:\n  name: x\n  annotations:\n    # why we back this up\n    a: '1'\n    b: 2\nspec:\n  template:\n    metadata:\n      labels: {}\n";
        let r = root(text);
        let (k, v) = r.get("metadata").unwrap().entry("annotations").unwrap();
        let tpl = r.path("spec.template").unwrap();
        let merge = |_: &str, _: &Node, _: &Node| None;
        let edits = move_entries(text, 0, (k, v), &["a"], (tpl, &["metadata", "annotations"]), &merge).unwrap();
        let refs: Vec<_> = edits.iter().map(|e| (e.span.clone(), e.text.as_str())).collect();
        let out = apply_edits(text, &refs).unwrap();
        assert_eq!(
            out,
            "metadata:\n  name: x\n  annotations:\n    b: 2\nspec:\n  template:\n    metadata:\n      labels: {}\n      annotations:\n        # why we back this up\n        a: '1'\n"
        );
    }

    #[test]
    fn scalar_text_quotes_only_when_needed() {
        assert_eq!(scalar_text("data,scratch"), "data,scratch");
        assert_eq!(scalar_text("30"), "'30'");
        assert_eq!(scalar_text("true"), "'true'");
        assert_eq!(scalar_text("[\"/bin/sh\"]"), "'[\"/bin/sh\"]'");
        assert_eq!(scalar_text("it's: x"), "'it''s: x'");
    }
}
