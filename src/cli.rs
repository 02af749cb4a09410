//! The command line: clap definitions and the glue from flags to the library.

use std::io::{IsTerminal, Read as _};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::compat::{self, ClusterVersions, VersionSpec};
use crate::config::{self, Config};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::unified_diff;
use crate::helm::Engine;
use crate::lint::{self, Input};
use crate::release::Release;
use crate::report::{self, display_path};
use crate::rules::{self, Filter, RuleSpec, RunOptions};
use crate::source;

#[derive(Parser, Debug)]
#[command(
    name = "snaplint",
    version,
    about = "Lint Replicated KOTS releases for snapshot (Velero backup and restore) mistakes"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint a release directory, files, or `-` for a YAML stream on stdin.
    Check(CheckArgs),
    /// Same as `check --fix`.
    Fix(CheckArgs),
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
        format: RulesFormat,
    },
    /// Show the full explanation of a rule, by ID or name.
    Explain { rule: String },
    /// Is this KOTS / Velero / Kubernetes combination supported? Needs no release.
    Compat(CompatArgs),
    /// Print a bundled JSON Schema: `config` (for editors validating .snaplint.yaml), `report`
    /// (the JSON output), `backup` (the Velero Backup as snaplint checks it), or `plan`
    /// (`plan --format json`).
    Schema {
        #[arg(value_enum)]
        name: SchemaName,
    },
    /// Print what snaplint renders for each Helm chart of a release (like `helm template`,
    /// with the values used), to debug HELM001 or compare with helm.
    Render(RenderArgs),
    /// For each Backup KOTS creates from the release (full, partial, Embedded Cluster): which
    /// pod volumes are really backed up, and which hooks run at backup and restore time.
    Plan(PlanArgs),
    /// A language server over stdio for editors: findings as diagnostics, quick fixes, hover.
    Server,
}

#[derive(Args, Debug)]
pub struct PlanArgs {
    /// Release directories or files.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// `human` (tables), `markdown` (GitHub-flavoured tables, for a job summary) or `json`
    /// (`snaplint schema plan`).
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
    /// Ignore any .snaplint.yaml.
    #[arg(long)]
    pub no_config: bool,
    /// Use this config file instead of discovering .snaplint.yaml.
    #[arg(long, conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanFormat {
    Human,
    Markdown,
    Json,
}

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// Release directories, chart directories or chart archives.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// `text` is helm's shape; `json` adds each piece's template line and column.
    #[arg(long, value_enum, default_value_t = RenderFormat::Text)]
    pub format: RenderFormat,
    /// Ignore any .snaplint.yaml.
    #[arg(long)]
    pub no_config: bool,
    /// Use this config file instead of discovering .snaplint.yaml.
    #[arg(long, conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Who renders Helm charts.
#[derive(Args, Debug, Default)]
pub struct EngineArgs {
    /// `builtin` (snaplint's own renderer: no helm needed, findings on template lines) or
    /// `helm` (a helm binary renders the charts with the same values).
    #[arg(long, value_enum, default_value_t = HelmEngine::Builtin)]
    pub helm_engine: HelmEngine,
    /// The helm binary for `--helm-engine helm` (default: `helm` on PATH).
    #[arg(long, value_name = "PATH", requires = "helm_engine")]
    pub helm: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HelmEngine {
    #[default]
    Builtin,
    Helm,
}

impl EngineArgs {
    /// The engine, after checking that a helm binary runs (a clear error, not one per chart).
    fn resolve(&self) -> Result<Engine, String> {
        match self.helm_engine {
            HelmEngine::Builtin => Ok(Engine::Builtin),
            HelmEngine::Helm => {
                let helm = self.helm.clone().unwrap_or_else(|| PathBuf::from("helm"));
                let runs = std::process::Command::new(&helm)
                    .arg("version")
                    .output()
                    .map_err(|e| e.to_string())
                    .and_then(|o| {
                        if o.status.success() {
                            Ok(())
                        } else {
                            Err(String::from_utf8_lossy(&o.stderr).trim().to_owned())
                        }
                    });
                match runs {
                    Ok(()) => Ok(Engine::Helm(helm)),
                    Err(e) => Err(format!(
                        "--helm-engine helm: cannot run `{}` ({e}); install helm, pass --helm PATH, or use the built-in renderer",
                        helm.display()
                    )),
                }
            }
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenderFormat {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaName {
    Config,
    Report,
    Backup,
    Plan,
}

impl SchemaName {
    fn text(self) -> &'static str {
        match self {
            SchemaName::Config => include_str!("../schemas/config.schema.json"),
            SchemaName::Report => include_str!("../schemas/report.schema.json"),
            SchemaName::Backup => include_str!("../schemas/backup.schema.json"),
            SchemaName::Plan => include_str!("../schemas/plan.schema.json"),
        }
    }
}

#[derive(Args, Debug)]
pub struct CompatArgs {
    /// KOTS version, e.g. 1.124.5.
    #[arg(long, value_parser = parse_version_flag, required_unless_present = "table", requires = "velero")]
    pub kots: Option<VersionSpec>,
    /// Velero version, e.g. 1.15.0.
    #[arg(long, value_parser = parse_version_flag, required_unless_present = "table", requires = "kots")]
    pub velero: Option<VersionSpec>,
    /// Kubernetes version, e.g. 1.30.4 (optional).
    #[arg(long, value_parser = parse_version_flag)]
    pub kubernetes: Option<VersionSpec>,
    /// Print the whole compatibility matrix instead.
    #[arg(long, conflicts_with_all = ["kots", "velero", "kubernetes"])]
    pub table: bool,
    #[arg(long, value_enum, default_value_t = RulesFormat::Table, value_name = "text|json", value_parser = parse_compat_format)]
    pub format: RulesFormat,
}

fn parse_compat_format(s: &str) -> Result<RulesFormat, String> {
    match s {
        "text" | "table" => Ok(RulesFormat::Table),
        "json" => Ok(RulesFormat::Json),
        _ => Err(format!("unknown format `{s}` (one of: text, json)")),
    }
}

/// `latest` says nothing about a customer's cluster: flags need a real version.
fn parse_version_flag(s: &str) -> Result<VersionSpec, String> {
    match compat::parse_version(s)? {
        VersionSpec::Latest => Err(format!("`{s}`: give the version installed, e.g. 1.15.2")),
        v => Ok(v),
    }
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Release directories or files; `-` reads one stream from stdin.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Only these rules (IDs, prefixes like VOL, or names), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Skip these rules (IDs, prefixes or names), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Ignore any .snaplint.yaml.
    #[arg(long)]
    pub no_config: bool,
    /// Use this config file instead of discovering .snaplint.yaml.
    #[arg(long, conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Apply safe fixes.
    #[arg(long)]
    pub fix: bool,
    /// With --fix or --diff, also apply unsafe fixes (they change behaviour; review them).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff and write nothing.
    #[arg(long)]
    pub diff: bool,
    /// Load extra rule files from this directory: each reuses a built-in check with its own ID,
    /// severity and params (see README). Repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Also write the report in another format to a file, e.g. `--output sarif=snaplint.sarif`.
    /// Repeatable; the terminal still gets `--format`.
    #[arg(long, value_name = "FORMAT=PATH", value_parser = parse_output)]
    pub output: Vec<(Format, PathBuf)>,
    /// The customer's KOTS version (checked against the compatibility table).
    #[arg(long, value_name = "V", value_parser = parse_version_flag)]
    pub kots_version: Option<VersionSpec>,
    /// The customer's Velero version.
    #[arg(long, value_name = "V", value_parser = parse_version_flag)]
    pub velero_version: Option<VersionSpec>,
    /// The customer's Kubernetes version.
    #[arg(long, value_name = "V", value_parser = parse_version_flag)]
    pub kubernetes_version: Option<VersionSpec>,
    /// With `-`: stdin is the unsaved text of this file, linted with the rest of its release
    /// read from disk. Only that file's findings are printed; `--fix` prints the fixed text to
    /// stdout and writes nothing. For editors (ALE, nvim-lint, flycheck, none-ls).
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
}

impl CheckArgs {
    fn run_options(&self) -> RunOptions {
        RunOptions {
            versions: ClusterVersions {
                kots: self.kots_version.clone(),
                velero: self.velero_version.clone(),
                kubernetes: self.kubernetes_version.clone(),
            },
        }
    }
}

impl CheckArgs {
    fn paths_given(&self) -> bool {
        self.paths.len() != 1 || self.paths[0].as_os_str() != "."
    }
}

fn parse_output(s: &str) -> Result<(Format, PathBuf), String> {
    let (format, path) = s
        .split_once('=')
        .ok_or("expected FORMAT=PATH, e.g. sarif=snaplint.sarif")?;
    let format = Format::from_str(format, true).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|v| v.get_name().to_owned())
            .collect();
        format!("unknown format `{format}` (one of: {})", names.join(", "))
    })?;
    if path.is_empty() {
        return Err("empty PATH".into());
    }
    Ok((format, PathBuf::from(path)))
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
    Gitlab,
    Markdown,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RulesFormat {
    Table,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

/// Exit codes: 0 clean, 1 findings (or changes under --diff), 2 usage/config/I-O error.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Run the CLI; `Err` is a one-line message for stderr with exit code 2.
pub fn run(cli: Cli) -> Result<u8, String> {
    let rules = rules::builtin().map_err(|e| e.to_string())?;
    match cli.command {
        Command::Check(args) => check(args, rules),
        Command::Fix(mut args) => {
            args.fix = true;
            check(args, rules)
        }
        Command::Rules { format } => {
            print!("{}", rules_output(rules, format));
            Ok(EXIT_CLEAN)
        }
        Command::Explain { rule } => {
            let spec = rules::find(rules, &rule).ok_or_else(|| format!("no rule `{rule}` (see `snaplint rules`)"))?;
            print!("{}", explain_output(spec));
            Ok(EXIT_CLEAN)
        }
        Command::Compat(args) => compat_command(&args),
        Command::Schema { name } => {
            print!("{}", name.text());
            Ok(EXIT_CLEAN)
        }
        Command::Render(args) => render_command(&args, rules),
        Command::Plan(args) => plan_command(&args, rules),
        Command::Server => crate::server::run(rules).map(|()| EXIT_CLEAN),
    }
}

/// What `plan` and `render` read: a release from paths (not stdin), with the config, excludes
/// and limits `check` would use, charts rendered by `engine`.
struct PathsInput<'a> {
    command: &'a str,
    paths: &'a [PathBuf],
    no_config: bool,
    config: Option<&'a PathBuf>,
    engine: &'a Engine,
}

fn load_paths(input: &PathsInput, rules: &[RuleSpec]) -> Result<Release, String> {
    if input.paths.iter().any(|p| p.as_os_str() == "-") {
        return Err(format!("{} reads from paths, not stdin", input.command));
    }
    let config = load_config(input.no_config, input.config, input.paths.first(), rules)?;
    let exclude = config::glob_set(&config.exclude)?;
    let release = lint::load_rendered_by(
        Input::Paths {
            paths: input.paths,
            exclude: &exclude,
            base: &config.base,
        },
        &config.limits.resolve(),
        input.engine,
    )
    .map_err(|e| e.to_string())?;
    for s in &release.skipped {
        eprintln!("snaplint: warning: {}: skipped: {}", s.path.display(), s.reason);
    }
    Ok(release)
}

fn plan_command(args: &PlanArgs, rules: &[RuleSpec]) -> Result<u8, String> {
    let engine = args.engine.resolve()?;
    let input = PathsInput {
        command: "plan",
        paths: &args.paths,
        no_config: args.no_config,
        config: args.config.as_ref(),
        engine: &engine,
    };
    let release = load_paths(&input, rules)?;
    let plan = report::plan::build(&release);
    print!(
        "{}",
        match args.format {
            PlanFormat::Human => report::plan::human(&plan),
            PlanFormat::Markdown => report::plan::markdown(&plan),
            PlanFormat::Json => report::plan::json(&plan),
        }
    );
    Ok(EXIT_CLEAN)
}

fn render_command(args: &RenderArgs, rules: &[RuleSpec]) -> Result<u8, String> {
    let engine = args.engine.resolve()?;
    let input = PathsInput {
        command: "render",
        paths: &args.paths,
        no_config: args.no_config,
        config: args.config.as_ref(),
        engine: &engine,
    };
    let release = load_paths(&input, rules)?;
    if release.charts.is_empty() {
        return Err("no Helm chart (archive or directory with Chart.yaml) under the given paths".into());
    }
    print!(
        "{}",
        match args.format {
            RenderFormat::Text => report::rendered::text(&release, &engine),
            RenderFormat::Json => report::rendered::json(&release, &engine),
        }
    );
    Ok(EXIT_CLEAN)
}

pub fn rules_output(rules: &[RuleSpec], format: RulesFormat) -> String {
    match format {
        RulesFormat::Json => {
            let list: Vec<_> = rules
                .iter()
                .map(|r| {
                    serde_json::json!({"id": r.id, "name": r.name, "severity": r.severity, "category": r.category,
                        "summary": r.summary, "fix": r.fix, "velero": r.velero})
                })
                .collect();
            serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"
        }
        RulesFormat::Table => {
            let mut out = format!(
                "{:<9} {:<34} {:<8} {:<6} {}\n",
                "ID", "NAME", "SEVERITY", "FIX", "SUMMARY"
            );
            for r in rules {
                let fix = serde_json::to_value(r.fix)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "{:<9} {:<34} {:<8} {:<6} {}\n",
                    r.id,
                    r.name,
                    r.severity.as_str(),
                    fix,
                    r.summary
                ));
            }
            out
        }
    }
}

pub fn explain_output(r: &RuleSpec) -> String {
    let fix = serde_json::to_value(r.fix)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut out = format!(
        "# {} ({})\n\n{}\n\nSeverity: {}. Category: {}. Fix: {}.",
        r.id,
        r.name,
        r.summary,
        r.severity.as_str(),
        r.category,
        fix
    );
    if let Some(v) = &r.velero {
        out.push_str(&format!(" Velero: {v}."));
    }
    out.push_str("\n\n");
    out.push_str(r.explain.trim_end());
    out.push('\n');
    out
}

fn load_config(
    no_config: bool,
    explicit: Option<&PathBuf>,
    first_path: Option<&PathBuf>,
    rules: &[RuleSpec],
) -> Result<Config, String> {
    if no_config {
        return Ok(Config::default());
    }
    let path = match explicit {
        Some(p) => Some(p.clone()),
        None => first_path
            .filter(|p| p.as_os_str() != "-")
            .and_then(|p| config::discover(p)),
    };
    match path {
        Some(p) => config::load(&p, rules).map_err(|e| e.to_string()),
        None => Ok(Config::default()),
    }
}

fn merged_filter(config: &Config, args: &CheckArgs, rules: &[RuleSpec]) -> Result<Filter, String> {
    let mut filter = config.filter()?;
    for p in args.select.iter().chain(&args.ignore) {
        if !rules.iter().any(|r| rules::pattern_matches(p, &r.id, &r.name)) {
            return Err(format!("`{p}` matches no snaplint rule (see `snaplint rules`)"));
        }
    }
    if !args.select.is_empty() {
        filter.select = args.select.clone();
    }
    filter.ignore.extend(args.ignore.iter().cloned());
    Ok(filter)
}

fn check(args: CheckArgs, builtin: &[RuleSpec]) -> Result<u8, String> {
    let mut all = builtin.to_vec();
    for dir in &args.rule_dirs {
        let extra = rules::load_dir(dir, &all).map_err(|e| e.to_string())?;
        all.extend(extra);
    }
    all.sort_by(|a, b| a.id.cmp(&b.id));
    let rules = all.as_slice();
    let config = load_config(args.no_config, args.config.as_ref(), args.paths.first(), rules)?;
    let filter = merged_filter(&config, &args, rules)?;
    let fail_on: Severity = args
        .fail_on
        .map(Severity::from)
        .or(config.fail_on)
        .unwrap_or(Severity::Warning);
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if let Some(buffer) = &args.stdin_filename {
        if args.paths.len() != 1 || !stdin {
            return Err("--stdin-filename reads the file's text from stdin: give `-` as the only path".into());
        }
        let config = load_config(args.no_config, args.config.as_ref(), Some(buffer), rules)?;
        return check_buffer(buffer, &args, &config, rules, (&filter, fail_on));
    }
    if stdin && args.fix && !args.diff {
        return Err("--fix cannot write to stdin; use --diff to see the fixes".into());
    }
    let exclude = config::glob_set(&config.exclude)?;
    // With no path on the command line, the config's `paths:` (relative to it) say where the
    // release is: how the pre-commit hook lints the whole release, not just changed files.
    let paths: Vec<PathBuf> = if args.paths_given() || config.paths.is_empty() {
        args.paths.clone()
    } else {
        config.paths.iter().map(|p| config.base.join(p)).collect()
    };
    let limits = config.limits.resolve();
    let release = if stdin {
        lint::load_with(Input::Stdin(read_stdin(&limits)?), &limits)
    } else {
        lint::load_rendered_by(
            Input::Paths {
                paths: &paths,
                exclude: &exclude,
                base: &config.base,
            },
            &limits,
            &args.engine.resolve()?,
        )
    }
    .map_err(|e| e.to_string())?;
    for s in &release.skipped {
        eprintln!("snaplint: warning: {}: skipped: {}", s.path.display(), s.reason);
    }
    let roots = paths;

    if args.fix || args.diff {
        return fix(release, rules, &filter, &args, fail_on, &roots);
    }
    let diagnostics = lint::lint(&release, rules, &filter, &args.run_options());
    emit(&release, &diagnostics, &args, rules)?;
    // The process exits next; freeing a large release node by node would cost a tenth of the run.
    std::mem::forget(release);
    Ok(exit_code(&diagnostics, fail_on))
}

/// stdin, within the file size limit.
fn read_stdin(limits: &source::Limits) -> Result<String, String> {
    let mut text = String::new();
    std::io::stdin()
        .take(limits.max_file_size.saturating_add(1))
        .read_to_string(&mut text)
        .map_err(|e| format!("<stdin>: cannot read: {e}"))?;
    if text.len() as u64 > limits.max_file_size {
        return Err(format!(
            "<stdin>: larger than {} (limits.max-file-size in .snaplint.yaml)",
            source::human_size(limits.max_file_size)
        ));
    }
    Ok(text)
}

/// `check --stdin-filename PATH -`: the release PATH belongs to (the `.snaplint.yaml` found
/// from PATH, its `paths:` or its directory; without one, PATH's directory) read from disk,
/// with stdin as PATH's text. Only PATH's findings are reported; `--fix` prints its fixed text.
fn check_buffer(
    buffer: &Path,
    args: &CheckArgs,
    config: &Config,
    rules: &[RuleSpec],
    (filter, fail_on): (&Filter, Severity),
) -> Result<u8, String> {
    let limits = config.limits.resolve();
    let text = read_stdin(&limits)?;
    let paths: Vec<PathBuf> = match (config.base.as_os_str().is_empty(), config.paths.is_empty()) {
        (false, false) => config.paths.iter().map(|p| config.base.join(p)).collect(),
        (false, true) => vec![config.base.clone()],
        (true, _) => vec![
            buffer
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf(),
        ],
    };
    let exclude = config::glob_set(&config.exclude)?;
    let input = Input::Paths {
        paths: &paths,
        exclude: &exclude,
        base: &config.base,
    };
    let release = lint::load_rendered_by(input, &limits, &args.engine.resolve()?).map_err(|e| e.to_string())?;
    let (release, id) = lint::with_buffer(release, buffer, text);
    if args.fix || args.diff {
        let outcome = lint::fix(release, rules, filter, &args.run_options(), args.unsafe_fixes);
        let fixed = &outcome.release.files[id];
        let original = outcome
            .changes
            .iter()
            .find(|c| c.path == fixed.path)
            .and_then(|c| c.original.clone());
        if args.diff {
            print!(
                "{}",
                unified_diff(&fixed.path, original.as_deref().unwrap_or(&fixed.text), &fixed.text)
            );
        } else {
            print!("{}", fixed.text);
        }
        let remaining: Vec<Diagnostic> = outcome.remaining.into_iter().filter(|d| d.file() == Some(id)).collect();
        eprintln!(
            "{} finding{} remain in {}",
            remaining.len(),
            if remaining.len() == 1 { "" } else { "s" },
            buffer.display()
        );
        return Ok(exit_code(&remaining, fail_on));
    }
    let diagnostics: Vec<Diagnostic> = lint::lint(&release, rules, filter, &args.run_options())
        .into_iter()
        .filter(|d| d.file() == Some(id))
        .collect();
    emit(&release, &diagnostics, args, rules)?;
    Ok(exit_code(&diagnostics, fail_on))
}

fn fix(
    release: Release,
    rules: &[RuleSpec],
    filter: &Filter,
    args: &CheckArgs,
    fail_on: Severity,
    roots: &[PathBuf],
) -> Result<u8, String> {
    let outcome = lint::fix(release, rules, filter, &args.run_options(), args.unsafe_fixes);
    if args.diff {
        for c in &outcome.changes {
            print!(
                "{}",
                unified_diff(
                    std::path::Path::new(&display_path(&c.path)),
                    c.original.as_deref().unwrap_or(""),
                    &c.new
                )
            );
        }
        let n = outcome.applied;
        eprintln!(
            "{n} fix{} would be applied; nothing written.",
            if n == 1 { "" } else { "es" }
        );
        return Ok(if outcome.changes.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_FINDINGS
        });
    }
    // One file that cannot be written (read-only, changed on disk, outside the given paths) is
    // an error for that file; the others are still written. Exit 2 if any failed.
    let failed = lint::write_changes(&outcome.changes, roots);
    let unwritten: Vec<usize> = failed.iter().map(|(i, _)| *i).collect();
    let (n, changed, exhausted) = (outcome.applied, outcome.changes.len(), outcome.exhausted);
    let dropped = outcome.dropped.clone();
    // With files left unwritten, what remains is what is on disk: those files' findings too.
    let (release, remaining) = lint::remaining_after(outcome, &unwritten, rules, filter, &args.run_options());
    emit(&release, &remaining, args, rules)?;
    for (_, e) in &failed {
        eprintln!("snaplint: error: {e}");
    }
    for rule in &dropped {
        eprintln!("warning: a {rule} fix was not applied because it would break YAML parsing");
    }
    let written = changed - failed.len();
    let plural = |k: usize, one: &'static str, many: &'static str| if k == 1 { one } else { many };
    if failed.is_empty() {
        eprintln!(
            "Applied {n} fix{} in {written} file{}; {} finding{} remain{}.",
            plural(n, "", "es"),
            plural(written, "", "s"),
            remaining.len(),
            plural(remaining.len(), "", "s"),
            plural(remaining.len(), "s", ""),
        );
    } else {
        eprintln!(
            "Fixed {written} file{}; {} file{} not written (above); {} finding{} remain{}.",
            plural(written, "", "s"),
            failed.len(),
            plural(failed.len(), "", "s"),
            remaining.len(),
            plural(remaining.len(), "", "s"),
            plural(remaining.len(), "s", ""),
        );
    }
    if exhausted {
        eprintln!(
            "snaplint: error: fixes were still being offered after {} passes; run `--fix` again and report the release if it never settles",
            lint::MAX_FIX_PASSES
        );
    }
    if !failed.is_empty() || exhausted {
        return Ok(EXIT_ERROR);
    }
    Ok(exit_code(&remaining, fail_on))
}

/// Print the report in `--format` and write every `--output` file.
fn emit(release: &Release, diagnostics: &[Diagnostic], args: &CheckArgs, rules: &[RuleSpec]) -> Result<(), String> {
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    if args.format == Format::Json {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        report::write_json(release, diagnostics, &mut out)
            .and_then(|()| std::io::Write::flush(&mut out))
            .map_err(|e| format!("cannot write the report: {e}"))?;
    } else {
        print!("{}", render(release, diagnostics, args.format, rules, color));
    }
    for (format, path) in &args.output {
        let text = render(release, diagnostics, *format, rules, false);
        std::fs::write(path, text).map_err(|e| format!("{}: cannot write report: {e}", path.display()))?;
    }
    Ok(())
}

fn render(release: &Release, diagnostics: &[Diagnostic], format: Format, rules: &[RuleSpec], color: bool) -> String {
    match format {
        Format::Human => report::human(release, diagnostics, color),
        Format::Concise => report::concise(release, diagnostics),
        Format::Json => report::json(release, diagnostics),
        Format::Sarif => {
            let docs: Vec<report::RuleDoc<'_>> = rules
                .iter()
                .map(|r| report::RuleDoc {
                    id: &r.id,
                    name: &r.name,
                    severity: r.severity,
                    category: &r.category,
                    summary: &r.summary,
                    explain: &r.explain,
                })
                .collect();
            report::sarif(release, diagnostics, &docs)
        }
        Format::Github => report::github(release, diagnostics),
        Format::Gitlab => report::gitlab(release, diagnostics),
        Format::Markdown => report::markdown(release, diagnostics),
    }
}

fn exit_code(diagnostics: &[Diagnostic], fail_on: Severity) -> u8 {
    if diagnostics.iter().any(|d| d.severity >= fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// `snaplint compat`: exit 0 supported, 1 not; `--table` prints the matrix.
fn compat_command(args: &CompatArgs) -> Result<u8, String> {
    let data = compat::data();
    let json = args.format == RulesFormat::Json;
    if args.table {
        print!(
            "{}",
            if json {
                compat_table_json(data)
            } else {
                compat_table_text(data)
            }
        );
        return Ok(EXIT_CLEAN);
    }
    let (Some(kots), Some(velero)) = (&args.kots, &args.velero) else {
        return Err("give --kots and --velero (or --table)".into());
    };
    let verdict = data.verdict(kots, velero, args.kubernetes.as_ref());
    if json {
        println!("{}", serde_json::to_string_pretty(&verdict).unwrap_or_default());
    } else {
        print!("{}", compat_verdict_text(&verdict));
    }
    Ok(if verdict.supported { EXIT_CLEAN } else { EXIT_FINDINGS })
}

pub fn compat_verdict_text(v: &compat::Verdict) -> String {
    let k8s = v
        .kubernetes
        .as_ref()
        .map(|k| format!(", Kubernetes {k}"))
        .unwrap_or_default();
    let mut out = format!(
        "KOTS {}, Velero {}{k8s}: {}\n",
        v.kots,
        v.velero,
        if v.supported { "supported" } else { "NOT supported" }
    );
    for r in &v.reasons {
        out.push_str(&format!("  - {r}\n"));
    }
    out.push_str("Alternatives:\n");
    match &v.velero_for_kots {
        Some(range) => out.push_str(&format!("  - KOTS {} supports Velero {range}\n", v.kots)),
        None => out.push_str(&format!(
            "  - KOTS {} supports no Velero version in the table; upgrade KOTS\n",
            v.kots
        )),
    }
    match &v.oldest_kots_for_velero {
        Some(k) => out.push_str(&format!("  - Velero {} needs KOTS {k} or later\n", v.velero)),
        None => out.push_str(&format!("  - no KOTS version supports Velero {}\n", v.velero)),
    }
    if let Some(m) = &v.velero_matrix {
        out.push_str(&format!(
            "  - Velero {} itself: expected to work on Kubernetes {}, tested on {}\n",
            m.minor,
            m.expected,
            compat::join(&m.tested)
        ));
    }
    if let Some(u) = v.uploader {
        let name = match u {
            compat::Uploader::Restic => "Restic",
            compat::Uploader::Kopia => "Kopia",
        };
        out.push_str(&format!("File-system backups with Velero {} use {name}.\n", v.velero));
    }
    if let Some(row) = &v.row {
        out.push_str(&format!("Source: {}\n", row.source));
    }
    out
}

fn compat_table_text(data: &compat::Compat) -> String {
    let mut out = format!("{:<19} {:<20} {}\n", "KOTS", "VELERO", "TESTED KUBERNETES");
    for r in &data.kots {
        out.push_str(&format!(
            "{:<19} {:<20} {}\n",
            format!("{} and later", r.kots),
            r.velero.to_string(),
            compat::join(&r.kubernetes)
        ));
    }
    out.push_str(&format!(
        "\nKOTS supports Velero {}; {} and newer are not supported. Restic up to {}, Kopia from {}.\n",
        data.supported, data.unsupported_from, data.restic_max, data.kopia_min
    ));
    out.push_str(&format!(
        "\n{:<7} {:<12} {}\n",
        "VELERO", "EXPECTED", "TESTED KUBERNETES"
    ));
    for r in &data.velero {
        out.push_str(&format!(
            "{:<7} {:<12} {}\n",
            r.minor,
            r.expected,
            compat::join(&r.tested)
        ));
    }
    out.push_str(&format!(
        "\nSources: {}; {}\n",
        data.kots.first().map(|r| r.source.as_str()).unwrap_or_default(),
        data.velero.last().map(|r| r.source.as_str()).unwrap_or_default()
    ));
    out
}

fn compat_table_json(data: &compat::Compat) -> String {
    serde_json::to_string_pretty(data).unwrap_or_default() + "\n"
}
