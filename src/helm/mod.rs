//! Helm charts in a release, rendered in-process as `helm template` v3.17 renders them:
//! `archive` reads `.tgz` files in memory, `chart` loads charts and computes their values
//! (dependencies, coalescing, `.Files`, `.Capabilities`), `template` is Go's `text/template`
//! (`lex` -> `parse` -> `exec`), `funcs` the Go, Sprig and Helm functions, `goyaml` YAML and
//! JSON exactly as Helm's Go libraries read and write them, `value` the Go values templates see,
//! and `render` Helm's engine loop. The user's values come from the matching KOTS `HelmChart`'s
//! `spec.values` (`load`). KOTS template values
//! (`repl{{ ... }}`) stay as text: the renderer never decides on them, and the template masking
//! marks them templated in the rendered output. A template the renderer cannot evaluate is
//! reported "not analyzed" instead of guessed.

pub mod archive;
mod base64;
pub mod chart;
mod funcs;
pub mod goyaml;
mod load;
mod manifest;
mod probe;
mod render;
mod template;
pub mod value;
pub mod values;

use serde_json::Value;

pub use chart::read_chart;
pub use load::{
    ChartRecord, ChartSource, Engine, HelmChartRef, NotAnalyzed, helm_charts, load_charts, release_helm_charts,
};
pub use probe::ValueMap;
pub use render::{FailedAt, ReleaseInfo, Rendered, Text};

/// What an `include` gives when its output depends on a KOTS template value: itself a KOTS
/// template, so the YAML masking marks it unknown and no template decides on it.
pub const UNKNOWN_UNTIL_INSTALL: &str = "repl{{ snaplint: unknown until install }}";

/// A KOTS template expression, unknown until install time.
pub fn is_kots_template(s: &str) -> bool {
    s.contains("repl{{") || s.contains("{{repl")
}

/// One chart, its templates and its subcharts, all in memory.
pub type Chart = chart::ChartNode;

/// The renderer's bounds, from `.snaplint.yaml` `limits:`.
pub fn render_limits(limits: &crate::source::Limits) -> template::Limits {
    let bytes = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    template::Limits {
        max_steps: limits.max_template_steps,
        max_output: bytes(limits.max_template_output),
        max_depth: limits.max_include_depth,
        max_chart_output: bytes(limits.max_chart_output),
    }
}

/// Render every template of the chart and its enabled subcharts, `overrides` being the user's
/// values (the KOTS HelmChart's `spec.values`, as `helm template -f`), under the default limits.
pub fn render(chart: &Chart, overrides: &Value, release: &ReleaseInfo) -> Vec<Rendered> {
    render_within(chart, overrides, release, &template::Limits::default())
}

/// [`render`] under `limits`.
pub fn render_within(
    chart: &Chart,
    overrides: &Value,
    release: &ReleaseInfo,
    limits: &template::Limits,
) -> Vec<Rendered> {
    let scopes = match chart::render_values(chart, &value::Value::from(overrides)) {
        Ok(s) => s,
        Err(e) => {
            return vec![Rendered {
                path: format!("{}/values.yaml", chart.dir),
                result: Err(e),
                failed_at: None,
            }];
        }
    };
    let capabilities = chart::capabilities(chart::DEFAULT_KUBE_VERSION);
    render::render_scopes(&scopes, release, &capabilities, limits)
}
