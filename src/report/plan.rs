//! `snaplint plan`: for each Backup KOTS creates from the release, which pod volumes file-system
//! backup really copies and which hooks Velero really runs, at backup and at restore time.
//!
//! The volume decisions are `rules::volumes::volume_plan`, the same function VOL001 reports
//! from, so `plan` and `check` cannot disagree. Hooks come from the HOOK rules' model, with
//! Velero's defaults filled in: the first regular container, a 30s exec timeout, and
//! `Continue` for an unset or invalid on-error (truth F4: only a literal `Fail` stops the pod,
//! `vmware-tanzu/velero internal/hook/item_hook_handler.go@v1.18.0` L247, L290, L343-346).

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::release::{EffectiveBackup, Release, Workload};
use crate::rules::duration;
use crate::rules::hooks::patterns::HookRuns;
use crate::rules::hooks::{self, Command, Form, Hook, Phase};
use crate::rules::not_selected;
use crate::rules::volumes::{Reason, volume_plan};
use crate::yaml::{Node, Typed};

/// Velero's exec hook timeout when none (or none it can parse) is given
/// (`vmware-tanzu/velero pkg/podexec/pod_command_executor.go@v1.18.0` L36).
const DEFAULT_EXEC_TIMEOUT: &str = "30s";

pub struct Plan {
    pub backups: Vec<BackupPlan>,
}

pub struct BackupPlan {
    pub backup: EffectiveBackup,
    pub volumes: Vec<VolumeRow>,
    pub hooks: Vec<HookRow>,
}

pub struct VolumeRow {
    /// `Kind/name`.
    pub workload: String,
    pub volume: String,
    /// `None`: unknown until render time.
    pub backed_up: Option<bool>,
    pub how: &'static str,
    pub reason: String,
}

pub struct HookRow {
    pub phase: &'static str,
    pub workload: String,
    pub container: String,
    /// `None` when templated or not a command Velero can run (see `note`).
    pub command: Option<Vec<String>>,
    pub timeout: Option<String>,
    pub on_error: Option<String>,
    pub note: Option<String>,
}

pub fn build(release: &Release) -> Plan {
    let all_hooks = hooks::hooks(release);
    let runs = HookRuns::new(release, &all_hooks);
    let annotated = annotated_pods(&all_hooks);
    let backups = release
        .effective
        .iter()
        .map(|e| {
            // Pods the backup does not select: no volume copied, no hook run.
            let unselected: Vec<Option<String>> =
                release.workloads.iter().map(|w| not_selected(release, w, e)).collect();
            BackupPlan {
                backup: e.clone(),
                volumes: volume_rows(release, &runs, e, &unselected),
                hooks: all_hooks
                    .iter()
                    .enumerate()
                    .filter(|(_, h)| runs_in(h, e))
                    .flat_map(|(i, h)| {
                        hook_rows(release, h, |w| unselected[w].is_none() && runs_on(&annotated, i, h, w))
                    })
                    .collect(),
            }
        })
        .collect();
    Plan { backups }
}

/// The annotation hook Velero runs per (workload, phase): the first with a command (an image
/// for restore init hooks), so `pre.hook.backup.velero.io` before the legacy
/// `hook.backup.velero.io`, which Velero reads only when the first has no command. A pod with
/// one runs no spec hook for that phase (`item_hook_handler.go@v1.18.0` L225-252, HOOK012).
fn annotated_pods(all: &[Hook]) -> HashMap<(usize, Phase), usize> {
    let mut out = HashMap::new();
    for (i, h) in all.iter().enumerate().filter(|(_, h)| h.form == Form::Annotation) {
        let defining = match h.phase {
            Phase::InitRestore => h.image,
            _ => h.command,
        };
        let exists = defining.is_some_and(|n| n.contains_template() || n.as_str().is_some_and(|s| !s.is_empty()));
        if let (Some([w]), true) = (h.targets.as_deref(), exists) {
            out.entry((*w, h.phase)).or_insert(i);
        }
    }
    out
}

/// Does hook `i` run in workload `w`? Annotation hooks: only the one Velero picks; spec hooks:
/// only where no annotation hook of the phase exists.
fn runs_on(annotated: &HashMap<(usize, Phase), usize>, i: usize, h: &Hook, w: usize) -> bool {
    let picked = annotated.get(&(w, h.phase));
    match h.form {
        Form::Annotation => picked == Some(&i),
        Form::Spec => picked.is_none(),
    }
}

fn label(w: &Workload) -> String {
    format!("{}/{}", w.kind, w.name)
}

fn volume_rows(
    release: &Release,
    runs: &HookRuns,
    e: &EffectiveBackup,
    unselected: &[Option<String>],
) -> Vec<VolumeRow> {
    let mut rows = Vec::new();
    for (w, unselected) in release.workloads.iter().zip(unselected) {
        if let Some(why) = unselected {
            rows.extend(volume_plan(release, w).into_iter().map(|p| VolumeRow {
                workload: label(w),
                volume: p.volume.name.to_string(),
                backed_up: Some(false),
                how: "not backed up",
                reason: format!("the backup does not select the pod: {why}"),
            }));
            continue;
        }
        let plans: Vec<_> = volume_plan(release, w)
            .into_iter()
            .map(|p| (p.volume, p.outcome(e)))
            .collect();
        let backed_up = |name: &str| plans.iter().any(|(v, r)| v.name == name && r.backed_up() == Some(true));
        // Replicated's export pattern, as VOL001 reads it: a pre-backup hook dumps the data
        // into a volume this backup copies, so the live volume is not needed.
        let dump = runs
            .dump_targets(w)
            .into_iter()
            .find(|t| t.volume.as_deref().is_some_and(backed_up));
        for (volume, reason) in &plans {
            let mut row = VolumeRow {
                workload: label(w),
                volume: volume.name.to_string(),
                backed_up: reason.backed_up(),
                how: reason.how(),
                reason: reason.describe(),
            };
            let left_out = matches!(reason, Reason::NotOptedIn | Reason::Excluded);
            if let Some(d) = dump.as_ref().filter(|_| left_out && volume.holds_data()) {
                row.how = EXPORT_HOOK;
                row.reason = format!(
                    "{}; its data is in the pre-backup hook's dump `{}` on volume `{}`, which is backed up",
                    row.reason,
                    d.path,
                    d.volume.as_deref().unwrap_or_default()
                );
            }
            rows.push(row);
        }
    }
    rows
}

/// `how` of a volume left out because a pre-backup hook exports its data into one that is not.
const EXPORT_HOOK: &str = "export hook";

/// A Restore's spec hooks reach Velero only on the Embedded Cluster improved-DR path, the one
/// place the vendor's Restore is used; the Backup's `hooks` are copied into every backup type
/// (`release::effective::FULL_COPIES`), and pod annotations go wherever the pod goes.
fn runs_in(h: &Hook, e: &EffectiveBackup) -> bool {
    !h.restore_spec() || e.improved_dr
}

fn phase_name(phase: Phase) -> &'static str {
    match phase {
        Phase::PreBackup => "pre-backup",
        Phase::PostBackup => "post-backup",
        Phase::InitRestore => "restore-init",
        Phase::PostRestore => "post-restore",
    }
}

fn hook_rows(release: &Release, h: &Hook, runs_on: impl Fn(usize) -> bool) -> Vec<HookRow> {
    // A Restore's `init.timeout` alone is no hook of its own, and an annotation exec hook
    // without a command is none at all.
    let no_hook = match (h.phase, h.form) {
        (Phase::InitRestore, _) => h.command.is_none() && h.image.is_none() && h.init_container.is_none(),
        (_, Form::Annotation) => h.command.is_none(),
        _ => false,
    };
    if no_hook {
        return Vec::new();
    }
    let (command, note) = command(h);
    let (timeout, timeout_note) = timeout(h);
    let (on_error, on_error_note) = on_error(h);
    let note = [note, timeout_note, on_error_note, missing_container(release, h)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; ");
    let row = |workload: String, container: String| HookRow {
        phase: phase_name(h.phase),
        workload,
        container,
        command: command.clone(),
        timeout: timeout.clone(),
        on_error: on_error.clone(),
        note: (!note.is_empty()).then(|| note.clone()),
    };
    match &h.targets {
        None => vec![row(
            "(pods rendered from HelmChart values)".into(),
            container(release, h, None),
        )],
        Some(t) if t.is_empty() => vec![row("(no pod matches the selector)".into(), container(release, h, None))],
        Some(t) => t
            .iter()
            .filter(|&&i| runs_on(i))
            .map(|&i| {
                let w = &release.workloads[i];
                row(label(w), container(release, h, Some(w)))
            })
            .collect(),
    }
}

/// A named exec container the pod does not have: backup hooks fail ("no such container"),
/// restore exec hooks are discarded with a warning (truth F10).
fn missing_container(release: &Release, h: &Hook) -> Option<String> {
    let name = literal(h.container?)?;
    let [w] = h.targets.as_deref()? else { return None };
    let known = hooks::known_containers(release, &release.workloads[*w])?;
    if known.contains(&name.as_str()) {
        return None;
    }
    Some(match h.phase {
        Phase::PostRestore => format!("no container `{name}` in the pod: Velero discards the hook with a warning"),
        _ => format!("no container `{name}` in the pod: the hook fails"),
    })
}

fn literal(node: Node<'_>) -> Option<String> {
    if node.contains_template() {
        return None;
    }
    node.scalar().map(|s| s.value.to_string())
}

/// The container the hook runs in: the named one, else Velero's default, the pod's first
/// regular container. Restore init hooks add an init container of their own.
fn container(release: &Release, h: &Hook, w: Option<&Workload>) -> String {
    if h.phase == Phase::InitRestore {
        let name = match h.form {
            Form::Spec => h.init_container.and_then(|c| c.get("name")),
            Form::Annotation => w
                .and_then(|w| w.pod_annotations(release))
                .and_then(|a| a.get("init.hook.restore.velero.io/container-name")),
        };
        let image = h.image.and_then(literal).unwrap_or_else(|| "unknown image".into());
        // Without a name Velero generates one (`item_hook_handler.go@v1.18.0` L424-433).
        let name = name
            .and_then(literal)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "velero-restore-init-<uuid>".into());
        return format!("{name} (new init container, image {image})");
    }
    if let Some(node) = h.container {
        return literal(node).unwrap_or_else(|| "(templated)".into());
    }
    match w.and_then(|w| w.app_containers().next()) {
        Some(c) => format!("{} (first container)", c.name),
        None => "(first container)".into(),
    }
}

fn command(h: &Hook) -> (Option<Vec<String>>, Option<String>) {
    // Truth F6: an init hook's absent or empty command is `commandValue[0]` on "".
    const PANIC: &str = "no command: Velero 1.11-1.18 panics preparing the pod, which is not restored";
    let empty = h.command.is_none_or(|n| n.as_str() == Some(""));
    if h.phase == Phase::InitRestore && h.form == Form::Annotation && empty {
        return (None, Some(PANIC.into()));
    }
    let Some(node) = h.command else {
        let why = match h.phase {
            // A Restore's init container is a whole Container: its image's entrypoint runs.
            Phase::InitRestore => "no command: the image's entrypoint runs",
            _ => "no command",
        };
        return (None, Some(why.into()));
    };
    match hooks::parse_command(h, node) {
        Command::Argv(argv) => (Some(argv), None),
        Command::Single(s) => (Some(vec![s]), None),
        Command::Unknown => (None, Some("command templated: unknown until render time".into())),
        Command::Invalid(why) => (run_as_one_program(h, node), Some(format!("invalid command: {why}"))),
    }
}

/// An annotation command that starts with `[` but does not decode into strings is run as one
/// program named by the whole text (`parseStringToCommand`, `item_hook_handler.go@v1.18.0`).
fn run_as_one_program(h: &Hook, node: Node<'_>) -> Option<Vec<String>> {
    let value = node.as_str().filter(|v| h.form == Form::Annotation && !v.is_empty())?;
    serde_json::from_str::<Vec<String>>(value)
        .is_err()
        .then(|| vec![value.to_owned()])
}

/// The exec timeout Velero applies (backup `timeout`, restore `exec-timeout`/`execTimeout`).
fn timeout(h: &Hook) -> (Option<String>, Option<String>) {
    if h.phase == Phase::InitRestore {
        return (None, None);
    }
    let field = h
        .timeouts
        .iter()
        .find(|(f, _)| matches!(*f, "timeout" | "exec-timeout" | "execTimeout"));
    let Some((name, node)) = field else {
        return (Some(DEFAULT_EXEC_TIMEOUT.into()), None);
    };
    let Some(value) = literal(*node) else {
        return (None, Some("timeout templated".into()));
    };
    match (duration::parse(&value), h.form) {
        (Ok(_), _) => (Some(value), None),
        (Err(_), Form::Annotation) => (
            Some(DEFAULT_EXEC_TIMEOUT.into()),
            Some(format!("`{name}: {value}` is not a duration: Velero uses the default")),
        ),
        (Err(_), Form::Spec) => (
            None,
            Some(format!(
                "`{name}: {value}` is not a duration: the object does not decode"
            )),
        ),
    }
}

/// Velero stops the pod only on a literal `Fail`; anything else behaves as `Continue` (F4).
/// In a spec, the CRD rejects anything but the two values.
fn on_error(h: &Hook) -> (Option<String>, Option<String>) {
    if h.phase == Phase::InitRestore {
        return (None, None);
    }
    let Some(node) = h.on_error else {
        return (Some("Continue".into()), None);
    };
    if node.contains_template() {
        return (None, Some("on-error templated".into()));
    }
    if node.scalar().is_some_and(|s| s.typed() == Typed::Null) {
        return (Some("Continue".into()), None);
    }
    let value = node.scalar().map(|s| s.value.to_string());
    match (value.as_deref(), h.form) {
        (Some("Fail"), _) => (Some("Fail".into()), None),
        (Some("Continue"), _) => (Some("Continue".into()), None),
        (v, Form::Annotation) => (
            Some("Continue".into()),
            Some(format!(
                "on-error `{}` is not `Fail`: it behaves as `Continue`",
                v.unwrap_or("?")
            )),
        ),
        (v, Form::Spec) => (
            None,
            Some(format!(
                "onError `{}` is neither `Continue` nor `Fail`: the CRD rejects it",
                v.unwrap_or("?")
            )),
        ),
    }
}

// ---------------------------------------------------------------- output

/// The line for a release without a Backup.
const NO_BACKUP: &str =
    "No velero.io/v1 Backup in the release: KOTS offers no snapshots for it (BKP001), so nothing is backed up.\n";

/// What the plan does not look at.
const FOOTNOTE: &str = "File-system backup only (CSI and provider volume snapshots are not shown). A pod counts as selected unless the release shows otherwise (a namespace the backup leaves out, KOTS005; chart resources without the KOTS labels, KOTS003); pods that operators create are not listed (KOTS006).";

fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "yes",
        Some(false) => "NO",
        None => "unknown",
    }
}

fn command_text(c: &Option<Vec<String>>) -> String {
    match c {
        Some(argv) => serde_json::to_string(argv).unwrap_or_default(),
        None => "-".into(),
    }
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "-".into())
}

fn header(b: &BackupPlan) -> String {
    format!("{} ({})", capitalized(b.backup.describe()), b.backup.kind.name())
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn volume_cells(v: &VolumeRow) -> Vec<String> {
    vec![
        v.workload.clone(),
        v.volume.clone(),
        if v.how == EXPORT_HOOK {
            "no, dumped".into()
        } else {
            yes_no(v.backed_up).into()
        },
        v.reason.clone(),
    ]
}

fn hook_cells(h: &HookRow) -> Vec<String> {
    vec![
        h.phase.into(),
        h.workload.clone(),
        h.container.clone(),
        command_text(&h.command),
        opt(&h.timeout),
        opt(&h.on_error),
        h.note.clone().unwrap_or_default(),
    ]
}

const VOLUME_HEADER: [&str; 4] = ["WORKLOAD", "VOLUME", "BACKED UP", "WHY"];
const HOOK_HEADER: [&str; 7] = [
    "PHASE",
    "WORKLOAD",
    "CONTAINER",
    "COMMAND",
    "TIMEOUT",
    "ON ERROR",
    "NOTE",
];

/// Columns padded to their widest cell; the last column is not padded.
fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let last = cells.len().saturating_sub(1);
        let mut s = String::from("  ");
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i == last {
                s.push_str(c);
            } else {
                let _ = write!(s, "{c:<w$}  ");
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    out.push_str(&line(header.iter().map(|h| (*h).to_owned()).collect()));
    for r in rows {
        out.push_str(&line(r.clone()));
    }
}

pub fn human(plan: &Plan) -> String {
    if plan.backups.is_empty() {
        return NO_BACKUP.into();
    }
    let mut out = String::new();
    for (i, b) in plan.backups.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{}", header(b));
        if b.volumes.is_empty() {
            out.push_str("  no pod volumes\n");
        } else {
            table(
                &mut out,
                &VOLUME_HEADER,
                &b.volumes.iter().map(volume_cells).collect::<Vec<_>>(),
            );
        }
        out.push_str("  hooks:\n");
        if b.hooks.is_empty() {
            out.push_str("  no hooks\n");
        } else {
            table(
                &mut out,
                &HOOK_HEADER,
                &b.hooks.iter().map(hook_cells).collect::<Vec<_>>(),
            );
        }
    }
    let _ = writeln!(out, "\n{FOOTNOTE}");
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn md_table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
}

/// Inline code that survives backticks in the text (a double-backtick span, padded).
fn code_span(s: &str) -> String {
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

pub fn markdown(plan: &Plan) -> String {
    let mut out = String::from("## snaplint plan\n\n");
    if plan.backups.is_empty() {
        out.push_str(NO_BACKUP);
        return out;
    }
    for b in &plan.backups {
        let _ = writeln!(out, "### {}\n", header(b));
        if b.volumes.is_empty() {
            out.push_str("No pod volumes.\n\n");
        } else {
            md_table(
                &mut out,
                &["Workload", "Volume", "Backed up", "Why"],
                &b.volumes.iter().map(volume_cells).collect::<Vec<_>>(),
            );
            out.push('\n');
        }
        if b.hooks.is_empty() {
            out.push_str("No hooks.\n\n");
        } else {
            let rows: Vec<Vec<String>> = b
                .hooks
                .iter()
                .map(|h| {
                    let mut c = hook_cells(h);
                    c[3] = code_span(&c[3]);
                    c
                })
                .collect();
            md_table(
                &mut out,
                &[
                    "Hook",
                    "Workload",
                    "Container",
                    "Command",
                    "Timeout",
                    "On error",
                    "Note",
                ],
                &rows,
            );
            out.push('\n');
        }
    }
    let _ = writeln!(out, "{FOOTNOTE}");
    out
}

pub fn json(plan: &Plan) -> String {
    let backups: Vec<Value> = plan
        .backups
        .iter()
        .map(|b| {
            let volumes: Vec<Value> = b
                .volumes
                .iter()
                .map(|v| json!({"workload": v.workload, "volume": v.volume, "backed_up": v.backed_up, "how": v.how, "reason": v.reason}))
                .collect();
            let hooks: Vec<Value> = b
                .hooks
                .iter()
                .map(|h| {
                    json!({"phase": h.phase, "workload": h.workload, "container": h.container, "command": h.command,
                        "timeout": h.timeout, "on_error": h.on_error, "note": h.note})
                })
                .collect();
            json!({"type": b.backup.kind.name(), "description": b.backup.describe(), "volumes": volumes, "hooks": hooks})
        })
        .collect();
    serde_json::to_string_pretty(&json!({"version": 1, "backups": backups})).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    const BACKUP: &str = "apiVersion: velero.io/v1\nkind: Backup\nmetadata:\n  name: b\n";

    fn plan(annotations: &str) -> Plan {
        let pod = format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: db\n  annotations:\n{annotations}spec:\n  containers:\n    - name: db\n    - name: sidecar\n"
        );
        let file = SourceFile::from_text("r.yaml".into(), None, format!("{BACKUP}{pod}"));
        build(&Release::new(vec![file], None))
    }

    fn hooks_of(annotations: &str) -> Vec<(String, String, Option<String>, Option<String>)> {
        plan(annotations).backups[0]
            .hooks
            .iter()
            .map(|h| {
                (
                    h.phase.to_owned(),
                    h.container.clone(),
                    h.timeout.clone(),
                    h.on_error.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn defaults_are_velero_s() {
        let got = hooks_of("    pre.hook.backup.velero.io/command: /bin/sync\n");
        let want = (
            "pre-backup".to_owned(),
            "db (first container)".to_owned(),
            Some("30s".to_owned()),
            Some("Continue".to_owned()),
        );
        assert_eq!(got, [want]);
    }

    #[test]
    fn only_a_literal_fail_fails() {
        for (value, want) in [
            ("Fail", "Fail"),
            ("Continue", "Continue"),
            ("fail", "Continue"),
            ("FAIL", "Continue"),
        ] {
            let got = hooks_of(&format!(
                "    pre.hook.backup.velero.io/command: /bin/sync\n    pre.hook.backup.velero.io/on-error: {value}\n"
            ));
            assert_eq!(got[0].3.as_deref(), Some(want), "{value}");
        }
    }

    #[test]
    fn an_unparsable_annotation_timeout_is_the_default() {
        let got =
            hooks_of("    pre.hook.backup.velero.io/command: /bin/sync\n    pre.hook.backup.velero.io/timeout: '30'\n");
        assert_eq!(got[0].2.as_deref(), Some("30s"));
        let got =
            hooks_of("    pre.hook.backup.velero.io/command: /bin/sync\n    pre.hook.backup.velero.io/timeout: 2m\n");
        assert_eq!(got[0].2.as_deref(), Some("2m"));
    }

    #[test]
    fn the_legacy_prefix_runs_only_without_a_pre_command() {
        let both = "    pre.hook.backup.velero.io/command: /bin/pre\n    hook.backup.velero.io/command: /bin/legacy\n";
        let p = plan(both);
        let commands: Vec<_> = p.backups[0].hooks.iter().map(|h| h.command.clone()).collect();
        assert_eq!(commands, [Some(vec!["/bin/pre".to_owned()])]);
        let p = plan("    hook.backup.velero.io/command: /bin/legacy\n");
        assert_eq!(p.backups[0].hooks[0].command, Some(vec!["/bin/legacy".to_owned()]));
    }

    #[test]
    fn an_init_hook_without_a_command_panics_velero() {
        for command in ["", "    init.hook.restore.velero.io/command: \"\"\n"] {
            let p = plan(&format!(
                "    init.hook.restore.velero.io/container-image: alpine:3.20\n{command}"
            ));
            let h = &p.backups[0].hooks[0];
            assert_eq!(
                h.container,
                "velero-restore-init-<uuid> (new init container, image alpine:3.20)"
            );
            assert!(h.note.as_deref().is_some_and(|n| n.contains("panics")), "{:?}", h.note);
        }
    }

    #[test]
    fn a_bracketed_command_that_is_not_json_runs_as_one_program() {
        let p = plan("    pre.hook.backup.velero.io/command: '[\"a\", 1]'\n");
        assert_eq!(p.backups[0].hooks[0].command, Some(vec!["[\"a\", 1]".to_owned()]));
    }

    #[test]
    fn an_annotation_without_a_command_is_no_hook() {
        assert!(hooks_of("    pre.hook.backup.velero.io/container: sidecar\n").is_empty());
    }

    #[test]
    fn no_backup_is_one_line_and_an_empty_list() {
        let file = SourceFile::from_text("r.yaml".into(), None, "apiVersion: v1\nkind: ConfigMap\n".into());
        let p = build(&Release::new(vec![file], None));
        assert_eq!(human(&p).lines().count(), 1);
        assert_eq!(json(&p), "{\n  \"version\": 1,\n  \"backups\": []\n}\n");
    }
}
