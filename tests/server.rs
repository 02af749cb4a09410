//! `snaplint server` driven over stdio as an editor drives it: initialize, open a document with
//! a mistake, read the diagnostics, ask for a code action, apply its edit, see the diagnostics
//! go, hover, change settings, shut down and exit.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};

use common::*;
use serde_json::{Value, json};

struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: i64,
}

impl Client {
    fn start(dir: &std::path::Path) -> Client {
        let mut child = bin()
            .arg("server")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the server");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        Client {
            child,
            stdin,
            stdout,
            next_id: 1,
        }
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn read(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.stdout.read_line(&mut line).expect("read a header");
            assert!(!line.is_empty(), "the server closed its output");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().expect("a length");
            }
        }
        let mut body = vec![0; length];
        self.stdout.read_exact(&mut body).expect("read a body");
        serde_json::from_slice(&body).expect("JSON")
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.read();
            if m["id"] == id {
                return m["result"].clone();
            }
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// A server on `dir`, initialized, with `text` open as `doc`.
    fn opened(dir: &std::path::Path, doc: &str, text: &str) -> Client {
        let mut c = Client::start(dir);
        let init = c.request(
            "initialize",
            json!({"processId": null, "rootUri": uri(dir), "capabilities": {}}),
        );
        assert!(init["capabilities"]["codeActionProvider"].is_object(), "{init}");
        c.notify("initialized", json!({}));
        c.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": doc, "languageId": "yaml", "version": 1, "text": text}}),
        );
        c
    }

    /// `shutdown`, then `exit`: the process must end cleanly.
    fn stop(mut self) {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("the server exits");
        assert!(status.success(), "{status}");
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let m = self.read();
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
                return m["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
            }
        }
    }
}

/// The diagnostic of rule `code` among `found`.
fn finding<'a>(found: &'a [Value], code: &str) -> &'a Value {
    found
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {found:?}"))
}

/// A copy of the testdata release `rel`, at its canonical path (the server reports those).
fn release_copy(rel: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = copy_dir(&manifest_dir().join(rel));
    let dir = dir.canonicalize().expect("canonical");
    (tmp, dir)
}

fn uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

/// Apply LSP text edits (whole-line positions are enough for these tests: ASCII text).
fn apply(text: &str, edits: &[Value]) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let offset = |p: &Value| -> usize {
        let (line, ch) = (
            p["line"].as_u64().unwrap() as usize,
            p["character"].as_u64().unwrap() as usize,
        );
        lines[..line.min(lines.len())].iter().map(|l| l.len()).sum::<usize>() + ch
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_owned();
    for (start, end, new) in spans {
        out.replace_range(start..end, &new);
    }
    out
}

/// The text edits a workspace edit makes to `uri` (its `documentChanges`).
fn edits_for(edit: &Value, uri: &str) -> Vec<Value> {
    edit["documentChanges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["textDocument"]["uri"] == uri)
        .flat_map(|c| c["edits"].as_array().cloned().unwrap_or_default())
        .collect()
}

#[test]
fn an_editor_session() {
    let (_tmp, dir) = release_copy("testdata/releases/sample");
    let file = dir.join("postgres-statefulset.yaml");
    let saved = std::fs::read_to_string(&file).expect("read");
    let doc = uri(&file);
    // An unsaved typo in the opt-in list: VOL002 on `dta`, at its UTF-16 range.
    let typo = saved.replace("backup-volumes: data", "backup-volumes: dta");
    let mut c = Client::opened(&dir, &doc, &typo);
    let found = c.diagnostics(&doc);
    let vol002 = finding(&found, "VOL002");
    let line = typo.lines().position(|l| l.contains("backup-volumes: dta")).unwrap();
    let col = typo.lines().nth(line).unwrap().find("dta").unwrap();
    assert_eq!(vol002["range"]["start"], json!({"line": line, "character": col}));
    assert_eq!(vol002["range"]["end"], json!({"line": line, "character": col + 3}));
    assert_eq!(vol002["severity"], 1, "VOL002 is an error");
    assert_eq!(vol002["source"], "snaplint");
    assert!(
        vol002["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/rules/VOL002.yaml")
    );
    // The Backup is on disk beside it: nothing says the release has none.
    assert!(found.iter().all(|d| d["code"] != "BKP001"), "{found:?}");

    // Hover on the finding shows its rule.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": {"line": line, "character": col + 1}}),
    );
    assert!(
        hover["contents"]["value"].as_str().unwrap().contains("**VOL002**"),
        "{hover}"
    );

    // Its quick fix, applied as the editor applies it, without saving: the finding goes.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": vol002["range"], "context": {"diagnostics": [vol002]}}),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["title"].as_str())
        .collect();
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "quickfix" && a["title"].as_str().unwrap().starts_with("VOL002"))
        .unwrap_or_else(|| panic!("no VOL002 quick fix in {titles:?}"));
    assert!(titles.iter().any(|t| t.starts_with("Ignore VOL002")), "{titles:?}");
    assert!(
        actions
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "source.fixAll.snaplint"),
        "{titles:?}"
    );
    let edits = edits_for(&fix["edit"], &doc);
    let fixed = apply(&typo, &edits);
    assert_eq!(fixed, saved);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    assert_eq!(c.diagnostics(&doc), Vec::<Value>::new());
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        saved,
        "the server never writes files"
    );

    // Settings: ignoring the rule hides it.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 3}, "contentChanges": [{"text": typo}]}),
    );
    assert!(c.diagnostics(&doc).iter().any(|d| d["code"] == "VOL002"));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"snaplint": {"ignore": ["VOL002", "HOOK014"]}}}),
    );
    let left = c.diagnostics(&doc);
    assert!(left.iter().all(|d| d["code"] != "VOL002"), "{left:?}");

    // Shutdown, then exit: the process ends cleanly.
    assert_eq!(c.request("shutdown", Value::Null), Value::Null);
    // Editors may ask twice (Neovim does); after shutdown every request is an error.
    c.send(&json!({"jsonrpc": "2.0", "id": 99, "method": "shutdown", "params": null}));
    let again = c.read();
    assert_eq!(again["id"], 99);
    assert!(again["error"].is_object(), "{again}");
    c.notify("exit", Value::Null);
    let status = c.child.wait().expect("the server exits");
    assert!(status.success(), "{status}");
}

#[test]
fn a_missing_backup_is_shown_on_the_application_and_fixed_by_creating_a_file() {
    let (_tmp, dir) = release_copy("testdata/releases/no-backup");
    let app = uri(&dir.join("kots-app.yaml"));
    let text = std::fs::read_to_string(dir.join("kots-app.yaml")).expect("read");
    let mut c = Client::opened(&dir, &app, &text);
    let found = c.diagnostics(&app);
    let bkp001 = finding(&found, "BKP001");
    assert_eq!(bkp001["range"]["start"], json!({"line": 0, "character": 0}));
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": app}, "range": bkp001["range"], "context": {"diagnostics": [bkp001]}}),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with("BKP001")))
        .unwrap_or_else(|| panic!("{actions}"));
    let changes = fix["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(changes[0]["kind"], "create", "{fix}");
    let created = changes[0]["uri"].as_str().unwrap().to_owned();
    assert!(created.ends_with(".yaml"), "{created}");
    assert!(
        edits_for(&fix["edit"], &created)[0]["newText"]
            .as_str()
            .unwrap()
            .contains("kind: Backup")
    );
    assert!(
        !dir.join(created.rsplit('/').next().unwrap()).exists(),
        "the server never writes files"
    );
    c.stop();
}

#[test]
fn findings_in_a_chart_are_published_on_its_open_template() {
    let (_tmp, dir) = release_copy("testdata/truth/hooks-chart-rendered");
    let template = dir.join("web/templates/deployment.yaml");
    let text = std::fs::read_to_string(&template).expect("read");
    // A misspelled opt-in key in the chart's pod template (VOL007), saved: charts render from disk.
    let broken = text.replace(
        "      labels:\n        app: web\n    spec:",
        "      labels:\n        app: web\n      annotations:\n        backup.velero.io/backup-volume: data\n    spec:",
    );
    assert_ne!(broken, text, "the template changed");
    std::fs::write(&template, &broken).expect("write");
    let doc = uri(&template);
    let mut c = Client::opened(&dir, &doc, &broken);
    let found = c.diagnostics(&doc);
    let vol007 = finding(&found, "VOL007");
    let line = broken.lines().position(|l| l.contains("backup-volume: data")).unwrap();
    assert_eq!(vol007["range"]["start"]["line"], line, "{vol007}");
    c.stop();
}
