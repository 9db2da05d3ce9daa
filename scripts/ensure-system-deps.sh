#!/usr/bin/env bash
# System packages the unit tests need (CI starts from a bare Debian 12 with Node):
# gcc-multilib, so gcc -m32 can give the i386 layout truth. Idempotent and quick when present.
set -euo pipefail
need=()
if ! printf 'int x;\n' | gcc -m32 -x c -c -o /dev/null - 2>/dev/null; then need+=(gcc-multilib); fi
command -v ld >/dev/null 2>&1 || need+=(binutils)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-system-deps: please install: ${need[*]} (needs root and apt-get)" >&2
  exit 1
fi
echo "ensure-system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
apt-get install -y -qq "${need[@]}" >/dev/null
