//! Helm chart archives and KOTS HelmChart resources: archives that cannot be read (HELM002),
//! templates the renderer could not evaluate (HELM001), HelmCharts naming a chart the release
//! does not ship (KOTS002). Findings in rendered templates move to the template line that wrote
//! them; fixes that would edit the chart are dropped (the change belongs in the HelmChart's
//! `spec.values`, where the rules that can put it there do).

use super::{Ctx, chart_values};
use crate::diagnostic::{Diagnostic, EditTarget, Label, Location};
use crate::helm::release_helm_charts;
use crate::release::Release;

pub fn archive_invalid(ctx: &mut Ctx) {
    for c in &ctx.release.charts {
        if let Some(problem) = &c.problem {
            ctx.report(c.file, 0..0, format!("chart archive cannot be read: {problem}"))
                .with_help("re-create it with `helm package`; nothing in it was checked");
        }
    }
}

pub fn template_not_analyzed(ctx: &mut Ctx) {
    for c in &ctx.release.charts {
        for n in &c.not_analyzed {
            let (file, span) = n.at.clone().unwrap_or((c.file, 0..0));
            ctx.report(file, span, format!("`{}` not analyzed: {}", n.template, n.why))
                .with_help("no rule checked what this template renders; check it by hand or with `helm template ... | snaplint check -`");
        }
    }
}

pub fn helm_chart_archive_missing(ctx: &mut Ctx) {
    let release = ctx.release;
    if release.charts.iter().any(|c| c.problem.is_some()) {
        // An unreadable archive could be the one the HelmChart means: unknown, not reported.
        return;
    }
    for hc in release_helm_charts(release) {
        if release.files[hc.file].chart.is_some() || hc.templated {
            continue;
        }
        let (Some((name, name_span)), Some((version, _))) = (&hc.name, &hc.version) else {
            continue;
        };
        let shipped: Vec<&(String, String)> = release.charts.iter().filter_map(|c| c.chart.as_ref()).collect();
        if shipped.iter().any(|(n, v)| n == name && v == version) {
            continue;
        }
        let same_name: Vec<&str> = shipped
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        let help = if same_name.is_empty() {
            format!(
                "add the `{name}` chart archive (`helm package`) at version {version} to the release, or fix `spec.chart.name`"
            )
        } else {
            format!(
                "the release ships `{name}` version {}; set `spec.chart.chartVersion` to it or add the {version} archive",
                same_name.join(", ")
            )
        };
        ctx.report(
            hc.file,
            name_span.clone(),
            format!("HelmChart names chart `{name}` version {version}, but no chart archive in the release has that name and version"),
        )
        .with_help(help);
    }
}

/// A finding in a rendered chart template moves to where the vendor wrote what it is about: a
/// pod annotation the HelmChart's values set, to that value; anything else, to the template
/// line that wrote it (the text itself for copied text, the whole `{{ ... }}` for an action's
/// value). The rendered place stays as the first related location. Runs before suppressions and per-file ignores,
/// so a `# snaplint-ignore:` comment in the template and a `charts/**` ignore both apply.
pub fn relocate_to_template(d: &mut Diagnostic, release: &Release) {
    let Some(rendered) = d.location.clone() else {
        return;
    };
    let Some(source) = source_location(&rendered, release) else {
        return;
    };
    for label in &mut d.labels {
        if let Some(l) = source_location(&label.location, release) {
            label.location = l;
        }
    }
    d.labels.insert(
        0,
        Label {
            location: rendered,
            message: "rendered here".into(),
        },
    );
    d.location = Some(source);
}

fn source_location(loc: &Location, release: &Release) -> Option<Location> {
    chart_values::values_location(release, loc).or_else(|| template_location(loc, release))
}

fn template_location(loc: &Location, release: &Release) -> Option<Location> {
    let pieces = &release.files.get(loc.file)?.provenance;
    let i = pieces.partition_point(|p| p.at <= loc.span.start).checked_sub(1)?;
    let piece = &pieces[i];
    let span = if piece.verbatim {
        let start = piece.span.start + (loc.span.start - piece.at);
        let len = loc.span.len().min(piece.span.end.saturating_sub(start));
        start..start + len
    } else {
        piece.span.clone()
    };
    Some(Location { file: piece.file, span })
}

/// Findings in a chart's files: no fix edits a chart (snaplint edits neither archives nor
/// templates); a fix through the HelmChart's values, outside the chart, stays. Without one,
/// the help says where the change belongs.
pub fn adjust_for_archives(d: &mut Diagnostic, release: &Release) {
    let in_chart = |id: usize| release.files.get(id).and_then(|f| f.chart.as_ref());
    let edits_chart = d.fix.as_ref().is_some_and(|f| {
        f.edits.iter().any(|e| match e.target {
            EditTarget::File(id) => in_chart(id).is_some(),
            EditTarget::NewFile(_) => false,
        })
    });
    if edits_chart && let Some(fix) = &mut d.fix {
        // An edit of a rendered annotation the chart's values set is made there instead.
        let moved: Option<Vec<_>> = fix
            .edits
            .iter()
            .map(|e| chart_values::values_edit(release, e))
            .collect();
        match moved {
            Some(edits) => fix.edits = edits,
            None => d.fix = None,
        }
    }
    let Some(location) = d.location.as_ref() else {
        return;
    };
    let Some(chart) = in_chart(location.file) else {
        return;
    };
    // Only a finding about rendered output has a change to make through values (HELM001 on
    // a template's line is about the template itself).
    let rendered = |id: usize| {
        release
            .files
            .get(id)
            .is_some_and(|f| f.chart.is_some() && !f.template_source)
    };
    let about_output = rendered(location.file) || d.labels.iter().any(|l| rendered(l.location.file));
    if d.fix.is_some() || !about_output {
        return;
    }
    let template = &release.files[location.file].path;
    let kind = if crate::source::is_chart_dir(chart) {
        "chart"
    } else {
        "chart archive"
    };
    let note = format!(
        "this is rendered from the {kind} `{}`: make the change through the HelmChart's `spec.values` if the chart has a value for it (for pod annotations, usually the chart's `podAnnotations`), or in `{}`",
        chart.display(),
        template.display()
    );
    d.help = Some(match d.help.take() {
        Some(h) => format!("{h}; {note}"),
        None => note,
    });
}
