//! HOOK003 (on-error value), HOOK004 (timeouts), HOOK005 (missing container), HOOK008
//! (incomplete restore init hook), HOOK010 (no container on a multi-container pod).

use super::{Form, Hook, Phase, known_containers};
use crate::diagnostic::{Edit, Severity};
use crate::rules::Ctx;
use crate::rules::duration;
use crate::rules::suggest::closest;
use crate::yaml::{Node, NodeKind, Style, Typed};

const ON_ERROR: &[&str] = &["Continue", "Fail"];

pub fn on_error(ctx: &mut Ctx) {
    for hook in ctx.hooks().iter().filter(|h| !h.restore_spec()) {
        check_on_error(ctx, hook);
    }
}

/// HOOK003's check on one hook; RST003 runs it on Restore spec hooks.
pub fn check_on_error(ctx: &mut Ctx, hook: &Hook) {
    let Some(node) = hook.on_error else { return };
    if node.contains_template() {
        return;
    }
    let Some(s) = node.scalar() else { return };
    if ON_ERROR.contains(&s.value.as_str()) && matches!(s.typed(), Typed::Str(_)) {
        return;
    }
    let field = match hook.form {
        Form::Annotation => "on-error",
        Form::Spec => "onError",
    };
    let meant = ON_ERROR.iter().find(|v| v.eq_ignore_ascii_case(s.value.trim()));
    let fix = meant.and_then(|m| {
        ctx.fix(
            format!("change `{}` to `{m}`", s.value),
            vec![Edit::replace(hook.file, node.span.clone(), *m)],
        )
    });
    let operation = match hook.phase {
        Phase::PreBackup | Phase::PostBackup => "backup",
        _ => "restore",
    };
    let effect = match hook.form {
        Form::Annotation => format!(
            "Velero compares it case-sensitively and silently drops any other value, so a failing hook does not fail the {operation} as written"
        ),
        Form::Spec => "the Velero CRD accepts only these two values and rejects the manifest".to_owned(),
    };
    ctx.report(
        hook.file,
        node.span.clone(),
        format!(
            "{field} `{}` of the {} is not `Continue` or `Fail`: {effect}",
            s.value, hook.label
        ),
    )
    .with_help(match meant {
        Some(m) => format!("write `{m}` (the value is case-sensitive)"),
        None => "use `Fail` (a failing hook fails the pod's backup) or `Continue`".into(),
    })
    .with_fix(fix);
}

pub fn timeout(ctx: &mut Ctx) {
    for hook in ctx.hooks().iter().filter(|h| !h.restore_spec()) {
        check_timeouts(ctx, hook);
    }
}

/// HOOK004's check on one hook; RST003 runs it on Restore spec hooks.
pub fn check_timeouts(ctx: &mut Ctx, hook: &Hook) {
    for (field, node) in &hook.timeouts {
        if node.contains_template() {
            continue;
        }
        let NodeKind::Scalar(s) = &node.kind else {
            ctx.report(
                hook.file,
                node.span.clone(),
                format!("`{field}` of the {} is not a duration string", hook.label),
            )
            .with_help("write a Go duration such as `30s`, `5m` or `1h30m`");
            continue;
        };
        let why = match s.typed() {
            Typed::Int(_) | Typed::Float(_) if s.style == Style::Plain => Some(match hook.form {
                Form::Annotation => format!(
                    "`{}` is a YAML number, but annotation values must be strings (Kubernetes rejects the manifest), and a duration needs a unit",
                    s.value
                ),
                Form::Spec => format!(
                    "`{}` is a YAML number, but durations are strings with a unit (the CRD rejects a number)",
                    s.value
                ),
            }),
            Typed::Null if s.style == Style::Plain => Some("it is empty".into()),
            _ => duration::parse(&s.value)
                .err()
                .map(|e| format!("`{}` is not a Go duration: {e}", s.value)),
        };
        let Some(why) = why else { continue };
        let consequence = match hook.form {
            Form::Annotation => " (Velero ignores it and uses its default)",
            Form::Spec => "",
        };
        let suggestion = s
            .value
            .parse::<u64>()
            .map(|n| format!("; for {n} seconds write `{n}s`"))
            .unwrap_or_default();
        ctx.report(
            hook.file,
            node.span.clone(),
            format!(
                "`{field}` of the {} is not a valid duration: {why}{consequence}",
                hook.label
            ),
        )
        .with_help(format!(
            "write a Go duration string such as `30s`, `5m` or `1h30m`{suggestion}"
        ));
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
                node.span.clone(),
                format!(
                    "the {} names container `{name}`, but {} `{}` has no such container (it has {}): the hook fails at {}",
                    hook.label,
                    w.kind,
                    w.name,
                    list(&names),
                    match hook.phase {
                        Phase::PreBackup | Phase::PostBackup => "backup time",
                        _ => "restore time",
                    }
                ),
            );
            match closest(name, names.iter().copied()) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help("name one of the pod's containers (not an init container)"),
            };
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
                        img.span.clone(),
                        format!(
                            "the {} has an image but no `init.hook.restore.velero.io/command`: the init container runs the image's default entrypoint, which for most images (a database, a server) never exits and blocks the restored pod",
                            hook.label
                        ),
                    )
                    .with_severity(Severity::Warning)
                    .with_help("add `init.hook.restore.velero.io/command` with the restore step, e.g. '[\"/bin/sh\", \"-c\", \"...\"]'");
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
                c.span.clone(),
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

fn is_empty(n: &Node) -> bool {
    match &n.kind {
        NodeKind::Scalar(s) => !s.templated && s.value.is_empty(),
        NodeKind::Seq(items) => items.is_empty(),
        NodeKind::Map(e) => e.is_empty(),
        NodeKind::Alias(_) => false,
    }
}
