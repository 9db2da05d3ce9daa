// Arch profiles: the one table of per-arch facts (C ABI for layout, and what the arch passes to the
// per-CPU first-chunk helpers). Kernel-era constants (reserves by version) live in ../sim/era.ts.
// Sources: the psABIs (checked against gcc in test/unit/layout), PERCPU-SPEC.md §2.3.

/** size and alignment of a scalar; `memberAlign` differs from `align` where the ABI says so
 *  (i386: long long/double are 8-aligned alone, 4-aligned inside structs; gcc's __alignof__ gives 8). */
export interface Scalar { size: number; align: number; memberAlign?: number }

export type ScalarName =
  | 'char' | 'short' | 'int' | 'long' | 'long long' | '__int128'
  | 'pointer' | 'float' | 'double' | 'long double' | '_Bool';

export type FirstChunkHelper = 'embed' | 'page';

export interface ArchProfile {
  name: ArchName;
  /** aliases accepted on the command line (uname -m, Debian arch, kernel ARCH=) */
  aliases: string[];
  bits: 32 | 64;
  endian: 'little' | 'big';
  charSigned: boolean;
  scalars: Record<ScalarName, Scalar>;
  /** default L1_CACHE_SHIFT (CONFIG_X86_L1_CACHE_SHIFT etc. override it) */
  l1CacheShift: number;
  /** default PAGE_SHIFT; some arches allow others (see pageShifts) */
  pageShift: number;
  pageShifts: number[];
  /** first-chunk helper the arch uses by default */
  firstChunk: FirstChunkHelper;
  /** atom size for the embed helper: 'page' or a byte count (x86_64: PMD_SIZE = 2 MiB) */
  atom: 'page' | number;
  /** whether the arch passes PERCPU_MODULE_RESERVE as reserved size (false: r = 0, modules use dynamic chunks) */
  reservedChunk: boolean;
  /** extra bytes the arch adds to the dynamic size argument beyond PERCPU_DYNAMIC_RESERVE (ppc64: MODULE_RESERVE) */
  dynIncludesModuleReserve: boolean;
  /** the per-CPU linker output section alignment (PERCPU_SECTION(x)) is the L1 cache line */
  notes: string;
  /** __BIGGEST_ALIGNMENT__: what a bare `__attribute__((aligned))` means */
  biggestAlignment: number;
  /** gcc's arch macros (defined to 1) that kernel headers test */
  predefines: string[];
  /** unnamed bit-fields (incl. `:0`) raise the record alignment (gcc's TARGET_ALIGN_ANON_BITFIELD: ARM/AArch64) */
  anonBitfieldAlign: boolean;
  /** gcc raises the alignment of a variable of struct/union/array type this big, unless the variable
   *  itself has an aligned attribute (DATA_ALIGNMENT; x86: ix86_data_alignment, checked with gcc 12).
   *  Largest size first; absent: not modelled for this arch. */
  dataAlign?: Array<{ minSize: number; align: number }>;
  /** gcc places variables with section anchors (-fsection-anchors, its default here): a variable's
   *  place in its section follows the first function using it (estimate/emitOrder.ts) */
  sectionAnchors?: boolean;
}

const s = (size: number, align = size, memberAlign?: number): Scalar =>
  memberAlign === undefined ? { size, align } : { size, align, memberAlign };

const LP64: Record<ScalarName, Scalar> = {
  char: s(1), short: s(2), int: s(4), long: s(8), 'long long': s(8), __int128: s(16),
  pointer: s(8), float: s(4), double: s(8), 'long double': s(16), _Bool: s(1),
};

export type ArchName = 'x86_64' | 'i386' | 'arm64' | 'ppc64' | 'riscv64' | 's390x' | 'mips' | 'arm';

export const ARCHES: Record<ArchName, ArchProfile> = {
  x86_64: {
    name: 'x86_64', aliases: ['x86_64', 'amd64', 'x86-64', 'x64'], bits: 64, endian: 'little', charSigned: true,
    scalars: LP64, l1CacheShift: 6, pageShift: 12, pageShifts: [12],
    firstChunk: 'embed', atom: 2 << 20, reservedChunk: true, dynIncludesModuleReserve: false,
    notes: 'embed with atom = PMD_SIZE; r = PERCPU_FIRST_CHUNK_RESERVE = PERCPU_MODULE_RESERVE',
    biggestAlignment: 16, predefines: ['__x86_64__', '__x86_64', '__amd64__'], anonBitfieldAlign: false,
    // 32 for compatibility with gcc ≤ 4.8 (-malign-data=compat); 16 from the x86-64 psABI
    dataAlign: [{ minSize: 32, align: 32 }, { minSize: 16, align: 16 }],
  },
  i386: {
    name: 'i386', aliases: ['i386', 'i686', 'x86', 'x86_32', 'ia32'], bits: 32, endian: 'little', charSigned: true,
    scalars: {
      char: s(1), short: s(2), int: s(4), long: s(4), 'long long': s(8, 8, 4), __int128: s(0, 1),
      pointer: s(4), float: s(4), double: s(8, 8, 4), 'long double': s(12, 4), _Bool: s(1),
    },
    l1CacheShift: 6, pageShift: 12, pageShifts: [12],
    firstChunk: 'embed', atom: 'page', reservedChunk: false, dynIncludesModuleReserve: true,
    notes: 'x86_32: r = 0, dyn = PERCPU_MODULE_RESERVE + PERCPU_DYNAMIC_RESERVE; page first chunk on NUMA',
    biggestAlignment: 16, predefines: ['__i386__', '__i386', 'i386'], anonBitfieldAlign: false,
    dataAlign: [{ minSize: 32, align: 32 }],
  },
  arm64: {
    name: 'arm64', aliases: ['arm64', 'aarch64'], bits: 64, endian: 'little', charSigned: false,
    scalars: LP64, l1CacheShift: 6, pageShift: 12, pageShifts: [12, 14, 16],
    firstChunk: 'embed', atom: 'page', reservedChunk: true, dynIncludesModuleReserve: false,
    notes: 'generic setup_per_cpu_areas, or drivers/base/arch_numa.c with node distances',
    biggestAlignment: 16, predefines: ['__aarch64__', '__ARM_64BIT_STATE'], anonBitfieldAlign: true, sectionAnchors: true,
  },
  ppc64: {
    name: 'ppc64', aliases: ['ppc64', 'ppc64le', 'powerpc64', 'powerpc'], bits: 64, endian: 'big', charSigned: false,
    scalars: LP64, l1CacheShift: 7, pageShift: 12, pageShifts: [12, 16],
    firstChunk: 'embed', atom: 'page', reservedChunk: false, dynIncludesModuleReserve: true,
    notes: 'embed(0, MODULE_RESERVE + DYNAMIC_RESERVE, atom); atom 1 MiB on Book3E/hash with 64K linear map',
    biggestAlignment: 16, predefines: ['__powerpc__', '__powerpc64__', '__PPC64__', '__PPC__'], anonBitfieldAlign: false, sectionAnchors: true,
  },
  riscv64: {
    name: 'riscv64', aliases: ['riscv64', 'riscv'], bits: 64, endian: 'little', charSigned: false,
    scalars: LP64, l1CacheShift: 6, pageShift: 12, pageShifts: [12],
    firstChunk: 'embed', atom: 'page', reservedChunk: true, dynIncludesModuleReserve: false,
    notes: 'generic setup_per_cpu_areas (arch_numa.c with NUMA)',
    biggestAlignment: 16, predefines: ['__riscv'], anonBitfieldAlign: false,
  },
  s390x: {
    name: 's390x', aliases: ['s390x', 's390'], bits: 64, endian: 'big', charSigned: false,
    scalars: { ...LP64, 'long double': s(16, 8) }, l1CacheShift: 8, pageShift: 12, pageShifts: [12],
    firstChunk: 'embed', atom: 'page', reservedChunk: true, dynIncludesModuleReserve: false,
    notes: 'generic setup_per_cpu_areas; 256-byte cache lines',
    biggestAlignment: 8, predefines: ['__s390__', '__s390x__'], anonBitfieldAlign: false,
  },
  mips: {
    name: 'mips', aliases: ['mips', 'mipsel', 'mips32'], bits: 32, endian: 'big', charSigned: true,
    scalars: {
      char: s(1), short: s(2), int: s(4), long: s(4), 'long long': s(8), __int128: s(0, 1),
      pointer: s(4), float: s(4), double: s(8), 'long double': s(8), _Bool: s(1),
    },
    l1CacheShift: 5, pageShift: 12, pageShifts: [12, 14, 16],
    firstChunk: 'embed', atom: 'page', reservedChunk: true, dynIncludesModuleReserve: false,
    notes: 'o32 ABI; generic setup_per_cpu_areas',
    biggestAlignment: 8, predefines: ['__mips__'], anonBitfieldAlign: false,
  },
  arm: {
    name: 'arm', aliases: ['arm', 'armhf', 'armel', 'armv7l'], bits: 32, endian: 'little', charSigned: false,
    scalars: {
      char: s(1), short: s(2), int: s(4), long: s(4), 'long long': s(8), __int128: s(0, 1),
      pointer: s(4), float: s(4), double: s(8), 'long double': s(8), _Bool: s(1),
    },
    l1CacheShift: 6, pageShift: 12, pageShifts: [12],
    firstChunk: 'embed', atom: 'page', reservedChunk: true, dynIncludesModuleReserve: false,
    notes: 'AAPCS (EABI); generic setup_per_cpu_areas',
    biggestAlignment: 8, predefines: ['__arm__', '__ARM_EABI__'], anonBitfieldAlign: true, sectionAnchors: true,
  },
};

export const ARCH_NAMES = Object.keys(ARCHES) as ArchName[];

/** Resolve a user-supplied arch name or alias; undefined if unknown. */
export function findArch(name: string): ArchProfile | undefined {
  const n = name.trim().toLowerCase();
  return Object.values(ARCHES).find((a) => a.name === n || a.aliases.includes(n));
}
