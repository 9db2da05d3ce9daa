#!/usr/bin/env bash
# Prints the path of the kernel's own defconfig .config for TREE and ARCH (default x86_64): runs
# `make -C TREE O=TMP ARCH=ARCH defconfig` (Kbuild's configuration tool: make, gcc, flex and bison
# on the host) and keeps the .config in the cache, keyed by the tree's version and the arch's
# defconfig files. Never writes in TREE. A few seconds the first time, then cached.
# Usage: scripts/defconfig.sh TREE [ARCH]
set -euo pipefail
tree="$(cd "${1:?usage: defconfig.sh TREE [ARCH]}" && pwd)"
arch="${2:-x86_64}"
# Kbuild's SRCARCH for the ARCH names people pass
case "$arch" in x86_64|i386) src=x86 ;; arm64) src=arm64 ;; powerpc*|ppc*) src=powerpc ;; *) src="$arch" ;; esac
[ -f "$tree/Makefile" ] && [ -d "$tree/arch/$src/configs" ] || { echo "defconfig: $tree is no kernel tree with arch/$src/configs" >&2; exit 2; }
cache="${PERCPU_LENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/percpu-lens}/defconfigs"
mkdir -p "$cache"
key="$( { head -n 6 "$tree/Makefile"; cat "$tree/arch/$src/configs/"*defconfig "$tree/arch/$src/Kconfig" 2>/dev/null; echo "$arch"; } | sha1sum | cut -c1-16)"
out="$cache/$arch-$key.config"
if [ ! -s "$out" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  make -s -C "$tree" O="$tmp" ARCH="$arch" defconfig >"$tmp.log" 2>&1 || { echo "defconfig: make ARCH=$arch defconfig failed (make, gcc, flex and bison needed):" >&2; tail -n 5 "$tmp.log" >&2; rm -f "$tmp.log"; exit 1; }
  rm -f "$tmp.log"
  mv "$tmp/.config" "$out.tmp" && mv "$out.tmp" "$out"
fi
echo "$out"
