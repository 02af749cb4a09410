//! The release index: every file, every Kubernetes object by kind and name, every workload's
//! pod template, built once.

pub mod effective;
pub mod workload;

use std::collections::HashMap;
use std::path::PathBuf;

use crate::diagnostic::FileId;
use crate::source::SourceFile;
use crate::yaml::{Document, Node};

pub use effective::{BackupType, EffectiveBackup};
pub use workload::{Container, Name, Running, Volume, Workload};

pub const VELERO_API: &str = "velero.io/v1";

#[derive(Debug, Clone)]
pub struct Object {
    pub file: FileId,
    pub doc: usize,
    pub api_version: Option<Name>,
    pub kind: Option<Name>,
    pub name: Option<Name>,
}

#[derive(Debug)]
pub struct Release {
    pub files: Vec<SourceFile>,
    pub objects: Vec<Object>,
    pub workloads: Vec<Workload>,
    /// Object indices by kind, in release order: per-workload lookups stay linear overall.
    by_kind: HashMap<String, Vec<usize>>,
    /// The Backups KOTS creates from the release's Backup, one per backup type.
    pub effective: Vec<EffectiveBackup>,
    /// Helm chart archives and what rendering them gave (set by the loader).
    pub charts: Vec<crate::helm::ChartRecord>,
    /// What the charts were rendered from and by, to render them again when a fix changes
    /// their HelmChart's values.
    pub chart_sources: Vec<(PathBuf, crate::helm::ChartSource)>,
    pub engine: crate::helm::Engine,
    /// The limits the release was loaded under; charts render again under the same.
    pub limits: crate::source::Limits,
    /// Where files a fix creates go (the first directory given); `None` for stdin.
    pub root: Option<PathBuf>,
    /// Paths found but not read (FIFO, broken symlink, symlink loop), with the reason.
    pub skipped: Vec<crate::source::Skipped>,
}

impl Release {
    pub fn new(files: Vec<SourceFile>, root: Option<PathBuf>) -> Self {
        let mut objects = Vec::with_capacity(files.iter().map(|f| f.documents.len()).sum());
        for (file_id, file) in files.iter().enumerate() {
            for (doc_id, doc) in file.documents.iter().enumerate() {
                let Some(root) = doc.root().filter(|r| r.is_map()) else {
                    continue;
                };
                let field = |k: &str| root.get(k).and_then(Node::as_str).map(Name::from);
                objects.push(Object {
                    file: file_id,
                    doc: doc_id,
                    api_version: field("apiVersion"),
                    kind: field("kind"),
                    name: root.path("metadata.name").and_then(Node::as_str).map(Name::from),
                });
            }
        }
        objects.shrink_to_fit();
        let mut by_kind: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, o) in objects.iter().enumerate() {
            if let Some(kind) = &o.kind {
                by_kind.entry(kind.to_string()).or_default().push(i);
            }
        }
        let mut release = Release {
            files,
            objects,
            workloads: Vec::new(),
            by_kind,
            effective: Vec::new(),
            charts: Vec::new(),
            chart_sources: Vec::new(),
            engine: crate::helm::Engine::Builtin,
            limits: crate::source::Limits::default(),
            root,
            skipped: Vec::new(),
        };
        release.workloads = workload::build(&release);
        release.effective = effective::build(&release);
        release
    }

    pub fn document(&self, obj: &Object) -> &Document {
        &self.files[obj.file].documents[obj.doc]
    }

    /// The namespace an object written at `root` of `file` is deployed into, when the release
    /// names one: a literal `metadata.namespace`, except the namespace a chart was rendered with
    /// for the application's (`SourceFile::app_namespace`). `None`: the application's namespace,
    /// or templated.
    pub fn namespace_of<'a>(&'a self, file: FileId, root: Node<'a>) -> Option<&'a str> {
        let ns = root
            .path("metadata.namespace")
            .filter(|n| !n.is_templated())
            .and_then(Node::as_str)
            .filter(|n| !n.is_empty())?;
        (self.files[file].app_namespace.as_deref() != Some(ns)).then_some(ns)
    }

    /// The object's root mapping (always present for an indexed object).
    pub fn node(&self, obj: &Object) -> Node<'_> {
        self.document(obj).root().unwrap_or(Node::empty())
    }

    /// Velero Backups and Restores (the objects that carry spec hooks), each with whether it is
    /// a Restore.
    pub fn hook_specs(&self) -> impl Iterator<Item = (&Object, bool)> {
        self.objects
            .iter()
            .filter(|o| o.api_version.as_deref() == Some(VELERO_API))
            .filter_map(|o| match o.kind.as_deref() {
                Some("Backup") => Some((o, false)),
                Some("Restore") => Some((o, true)),
                _ => None,
            })
    }

    /// Every annotation key on an object that is neither a pod nor a pod controller: Velero
    /// never reads annotations there.
    pub fn annotations_off_pods(&self) -> impl Iterator<Item = (&Object, Node<'_>)> {
        self.objects
            .iter()
            .filter(|o| o.kind.as_deref().is_some_and(|k| !workload::is_pod_kind(k)))
            .filter_map(|o| Some((o, self.node(o).path("metadata.annotations")?)))
            .flat_map(|(o, ann)| ann.entries().iter().map(move |(k, _)| (o, k)))
    }

    /// The release's Backup, when there is exactly one to go by.
    pub fn backup(&self) -> Option<&Object> {
        self.backups().last()
    }

    /// Backups that back up every pod volume not excluded (the vendor's
    /// `defaultVolumesToFsBackup: true` reaches them); full backups never do.
    pub fn opt_out_backups(&self) -> impl Iterator<Item = &EffectiveBackup> {
        self.effective.iter().filter(|e| e.opt_out)
    }

    pub fn document_count(&self) -> usize {
        self.files.iter().map(|f| f.documents.len()).sum()
    }

    /// Objects that Velero and KOTS recognise as a Backup: exactly `velero.io/v1` `Backup`.
    pub fn backups(&self) -> impl Iterator<Item = &Object> {
        self.of_kind("Backup")
            .filter(|o| o.api_version.as_deref() == Some(VELERO_API))
    }

    /// Objects of one kind, in release order.
    pub fn of_kind<'a>(&'a self, kind: &str) -> impl Iterator<Item = &'a Object> + use<'a> {
        self.by_kind
            .get(kind)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|i| &self.objects[*i])
    }
}
