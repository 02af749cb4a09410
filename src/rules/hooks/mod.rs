//! HOOK rules: Velero backup and restore hooks that will actually run, in the right container.
//!
//! One small model of every hook in the release, built once per check run:
//! - annotation hooks, read from pod-template annotations (and from hook annotations inside
//!   HelmChart `spec.values`, where KOTS vendors usually put `podAnnotations`);
//! - spec hooks: the Backup's `spec.hooks.resources[].pre|post[].exec` and the Restore's
//!   `spec.hooks.resources[].postHooks[].exec|init`, with the workloads their selectors match.
//!
//! Sources: https://velero.io/docs/v1.18/backup-hooks/, https://velero.io/docs/v1.18/restore-hooks/,
//! `vmware-tanzu/velero:internal/hook/item_hook_handler.go@v1.18.0`.

mod command;
mod fields;
mod images;
pub mod patterns;
mod placement;
mod priority;
mod select;

pub use command::{check_invalid, check_missing, invalid as command_invalid, shell as command_shell};
pub use fields::{
    check_on_error, check_restore_init, check_timeouts, container_implicit, container_missing, on_error,
    restore_init_incomplete, timeout,
};
pub use images::restore_image_air_gap;
pub use placement::{annotations_on_workload, selector_matches_nothing, unknown_annotation};
pub use priority::{annotations_on_non_pod, shadowed_spec_hook};
pub use select::glob;

use crate::diagnostic::FileId;
use crate::release::{Release, Workload};
use crate::rules::chart_values;
use crate::yaml::{Kind, Node, Span, Style, Typed};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    PreBackup,
    PostBackup,
    InitRestore,
    PostRestore,
}

impl Phase {
    pub fn describe(self) -> &'static str {
        match self {
            Phase::PreBackup => "pre-backup hook",
            Phase::PostBackup => "post-backup hook",
            Phase::InitRestore => "restore init hook",
            Phase::PostRestore => "post-restore hook",
        }
    }
}

/// A family of hook annotations: `<prefix>/<key>`.
pub struct Prefix {
    pub name: &'static str,
    pub phase: Phase,
    pub keys: &'static [&'static str],
}

const BACKUP_KEYS: &[&str] = &["container", "command", "on-error", "timeout"];

pub const PREFIXES: &[Prefix] = &[
    Prefix {
        name: "pre.hook.backup.velero.io",
        phase: Phase::PreBackup,
        keys: BACKUP_KEYS,
    },
    Prefix {
        name: "post.hook.backup.velero.io",
        phase: Phase::PostBackup,
        keys: BACKUP_KEYS,
    },
    // Legacy form without a phase: a pre-backup hook (used when there is no `pre.` command).
    Prefix {
        name: "hook.backup.velero.io",
        phase: Phase::PreBackup,
        keys: BACKUP_KEYS,
    },
    Prefix {
        name: "init.hook.restore.velero.io",
        phase: Phase::InitRestore,
        keys: &["container-image", "container-name", "command"],
    },
    Prefix {
        name: "post.hook.restore.velero.io",
        phase: Phase::PostRestore,
        keys: &[
            "container",
            "command",
            "on-error",
            "exec-timeout",
            "wait-timeout",
            "wait-for-ready",
        ],
    },
];

/// Every known hook annotation key.
pub fn known_keys() -> impl Iterator<Item = String> {
    PREFIXES
        .iter()
        .flat_map(|p| p.keys.iter().map(move |k| format!("{}/{k}", p.name)))
}

pub fn is_known_key(key: &str) -> bool {
    key.split_once('/')
        .and_then(|(p, k)| PREFIXES.iter().find(|x| x.name == p).map(|x| x.keys.contains(&k)))
        .unwrap_or(false)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Annotation,
    Spec,
}

/// One hook, however it was declared.
pub struct Hook<'r> {
    pub form: Form,
    pub phase: Phase,
    pub file: FileId,
    /// Where to point at the hook as a whole: the command value, else the exec (or first key).
    pub anchor: Span,
    pub container: Option<Node<'r>>,
    pub command: Option<Node<'r>>,
    pub on_error: Option<Node<'r>>,
    /// (field name as written, value)
    pub timeouts: Vec<(&'static str, Node<'r>)>,
    /// Restore init hooks: the image (annotation `container-image`, spec `image`).
    pub image: Option<Node<'r>>,
    /// Spec restore init containers: the container node itself.
    pub init_container: Option<Node<'r>>,
    /// Workloads (indices into `Release::workloads`) the hook runs in; `None` when unknown
    /// (annotations in HelmChart values).
    pub targets: Option<Vec<usize>>,
    /// How to name the hook in messages.
    pub label: Label<'r>,
    /// Spec hooks: the `spec.hooks.resources[]` entry that selects the pods.
    pub res: Option<Node<'r>>,
}

/// How a message names a hook; written out only for the hooks that have a finding.
#[derive(Clone, Copy)]
pub enum Label<'r> {
    /// "pre-backup hook annotation on Deployment `api`"; `on` is `None` in HelmChart values.
    Annotation { phase: Phase, on: Option<&'r Workload> },
    /// "Backup hook `dump` (pre)".
    Spec {
        kind: &'static str,
        name: &'r str,
        list: &'static str,
    },
}

impl std::fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Label::Annotation { phase, on: Some(w) } => {
                write!(f, "{} annotation on {} `{}`", phase.describe(), w.kind, w.name)
            }
            Label::Annotation { phase, on: None } => write!(f, "{} annotation in HelmChart values", phase.describe()),
            Label::Spec { kind, name, list } => write!(f, "{kind} hook `{name}` ({list})"),
        }
    }
}

impl Hook<'_> {
    /// Declared in a Restore's `spec.hooks`: RST003 reports these instead of the HOOK rules.
    pub fn restore_spec(&self) -> bool {
        self.form == Form::Spec && matches!(self.phase, Phase::InitRestore | Phase::PostRestore)
    }

    pub fn workloads<'a>(&'a self, release: &'a Release) -> impl Iterator<Item = &'a Workload> + 'a {
        self.targets.iter().flatten().map(move |i| &release.workloads[*i])
    }
}

/// A mapping that holds hook annotations.
pub struct AnnotationMap<'r> {
    pub file: FileId,
    pub map: Node<'r>,
    /// The workload whose pod template carries the map; `None` for HelmChart values.
    pub workload: Option<usize>,
}

/// Pod-template annotation maps and HelmChart-values maps that hold hook-like keys.
pub fn annotation_maps(release: &Release) -> Vec<AnnotationMap<'_>> {
    let mut out = Vec::new();
    for (i, w) in release.workloads.iter().enumerate() {
        if let Some(map) = w.pod_annotations(release) {
            out.push(AnnotationMap {
                file: w.file,
                map,
                workload: Some(i),
            });
        }
    }
    for o in &release.objects {
        let helm = o.kind.as_deref() == Some("HelmChart")
            && o.api_version.as_deref().is_some_and(|a| a.starts_with("kots.io/"));
        if !helm {
            continue;
        }
        let Some(values) = release.node(o).path("spec.values") else {
            continue;
        };
        values.walk(&mut |n| {
            // A map the chart writes into a rendered pod is checked there, knowing the pod.
            if n.is_map()
                && n.entries()
                    .iter()
                    .any(|(k, _)| k.as_str().is_some_and(looks_like_hook_key))
                && !chart_values::feeds_rendered_pod(release, o.file, n)
            {
                out.push(AnnotationMap {
                    file: o.file,
                    map: n,
                    workload: None,
                });
            }
        });
    }
    out
}

/// A key that is, or was meant to be, a Velero hook annotation.
pub fn looks_like_hook_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains('/') && k.contains("hook") && k.contains("velero")
}

/// Every hook in the release.
pub fn hooks(release: &Release) -> Vec<Hook<'_>> {
    let mut out = Vec::new();
    for m in annotation_maps(release) {
        annotation_hooks(release, &m, &mut out);
    }
    let matches = select::Matcher::new(release);
    for (o, restore) in release.hook_specs() {
        let root = release.node(o);
        let resources = root.path("spec.hooks.resources").map(Node::items).unwrap_or_default();
        for res in resources {
            let targets = matches.targets(res, restore);
            let name = res.get("name").and_then(Node::as_str).unwrap_or("<unnamed>");
            let kind = if restore { "Restore" } else { "Backup" };
            let lists: &[(&str, Phase)] = if restore {
                &[("postHooks", Phase::PostRestore)]
            } else {
                &[("pre", Phase::PreBackup), ("post", Phase::PostBackup)]
            };
            for (list, phase) in lists {
                for item in res.get(list).map(Node::items).unwrap_or_default() {
                    let label = Label::Spec { kind, name, list };
                    if let Some(exec) = item.get("exec") {
                        let timeout_fields: &[&'static str] = if restore {
                            &["execTimeout", "waitTimeout"]
                        } else {
                            &["timeout"]
                        };
                        out.push(Hook {
                            form: Form::Spec,
                            phase: *phase,
                            file: o.file,
                            anchor: exec.get("command").unwrap_or(exec).span(),
                            container: exec.get("container"),
                            command: exec.get("command"),
                            on_error: exec.get("onError"),
                            timeouts: timeout_fields
                                .iter()
                                .filter_map(|f| exec.get(f).map(|n| (*f, n)))
                                .collect(),
                            image: None,
                            init_container: None,
                            targets: Some(targets.clone()),
                            label,
                            res: Some(res),
                        });
                    }
                    if let Some(init) = item.get("init").filter(|_| restore) {
                        for c in init.get("initContainers").map(Node::items).unwrap_or_default() {
                            out.push(Hook {
                                form: Form::Spec,
                                phase: Phase::InitRestore,
                                file: o.file,
                                anchor: c.span(),
                                container: None,
                                command: c.get("command"),
                                on_error: None,
                                timeouts: Vec::new(),
                                image: c.get("image"),
                                init_container: Some(c),
                                targets: Some(targets.clone()),
                                label,
                                res: Some(res),
                            });
                        }
                        if let Some(t) = init.get("timeout") {
                            out.push(Hook {
                                form: Form::Spec,
                                phase: Phase::InitRestore,
                                file: o.file,
                                anchor: t.span(),
                                container: None,
                                command: None,
                                on_error: None,
                                timeouts: vec![("timeout", t)],
                                image: None,
                                init_container: None,
                                targets: Some(targets.clone()),
                                label,
                                res: Some(res),
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

/// The most keys a [`Prefix`] has.
const MAX_KEYS: usize = 6;

const _: () = {
    let mut i = 0;
    while i < PREFIXES.len() {
        assert!(PREFIXES[i].keys.len() <= MAX_KEYS, "raise MAX_KEYS");
        i += 1;
    }
};

/// Each prefix's known keys' values in `map`, in `Prefix::keys` order: one pass over the map
/// instead of a lookup per prefix and key. The first entry of a key wins, as with `get`.
fn hook_values<'r>(map: Node<'r>) -> [[Option<Node<'r>>; MAX_KEYS]; PREFIXES.len()] {
    let mut found = [[None; MAX_KEYS]; PREFIXES.len()];
    for (k, v) in map.entries().iter() {
        let Some((name, key)) = k.scalar().and_then(|s| s.value.split_once('/')) else {
            continue;
        };
        let Some(p) = PREFIXES.iter().position(|p| p.name == name) else {
            continue;
        };
        if let Some(i) = PREFIXES[p].keys.iter().position(|x| *x == key) {
            found[p][i].get_or_insert(v);
        }
    }
    found
}

fn annotation_hooks<'r>(release: &'r Release, m: &AnnotationMap<'r>, out: &mut Vec<Hook<'r>>) {
    for (prefix, values) in PREFIXES.iter().zip(hook_values(m.map)) {
        let get = |k: &str| prefix.keys.iter().position(|x| *x == k).and_then(|i| values[i]);
        let Some(first) = values.iter().flatten().next() else {
            continue;
        };
        let timeouts = ["timeout", "exec-timeout", "wait-timeout"]
            .into_iter()
            .filter(|k| prefix.keys.contains(k))
            .filter_map(|k| get(k).map(|n| (k, n)))
            .collect();
        let command = get("command");
        out.push(Hook {
            form: Form::Annotation,
            phase: prefix.phase,
            file: m.file,
            anchor: command.unwrap_or(*first).span(),
            container: if prefix.phase == Phase::InitRestore {
                None
            } else {
                get("container")
            },
            command,
            on_error: get("on-error"),
            timeouts,
            image: get("container-image"),
            init_container: None,
            targets: m.workload.map(|i| vec![i]),
            label: Label::Annotation {
                phase: prefix.phase,
                on: m.workload.map(|i| &release.workloads[i]),
            },
            res: None,
        });
    }
}

/// A hook command, as Velero will see it.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// Templated: unknown until render time.
    Unknown,
    /// An annotation value that does not start with `[`: the whole string is the program path.
    Single(String),
    /// A JSON array annotation or a spec list.
    Argv(Vec<String>),
    /// Not a valid command, and why.
    Invalid(String),
}

pub fn parse_command(hook: &Hook, node: Node<'_>) -> Command {
    if node.contains_template() {
        return Command::Unknown;
    }
    match hook.form {
        Form::Annotation => {
            let Some(value) = node.as_str() else {
                return Command::Invalid("not a string".into());
            };
            parse_annotation_command(value)
        }
        Form::Spec => parse_spec_command(node),
    }
}

pub fn parse_annotation_command(value: &str) -> Command {
    if value.is_empty() {
        return Command::Invalid("the command is empty, so Velero sees no hook at all".into());
    }
    if !value.starts_with('[') {
        return Command::Single(value.to_owned());
    }
    let items: Vec<serde_json::Value> = match serde_json::from_str(value) {
        Ok(serde_json::Value::Array(items)) => items,
        Ok(_) => return Command::Invalid("not a JSON array".into()),
        Err(e) => {
            return Command::Invalid(format!(
                "it starts with `[` but is not valid JSON ({e}), so Velero runs the whole text as one program name"
            ));
        }
    };
    if items.is_empty() {
        return Command::Invalid("the JSON array is empty: there is no program to run".into());
    }
    let mut argv = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(s) => argv.push(s.to_owned()),
            None => {
                return Command::Invalid(format!(
                    "item {} (`{item}`) is not a string: Velero decodes the array into strings only and, failing, runs the whole text as one program name",
                    i + 1
                ));
            }
        }
    }
    Command::Argv(argv)
}

fn parse_spec_command(node: Node<'_>) -> Command {
    let items = match node.kind() {
        Kind::Seq(items) => items,
        Kind::Scalar(s) if s.style == Style::Plain && s.typed() == Typed::Null => {
            return Command::Invalid("it is empty: `command` needs at least one item".into());
        }
        Kind::Scalar(_) => {
            return Command::Invalid(
                "it is a string, but `command` is a list of strings (`[\"/bin/sh\", \"-c\", \"...\"]`)".into(),
            );
        }
        _ => return Command::Invalid("it is not a list of strings".into()),
    };
    if items.is_empty() {
        return Command::Invalid("the list is empty: there is no program to run".into());
    }
    let mut argv = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.scalar() {
            Some(s) if matches!(s.typed(), Typed::Str(_)) => argv.push(s.value.to_string()),
            Some(s) => {
                return Command::Invalid(format!(
                    "item {} (`{}`) is a YAML {}, not a string; quote it",
                    i + 1,
                    s.value,
                    match s.typed() {
                        Typed::Null => "null",
                        Typed::Bool(_) => "boolean",
                        Typed::Int(_) => "integer",
                        _ => "number",
                    }
                ));
            }
            None => return Command::Invalid(format!("item {} is not a string", i + 1)),
        }
    }
    Command::Argv(argv)
}

/// Containers Velero can exec a hook in (not init containers), or `None` when a name is
/// templated and so unknown.
pub fn known_containers<'w>(release: &Release, w: &'w Workload) -> Option<Vec<&'w str>> {
    let spec = w.template(release)?.get("spec")?;
    let templated = spec
        .get("containers")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .any(|c| c.get("name").is_none_or(Node::contains_template));
    if templated {
        return None;
    }
    Some(w.app_containers().map(|c| c.name.as_str()).collect())
}
