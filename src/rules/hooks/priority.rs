//! HOOK012 (a spec hook Velero skips because the pod has an annotation hook for the same
//! phase) and HOOK013 (hook annotations on an object that is not a pod or pod template).
//! Sources: `vmware-tanzu/velero:internal/hook/item_hook_handler.go@v1.18.0` L207, L225-252
//! (hooks run only for pods; an annotation hook takes priority), https://velero.io/docs/v1.18/restore-hooks/.

use super::placement::is_hook_annotation;
use super::{Form, Hook, Phase};
use crate::release::Release;
use crate::rules::Ctx;
use crate::yaml::Node;

/// The node that makes an annotation hook exist for Velero: a non-empty command (an image for
/// restore init hooks). Templated values are unknown: not a hook we can be sure of.
fn defining_node<'r>(hook: &Hook<'r>) -> Option<Node<'r>> {
    let node = match hook.phase {
        Phase::InitRestore => hook.image?,
        _ => hook.command?,
    };
    node.as_str().filter(|s| !s.is_empty()).map(|_| node)
}

pub fn shadowed_spec_hook(ctx: &mut Ctx) {
    let release = ctx.release;
    let all = ctx.hooks();
    // The first annotation hook per (pod, phase), indexed once: spec hooks may select every pod.
    let mut by_pod: std::collections::HashMap<(usize, Phase), (&Hook, Node<'_>)> = std::collections::HashMap::new();
    for h in all.iter().filter(|h| h.form == Form::Annotation) {
        if let (Some([w]), Some(n)) = (h.targets.as_deref(), defining_node(h)) {
            by_pod.entry((*w, h.phase)).or_insert((h, n));
        }
    }
    let annotation = |w: usize, phase: Phase| by_pod.get(&(w, phase)).copied();
    for spec in all.iter().filter(|h| h.form == Form::Spec) {
        let Some(res) = spec.res else { continue };
        for &w in spec
            .targets
            .iter()
            .flatten()
            .filter(|&&w| surely_selects(release, res, w))
        {
            let Some((ann, node)) = annotation(w, spec.phase) else {
                continue;
            };
            let wl = &release.workloads[w];
            let place = ctx.place(ann.file, &node.span());
            ctx.report(
                spec.file,
                spec.anchor.clone(),
                format!(
                    "the {} does not run in {} `{}`: that pod has a {} annotation, and Velero runs only the annotation hook for a phase, skipping spec hooks",
                    spec.label,
                    wl.kind,
                    wl.name,
                    spec.phase.describe()
                ),
            )
            .with_label(ann.file, node.span(), "this annotation hook runs instead")
            .with_help(format!("the annotation hook is at {place}; keep one hook per pod and phase: move the spec hook's command into the annotation hook (or remove the annotation), or narrow the spec hook's selector"));
        }
    }
}

/// The matcher counts anything unknown as a match (HOOK006 must never guess); here only a
/// selection that is certain may be a finding: literal selector and namespaces, literal pod
/// labels, and a literal namespace whenever the entry filters by namespace.
fn surely_selects(release: &Release, res: Node<'_>, w: usize) -> bool {
    let w = &release.workloads[w];
    let fields = ["labelSelector", "includedNamespaces", "excludedNamespaces"];
    if fields.iter().filter_map(|f| res.get(f)).any(Node::contains_template) {
        return false;
    }
    let by_namespace = fields[1..]
        .iter()
        .any(|f| res.get(f).is_some_and(|n| !n.items().is_empty()));
    let labels_templated = w
        .template(release)
        .and_then(|t| t.path("metadata.labels"))
        .is_some_and(Node::contains_template);
    !(labels_templated || by_namespace && w.namespace.is_none())
}

pub fn annotations_on_non_pod(ctx: &mut Ctx) {
    let release = ctx.release;
    for (o, k) in release.annotations_off_pods() {
        let Some(key) = k.as_str().filter(|k| is_hook_annotation(k)) else {
            continue;
        };
        ctx.report(
            o.file,
            k.span(),
            format!(
                "hook annotation `{key}` is on {} `{}`: Velero runs hooks only in pods, so it is ignored",
                o.kind.as_deref().unwrap_or_default(),
                o.name.as_deref().unwrap_or("<unnamed>")
            ),
        )
        .with_help("put it on the pod template (`spec.template.metadata.annotations`) of the workload whose container should run the hook");
    }
}
