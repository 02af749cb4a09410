//! Property test of the edit layer through `--fix`: Deployments generated in random styles
//! (block or flow metadata, an opt-in list absent, plain, single- or double-quoted, on the pod
//! or on the workload, JSON, CRLF, comments) are fixed, and then: every file still loads with
//! an independent YAML loader (saphyr), JSON stays JSON, every claim is opted in on the pod
//! template (the effect Velero reads), nothing outside the annotations changed, comments are
//! kept, and a second `--fix` changes nothing.

use std::path::PathBuf;

use proptest::prelude::*;
use serde_json::{Value, json};
use snaplint::lint;
use snaplint::release::Release;
use snaplint::rules::{self, Filter, RunOptions};
use snaplint::source::SourceFile;

const KEY: &str = "backup.velero.io/backup-volumes";
const BACKUP: &str = "apiVersion: velero.io/v1\nkind: Backup\nmetadata:\n  name: backup\nspec: {}\n";

#[derive(Debug, Clone)]
struct Shape {
    volumes: usize,
    /// How many of them the existing list names (0: no list).
    listed: usize,
    /// 0 plain, 1 single-quoted, 2 double-quoted.
    quote: u8,
    /// The list is on the workload's own metadata (VOL003) instead of the pod's.
    on_workload: bool,
    flow_metadata: bool,
    flow_pod_metadata: bool,
    json: bool,
    crlf: bool,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        1..5usize,
        0..5usize,
        0..3u8,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(volumes, listed, quote, on_workload, flow_metadata, flow_pod_metadata, json, crlf)| Shape {
                volumes,
                listed: listed.min(volumes),
                quote,
                on_workload,
                flow_metadata,
                flow_pod_metadata,
                json,
                crlf,
            },
        )
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("vol{i}")).collect()
}

fn quoted(s: &Shape, v: &str) -> String {
    match s.quote {
        1 => format!("'{v}'"),
        2 => format!("\"{v}\""),
        _ => v.to_owned(),
    }
}

/// The annotations map, in block (at `indent`) or flow style, or `None` without a list.
fn annotations(s: &Shape, flow: bool, indent: usize) -> Option<String> {
    let list = names(s.listed).join(",");
    let value = quoted(s, &list);
    let value = if flow && s.quote == 0 {
        format!("'{list}'")
    } else {
        value
    };
    (s.listed > 0).then(|| {
        if flow {
            format!("annotations: {{{KEY}: {value}, example.com/owner: team}}")
        } else {
            let pad = " ".repeat(indent + 2);
            format!("annotations:\n{pad}{KEY}: {value} # the opt-in\n{pad}example.com/owner: team")
        }
    })
}

fn yaml(s: &Shape) -> String {
    let own = if s.on_workload {
        annotations(s, s.flow_metadata, 2)
    } else {
        None
    };
    let pod = if s.on_workload {
        None
    } else {
        annotations(s, s.flow_pod_metadata, 6)
    };
    let metadata = match (s.flow_metadata, own) {
        (true, Some(a)) => format!("metadata: {{name: web, {a}}}"),
        (true, None) => "metadata: {name: web}".to_owned(),
        (false, Some(a)) => format!("metadata:\n  name: web\n  {a}"),
        (false, None) => "metadata:\n  name: web".to_owned(),
    };
    let pod_metadata = match (s.flow_pod_metadata, pod) {
        (true, Some(a)) => format!("    metadata: {{labels: {{app: web}}, {a}}}"),
        (true, None) => "    metadata: {labels: {app: web}}".to_owned(),
        (false, Some(a)) => format!("    metadata:\n      labels:\n        app: web\n      {a}"),
        (false, None) => "    metadata:\n      labels:\n        app: web".to_owned(),
    };
    let mounts: String = names(s.volumes)
        .iter()
        .map(|n| format!("            - {{name: {n}, mountPath: /{n}}}\n"))
        .collect();
    let volumes: String = names(s.volumes)
        .iter()
        .map(|n| {
            format!("        - name: {n} # claim {n}\n          persistentVolumeClaim:\n            claimName: {n}\n")
        })
        .collect();
    let text = format!(
        "# generated\napiVersion: apps/v1\nkind: Deployment\n{metadata}\nspec:\n  selector:\n    matchLabels: {{app: web}}\n  template:\n{pod_metadata}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          volumeMounts:\n{mounts}      volumes:\n{volumes}"
    );
    if s.crlf { text.replace('\n', "\r\n") } else { text }
}

fn json_text(s: &Shape) -> String {
    let list = names(s.listed).join(",");
    let ann = json!({KEY: list, "example.com/owner": "team"});
    let mut meta = json!({"name": "web"});
    let mut pod_meta = json!({"labels": {"app": "web"}});
    if s.listed > 0 {
        let target = if s.on_workload { &mut meta } else { &mut pod_meta };
        target["annotations"] = ann;
    }
    let names = names(s.volumes);
    let doc = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": pod_meta,
                "spec": {
                    "containers": [{"name": "web", "image": "nginx:1.27",
                        "volumeMounts": names.iter().map(|n| json!({"name": n, "mountPath": format!("/{n}")})).collect::<Vec<_>>()}],
                    "volumes": names.iter().map(|n| json!({"name": n, "persistentVolumeClaim": {"claimName": n}})).collect::<Vec<_>>()
                }
            }
        }
    });
    format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default())
}

fn load(text: &str) -> Value {
    use saphyr::LoadableYamlNode;
    let docs = saphyr::Yaml::load_from_str(text).unwrap_or_default();
    docs.first().map(to_json).unwrap_or(Value::Null)
}

fn to_json(y: &saphyr::Yaml) -> Value {
    use saphyr::{Scalar, Yaml};
    match y {
        Yaml::Value(Scalar::String(s)) => Value::String(s.to_string()),
        Yaml::Value(Scalar::Integer(i)) => Value::from(*i),
        Yaml::Value(Scalar::Boolean(b)) => Value::Bool(*b),
        Yaml::Sequence(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Mapping(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.as_str().unwrap_or("?").to_owned(), to_json(v)))
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// The document with every annotations map removed: what the fixes must not touch.
fn without_annotations(mut v: Value) -> Value {
    for p in ["/metadata", "/spec/template/metadata"] {
        if let Some(Value::Object(m)) = v.pointer_mut(p) {
            m.remove("annotations");
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fixes_in_any_style_opt_every_claim_in_and_change_nothing_else(s in shape()) {
        let (name, text) = if s.json { ("web.json", json_text(&s)) } else { ("web.yaml", yaml(&s)) };
        let files = vec![
            SourceFile::from_text(PathBuf::from("backup.yaml"), None, BACKUP.to_owned()),
            SourceFile::from_text(PathBuf::from(name), None, text.clone()),
        ];
        let rules = rules::builtin().expect("rules");
        let (filter, options) = (Filter::default(), RunOptions::default());
        let once = lint::fix(Release::new(files, None), rules, &filter, &options, true);
        let fixed = once.release.files[1].text.clone();
        let (old, new) = (load(&text), load(&fixed));
        prop_assert!(new.is_object(), "does not load:\n{fixed}");
        if s.json {
            prop_assert!(serde_json::from_str::<Value>(&fixed).is_ok(), "no longer JSON:\n{fixed}");
        }
        let list = new.pointer("/spec/template/metadata/annotations/backup.velero.io~1backup-volumes");
        let listed: Vec<&str> = list.and_then(Value::as_str).map(|l| l.split(',').collect()).unwrap_or_default();
        // Each claim is opted in, or a finding about it remains, without a fix: a refused
        // edit is honest, a half-done one is not.
        let reported = |n: &str| once.remaining.iter().any(|d| d.fix.is_none() && (d.rule == "VOL003" || d.message.contains(&format!("`{n}`"))));
        for n in names(s.volumes) {
            prop_assert!(listed.contains(&n.as_str()) || reported(&n), "{n} neither opted in nor reported:\n{fixed}");
        }
        let claimed: Vec<&str> = once.remaining.iter().filter(|d| d.fix.is_some()).map(|d| d.rule.as_str()).collect();
        prop_assert!(claimed.is_empty(), "findings still claim a fix: {:?}\n{}", claimed, fixed);
        prop_assert_eq!(without_annotations(old.clone()), without_annotations(new.clone()), "more than the annotations changed:\n{}", fixed);
        if s.listed > 0 {
            let owner = new.pointer("/spec/template/metadata/annotations/example.com~1owner")
                .or_else(|| new.pointer("/metadata/annotations/example.com~1owner"));
            prop_assert_eq!(owner, Some(&Value::String("team".into())), "an annotation was lost:\n{}", fixed);
        }
        for line in text.lines().filter_map(|l| l.find('#').map(|i| l[i..].trim())) {
            prop_assert!(fixed.contains(line), "comment `{}` lost:\n{}", line, fixed);
        }
        prop_assert_eq!(text.contains('\r'), fixed.contains('\r'));
        let twice = lint::fix(once.release, rules, &filter, &options, true);
        prop_assert!(twice.changes.is_empty(), "a second --fix changed:\n{}", twice.release.files[1].text);
    }
}
