//! Which pod templates a `spec.hooks.resources[]` entry selects: namespaces (globs, excludes
//! win, empty includes mean all), resources (only pods run exec hooks) and the label selector,
//! ANDed. Anything templated, or a workload without a literal namespace, counts as a match:
//! unknown is never a finding.
//! Source: `vmware-tanzu/velero:internal/hook/item_hook_handler.go@v1.18.0` (`applicableTo`),
//! `pkg/util/collections/includes_excludes.go@v1.18.0`.

use crate::release::{Release, Workload};
use crate::yaml::Node;

pub struct Matcher<'r> {
    release: &'r Release,
}

/// Which filter of a hook resource entry ruled every workload out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    Namespaces,
    Resources,
    Labels,
}

impl<'r> Matcher<'r> {
    pub fn new(release: &'r Release) -> Self {
        Matcher { release }
    }

    /// Indices of the workloads the entry selects.
    pub fn targets(&self, res: Node<'_>, restore: bool) -> Vec<usize> {
        self.release
            .workloads
            .iter()
            .enumerate()
            .filter(|(_, w)| self.failing(res, w, restore).is_none())
            .map(|(i, _)| i)
            .collect()
    }

    /// The first filter that rejects the workload, if any.
    pub fn failing(&self, res: Node<'_>, w: &Workload, restore: bool) -> Option<Filter> {
        if !namespaces_match(res, w) {
            return Some(Filter::Namespaces);
        }
        // Restore hooks ignore the resource filters and always mean pods.
        if !restore && !resources_match(res) {
            return Some(Filter::Resources);
        }
        if !labels_match(self.release, res, w) {
            return Some(Filter::Labels);
        }
        None
    }
}

fn strings(node: Option<Node<'_>>) -> Option<Vec<&str>> {
    let items = node.map(Node::items).unwrap_or_default();
    items.iter().map(Node::as_str).collect()
}

fn namespaces_match(res: Node<'_>, w: &Workload) -> bool {
    let Some(ns) = w.namespace.as_deref() else {
        return true;
    };
    let (Some(inc), Some(exc)) = (
        strings(res.get("includedNamespaces")),
        strings(res.get("excludedNamespaces")),
    ) else {
        return true;
    };
    if exc.iter().any(|p| glob(p, ns)) {
        return false;
    }
    inc.is_empty() || inc.iter().any(|p| glob(p, ns))
}

fn is_pods(pattern: &str) -> bool {
    let p = pattern.to_ascii_lowercase();
    matches!(p.as_str(), "po" | "pod" | "pods" | "pods." | "*") || glob(&p, "pods")
}

fn resources_match(res: Node<'_>) -> bool {
    let (Some(inc), Some(exc)) = (
        strings(res.get("includedResources")),
        strings(res.get("excludedResources")),
    ) else {
        return true;
    };
    if exc.iter().any(|p| is_pods(p)) {
        return false;
    }
    inc.is_empty() || inc.iter().any(|p| is_pods(p))
}

fn labels_match(release: &Release, res: Node<'_>, w: &Workload) -> bool {
    let Some(sel) = res.get("labelSelector") else {
        return true;
    };
    if sel.contains_template() {
        return true;
    }
    let labels_templated = w
        .template(release)
        .and_then(|t| t.path("metadata.labels"))
        .is_some_and(Node::contains_template);
    if labels_templated {
        return true;
    }
    let label = |k: &str| w.labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str());
    for (k, v) in sel.get("matchLabels").map(Node::entries).unwrap_or_default() {
        let (Some(k), Some(v)) = (k.as_str(), v.scalar()) else {
            continue;
        };
        if label(k) != Some(v.value) {
            return false;
        }
    }
    for expr in sel.get("matchExpressions").map(Node::items).unwrap_or_default() {
        let (Some(key), Some(op)) = (
            expr.get("key").and_then(Node::as_str),
            expr.get("operator").and_then(Node::as_str),
        ) else {
            continue;
        };
        let values: Vec<&str> = expr
            .get("values")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.scalar().map(|s| s.value))
            .collect();
        let have = label(key);
        let ok = match op {
            "In" => have.is_some_and(|h| values.contains(&h)),
            "NotIn" => have.is_none_or(|h| !values.contains(&h)),
            "Exists" => have.is_some(),
            "DoesNotExist" => have.is_none(),
            // An invalid operator is BKP004's to report.
            _ => true,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// gobwas/glob-style match of `*`, `?` and `[...]` (a class is taken to match any one
/// character: unknown, so never a finding).
pub fn glob(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|i| go(rest, &t[i..])),
            Some(('?', rest)) => !t.is_empty() && go(rest, &t[1..]),
            Some(('[', rest)) => match rest.iter().position(|c| *c == ']') {
                Some(end) => !t.is_empty() && go(&rest[end + 1..], &t[1..]),
                None => t.first() == Some(&'[') && go(rest, &t[1..]),
            },
            Some((c, rest)) => t.first() == Some(c) && go(rest, &t[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    go(&p, &t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("*", "acme"));
        assert!(glob("app-*", "app-1"));
        assert!(!glob("app-*", "web"));
        assert!(glob("a?me", "acme"));
        assert!(glob("[ab]cme", "acme"));
        assert!(glob("acme", "acme"));
        assert!(!glob("acme", "acme-jobs"));
    }

    #[test]
    fn pods_resource_names() {
        assert!(is_pods("pods"));
        assert!(is_pods("po"));
        assert!(is_pods("*"));
        assert!(is_pods("Pods"));
        assert!(!is_pods("deployments"));
    }
}
