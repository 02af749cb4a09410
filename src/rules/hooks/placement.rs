//! HOOK006 (spec hook selects no pod template), HOOK007 (hook annotations on the workload
//! instead of its pod template), HOOK009 (unknown or misspelled hook annotation key).

use super::select::{Filter, Matcher};
use super::{PREFIXES, annotation_maps, is_known_key, known_keys, looks_like_hook_key};
use crate::edit::Doc;
use crate::helm::release_helm_charts;
use crate::release::Release;
use crate::rules::Ctx;
use crate::rules::suggest::closest;
use crate::yaml::Node;

pub fn selector_matches_nothing(ctx: &mut Ctx) {
    let release = ctx.release;
    // Charts are rendered, so their pods are workloads like any other; only a chart that was
    // not (fully) rendered leaves pods unknown, and unknown is not absent.
    if charts_incomplete(release) {
        return;
    }
    let matcher = Matcher::new(release);
    for (o, restore) in release.hook_specs() {
        for res in release
            .node(o)
            .path("spec.hooks.resources")
            .map(Node::items)
            .unwrap_or_default()
        {
            let selector = matcher.selector(res, restore);
            if res.contains_template() || !selector.targets().is_empty() {
                continue;
            }
            // A chart pod's namespace is rendered from `.Release.Namespace`, which KOTS sets at
            // install time (the app namespace unless the HelmChart names one): a namespace
            // filter ruling out a chart pod is a guess, not a finding.
            let chart_pod_by_namespace = release
                .workloads
                .iter()
                .any(|w| release.files[w.file].chart.is_some() && selector.failing(w) == Some(Filter::Namespaces));
            if chart_pod_by_namespace {
                continue;
            }
            let name = res.get("name").and_then(Node::as_str).unwrap_or("<unnamed>");
            // Point at the filter that rules out the most workloads.
            let mut counts = [(Filter::Labels, 0), (Filter::Namespaces, 0), (Filter::Resources, 0)];
            for w in &release.workloads {
                if let Some(f) = selector.failing(w) {
                    counts.iter_mut().filter(|(k, _)| *k == f).for_each(|(_, n)| *n += 1);
                }
            }
            let top = counts.iter().max_by_key(|(_, n)| *n).map(|(f, _)| *f);
            let (fields, why): (&[&str], &str) = match top {
                _ if release.workloads.is_empty() => (&[], "the release has no pod templates"),
                Some(Filter::Labels) => (&["labelSelector"], "its labelSelector matches no pod template's labels"),
                Some(Filter::Namespaces) => (
                    &["includedNamespaces", "excludedNamespaces"],
                    "its namespaces rule out every workload",
                ),
                _ => (
                    &["includedResources", "excludedResources"],
                    "its resources leave out `pods`, the only resource exec hooks run in",
                ),
            };
            let node = fields
                .iter()
                .find_map(|f| res.entry(f))
                .map(|(k, _)| k)
                .or_else(|| res.get("name"))
                .unwrap_or(res);
            ctx.report(
                o.file,
                node.span(),
                format!(
                    "{} hook entry `{name}` runs on no pod in the release: {why}, so its hooks silently never run",
                    o.kind.as_deref().unwrap_or_default()
                ),
            )
            .with_help(match top {
                Some(Filter::Namespaces) => "include the namespace the workload runs in (KOTS installs into the app namespace; omit includedNamespaces to mean all)",
                Some(Filter::Resources) => "include `pods` in includedResources (or leave it empty)",
                _ => "make the selector match the pod template labels (`spec.template.metadata.labels`) of the workload that holds the data",
            });
        }
    }
}

/// A chart whose pods the release index may lack: an archive that could not be read, a
/// template not analyzed (HELM001), or a HelmChart naming a chart the release does not ship
/// or naming it with a template.
fn charts_incomplete(release: &Release) -> bool {
    if release
        .charts
        .iter()
        .any(|c| c.problem.is_some() || !c.not_analyzed.is_empty())
    {
        return true;
    }
    let shipped: Vec<&(String, String)> = release.charts.iter().filter_map(|c| c.chart.as_ref()).collect();
    release_helm_charts(release).iter().any(|hc| {
        if release.files[hc.file].chart.is_some() {
            return false;
        }
        match (&hc.name, &hc.version) {
            (Some((name, _)), Some((version, _))) if !hc.templated => {
                !shipped.iter().any(|(n, v)| n == name && v == version)
            }
            _ => true,
        }
    })
}

pub(super) fn is_hook_annotation(key: &str) -> bool {
    key.split_once('/')
        .is_some_and(|(p, _)| PREFIXES.iter().any(|x| x.name == p))
}

pub fn annotations_on_workload(ctx: &mut Ctx) {
    let release = ctx.release;
    for w in &release.workloads {
        if w.template_path.is_empty() {
            continue;
        }
        let root = w.root(release);
        let Some((ann_key, ann)) = root.get("metadata").and_then(|m| m.entry("annotations")) else {
            continue;
        };
        let Some(template) = w.template(release) else { continue };
        let doc = Doc::of(release, w.file);
        for (k, _) in ann.entries() {
            let Some(key) = k.as_str().filter(|k| is_hook_annotation(k)) else {
                continue;
            };
            // The same value on the pod already: nothing to merge, the workload's copy goes.
            let merge = |_: &str, src: Node<'_>, dst: Node<'_>| {
                (src.as_str().is_some() && src.as_str() == dst.as_str())
                    .then(|| dst.as_str().unwrap_or_default().to_owned())
            };
            let edits = doc.move_entries((ann_key, ann), &[key], (template, &["metadata", "annotations"]), &merge);
            let fix = edits.and_then(|e| ctx.fix(format!("move `{key}` to the pod template's annotations"), e));
            ctx.report(
                w.file,
                k.span(),
                format!(
                    "hook annotation `{key}` is on {} `{}` itself: Velero reads hook annotations only on pods, so this hook never runs",
                    w.kind, w.name
                ),
            )
            .with_help(format!(
                "put it under `{}.metadata.annotations`",
                w.template_path
            ))
            .with_fix(fix);
        }
    }
}

pub fn unknown_annotation(ctx: &mut Ctx) {
    let release = ctx.release;
    let known: Vec<String> = known_keys().collect();
    let mut maps: Vec<(usize, Node<'_>)> = annotation_maps(release).iter().map(|m| (m.file, m.map)).collect();
    for w in &release.workloads {
        if let Some(own) = w.own_annotations(release) {
            maps.push((w.file, own));
        }
    }
    // The same foreign keys (`prometheus.io/scrape`, ...) recur on every workload: compare each
    // distinct key with the known ones once.
    let mut suggestions: std::collections::HashMap<&str, Option<&str>> = std::collections::HashMap::new();
    for (file, map) in maps {
        for (k, _) in map.entries() {
            let Some(key) = k.as_str() else { continue };
            if is_known_key(key) {
                continue;
            }
            let suggestion = *suggestions
                .entry(key)
                .or_insert_with(|| closest(key, known.iter().map(String::as_str)));
            if !looks_like_hook_key(key) && suggestion.is_none() {
                continue;
            }
            let (prefix, name) = key.split_once('/').unwrap_or((key, ""));
            let (why, suggestion) = match (prefix, name) {
                ("post.hook.restore.velero.io", "timeout") => (
                    "restore exec hooks have `exec-timeout` (how long the command may run) and `wait-timeout` (how long to wait for the container), not `timeout`".to_owned(),
                    None,
                ),
                ("init.hook.restore.velero.io", "timeout") => (
                    "Velero defines but never reads this key; restore init containers have no timeout annotation".to_owned(),
                    None,
                ),
                (p, _) if p.eq_ignore_ascii_case("pre.hook.restore.velero.io") => (
                    "Velero has no pre-restore hooks; use `init.hook.restore.velero.io/*` (an init container that runs before the pod's containers) or `post.hook.restore.velero.io/*`".to_owned(),
                    None,
                ),
                _ => match PREFIXES.iter().find(|p| p.name == prefix) {
                    Some(p) => (
                        format!(
                            "`{}` hooks know only {}",
                            p.name,
                            p.keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                        ),
                        suggestion,
                    ),
                    None => ("Velero knows no such hook annotation".to_owned(), suggestion),
                },
            };
            // A rename onto a key the map already has would lose one of the two values.
            let fix = suggestion.filter(|s| map.get(s).is_none()).and_then(|s| {
                let edit = Doc::of(ctx.release, file).replace_scalar(k, s)?;
                ctx.fix(format!("rename to `{s}`"), vec![edit])
            });
            let d = ctx.report(
                file,
                k.span(),
                format!("unknown hook annotation `{key}`, ignored by Velero: {why}"),
            );
            match suggestion {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help("see the hook annotation keys in `snaplint explain HOOK009`"),
            };
            d.with_fix(fix);
        }
    }
}
