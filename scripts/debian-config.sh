#!/usr/bin/env bash
# Prints the path of Debian's own .config for a kernel flavour (amd64, cloud-amd64, rt-amd64, arm64,
# arm64-16k, powerpc64le, powerpc64le-64k, armmp, armmp-lpae): `apt-get download`s the newest
# linux-image-<version>-<flavour>[-unsigned] package of the given version prefix (default 6.12, the
# version of linux-source-6.12) and extracts boot/config-* into the cache. Foreign arches need
# `dpkg --add-architecture ARCH && apt-get update` first. A few seconds the first time, then cached.
# Usage: scripts/debian-config.sh FLAVOUR [VERSION_PREFIX]
set -euo pipefail
flavour="${1:?usage: debian-config.sh FLAVOUR [VERSION_PREFIX]}"
prefix="${2:-6.12}"
cache="${PERCPU_LENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/percpu-lens}/debian-configs"
mkdir -p "$cache"

# linux-image-6.12.118+deb12-amd64-unsigned (amd64) or linux-image-6.12.118+deb12-arm64-unsigned
# (arm64); flavours without a signed variant (armmp, powerpc64le) have no -unsigned suffix.
pkg="$(apt-cache pkgnames "linux-image-$prefix." 2>/dev/null \
  | grep -E "^linux-image-$prefix\.[0-9]+\+[a-z0-9]+-$flavour(-unsigned)?$" | sort -V | tail -n 1 || true)"
if [ -z "$pkg" ]; then
  echo "debian-config: no linux-image-$prefix.*-$flavour package known to apt (apt-get update? dpkg --add-architecture?)" >&2
  exit 2
fi
out="$cache/$pkg.config"
if [ ! -s "$out" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  ( cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1 ) || { echo "debian-config: apt-get download $pkg failed" >&2; exit 1; }
  dpkg --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" --wildcards './boot/config-*'
  mv "$tmp"/boot/config-* "$out.tmp" && mv "$out.tmp" "$out"
fi
echo "$out"
