#!/usr/bin/env bash
# System packages the unit tests need (CI starts from a bare Debian 12 with Node):
# gcc-multilib, so gcc -m32 can give the i386 layout truth, make, and Debian's cross compilers, the layout
# truth of every other arch (test/unit/layout.cross.test.ts; apt-get update + install of all of them
# took 80 s on a CI-sized machine). Idempotent and quick when present.
set -euo pipefail
need=()
if ! printf 'int x;\n' | gcc -m32 -x c -c -o /dev/null - 2>/dev/null; then need+=(gcc-multilib); fi
command -v ld >/dev/null 2>&1 || need+=(binutils)
# make runs the stand-in kernel build of test/unit/compiledOrder.test.ts (estimate --cross-compile)
command -v make >/dev/null 2>&1 || need+=(make)
for cc in aarch64-linux-gnu arm-linux-gnueabihf powerpc64le-linux-gnu powerpc-linux-gnu riscv64-linux-gnu \
  s390x-linux-gnu mipsel-linux-gnu mips64el-linux-gnuabi64 sparc64-linux-gnu alpha-linux-gnu hppa-linux-gnu \
  hppa64-linux-gnu sh4-linux-gnu m68k-linux-gnu; do
  command -v "$cc-gcc" >/dev/null 2>&1 || need+=("gcc-$cc")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-system-deps: please install: ${need[*]} (needs root and apt-get)" >&2
  exit 1
fi
echo "ensure-system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null || true
apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${need[@]}" >/dev/null
