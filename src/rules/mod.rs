//! The rule engine: rule specs are data (`rules/*.yaml`), each naming one Rust check here.
//! `run` executes the selected rules over the release index and applies config filters and
//! inline suppressions.

mod backup;
mod chart_values;
pub mod duration;
mod filter;
mod helm;
pub mod hooks;
mod kots;
mod parse;
mod restore;
pub mod schema;
mod spec;
pub mod storage;
pub mod suggest;
mod suppression;
pub mod versions;
pub mod volumes;

use serde::de::DeserializeOwned;

pub use filter::{Filter, pattern_matches};
pub use kots::not_selected;
pub use spec::{FixKind, RULE_FILES, RuleSpec, SpecError, builtin, find, load_dir, parse_spec};

use crate::compat::ClusterVersions;
use crate::diagnostic::{Diagnostic, Edit, FileId, Fix, Location};
use crate::release::Release;
use crate::yaml::Span;

/// What a check sees: the release, its own spec, and a place to put findings.
pub struct Ctx<'a> {
    pub release: &'a Release,
    pub rule: &'a RuleSpec,
    /// Every known rule (for checks about rule IDs themselves, like suppressions).
    pub rules: &'a [RuleSpec],
    /// What the user said about the customer's cluster (`check --kots-version ...`).
    pub versions: &'a ClusterVersions,
    shared: &'a Shared<'a>,
    out: Vec<Diagnostic>,
}

/// Models several checks need, built at most once per run and shared (across threads).
#[derive(Default)]
pub struct Shared<'r> {
    hooks: std::sync::OnceLock<Vec<hooks::Hook<'r>>>,
    hook_runs: std::sync::OnceLock<hooks::patterns::HookRuns>,
    pods: std::sync::OnceLock<Vec<volumes::Pod<'r>>>,
}

/// Facts for a run that are not in the release.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub versions: ClusterVersions,
}

impl<'a> Ctx<'a> {
    fn new(
        release: &'a Release,
        rule: &'a RuleSpec,
        rules: &'a [RuleSpec],
        run: (&'a RunOptions, &'a Shared<'a>),
    ) -> Self {
        Ctx {
            release,
            rule,
            rules,
            versions: &run.0.versions,
            shared: run.1,
            out: Vec::new(),
        }
    }

    /// Every backup and restore hook in the release (built once per run).
    pub fn hooks(&self) -> &'a [hooks::Hook<'a>] {
        self.shared.hooks.get_or_init(|| hooks::hooks(self.release))
    }

    /// Which of [`Ctx::hooks`] run in each workload (built once per run).
    pub fn hook_runs(&self) -> &'a hooks::patterns::HookRuns {
        self.shared
            .hook_runs
            .get_or_init(|| hooks::patterns::HookRuns::new(self.release, self.hooks()))
    }

    /// Every workload's pod with its volume annotations read (built once per run).
    pub(crate) fn pods(&self) -> &'a [volumes::Pod<'a>] {
        self.shared.pods.get_or_init(|| volumes::pods(self.release))
    }

    fn diagnostic(&self, location: Option<Location>, message: String) -> Diagnostic {
        Diagnostic {
            rule: self.rule.id.clone(),
            name: self.rule.name.clone(),
            severity: self.rule.severity,
            message,
            location,
            labels: Vec::new(),
            help: None,
            fix: None,
        }
    }

    /// Report a finding at a span of a file.
    pub fn report(&mut self, file: FileId, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        let d = self.diagnostic(Some(Location { file, span }), message.into());
        self.out.push(d);
        self.out.last_mut().expect("just pushed")
    }

    /// Report a finding about the release as a whole.
    pub fn report_release(&mut self, message: impl Into<String>) -> &mut Diagnostic {
        let d = self.diagnostic(None, message.into());
        self.out.push(d);
        self.out.last_mut().expect("just pushed")
    }

    /// A fix with this rule's declared applicability; `None` when the rule declares no fix.
    pub fn fix(&self, description: impl Into<String>, edits: Vec<Edit>) -> Option<Fix> {
        self.rule.fix.applicability().map(|applicability| Fix {
            applicability,
            description: description.into(),
            edits,
        })
    }

    /// The rule's params, decoded. Built-in params are covered by the fixture tests; params of a
    /// user rule file that do not fit the check fall back to the check's defaults (no crash).
    pub fn params<T: DeserializeOwned + Default>(&self) -> T {
        serde_json::from_value(self.rule.params.clone()).unwrap_or_default()
    }

    /// `path:line:column` of a span, for pointing at a related place in another file in text
    /// (not every output format shows related locations).
    pub fn place(&self, file: FileId, span: &Span) -> String {
        let f = &self.release.files[file];
        let p = f.lines().position(&f.text, span.start);
        format!("{}:{}:{}", f.path.display(), p.line, p.column)
    }

    pub fn text(&self, file: FileId, span: &Span) -> &'a str {
        self.release.files[file].text.get(span.clone()).unwrap_or("")
    }
}

impl Diagnostic {
    pub fn with_help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_fix(&mut self, fix: Option<Fix>) -> &mut Self {
        self.fix = fix;
        self
    }

    pub fn with_severity(&mut self, severity: crate::diagnostic::Severity) -> &mut Self {
        self.severity = severity;
        self
    }

    pub fn with_label(&mut self, file: FileId, span: Span, message: impl Into<String>) -> &mut Self {
        self.labels.push(crate::diagnostic::Label {
            location: Location { file, span },
            message: message.into(),
        });
        self
    }
}

pub type CheckFn = fn(&mut Ctx);

/// Every check, by the name rule files use in `check:`.
pub const CHECKS: &[(&str, CheckFn)] = &[
    ("yaml-parse", parse::yaml_parse),
    ("backup-present", backup::present),
    ("backup-identity", backup::identity),
    ("backup-unique", backup::unique),
    ("backup-schema", backup::schema),
    ("backup-kots-managed-fields", backup::kots_managed_fields),
    ("hook-command-invalid", hooks::command_invalid),
    ("hook-restore-image-air-gap", hooks::restore_image_air_gap),
    ("hook-command-shell", hooks::command_shell),
    ("hook-on-error", hooks::on_error),
    ("hook-timeout", hooks::timeout),
    ("hook-container-missing", hooks::container_missing),
    ("hook-selector-matches-nothing", hooks::selector_matches_nothing),
    ("hook-annotations-on-workload", hooks::annotations_on_workload),
    ("hook-restore-init-incomplete", hooks::restore_init_incomplete),
    ("hook-annotation-unknown", hooks::unknown_annotation),
    ("hook-container-implicit", hooks::container_implicit),
    ("hook-spec-shadowed", hooks::shadowed_spec_hook),
    ("hook-annotations-on-non-pod", hooks::annotations_on_non_pod),
    ("hook-dump-not-backed-up", hooks::patterns::dump_not_backed_up),
    ("hook-dump-default-timeout", hooks::patterns::dump_default_timeout),
    ("hook-dump-on-error-unset", hooks::patterns::dump_on_error_unset),
    ("hook-restore-not-waiting", hooks::patterns::restore_not_waiting),
    ("suppression-ids", suppression::unknown_ids),
    ("volumes-opt-in", volumes::not_opted_in),
    ("volumes-unknown-name", volumes::unknown_volume),
    ("volumes-on-workload", volumes::on_workload_metadata),
    ("volumes-unsupported-type", volumes::unsupported_type),
    ("volumes-include-exclude", volumes::included_and_excluded),
    ("volumes-malformed", volumes::malformed),
    ("volumes-key-typo", volumes::misspelled_key),
    ("volumes-not-mounted", volumes::not_mounted),
    ("volumes-block-device", volumes::block_device),
    ("volumes-ignored-by-mode", volumes::ignored_by_mode),
    ("volumes-not-running", volumes::not_running),
    ("volumes-host-path-storage", volumes::host_path_storage),
    ("volumes-on-non-pod", volumes::on_non_pod),
    ("s3-sse-bucket-policy", storage::sse_bucket_policy),
    ("velero-storage-locations", storage::storage_locations),
    ("velero-for-kots", versions::velero_for_kots),
    ("kubernetes-tested", versions::kubernetes_tested),
    ("velero-unsupported", versions::velero_unsupported),
    ("field-newer-than-velero", versions::field_newer_than_velero),
    ("min-kots-version", versions::min_kots_version),
    ("embedded-cluster-snapshots", versions::embedded_cluster),
    ("restic-settings", versions::restic_settings),
    (
        "hook-feature-newer-than-velero",
        versions::hook_feature_newer_than_velero,
    ),
    ("version-invalid", versions::invalid_version),
    ("chart-template-not-analyzed", helm::template_not_analyzed),
    ("chart-archive-invalid", helm::archive_invalid),
    ("helm-chart-archive-missing", helm::helm_chart_archive_missing),
    ("backup-filter-lists", backup::filter_lists),
    ("backup-both-selectors", backup::both_selectors),
    ("backup-mixed-filters", backup::mixed_filters),
    ("backup-exclude-label", backup::exclude_label),
    ("namespaces-may-not-exist", backup::namespaces_may_not_exist),
    ("kots-conditions-misplaced", backup::kots_conditions),
    ("kots-object-storage", kots::object_storage_unprotected),
    ("kots-retain-storage-class", kots::retain_storage_class),
    ("kots-namespace-not-backed-up", kots::namespace_not_backed_up),
    ("kots-helm-backup-labels", kots::helm_backup_labels),
    ("kots-operator-not-selected", kots::operator_not_selected),
    ("restore-without-backup", restore::without_backup),
    ("restore-backup-name", restore::backup_name),
    ("restore-hooks", restore::hooks),
];

/// Run one rule's check alone, as the engine would: for unit tests of single checks.
#[cfg(test)]
pub(crate) fn run_rule(release: &Release, id: &str) -> Vec<Diagnostic> {
    let rules = builtin().expect("built-in rules");
    let rule = rules.iter().find(|r| r.id == id).expect("rule");
    let (options, shared) = (RunOptions::default(), Shared::default());
    let mut ctx = Ctx::new(release, rule, rules, (&options, &shared));
    if let Some(check) = check_fn(&rule.check) {
        check(&mut ctx);
    }
    ctx.out
}

pub fn check_fn(name: &str) -> Option<CheckFn> {
    CHECKS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// Run the rules the filter selects, then apply severity overrides, per-file ignores and
/// inline suppressions. Output is sorted by file, position and rule.
pub fn run(release: &Release, rules: &[RuleSpec], filter: &Filter, options: &RunOptions) -> Vec<Diagnostic> {
    let selected: Vec<&RuleSpec> = rules.iter().filter(|r| filter.selects(r)).collect();
    // The models checks share live only while checks run: freed before the findings are
    // sorted, not after.
    let per_rule = {
        let shared = Shared::default();
        run_checks(release, &selected, rules, (options, &shared))
    };
    let mut out: Vec<Diagnostic> = per_rule.into_iter().flatten().collect();
    for d in &mut out {
        helm::relocate_to_template(d, release);
    }
    out.retain_mut(|d| filter.keep(d, release) && !suppression::is_suppressed(d, release));
    for d in &mut out {
        helm::adjust_for_archives(d, release);
    }
    out.sort_by(|a, b| sort_key(a, release).cmp(&sort_key(b, release)));
    out
}

/// Checks only read the release, so they run in parallel; results come back in rule order and
/// are sorted later, so the output does not depend on scheduling.
fn run_checks<'a>(
    release: &'a Release,
    selected: &[&'a RuleSpec],
    rules: &'a [RuleSpec],
    run: (&'a RunOptions, &'a Shared<'a>),
) -> Vec<Vec<Diagnostic>> {
    use rayon::prelude::*;
    selected
        .par_iter()
        .map(|rule| {
            let Some(check) = check_fn(&rule.check) else {
                return Vec::new();
            };
            let mut ctx = Ctx::new(release, rule, rules, run);
            let t = std::time::Instant::now();
            check(&mut ctx);
            if std::env::var_os("SNAPLINT_TIMINGS").is_some() {
                eprintln!("{:>9.2} ms {}", t.elapsed().as_secs_f64() * 1e3, rule.id);
            }
            ctx.out
        })
        .collect()
}

fn sort_key<'r>(d: &'r Diagnostic, release: &'r Release) -> (Option<&'r std::path::Path>, usize, &'r str) {
    match &d.location {
        Some(l) => (
            Some(release.files[l.file].path.as_path()),
            l.span.start,
            d.rule.as_str(),
        ),
        None => (None, 0, d.rule.as_str()),
    }
}
