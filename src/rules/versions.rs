//! VER rules: the KOTS, Velero and Kubernetes versions a release pins (kURL `Installer`, KOTS
//! `Application`) or the user states (`check --kots-version ...`), against `rules/compat.yaml`.
//! A templated version is unknown and never a finding; kURL's `latest` is unknown too.

use std::sync::OnceLock;

use super::Ctx;
use crate::compat::{self, Tested, Version, VersionSpec, parse_version};
use crate::diagnostic::{Diagnostic, FileId, Severity};
use crate::release::{Object, Release};
use crate::yaml::{Node, Span};

const KURL_APIS: &[&str] = &["kurl.sh/v1beta1", "cluster.kurl.sh/v1beta1"];

/// A version and where it came from: a field in the release, or a command-line flag.
struct Site {
    value: VersionSpec,
    at: Option<(FileId, Span)>,
    origin: String,
}

pub fn installers(release: &Release) -> impl Iterator<Item = &Object> {
    release.objects.iter().filter(|o| {
        o.kind.as_deref() == Some("Installer") && o.api_version.as_deref().is_some_and(|a| KURL_APIS.contains(&a))
    })
}

pub fn applications(release: &Release) -> impl Iterator<Item = &Object> {
    release.objects.iter().filter(|o| {
        o.kind.as_deref() == Some("Application") && o.api_version.as_deref().is_some_and(|a| a.starts_with("kots.io/"))
    })
}

/// A known (non-templated) version field of an Installer add-on; `None` when absent, templated,
/// `latest` or invalid (invalid ones are VER008's).
fn installer_site(release: &Release, o: &Object, addon: &str) -> Option<Site> {
    let node = release.node(o).path(&format!("spec.{addon}.version"))?;
    let raw = scalar_version(node)?;
    match parse_version(&raw).ok()? {
        VersionSpec::Latest => None,
        value => Some(Site {
            value,
            at: Some((o.file, node.span())),
            origin: format!("the kURL Installer's spec.{addon}.version"),
        }),
    }
}

/// The text of a version scalar; numbers such as `1.15` keep their source text.
fn scalar_version(node: Node<'_>) -> Option<String> {
    node.as_str().map(str::to_owned)
}

fn flag_site(v: &Option<VersionSpec>, flag: &str) -> Option<Site> {
    v.clone().map(|value| Site {
        value,
        at: None,
        origin: format!("--{flag}"),
    })
}

/// The KOTS version that goes with an Installer: its kotsadm add-on, else `--kots-version`.
fn kots_for(ctx: &Ctx, installer: Option<&Object>) -> Option<Site> {
    installer
        .and_then(|o| installer_site(ctx.release, o, "kotsadm"))
        .or_else(|| flag_site(&ctx.versions.kots, "kots-version"))
}

/// (Installer, its Velero version) pairs, or the `--velero-version` flag when no Installer pins one.
fn velero_sites<'r>(ctx: &Ctx<'r>) -> Vec<(Option<&'r Object>, Site)> {
    let release = ctx.release;
    let mut out: Vec<(Option<&Object>, Site)> = installers(release)
        .filter_map(|o| installer_site(release, o, "velero").map(|s| (Some(o), s)))
        .collect();
    if out.is_empty()
        && let Some(s) = flag_site(&ctx.versions.velero, "velero-version")
    {
        out.push((None, s));
    }
    out
}

fn report_site<'c>(ctx: &'c mut Ctx, site: &Site, message: String) -> &'c mut Diagnostic {
    match &site.at {
        Some((file, span)) => ctx.report(*file, span.clone(), message),
        None => ctx.report_release(message),
    }
}

/// VER001: the Installer's Velero is outside what its KOTS version supports.
pub fn velero_for_kots(ctx: &mut Ctx) {
    let data = compat::data();
    for (installer, velero) in velero_sites(ctx) {
        if data.velero_unsupported(&velero.value) {
            continue; // VER003
        }
        let Some(kots) = kots_for(ctx, installer) else {
            continue;
        };
        let needs = match data.oldest_kots_for(&velero.value) {
            Some(r) => format!("Velero {} needs KOTS {} or later", velero.value, r.kots),
            None => format!("no KOTS version supports Velero {}", velero.value),
        };
        let (message, help) = match data.kots_row(&kots.value) {
            None => (
                format!(
                    "KOTS {} ({}) is older than every row of the KOTS Velero compatibility table (the oldest is {} and later); {needs}",
                    kots.value,
                    kots.origin,
                    data.oldest_row().map(|r| r.kots.to_string()).unwrap_or_default()
                ),
                "upgrade KOTS; see `snaplint compat --table`".to_owned(),
            ),
            Some(row) if partly_in(&row.velero, &velero.value) => {
                // kURL resolves `X.Y.x` to the newest X.Y patch it ships (kurl.sh "Create an
                // installer"), which compat.yaml does not record: it may or may not be in range.
                let message = format!(
                    "kURL resolves Velero {} to the newest {} patch it ships, which may be newer than {}, the newest Velero KOTS {} supports (row \"{} and later\"); {needs}",
                    velero.value,
                    minor_of(&velero.value),
                    row.velero.max,
                    kots.value,
                    row.kots
                );
                let help = format!(
                    "pin an exact Velero patch within {} (for example {}), or a newer KOTS; check with `snaplint compat --kots {} --velero {}`",
                    row.velero, row.velero.max, kots.value, velero.value
                );
                report_site(ctx, &velero, message)
                    .with_severity(Severity::Warning)
                    .with_help(help);
                continue;
            }
            Some(row) if !row.velero.contains(&velero.value) => (
                format!(
                    "Velero {} is outside {}, the Velero range KOTS {} supports (row \"{} and later\"); {needs}",
                    velero.value, row.velero, kots.value, row.kots
                ),
                format!(
                    "pin a Velero version in {} or a newer KOTS; check with `snaplint compat --kots {} --velero {}`",
                    row.velero, kots.value, velero.value
                ),
            ),
            Some(_) => continue,
        };
        report_site(ctx, &velero, message).with_help(help);
    }
}

/// Whether the customer's Velero is, or may be, exactly `v`, and what says so.
pub enum VeleroMayBe {
    Is(String),
    Maybe(String),
}

/// Whether the customer's Velero may be exactly `v`: the pinned versions (kURL Installer, else
/// `--velero-version`) decide when there are any; else the row of the KOTS version (Installer or
/// `--kots-version`); else every Velero KOTS supports. `None` when they rule `v` out.
pub fn velero_may_be(ctx: &Ctx, v: &Version) -> Option<VeleroMayBe> {
    let sites = velero_sites(ctx);
    if !sites.is_empty() {
        return sites.into_iter().find_map(|(_, s)| match &s.value {
            VersionSpec::Exact(x) if x == v => Some(VeleroMayBe::Is(format!("{} is {v}", s.origin))),
            VersionSpec::Wildcard(w) if (w.major, w.minor) == (v.major, v.minor) => Some(VeleroMayBe::Maybe(format!(
                "{} is {}, which kURL resolves to the newest patch it ships",
                s.origin, s.value
            ))),
            _ => None,
        });
    }
    let data = compat::data();
    let installer = installers(ctx.release).next();
    let (range, why) = match kots_for(ctx, installer).and_then(|k| data.kots_row(&k.value).map(|r| (k, r))) {
        Some((kots, row)) => (
            &row.velero,
            format!("KOTS {} ({}) supports Velero {}", kots.value, kots.origin, row.velero),
        ),
        None => (&data.supported, format!("KOTS supports Velero {}", data.supported)),
    };
    range
        .contains(&VersionSpec::Exact(v.clone()))
        .then_some(VeleroMayBe::Maybe(why))
}

/// A kURL wildcard `X.Y.x` whose X.Y.0 is in the range but whose later patches are not all.
fn partly_in(range: &compat::Range, v: &VersionSpec) -> bool {
    match v {
        VersionSpec::Wildcard(lo) => !range.contains(v) && range.contains(&VersionSpec::Exact(lo.clone())),
        _ => false,
    }
}

fn minor_of(v: &VersionSpec) -> String {
    v.minor().map(|(a, b)| format!("{a}.{b}")).unwrap_or_default()
}

/// VER002: the Kubernetes version is not among those tested for the KOTS row.
pub fn kubernetes_tested(ctx: &mut Ctx) {
    let data = compat::data();
    let release = ctx.release;
    let mut sites: Vec<(Option<&Object>, Site)> = installers(release)
        .filter_map(|o| installer_site(release, o, "kubernetes").map(|s| (Some(o), s)))
        .collect();
    if sites.is_empty()
        && let Some(s) = flag_site(&ctx.versions.kubernetes, "kubernetes-version")
    {
        sites.push((None, s));
    }
    for (installer, k8s) in sites {
        let Some(kots) = kots_for(ctx, installer) else {
            continue;
        };
        let Some(row) = data.kots_row(&kots.value) else {
            continue; // VER001 / VER005
        };
        if compat::tested(&row.kubernetes, &k8s.value) != Tested::No {
            continue;
        }
        // The KOTS column is the "tested on" list of the row's newest Velero; a known Velero
        // version has its own list (vmware-tanzu/velero README.md@vX.Y.0).
        let velero = installer
            .and_then(|o| installer_site(release, o, "velero"))
            .map(|s| s.value)
            .or_else(|| ctx.versions.velero.clone());
        let velero_row = velero.as_ref().and_then(|v| data.velero_row(v).map(|r| (v, r)));
        if velero_row.is_some_and(|(_, r)| compat::tested(&r.tested, &k8s.value) != Tested::No) {
            continue;
        }
        let also = velero_row
            .filter(|(_, r)| r.tested != row.kubernetes)
            .map_or_else(String::new, |(v, r)| {
                format!(
                    ", nor among those Velero {v} was tested on ({})",
                    compat::join(&r.tested)
                )
            });
        let expected = velero_row
            .map(|(_, r)| r)
            .or_else(|| data.velero_row(&row.velero.max))
            .map(|r| r.expected.as_str());
        let tail = match (expected, expected_floor(expected)) {
            (Some(e), Some(floor)) if k8s.value.minor().is_some_and(|m| m < floor) => {
                format!("; it is also older than the Kubernetes Velero expects to work on ({e})")
            }
            (Some(e), _) => format!(
                "; Velero expects to work on Kubernetes {e}, so it may work, but this combination was not tested"
            ),
            (None, _) => String::new(),
        };
        let message = format!(
            "Kubernetes {} is not among the versions listed for KOTS {} (row \"{} and later\": {}, the versions Velero {} was tested on){also}{tail}",
            k8s.value,
            kots.value,
            row.kots,
            compat::join(&row.kubernetes),
            row.velero.max,
        );
        report_site(ctx, &k8s, message).with_help("use a Kubernetes minor version from the tested list, or a KOTS or Velero version whose tested list includes this one (`snaplint compat --table`)");
    }
}

/// The (major, minor) a Velero "expected" range such as `1.18-latest` starts at.
fn expected_floor(expected: Option<&str>) -> Option<(u64, u64)> {
    let (major, minor) = expected?.split('-').next()?.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// VER003: Velero older than 1.11.0, or 1.19 and newer.
pub fn velero_unsupported(ctx: &mut Ctx) {
    let data = compat::data();
    for (_, velero) in velero_sites(ctx) {
        if !data.velero_unsupported(&velero.value) {
            continue;
        }
        let low = velero.value.lowest().unwrap_or_else(|| Version::new(0, 0, 0));
        let why = if low >= data.unsupported_from {
            format!(
                "Velero {} is not supported by any KOTS version ({} and newer are not supported)",
                velero.value, data.unsupported_from
            )
        } else {
            format!(
                "Velero {} is older than {}, the oldest Velero any KOTS version supports",
                velero.value, data.supported.min
            )
        };
        report_site(ctx, &velero, format!("{why}; KOTS supports Velero {}", data.supported)).with_help(format!(
            "use a Velero version from {} that your KOTS version supports (`snaplint compat --table`)",
            data.supported
        ));
    }
}

/// VER004: a Backup field newer than the oldest Velero the release allows.
pub fn field_newer_than_velero(ctx: &mut Ctx) {
    let Some(oldest) = oldest_velero(ctx) else { return };
    let release = ctx.release;
    let mut found: Vec<Newer> = Vec::new();
    for o in release.backups() {
        let Some(spec) = release.node(o).get("spec") else {
            continue;
        };
        for (key, _) in spec.entries() {
            let Some(name) = key.as_str() else { continue };
            if let Some(since) = backup_field_since(name) {
                found.push((o.file, key.span(), format!("Backup field `spec.{name}`"), since));
            }
        }
    }
    report_newer(ctx, found, &oldest, Some(BACKUP_FIELD_SCOPE));
}

/// KOTS copies none of these fields into a full backup (`replicatedhq/kots
/// pkg/kotsadmsnapshot/backup.go` `mergeAppBackupSpec`): the Velero version matters only where
/// the vendor's Backup reaches Velero as written.
const BACKUP_FIELD_SCOPE: &str = "application-only (partial) backups and Embedded Cluster improved disaster recovery then run without it; KOTS full backups drop the field whatever the Velero version (BKP005)";

/// HOOK011: a hook key or field newer than the oldest Velero the release allows.
pub fn hook_feature_newer_than_velero(ctx: &mut Ctx) {
    let Some(oldest) = oldest_velero(ctx) else { return };
    let release = ctx.release;
    // `wait-for-ready` / `waitForReady` came with Velero 1.13 (PR #6918).
    let wait_for_ready = Version::new(1, 13, 0);
    let mut found: Vec<Newer> = Vec::new();
    for (o, restore) in release.hook_specs() {
        if !restore {
            continue;
        }
        let resources = release
            .node(o)
            .path("spec.hooks.resources")
            .map(Node::items)
            .unwrap_or_default();
        for hook in resources
            .iter()
            .flat_map(|r| r.get("postHooks").map(Node::items).unwrap_or_default())
        {
            if let Some((key, _)) = hook.get("exec").and_then(|e| e.entry("waitForReady")) {
                found.push((
                    o.file,
                    key.span(),
                    "Restore hook `exec.waitForReady`".into(),
                    wait_for_ready.clone(),
                ));
            }
        }
    }
    for w in &release.workloads {
        let Some(ann) = w.pod_annotations(release) else {
            continue;
        };
        if let Some((key, _)) = ann.entry("post.hook.restore.velero.io/wait-for-ready") {
            let what = "restore hook annotation `post.hook.restore.velero.io/wait-for-ready`".into();
            found.push((w.file, key.span(), what, wait_for_ready.clone()));
        }
    }
    report_newer(ctx, found, &oldest, None);
}

/// (file, span, what, the Velero version it needs)
type Newer = (FileId, Span, String, Version);

/// The oldest Velero the release allows, and where that bound comes from: the lowest version
/// pinned in the release or given on the command line, else the oldest Velero KOTS supports.
fn oldest_velero(ctx: &Ctx) -> Option<(Version, String)> {
    let pinned = velero_sites(ctx)
        .iter()
        .filter_map(|(_, s)| s.value.lowest().map(|v| (v, s.origin.clone())))
        .min_by(|a, b| a.0.cmp(&b.0));
    pinned.or_else(|| {
        let data = compat::data();
        data.supported
            .min
            .lowest()
            .map(|v| (v, "the oldest Velero KOTS supports".to_owned()))
    })
}

/// `scope`: for Backup fields, which backup types the finding concerns (VER004).
fn report_newer(ctx: &mut Ctx, found: Vec<Newer>, (oldest, origin): &(Version, String), scope: Option<&str>) {
    for (file, span, what, since) in found {
        if since <= *oldest {
            continue;
        }
        let (major, minor) = (since.major, since.minor);
        let (message, help) = match scope {
            None => (
                format!(
                    "{what} needs Velero {major}.{minor} or later, but this release allows Velero {oldest} ({origin}); older Velero ignores it"
                ),
                format!("require Velero {major}.{minor}+ (pin it in the kURL Installer) or drop the field"),
            ),
            Some(scope) => (
                format!(
                    "{what} needs Velero {major}.{minor} or later, but this release allows Velero {oldest} ({origin}): on older Velero {scope}"
                ),
                format!(
                    "if partial backups or Embedded Cluster disaster recovery rely on it, pin Velero {major}.{minor}+ in the kURL Installer; otherwise drop the field, since full backups never use it"
                ),
            ),
        };
        ctx.report(file, span, message).with_help(help);
    }
}

/// `x-velero-since` of a Backup spec field, from the bundled Backup schema.
fn backup_field_since(name: &str) -> Option<Version> {
    static SINCE: OnceLock<Vec<(String, Version)>> = OnceLock::new();
    SINCE
        .get_or_init(|| {
            let schema: serde_json::Value =
                serde_json::from_str(include_str!("../../schemas/backup.schema.json")).unwrap_or_default();
            schema
                .pointer("/properties/spec/properties")
                .and_then(|p| p.as_object())
                .map(|props| {
                    props
                        .iter()
                        .filter_map(|(k, v)| {
                            let since = v.get("x-velero-since")?.as_str()?;
                            let (a, b) = since.split_once('.')?;
                            Some((k.clone(), Version::new(a.parse().ok()?, b.parse().ok()?, 0)))
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// VER005: `minKotsVersion` older than the oldest row of the KOTS table, or not a version.
pub fn min_kots_version(ctx: &mut Ctx) {
    let data = compat::data();
    let release = ctx.release;
    let Some(oldest) = data.oldest_row().map(|r| r.kots.clone()) else {
        return;
    };
    for o in applications(release) {
        let Some(node) = release.node(o).path("spec.minKotsVersion") else {
            continue;
        };
        let Some(raw) = scalar_version(node) else { continue };
        let message = match parse_version(&raw) {
            Ok(VersionSpec::Exact(v)) if v >= oldest => continue,
            Ok(VersionSpec::Exact(v)) => format!(
                "minKotsVersion {v} is older than {oldest}, the oldest KOTS in the Velero compatibility table: customers on it may run a Velero no KOTS row covers"
            ),
            Ok(_) => format!("minKotsVersion `{raw}` is not a version: expected an exact KOTS version like `1.125.2`"),
            Err(e) => format!("minKotsVersion {e}"),
        };
        ctx.report(o.file, node.span(), message).with_help(format!(
            "set `minKotsVersion: {oldest}` or later (`snaplint compat --table`)"
        ));
    }
}

/// VER008: a version string that is not a version.
pub fn invalid_version(ctx: &mut Ctx) {
    let release = ctx.release;
    let mut found: Vec<(FileId, Span, String)> = Vec::new();
    for o in installers(release) {
        let root = release.node(o);
        for addon in ["velero", "kotsadm", "kubernetes"] {
            let Some(node) = root.path(&format!("spec.{addon}.version")) else {
                continue;
            };
            let Some(raw) = scalar_version(node) else { continue };
            if let Err(e) = parse_version(&raw) {
                found.push((o.file, node.span(), format!("kURL spec.{addon}.version {e}")));
            }
        }
    }
    for o in applications(release) {
        let Some(node) = release.node(o).path("spec.targetKotsVersion") else {
            continue;
        };
        let Some(raw) = scalar_version(node) else { continue };
        match parse_version(&raw) {
            Ok(VersionSpec::Exact(_)) => {}
            Ok(_) => found.push((
                o.file,
                node.span(),
                format!("targetKotsVersion `{raw}` is not a version: expected an exact KOTS version like `1.125.2`"),
            )),
            Err(_) => found.push((
                o.file,
                node.span(),
                format!("targetKotsVersion `{raw}` is not a version: expected an exact KOTS version like `1.125.2`"),
            )),
        }
    }
    for (file, span, message) in found {
        ctx.report(file, span, message)
            .with_help("write MAJOR.MINOR.PATCH, e.g. `1.15.2`; quote it so YAML keeps it a string");
    }
}

/// VER006: a Backup without a Restore in a release that also ships an Embedded Cluster Config.
/// Info only: KOTS merges a lone Backup on Embedded Cluster too (`replicatedhq/kots
/// pkg/kotsadmsnapshot/backup.go` L597-603) and EC keeps a legacy restore path.
pub fn embedded_cluster(ctx: &mut Ctx) {
    let release = ctx.release;
    let Some(ec) = release.objects.iter().find(|o| {
        o.kind.as_deref() == Some("Config")
            && o.api_version
                .as_deref()
                .is_some_and(|a| a.starts_with("embeddedcluster.replicated.com/"))
    }) else {
        return;
    };
    let has_restore = release
        .objects
        .iter()
        .any(|o| o.kind.as_deref() == Some("Restore") && o.api_version.as_deref() == Some(crate::release::VELERO_API));
    if has_restore {
        return; // Backup + Restore: configured for Embedded Cluster disaster recovery.
    }
    let ec_span = release.node(ec).get("kind").map(|k| k.span());
    let backups: Vec<&Object> = release.backups().collect();
    for b in backups {
        let root = release.node(b);
        let span = root
            .get("kind")
            .map_or(root.span().start..root.span().start, |k| k.span());
        let d = ctx.report(
            b.file,
            span,
            "this release ships an Embedded Cluster Config and a Backup but no Restore: on Embedded Cluster KOTS still merges this Backup into its backups (legacy disaster recovery), but the Embedded Cluster disaster-recovery docs require a velero Restore as well",
        );
        d.with_help("to follow the Embedded Cluster disaster-recovery docs, ship a velero Restore whose spec.backupName is this Backup's name; on Embedded Cluster the app's resources are selected by this Backup's orLabelSelectors (https://docs.replicated.com/embedded-cluster/v2/embedded-disaster-recovery)");
        if let Some(s) = &ec_span {
            d.with_label(ec.file, s.clone(), "Embedded Cluster Config");
        }
    }
}

/// VER007: Restic-only settings where Velero 1.17+ (Kopia) is used.
pub fn restic_settings(ctx: &mut Ctx) {
    let data = compat::data();
    let release = ctx.release;
    let kopia = |v: &VersionSpec| data.uploader(v) == Some(compat::Uploader::Kopia);
    let mut found: Vec<(FileId, Span, String, &'static str)> = Vec::new();
    for o in installers(release) {
        let velero_version = installer_site(release, o, "velero")
            .map(|s| s.value)
            .or_else(|| ctx.versions.velero.clone());
        let Some(v) = velero_version.filter(|v| kopia(v)) else {
            continue;
        };
        let Some(velero) = release.node(o).path("spec.velero") else {
            continue;
        };
        for (key, instead) in [
            (
                "disableRestic",
                "the node-agent DaemonSet runs Kopia; there is no Restic to disable",
            ),
            (
                "resticRequiresPrivileged",
                "the Kopia node-agent replaces the Restic pods this made privileged",
            ),
            (
                "resticTimeout",
                "Velero 1.10+ calls this --fs-backup-timeout (serverFlags)",
            ),
        ] {
            if let Some((k, _)) = velero.entry(key) {
                found.push((
                    o.file,
                    k.span(),
                    format!("kURL velero `{key}` is a Restic setting, but Velero {v} uses Kopia"),
                    instead,
                ));
            }
        }
        for item in velero.get("serverFlags").map(Node::items).unwrap_or_default() {
            if item
                .as_str()
                .is_some_and(|f| f.replace(' ', "=") == "--uploader-type=restic")
            {
                found.push((
                    o.file,
                    item.span(),
                    format!("`--uploader-type=restic` is rejected by Velero {v}: Velero 1.17 removed Restic backups"),
                    "drop it: Kopia is the only uploader from Velero 1.17",
                ));
            }
        }
    }
    for o in release.backups() {
        if let Some((k, _)) = release
            .node(o)
            .get("spec")
            .and_then(|s| s.entry("defaultVolumesToRestic"))
        {
            found.push((
                o.file,
                k.span(),
                "`defaultVolumesToRestic` is deprecated since Velero 1.10: Velero remaps `true` to `defaultVolumesToFsBackup` in application-only (partial) backups, and KOTS full backups drop it".into(),
                "write `defaultVolumesToFsBackup` instead, the field Velero reads (the uploader, Restic or Kopia, is chosen by the Velero version, not by this field)",
            ));
        }
    }
    let cluster_kopia = velero_sites(ctx).iter().any(|(_, s)| kopia(&s.value));
    if cluster_kopia {
        for o in release
            .objects
            .iter()
            .filter(|o| o.api_version.as_deref().is_some_and(|a| a.starts_with("velero.io/")))
        {
            release.node(o).walk(&mut |n| {
                if let Some((k, v)) = n.entry("uploaderType")
                    && v.as_str() == Some("restic")
                {
                    found.push((
                        o.file,
                        k.span(),
                        "`uploaderType: restic`: Velero 1.17+ backs up pod volumes with Kopia only".into(),
                        "use `uploaderType: kopia`",
                    ));
                }
            });
        }
    }
    for (file, span, message, help) in found {
        ctx.report(file, span, message).with_help(help);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(s: &str) -> VersionSpec {
        parse_version(s).expect("version")
    }

    #[test]
    fn a_wildcard_is_partly_in_a_range_that_ends_inside_its_minor() {
        let range = compat::Range {
            min: spec("1.11.0"),
            max: spec("1.16.1"),
        };
        assert!(partly_in(&range, &spec("1.16.x")));
        // Wholly in, wholly out, or exact: not "partly".
        assert!(!partly_in(&range, &spec("1.15.x")));
        assert!(!partly_in(&range, &spec("1.17.x")));
        assert!(!partly_in(&range, &spec("1.16.2")));
    }

    #[test]
    fn expected_floor_reads_velero_ranges() {
        assert_eq!(expected_floor(Some("1.18-latest")), Some((1, 18)));
        assert_eq!(expected_floor(Some("latest")), None);
        assert_eq!(expected_floor(None), None);
    }
}
