#!/usr/bin/env bash
# Prints the path of the kernel's own defconfig .config for TREE and ARCH (default x86_64): runs
# `make -C TREE O=TMP ARCH=ARCH defconfig` (Kbuild's configuration tool: make, gcc, flex and bison
# on the host; make itself says an ARCH it does not know) and keeps the .config in the cache, keyed
# by the tree's path and version and ARCH. Never writes in TREE. A few seconds the first time.
# Usage: scripts/defconfig.sh TREE [ARCH]
set -euo pipefail
tree="$(cd "${1:?usage: defconfig.sh TREE [ARCH]}" && pwd -P)"
arch="${2:-x86_64}"
[ -f "$tree/Makefile" ] && [ -f "$tree/Kbuild" ] || { echo "defconfig: $tree is no kernel tree (no Makefile and Kbuild)" >&2; exit 2; }
cache="${PERCPU_LENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/percpu-lens}/defconfigs"
mkdir -p "$cache"
key="$( { echo "$tree"; head -n 6 "$tree/Makefile"; echo "$arch"; } | sha1sum | cut -c1-16)"
out="$cache/$arch-$key.config"
if [ ! -s "$out" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp" "$tmp.log"' EXIT
  make -s -C "$tree" O="$tmp" ARCH="$arch" defconfig >"$tmp.log" 2>&1 || { echo "defconfig: make ARCH=$arch defconfig failed (make, gcc, flex and bison needed):" >&2; tail -n 5 "$tmp.log" >&2; exit 1; }
  mv "$tmp/.config" "$out.tmp" && mv "$out.tmp" "$out"
fi
echo "$out"
