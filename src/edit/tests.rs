use super::*;
use crate::diagnostic::Edit;
use crate::fix::apply_edits;

fn source(path: &str, text: &str) -> SourceFile {
    SourceFile::from_text(path.into(), None, text.to_owned())
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let refs: Vec<_> = edits.iter().map(|e| (e.span.clone(), e.text.as_str())).collect();
    apply_edits(text, &refs).expect("edits apply")
}

fn root(f: &SourceFile) -> Node<'_> {
    f.documents[0].root().expect("a document")
}

/// The text after inserting `k: v` under `path` of the document root (leading placement).
fn inserted(path: &str, text: &str, at: &[&str]) -> Option<String> {
    let f = source(path, text);
    let doc = Doc::new(0, &f);
    let e = doc.insert_leading(root(&f), at, &[Item::pair("a/b", "data")])?;
    Some(apply(text, &[e]))
}

/// The text after moving `keys` from the root's `metadata.annotations` to the pod template's.
fn moved(text: &str, keys: &[&str], merge: &dyn Fn(&str, Node<'_>, Node<'_>) -> Option<String>) -> String {
    let f = source("x.yaml", text);
    let r = root(&f);
    let (k, v) = r.get("metadata").unwrap().entry("annotations").unwrap();
    let tpl = r.path("spec.template").unwrap();
    let edits = Doc::new(0, &f)
        .move_entries((k, v), keys, (tpl, &["metadata", "annotations"]), merge)
        .unwrap();
    apply(text, &edits)
}

fn merge_lists(_: &str, s: Node<'_>, d: Node<'_>) -> Option<String> {
    Some(format!("{},{}", d.as_str()?, s.as_str()?))
}

#[test]
fn block_maps_get_block_lines_in_place() {
    let text = "spec:\n  template:\n    metadata:\n      labels:\n        app: web # the app\n    spec:\n      containers: []\n";
    let out = inserted("x.yaml", text, &["spec", "template", "metadata", "annotations"]).unwrap();
    assert_eq!(
        out,
        "spec:\n  template:\n    metadata:\n      labels:\n        app: web # the app\n      annotations:\n        a/b: data\n    spec:\n      containers: []\n"
    );
    let bare = "template:\n  spec: # pod\n    containers: []\n";
    let f = source("x.yaml", bare);
    let e = Doc::new(0, &f)
        .insert_leading(
            root(&f).get("template").unwrap(),
            &["metadata", "annotations"],
            &[Item::pair("k", "v")],
        )
        .unwrap();
    assert_eq!(
        apply(bare, &[e]),
        "template:\n  metadata:\n    annotations:\n      k: v\n  spec: # pod\n    containers: []\n"
    );
}

#[test]
fn empty_flow_and_null_maps_are_filled() {
    for text in ["metadata:\n  annotations: {}\n", "metadata:\n  annotations:\n"] {
        let out = inserted("x.yaml", text, &["metadata", "annotations"]).unwrap();
        assert_eq!(out, "metadata:\n  annotations:\n    a/b: data\n", "from {text:?}");
    }
}

#[test]
fn flow_maps_get_flow_entries() {
    let out = inserted(
        "x.yaml",
        "metadata: {name: web, labels: {app: web}}\n",
        &["metadata", "annotations"],
    )
    .unwrap();
    assert_eq!(
        out,
        "metadata: {name: web, labels: {app: web}, annotations: {a/b: data}}\n"
    );
    let out = inserted(
        "x.yaml",
        "metadata: {annotations: {x: y}}\n",
        &["metadata", "annotations"],
    )
    .unwrap();
    assert_eq!(out, "metadata: {annotations: {x: y, a/b: data}}\n");
}

#[test]
fn json_stays_json() {
    let text = "{\n  \"metadata\": {\n    \"name\": \"web\"\n  }\n}\n";
    let out = inserted("x.json", text, &["metadata", "annotations"]).unwrap();
    assert_eq!(
        out,
        "{\n  \"metadata\": {\n    \"name\": \"web\",\n    \"annotations\": {\"a/b\": \"data\"}\n  }\n}\n"
    );
    serde_json::from_str::<serde_json::Value>(&out).expect("still JSON");
}

#[test]
fn block_scalar_values_are_kept_whole() {
    let text = "a:\n  x: |\n    line\n  y: 1\nb: 2\n";
    let f = source("x.yaml", text);
    let e = Doc::new(0, &f)
        .insert(root(&f), &["a"], &[Item::pair("z", "3")])
        .unwrap();
    assert_eq!(apply(text, &[e]), "a:\n  x: |\n    line\n  y: 1\n  z: '3'\nb: 2\n");
}

#[test]
fn merge_keys_anchors_and_template_lines_refuse() {
    let merge = "base: &m\n  labels: {a: b}\nmetadata:\n  <<: *m\n";
    assert_eq!(inserted("x.yaml", merge, &["metadata", "annotations"]), None);
    let anchored = "metadata: &m\n  labels: {a: b}\nother: *m\n";
    assert_eq!(inserted("x.yaml", anchored, &["metadata", "annotations"]), None);
    let text = "metadata:\n  labels:\n    app: web\n  repl{{ if ConfigOptionEquals \"x\" \"1\" }}\n  name: web\n  repl{{ end }}\n";
    let f = source("x.yaml", text);
    let doc = Doc::new(0, &f);
    let meta = root(&f).get("metadata").unwrap();
    assert!(
        doc.insert(meta, &[], &[Item::pair("k", "v")]).is_none(),
        "into a conditional"
    );
}

#[test]
fn lists_append_in_their_context() {
    for (text, want) in [
        ("a: {k: cache}\n", "a: {k: 'cache,files'}\n"),
        ("a:\n  k: cache\n", "a:\n  k: cache,files\n"),
        ("a:\n  k: \"cache\"\n", "a:\n  k: \"cache,files\"\n"),
    ] {
        let f = source("x.yaml", text);
        let value = root(&f).path("a.k").unwrap();
        let s = value.span();
        let inner = if text[s.clone()].starts_with('"') {
            s.start + 1..s.end - 1
        } else {
            s
        };
        let e = Doc::new(0, &f).append_to_list(value, inner, "files").unwrap();
        assert_eq!(apply(text, &[e]), want);
    }
}

#[test]
fn scalars_keep_their_style() {
    for (path, text, want) in [
        ("x.yaml", "k: 'a'\n", "k: 'b,c'\n"),
        ("x.yaml", "k: \"a\"\n", "k: \"b,c\"\n"),
        ("x.yaml", "k: a\n", "k: b,c\n"),
        ("x.yaml", "{k: a}\n", "{k: 'b,c'}\n"),
        ("x.json", "{\"k\": \"a\"}\n", "{\"k\": \"b,c\"}\n"),
    ] {
        let f = source(path, text);
        let e = Doc::new(0, &f)
            .replace_scalar(root(&f).get("k").unwrap(), "b,c")
            .unwrap();
        assert_eq!(apply(text, &[e]), want, "{text:?}");
    }
}

#[test]
fn a_block_scalar_is_replaced_with_its_header_and_lines() {
    let text = "a:\n  cmd: >- # why\n    pg_dump app\n    > /dump.sql\n  next: 1\n";
    let f = source("x.yaml", text);
    let node = root(&f).path("a.cmd").unwrap();
    let edits = Doc::new(0, &f).replace_value(None, node, "'[\"x\"]'").unwrap();
    assert_eq!(apply(text, &edits), "a:\n  cmd: '[\"x\"]' # why\n  next: 1\n");
}

#[test]
fn a_zero_indent_block_list_is_replaced_after_its_key() {
    let text = "a:\n  k:\n  - data\n  - cache\n  next: 1\n";
    let f = source("x.yaml", text);
    let a = root(&f).get("a").unwrap();
    let (k, v) = a.entry("k").unwrap();
    let edits = Doc::new(0, &f).replace_value(Some(k), v, "'data,cache'").unwrap();
    assert_eq!(apply(text, &edits), "a:\n  k: 'data,cache'\n  next: 1\n");
    let commented = "a:\n  k:\n  - data # main\n  - cache\n";
    let f = source("x.yaml", commented);
    let a = root(&f).get("a").unwrap();
    let (k, v) = a.entry("k").unwrap();
    assert!(
        Doc::new(0, &f).replace_value(Some(k), v, "'x'").is_none(),
        "a comment would be lost"
    );
}

#[test]
fn entries_move_out_of_flow_maps_as_entries() {
    let text = "metadata: {name: x, annotations: {a/b: files, owner: team}}\nspec:\n  template:\n    spec: {}\n";
    assert_eq!(
        moved(text, &["a/b"], &|_, _, _| None),
        "metadata: {name: x, annotations: {owner: team}}\nspec:\n  template:\n    metadata:\n      annotations:\n        a/b: files\n    spec: {}\n"
    );
}

#[test]
fn block_moves_keep_comments_and_merge_in_the_destination_style() {
    let text = "metadata:\n  annotations:\n    # why\n    a: '1' # keep me\n    b: x\nspec:\n  template:\n    metadata:\n      annotations:\n        b: \"y\"\n";
    assert_eq!(
        moved(text, &["a", "b"], &merge_lists),
        "metadata:\nspec:\n  template:\n    metadata:\n      annotations:\n        b: \"y,x\"\n        # why\n        a: '1' # keep me\n"
    );
}

#[test]
fn nothing_is_inserted_inside_a_template_block() {
    // The annotations map sits inside `repl{{ if }}`: an opt-in there would render only when
    // the option is set. After the block, a new map is fine.
    let text = "metadata:\n  labels:\n    app: web\n  repl{{- if ConfigOptionEquals \"m\" \"1\" }}\n  annotations:\n    a: b\n  repl{{- end }}\n";
    let f = source("x.yaml", text);
    let doc = Doc::new(0, &f);
    let ann = root(&f).path("metadata.annotations").unwrap();
    assert!(doc.insert(ann, &[], &[Item::pair("k", "v")]).is_none());
    let labels = root(&f).path("metadata.labels").unwrap();
    assert!(
        doc.insert(labels, &[], &[Item::pair("k", "v")]).is_some(),
        "before the block"
    );
}

#[test]
fn a_merged_entry_keeps_its_comment_on_the_merged_line() {
    let text = "metadata:\n  annotations:\n    a: x # from the workload\nspec:\n  template:\n    metadata:\n      annotations:\n        a: y\n";
    assert_eq!(
        moved(text, &["a"], &merge_lists),
        "metadata:\nspec:\n  template:\n    metadata:\n      annotations:\n        a: y,x # from the workload\n"
    );
}
