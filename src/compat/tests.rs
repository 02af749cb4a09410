use super::*;

fn v(s: &str) -> VersionSpec {
    parse_version(s).expect("version")
}

/// The KOTS documentation's table, as published (https://docs.replicated.com/vendor/snapshots-overview,
/// "Velero version compatibility"; first row published as 1.130.7, kots-facts §5.1), newest first.
const DOCUMENTED_KOTS: &[(&str, &str, &str, &[&str])] = &[
    ("1.130.7", "1.11.0", "1.18.x", &["1.33.7", "1.34.1", "1.35.0"]),
    ("1.125.2", "1.11.0", "1.16.2", &["1.31.4", "1.32.3", "1.33.0"]),
    ("1.125.0", "1.11.0", "1.16.1", &["1.31.4", "1.32.3", "1.33.0"]),
    ("1.124.18", "1.11.0", "1.16.0", &["1.31.4", "1.32.3", "1.33.0"]),
    ("1.124.0", "1.11.0", "1.15.2", &["1.28.8", "1.29.8", "1.30.4", "1.31.1"]),
    ("1.123.1", "1.11.0", "1.15.1", &["1.28.8", "1.29.8", "1.30.4", "1.31.1"]),
    ("1.117.3", "1.11.0", "1.14.1", &["1.27.9", "1.28.9", "1.29.4"]),
];

/// Velero's README compatibility matrix (velero-facts §7).
const DOCUMENTED_VELERO: &[(&str, &[&str])] = &[
    ("1.11", &["1.23.10", "1.24.9", "1.25.5", "1.26.1"]),
    ("1.12", &["1.25.7", "1.26.5", "1.26.7", "1.27.3"]),
    ("1.13", &["1.26.5", "1.27.3", "1.27.8", "1.28.3"]),
    ("1.14", &["1.27.9", "1.28.9", "1.29.4"]),
    ("1.15", &["1.28.8", "1.29.8", "1.30.4", "1.31.1"]),
    ("1.16", &["1.31.4", "1.32.3", "1.33.0"]),
    ("1.17", &["1.31.7", "1.32.3", "1.33.1", "1.34.0"]),
    ("1.18", &["1.33.7", "1.34.1", "1.35.0"]),
];

#[test]
fn every_kots_row_matches_the_documented_table() {
    let d = data();
    assert_eq!(d.kots.len(), DOCUMENTED_KOTS.len());
    for (row, (kots, min, max, k8s)) in d.kots.iter().zip(DOCUMENTED_KOTS) {
        assert_eq!(row.kots.to_string(), *kots);
        assert_eq!(row.velero.min.to_string(), *min, "{kots}");
        assert_eq!(row.velero.max.to_string(), *max, "{kots}");
        let got: Vec<String> = row.kubernetes.iter().map(ToString::to_string).collect();
        assert_eq!(got, *k8s, "{kots}");
        assert!(
            row.source
                .contains("https://docs.replicated.com/vendor/snapshots-overview")
        );
    }
}

#[test]
fn every_velero_row_matches_velero_matrix() {
    let d = data();
    assert_eq!(d.velero.len(), DOCUMENTED_VELERO.len());
    for (row, (minor, tested)) in d.velero.iter().zip(DOCUMENTED_VELERO) {
        assert_eq!(row.minor, *minor);
        assert_eq!(row.expected, "1.18-latest");
        let got: Vec<String> = row.tested.iter().map(ToString::to_string).collect();
        assert_eq!(got, *tested, "{minor}");
        assert!(row.source.contains("github.com/vmware-tanzu/velero"));
    }
}

#[test]
fn uploader_timeline_and_support_window() {
    let d = data();
    assert_eq!(d.uploader(&v("1.16.2")), Some(Uploader::Restic));
    assert_eq!(d.uploader(&v("1.16.x")), Some(Uploader::Restic));
    assert_eq!(d.uploader(&v("1.17.0")), Some(Uploader::Kopia));
    assert!(d.velero_unsupported(&v("1.10.1")));
    assert!(!d.velero_unsupported(&v("1.11.0")));
    assert!(!d.velero_unsupported(&v("1.18.9")));
    assert!(!d.velero_unsupported(&v("1.18.x")));
    assert!(d.velero_unsupported(&v("1.19.0")));
    assert!(d.velero_unsupported(&v("1.19.x")));
}

#[test]
fn rows_apply_from_their_version_up() {
    let d = data();
    let row = |k: &str| d.kots_row(&v(k)).map(|r| r.kots.to_string());
    assert_eq!(row("1.117.2"), None);
    assert_eq!(row("1.117.3").as_deref(), Some("1.117.3"));
    assert_eq!(row("1.123.0").as_deref(), Some("1.117.3"));
    assert_eq!(row("1.123.1").as_deref(), Some("1.123.1"));
    assert_eq!(row("1.124.17").as_deref(), Some("1.124.0"));
    assert_eq!(row("1.124.18").as_deref(), Some("1.124.18"));
    assert_eq!(row("1.130.6").as_deref(), Some("1.125.2"));
    assert_eq!(row("1.130.7").as_deref(), Some("1.130.7"));
    assert_eq!(row("1.124.x").as_deref(), Some("1.124.0"));
}

#[test]
fn wildcards_count_every_patch() {
    let d = data();
    let r = d.kots_row(&v("1.124.0")).expect("row");
    assert!(r.velero.contains(&v("1.15.2")));
    assert!(!r.velero.contains(&v("1.15.x")), "1.15.x may be 1.15.3");
    assert!(r.velero.contains(&v("1.14.x")));
    let newest = d.kots_row(&v("1.131.0")).expect("row");
    assert!(newest.velero.contains(&v("1.18.x")));
    assert!(!newest.velero.contains(&v("latest")));
    assert_eq!(
        d.oldest_kots_for(&v("1.17.1")).map(|r| r.kots.to_string()).as_deref(),
        Some("1.130.7")
    );
    assert!(d.oldest_kots_for(&v("1.19.0")).is_none());
}

#[test]
fn version_parsing() {
    assert_eq!(v("v1.15.2"), v("1.15.2"));
    assert_eq!(v("1.15.x").to_string(), "1.15.x");
    assert_eq!(v("latest"), VersionSpec::Latest);
    for bad in ["1.15", "one", "1.15.x.x", "", "1.x", "01.2.3"] {
        let e = parse_version(bad).expect_err(bad);
        assert!(e.contains("expected a version like `1.15.2`"), "{e}");
    }
}

#[test]
fn kubernetes_tested() {
    let list = [Version::new(1, 33, 7), Version::new(1, 34, 1)];
    assert_eq!(tested(&list, &v("1.33.7")), Tested::Exact);
    assert_eq!(tested(&list, &v("1.34.2")), Tested::SameMinor);
    assert_eq!(tested(&list, &v("1.34.x")), Tested::SameMinor);
    assert_eq!(tested(&list, &v("1.30.4")), Tested::No);
}
