//! `snaplint server`: a language server over stdio, on the synchronous `lsp-server` crate
//! (rust-analyzer's scaffolding). The workspace folder's release is loaded once; open documents
//! replace their files; every change re-lints the release and publishes each open document's
//! findings. Quick fixes are the findings' own fixes, "fix all" is `--fix` on the document, and
//! the server never writes a file itself: the editor applies the edits.

mod convert;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crossbeam_channel::RecvTimeoutError;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeConfiguration, DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams, CodeActionProviderCapability,
    Hover, HoverContents, HoverParams, HoverProviderCapability, InitializeParams, MarkupContent, MarkupKind,
    PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri,
    WorkspaceEdit,
};
use serde_json::Value;

use crate::diagnostic::{Applicability, Diagnostic};
use crate::lint::{self, Input};
use crate::release::Release;
use crate::rules::{Filter, RuleSpec, RunOptions};

const FIX_ALL: &str = "source.fixAll.snaplint";

/// Settings from `initializationOptions` or `workspace/didChangeConfiguration` (`snaplint`).
#[derive(Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Settings {
    select: Vec<String>,
    ignore: Vec<String>,
    kots_version: Option<String>,
    velero_version: Option<String>,
    kubernetes_version: Option<String>,
}

struct State {
    rules: Vec<RuleSpec>,
    root: PathBuf,
    /// The release as on disk; reloaded when a document is saved.
    disk: Option<Release>,
    /// Open documents: path -> (URI, text).
    open: HashMap<PathBuf, (Uri, String)>,
    filter: Filter,
    options: RunOptions,
    /// The release with the open documents, and its findings, after the last change.
    current: Option<(Release, Vec<Diagnostic>)>,
    published: HashSet<PathBuf>,
}

pub fn run(rules: &[RuleSpec]) -> Result<(), String> {
    let (connection, io) = Connection::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::new(FIX_ALL)]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    };
    let caps = serde_json::to_value(capabilities).map_err(|e| e.to_string())?;
    let init = connection.initialize(caps).map_err(|e| format!("initialize: {e}"))?;
    let params: InitializeParams = serde_json::from_value(init).map_err(|e| format!("initialize: {e}"))?;
    let mut state = State {
        rules: rules.to_vec(),
        root: root_of(&params),
        disk: None,
        open: HashMap::new(),
        filter: Filter::default(),
        options: RunOptions::default(),
        current: None,
        published: HashSet::new(),
    };
    state.configure(params.initialization_options.as_ref());
    state.reload();
    main_loop(&connection, &mut state)?;
    // The writer thread ends once the last sender is gone.
    drop(connection);
    io.join().map_err(|e| e.to_string())
}

fn root_of(params: &InitializeParams) -> PathBuf {
    let folder = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| &f.uri);
    #[allow(deprecated)]
    let uri = folder.or(params.root_uri.as_ref());
    uri.and_then(convert::path_of)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default()
}

/// Changes arriving within this long of each other are linted once (typing sends one per key).
const DEBOUNCE: Duration = Duration::from_millis(80);

/// Until `exit`. After `shutdown`, requests get an error (editors may send `shutdown` twice) and
/// `exit` ends the loop; an `exit` without `shutdown` is an error, as the protocol says.
/// Changes are linted once no other message has come for `DEBOUNCE`, or before a request.
fn main_loop(connection: &Connection, state: &mut State) -> Result<(), String> {
    let mut shut_down = false;
    let mut stale = false;
    loop {
        let message = if stale {
            match connection.receiver.recv_timeout(DEBOUNCE) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => {
                    stale = false;
                    relint_and_publish(connection, state)?;
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
        } else {
            match connection.receiver.recv() {
                Ok(m) => m,
                Err(_) => return Ok(()),
            }
        };
        match message {
            Message::Request(req) if shut_down || req.method == "shutdown" => {
                let response = if shut_down {
                    Response::new_err(
                        req.id,
                        lsp_server::ErrorCode::InvalidRequest as i32,
                        "shutting down".into(),
                    )
                } else {
                    Response::new_ok(req.id, Value::Null)
                };
                shut_down = true;
                send(connection, Message::Response(response))?;
            }
            Message::Request(req) => {
                // A code action or hover answers for the text the editor has now.
                if std::mem::take(&mut stale) {
                    relint_and_publish(connection, state)?;
                }
                let response = state.request(req);
                send(connection, Message::Response(response))?;
            }
            Message::Notification(n) if n.method == "exit" => {
                return if shut_down {
                    Ok(())
                } else {
                    Err("exit before shutdown".into())
                };
            }
            Message::Notification(n) => stale |= state.notification(n),
            Message::Response(_) => {}
        }
    }
}

fn relint_and_publish(connection: &Connection, state: &mut State) -> Result<(), String> {
    state.relint();
    for m in state.publish() {
        send(connection, m)?;
    }
    Ok(())
}

fn send(connection: &Connection, m: Message) -> Result<(), String> {
    connection.sender.send(m).map_err(|e| e.to_string())
}

impl State {
    fn configure(&mut self, value: Option<&Value>) {
        let value = value.map(|v| v.get("snaplint").unwrap_or(v).clone());
        let settings: Settings = value.and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default();
        self.filter = Filter {
            select: settings.select,
            ignore: settings.ignore,
            ..Filter::default()
        };
        let version = |v: Option<String>| v.and_then(|s| crate::compat::parse_version(&s).ok());
        self.options.versions = crate::compat::ClusterVersions {
            kots: version(settings.kots_version),
            velero: version(settings.velero_version),
            kubernetes: version(settings.kubernetes_version),
        };
    }

    /// The release of the workspace folder, as `check` finds it (`.snaplint.yaml` included).
    fn reload(&mut self) {
        let config = crate::config::discover(&self.root)
            .and_then(|p| crate::config::load(&p, &self.rules).ok())
            .unwrap_or_default();
        let paths: Vec<PathBuf> = if config.paths.is_empty() {
            vec![self.root.clone()]
        } else {
            config.paths.iter().map(|p| config.base.join(p)).collect()
        };
        let exclude = crate::config::glob_set(&config.exclude).unwrap_or_else(|_| globset::GlobSet::empty());
        let input = Input::Paths {
            paths: &paths,
            exclude: &exclude,
            base: &config.base,
        };
        self.disk = lint::load_with(input, &config.limits.resolve()).ok();
    }

    /// Handle a notification; `true` when the findings may have changed.
    fn notification(&mut self, n: Notification) -> bool {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params) else {
                    return false;
                };
                self.set_open(p.text_document.uri, Some(p.text_document.text))
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params) else {
                    return false;
                };
                let text = p.content_changes.into_iter().last().map(|c| c.text);
                text.is_some() && self.set_open(p.text_document.uri, text)
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params) else {
                    return false;
                };
                self.set_open(p.text_document.uri, None)
            }
            DidSaveTextDocument::METHOD => {
                self.reload();
                true
            }
            DidChangeConfiguration::METHOD => {
                let settings = n.params.get("settings").cloned();
                self.configure(settings.as_ref());
                true
            }
            _ => false,
        }
    }

    fn set_open(&mut self, uri: Uri, text: Option<String>) -> bool {
        let Some(path) = convert::path_of(&uri) else {
            return false;
        };
        match text {
            Some(t) => self.open.insert(path, (uri, t)),
            None => self.open.remove(&path),
        };
        true
    }

    /// The release with every open document's text, linted.
    fn relint(&mut self) {
        let Some(disk) = &self.disk else { return };
        let mut release = clone_release(disk);
        for (path, (_, text)) in &self.open {
            release = lint::with_buffer(release, path, text.clone()).0;
        }
        let diagnostics = lint::lint(&release, &self.rules, &self.filter, &self.options);
        self.current = Some((release, diagnostics));
    }

    /// `publishDiagnostics` for every open document, and an empty one for each document
    /// published before that no longer has findings.
    fn publish(&mut self) -> Vec<Message> {
        let Some((release, diagnostics)) = &self.current else {
            return Vec::new();
        };
        let mut by_path: HashMap<PathBuf, (Uri, Vec<lsp_types::Diagnostic>)> = HashMap::new();
        for (path, (uri, _)) in &self.open {
            by_path.insert(path.clone(), (uri.clone(), Vec::new()));
        }
        let anchor = release_anchor(release);
        for d in diagnostics {
            let (file, span) = match &d.location {
                Some(l) => (l.file, l.span.clone()),
                None => match anchor {
                    Some(f) => (f, 0..0),
                    None => continue,
                },
            };
            let f = &release.files[file];
            let Some(entry) = shown_path(f).and_then(|p| by_path.get_mut(p)) else {
                continue;
            };
            entry.1.push(convert::diagnostic(release, d, &f.text, &span));
        }
        let now: HashSet<PathBuf> = by_path.keys().cloned().collect();
        let mut out = Vec::new();
        for gone in self.published.difference(&now) {
            if let Some(uri) = convert::uri_of(gone) {
                out.push(publish(uri, Vec::new()));
            }
        }
        for (uri, list) in by_path.into_values() {
            out.push(publish(uri, list));
        }
        self.published = now;
        out
    }

    fn request(&mut self, req: Request) -> Response {
        let result = match req.method.as_str() {
            CodeActionRequest::METHOD => serde_json::from_value::<CodeActionParams>(req.params)
                .ok()
                .map(|p| serde_json::to_value(self.code_actions(&p)).unwrap_or(Value::Null)),
            HoverRequest::METHOD => serde_json::from_value::<HoverParams>(req.params)
                .ok()
                .map(|p| serde_json::to_value(self.hover(&p)).unwrap_or(Value::Null)),
            _ => {
                return Response::new_err(
                    req.id,
                    lsp_server::ErrorCode::MethodNotFound as i32,
                    "not supported".into(),
                );
            }
        };
        match result {
            Some(v) => Response::new_ok(req.id, v),
            None => invalid(req.id),
        }
    }

    /// The findings shown on `path` whose range meets `range`, with their LSP ranges.
    fn findings_at<'a>(&'a self, path: &Path, at: lsp_types::Range) -> Vec<(&'a Diagnostic, lsp_types::Range)> {
        let Some((release, diagnostics)) = &self.current else {
            return Vec::new();
        };
        let Some(file) = release.files.iter().position(|f| shown_path(f) == Some(path)) else {
            return Vec::new();
        };
        let text = &release.files[file].text;
        // Release-level findings are shown at the top of the anchor file.
        let anchored = release_anchor(release) == Some(file);
        diagnostics
            .iter()
            .filter_map(|d| {
                let span = match &d.location {
                    Some(l) if l.file == file => l.span.clone(),
                    None if anchored => 0..0,
                    _ => return None,
                };
                let r = convert::range(text, &span);
                (r.start <= at.end && at.start <= r.end).then_some((d, r))
            })
            .collect()
    }

    fn code_actions(&self, p: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let Some(path) = convert::path_of(&p.text_document.uri) else {
            return Vec::new();
        };
        let Some((release, _)) = &self.current else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (d, range) in self.findings_at(&path, p.range) {
            if let Some(fix) = &d.fix
                && let Some(edit) = convert::workspace_edit(release, &fix.edits)
            {
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("{}: {}", d.rule, fix.description),
                    kind: Some(CodeActionKind::QUICKFIX),
                    edit: Some(edit),
                    is_preferred: (fix.applicability == Applicability::Safe).then_some(true),
                    ..CodeAction::default()
                }));
            }
            if d.location.is_none() {
                continue;
            }
            out.push(action(
                format!("Ignore {} on this line", d.rule),
                CodeActionKind::QUICKFIX,
                vec![(path.clone(), suppression(&p.text_document.uri, self, range, &d.rule))],
                false,
            ));
        }
        if let Some(edit) = self.fix_all(&path) {
            out.push(action(
                "Fix all safe snaplint fixes in this file".into(),
                CodeActionKind::new(FIX_ALL),
                vec![(path, edit)],
                false,
            ));
        }
        out
    }

    /// Every safe fix of the document, to a fixpoint, as one edit replacing its text.
    fn fix_all(&self, path: &Path) -> Option<TextEdit> {
        let (release, _) = self.current.as_ref()?;
        let id = release
            .files
            .iter()
            .position(|f| f.chart.is_none() && f.disk.as_deref() == Some(path))?;
        let before = release.files[id].text.clone();
        let outcome = lint::fix(clone_release(release), &self.rules, &self.filter, &self.options, false);
        let after = outcome
            .release
            .files
            .iter()
            .find(|f| f.disk.as_deref() == Some(path))?
            .text
            .to_string();
        (*after != *before).then(|| TextEdit::new(convert::range(&before, &(0..before.len())), after))
    }

    fn hover(&self, p: &HoverParams) -> Option<Hover> {
        let doc = &p.text_document_position_params;
        let path = convert::path_of(&doc.text_document.uri)?;
        let at = lsp_types::Range::new(doc.position, doc.position);
        let parts: Vec<String> = self
            .findings_at(&path, at)
            .into_iter()
            .filter_map(|(d, _)| {
                let rule = self.rules.iter().find(|r| r.id == d.rule)?;
                let first = rule.explain.split("\n\n").take(2).collect::<Vec<_>>().join("\n\n");
                Some(format!(
                    "**{}** `{}`: {}\n\n{}\n\n`snaplint explain {}` for the rest",
                    rule.id,
                    rule.name,
                    rule.summary,
                    first.trim(),
                    rule.id
                ))
            })
            .collect();
        (!parts.is_empty()).then(|| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: parts.join("\n\n---\n\n"),
            }),
            range: None,
        })
    }
}

/// The suppression comment above a finding's line, at that line's indentation.
fn suppression(uri: &Uri, state: &State, range: lsp_types::Range, rule: &str) -> TextEdit {
    let text = convert::path_of(uri)
        .and_then(|p| state.open.get(&p).map(|(_, t)| t.clone()))
        .unwrap_or_default();
    let line = text.lines().nth(range.start.line as usize).unwrap_or("");
    let indent: String = line.chars().take_while(|c| *c == ' ').collect();
    let at = lsp_types::Position::new(range.start.line, 0);
    TextEdit::new(
        lsp_types::Range::new(at, at),
        format!("{indent}# snaplint-ignore: {rule}\n"),
    )
}

// lsp-types keys `WorkspaceEdit::changes` by `Uri`, whose cached parts never change its hash.
#[allow(clippy::mutable_key_type)]
fn action(
    title: String,
    kind: CodeActionKind,
    edits: Vec<(PathBuf, TextEdit)>,
    preferred: bool,
) -> CodeActionOrCommand {
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for (path, e) in edits {
        if let Some(uri) = convert::uri_of(&path) {
            changes.entry(uri).or_default().push(e);
        }
    }
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        edit: Some(WorkspaceEdit {
            changes: Some(changes),
            ..WorkspaceEdit::default()
        }),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    })
}

fn publish(uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>) -> Message {
    let params = PublishDiagnosticsParams::new(uri, diagnostics, None);
    Message::Notification(Notification::new(PublishDiagnostics::METHOD.into(), params))
}

fn invalid(id: RequestId) -> Response {
    Response::new_err(id, lsp_server::ErrorCode::InvalidParams as i32, "invalid params".into())
}

/// The file an editor has open for `f`: a file on disk, or the template of a chart directory
/// that rendered it (findings in rendered output are reported on their template lines).
fn shown_path(f: &crate::source::SourceFile) -> Option<&Path> {
    match (&f.chart, f.template_source) {
        (None, _) => f.disk.as_deref(),
        (Some(_), true) => Some(f.path.as_path()).filter(|p| p.is_file()),
        (Some(_), false) => None,
    }
}

/// Release-level findings go on the KOTS Application manifest, else the first file, as in SARIF.
fn release_anchor(release: &Release) -> Option<usize> {
    let app = release.objects.iter().find(|o| {
        o.kind.as_deref() == Some("Application") && o.api_version.as_deref().is_some_and(|a| a.starts_with("kots.io/"))
    });
    app.map(|o| o.file).or_else(|| {
        release
            .files
            .iter()
            .position(|f| f.chart.is_none() && !f.template_source)
    })
}

/// A copy of the release to edit in memory: its files re-indexed.
fn clone_release(release: &Release) -> Release {
    lint::with_files(release, release.files.clone())
}
