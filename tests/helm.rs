//! Helm chart archives: committed `.tgz` fixtures are what packing their readable source
//! directories under `testdata/charts/` gives; a release of archive + HelmChart reports what
//! the same workloads written as plain manifests report; hostile archives each give one
//! finding, write nothing and finish fast.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use flate2::{Compression, GzBuilder};

/// Committed archives and the chart directory each is packed from.
const ARCHIVES: &[(&str, &str)] = &[
    ("testdata/releases/helm-chart/webapp-1.0.0.tgz", "webapp"),
    ("testdata/rules/KOTS002/pass/webapp-1.0.0.tgz", "webapp"),
    ("testdata/rules/KOTS002/fail/webapp-1.0.0.tgz", "webapp"),
    ("testdata/rules/HELM001/fail/unrenderable-0.1.0.tgz", "unrenderable"),
    ("testdata/rules/HELM001/pass/webapp-1.0.0.tgz", "webapp"),
    ("testdata/rules/HELM002/pass/webapp-1.0.0.tgz", "webapp"),
    // Fixtures of other rules whose HelmChart needs its archive (else KOTS002).
    ("testdata/rules/KOTS003/fail/acme-1.2.3.tgz", "acme"),
    ("testdata/rules/KOTS003/pass/acme-1.2.3.tgz", "acme"),
    ("testdata/rules/KOTS005/fail/redis-19.6.4.tgz", "redis"),
    ("testdata/rules/KOTS005/pass/redis-19.6.4.tgz", "redis"),
    ("testdata/rules/HOOK009/fail/redis-19.6.4.tgz", "redis"),
    ("testdata/rules/HOOK009/pass/redis-19.6.4.tgz", "redis"),
    ("testdata/releases/second-wave/web-2.0.1.tgz", "web"),
];

/// The HELM002 failing fixture: the webapp archive cut in half.
const TRUNCATED: &str = "testdata/rules/HELM002/fail/webapp-1.0.0.tgz";

fn chart_field(dir: &Path, key: &str) -> String {
    let text = std::fs::read_to_string(dir.join("Chart.yaml")).expect("Chart.yaml");
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .map(|v| v.trim().trim_matches('"').to_owned())
        .expect("field in Chart.yaml")
}

fn files_under(dir: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir.join(rel))
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    entries.sort();
    for name in entries {
        let r = rel.join(&name);
        if dir.join(&r).is_dir() {
            files_under(dir, &r, out);
        } else {
            out.push(r);
        }
    }
}

fn append(builder: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
    let mut header = tar::Header::new_gnu();
    header.set_path(path).expect("path");
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_uid(0);
    header.set_gid(0);
    header.set_cksum();
    builder.append(&header, data).expect("append");
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = GzBuilder::new().mtime(0).write(Vec::new(), Compression::default());
    gz.write_all(data).expect("gzip");
    gz.finish().expect("gzip")
}

/// Pack a chart directory the way `helm package` lays it out (subchart directories under
/// `charts/` become `charts/NAME-VERSION.tgz`), deterministically: sorted entries, zero
/// timestamps and owners.
fn pack(dir: &Path) -> Vec<u8> {
    let name = chart_field(dir, "name");
    let mut builder = tar::Builder::new(Vec::new());
    let mut files = Vec::new();
    files_under(dir, Path::new(""), &mut files);
    let mut packed_subcharts = Vec::new();
    for rel in files {
        let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned());
        let first = parts.next();
        let sub = parts.next().filter(|_| first.as_deref() == Some("charts"));
        if let Some(sub) = sub.filter(|s| dir.join("charts").join(s).is_dir()) {
            if !packed_subcharts.contains(&sub) {
                let sub_dir = dir.join("charts").join(&sub);
                let version = chart_field(&sub_dir, "version");
                append(
                    &mut builder,
                    &format!("{name}/charts/{sub}-{version}.tgz"),
                    &pack(&sub_dir),
                );
                packed_subcharts.push(sub);
            }
            continue;
        }
        let data = std::fs::read(dir.join(&rel)).expect("read");
        let path = format!("{name}/{}", rel.to_string_lossy().replace('\\', "/"));
        append(&mut builder, &path, &data);
    }
    gzip(&builder.into_inner().expect("tar"))
}

fn expected_archives() -> Vec<(PathBuf, Vec<u8>)> {
    let root = manifest_dir();
    let mut out: Vec<(PathBuf, Vec<u8>)> = ARCHIVES
        .iter()
        .map(|(dest, src)| (root.join(dest), pack(&root.join("testdata/charts").join(src))))
        .collect();
    let webapp = pack(&root.join("testdata/charts/webapp"));
    out.push((root.join(TRUNCATED), webapp[..webapp.len() / 2].to_vec()));
    out
}

#[test]
fn committed_archives_are_packed_from_their_source_directories() {
    let repack = std::env::var_os("SNAPLINT_REPACK").is_some();
    for (dest, bytes) in expected_archives() {
        if repack {
            std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
            std::fs::write(&dest, &bytes).expect("write archive");
            continue;
        }
        let committed = std::fs::read(&dest).unwrap_or_default();
        assert!(
            committed == bytes,
            "{} is not what packing its chart directory gives; run `SNAPLINT_REPACK=1 cargo test --test helm`",
            dest.display()
        );
    }
}

/// (rule, message, file, line) of every diagnostic, files relative to the release directory.
fn findings(dir: &str, map: impl Fn(&str) -> String) -> Vec<(String, String, String, u64)> {
    let out = run(&["check", "--no-config", "--format", "json", dir]);
    let report = json(&out);
    let mut v: Vec<_> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let file = d["file"]
                .as_str()
                .unwrap_or("")
                .trim_start_matches(dir)
                .trim_start_matches('/');
            (
                d["rule"].as_str().unwrap_or("").to_owned(),
                d["message"].as_str().unwrap_or("").to_owned(),
                map(file),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn archive_with_helmchart_reports_what_plain_manifests_report() {
    let from_archive = findings("testdata/releases/helm-chart", |f| {
        f.strip_prefix("webapp-1.0.0.tgz!").unwrap_or(f).to_owned()
    });
    let mut plain = findings("testdata/releases/helm-plain", str::to_owned);
    // The plain release is helm's output for the same chart and values, without the archive,
    // so its HelmChart names a chart it does not ship.
    let missing = plain
        .iter()
        .position(|f| f.0 == "KOTS002")
        .expect("KOTS002 in the plain release");
    plain.remove(missing);
    // Without the chart, a hook annotation in the HelmChart's values is reported twice: in the
    // values (where no pod is known) and on the rendered StatefulSet. With the chart, snaplint
    // follows the value into the pod: one finding, naming the pod, on the HelmChart line.
    let in_values = plain
        .iter()
        .position(|f| f.0 == "HOOK004" && f.1.contains("in HelmChart values"))
        .expect("the plain release's HOOK004 in the HelmChart values");
    let values_line = plain.remove(in_values).3;
    for f in &mut plain {
        if f.0 == "HOOK004" {
            (f.2, f.3) = ("helmchart.yaml".into(), values_line);
        }
    }
    plain.sort();
    // Same findings; the archive's are on the template lines, the plain ones on helm's output.
    let without_lines = |v: &[(String, String, String, u64)]| -> Vec<(String, String, String)> {
        v.iter().map(|(r, m, f, _)| (r.clone(), m.clone(), f.clone())).collect()
    };
    assert_eq!(without_lines(&from_archive), without_lines(&plain));
    let hook = from_archive.iter().find(|f| f.0 == "HOOK004").expect("HOOK004");
    assert_eq!((hook.2.as_str(), hook.3), ("helmchart.yaml", values_line));
    let rules: Vec<&str> = from_archive.iter().map(|f| f.0.as_str()).collect();
    assert!(
        rules.contains(&"VOL001") && rules.iter().any(|r| r.starts_with("HOOK")),
        "{from_archive:?}"
    );
    // The postgres data volume is not opted in (as in the KOTS docs example); the uploads
    // volume is, through the HelmChart's values.
    let vol: Vec<_> = from_archive.iter().filter(|f| f.0 == "VOL001").collect();
    assert_eq!(vol.len(), 1, "{vol:?}");
    assert_eq!(vol[0].2, "webapp/charts/postgresql/templates/statefulset.yaml");
    let template = std::fs::read_to_string(
        manifest_dir().join("testdata/charts/webapp/charts/postgresql/templates/statefulset.yaml"),
    )
    .expect("template source");
    let line = template.lines().nth(vol[0].3 as usize - 1).unwrap_or("");
    assert_eq!(
        line.trim(),
        "name: data",
        "VOL001 points at the template line of the claim"
    );
}

#[test]
fn without_helmchart_values_both_volumes_miss_their_opt_in_and_fixes_are_withheld() {
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/releases/helm-chart"));
    std::fs::remove_file(dir.join("helmchart.yaml")).expect("rm");
    let out = run(&["check", "--no-config", "--format", "json", dir.to_str().expect("utf-8")]);
    let report = json(&out);
    let vol: Vec<_> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == "VOL001")
        .collect();
    let files: Vec<&str> = vol.iter().filter_map(|d| d["file"].as_str()).collect();
    assert_eq!(vol.len(), 2, "{files:?}");
    assert!(files[0].ends_with("webapp-1.0.0.tgz!webapp/charts/postgresql/templates/statefulset.yaml"));
    assert!(files[1].ends_with("webapp-1.0.0.tgz!webapp/templates/deployment.yaml"));
    for d in vol {
        assert!(d["fix"].is_null(), "no fix may edit an archive: {d}");
        assert!(d["help"].as_str().unwrap_or("").contains("spec.values"), "{d}");
    }
    let before = std::fs::read(dir.join("webapp-1.0.0.tgz")).expect("read");
    let fixed = run(&["fix", "--no-config", dir.to_str().expect("utf-8")]);
    assert_ne!(code(&fixed), 2, "{}", stderr(&fixed));
    assert_eq!(std::fs::read(dir.join("webapp-1.0.0.tgz")).expect("read"), before);
}

fn tar_with(entries: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data) in entries {
        let mut header = tar::Header::new_old();
        // Written raw: the builder would refuse `..`, a hostile archive does not.
        header.as_old_mut().name[..path.len()].copy_from_slice(path);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append(&header, *data).expect("append");
    }
    builder.into_inner().expect("tar")
}

fn gzip_bomb() -> Vec<u8> {
    // One entry claiming 64 MiB of zeros: ~64 KiB compressed, over the 32 MiB unpacked limit.
    let size: u64 = 64 << 20;
    let mut header = tar::Header::new_gnu();
    header.set_path("bomb/Chart.yaml").expect("path");
    header.set_size(size);
    header.set_mode(0o644);
    header.set_cksum();
    let mut gz = GzBuilder::new().mtime(0).write(Vec::new(), Compression::best());
    gz.write_all(header.as_bytes()).expect("gz");
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..(size >> 20) {
        gz.write_all(&zeros).expect("gz");
    }
    gz.finish().expect("gz")
}

fn snapshot_dir(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    for e in walk(dir) {
        let len = std::fs::metadata(&e).map(|m| m.len()).unwrap_or(0);
        out.push((e, len));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}

#[test]
fn hostile_archives_give_one_finding_write_nothing_and_finish_fast() {
    let webapp = pack(&manifest_dir().join("testdata/charts/webapp"));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "traversal",
            gzip(&tar_with(&[
                (b"evil/Chart.yaml", b"name: evil\nversion: 1.0.0\n"),
                (b"evil/../../../tmp/snaplint-evil.yaml", b"x: 1\n"),
            ])),
            "escapes the archive",
        ),
        ("bomb", gzip_bomb(), "gzip bomb"),
        ("truncated", webapp[..webapp.len() / 2].to_vec(), "truncated"),
        ("not-gzip", b"just text\n".to_vec(), "not a gzip file"),
    ];
    for (name, bytes, expect) in cases {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("release");
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::copy(
            manifest_dir().join("testdata/rules/VOL001/pass/backup.yaml"),
            dir.join("backup.yaml"),
        )
        .expect("copy");
        std::fs::write(dir.join(format!("{name}.tgz")), &bytes).expect("write");
        let before = snapshot_dir(tmp.path());
        let start = Instant::now();
        let out = run(&["check", "--no-config", "--format", "json", dir.to_str().expect("utf-8")]);
        let took = start.elapsed();
        let fixed = run(&["fix", "--no-config", dir.to_str().expect("utf-8")]);
        assert_eq!(snapshot_dir(tmp.path()), before, "{name}: files changed");
        assert!(!Path::new("/tmp/snaplint-evil.yaml").exists());
        assert!(took < Duration::from_secs(1), "{name} took {took:?}");
        assert_ne!(code(&fixed), 2, "{name}: {}", stderr(&fixed));
        let report = json(&out);
        let diags = report["diagnostics"].as_array().expect("diagnostics");
        assert_eq!(diags.len(), 1, "{name}: {diags:?}");
        assert_eq!(diags[0]["rule"], "HELM002", "{name}");
        let message = diags[0]["message"].as_str().unwrap_or("");
        assert!(message.contains(expect), "{name}: {message}");
        assert!(
            diags[0]["file"]
                .as_str()
                .unwrap_or("")
                .ends_with(&format!("{name}.tgz"))
        );
    }
}

/// Every rendered document, parsed by snaplint's own YAML reader to JSON, by template path.
fn documents(path: &str, text: &str) -> Vec<(String, serde_json::Value)> {
    let file = snaplint::source::SourceFile::from_text(path.into(), None, text.to_owned());
    file.documents
        .iter()
        .filter_map(|d| {
            let root = d.root()?;
            Some((path.to_owned(), snaplint::yaml::to_json(root).expect("json")))
        })
        .collect()
}

#[test]
fn renderer_agrees_with_helm_template() {
    let helm = match helm_oracle() {
        Ok(h) => h,
        Err(why) => {
            eprintln!("SKIPPED renderer_agrees_with_helm_template: no helm binary ({why})");
            return;
        }
    };
    let root = manifest_dir();
    let archive = root.join("testdata/releases/helm-chart/webapp-1.0.0.tgz");
    let hc_text = std::fs::read_to_string(root.join("testdata/releases/helm-chart/helmchart.yaml")).expect("read");
    let hc_file = snaplint::source::SourceFile::from_text("helmchart.yaml".into(), None, hc_text);
    let with_values = snaplint::helm::helm_charts(std::slice::from_ref(&hc_file))
        .pop()
        .expect("HelmChart")
        .values;
    let cases = [("shop", with_values), ("webapp", serde_json::json!({}))];
    for (release, values) in cases {
        let tmp = tempfile::tempdir().expect("tmp");
        let values_file = tmp.path().join("values.json");
        std::fs::write(&values_file, values.to_string()).expect("write values");
        let out = std::process::Command::new(&helm)
            .args(["template", release])
            .arg(&archive)
            .arg("-f")
            .arg(&values_file)
            .output()
            .expect("run helm");
        assert!(
            out.status.success(),
            "helm template: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).expect("utf-8");
        let mut expected = Vec::new();
        for chunk in text.split("---\n# Source: ").skip(1) {
            let (path, body) = chunk.split_once('\n').expect("source line");
            expected.extend(documents(path, body));
        }
        let chart = snaplint::helm::read_chart(&std::fs::read(&archive).expect("read")).expect("chart");
        let info = snaplint::helm::ReleaseInfo {
            name: release.into(),
            namespace: "default".into(),
        };
        let mut actual = Vec::new();
        for r in snaplint::helm::render(&chart, &values, &info) {
            let body = r.result.unwrap_or_else(|e| panic!("{} not rendered: {e}", r.path)).text;
            actual.extend(documents(&r.path, &body));
        }
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        actual.sort_by(|a, b| a.0.cmp(&b.0));
        assert!(!expected.is_empty());
        assert_eq!(
            actual, expected,
            "release {release}: snaplint's rendering differs from helm's"
        );
        if release == "shop" {
            // `snaplint render` prints the same documents, in helm's `# Source:` shape, with the
            // HelmChart's values and release name.
            let out = run(&["render", "--no-config", "testdata/releases/helm-chart"]);
            assert_eq!(code(&out), 0, "{}", stderr(&out));
            let mut printed = Vec::new();
            for chunk in stdout(&out).split("---\n# Source: ").skip(1) {
                let (path, body) = chunk.split_once('\n').expect("source line");
                printed.extend(documents(path, body));
            }
            printed.sort_by(|a, b| a.0.cmp(&b.0));
            assert_eq!(printed, expected, "snaplint render differs from helm template");
        }
    }
}

/// A vendor repository keeps its chart as a source directory: snaplint renders it as it renders
/// the packaged archive, and puts the same findings on the same template lines, under the
/// directory's own paths (never linting the raw templates as YAML).
#[test]
fn chart_source_directory_gives_the_archives_findings_on_its_template_lines() {
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/releases/helm-chart"));
    std::fs::remove_file(dir.join("webapp-1.0.0.tgz")).expect("rm archive");
    let (_src_tmp, chart) = copy_dir(&manifest_dir().join("testdata/charts/webapp"));
    std::fs::create_dir_all(dir.join("charts")).expect("mkdir");
    std::fs::rename(&chart, dir.join("charts/webapp")).expect("move chart in");
    let from_dir = findings(dir.to_str().expect("utf-8"), |f| {
        f.strip_prefix("charts/").unwrap_or(f).to_owned()
    });
    let from_archive = findings("testdata/releases/helm-chart", |f| {
        f.strip_prefix("webapp-1.0.0.tgz!").unwrap_or(f).to_owned()
    });
    assert_eq!(from_dir, from_archive);
    assert!(from_dir.iter().any(|f| f.0 == "VOL001"), "{from_dir:?}");
    assert!(
        !from_dir.iter().any(|f| f.0 == "PARSE001"),
        "raw templates are not linted: {from_dir:?}"
    );
    // A suppression comment in the template silences the finding it writes.
    let template = dir.join("charts/webapp/charts/postgresql/templates/statefulset.yaml");
    let text = std::fs::read_to_string(&template).expect("read template");
    let text = text.replacen(
        "        name: data\n",
        "        # snaplint-ignore: VOL001\n        name: data\n",
        1,
    );
    std::fs::write(&template, text).expect("write template");
    let suppressed = findings(dir.to_str().expect("utf-8"), str::to_owned);
    assert!(!suppressed.iter().any(|f| f.0 == "VOL001"), "{suppressed:?}");
    assert_eq!(suppressed.len(), from_dir.len() - 1, "{suppressed:?}");
}

/// `render --format json` says, for every piece of a rendered template, which template line
/// and column wrote it; `render` refuses stdin and a release without charts.
#[test]
fn render_json_gives_each_pieces_template_line() {
    let out = run(&[
        "render",
        "--no-config",
        "--format",
        "json",
        "testdata/releases/helm-chart",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report = json(&out);
    let templates = report["charts"][0]["templates"].as_array().expect("templates");
    let sts = templates
        .iter()
        .find(|t| t["source"] == "webapp/charts/postgresql/templates/statefulset.yaml")
        .expect("statefulset rendered");
    let text = sts["text"].as_str().expect("text");
    let claim = text.find("        name: data\n").expect("claim in output") + 8;
    let pieces = sts["provenance"].as_array().expect("provenance");
    let piece = pieces
        .iter()
        .rev()
        .find(|p| p["offset"].as_u64().unwrap_or(u64::MAX) as usize <= claim)
        .expect("a piece covers the claim");
    assert_eq!(piece["verbatim"], true, "{piece}");
    let template = std::fs::read_to_string(
        manifest_dir().join("testdata/charts/webapp/charts/postgresql/templates/statefulset.yaml"),
    )
    .expect("template");
    let offset_in_piece = claim - piece["offset"].as_u64().expect("offset") as usize;
    let line = piece["line"].as_u64().expect("line") as usize;
    let from = template.lines().take(line - 1).map(|l| l.len() + 1).sum::<usize>()
        + piece["column"].as_u64().expect("column") as usize
        - 1;
    assert!(template[from + offset_in_piece..].starts_with("name: data"), "{piece}");

    let none = run(&["render", "--no-config", "testdata/releases/sample"]);
    assert_eq!(code(&none), 2);
    assert!(stderr(&none).contains("no Helm chart"), "{}", stderr(&none));
    let stdin = run(&["render", "-"]);
    assert_eq!(code(&stdin), 2);
}

/// `--helm-engine helm` renders with the user's helm and the same values: the same findings
/// (on the rendered output, which has no template lines); a helm that does not run is one
/// clear error, exit 2.
#[test]
fn helm_engine_gives_the_builtin_findings_and_a_missing_helm_is_exit_2() {
    let missing = run(&[
        "check",
        "--no-config",
        "--helm-engine",
        "helm",
        "--helm",
        "/nonexistent/helm",
        "testdata/releases/helm-chart",
    ]);
    assert_eq!(code(&missing), 2);
    assert!(
        stderr(&missing).contains("cannot run `/nonexistent/helm`"),
        "{}",
        stderr(&missing)
    );
    let helm = match helm_oracle() {
        Ok(h) => h,
        Err(why) => {
            eprintln!("SKIPPED helm engine comparison: no helm binary ({why})");
            return;
        }
    };
    let helm = helm.to_str().expect("utf-8").to_owned();
    let rules_and_messages = |extra: &[&str]| -> Vec<(String, String)> {
        let mut args = vec!["check", "--no-config", "--format", "json"];
        args.extend_from_slice(extra);
        args.push("testdata/releases/helm-chart");
        let mut v: Vec<_> = json(&run(&args))["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| {
                (
                    d["rule"].as_str().unwrap_or("").to_owned(),
                    d["message"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let builtin = rules_and_messages(&[]);
    let by_helm = rules_and_messages(&["--helm-engine", "helm", "--helm", &helm]);
    assert_eq!(by_helm, builtin);
    assert!(builtin.iter().any(|f| f.0 == "VOL001"), "{builtin:?}");
}

/// The renderer's bounds are `.snaplint.yaml` `limits:`; a template over one is one HELM001 on
/// the template line, naming the limit to raise.
#[test]
fn renderer_limits_come_from_the_config_and_name_themselves() {
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/releases/helm-chart"));
    std::fs::write(dir.join(".snaplint.yaml"), "limits:\n  max-include-depth: 1\n").expect("write");
    let out = run(&["check", "--format", "concise", dir.to_str().expect("utf-8")]);
    let text = String::from_utf8_lossy(&out.stdout);
    let helm: Vec<&str> = text.lines().filter(|l| l.contains("HELM001")).collect();
    assert_eq!(helm.len(), 4, "{text}");
    for line in helm {
        assert!(line.contains("limits.max-include-depth in .snaplint.yaml"), "{line}");
    }
    assert!(
        text.contains("webapp-1.0.0.tgz!webapp/templates/deployment.yaml:4:12: HELM001"),
        "on the line of the include that went too deep: {text}"
    );
    std::fs::write(dir.join(".snaplint.yaml"), "limits:\n  max-template-steps: 40\n").expect("write");
    let out = run(&["check", "--format", "concise", dir.to_str().expect("utf-8")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("more than 40 evaluation steps (limits.max-template-steps in .snaplint.yaml)"),
        "{text}"
    );
    std::fs::write(dir.join(".snaplint.yaml"), "limits:\n  max-template-stpes: 40\n").expect("write");
    let out = run(&["check", dir.to_str().expect("utf-8")]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("unknown key `max-template-stpes`"),
        "{}",
        stderr(&out)
    );
}
