//! `snaplint server` with a real editor: Neovim headless, its built-in LSP client started on the
//! server, opening a release file with a mistake and reading back the diagnostics it received.
//! Skipped, saying so, when `nvim` is not installed (`.ci/run` installs Debian's `neovim`).

mod common;

use common::*;

const INIT: &str = r#"
local client = vim.lsp.start_client({ name = 'snaplint', cmd = { os.getenv('SNAPLINT_BIN'), 'server' }, root_dir = vim.fn.getcwd() })
vim.cmd('edit postgres-statefulset.yaml')
vim.lsp.buf_attach_client(0, client)
vim.wait(10000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local lines = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or '?'
  table.insert(lines, string.format('%s %d:%d %s', code, d.lnum, d.col, d.source or ''))
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
