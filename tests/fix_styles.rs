//! Fixes on every YAML style vendors write (`testdata/fix-styles/`): flow mappings, JSON,
//! block scalars, zero-indent lists, KOTS template lines, merge keys, CRLF, many fixes at once.
//! Each case runs through `--fix --unsafe-fixes` and `--diff | patch -p1`, and the result is
//! checked with an independent YAML loader (saphyr): every document still loads, only the
//! intended values changed (a semantic diff of the loaded data), comments are kept, JSON stays
//! JSON, a second `--fix` changes nothing, no finding left claims a fix, and the intended
//! effect is real (the volume is in the list Velero parses).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use serde_json::Value;

/// A case: its directory, the JSON pointers (per document of its main file) whose values
/// the fixes may change, and the values they must end with. An empty `effects` means the
/// case must be left alone.
struct Case {
    dir: &'static str,
    file: &'static str,
    may_change: &'static [&'static str],
    effects: &'static [(&'static str, &'static str)],
}

const INCLUDE: &str = "/spec/template/metadata/annotations/backup.velero.io~1backup-volumes";
const OWN: &str = "/metadata/annotations";

const CASES: &[Case] = &[
    Case {
        dir: "flow-workload-annotations",
        file: "deployment.yaml",
        may_change: &[
            "/metadata/annotations/backup.velero.io~1backup-volumes",
            "/spec/template/metadata/annotations",
        ],
        effects: &[
            (INCLUDE, "files"),
            ("/metadata/annotations/example.com~1owner", "team"),
            ("/metadata/name", "web"),
        ],
    },
    Case {
        dir: "flow-metadata",
        file: "deployment.yaml",
        may_change: &[OWN, "/spec/template/metadata/annotations"],
        effects: &[(INCLUDE, "files"), ("/metadata/name", "web")],
    },
    Case {
        dir: "flow-pod-append",
        file: "deployment.yaml",
        may_change: &[INCLUDE],
        effects: &[(INCLUDE, "cache,files")],
    },
    Case {
        dir: "flow-pod-insert",
        file: "deployment.yaml",
        may_change: &["/spec/template/metadata/annotations"],
        effects: &[(INCLUDE, "files")],
    },
    Case {
        dir: "json-insert",
        file: "deployment.json",
        may_change: &["/spec/template/metadata/annotations"],
        effects: &[(INCLUDE, "files")],
    },
    Case {
        dir: "json-append",
        file: "deployment.json",
        may_change: &[
            INCLUDE,
            "/spec/template/metadata/annotations/pre.hook.backup.velero.io~1on-error",
        ],
        effects: &[
            (INCLUDE, "cache,files"),
            (
                "/spec/template/metadata/annotations/pre.hook.backup.velero.io~1on-error",
                "Fail",
            ),
        ],
    },
    Case {
        dir: "folded-command",
        file: "statefulset.yaml",
        may_change: &["/spec/template/metadata/annotations/pre.hook.backup.velero.io~1command"],
        effects: &[
            (
                "/spec/template/metadata/annotations/pre.hook.backup.velero.io~1command",
                r#"["/bin/sh", "-c", "pg_dump -U app app > /var/lib/postgresql/data/dump.sql"]"#,
            ),
            (
                "/spec/template/metadata/annotations/pre.hook.backup.velero.io~1timeout",
                "5m",
            ),
        ],
    },
    Case {
        dir: "template-lines",
        file: "deployment.yaml",
        may_change: &[],
        effects: &[],
    },
    Case {
        dir: "template-labels",
        file: "deployment.yaml",
        may_change: &[],
        effects: &[],
    },
    Case {
        dir: "merge-key",
        file: "deployment.yaml",
        may_change: &[],
        effects: &[],
    },
    Case {
        dir: "many-claims",
        file: "deployment.yaml",
        may_change: &["/spec/template/metadata/annotations"],
        effects: &[(
            INCLUDE,
            "data00,data01,data02,data03,data04,data05,data06,data07,data08,data09,data10,data11",
        )],
    },
    Case {
        dir: "zero-indent-list",
        file: "deployment.yaml",
        may_change: &[INCLUDE],
        effects: &[
            (INCLUDE, "files,cache"),
            ("/spec/template/metadata/annotations/example.com~1owner", "team"),
        ],
    },
    Case {
        dir: "bom",
        file: "deployment.yaml",
        may_change: &["/spec/template/metadata/annotations"],
        effects: &[(INCLUDE, "files")],
    },
    Case {
        dir: "crlf",
        file: "deployment.yaml",
        may_change: &[OWN, "/spec/template/metadata/annotations"],
        effects: &[(INCLUDE, "files,cache")],
    },
];

/// Every document of a file, loaded by saphyr and turned into JSON.
fn load(text: &str) -> Vec<Value> {
    use saphyr::LoadableYamlNode;
    let docs = saphyr::Yaml::load_from_str(text).unwrap_or_else(|e| panic!("does not load: {e}\n{text}"));
    docs.iter().map(to_json).collect()
}

fn to_json(y: &saphyr::Yaml) -> Value {
    use saphyr::{Scalar, Yaml};
    match y {
        Yaml::Value(Scalar::Null) => Value::Null,
        Yaml::Value(Scalar::Boolean(b)) => Value::Bool(*b),
        Yaml::Value(Scalar::Integer(i)) => Value::from(*i),
        Yaml::Value(Scalar::FloatingPoint(f)) => Value::from(f.into_inner()),
        Yaml::Value(Scalar::String(s)) => Value::String(s.to_string()),
        Yaml::Representation(s, ..) => Value::String(s.to_string()),
        Yaml::Sequence(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Mapping(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = match to_json(k) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        Yaml::Tagged(_, inner) => to_json(inner),
        Yaml::Alias(id) => Value::String(format!("*alias{id}")),
        Yaml::BadValue => Value::String("!bad".into()),
    }
}

/// Every leaf of a JSON value by pointer.
fn leaves(v: &Value, at: String, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                leaves(v, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for (i, v) in a.iter().enumerate() {
                leaves(v, format!("{at}/{i}"), out);
            }
        }
        _ => {
            out.insert(at, v.clone());
        }
    }
}

fn comments(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.find('#').map(|i| l[i..].trim().to_owned()))
        .collect()
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).expect("read")
}

fn check_semantics(case: &Case, before: &str, after: &str) {
    let (old, new) = (load(before), load(after));
    assert_eq!(old.len(), new.len(), "{}: documents", case.dir);
    let changeable = |p: &str| {
        case.may_change
            .iter()
            .any(|m| p == *m || p.starts_with(&format!("{m}/")))
    };
    for (o, n) in old.iter().zip(&new) {
        let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
        leaves(o, String::new(), &mut a);
        leaves(n, String::new(), &mut b);
        for (p, v) in &a {
            if !changeable(p) {
                assert_eq!(b.get(p), Some(v), "{}: `{p}` changed or was lost\n{after}", case.dir);
            }
        }
        for p in b.keys().filter(|p| !a.contains_key(*p)) {
            assert!(changeable(p), "{}: unexpected new `{p}`\n{after}", case.dir);
        }
    }
    let main = new.iter().find(|d| d["kind"] != "Backup").expect("the case's object");
    for (pointer, want) in case.effects {
        assert_eq!(
            main.pointer(pointer),
            Some(&Value::String((*want).into())),
            "{}: {pointer}\n{after}",
            case.dir
        );
    }
}

#[test]
fn every_style_is_fixed_right_or_left_alone() {
    for case in CASES {
        let src = manifest_dir().join("testdata/fix-styles").join(case.dir);
        let (_tmp, dir) = copy_dir(&src);
        let before = read(&dir, case.file);
        let out = fix_all(&dir);
        assert_ne!(code(&out), 2, "{}: {}", case.dir, stderr(&out));
        let after = read(&dir, case.file);
        if case.effects.is_empty() {
            assert_eq!(before, after, "{}: should be left alone", case.dir);
            let report = json(&run_in(&dir, &["check", "--no-config", "--format", "json", "."]));
            let claimed = claimed_fixes(&report);
            assert!(claimed.is_empty(), "{}: findings claim a fix: {claimed:?}", case.dir);
            continue;
        }
        assert_ne!(before, after, "{}: nothing fixed", case.dir);
        check_semantics(case, &before, &after);
        for c in comments(&before) {
            assert!(after.contains(&c), "{}: comment `{c}` lost\n{after}", case.dir);
        }
        if case.file.ends_with(".json") {
            serde_json::from_str::<Value>(&after)
                .unwrap_or_else(|e| panic!("{}: no longer JSON: {e}\n{after}", case.dir));
        }
        assert_eq!(
            before.contains('\r'),
            after.contains('\r'),
            "{}: line endings",
            case.dir
        );
        if before.contains("\r\n") {
            assert!(
                !after.replace("\r\n", "").contains('\n'),
                "{}: mixed line endings",
                case.dir
            );
        }
        // Nothing left to fix, and a second run changes nothing.
        let report = json(&fix_all(&dir));
        let claimed = claimed_fixes(&report);
        assert!(
            claimed.is_empty(),
            "{}: findings still claim a fix: {claimed:?}",
            case.dir
        );
        assert_eq!(
            read(&dir, case.file),
            after,
            "{}: a second --fix changed the file",
            case.dir
        );
        diff_applies_to_the_same_bytes(case, &src, &after);
    }
}

/// `--diff` on a fresh copy, applied with `patch -p1`, gives what `--fix` wrote.
fn diff_applies_to_the_same_bytes(case: &Case, src: &Path, fixed: &str) {
    let (_tmp, dir) = copy_dir(src);
    let diff = run_in(&dir, &["check", "--no-config", "--diff", "--unsafe-fixes", "."]);
    let patch = std::process::Command::new("patch")
        .args(["-p1", "--binary", "--quiet"])
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = patch else {
        eprintln!("skipping the --diff check of {}: no `patch` on PATH", case.dir);
        return;
    };
    use std::io::Write as _;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&diff.stdout)
        .expect("write the diff");
    let status = child.wait().expect("patch ran");
    assert!(
        status.success(),
        "{}: the diff does not apply:\n{}",
        case.dir,
        stdout(&diff)
    );
    assert_eq!(
        read(&dir, case.file),
        fixed,
        "{}: --diff | patch differs from --fix",
        case.dir
    );
}
