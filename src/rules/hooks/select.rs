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

    /// The entry's filters, read once to test every workload against.
    pub fn selector(&self, res: Node<'r>, restore: bool) -> Selector<'r> {
        Selector {
            release: self.release,
            namespaces: namespace_patterns(res),
            // Restore hooks ignore the resource filters and always mean pods.
            pods: restore || resources_match(res),
            labels: res.get("labelSelector").filter(|s| !s.contains_template()).map(labels),
        }
    }

    /// Indices of the workloads the entry selects.
    pub fn targets(&self, res: Node<'r>, restore: bool) -> Vec<usize> {
        self.selector(res, restore).targets()
    }
}

/// A `spec.hooks.resources[]` entry's filters; `None` where anything matches (absent or
/// unknown).
pub struct Selector<'r> {
    release: &'r Release,
    /// (included, excluded) namespace patterns.
    namespaces: Option<(Vec<&'r str>, Vec<&'r str>)>,
    pods: bool,
    labels: Option<Labels<'r>>,
}

struct Labels<'r> {
    match_labels: Vec<(&'r str, &'r str)>,
    /// (key, operator, values)
    expressions: Vec<(&'r str, &'r str, Vec<&'r str>)>,
}

impl Selector<'_> {
    /// The first filter that rejects the workload, if any.
    pub fn failing(&self, w: &Workload) -> Option<Filter> {
        if !self.namespaces_match(w) {
            return Some(Filter::Namespaces);
        }
        if !self.pods {
            return Some(Filter::Resources);
        }
        if !self.labels_match(w) {
            return Some(Filter::Labels);
        }
        None
    }

    /// Indices of the workloads the entry selects.
    pub fn targets(&self) -> Vec<usize> {
        let workloads = self.release.workloads.iter().enumerate();
        workloads
            .filter(|(_, w)| self.failing(w).is_none())
            .map(|(i, _)| i)
            .collect()
    }

    fn namespaces_match(&self, w: &Workload) -> bool {
        let (Some(ns), Some((inc, exc))) = (w.namespace.as_deref(), &self.namespaces) else {
            return true;
        };
        if exc.iter().any(|p| glob(p, ns)) {
            return false;
        }
        inc.is_empty() || inc.iter().any(|p| glob(p, ns))
    }

    fn labels_match(&self, w: &Workload) -> bool {
        let Some(sel) = &self.labels else {
            return true;
        };
        if w.labels_templated {
            return true;
        }
        let label = |k: &str| w.labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str());
        if sel.match_labels.iter().any(|(k, v)| label(k) != Some(v)) {
            return false;
        }
        sel.expressions.iter().all(|(key, op, values)| {
            let have = label(key);
            match *op {
                "In" => have.is_some_and(|h| values.contains(&h)),
                "NotIn" => have.is_none_or(|h| !values.contains(&h)),
                "Exists" => have.is_some(),
                "DoesNotExist" => have.is_none(),
                // An invalid operator is BKP004's to report.
                _ => true,
            }
        })
    }
}

fn strings(node: Option<Node<'_>>) -> Option<Vec<&str>> {
    let items = node.map(Node::items).unwrap_or_default();
    items.iter().map(Node::as_str).collect()
}

/// (included, excluded) namespace patterns; `None` when either list is not all strings.
fn namespace_patterns(res: Node<'_>) -> Option<(Vec<&str>, Vec<&str>)> {
    let included = strings(res.get("includedNamespaces"))?;
    Some((included, strings(res.get("excludedNamespaces"))?))
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

/// A label selector's terms; a term with a templated or non-string key or operator is left
/// out (unknown, so it rules nothing out).
fn labels(sel: Node<'_>) -> Labels<'_> {
    let match_labels = sel.get("matchLabels").map(Node::entries).unwrap_or_default();
    let expressions = sel.get("matchExpressions").map(Node::items).unwrap_or_default();
    Labels {
        match_labels: match_labels
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?, v.scalar()?.value)))
            .collect(),
        expressions: expressions
            .iter()
            .filter_map(|expr| {
                let key = expr.get("key").and_then(Node::as_str)?;
                let op = expr.get("operator").and_then(Node::as_str)?;
                let values = expr.get("values").map(Node::items).unwrap_or_default();
                Some((
                    key,
                    op,
                    values.iter().filter_map(|v| v.scalar().map(|s| s.value)).collect(),
                ))
            })
            .collect(),
    }
}

/// gobwas/glob-style match of `*`, `?` and `[...]` (a class is taken to match any one
/// character: unknown, so never a finding).
pub fn glob(pattern: &str, text: &str) -> bool {
    if !pattern.contains(['*', '?', '[']) {
        return pattern == text;
    }
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
