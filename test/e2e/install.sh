#!/usr/bin/env bash
# Installs the end-to-end tools (code-server = a real VS Code 1.100.3, and playwright-core) into test/e2e/node_modules,
# kept apart from the product's dependencies. Idempotent: returns at once when the pinned versions are installed.
set -euo pipefail
cd "$(dirname "$0")"

installed_version() { node -p "require('./node_modules/$1/package.json').version" 2>/dev/null || true; }
wanted_version() { node -p "require('./package.json').dependencies['$1']"; }

if [ "$(installed_version code-server)" = "$(wanted_version code-server)" ] &&
  [ "$(installed_version playwright-core)" = "$(wanted_version playwright-core)" ]; then
  echo "e2e tools already installed (code-server $(installed_version code-server), playwright-core $(installed_version playwright-core))"
  exit 0
fi

# code-server's postinstall fetches ripgrep from GitHub unless its cache already holds the archive: no download is
# possible here, so the cache is filled from Debian's ripgrep.
rg_path="$(command -v rg || true)"
if [ -z "$rg_path" ]; then
  echo "ripgrep (rg) is required: apt-get install -y ripgrep" >&2
  exit 1
fi
rg_cache=/tmp/vscode-ripgrep-cache-1.15.11
rg_archive="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$rg_archive" ]; then
  pack_dir="$(mktemp -d)"
  mkdir -p "$rg_cache"
  cp "$rg_path" "$pack_dir/rg"
  tar -C "$pack_dir" -czf "$rg_archive" rg
  rm -rf "$pack_dir"
fi

npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund --no-package-lock --save-exact=false
echo "e2e tools installed (code-server $(installed_version code-server), playwright-core $(installed_version playwright-core))"
