//! `.Capabilities` as `helm template` builds it (`chartutil.Capabilities`): the Kubernetes
//! version given by `--kube-version`, the API versions Helm's client-go scheme knows (the
//! same list whatever the Kubernetes version: `api_versions.txt`, taken from the real binary),
//! and Helm's own build information.

use std::rc::Rc;

use crate::helm::funcs::semver::Version;
use crate::helm::value::{Object, Value};

/// What the corpus oracle passes as `--kube-version` (plain `helm template` would say
/// v1.32.0, the client-go version it was built with).
pub const DEFAULT_KUBE_VERSION: &str = "v1.30.0";

const API_VERSIONS: &str = include_str!("api_versions.txt");

/// `helm version` of the binary the renderer matches.
const HELM_VERSION: &str = "v3.17.1";
const HELM_GIT_COMMIT: &str = "980d8ac1939e39138101364400756af2bdee1da5";
const HELM_GIT_TREE_STATE: &str = "clean";
const HELM_GO_VERSION: &str = "go1.23.5";

/// `.Capabilities` for a Kubernetes version (`v1.30.0`, `1.30`; as `ParseKubeVersion` reads
/// it). A version that does not parse gives the default one.
pub fn capabilities(kube_version: &str) -> Value {
    let v = Version::parse(kube_version)
        .or_else(|_| Version::parse(DEFAULT_KUBE_VERSION))
        .ok()
        .map(|v| KubeVersion {
            version: format!("v{}", v.string()),
            major: v.major.to_string(),
            minor: v.minor.to_string(),
        })
        .unwrap_or_default();
    Value::Object(Rc::new(Capabilities {
        kube: Rc::new(v),
        api: Rc::new(ApiVersions::builtin()),
    }))
}

#[derive(Debug)]
struct Capabilities {
    kube: Rc<KubeVersion>,
    api: Rc<ApiVersions>,
}

#[derive(Debug, Default)]
struct KubeVersion {
    version: String,
    major: String,
    minor: String,
}

#[derive(Debug)]
struct ApiVersions(Vec<&'static str>);

impl ApiVersions {
    fn builtin() -> ApiVersions {
        ApiVersions(
            API_VERSIONS
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect(),
        )
    }

    fn has(&self, v: &str) -> bool {
        self.0.contains(&v)
    }
}

#[derive(Debug)]
struct HelmVersion;

impl Object for Capabilities {
    fn type_name(&self) -> &'static str {
        "*chartutil.Capabilities"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(Value::Object(self.kube.clone())),
            "APIVersions" => Some(Value::Object(self.api.clone())),
            "HelmVersion" => Some(Value::Object(Rc::new(HelmVersion))),
            _ => None,
        }
    }

    fn method(&self, name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        match name {
            "Copy" => Some(Ok(Value::Object(Rc::new(Capabilities {
                kube: self.kube.clone(),
                api: self.api.clone(),
            })))),
            _ => None,
        }
    }

    /// Go's `%v` of the struct: the fields' own `%v` without their `String` methods.
    fn display(&self) -> String {
        format!(
            "{{{{{} {} {}}} {} {}}}",
            self.kube.version,
            self.kube.major,
            self.kube.minor,
            self.api.display(),
            HelmVersion.display()
        )
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> &'static str {
        "chartutil.KubeVersion"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" => Some(Value::str(self.version.as_str())),
            "Major" => Some(Value::str(self.major.as_str())),
            "Minor" => Some(Value::str(self.minor.as_str())),
            _ => None,
        }
    }

    /// `GitVersion` (deprecated) and `String` both give the version.
    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        match name {
            "GitVersion" | "String" if args.is_empty() => Some(Ok(Value::str(self.version.as_str()))),
            "GitVersion" | "String" => Some(Err(format!(
                "wrong number of args for {name}: want 0 got {}",
                args.len()
            ))),
            _ => None,
        }
    }

    /// Printed on its own (`{{ .Capabilities.KubeVersion }}`) Go uses its `String` method.
    fn display(&self) -> String {
        self.version.clone()
    }
}

impl Object for ApiVersions {
    fn type_name(&self) -> &'static str {
        "chartutil.VersionSet"
    }

    fn field(&self, _name: &str) -> Option<Value> {
        None
    }

    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if name != "Has" {
            return None;
        }
        Some(match args {
            [Value::Str(s)] => Ok(Value::Bool(self.has(s))),
            [Value::Nil | Value::NoValue] => Err("invalid value; expected string".into()),
            [other] => Err(format!(
                "wrong type for value; expected string; got {}",
                other.type_name()
            )),
            _ => Err(format!("wrong number of args for Has: want 1 got {}", args.len())),
        })
    }

    fn display(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }
}

impl Object for HelmVersion {
    fn type_name(&self) -> &'static str {
        "version.BuildInfo"
    }

    fn field(&self, name: &str) -> Option<Value> {
        let s = match name {
            "Version" => HELM_VERSION,
            "GitCommit" => HELM_GIT_COMMIT,
            "GitTreeState" => HELM_GIT_TREE_STATE,
            "GoVersion" => HELM_GO_VERSION,
            _ => return None,
        };
        Some(Value::str(s))
    }

    fn method(&self, _name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }

    fn display(&self) -> String {
        format!("{{{HELM_VERSION} {HELM_GIT_COMMIT} {HELM_GIT_TREE_STATE} {HELM_GO_VERSION}}}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::value::go_string;

    fn get(v: &Value, path: &[&str]) -> Value {
        path.iter().fold(v.clone(), |cur, f| match cur {
            Value::Object(o) => o.field(f).unwrap(),
            _ => panic!("not an object"),
        })
    }

    fn has(caps: &Value, v: &str) -> bool {
        let Value::Object(api) = get(caps, &["APIVersions"]) else {
            panic!()
        };
        api.method("Has", &[Value::str(v)]).unwrap().unwrap().truth()
    }

    // Expected values: helm template v3.17.1 --kube-version v1.30.0.
    #[test]
    fn api_versions_has_exact_group_versions_only() {
        let c = capabilities(DEFAULT_KUBE_VERSION);
        assert!(has(&c, "apps/v1"));
        assert!(has(&c, "v1"));
        assert!(has(&c, "apiextensions.k8s.io/v1"));
        assert!(has(&c, "policy/v1beta1"));
        // Helm's VersionSet.Has compares whole strings: no Kind forms unless --api-versions.
        assert!(!has(&c, "apps/v1/Deployment"));
        assert!(!has(&c, "monitoring.coreos.com/v1"));
        let Value::Object(api) = get(&c, &["APIVersions"]) else {
            panic!()
        };
        assert_eq!(api.display().split(' ').count(), 56);
        assert!(
            api.display()
                .starts_with("[v1 admissionregistration.k8s.io/v1 admissionregistration.k8s.io/v1alpha1 ")
        );
        assert!(
            api.display()
                .ends_with(" apiextensions.k8s.io/v1beta1 apiextensions.k8s.io/v1]")
        );
    }

    #[test]
    fn kube_and_helm_versions() {
        let c = capabilities("v1.30.0");
        assert_eq!(go_string(&get(&c, &["KubeVersion"])), "v1.30.0");
        assert_eq!(go_string(&get(&c, &["KubeVersion", "Major"])), "1");
        assert_eq!(go_string(&get(&c, &["KubeVersion", "Minor"])), "30");
        let Value::Object(kv) = get(&c, &["KubeVersion"]) else {
            panic!()
        };
        assert_eq!(go_string(&kv.method("GitVersion", &[]).unwrap().unwrap()), "v1.30.0");
        assert_eq!(
            go_string(&get(&c, &["HelmVersion"])),
            "{v3.17.1 980d8ac1939e39138101364400756af2bdee1da5 clean go1.23.5}"
        );
        assert!(go_string(&c).starts_with("{{v1.30.0 1 30} [v1 admissionregistration.k8s.io/v1 "));
        // helm template --kube-version 1.29: v1.29.0
        assert_eq!(
            go_string(&get(&capabilities("1.29"), &["KubeVersion", "Version"])),
            "v1.29.0"
        );
    }
}
