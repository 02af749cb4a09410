#!/usr/bin/env bash
# Build the release artefacts into dist/:
#   snaplint_kots-<version>-py3-none-manylinux2014_x86_64.whl  (PyPI: `pipx install snaplint-kots`)
#   snaplint-<version>-x86_64-unknown-linux-gnu.tar.gz (+ .sha256): the same binary, README, LICENSE
# The binary is linked by zig (the `ziglang` wheel) against glibc 2.17 (manylinux2014), so it
# starts on Ubuntu 20.04, RHEL 7 and 8, Amazon Linux 2; no extra Rust target is needed. maturin and
# ziglang are installed into a private virtualenv under target/.
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-gnu
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
venv=target/dist-venv
if [ ! -x "$venv/bin/maturin" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'maturin>=1.16,<2' 'ziglang>=0.13,<0.18'
fi
rm -rf dist && mkdir -p dist
PATH="$PWD/$venv/bin:$PATH" maturin build --release --locked --zig \
    --compatibility manylinux2014 --target "$target" --out dist

# The archive holds the wheel's own binary: one build, two packagings.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m zipfile -e dist/*.whl "$work/wheel"
stage="$work/snaplint-$version-$target"
mkdir -p "$stage"
install -m 0755 "$work"/wheel/*.data/scripts/snaplint "$stage/snaplint"
cp README.md LICENSE "$stage/"
archive="snaplint-$version-$target.tar.gz"
tar -C "$work" --owner=0 --group=0 --numeric-owner -czf "dist/$archive" "snaplint-$version-$target"
(cd dist && sha256sum "$archive" > "$archive.sha256")
ls -l dist
