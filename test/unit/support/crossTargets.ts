// The compilers the truth tests compile with: the host gcc (-m32 from gcc-multilib) and Debian's cross
// compilers (scripts/ensure-system-deps.sh installs them).
import type { ArchName } from '../../../src/core/config/arch';

/** arch → Debian package, compiler and flags (some 32-bit arches come from a 64-bit compiler's -m32). */
export const CROSS_TARGETS: Array<{ arch: ArchName; pkg: string; cc: string; flags: string[] }> = [
  { arch: 'arm64', pkg: 'gcc-aarch64-linux-gnu', cc: 'aarch64-linux-gnu-gcc', flags: [] },
  { arch: 'arm', pkg: 'gcc-arm-linux-gnueabihf', cc: 'arm-linux-gnueabihf-gcc', flags: [] },
  { arch: 'ppc64', pkg: 'gcc-powerpc64le-linux-gnu', cc: 'powerpc64le-linux-gnu-gcc', flags: [] },
  { arch: 'ppc32', pkg: 'gcc-powerpc-linux-gnu', cc: 'powerpc-linux-gnu-gcc', flags: [] },
  { arch: 'riscv64', pkg: 'gcc-riscv64-linux-gnu', cc: 'riscv64-linux-gnu-gcc', flags: [] },
  { arch: 'riscv32', pkg: 'gcc-riscv64-linux-gnu', cc: 'riscv64-linux-gnu-gcc', flags: ['-march=rv32gc', '-mabi=ilp32d'] },
  { arch: 's390x', pkg: 'gcc-s390x-linux-gnu', cc: 's390x-linux-gnu-gcc', flags: [] },
  { arch: 'mips', pkg: 'gcc-mipsel-linux-gnu', cc: 'mipsel-linux-gnu-gcc', flags: [] },
  { arch: 'mips64', pkg: 'gcc-mips64el-linux-gnuabi64', cc: 'mips64el-linux-gnuabi64-gcc', flags: [] },
  { arch: 'sparc64', pkg: 'gcc-sparc64-linux-gnu', cc: 'sparc64-linux-gnu-gcc', flags: [] },
  { arch: 'sparc32', pkg: 'gcc-sparc64-linux-gnu', cc: 'sparc64-linux-gnu-gcc', flags: ['-m32'] },
  { arch: 'alpha', pkg: 'gcc-alpha-linux-gnu', cc: 'alpha-linux-gnu-gcc', flags: [] },
  { arch: 'parisc', pkg: 'gcc-hppa-linux-gnu', cc: 'hppa-linux-gnu-gcc', flags: [] },
  { arch: 'parisc64', pkg: 'gcc-hppa64-linux-gnu', cc: 'hppa64-linux-gnu-gcc', flags: [] },
  { arch: 'sh', pkg: 'gcc-sh4-linux-gnu', cc: 'sh4-linux-gnu-gcc', flags: [] },
  { arch: 'm68k', pkg: 'gcc-m68k-linux-gnu', cc: 'm68k-linux-gnu-gcc', flags: [] },
];

/** The host gcc for both x86 profiles. */
export const HOST_TARGETS: Array<{ arch: ArchName; pkg: string; cc: string; flags: string[] }> = [
  { arch: 'x86_64', pkg: 'gcc', cc: 'gcc', flags: ['-m64'] },
  { arch: 'i386', pkg: 'gcc-multilib', cc: 'gcc', flags: ['-m32'] },
];
