//! HOOK014-HOOK017: common mistakes in database dump and load hooks, found by reading what
//! the hook command runs.
//!
//! - HOOK014: a pre-backup hook writes its dump where the backup does not hold it (the reverse
//!   of Replicated's documented export pattern: `pg_dump > /scratch/backup.sql` with `scratch`
//!   listed in `backup.velero.io/backup-volumes`).
//! - HOOK015: a dump hook left on Velero's 30s default timeout.
//! - HOOK016: a dump hook with no explicit on-error (it behaves as `Continue`).
//! - HOOK017: a post-restore hook calls a database client without waiting for readiness.
//!
//! Commands are read with [`script`], which gives up rather than guesses: a templated command,
//! a shell script it cannot follow, a relative or expanded path, or a pod whose volumes or
//! backup annotations are templated are never a finding.
//!
//! Sources: https://velero.io/docs/v1.18/backup-hooks/, `replicatedhq/replicated-docs
//! docs/vendor/snapshots-hooks.md`, `vmware-tanzu/velero pkg/podexec/pod_command_executor.go@v1.18.0`,
//! `internal/hook/item_hook_handler.go@v1.18.0`, `internal/hook/wait_exec_hook_handler.go@v1.18.0`.

mod script;

use script::{Pipeline, Simple, Word, basename, program};

use super::{Command, Form, Hook, Phase, annotation_maps, parse_command};
use crate::diagnostic::FileId;
use crate::release::{Release, Workload};
use crate::rules::Ctx;
use crate::rules::duration;
use crate::rules::volumes::{self, EXCLUDE, INCLUDE};
use crate::yaml::{Node, Typed};

/// Where a pre-backup hook writes its dump, and whether Velero's file-system backup copies it.
///
/// This is what makes Replicated's export pattern visible to the volume rules: when a
/// workload's pre-backup hook dumps its database into a volume that is backed up (an `emptyDir`
/// listed in `backup.velero.io/backup-volumes`, say), the database's own data PVC being left
/// out of the backup is intended: the dump covers it, and restoring the live data files as well
/// would only restore a crash-consistent copy beside the dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpTarget {
    /// The pod volume the path lands on; `None` when the path is on no mounted volume (the
    /// container's own filesystem, which no backup copies).
    pub volume: Option<String>,
    /// The path as written (a trailing `...` marks where an expansion makes the rest unknown).
    pub path: String,
    /// The volume is one Velero's file-system backup copies for this workload.
    pub backed_up: bool,
}

/// Which hooks really run in each workload, and the dumps each writes there. Built once per
/// run: VOL001 asks per workload, HOOK014 per hook, and neither scans every hook of the
/// release nor reads a command twice.
#[derive(Debug, Default)]
pub struct HookRuns {
    /// By object index (`Workload::object`): (index into the hook model, its dumps), in model
    /// order.
    by_object: Vec<Vec<(usize, Vec<Dump>)>>,
}

impl HookRuns {
    pub fn new(release: &Release, hooks: &[Hook]) -> Self {
        use rayon::prelude::*;
        let annotated = annotated(hooks);
        // Several checks wait for this model: read the commands in parallel; `collect` keeps
        // hook order.
        let runs: Vec<(usize, usize, Vec<Dump>)> = hooks
            .par_iter()
            .enumerate()
            .flat_map_iter(|(h, hook)| {
                runs_in(hook, &annotated).map(move |i| {
                    let w = &release.workloads[i];
                    (h, w.object, hook_dumps(release, hook, w).unwrap_or_default())
                })
            })
            .collect();
        let mut by_object = vec![Vec::new(); release.objects.len()];
        for (h, object, dumps) in runs {
            by_object[object].push((h, dumps));
        }
        HookRuns { by_object }
    }

    /// The hooks that run in `w`, with their dumps.
    fn in_workload(&self, w: &Workload) -> &[(usize, Vec<Dump>)] {
        self.by_object.get(w.object).map_or(&[], Vec::as_slice)
    }

    /// Every dump target of the pre-backup hooks that run in `w` (annotation and Backup spec
    /// hooks; spec hooks the pod's own annotation hook shadows, and legacy `hook.backup.velero.io`
    /// hooks a `pre.` command shadows, are left out because Velero never runs them). Targets that
    /// cannot be known honestly (a templated command, a relative or expanded path, templated
    /// volumes, mounts or annotations) are left out too, so an empty list means "no dump known",
    /// not "no dump".
    ///
    /// For VOL001: when `ctx.hook_runs().dump_targets(w).iter().any(|t| t.backed_up)`, a pre-backup hook
    /// of `w` exports its data into a volume the backup copies, so a data PVC of `w` missing from
    /// `backup.velero.io/backup-volumes` is intended (at most an info naming `t.path`). Targets
    /// with `backed_up == false` are HOOK014's findings: they cover nothing.
    ///
    /// `backed_up` is `volumes::backed_up` (data volumes) plus an `emptyDir` named in the pod's
    /// `backup.velero.io/backup-volumes`: the scratch volume of Replicated's pattern, which
    /// `volumes::backed_up` does not return because an emptyDir holds no data of its own.
    pub fn dump_targets(&self, w: &Workload) -> Vec<DumpTarget> {
        self.in_workload(w)
            .iter()
            .flat_map(|(_, dumps)| dumps.iter().map(|d| d.target.clone()))
            .collect()
    }

    /// The dumps hook `h` writes in `w`.
    fn dumps(&self, h: usize, w: &Workload) -> &[Dump] {
        self.in_workload(w)
            .iter()
            .find(|(i, _)| *i == h)
            .map_or(&[], |(_, d)| d.as_slice())
    }
}

// ---------------------------------------------------------------- reading commands

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"];

/// What a hook command runs, as pipelines of simple commands; `None` when unknown.
fn read(hook: &Hook) -> Option<Vec<Pipeline>> {
    let Command::Argv(argv) = parse_command(hook, hook.command?) else {
        return None;
    };
    let first = basename(argv.first()?);
    let shell = if SHELLS.contains(&first) {
        Some(1)
    } else if matches!(first, "env" | "busybox") && argv.get(1).is_some_and(|a| SHELLS.contains(&basename(a))) {
        Some(2)
    } else {
        None
    };
    match shell {
        Some(from) => script::parse(shell_script(&argv[from..])?),
        // Exec'd directly: every item is one literal word.
        None => Some(vec![vec![Simple {
            words: argv.iter().map(|a| Word::literal(a)).collect(),
            stdout: Vec::new(),
        }]]),
    }
}

/// The script of `sh [options] -c SCRIPT`; `None` without `-c` (a script file we cannot read).
fn shell_script(args: &[String]) -> Option<&str> {
    let mut c = false;
    let mut iter = args.iter();
    while let Some(a) = iter.next() {
        if a == "-o" || a == "+o" {
            iter.next();
        } else if a == "--" {
            return c.then(|| iter.next()).flatten().map(String::as_str);
        } else if a.starts_with('-') || a.starts_with('+') {
            c |= !a.starts_with("--") && a.contains('c');
        } else {
            return c.then_some(a.as_str());
        }
    }
    None
}

/// Programs whose output is a dump of an application's data.
const DUMPERS: &[&str] = &[
    "pg_dump",
    "pg_dumpall",
    "mysqldump",
    "mariadb-dump",
    "mongodump",
    "tar",
    "rsync",
    "redis-cli",
    "etcdctl",
];

/// A dump program run by this simple command, and the index of its name.
fn dumper(cmd: &Simple) -> Option<(usize, &'static str)> {
    let (i, w) = program(cmd)?;
    let program = basename(w.known()?);
    let name = DUMPERS.iter().copied().find(|d| *d == program)?;
    let args = &cmd.words[i + 1..];
    let has = |flag: &str| args.iter().any(|a| a.known() == Some(flag));
    let dumps = match name {
        "redis-cli" => has("--rdb"),
        "etcdctl" => has("snapshot"),
        _ => true,
    };
    dumps.then_some((i, name))
}

/// The first dump program a hook runs.
fn dump_program(pipelines: &[Pipeline]) -> Option<&'static str> {
    pipelines.iter().flatten().find_map(|c| dumper(c).map(|(_, n)| n))
}

/// The value of an option, as a word: `-f PATH`, `-fPATH`, `--file PATH`, `--file=PATH`.
struct Opts {
    short: &'static [char],
    long: &'static [&'static str],
    /// Long options whose value must follow `=` (`mongodump --archive` alone means stdout).
    long_eq_only: &'static [&'static str],
}

fn sub_word(w: &Word, from: usize) -> Word {
    Word {
        text: w.text[from..].to_owned(),
        literal: w.literal.saturating_sub(from),
    }
}

fn option_values(args: &[Word], opts: &Opts) -> Vec<Word> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let t = a.prefix();
        i += 1;
        if a.known() == Some("--") {
            break;
        }
        if let Some(long) = t.strip_prefix("--") {
            let (name, eq) = long.split_once('=').map_or((long, false), |(n, _)| (n, true));
            if eq && (opts.long.contains(&name) || opts.long_eq_only.contains(&name)) {
                out.push(sub_word(a, name.len() + 3));
            } else if !eq && a.known().is_some() && opts.long.contains(&name) {
                out.extend(args.get(i).cloned());
                i += 1;
            }
            continue;
        }
        let mut chars = t.chars();
        if chars.next() == Some('-')
            && let Some(c) = chars.next()
            && opts.short.contains(&c)
        {
            if a.text.len() > 2 {
                out.push(sub_word(a, 2));
            } else {
                out.extend(args.get(i).cloned());
                i += 1;
            }
        }
    }
    out
}

/// tar's archive file when it creates one: `-czf F`, `czf F`, `-c -f F`, `--file=F`.
fn tar_file(args: &[Word]) -> Vec<Word> {
    let mut create = false;
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let t = args[i].prefix();
        i += 1;
        if let Some(long) = t.strip_prefix("--") {
            create |= long == "create";
            if let Some(v) = long.strip_prefix("file=") {
                out.push(sub_word(&args[i - 1], t.len() - v.len()));
            } else if long == "file" {
                out.extend(args.get(i).cloned());
                i += 1;
            }
            continue;
        }
        // Bundled letters (`-czf`); old style allows them in the first argument without a dash.
        let (cluster, dashed) = match t.strip_prefix('-') {
            Some(c) => (c, true),
            None if i == 1 => (t, false),
            None => continue,
        };
        // Up to `f`, letters; after it, an attached file name (`-cf/backup/x.tar`).
        let letters = cluster.find('f').map_or(cluster, |at| &cluster[..=at]);
        let bundled = !letters.is_empty() && letters.chars().all(|c| c.is_ascii_alphabetic());
        if !bundled || !dashed && letters.len() != cluster.len() {
            continue;
        }
        create |= cluster.contains('c');
        if let Some(at) = cluster.find('f') {
            let offset = t.len() - cluster.len() + at + 1;
            if offset < args[i - 1].text.len() {
                out.push(sub_word(&args[i - 1], offset));
            } else {
                out.extend(args.get(i).cloned());
                i += 1;
            }
        }
    }
    if create { out } else { Vec::new() }
}

/// `etcdctl snapshot save PATH`.
fn etcd_snapshot(args: &[Word]) -> Vec<Word> {
    let known: Vec<Option<&str>> = args.iter().map(Word::known).collect();
    let Some(at) = known.windows(2).position(|w| w == [Some("snapshot"), Some("save")]) else {
        return Vec::new();
    };
    args[at + 2..]
        .iter()
        .find(|a| !a.prefix().starts_with('-'))
        .cloned()
        .into_iter()
        .collect()
}

/// Files the dump program writes through its own options.
fn file_options(name: &str, args: &[Word]) -> Vec<Word> {
    let opts = |short, long, long_eq_only| {
        option_values(
            args,
            &Opts {
                short,
                long,
                long_eq_only,
            },
        )
    };
    match name {
        "pg_dump" | "pg_dumpall" => opts(&['f'], &["file"], &[]),
        "mysqldump" | "mariadb-dump" => opts(&['r'], &["result-file"], &[]),
        "mongodump" => opts(&['o'], &["out"], &["archive"]),
        "redis-cli" => opts(&[], &["rdb"], &[]),
        "tar" => tar_file(args),
        "etcdctl" => etcd_snapshot(args),
        _ => Vec::new(),
    }
}

/// Paths a hook's dump is written to: the dump program's file options, else the stdout
/// redirects of it and the commands it pipes into. A path that a later command reads again
/// (`mv`, `cp`, `gzip`) is an intermediate file, not where the dump ends up: left out.
fn written_paths(pipelines: &[Pipeline]) -> Vec<Word> {
    let mut out = Vec::new();
    for (n, p) in pipelines.iter().enumerate() {
        for (k, cmd) in p.iter().enumerate() {
            let Some((i, name)) = dumper(cmd) else { continue };
            let files = file_options(name, &cmd.words[i + 1..]);
            let found = if files.is_empty() {
                p[k..]
                    .iter()
                    .flat_map(|c| c.stdout.iter().map(|r| r.target.clone()))
                    .collect()
            } else {
                files
            };
            out.extend(found.into_iter().filter(|w| !reused_later(&pipelines[n + 1..], w)));
        }
    }
    out
}

fn reused_later(later: &[Pipeline], target: &Word) -> bool {
    later
        .iter()
        .flatten()
        .flat_map(|c| &c.words)
        .any(|w| w.text.contains(target.text.as_str()))
}

// ---------------------------------------------------------------- paths and volumes

/// The directory a path surely lies in and whether the path is known in full; `None` when
/// nothing useful is known (relative, `-` for stdout, device files, `..`).
fn known_location(w: &Word) -> Option<(String, bool)> {
    let prefix = w.prefix();
    if !prefix.starts_with('/') || ["/dev/", "/proc/", "/sys/"].iter().any(|d| prefix.starts_with(d)) {
        return None;
    }
    let full = w.known().is_some();
    let known = if full {
        prefix
    } else {
        &prefix[..prefix.rfind('/').map_or(0, |i| i + 1)]
    };
    let mut parts = Vec::new();
    for part in known.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    let mut path = format!("/{}", parts.join("/"));
    if !full && path != "/" {
        path.push('/');
    }
    Some((path, full))
}

fn under(path: &str, mount: &str) -> bool {
    let mount = mount.trim_end_matches('/');
    mount.is_empty() || path == mount || path.strip_prefix(mount).is_some_and(|r| r.starts_with('/'))
}

/// The mount a path lands on: the longest mount path it is under. `Err` when an unknown part of
/// the path could still land on a deeper mount.
fn landing<'m>(location: &(String, bool), mounts: &'m [(String, String)]) -> Result<Option<&'m str>, ()> {
    let (path, full) = location;
    if !full
        && mounts
            .iter()
            .any(|(m, _)| m.starts_with(path.as_str()) && m.len() > path.len())
    {
        return Err(());
    }
    let best = mounts
        .iter()
        .filter(|(m, _)| under(path.trim_end_matches('/'), m) || under(path, m))
        .max_by_key(|(m, _)| m.trim_end_matches('/').len());
    Ok(best.map(|(_, v)| v.as_str()))
}

/// The node's structure may change at render time: a template that is not inside a scalar
/// (a template-only line such as `{{- toYaml .Values.extraVolumeMounts | nindent 12 }}`, in the
/// node or right after it, or a templated key). A templated scalar value (`image:
/// repl{{ LocalImageName }}`) changes no structure; callers read the values they need with
/// `as_str`, which is `None` for a templated one.
fn structure_unknown(release: &Release, file: FileId, node: Node<'_>) -> bool {
    let f = &release.files[file];
    let text = &*f.text;
    let from = node.span().end.min(text.len());
    let mut end = text[from..].find('\n').map_or(text.len(), |i| from + i + 1);
    for line in text[end..].split_inclusive('\n') {
        let body = line.trim();
        if !(body.is_empty() || body.starts_with("{{") || body.starts_with('#')) {
            break;
        }
        end += line.len();
    }
    // Templates are in file order: the ones starting in the node's region are one range.
    let first = f.templates.partition_point(|t| t.start < node.span().start);
    let last = f.templates.partition_point(|t| t.start < end).max(first);
    let templates = &f.templates[first..last];
    let (mut values, mut keys_templated) = (Vec::new(), false);
    node.walk(&mut |n| {
        if n.scalar().is_some() && !templates.is_empty() {
            values.push(n.span());
        }
        keys_templated |= n.entries().iter().any(|(k, _)| k.is_templated());
    });
    keys_templated || templates.iter().any(|t| !values.iter().any(|v| v.contains(&t.start)))
}

/// `(mountPath, volume name)` of a container, or `None` when templated.
fn mounts(release: &Release, w: &Workload, container: &str) -> Option<Vec<(String, String)>> {
    let spec = w.template(release)?.get("spec")?;
    let node = spec
        .get("containers")?
        .items()
        .iter()
        .find(|c| c.get("name").and_then(Node::as_str) == Some(container))?;
    if structure_unknown(release, w.file, node) {
        return None;
    }
    node.get("volumeMounts")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .map(|m| {
            let get = |k| m.get(k).and_then(Node::as_str).map(str::to_owned);
            Some((get("mountPath")?, get("name")?))
        })
        .collect()
}

/// The container a hook runs in: its `container`, else the pod's first container.
fn hook_container<'w>(hook: &Hook, w: &'w Workload) -> Option<&'w str> {
    match hook.container {
        Some(n) => {
            let name = n.as_str()?;
            w.app_containers().map(|c| c.name.as_str()).find(|c| *c == name)
        }
        None => w.app_containers().next().map(|c| c.name.as_str()),
    }
}

/// The pod's volumes and backup annotations are known (not extended at render time).
fn pod_known(release: &Release, w: &Workload) -> bool {
    let Some(template) = w.template(release) else {
        return false;
    };
    let volumes_templated = w.volumes.iter().any(|v| v.templated)
        || template
            .path("spec.volumes")
            .is_some_and(|v| structure_unknown(release, w.file, v));
    let annotations_templated = template.path("metadata.annotations").is_some_and(|a| {
        [INCLUDE, EXCLUDE]
            .iter()
            .any(|k| a.get(k).is_some_and(Node::contains_template))
            || structure_unknown(release, w.file, a)
    });
    !volumes_templated && !annotations_templated
}

/// Velero copies the volume: a data volume `backed_up` returns, or an `emptyDir` (the
/// scratch volume of Replicated's pattern) opted in by name. KOTS full backups are always
/// opt-in (the vendor's `defaultVolumesToFsBackup` is dropped), so the annotation decides.
fn volume_backed_up(release: &Release, w: &Workload, name: &str, backed: &[&crate::release::Volume]) -> bool {
    if backed.iter().any(|v| v.name == name) {
        return true;
    }
    let empty_dir = w.volume(name).is_some_and(|v| v.kind == "emptyDir" && !v.templated);
    // As `volumes::backed_up`: the exclude list counts where a vendor opt-out reaches Velero.
    let excluded = release.opt_out_backups().next().is_some() && listed(release, w, EXCLUDE, name);
    empty_dir && listed(release, w, INCLUDE, name) && !excluded
}

/// Volume kinds file-system backup copies when they are opted in.
fn copyable(kind: &str) -> bool {
    ["emptyDir", "persistentVolumeClaim", "volumeClaimTemplate", "ephemeral"].contains(&kind)
}

/// The pod's volume-list annotation `key` names `name` (items trimmed, as `volumes` reads them).
fn listed(release: &Release, w: &Workload, key: &str, name: &str) -> bool {
    w.pod_annotations(release)
        .and_then(|a| a.get(key))
        .and_then(Node::as_str)
        .is_some_and(|list| list.split(',').any(|n| n.trim() == name))
}

#[derive(Debug, Clone)]
struct Dump {
    target: DumpTarget,
    container: String,
}

/// The dumps one pre-backup hook writes in workload `w`; `None` when they cannot be known.
fn hook_dumps(release: &Release, hook: &Hook, w: &Workload) -> Option<Vec<Dump>> {
    if hook.phase != Phase::PreBackup || legacy_shadowed(release, hook) || !pod_known(release, w) {
        return None;
    }
    let pipelines = read(hook)?;
    let container = hook_container(hook, w)?;
    let mounts = mounts(release, w, container)?;
    let backed = volumes::backed_up(release, w);
    let mut out = Vec::new();
    for word in written_paths(&pipelines) {
        let Some(location) = known_location(&word) else {
            continue;
        };
        let Ok(volume) = landing(&location, &mounts) else {
            continue;
        };
        if volume.is_some_and(|v| w.volume(v).is_none()) {
            continue;
        }
        let path = if location.1 {
            location.0.clone()
        } else {
            format!("{}...", word.prefix())
        };
        out.push(Dump {
            target: DumpTarget {
                volume: volume.map(str::to_owned),
                backed_up: volume.is_some_and(|v| volume_backed_up(release, w, v, &backed)),
                path,
            },
            container: container.to_owned(),
        });
    }
    Some(out)
}

// ---------------------------------------------------------------- which hooks run

/// (workload, phase) pairs with an annotation hook: Velero runs that one and skips every spec
/// hook of the phase in that pod (HOOK012 reports the skipped ones).
fn annotated(hooks: &[Hook]) -> std::collections::HashSet<(usize, Phase)> {
    hooks
        .iter()
        .filter(|h| h.form == Form::Annotation)
        .filter(|h| h.command.and_then(Node::as_str).is_some_and(|c| !c.is_empty()))
        .filter_map(|h| match h.targets.as_deref() {
            Some([w]) => Some((*w, h.phase)),
            _ => None,
        })
        .collect()
}

/// Workloads (indices) a hook really runs in.
fn runs_in<'a>(
    hook: &'a Hook,
    annotated: &'a std::collections::HashSet<(usize, Phase)>,
) -> impl Iterator<Item = usize> + 'a {
    hook.targets
        .iter()
        .flatten()
        .copied()
        .filter(move |w| hook.form == Form::Annotation || !annotated.contains(&(*w, hook.phase)))
}

/// The hook runs somewhere, as far as is known: not a spec hook every selected pod skips.
fn runs_anywhere(hook: &Hook, annotated: &std::collections::HashSet<(usize, Phase)>) -> bool {
    match (hook.form, hook.targets.as_deref()) {
        (Form::Spec, Some(t)) if !t.is_empty() => runs_in(hook, annotated).next().is_some(),
        _ => true,
    }
}

/// A legacy `hook.backup.velero.io/command` in a pod that also has a
/// `pre.hook.backup.velero.io/command`: Velero reads the legacy keys only without the new one.
fn legacy_shadowed(release: &Release, hook: &Hook) -> bool {
    let (Form::Annotation, Some(command), Some([w])) = (hook.form, hook.command, hook.targets.as_deref()) else {
        return false;
    };
    let Some(map) = release.workloads[*w].pod_annotations(release) else {
        return false;
    };
    let legacy = || {
        map.get("hook.backup.velero.io/command")
            .is_some_and(|c| c.span() == command.span())
    };
    let current = || {
        map.get("pre.hook.backup.velero.io/command")
            .is_some_and(|c| c.as_str() != Some(""))
    };
    legacy() && current()
}

// ---------------------------------------------------------------- HOOK014

/// HOOK014: a pre-backup hook's dump lands on no backed-up volume of its container.
pub fn dump_not_backed_up(ctx: &mut Ctx) {
    let release = ctx.release;
    let hooks = ctx.hooks();
    let runs = ctx.hook_runs();
    let annotated = annotated(hooks);
    for (h, hook) in hooks.iter().enumerate() {
        for w in runs_in(hook, &annotated).map(|i| &release.workloads[i]) {
            for d in runs.dumps(h, w).iter().filter(|d| !d.target.backed_up) {
                report_lost_dump(ctx, hook, w, d);
            }
        }
    }
}

fn report_lost_dump(ctx: &mut Ctx, hook: &Hook, w: &Workload, d: &Dump) {
    let where_ = match hook.form {
        Form::Annotation => String::new(),
        Form::Spec => format!(" in {} `{}`", w.kind, w.name),
    };
    let head = format!(
        "the dump of the {}{where_} lands on `{}`, which is on no backed-up volume of container `{}`",
        hook.label, d.target.path, d.container
    );
    let (why, help) = match d.target.volume.as_deref().and_then(|v| w.volume(v)) {
        None => (
            "no volume is mounted there, so the file is written to the container's own filesystem, which no backup copies".to_owned(),
            "write the dump under the mountPath of a volume the backup copies: an `emptyDir` (or PVC) listed in the pod's `backup.velero.io/backup-volumes` annotation, as in Replicated's example (`pg_dump ... > /scratch/backup.sql` with `scratch` listed)".to_owned(),
        ),
        Some(v) if copyable(&v.kind) && listed(ctx.release, w, INCLUDE, &v.name) => (
            format!(
                "volume `{}` is listed in `backup.velero.io/backup-volumes` but also in `backup.velero.io/backup-volumes-excludes`, which Velero honours where the vendor's opt-out mode reaches it (application-only and Embedded Cluster improved-DR backups)",
                v.name
            ),
            format!("remove `{}` from the pod template's `backup.velero.io/backup-volumes-excludes` annotation", v.name),
        ),
        Some(v) if copyable(&v.kind) => (
            format!(
                "volume `{}` ({}) is not listed in the pod's `backup.velero.io/backup-volumes` annotation, and KOTS full backups (always opt-in) copy only the volumes listed there",
                v.name, v.kind
            ),
            format!("add `{}` to the pod template's `backup.velero.io/backup-volumes` annotation", v.name),
        ),
        Some(v) => (
            format!("volume `{}` is a `{}` volume, which Velero's file-system backup never copies", v.name, v.kind),
            "write the dump to an `emptyDir` or PVC listed in the pod's `backup.velero.io/backup-volumes` annotation".to_owned(),
        ),
    };
    ctx.report(
        hook.file,
        hook.anchor.clone(),
        format!("{head}: {why}. The backup holds no dump, and the restore has nothing to load"),
    )
    .with_help(help);
}

// ---------------------------------------------------------------- HOOK015 / HOOK016

/// Pre-backup hooks that run a dump program, with the program's name.
fn dump_hooks<'h, 'r>(
    release: &'h Release,
    hooks: &'h [Hook<'r>],
) -> impl Iterator<Item = (&'h Hook<'r>, &'static str)> {
    let annotated = annotated(hooks);
    hooks
        .iter()
        .filter(move |h| h.phase == Phase::PreBackup && runs_anywhere(h, &annotated))
        .filter(move |h| !legacy_shadowed(release, h))
        .filter_map(|h| read(h).and_then(|p| dump_program(&p)).map(|n| (h, n)))
}

const DEFAULT_TIMEOUT_NS: i64 = 30_000_000_000;

/// HOOK015: a dump hook waits at most Velero's 30s default.
pub fn dump_default_timeout(ctx: &mut Ctx) {
    let hooks = ctx.hooks();
    for (hook, program) in dump_hooks(ctx.release, hooks) {
        let (span, what) = match hook.timeouts.first() {
            None => (
                hook.anchor.clone(),
                "no timeout, so Velero waits its default of 30s".to_owned(),
            ),
            Some((_, node)) => {
                if node.contains_template() {
                    continue;
                }
                // An invalid value is HOOK004's; 0 means the default, a negative one no limit.
                let Some(Ok(ns)) = node.as_str().map(duration::parse) else {
                    continue;
                };
                if !(0..=DEFAULT_TIMEOUT_NS).contains(&ns) {
                    continue;
                }
                let value = node.as_str().unwrap_or_default();
                let what = if ns == 0 {
                    format!("timeout `{value}`, which means Velero's default of 30s")
                } else {
                    format!("a timeout of `{value}`")
                };
                (node.span(), what)
            }
        };
        let field = match hook.form {
            Form::Annotation => "pre.hook.backup.velero.io/timeout",
            Form::Spec => "timeout",
        };
        let fails = hook.on_error.and_then(Node::as_str) == Some("Fail");
        let effect = if fails {
            "the pod's backup then fails (on-error `Fail`)"
        } else {
            "the backup goes on (`Continue`, which is also what an unset on-error does) and copies the half-written file"
        };
        ctx.report(
            hook.file,
            span,
            format!(
                "the {} runs `{program}` with {what}: a longer dump makes Velero stop waiting and report the hook failed while `{program}` keeps writing (the timeout does not stop it), and {effect}",
                hook.label
            ),
        )
        .with_help(format!(
            "set `{field}` above the dump's longest run on the biggest customer database, for example `15m`"
        ));
    }
}

/// HOOK016: a dump hook with no on-error runs as `Continue`, whatever the docs say.
pub fn dump_on_error_unset(ctx: &mut Ctx) {
    let hooks = ctx.hooks();
    for (hook, program) in dump_hooks(ctx.release, hooks).filter(|(h, _)| h.on_error.is_none()) {
        let field = match hook.form {
            Form::Annotation => "pre.hook.backup.velero.io/on-error",
            Form::Spec => "onError",
        };
        ctx.report(
            hook.file,
            hook.anchor.clone(),
            format!(
                "the {} runs `{program}` with no `{field}`: Velero then behaves as `Continue` (the documented default `Fail` is applied only to a copy it logs), so a failed dump yields a PartiallyFailed backup without the dump",
                hook.label
            ),
        )
        .with_help(format!(
            "set `{field}` explicitly: `Fail` if the restore depends on the dump, `Continue` if the backup is useful without it"
        ));
    }
}

// ---------------------------------------------------------------- HOOK017

const DB_CLIENTS: &[&str] = &[
    "psql",
    "pg_restore",
    "mysql",
    "mariadb",
    "mongorestore",
    "mongosh",
    "mongo",
    "redis-cli",
];

fn db_client(pipelines: &[Pipeline]) -> Option<&'static str> {
    pipelines.iter().flatten().find_map(|c| {
        let name = basename(program(c)?.1.known()?);
        DB_CLIENTS.iter().copied().find(|d| *d == name)
    })
}

/// A shell loop that sleeps between tries (`until psql ...; do sleep 5; done`).
fn retries(pipelines: &[Pipeline]) -> bool {
    let commands = || pipelines.iter().flatten();
    let looped = commands().any(|c| {
        c.words
            .first()
            .and_then(Word::known)
            .is_some_and(|w| matches!(w, "until" | "while" | "for"))
    });
    let sleeps = commands().any(|c| program(c).and_then(|(_, w)| w.known()).map(basename) == Some("sleep"));
    looped && sleeps
}

/// The hook's wait-for-ready setting: `Some(true)` when set to true, `None` when unknown.
fn waits_for_ready(release: &Release, hook: &Hook) -> Option<bool> {
    let value = match hook.form {
        Form::Annotation => {
            let command = hook.command?;
            let key = "post.hook.restore.velero.io/command";
            let maps = annotation_maps(release);
            let map = maps
                .iter()
                .find(|m| m.map.get(key).is_some_and(|c| c.span() == command.span()))?;
            map.map.get("post.hook.restore.velero.io/wait-for-ready")
        }
        Form::Spec => spec_exec(hook).and_then(|e| e.get("waitForReady")),
    };
    let Some(node) = value else { return Some(false) };
    if node.contains_template() {
        return None;
    }
    let s = node.scalar()?;
    Some(match (hook.form, s.typed()) {
        // Velero reads the annotation with strconv.ParseBool.
        (Form::Annotation, _) => matches!(s.value, "1" | "t" | "T" | "true" | "TRUE" | "True"),
        (Form::Spec, Typed::Bool(b)) => b,
        (Form::Spec, _) => false,
    })
}

/// The `exec` of a Restore spec hook, found through its resource entry.
fn spec_exec<'r>(hook: &Hook<'r>) -> Option<Node<'r>> {
    let command = hook.command?;
    hook.res?
        .get("postHooks")?
        .items()
        .iter()
        .filter_map(|i| i.get("exec"))
        .find(|e| e.get("command").is_some_and(|c| c.span() == command.span()))
}

/// HOOK017: a post-restore hook calls a database client the moment the container runs.
pub fn restore_not_waiting(ctx: &mut Ctx) {
    let release = ctx.release;
    let hooks = ctx.hooks();
    let annotated = annotated(hooks);
    for hook in hooks
        .iter()
        .filter(|h| h.phase == Phase::PostRestore && runs_anywhere(h, &annotated))
    {
        let Some(pipelines) = read(hook) else { continue };
        let Some(client) = db_client(&pipelines) else { continue };
        if retries(&pipelines) || waits_for_ready(release, hook) != Some(false) {
            continue;
        }
        let (field, value) = match hook.form {
            Form::Annotation => ("post.hook.restore.velero.io/wait-for-ready", "\"true\""),
            Form::Spec => ("waitForReady", "true"),
        };
        ctx.report(
            hook.file,
            hook.anchor.clone(),
            format!(
                "the {} runs `{client}` without waiting for the database: Velero runs it as soon as the container is Running, not Ready, so `{client}` can fail to connect and the hook fails: what it was to load or change is missing after the restore",
                hook.label
            ),
        )
        .with_help(format!(
            "set `{field}: {value}` (Velero 1.13 and later), or retry in the script: `until {client} ...; do sleep 5; done`"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump_targets(release: &Release, w: &Workload) -> Vec<DumpTarget> {
        HookRuns::new(release, &super::super::hooks(release)).dump_targets(w)
    }

    fn words(items: &[&str]) -> Vec<Word> {
        items.iter().map(|s| Word::literal(s)).collect()
    }

    fn texts(w: Vec<Word>) -> Vec<String> {
        w.into_iter().map(|w| w.text).collect()
    }

    fn paths(s: &str) -> Vec<String> {
        texts(written_paths(&script::parse(s).unwrap()))
    }

    #[test]
    fn shell_scripts_are_found_after_c() {
        let s = |a: &[&str]| shell_script(&a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()).map(str::to_owned);
        assert_eq!(s(&["-c", "x"]).as_deref(), Some("x"));
        assert_eq!(s(&["-ec", "x"]).as_deref(), Some("x"));
        assert_eq!(s(&["-o", "pipefail", "-c", "x"]).as_deref(), Some("x"));
        assert_eq!(s(&["/scripts/dump.sh"]), None);
    }

    #[test]
    fn dump_options_per_program() {
        let v = |name, a: &[&str]| texts(file_options(name, &words(a)));
        assert_eq!(v("pg_dump", &["-Fc", "-f", "/b/db.dump", "app"]), ["/b/db.dump"]);
        assert_eq!(v("pg_dump", &["--file=/b/x"]), ["/b/x"]);
        assert_eq!(v("pg_dump", &["-f/b/x"]), ["/b/x"]);
        assert_eq!(v("mysqldump", &["--result-file=/b/x", "db"]), ["/b/x"]);
        assert_eq!(v("mongodump", &["--archive=/b/a.gz", "--gzip"]), ["/b/a.gz"]);
        assert!(v("mongodump", &["--archive", "--gzip"]).is_empty());
        assert_eq!(v("mongodump", &["--out", "/b/dump"]), ["/b/dump"]);
        assert_eq!(v("tar", &["-czf", "/b/x.tgz", "/data"]), ["/b/x.tgz"]);
        assert_eq!(v("tar", &["czf", "/b/x.tgz", "/data"]), ["/b/x.tgz"]);
        assert!(v("tar", &["-xzf", "/b/x.tgz"]).is_empty());
        assert_eq!(v("tar", &["-cf/b/x.tar", "/data"]), ["/b/x.tar"]);
        assert_eq!(
            v("tar", &["-c", "-C", "/data/files", "--file=/b/x.tar", "."]),
            ["/b/x.tar"]
        );
        assert!(v("tar", &["/backup/files", "-c"]).is_empty());
        assert_eq!(v("redis-cli", &["--rdb", "/data/dump.rdb"]), ["/data/dump.rdb"]);
        assert_eq!(v("etcdctl", &["snapshot", "save", "/b/snap.db"]), ["/b/snap.db"]);
        // `psql -f` reads a file; `rm -f` takes no value: neither is a dump program.
        assert!(v("psql", &["-f", "/b/x"]).is_empty());
    }

    #[test]
    fn written_paths_follow_the_dump() {
        assert_eq!(
            paths("pg_dump -U x app | gzip > /scratch/db.sql.gz"),
            ["/scratch/db.sql.gz"]
        );
        assert_eq!(paths("echo start > /tmp/log; pg_dump app > /b/db.sql"), ["/b/db.sql"]);
        // Moved elsewhere afterwards: the redirect is not where the dump ends up.
        assert!(paths("pg_dump app > /tmp/db.sql && mv /tmp/db.sql /scratch/").is_empty());
        assert_eq!(paths("pg_dump -f /b/x app > /tmp/log"), ["/b/x"]);
        assert!(paths("redis-cli save").is_empty());
    }

    #[test]
    fn locations_and_mounts() {
        let loc = |s: &str| known_location(&script::parse(&format!("x > {s}")).unwrap()[0][0].stdout[0].target);
        assert_eq!(loc("/scratch//db.sql"), Some(("/scratch/db.sql".into(), true)));
        assert_eq!(loc("/scratch/db-$(date).sql"), Some(("/scratch/".into(), false)));
        assert_eq!(loc("db.sql"), None);
        assert_eq!(loc("/dev/null"), None);
        assert_eq!(loc("/a/../b"), None);
        let m = vec![
            ("/var/lib/postgresql/data".to_owned(), "data".to_owned()),
            ("/scratch".to_owned(), "scratch".to_owned()),
            ("/scratch/deep".to_owned(), "deep".to_owned()),
        ];
        assert_eq!(landing(&("/scratch/db.sql".into(), true), &m), Ok(Some("scratch")));
        assert_eq!(landing(&("/scratch/deep/x".into(), true), &m), Ok(Some("deep")));
        assert_eq!(landing(&("/scratchy/x".into(), true), &m), Ok(None));
        assert_eq!(landing(&("/tmp/x".into(), true), &m), Ok(None));
        assert_eq!(landing(&("/scratch".into(), true), &m), Ok(Some("scratch")));
        // `/scratch/$X` could be under `/scratch/deep`.
        assert_eq!(landing(&("/scratch/".into(), false), &m), Err(()));
        assert_eq!(landing(&("/scratch/deep/".into(), false), &m), Ok(Some("deep")));
    }

    fn release(text: &str) -> Release {
        use crate::source::SourceFile;
        Release::new(vec![SourceFile::from_text("w.yaml".into(), None, text.into())], None)
    }

    const POSTGRES: &str = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  template:\n    metadata:\n      annotations:\n        backup.velero.io/backup-volumes: LIST\n        pre.hook.backup.velero.io/command: '[\"/bin/sh\", \"-c\", \"pg_dump app > PATH\"]'\n    spec:\n      containers:\n        - name: postgres\n          volumeMounts:\n            - name: scratch\n              mountPath: /scratch\n            - name: data\n              mountPath: /var/lib/postgresql/data\n      volumes:\n        - name: scratch\n          emptyDir: {}\n  volumeClaimTemplates:\n    - metadata:\n        name: data\n";

    fn targets(list: &str, path: &str) -> Vec<DumpTarget> {
        let r = release(&POSTGRES.replace("LIST", list).replace("PATH", path));
        dump_targets(&r, &r.workloads[0])
    }

    fn target(volume: Option<&str>, path: &str, backed_up: bool) -> DumpTarget {
        DumpTarget {
            volume: volume.map(str::to_owned),
            path: path.to_owned(),
            backed_up,
        }
    }

    #[test]
    fn dump_targets_map_paths_to_backed_up_volumes() {
        let dump = "/scratch/db.sql";
        assert_eq!(targets("scratch", dump), [target(Some("scratch"), dump, true)]);
        assert_eq!(targets("data", dump), [target(Some("scratch"), dump, false)]);
        let data = "/var/lib/postgresql/data/db.sql";
        assert_eq!(targets("data", data), [target(Some("data"), data, true)]);
        assert_eq!(targets("scratch", "/tmp/db.sql"), [target(None, "/tmp/db.sql", false)]);
        assert_eq!(
            targets("scratch", "/scratch/db-$(date +%F).sql"),
            [target(Some("scratch"), "/scratch/db-...", true)]
        );
        // Unknown: relative, from a variable, a templated annotation.
        assert!(targets("scratch", "db.sql").is_empty());
        assert!(targets("scratch", "$DIR/db.sql").is_empty());
        assert!(targets("'{{repl ConfigOption \"vols\" }}'", dump).is_empty());
    }

    #[test]
    fn only_templates_that_change_structure_make_a_pod_unknown() {
        let with = |from: &str, to: &str| {
            let text = POSTGRES.replace("LIST", "data").replace("PATH", "/scratch/db.sql");
            let r = release(&text.replacen(from, to, 1));
            dump_targets(&r, &r.workloads[0])
        };
        let lost = [target(Some("scratch"), "/scratch/db.sql", false)];
        // A templated image changes nothing about mounts.
        let image = "        - name: postgres\n          image: 'repl{{ LocalImageName \"postgres:16\" }}'\n";
        assert_eq!(with("        - name: postgres\n", image), lost);
        // A template-only line may add mounts, volumes or annotations: unknown.
        let extra = "              mountPath: /scratch\n            {{- toYaml .Values.extraMounts | nindent 12 }}\n";
        assert!(with("              mountPath: /scratch\n", extra).is_empty());
        let extra =
            "        backup.velero.io/backup-volumes: data\n        {{- toYaml .Values.podAnnotations | nindent 8 }}\n";
        assert!(with("        backup.velero.io/backup-volumes: data\n", extra).is_empty());
    }

    #[test]
    fn odd_text_never_panics() {
        for s in [
            "pg_dump > /données/é.sql",
            "tar -cé /x; tar cé; tar -cfé",
            "pg_dump --file=é -fé; mysqldump -ré --result-file",
            "mongodump --archive= --out",
            "etcdctl snapshot save; etcdctl snapshot",
            "pg_dump >| /x 2>&1 &>> /y <> /z <& 0",
            "$ `` $() ${} ''\"\" \\",
            "pg_dump > ~/x; pg_dump > /x/*.sql",
        ] {
            if let Some(p) = script::parse(s) {
                for w in written_paths(&p) {
                    let _ = known_location(&w);
                }
                let _ = (retries(&p), db_client(&p), dump_program(&p));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_script_reads_without_panicking(s in "(pg_dump|tar|mongodump|-c|-f|--file=|--archive=|czf|[ /a-z$`'\"\\|&;<>()~*=0-9é\n]){0,40}") {
            if let Some(p) = script::parse(&s) {
                for w in written_paths(&p) {
                    let _ = known_location(&w);
                    let _ = w.prefix();
                }
                let _ = (retries(&p), db_client(&p), dump_program(&p));
            }
        }
    }

    #[test]
    fn retry_loops() {
        let r = |s: &str| retries(&script::parse(s).unwrap());
        assert!(r("until psql -c 'select 1'; do sleep 2; done; psql -f /b/x"));
        assert!(r("for i in 1 2 3; do mysql < /b/x && break; sleep 5; done"));
        assert!(!r("psql -f /b/x"));
        assert!(!r("sleep 30; psql -f /b/x"));
    }
}
