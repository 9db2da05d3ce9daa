// The arch table against the kernel's own rules: each profile's defaults (page size, atom, reserves) must
// rebuild real boot lines with no per-arch option given, the .config must pick the arch and page size, and
// the SMP and setup_per_cpu_areas facts must agree with the 6.12 tree's Kconfig where that tree is present.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ARCHES, ARCH_NAMES, findArch } from '../../src/core/config/arch';
import { archOfConfig, l1CacheShiftOf, pageSizeOf, parseDotConfig, resolveArch } from '../../src/core/config/kconfig';
import { buildFirstChunk } from '../../src/core/sim';

const KERNEL = '/work/kernel/linux-source-6.12';

/** every Kconfig* file of an arch directory (powerpc defines SMP in platforms/Kconfig.cputype) */
function kconfigText(dir: string): string {
  let out = '';
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out += kconfigText(p);
    else if (e.name.startsWith('Kconfig')) out += fs.readFileSync(p, 'utf8') + '\n';
  }
  return out;
}

describe('arch profiles', () => {
  it('every arch the issue lists has a profile', () => {
    for (const a of ['ppc32', 'mips64', 'riscv32', 'sparc64', 'sparc32', 'alpha', 'parisc', 'parisc64', 'sh', 'm68k',
      'loongarch64', 'arc', 'csky', 'openrisc', 'xtensa', 'microblaze', 'nios2', 'hexagon', 'um', 'ia64']) {
      assert.ok(findArch(a), a);
    }
  });

  // defaults only (no page size, atom or reserve given): the profile alone must reproduce the log
  const cases: Array<[string, string, string, number, number, string]> = [
    // [source, arch, kernel, static, cpus, the log's Embedded line]
    ['sparc64 3.18.140, code index id 12869417327 (CPUs 0 and 2)', 'sparc64', '3.18.140', 21760, 2, 'PERCPU: Embedded 8 pages/cpu @fffff800bf800000 s21760 r8192 d35584 u2097152'],
    ['loongarch64, code index id 40579934370', 'loongarch64', '6.1', 43856, 4, 'percpu: Embedded 5 pages/cpu s43856 r8192 d29872 u8388608'],
    ['loongarch64, code index id 47460231502', 'loongarch64', '6.1', 47056, 2, 'percpu: Embedded 6 pages/cpu s47056 r8192 d43056 u16777216'],
    ['s390x Ubuntu 5.4.0-144, code index id 40506125107', 's390x', '5.4', 98816, 2, 'percpu: Embedded 34 pages/cpu s98816 r8192 d32256 u139264'],
    ['32-bit PowerPC MPC85xx, code index id 52725512059', 'ppc32', '3.0', 6816, 1, 'PERCPU: Embedded 7 pages/cpu @c078f000 s6816 r8192 d13664 u32768'],
  ];
  for (const [src, arch, kernel, s, cpus, line] of cases) {
    it(`${arch} defaults rebuild ${src}`, () => {
      const base = /@([0-9a-f]+) /.exec(line);
      const fc = buildFirstChunk({ arch: ARCHES[arch as keyof typeof ARCHES], kernel, static: s, cpus, baseAddress: base ? BigInt('0x' + base[1]) : undefined });
      assert.strictEqual(fc.bootLine, line);
    });
  }

  it('ia64 builds its own 64K unit: the HP Orca dump (linux-mm, code index id 35775832356)', () => {
    const fc = buildFirstChunk({ arch: ARCHES.ia64, kernel: '2.6.33', static: 43032, pageSize: 65536, groups: [[0, 1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14, 15]] });
    assert.deepStrictEqual(fc.bootLines, [
      'pcpu-alloc: s43032 r8192 d14312 u65536 alloc=1*65536',
      'pcpu-alloc: [0] 00 [0] 01 [0] 02 [0] 03 [0] 04 [0] 05 [0] 06 [0] 07',
      'pcpu-alloc: [1] 08 [1] 09 [1] 10 [1] 11 [1] 12 [1] 13 [1] 14 [1] 15',
    ]);
  });

  it('the .config picks the arch: ARCH=powerpc with CONFIG_PPC32 is ppc32, with CONFIG_PPC64 ppc64', () => {
    const ppc32 = parseDotConfig('CONFIG_PPC=y\nCONFIG_PPC32=y\nCONFIG_PPC_BOOK3S_32=y\n', 'a');
    const ppc64 = parseDotConfig('CONFIG_PPC=y\nCONFIG_PPC64=y\nCONFIG_64BIT=y\n', 'b');
    assert.strictEqual(resolveArch(findArch('powerpc'), ppc32)!.name, 'ppc32');
    assert.strictEqual(resolveArch(findArch('powerpc'), ppc64)!.name, 'ppc64');
    assert.strictEqual(resolveArch(undefined, ppc32)!.name, 'ppc32');
    // a .config of another arch does not override an explicit request
    assert.strictEqual(resolveArch(findArch('x86_64'), ppc32)!.name, 'x86_64');
    const w = (t: string) => archOfConfig(parseDotConfig(t, 'c'));
    assert.strictEqual(w('CONFIG_X86=y\nCONFIG_X86_32=y\n'), 'i386');
    assert.strictEqual(w('CONFIG_RISCV=y\nCONFIG_32BIT=y\n'), 'riscv32');
    assert.strictEqual(w('CONFIG_MIPS=y\nCONFIG_64BIT=y\n'), 'mips64');
    assert.strictEqual(w('CONFIG_SPARC=y\nCONFIG_SPARC64=y\nCONFIG_64BIT=y\n'), 'sparc64');
    assert.strictEqual(w('CONFIG_SPARC=y\nCONFIG_SPARC32=y\n'), 'sparc32');
    assert.strictEqual(w('CONFIG_PARISC=y\nCONFIG_64BIT=y\n'), 'parisc64');
    assert.strictEqual(w('CONFIG_UML=y\nCONFIG_X86_64=y\nCONFIG_64BIT=y\n'), 'um');
    assert.strictEqual(w('CONFIG_LOONGARCH=y\nCONFIG_64BIT=y\n'), 'loongarch64');
  });

  it('page size and cache line follow the .config knobs', () => {
    const la = parseDotConfig('CONFIG_LOONGARCH=y\nCONFIG_64BIT=y\nCONFIG_16KB_3LEVEL=y\nCONFIG_PAGE_SIZE_16KB=y\n', 'x');
    assert.strictEqual(pageSizeOf(la, ARCHES.loongarch64), 16384);
    assert.strictEqual(pageSizeOf(parseDotConfig('CONFIG_ARM64=y\nCONFIG_ARM64_64K_PAGES=y\n', 'y'), ARCHES.arm64), 65536);
    assert.strictEqual(pageSizeOf(parseDotConfig('CONFIG_PPC64=y\nCONFIG_PPC_64K_PAGES=y\n', 'z'), ARCHES.ppc64), 65536);
    assert.strictEqual(pageSizeOf(parseDotConfig('CONFIG_PAGE_SHIFT=14\n', 'w'), ARCHES.arm64), 16384);
    assert.strictEqual(l1CacheShiftOf(parseDotConfig('CONFIG_MIPS_L1_CACHE_SHIFT=7\n', 'v'), ARCHES.mips64), 7);
    assert.strictEqual(l1CacheShiftOf(parseDotConfig('CONFIG_ARM_L1_CACHE_SHIFT=6\n', 'u'), ARCHES.arm), 6);
  });

  const tree = fs.existsSync(path.join(KERNEL, 'Makefile'));
  (tree ? it : it.skip)('SMP capability and HAVE_SETUP_PER_CPU_AREA agree with the 6.12 Kconfig files', () => {
    for (const n of ARCH_NAMES) {
      const a = ARCHES[n];
      if (!fs.existsSync(path.join(KERNEL, 'arch', a.srcArch))) { assert.ok(a.kernels[1], `${n}: no arch/${a.srcArch} in 6.12 but no removal version`); continue; }
      const kconfig = kconfigText(path.join(KERNEL, 'arch', a.srcArch));
      const smp = /^config SMP\b/m.test(kconfig);
      assert.strictEqual(a.smp, smp, `${n}: smp`);
      const own = /select HAVE_SETUP_PER_CPU_AREA/.test(kconfig);
      // arches with their own setup_per_cpu_areas group by node distance or use an atom of their own
      if (!own) assert.ok(!a.numaGroups && a.atom === 'page' && a.reservedChunk, `${n}: generic setup expected`);
    }
  });
});
