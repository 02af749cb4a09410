#!/usr/bin/env bash
# Build the release artefacts of one platform into dist/ (default: Linux x86_64):
#   snaplint_kots-<version>-py3-none-manylinux2014_x86_64.whl  (PyPI: `pipx install snaplint-kots`)
#   snaplint-<version>-x86_64-unknown-linux-gnu.tar.gz (+ .sha256): the same binary, README, LICENSE
# The binary is linked by zig (the `ziglang` wheel) against glibc 2.17 (manylinux2014), so it
# starts on Ubuntu 20.04, RHEL 7 and 8, Amazon Linux 2; no extra Rust target is needed. maturin and
# ziglang are installed into a private virtualenv under target/.
set -euo pipefail
cd "$(dirname "$0")/.."

# TARGET picks another platform (the release workflow builds each on its own runner).
target="${TARGET:-x86_64-unknown-linux-gnu}"
case "$target" in
    *-linux-gnu) link=(--zig --compatibility manylinux2014) ;;
    *-linux-musl) link=(--zig --compatibility musllinux_1_2) ;;
    *) link=() ;;
esac
exe=snaplint
case "$target" in *-windows-*) exe=snaplint.exe ;; esac
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
venv=target/dist-venv
bin="$venv/bin"
[ -d "$venv/Scripts" ] && bin="$venv/Scripts"
if [ ! -x "$bin/maturin" ] && [ ! -x "$bin/maturin.exe" ]; then
    python3 -m venv "$venv"
    [ -d "$venv/Scripts" ] && bin="$venv/Scripts"
    "$bin/python" -m pip install --quiet --disable-pip-version-check 'maturin>=1.16,<2' 'ziglang>=0.13,<0.18'
fi
rustup target add "$target" >/dev/null 2>&1 || true
rm -rf dist && mkdir -p dist
PATH="$PWD/$bin:$PATH" maturin build --release --locked ${link[@]+"${link[@]}"} --target "$target" --out dist

# The archive holds the wheel's own binary: one build, two packagings.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m zipfile -e dist/*.whl "$work/wheel"
stage="$work/snaplint-$version-$target"
mkdir -p "$stage"
install -m 0755 "$work"/wheel/*.data/scripts/"$exe" "$stage/$exe"
cp README.md LICENSE "$stage/"
archive="snaplint-$version-$target.tar.gz"
if tar --version 2>/dev/null | grep -q GNU; then owner=(--owner=0 --group=0 --numeric-owner); else owner=(--uid 0 --gid 0); fi
tar -C "$work" "${owner[@]}" -czf "dist/$archive" "snaplint-$version-$target"
if command -v sha256sum >/dev/null; then sum=(sha256sum); else sum=(shasum -a 256); fi
(cd dist && "${sum[@]}" "$archive" > "$archive.sha256")
ls -l dist
