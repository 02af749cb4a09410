//! `snaplint server` with a real editor: Neovim headless, its built-in LSP client started on the
//! server, opening a release file with a mistake: the diagnostics it received, a hover, and a
//! quick fix applied in the buffer after which the finding goes, without saving.
//! Skipped, saying so, when `nvim` is not installed (`.ci/run` installs Debian's `neovim`).

mod common;

use common::*;

const INIT: &str = r#"
local client = vim.lsp.start_client({ name = 'snaplint', cmd = { os.getenv('SNAPLINT_BIN'), 'server' }, root_dir = vim.fn.getcwd() })
vim.cmd('edit postgres-statefulset.yaml')
vim.lsp.buf_attach_client(0, client)
local function has(code)
  for _, d in ipairs(vim.diagnostic.get(0)) do
    local c = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    if c == code then return d end
  end
end
vim.wait(10000, function() return has('VOL002') ~= nil end, 50)
local lines = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or '?'
  table.insert(lines, string.format('%s %d:%d %s', code, d.lnum, d.col, d.source or ''))
end
local d = has('VOL002')
if d then
  local pos = { line = d.lnum, character = d.col + 1 }
  local hover = vim.lsp.buf_request_sync(0, 'textDocument/hover', { textDocument = { uri = vim.uri_from_bufnr(0) }, position = pos }, 5000)
  for _, r in pairs(hover or {}) do
    if r.result then table.insert(lines, 'hover ' .. (r.result.contents.value:match('^%*%*(%w+)%*%*') or '?')) end
  end
  local range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } }
  local actions = vim.lsp.buf_request_sync(0, 'textDocument/codeAction', { textDocument = { uri = vim.uri_from_bufnr(0) }, range = range, context = { diagnostics = {} } }, 5000)
  for _, r in pairs(actions or {}) do
    for _, a in ipairs(r.result or {}) do
      if a.kind == 'quickfix' and a.title:match('^VOL002') then
        vim.lsp.util.apply_workspace_edit(a.edit, 'utf-16')
        table.insert(lines, 'applied ' .. a.title)
      end
    end
  end
  vim.wait(10000, function() return has('VOL002') == nil end, 50)
  table.insert(lines, has('VOL002') and 'still VOL002' or 'gone VOL002')
  table.insert(lines, 'modified ' .. tostring(vim.bo.modified))
end
vim.fn.writefile(lines, os.getenv('SNAPLINT_NVIM_OUT'))
vim.lsp.stop_client(client)
vim.wait(2000, function() return vim.lsp.client_is_stopped(client) end, 50)
vim.cmd('qa!')
"#;

#[test]
fn neovim_shows_the_findings_on_the_right_characters() {
    if std::process::Command::new("nvim").arg("--version").output().is_err() {
        eprintln!("skipping the Neovim test: no `nvim` on PATH (Debian: apt-get install neovim)");
        return;
    }
    let (_tmp, dir) = copy_dir(&manifest_dir().join("testdata/releases/sample"));
    let file = dir.join("postgres-statefulset.yaml");
    let text = std::fs::read_to_string(&file).expect("read");
    let broken = text.replace("backup-volumes: data", "backup-volumes: dta");
    std::fs::write(&file, &broken).expect("write");
    let init = dir.join("init.lua");
    std::fs::write(&init, INIT).expect("write init.lua");
    let out = dir.join("diagnostics.txt");
    let status = std::process::Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", init.display()))
        .current_dir(&dir)
        .env("SNAPLINT_BIN", env!("CARGO_BIN_EXE_snaplint"))
        .env("SNAPLINT_NVIM_OUT", &out)
        .status()
        .expect("run nvim");
    assert!(status.success(), "nvim: {status}");
    let got = std::fs::read_to_string(&out).expect("nvim wrote the diagnostics it received");
    // Neovim's lines and columns are zero-based; `dta` is at line 19, column 42 of the file.
    let line = broken
        .lines()
        .position(|l| l.contains("backup-volumes: dta"))
        .expect("the typo");
    let col = broken.lines().nth(line).and_then(|l| l.find("dta")).expect("the typo");
    assert!(
        got.lines().any(|l| l == format!("VOL002 {line}:{col} snaplint")),
        "{got}"
    );
}
