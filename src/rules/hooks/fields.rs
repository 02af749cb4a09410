//! HOOK003 (on-error value), HOOK004 (timeouts), HOOK005 (missing container), HOOK008
//! (incomplete restore init hook), HOOK010 (no container on a multi-container pod).

use super::{Form, Hook, Phase, known_containers};
use crate::diagnostic::Severity;
use crate::edit::Doc;
use crate::rules::Ctx;
use crate::rules::duration;
use crate::rules::suggest::closest;
use crate::yaml::{Kind, Node, Style, Typed};

const ON_ERROR: &[&str] = &["Continue", "Fail"];

pub fn on_error(ctx: &mut Ctx) {
    for hook in ctx.hooks().iter().filter(|h| !h.restore_spec()) {
        check_on_error(ctx, hook);
    }
}

/// HOOK003's check on one hook; RST003 runs it on Restore spec hooks.
///
/// Velero acts on a hook failure only when the value is literally `Fail`: an annotation value
/// that is not `Continue` or `Fail` is reset to "", and "" behaves as `Continue` (the
/// executor's "default to Fail" only touches a copy used for logging). In a spec, the CRD enum
/// rejects the object when it is created.
/// Source: `vmware-tanzu/velero internal/hook/item_hook_handler.go@v1.18.0` L247, L290,
/// L343-346; `pkg/podexec/pod_command_executor.go@v1.18.0` L106-112.
pub fn check_on_error(ctx: &mut Ctx, hook: &Hook) {
    let Some(node) = hook.on_error else { return };
    if node.contains_template() {
        return;
    }
    let Some(s) = node.scalar() else { return };
    if ON_ERROR.contains(&s.value) && matches!(s.typed(), Typed::Str(_)) {
        return;
    }
    let meant = ON_ERROR
        .iter()
        .find(|v| v.eq_ignore_ascii_case(s.value.trim()))
        .copied();
    let fix = meant.and_then(|m| {
        let edit = Doc::of(ctx.release, hook.file).replace_scalar(node, m)?;
        ctx.fix(format!("change `{}` to `{m}`", s.value), vec![edit])
    });
    let (field, severity, effect) = match hook.form {
        Form::Annotation => {
            let (severity, effect) = annotation_on_error_effect(hook.phase, meant);
            ("on-error", severity, effect)
        }
        Form::Spec => ("onError", Severity::Error, spec_on_error_effect(hook.phase)),
    };
    ctx.report(
        hook.file,
        node.span(),
        format!(
            "{field} `{}` of the {} is not `Continue` or `Fail`: {effect}",
            s.value, hook.label
        ),
    )
    .with_severity(severity)
    .with_help(match (meant, hook.form) {
        (Some("Fail"), Form::Annotation) => format!(
            "write `Fail` (case-sensitive) if a failed hook must {}; this changes what happens today, so the fix is unsafe",
            fail_effect(hook.phase)
        ),
        (Some(m), _) => format!("write `{m}` (the value is case-sensitive)"),
        (None, _) => format!(
            "use `Fail` (then a failed hook does {}) or `Continue`",
            fail_effect(hook.phase)
        ),
    })
    .with_fix(fix);
}

/// What a literal `Fail` does that `Continue` does not.
fn fail_effect(phase: Phase) -> &'static str {
    match phase {
        Phase::PreBackup | Phase::PostBackup => "stop the pod's backup (the pod and its volumes are left out)",
        _ => "cancel the pod's remaining post-restore hooks (the error is recorded either way)",
    }
}

fn annotation_on_error_effect(phase: Phase, meant: Option<&str>) -> (Severity, String) {
    let dropped = "Velero resets any other value (it is case-sensitive) to empty, which behaves as `Continue`, not the documented default `Fail`";
    match meant {
        Some("Continue") => (
            Severity::Info,
            format!("{dropped}, so this works as `Continue` only by accident"),
        ),
        Some(_) => (
            Severity::Warning,
            format!(
                "{dropped}: the hook was meant to {} when it fails, and it does not",
                fail_effect(phase)
            ),
        ),
        None => (
            Severity::Warning,
            format!("{dropped}, so a failing hook does not {}", fail_effect(phase)),
        ),
    }
}

fn spec_on_error_effect(phase: Phase) -> String {
    match phase {
        Phase::PreBackup | Phase::PostBackup => "the Velero Backup CRD allows only these two values, so the Backup KOTS creates with this hook is rejected and no backup runs".into(),
        _ => "the Velero Restore CRD allows only these two values, so creating the Restore fails".into(),
    }
}

pub fn timeout(ctx: &mut Ctx) {
    for hook in ctx.hooks().iter().filter(|h| !h.restore_spec()) {
        check_timeouts(ctx, hook);
    }
}

/// What Velero does with an annotation timeout it cannot parse: it logs a warning and uses its
/// default. A timeout never kills the command: Velero stops waiting, reports the hook failed, and
/// the command keeps running in the pod.
/// Source: `vmware-tanzu/velero internal/hook/item_hook_handler.go@v1.18.0` L348-356, L492-510;
/// `pkg/podexec/pod_command_executor.go@v1.18.0` L36, L66-69, L174-178.
fn annotation_timeout_effect(field: &str) -> &'static str {
    match field {
        "wait-timeout" => "Velero logs a warning, ignores it and waits for the container with no limit",
        _ => {
            "Velero logs a warning and waits the default 30s; it then reports the hook failed but does not kill the command, which keeps running, so with `Continue` a volume can be copied while a dump is still being written"
        }
    }
}

fn duration_error(e: &duration::DurationError) -> String {
    const UNITS: &str = "`ns`, `us` or `µs`, `ms`, `s`, `m`, `h`";
    match e {
        duration::DurationError::MissingUnit => format!("a number needs a unit: {UNITS}"),
        duration::DurationError::UnknownUnit(u) => {
            format!("`{u}` is not a unit; Go durations know only {UNITS}")
        }
        other => other.to_string(),
    }
}

/// HOOK004's check on one hook; RST003 runs it on Restore spec hooks.
pub fn check_timeouts(ctx: &mut Ctx, hook: &Hook) {
    for (field, node) in &hook.timeouts {
        if node.contains_template() {
            continue;
        }
        let Kind::Scalar(s) = node.kind() else {
            ctx.report(
                hook.file,
                node.span(),
                format!("`{field}` of the {} is not a duration string", hook.label),
            )
            .with_help("write a Go duration such as `30s`, `5m` or `1h30m`");
            continue;
        };
        // An annotation that is not a string gets the manifest rejected: an error. A string
        // Velero cannot parse only falls back to the default: a warning.
        let (why, severity) = match s.typed() {
            Typed::Int(_) | Typed::Float(_) if s.style == Style::Plain => match hook.form {
                Form::Annotation => (
                    format!(
                        "`{}` is a YAML number, but annotation values must be strings (Kubernetes rejects the manifest), and a duration needs a unit",
                        s.value
                    ),
                    Severity::Error,
                ),
                Form::Spec => (
                    format!("`{}` is a YAML number, but durations are strings with a unit", s.value),
                    Severity::Error,
                ),
            },
            Typed::Null if s.style == Style::Plain => ("it is empty".into(), hook_severity(hook)),
            _ => match duration::parse(s.value) {
                Ok(_) => continue,
                Err(e) => (
                    format!("`{}` is not a Go duration: {}", s.value, duration_error(&e)),
                    hook_severity(hook),
                ),
            },
        };
        let consequence = match hook.form {
            Form::Annotation if severity != Severity::Error => format!(" ({})", annotation_timeout_effect(field)),
            Form::Annotation => String::new(),
            Form::Spec => format!(
                " (the {} does not decode: a Velero duration field is a string Go's `time.ParseDuration` accepts)",
                match hook.phase {
                    Phase::PreBackup | Phase::PostBackup => "Backup",
                    _ => "Restore",
                }
            ),
        };
        let suggestion = s
            .value
            .parse::<u64>()
            .map(|n| format!("; for {n} seconds write `{n}s`"))
            .unwrap_or_default();
        ctx.report(
            hook.file,
            node.span(),
            format!(
                "`{field}` of the {} is not a valid duration: {why}{consequence}",
                hook.label
            ),
        )
        .with_severity(severity)
        .with_help(format!(
            "write a Go duration string such as `30s`, `5m` or `1h30m`{suggestion}"
        ));
    }
}

/// An unparsable timeout: a warning on an annotation (the hook still runs, with the default),
/// an error in a spec (the object does not decode).
fn hook_severity(hook: &Hook) -> Severity {
    match hook.form {
        Form::Annotation => Severity::Warning,
        Form::Spec => Severity::Error,
    }
}

pub fn container_missing(ctx: &mut Ctx) {
    let release = ctx.release;
    for hook in ctx.hooks() {
        let Some(node) = hook.container else { continue };
        let Some(name) = node.as_str() else { continue };
        for w in hook.workloads(release) {
            let Some(names) = known_containers(release, w) else {
                continue;
            };
            if names.contains(&name) {
                continue;
            }
            let d = ctx.report(
                hook.file,
                node.span(),
                format!(
                    "the {} names container `{name}`, but {} `{}` has no such container (it has {}): {}",
                    hook.label,
                    w.kind,
                    w.name,
                    list(&names),
                    missing_container_effect(hook.phase)
                ),
            );
            // The restore completes without the discarded hooks: a silent no-op, not a failure.
            if !matches!(hook.phase, Phase::PreBackup | Phase::PostBackup) {
                d.with_severity(Severity::Warning);
            }
            match closest(name, names.iter().copied()) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help("name one of the pod's containers (not an init container)"),
            };
        }
    }
}

/// Backup hooks fail ("no such container"); restore exec hooks for a missing container are
/// discarded with a warning in the restore log, and the restore completes without them.
/// Source: `vmware-tanzu/velero pkg/podexec/pod_command_executor.go@v1.18.0` L98, L186-194;
/// `internal/hook/wait_exec_hook_handler.go@v1.18.0` L84-93.
fn missing_container_effect(phase: Phase) -> &'static str {
    match phase {
        Phase::PreBackup | Phase::PostBackup => "the hook fails at backup time (\"no such container\")",
        _ => {
            "Velero discards the pod's post-restore exec hooks for that container with only a warning in the restore log, and the restore completes without them"
        }
    }
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        return "no containers".into();
    }
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

pub fn container_implicit(ctx: &mut Ctx) {
    let release = ctx.release;
    for hook in ctx.hooks() {
        if hook.container.is_some() || hook.command.is_none() || hook.phase == Phase::InitRestore {
            continue;
        }
        for w in hook.workloads(release) {
            let Some(names) = known_containers(release, w) else {
                continue;
            };
            if names.len() < 2 {
                continue;
            }
            ctx.report(
                hook.file,
                hook.anchor.clone(),
                format!(
                    "the {} names no container, and {} `{}` has {} containers: Velero runs it in the first one, `{}`",
                    hook.label,
                    w.kind,
                    w.name,
                    names.len(),
                    names[0]
                ),
            )
            .with_help(format!(
                "name the container that holds the data explicitly (one of {})",
                list(&names)
            ));
        }
    }
}

pub fn restore_init_incomplete(ctx: &mut Ctx) {
    for hook in ctx.hooks().iter().filter(|h| !h.restore_spec()) {
        check_restore_init(ctx, hook);
    }
}

/// HOOK008's check on one hook; RST003 runs it on Restore spec init containers.
pub fn check_restore_init(ctx: &mut Ctx, hook: &Hook) {
    if hook.phase != Phase::InitRestore {
        return;
    }
    match hook.form {
        Form::Annotation => {
            let image = hook.image.filter(|n| n.as_str() != Some(""));
            let command = hook.command.filter(|n| n.as_str() != Some(""));
            match (image, command) {
                (None, _) => {
                    ctx.report(
                        hook.file,
                        hook.anchor.clone(),
                        format!(
                            "the {} has no `init.hook.restore.velero.io/container-image`: without an image Velero adds no init container, and the hook never runs",
                            hook.label
                        ),
                    )
                    .with_help("add `init.hook.restore.velero.io/container-image` with the image to run the command in");
                }
                (Some(img), None) => {
                    ctx.report(
                        hook.file,
                        img.span(),
                        format!(
                            "the {} has an image but no `init.hook.restore.velero.io/command`: Velero 1.11 to 1.18.x panics on the empty command, the pod's restore fails with \"error preparing pods/...\" and the pod is not restored",
                            hook.label
                        ),
                    )
                    .with_help("add `init.hook.restore.velero.io/command` with the restore step, e.g. '[\"/bin/sh\", \"-c\", \"...\"]' (only Velero releases after 1.18.1 fall back to the image's entrypoint)");
                }
                _ => {}
            }
        }
        Form::Spec => {
            let Some(c) = hook.init_container else { return };
            if c.contains_template() && c.entries().is_empty() {
                return;
            }
            let missing: Vec<&str> = ["name", "image", "command"]
                .into_iter()
                .filter(|f| match c.get(f) {
                    None => true,
                    Some(n) => is_empty(n),
                })
                .collect();
            if missing.is_empty() {
                return;
            }
            ctx.report(
                hook.file,
                c.span(),
                format!(
                    "the {} init container lacks {}: Velero fails the restore (\"invalid InitContainer in restore hook\")",
                    hook.label,
                    missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                ),
            )
            .with_help("every restore init container needs `name`, `image` and a non-empty `command`");
        }
    }
}

fn is_empty(n: Node<'_>) -> bool {
    match n.kind() {
        Kind::Scalar(s) => !s.templated && s.value.is_empty(),
        Kind::Seq(items) => items.is_empty(),
        Kind::Map(e) => e.is_empty(),
        Kind::Alias(_) => false,
    }
}
