// Arch profiles: the one table of per-arch facts (C ABI for layout, and what the arch passes to the
// per-CPU first-chunk helpers). Kernel-era constants (reserves by version) live in ../sim/era.ts.
// Sources: the psABIs (checked against gcc in test/unit/layout), docs/allocator.md §2.3.

/** size and alignment of a scalar; `memberAlign` differs from `align` where the ABI says so
 *  (i386: long long/double are 8-aligned alone, 4-aligned inside structs; gcc's __alignof__ gives 8). */
export interface Scalar { size: number; align: number; memberAlign?: number }

export type ScalarName =
  | 'char' | 'short' | 'int' | 'long' | 'long long' | '__int128'
  | 'pointer' | 'float' | 'double' | 'long double' | '_Bool';

export type FirstChunkHelper = 'embed' | 'page';

/** One DATA_ALIGNMENT rule: variables of `types` (`aggregates`: arrays, structs, unions; `byteArrays`:
 *  arrays of one-byte elements; `any`) of at least `minSize` bytes get at least `align`. */
export interface DataAlignRule { types: 'aggregates' | 'byteArrays' | 'any'; minSize?: number; align: number; notAtOs?: boolean }

export interface ArchProfile {
  name: ArchName;
  /** aliases accepted on the command line (uname -m, Debian arch, kernel ARCH=) */
  aliases: string[];
  /** the kernel's arch/ directory (ARCH=) */
  srcArch: string;
  bits: 32 | 64;
  endian: 'little' | 'big';
  /** char is signed by default (gcc's DEFAULT_SIGNED_CHAR); the kernel builds with -funsigned-char since 6.2 */
  charSigned: boolean;
  scalars: Record<ScalarName, Scalar>;
  /** default L1_CACHE_SHIFT (CONFIG_X86_L1_CACHE_SHIFT etc. override it) */
  l1CacheShift: number;
  /** default PAGE_SHIFT; some arches allow others (see pageShifts) */
  pageShift: number;
  pageShifts: number[];
  /** whether the arch can be built SMP; a UP kernel sets up a single unit and prints no per-CPU line */
  smp: boolean;
  /** first-chunk helper the arch uses by default */
  firstChunk: FirstChunkHelper;
  /** atom size for the embed helper: 'page', 'pmd' (PMD_SIZE = PAGE_SIZE²/8 with 8-byte page-table
   *  entries: 2 MiB at 4K, 32 MiB at 16K) or a byte count */
  atom: 'page' | 'pmd' | number;
  /** whether the arch passes PERCPU_MODULE_RESERVE as reserved size (false: r = 0, modules use dynamic chunks) */
  reservedChunk: boolean;
  /** extra bytes the arch adds to the dynamic size argument beyond PERCPU_DYNAMIC_RESERVE (ppc64: MODULE_RESERVE) */
  dynIncludesModuleReserve: boolean;
  /** the arch builds its own alloc info with this fixed unit (ia64: PERCPU_PAGE_SIZE); d = unit - s - r */
  fixedUnit?: number;
  /** NUMA groups by node distance (an arch or arch_numa.c setup_per_cpu_areas with a distance function) */
  numaGroups: boolean;
  /** x86 prints "setup_percpu: NR_CPUS:… nr_cpumask_bits:… nr_cpu_ids:… nr_node_ids:…" first */
  x86Line: boolean;
  /** kernel versions that had the arch: [first, removed-in) ("" = open) */
  kernels: [string, string];
  /** where the facts come from: the arch's percpu setup code and headers */
  source: string;
  notes: string;
  /** __BIGGEST_ALIGNMENT__: what a bare `__attribute__((aligned))` means */
  biggestAlignment: number;
  /** gcc's arch macros (defined to 1) that kernel headers test */
  predefines: string[];
  /** unnamed bit-fields (incl. `:0`) raise the record alignment (gcc's TARGET_ALIGN_ANON_BITFIELD: ARM/AArch64) */
  anonBitfieldAlign: boolean;
  /** gcc's PCC_BITFIELD_TYPE_MATTERS (false on m68k: a bit-field's type neither aligns it nor the record;
   *  `:0` aligns to EMPTY_FIELD_BOUNDARY) */
  bitfieldTypeMatters: boolean;
  /** EMPTY_FIELD_BOUNDARY in bytes, used when bitfieldTypeMatters is false */
  emptyFieldBoundary?: number;
  /** gcc raising a variable's alignment (DATA_ALIGNMENT / DATA_ABI_ALIGNMENT) unless the variable
   *  itself has an aligned attribute; the first rule that applies wins. Measured with gcc 12 for
   *  each arch with a Debian cross compiler (test/unit/varAlign.cross.test.ts); [] measured: none;
   *  absent: not modelled. */
  dataAlign?: DataAlignRule[];
  /** gcc places variables with section anchors (-fsection-anchors, its default here): a variable's
   *  place in its section follows the first function using it (estimate/emitOrder.ts) */
  sectionAnchors?: boolean;
  /** this_cpu_* reads the CPU's offset through a plain `static inline` helper that gcc's IPA
   *  inliner (not the early one) inlines, so every user holds an inline clone (arm64's
   *  __kern_my_cpu_offset; arm's __my_cpu_offset is __always_inline, powerpc64's a macro) */
  cpuOffsetClone?: boolean;
  /** CROSS_COMPILE prefixes of Debian's gcc for the arch, the first preferred (estimate --cross-compile auto) */
  crossCompilers?: string[];
}

const s = (size: number, align = size, memberAlign?: number): Scalar =>
  memberAlign === undefined ? { size, align } : { size, align, memberAlign };

const LP64: Record<ScalarName, Scalar> = {
  char: s(1), short: s(2), int: s(4), long: s(8), 'long long': s(8), __int128: s(16),
  pointer: s(8), float: s(4), double: s(8), 'long double': s(16), _Bool: s(1),
};
/** ILP32 with 8-aligned long long/double; `ld` = long double size/align; no __int128 */
const ILP32 = (ld: Scalar, w64 = 8): Record<ScalarName, Scalar> => ({
  char: s(1), short: s(2), int: s(4), long: s(4), 'long long': s(8, w64), __int128: s(0, 1),
  pointer: s(4), float: s(4), double: s(8, w64), 'long double': ld, _Bool: s(1),
});

export type ArchName =
  | 'x86_64' | 'i386' | 'arm64' | 'ppc64' | 'ppc32' | 'riscv64' | 'riscv32' | 's390x' | 'mips' | 'mips64' | 'arm'
  | 'sparc64' | 'sparc32' | 'alpha' | 'parisc' | 'parisc64' | 'sh' | 'm68k' | 'loongarch64' | 'arc' | 'csky'
  | 'openrisc' | 'xtensa' | 'microblaze' | 'nios2' | 'hexagon' | 'um' | 'ia64';

// Defaults shared by most profiles: the generic setup_per_cpu_areas (mm/percpu.c, !HAVE_SETUP_PER_CPU_AREA):
// pcpu_embed_first_chunk(PERCPU_MODULE_RESERVE, PERCPU_DYNAMIC_RESERVE, PAGE_SIZE, NULL), one group.
const GENERIC = {
  smp: true, firstChunk: 'embed' as const, atom: 'page' as const, reservedChunk: true, dynIncludesModuleReserve: false,
  numaGroups: false, x86Line: false, anonBitfieldAlign: false, bitfieldTypeMatters: true,
};
const GEN_SRC = 'mm/percpu.c generic setup_per_cpu_areas (no HAVE_SETUP_PER_CPU_AREA)';

// ix86_data_alignment under -malign-data=compat: 32 from 32 bytes (gcc <= 4.8 compatibility), 16 from
// 16 (x86-64 psABI), the word from 8; um builds with the host's x86-64 gcc
const X86_64_DATA_ALIGN: DataAlignRule[] = [
  { types: 'aggregates', minSize: 32, align: 32 }, { types: 'aggregates', minSize: 16, align: 16 }, { types: 'aggregates', minSize: 8, align: 8 },
];

// ABI rows marked "gcc" are checked against Debian's cross gcc in test/unit/layout.cross.test.ts; the others
// (no Debian cross gcc) come from the target's gcc/clang headers and are cited on the row.
export const ARCHES: Record<ArchName, ArchProfile> = {
  x86_64: {
    ...GENERIC, name: 'x86_64', aliases: ['x86_64', 'amd64', 'x86-64', 'x64'], srcArch: 'x86', bits: 64, endian: 'little', charSigned: true,
    dataAlign: X86_64_DATA_ALIGN,
    scalars: LP64, l1CacheShift: 6, pageShift: 12, pageShifts: [12],
    atom: 'pmd', numaGroups: true, x86Line: true, kernels: ['2.6.30', ''],
    source: 'arch/x86/kernel/setup_percpu.c: embed(PERCPU_FIRST_CHUNK_RESERVE, dyn, PMD_SIZE, pcpu_cpu_distance), page fallback',
    notes: 'embed with atom = PMD_SIZE; r = PERCPU_FIRST_CHUNK_RESERVE = PERCPU_MODULE_RESERVE',
    biggestAlignment: 16, predefines: ['__x86_64__', '__x86_64', '__amd64__'],
  },
  i386: {
    ...GENERIC, name: 'i386', aliases: ['i386', 'i686', 'x86', 'x86_32', 'ia32'], srcArch: 'x86', bits: 32, endian: 'little', charSigned: true,
    dataAlign: [{ types: 'aggregates', minSize: 32, align: 32 }, { types: 'aggregates', minSize: 4, align: 4 }],
    scalars: {
      char: s(1), short: s(2), int: s(4), long: s(4), 'long long': s(8, 8, 4), __int128: s(0, 1),
      pointer: s(4), float: s(4), double: s(8, 8, 4), 'long double': s(12, 4), _Bool: s(1),
    },
    l1CacheShift: 6, pageShift: 12, pageShifts: [12],
    reservedChunk: false, dynIncludesModuleReserve: true, numaGroups: true, x86Line: true, kernels: ['2.6.30', ''],
    source: 'arch/x86/kernel/setup_percpu.c (CONFIG_X86_32: PERCPU_FIRST_CHUNK_RESERVE = 0, atom PAGE_SIZE)',
    notes: 'x86_32: r = 0, dyn = PERCPU_MODULE_RESERVE + PERCPU_DYNAMIC_RESERVE; page first chunk on NUMA',
    biggestAlignment: 16, predefines: ['__i386__', '__i386', 'i386'],
  },
  arm64: {
    ...GENERIC, name: 'arm64', aliases: ['arm64', 'aarch64'], srcArch: 'arm64', bits: 64, endian: 'little', charSigned: false,
    // AARCH64_EXPAND_ALIGNMENT: every array, struct and union to the word, not under -Os
    dataAlign: [{ types: 'aggregates', align: 8, notAtOs: true }],
    scalars: LP64, l1CacheShift: 6, pageShift: 12, pageShifts: [12, 14, 16], numaGroups: true, kernels: ['3.7', ''],
    source: 'drivers/base/arch_numa.c (NUMA: embed with node_distance, page fallback); else generic',
    notes: 'generic setup_per_cpu_areas, or drivers/base/arch_numa.c with node distances',
    biggestAlignment: 16, predefines: ['__aarch64__', '__ARM_64BIT_STATE'], anonBitfieldAlign: true, sectionAnchors: true, cpuOffsetClone: true,
    crossCompilers: ['aarch64-linux-gnu-'],
  },
  ppc64: {
    ...GENERIC, name: 'ppc64', aliases: ['ppc64', 'ppc64le', 'powerpc64', 'powerpc64le', 'powerpc'], srcArch: 'powerpc', bits: 64, endian: 'big', charSigned: false,
    // rs6000_data_alignment: arrays of one-byte elements to the word
    dataAlign: [{ types: 'byteArrays', align: 8 }],
    scalars: LP64, l1CacheShift: 7, pageShift: 12, pageShifts: [12, 16],
    reservedChunk: false, dynIncludesModuleReserve: true, numaGroups: true, kernels: ['2.6.30', ''],
    source: 'arch/powerpc/kernel/setup_64.c: embed(0, MODULE_RESERVE + DYNAMIC_RESERVE, atom, pcpu_cpu_distance)',
    notes: 'embed(0, MODULE_RESERVE + DYNAMIC_RESERVE, atom); atom 1 MiB on Book3E/hash with 64K linear map',
    biggestAlignment: 16, predefines: ['__powerpc__', '__powerpc64__', '__PPC64__', '__PPC__'], sectionAnchors: true,
    // the kernel's Makefile passes -mlittle-endian or -mbig-endian: either builds both
    crossCompilers: ['powerpc64le-linux-gnu-', 'powerpc64-linux-gnu-'],
  },
  ppc32: {
    ...GENERIC, name: 'ppc32', aliases: ['ppc32', 'ppc', 'powerpc32', 'ppcel'], srcArch: 'powerpc', bits: 32, endian: 'big', charSigned: false,
    dataAlign: [{ types: 'byteArrays', align: 4 }],
    scalars: ILP32(s(16)), l1CacheShift: 5, pageShift: 12, pageShifts: [12, 14, 16, 18], kernels: ['2.6.30', ''],
    source: `${GEN_SRC}: arch/powerpc/Kconfig selects HAVE_SETUP_PER_CPU_AREA only if PPC64; asm/cache.h L1_CACHE_SHIFT 5 (8xx 4, e500mc 6, 47x 7)`,
    notes: '32-bit powerpc: generic embed, r = MODULE_RESERVE; gcc',
    biggestAlignment: 16, predefines: ['__powerpc__', '__PPC__', '__ppc__'],
  },
  riscv64: {
    ...GENERIC, name: 'riscv64', aliases: ['riscv64', 'riscv'], srcArch: 'riscv', bits: 64, endian: 'little', charSigned: false,
    dataAlign: [{ types: 'aggregates', align: 8 }],
    scalars: LP64, l1CacheShift: 6, pageShift: 12, pageShifts: [12], numaGroups: true, kernels: ['4.15', ''],
    source: 'drivers/base/arch_numa.c with NUMA (riscv selects HAVE_SETUP_PER_CPU_AREA), else generic',
    notes: 'generic setup_per_cpu_areas (arch_numa.c with NUMA)',
    biggestAlignment: 16, predefines: ['__riscv'],
  },
  riscv32: {
    ...GENERIC, name: 'riscv32', aliases: ['riscv32', 'rv32'], srcArch: 'riscv', bits: 32, endian: 'little', charSigned: false,
    dataAlign: [{ types: 'aggregates', align: 4 }],
    scalars: ILP32(s(16)), l1CacheShift: 6, pageShift: 12, pageShifts: [12], kernels: ['4.15', ''],
    source: `${GEN_SRC} (NUMA needs 64BIT); asm/cache.h L1_CACHE_SHIFT 6`,
    notes: 'rv32 ilp32: generic embed, r = MODULE_RESERVE; gcc -march=rv32gc -mabi=ilp32d',
    biggestAlignment: 16, predefines: ['__riscv'],
  },
  s390x: {
    ...GENERIC, name: 's390x', aliases: ['s390x', 's390'], srcArch: 's390', bits: 64, endian: 'big', charSigned: false,
    // every variable at least 2-aligned (larl addresses halfwords)
    dataAlign: [{ types: 'any', align: 2 }],
    scalars: { ...LP64, 'long double': s(16, 8), __int128: s(16, 8) }, l1CacheShift: 8, pageShift: 12, pageShifts: [12],
    kernels: ['2.6.30', ''],
    source: 'arch/s390/mm/init.c: embed(PERCPU_MODULE_RESERVE, PERCPU_DYNAMIC_RESERVE, PAGE_SIZE, pcpu_cpu_distance)',
    notes: 's390 setup_per_cpu_areas; 256-byte cache lines',
    biggestAlignment: 8, predefines: ['__s390__', '__s390x__'],
  },
  mips: {
    ...GENERIC, name: 'mips', aliases: ['mips', 'mipsel', 'mips32'], srcArch: 'mips', bits: 32, endian: 'big', charSigned: true,
    dataAlign: [{ types: 'aggregates', align: 4 }],
    scalars: ILP32(s(8)), l1CacheShift: 5, pageShift: 12, pageShifts: [12, 14, 16], kernels: ['2.6.30', ''],
    source: `${GEN_SRC}; arch/mips/mm/init.c with NUMA; MIPS_L1_CACHE_SHIFT default 5`,
    notes: 'o32 ABI; generic setup_per_cpu_areas',
    biggestAlignment: 8, predefines: ['__mips__'],
  },
  mips64: {
    ...GENERIC, name: 'mips64', aliases: ['mips64', 'mips64el', 'mips64le'], srcArch: 'mips', bits: 64, endian: 'big', charSigned: true,
    dataAlign: [{ types: 'aggregates', align: 8 }],
    scalars: LP64, l1CacheShift: 5, pageShift: 12, pageShifts: [12, 14, 16], numaGroups: true, kernels: ['2.6.30', ''],
    source: 'arch/mips/mm/init.c: embed(PERCPU_MODULE_RESERVE, PERCPU_DYNAMIC_RESERVE, PAGE_SIZE, pcpu_cpu_distance) when NUMA (Loongson64, IP27); else generic',
    notes: 'n64 ABI; Loongson64 kernels use 16K pages; gcc',
    biggestAlignment: 16, predefines: ['__mips__', '__mips64'],
  },
  arm: {
    ...GENERIC, name: 'arm', aliases: ['arm', 'armhf', 'armel', 'armv7l', 'armv6l', 'armv5tel'], srcArch: 'arm', bits: 32, endian: 'little', charSigned: false,
    dataAlign: [{ types: 'aggregates', align: 4, notAtOs: true }],
    scalars: ILP32(s(8)), l1CacheShift: 6, pageShift: 12, pageShifts: [12], kernels: ['2.6.30', ''],
    source: `${GEN_SRC}; ARM_L1_CACHE_SHIFT 6 on v7`,
    notes: 'AAPCS (EABI); generic setup_per_cpu_areas',
    biggestAlignment: 8, predefines: ['__arm__', '__ARM_EABI__'], anonBitfieldAlign: true, sectionAnchors: true,
    crossCompilers: ['arm-linux-gnueabihf-', 'arm-linux-gnueabi-'],
  },
  sparc64: {
    ...GENERIC, name: 'sparc64', aliases: ['sparc64', 'sparcv9'], srcArch: 'sparc', bits: 64, endian: 'big', charSigned: true,
    // FASTEST_ALIGNMENT for arrays of one-byte elements, 32-bit too
    dataAlign: [{ types: 'byteArrays', align: 8 }],
    scalars: LP64, l1CacheShift: 5, pageShift: 13, pageShifts: [13], atom: 4 << 20, numaGroups: true, kernels: ['2.6.30', ''],
    source: 'arch/sparc/kernel/smp_64.c: embed(PERCPU_MODULE_RESERVE, PERCPU_DYNAMIC_RESERVE, 4 << 20, pcpu_cpu_distance), page fallback',
    notes: '8K pages; atom 4 MiB; gcc',
    biggestAlignment: 16, predefines: ['__sparc__', '__sparc_v9__', '__arch64__'],
  },
  sparc32: {
    ...GENERIC, name: 'sparc32', aliases: ['sparc32', 'sparc'], srcArch: 'sparc', bits: 32, endian: 'big', charSigned: true,
    dataAlign: [{ types: 'byteArrays', align: 8 }],
    scalars: ILP32(s(16, 8)), l1CacheShift: 5, pageShift: 12, pageShifts: [12], kernels: ['2.6.30', ''],
    source: `${GEN_SRC} (sparc selects HAVE_SETUP_PER_CPU_AREA only on SPARC64); asm/cache.h L1_CACHE_SHIFT 5`,
    notes: 'gcc -m32 of the sparc64 cross compiler',
    biggestAlignment: 8, predefines: ['__sparc__'],
  },
  alpha: {
    ...GENERIC, name: 'alpha', aliases: ['alpha'], srcArch: 'alpha', bits: 64, endian: 'little', charSigned: true,
    dataAlign: [],
    scalars: LP64, l1CacheShift: 6, pageShift: 13, pageShifts: [13], kernels: ['2.6.30', ''],
    source: `${GEN_SRC}; HAVE_PAGE_SIZE_8KB; asm/cache.h L1_CACHE_SHIFT 6 (EV6) or 5`,
    notes: '8K pages; gcc',
    biggestAlignment: 16, predefines: ['__alpha__', '__alpha'],
  },
  parisc: {
    ...GENERIC, name: 'parisc', aliases: ['parisc', 'hppa', 'parisc32'], srcArch: 'parisc', bits: 32, endian: 'big', charSigned: true,
    dataAlign: [{ types: 'byteArrays', align: 4 }],
    scalars: ILP32(s(8)), l1CacheShift: 4, pageShift: 12, pageShifts: [12, 14, 16], kernels: ['2.6.30', ''],
    source: `${GEN_SRC}; asm/cache.h L1_CACHE_BYTES 16; PARISC_PAGE_SIZE_4KB default`,
    notes: 'gcc',
    biggestAlignment: 8, predefines: ['__hppa__', '__hppa'],
  },
  parisc64: {
    ...GENERIC, name: 'parisc64', aliases: ['parisc64', 'hppa64'], srcArch: 'parisc', bits: 64, endian: 'big', charSigned: true,
    dataAlign: [{ types: 'byteArrays', align: 8 }],
    scalars: LP64, l1CacheShift: 4, pageShift: 12, pageShifts: [12, 14, 16], kernels: ['2.6.30', ''],
    source: `${GEN_SRC}; asm/cache.h L1_CACHE_BYTES 16`,
    notes: 'the kernel is built with hppa64-linux-gnu-gcc; gcc',
    biggestAlignment: 16, predefines: ['__hppa__', '__hppa', '__LP64__'],
  },
  sh: {
    ...GENERIC, name: 'sh', aliases: ['sh', 'sh4', 'superh', 'sh4a'], srcArch: 'sh', bits: 32, endian: 'little', charSigned: true,
    dataAlign: [{ types: 'byteArrays', align: 4 }],
    scalars: ILP32(s(8, 4), 4), l1CacheShift: 5, pageShift: 12, pageShifts: [12, 13, 14, 16], kernels: ['2.6.30', ''],
    source: `${GEN_SRC}; cpu-sh4/cpu/cache.h L1_CACHE_SHIFT 5 (sh2/sh3: 4)`,
    notes: 'long long and double 4-aligned; gcc',
    biggestAlignment: 4, predefines: ['__sh__', '__SH4__'],
  },
  m68k: {
    ...GENERIC, name: 'm68k', aliases: ['m68k'], srcArch: 'm68k', bits: 32, endian: 'big', charSigned: true, smp: false,
    dataAlign: [],
    scalars: {
      char: s(1), short: s(2), int: s(4, 2), long: s(4, 2), 'long long': s(8, 2), __int128: s(0, 1),
      pointer: s(4, 2), float: s(4, 2), double: s(8, 2), 'long double': s(12, 2), _Bool: s(1),
    },
    l1CacheShift: 4, pageShift: 12, pageShifts: [12, 13], kernels: ['2.6.30', ''],
    source: 'no SMP on m68k: mm/percpu.c UP setup_per_cpu_areas prints no line; asm/cache.h L1_CACHE_SHIFT 4',
    notes: 'everything 2-aligned; bit-fields ignore their type (no PCC_BITFIELD_TYPE_MATTERS); gcc',
    biggestAlignment: 2, predefines: ['__m68k__', 'mc68000'], bitfieldTypeMatters: false, emptyFieldBoundary: 2,
  },
  loongarch64: {
    ...GENERIC, name: 'loongarch64', aliases: ['loongarch64', 'loongarch', 'loong64'], srcArch: 'loongarch', bits: 64, endian: 'little', charSigned: true,
    scalars: LP64, l1CacheShift: 6, pageShift: 14, pageShifts: [12, 14, 16], atom: 'pmd', numaGroups: true, kernels: ['5.19', ''],
    source: 'arch/loongarch/kernel/numa.c: embed(PERCPU_MODULE_RESERVE, PERCPU_DYNAMIC_RESERVE, PMD_SIZE, pcpu_cpu_distance) with NUMA (defconfig), page fallback; 16K pages by default',
    notes: 'LP64D; 16K pages, atom PMD_SIZE = 32 MiB (generic embed with atom PAGE_SIZE without NUMA); ABI from clang init test (index id 128312466)',
    biggestAlignment: 16, predefines: ['__loongarch__', '__loongarch64', '__loongarch_lp64'],
  },
  arc: {
    ...GENERIC, name: 'arc', aliases: ['arc', 'arcv2', 'archs'], srcArch: 'arc', bits: 32, endian: 'little', charSigned: false,
    scalars: ILP32(s(8, 4), 4), l1CacheShift: 6, pageShift: 13, pageShifts: [12, 13, 14], kernels: ['3.9', ''],
    source: `${GEN_SRC}; ARC_PAGE_SIZE_8K default; asm/cache.h L1_CACHE_SHIFT 6 (ARC_CACHE_LINE_SHIFT)`,
    notes: '8K pages; 64-bit scalars 4-aligned (the kernel forces __aligned(8) on atomic64_t); no Debian cross gcc',
    biggestAlignment: 4, predefines: ['__arc__'],
  },
  csky: {
    ...GENERIC, name: 'csky', aliases: ['csky', 'c-sky'], srcArch: 'csky', bits: 32, endian: 'little', charSigned: true,
    scalars: ILP32(s(8, 4), 4), l1CacheShift: 5, pageShift: 12, pageShifts: [12], kernels: ['4.20', ''],
    source: `${GEN_SRC}; CONFIG_L1_CACHE_SHIFT 5 (ck807/810; ck860: 6)`,
    notes: 'abiv2: __BIGGEST_ALIGNMENT__ 4 (clang init test, index id 351786231); no Debian cross gcc',
    biggestAlignment: 4, predefines: ['__csky__', '__ckcore__'],
  },
  openrisc: {
    ...GENERIC, name: 'openrisc', aliases: ['openrisc', 'or1k'], srcArch: 'openrisc', bits: 32, endian: 'big', charSigned: true,
    scalars: ILP32(s(8, 4), 4), l1CacheShift: 4, pageShift: 13, pageShifts: [13], kernels: ['3.1', ''],
    source: `${GEN_SRC} (SMP since 5.0); HAVE_PAGE_SIZE_8KB; asm/cache.h L1_CACHE_BYTES 16`,
    notes: 'or1k: BIGGEST_ALIGNMENT 32 bits, char signed (gcc config/or1k); no Debian cross gcc',
    biggestAlignment: 4, predefines: ['__or1k__', '__OR1K__'],
  },
  xtensa: {
    ...GENERIC, name: 'xtensa', aliases: ['xtensa'], srcArch: 'xtensa', bits: 32, endian: 'little', charSigned: false,
    scalars: ILP32(s(8)), l1CacheShift: 5, pageShift: 12, pageShifts: [12], kernels: ['2.6.30', ''],
    source: `${GEN_SRC}; asm/cache.h L1_CACHE_SHIFT = XCHAL_DCACHE_LINEWIDTH (variant: dc233c 5)`,
    notes: 'char unsigned; no Debian cross gcc',
    biggestAlignment: 16, predefines: ['__xtensa__', '__XTENSA__'],
  },
  microblaze: {
    ...GENERIC, name: 'microblaze', aliases: ['microblaze', 'microblazeel'], srcArch: 'microblaze', bits: 32, endian: 'big', charSigned: true, smp: false,
    scalars: ILP32(s(8, 4), 4), l1CacheShift: 5, pageShift: 12, pageShifts: [12, 14, 16], kernels: ['2.6.30', ''],
    source: 'no SMP on microblaze (UP setup_per_cpu_areas prints no line); asm/cache.h L1_CACHE_SHIFT 5',
    notes: 'BIGGEST_ALIGNMENT 32 bits; no Debian cross gcc',
    biggestAlignment: 4, predefines: ['__microblaze__'],
  },
  nios2: {
    ...GENERIC, name: 'nios2', aliases: ['nios2'], srcArch: 'nios2', bits: 32, endian: 'little', charSigned: true, smp: false,
    scalars: ILP32(s(8, 4), 4), l1CacheShift: 5, pageShift: 12, pageShifts: [12], kernels: ['3.19', ''],
    source: 'no SMP on nios2 (UP setup_per_cpu_areas prints no line); asm/cache.h L1_CACHE_SHIFT = NIOS2_ICACHE_LINE_SHIFT',
    notes: 'BIGGEST_ALIGNMENT 32 bits; no Debian cross gcc',
    biggestAlignment: 4, predefines: ['__nios2__', '__nios2'],
  },
  hexagon: {
    ...GENERIC, name: 'hexagon', aliases: ['hexagon'], srcArch: 'hexagon', bits: 32, endian: 'little', charSigned: true,
    scalars: ILP32(s(8)), l1CacheShift: 5, pageShift: 12, pageShifts: [12, 14, 16, 18], kernels: ['3.2', ''],
    source: `${GEN_SRC}; asm/cache.h L1_CACHE_SHIFT 5`,
    notes: 'built with clang; __BIGGEST_ALIGNMENT__ 8; no Debian cross compiler',
    biggestAlignment: 8, predefines: ['__hexagon__'],
  },
  um: {
    ...GENERIC, name: 'um', aliases: ['um', 'uml'], srcArch: 'um', bits: 64, endian: 'little', charSigned: true, smp: false,
    dataAlign: X86_64_DATA_ALIGN,
    scalars: LP64, l1CacheShift: 6, pageShift: 12, pageShifts: [12], kernels: ['2.6.30', ''],
    source: 'arch/um/Kconfig: SMP not selectable in 6.12 (UP setup_per_cpu_areas prints no line); x86_64 host ABI',
    notes: 'User-Mode Linux on an x86_64 host (SUBARCH=x86_64)',
    biggestAlignment: 16, predefines: ['__x86_64__', '__x86_64', '__amd64__'],
  },
  ia64: {
    ...GENERIC, name: 'ia64', aliases: ['ia64', 'itanium'], srcArch: 'ia64', bits: 64, endian: 'little', charSigned: true,
    scalars: LP64, l1CacheShift: 7, pageShift: 14, pageShifts: [12, 13, 14, 16], numaGroups: true, fixedUnit: 64 << 10,
    kernels: ['2.6.30', '6.7'],
    source: 'arch/ia64/mm/contig.c and discontig.c setup_per_cpu_areas: own alloc info, unit = alloc = PERCPU_PAGE_SIZE (64K), atom PAGE_SIZE, r = MODULE_RESERVE, d = unit - s - r, then pcpu_setup_first_chunk (prints only the KERN_DEBUG pcpu-alloc dump)',
    notes: 'removed in 6.7; 16K pages by default; IA64_L1_CACHE_SHIFT 7; no Debian cross gcc',
    biggestAlignment: 16, predefines: ['__ia64__', '__ia64'],
  },
};

export const ARCH_NAMES = Object.keys(ARCHES) as ArchName[];

/** Resolve a user-supplied arch name or alias; undefined if unknown. */
export function findArch(name: string): ArchProfile | undefined {
  const n = name.trim().toLowerCase();
  return Object.values(ARCHES).find((a) => a.name === n || a.aliases.includes(n));
}
