//! S3 rules: storage the release configures that breaks KOTS snapshots.
//!
//! S3001 finds S3 bucket policies that deny `s3:PutObject` without the server-side-encryption
//! header, wherever a policy document appears: IAM policy JSON, CloudFormation (YAML with `!Ref`
//! tags, or JSON), Terraform JSON, and policies held as a JSON string inside YAML (Crossplane,
//! ACK), whose content is parsed with the same parser and mapped back into the file.

use super::Ctx;
use crate::diagnostic::{FileId, Severity};
use crate::release::VELERO_API;
use crate::yaml::{Document, Kind, Node, Span, Style, parse_stream};

const SSE_KEY: &str = "s3:x-amz-server-side-encryption";

pub fn sse_bucket_policy(ctx: &mut Ctx) {
    let release = ctx.release;
    let mut found: Vec<(FileId, Span)> = Vec::new();
    for (file_id, file) in release.files.iter().enumerate() {
        for doc in &file.documents {
            let Some(root) = doc.root() else { continue };
            if !may_hold_policy(file.text.get(doc.span.clone()).unwrap_or(&file.text)) {
                continue;
            }
            scan(&file.text, root, 0, &mut |span| found.push((file_id, span)));
        }
    }
    for (file, span) in found {
        ctx.report(
            file,
            span,
            "this bucket policy denies s3:PutObject without the x-amz-server-side-encryption header: KOTS snapshots cannot write to the bucket",
        )
        .with_help("remove the statement and enable default bucket encryption instead (CloudFormation `BucketEncryption`, Terraform `aws_s3_bucket_server_side_encryption_configuration`, or `aws s3api put-bucket-encryption`): objects are still encrypted at rest");
    }
}

/// A policy names its `Statement`, in a key or inside an embedded JSON string; only a
/// backslash escape (`"\u0053tatement"`) could spell it without the bytes. A document without
/// either needs no walk.
fn may_hold_policy(text: &str) -> bool {
    text.contains("Statement") || text.contains('\\')
}

/// Walk a tree for policy documents (`Statement`) and JSON strings holding one.
fn scan(text: &str, node: Node<'_>, depth: usize, out: &mut dyn FnMut(Span)) {
    if depth > 4 {
        return;
    }
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match n.kind() {
            Kind::Map(entries) => {
                if let Some(statements) = n.get("Statement") {
                    let list: Vec<Node<'_>> = match statements.kind() {
                        Kind::Seq(items) => items.iter().collect(),
                        Kind::Map(_) => vec![statements],
                        _ => Vec::new(),
                    };
                    for s in list {
                        if denies_unencrypted_put(s) {
                            out(first_line(text, &s.span()));
                        }
                    }
                }
                for (_, v) in entries {
                    stack.push(v);
                }
            }
            Kind::Seq(items) => stack.extend(items.iter()),
            Kind::Scalar(s)
                if !s.templated && s.value.trim_start().starts_with('{') && s.value.contains("Statement") =>
            {
                if let Some(inner) = embedded(text, n).as_ref().and_then(Document::root) {
                    scan(text, inner, depth + 1, out);
                }
            }
            _ => {}
        }
    }
}

/// The span of a statement's first line: where the finding points.
fn first_line(text: &str, span: &Span) -> Span {
    let rest = text.get(span.clone()).unwrap_or("");
    let end = rest.find('\n').map_or(span.end, |i| span.start + i);
    span.start..end.max(span.start + 1).min(span.end.max(span.start + 1))
}

/// Parse a JSON string value with the YAML parser. Spans are exact when the scalar's source
/// text is its content (plain, single-quoted without `''`, literal block); otherwise every node
/// points at the whole value.
fn embedded(text: &str, node: Node<'_>) -> Option<Document> {
    let s = node.scalar()?;
    let raw = text.get(node.span())?;
    let exact: Option<(usize, &str)> = match s.style {
        Style::Plain if raw == s.value => Some((node.span().start, raw)),
        Style::SingleQuoted if raw.len() >= 2 && &raw[1..raw.len() - 1] == s.value => {
            Some((node.span().start + 1, &raw[1..raw.len() - 1]))
        }
        // The span may start at the `|` header or at the content; the content's indentation is
        // whitespace to JSON.
        Style::Literal if raw.starts_with('|') => raw.find('\n').map(|i| (node.span().start + i + 1, &raw[i + 1..])),
        Style::Literal => Some((node.span().start, raw)),
        _ => None,
    };
    match exact {
        Some((base, content)) => {
            let mut doc = parse_stream(content, &[]).into_iter().next()?;
            if doc.error.is_some() {
                return None;
            }
            doc.root()?;
            doc.shift_spans(&|sp: &Span| sp.start + base..sp.end + base);
            Some(doc)
        }
        None => {
            let mut doc = parse_stream(s.value, &[]).into_iter().next()?;
            doc.root()?;
            let whole = node.span();
            doc.shift_spans(&|_| whole.clone());
            Some(doc)
        }
    }
}

fn strings(node: Node<'_>) -> Vec<&str> {
    match node.kind() {
        Kind::Scalar(_) => node.as_str().into_iter().collect(),
        Kind::Seq(items) => items.iter().filter_map(Node::as_str).collect(),
        _ => Vec::new(),
    }
}

/// `s3:PutObject`, `s3:Put*`, `s3:*`, `*` (IAM actions are case-insensitive).
fn covers_put_object(action: &str) -> bool {
    let a = action.to_ascii_lowercase();
    a == "*"
        || a == "s3:*"
        || a == "s3:putobject"
        || (a.ends_with('*') && "s3:putobject".starts_with(&a[..a.len() - 1]))
}

fn denies_unencrypted_put(statement: Node<'_>) -> bool {
    let effect = statement.get("Effect").and_then(Node::as_str);
    if effect != Some("Deny") {
        return false;
    }
    let actions = statement.get("Action").map(strings).unwrap_or_default();
    if !actions.iter().any(|a| covers_put_object(a)) {
        return false;
    }
    let Some(condition) = statement.get("Condition") else {
        return false;
    };
    condition.entries().iter().any(|(op, keys)| {
        let Some(op) = op.as_str() else { return false };
        let op = op.rsplit(':').next().unwrap_or(op); // ForAnyValue:StringNotEquals
        keys.entries().iter().any(|(k, v)| {
            if !k.as_str().is_some_and(|k| k.eq_ignore_ascii_case(SSE_KEY)) {
                return false;
            }
            match op {
                "StringNotEquals" | "StringNotEqualsIfExists" | "StringNotLike" | "StringNotLikeIfExists" => true,
                "Null" => strings(v).iter().any(|s| s.eq_ignore_ascii_case("true")),
                _ => false,
            }
        })
    })
}

/// S3002: the release ships Velero storage locations, which the customer configures. Velero
/// reads locations only in its own namespace, and KOTS backs up to the BackupStorageLocation
/// named `default` there (`replicatedhq/kots pkg/snapshot/store.go` `FindBackupStoreLocation`):
/// only a location with an explicit namespace can compete (warning); one deployed into the app
/// namespace, or a BackupStorageLocation not named `default`, is ignored (info).
pub fn storage_locations(ctx: &mut Ctx) {
    let release = ctx.release;
    let found: Vec<(FileId, Span, String, Placement)> = release
        .objects
        .iter()
        .filter(|o| o.api_version.as_deref() == Some(VELERO_API))
        .filter_map(|o| {
            let kind = o.kind.as_deref()?;
            if kind != "BackupStorageLocation" && kind != "VolumeSnapshotLocation" {
                return None;
            }
            let root = release.node(o);
            let k = root.get("kind")?;
            Some((o.file, k.span(), kind.to_owned(), placement(root, kind)))
        })
        .collect();
    for (file, span, kind, placement) in found {
        let (message, severity) = match placement {
            Placement::Competes(ns) => (
                format!(
                    "the release ships a Velero {kind} in namespace `{ns}`: if that is Velero's namespace, it competes with the storage the customer configures in the Admin Console or with the KOTS CLI (KOTS backs up to the BackupStorageLocation named `default` there)"
                ),
                Severity::Warning,
            ),
            Placement::AppNamespace => (
                format!(
                    "the release ships a Velero {kind} with no namespace: KOTS deploys it into the app namespace, where Velero ignores it; snapshot storage is configured by the customer"
                ),
                Severity::Info,
            ),
            Placement::NotDefault => (
                format!(
                    "the release ships a Velero {kind} not named `default`: KOTS backs up only to the location named `default`, so it is unused; snapshot storage is configured by the customer"
                ),
                Severity::Info,
            ),
        };
        ctx.report(file, span, message)
            .with_severity(severity)
            .with_help("remove it from the release; document the storage destinations your customers should configure");
    }
}

/// Where a shipped location ends up, as far as Velero and KOTS are concerned.
enum Placement {
    /// In an explicit (possibly templated) namespace, which may be Velero's.
    Competes(String),
    /// No namespace: the app's namespace, which Velero does not read.
    AppNamespace,
    /// A BackupStorageLocation KOTS never names.
    NotDefault,
}

fn placement(root: Node<'_>, kind: &str) -> Placement {
    let name = root.path("metadata.name");
    let named_default = name.is_none_or(|n| n.contains_template() || n.as_str() == Some("default"));
    if kind == "BackupStorageLocation" && !named_default {
        return Placement::NotDefault;
    }
    match root.path("metadata.namespace") {
        Some(ns) if ns.contains_template() => Placement::Competes(
            ns.scalar()
                .map_or_else(|| "<templated>".to_owned(), |s| s.value.to_string()),
        ),
        Some(ns) => match ns.as_str() {
            Some(n) if !n.is_empty() => Placement::Competes(n.to_owned()),
            _ => Placement::AppNamespace,
        },
        None => Placement::AppNamespace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(text: &str, kind: &str) -> Placement {
        let doc = parse_stream(text, &[]).remove(0);
        let root = doc.root().expect("a document");
        placement(root, kind)
    }

    /// What `scan` finds in the one document of `text`, when the prefilter lets it look.
    fn policies(text: &str) -> usize {
        let doc = parse_stream(text, &[]).remove(0);
        let root = doc.root().expect("a document");
        let mut n = 0;
        if may_hold_policy(text) {
            scan(text, root, 0, &mut |_| n += 1);
        }
        n
    }

    #[test]
    fn documents_are_skipped_only_when_no_statement_can_be_in_them() {
        let deny = |key: &str| {
            format!(
                "{{\"{key}\": [{{\"Effect\": \"Deny\", \"Action\": \"s3:PutObject\", \"Condition\": {{\"Null\": {{\"{SSE_KEY}\": \"true\"}}}}}}]}}"
            )
        };
        assert_eq!(policies(&deny("Statement")), 1);
        // Spelled with an escape, the bytes do not say `Statement`: still scanned.
        assert_eq!(policies(&deny("\\u0053tatement")), 1);
        assert!(!may_hold_policy("kind: Deployment\nmetadata: {name: web}\n"));
    }

    #[test]
    fn only_a_location_with_a_namespace_can_compete() {
        let bsl = "BackupStorageLocation";
        assert!(matches!(
            place("metadata: {name: default, namespace: velero}", bsl),
            Placement::Competes(ns) if ns == "velero"
        ));
        assert!(matches!(
            place("metadata: {name: default}", bsl),
            Placement::AppNamespace
        ));
        assert!(matches!(
            place("metadata: {name: archive, namespace: velero}", bsl),
            Placement::NotDefault
        ));
        // KOTS never names a VolumeSnapshotLocation either way: its namespace alone decides.
        assert!(matches!(
            place("metadata: {name: aws, namespace: velero}", "VolumeSnapshotLocation"),
            Placement::Competes(_)
        ));
    }
}
