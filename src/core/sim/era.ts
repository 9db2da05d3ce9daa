// Kernel-era constants of the per-CPU allocator: the ONE table of what changed by version.
// Arch facts that do not change with the kernel live in ../config/arch.ts.
// Sources: docs/allocator.md §1.5, §2; commits cited inline. A boundary marked
// "unverified" is the best bound the evidence gives (real boot logs on both sides of it).

import type { ArchProfile } from '../config/arch';

export interface KernelVersion { major: number; minor: number; patch: number; /** true when the sublevel was given */ exact: boolean }

import { DEFAULT_KERNEL } from '../defaults';

export { DEFAULT_KERNEL };

/** Parse "X.Y", "X.Y.Z", "X.Y.Z-extra", "X.Y.Z-N-generic" (distro suffixes ignored). */
export function parseKernel(v: string | undefined): KernelVersion {
  const s = (v ?? DEFAULT_KERNEL).trim();
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:[-+~_.].*)?$/.exec(s);
  if (!m) throw new Error(`kernel version must look like X.Y or X.Y.Z, got "${s}"`);
  const major = Number(m[1]), minor = Number(m[2]);
  // Debian/Ubuntu ABI names ("4.19.0-8-amd64", "5.8.0-18-generic") keep ".0" whatever the upstream
  // sublevel is: treat them like "X.Y" (the latest stable of the series).
  const distroAbi = m[3] === '0' && /^\d+\.\d+\.0-\d+/.test(s);
  const k = { major, minor, patch: m[3] === undefined || distroAbi ? 0 : Number(m[3]), exact: m[3] !== undefined && !distroAbi };
  if (major < 2 || major > 99 || minor > 999) throw new Error(`kernel version out of range: "${s}"`);
  if (cmp(k, '2.6.30') < 0) throw new Error(`kernel ${s}: per-CPU first chunk not modelled before 2.6.30 (legacy allocator)`);
  return k;
}

/** compare a version with "X.Y[.Z]"; 2.6.x versions compare on their third number. */
export function cmp(k: KernelVersion, ref: string): number {
  const [a, b, c = 0] = ref.split('.').map(Number);
  return k.major - a || k.minor - b || k.patch - c;
}
export const atLeast = (k: KernelVersion, ref: string): boolean => cmp(k, ref) >= 0;

/** Options of the kernel .config that change the constants. */
export interface EraConfig {
  modules?: boolean;              // CONFIG_MODULES (default y)
  randomKmallocCaches?: boolean;  // CONFIG_RANDOM_KMALLOC_CACHES (6.6+)
  lockdep?: boolean;              // CONFIG_LOCKDEP
  memAllocProfiling?: boolean;    // CONFIG_MEM_ALLOC_PROFILING (6.10+)
}

export interface EraConstants {
  kernel: KernelVersion;
  /** PCPU_MIN_UNIT_SIZE: 64K until "percpu: reduce PCPU_MIN_UNIT_SIZE to 32k" (2.6.35, unverified), then 32K */
  minUnitSize: number;
  /** PERCPU_DYNAMIC_EARLY_SIZE; 0 before it existed (2.6.32 had no floor) */
  earlySize: number;
  /** PERCPU_DYNAMIC_RESERVE for this word size */
  dynamicReserve: number;
  /** PERCPU_MODULE_RESERVE */
  moduleReserve: number;
  /** PERCPU_DYNAMIC_SIZE_SHIFT (10 before it existed) */
  sizeShift: number;
  /** which pcpu_build_alloc_info grouping: 'cpumask' (lowest CPU opens a group) or 'first-fit' (older) */
  grouping: 'cpumask' | 'first-fit';
  /** the first-chunk dump (pcpu-alloc: lines) exists from 2.6.32 (pcpu_alloc_info) */
  hasAllocDump: boolean;
  boot: BootFormat;
}

export interface BootFormat {
  /** 'v2.6.30' | 'v2.6.31': the pre-alloc_info formats; 'modern': 2.6.32+ */
  family: 'v2.6.30' | 'v2.6.31' | 'modern';
  /** "PERCPU: " (2.6.3x–4.x) or "percpu: " (pr_fmt) */
  prefix: string;
  /** how the @base address prints: 'hex' (%p before hashing); before the RNG is ready a hashed %p prints
   *  'ptrval-padded' ("(ptrval)" right-aligned to the pointer width, 4.15–4.17) or 'ptrval' ("(____ptrval____)"
   *  on 64-bit, "(ptrval)" on 32-bit, 4.18–5.0); 'none' (5.1+) */
  address: 'hex' | 'ptrval-padded' | 'ptrval' | 'none';
  /** x86 prints "setup_percpu: " before NR_CPUS:... (pr_fmt); 2.6.32 printed it bare */
  x86Prefix: string;
}

// Stable series that picked up "percpu: stop printing kernel addresses" (00206a69ee32, 5.1):
// 3.16.67 [ML id 47550279890]; 4.19.y: Debian 4.19.98 prints no address, first sublevel unknown,
// so 98 is the earliest one we can vouch for.
const ADDRESS_BACKPORTS: Record<string, number> = { '3.16': 67, '4.19': 98 };

function bootFormat(k: KernelVersion): BootFormat {
  const family = !atLeast(k, '2.6.31') ? 'v2.6.30' : !atLeast(k, '2.6.32') ? 'v2.6.31' : 'modern';
  // pr_fmt "percpu: " in mm/percpu.c: "PERCPU:" in 4.4 logs (Ubuntu 4.4.0-34), "percpu:" in 4.19 logs.
  // Exact commit unknown; 4.14 (Dennis Zhou's 2017 allocator rework) unverified. 3.16.67 kept "PERCPU:".
  const prefix = atLeast(k, '4.14') ? 'percpu: ' : 'PERCPU: ';
  const series = `${k.major}.${k.minor}`;
  const backport = ADDRESS_BACKPORTS[series];
  // "X.Y" without a sublevel means the latest stable of that series.
  const noAddr = atLeast(k, '5.1') || (backport !== undefined && (!k.exact || k.patch >= backport));
  // %p hashing (ad67b74d2469, 4.15) prints "(ptrval)" padded with spaces until the RNG is ready, i.e. at this
  // point of boot; "vsprintf: Replace space with '_' before crng is ready" made it "(____ptrval____)" (4.18,
  // unverified: a 4.16.15 log has the spaces).
  const address = noAddr ? 'none' : atLeast(k, '4.18') ? 'ptrval' : atLeast(k, '4.15') ? 'ptrval-padded' : 'hex';
  // setup_percpu.c gained pr_fmt between 2.6.32 (bare in Ubuntu 2.6.32-21/-22/-34 logs) and 2.6.35 (prefixed in
  // Ubuntu 2.6.35-22/-24 logs); 2.6.33/34 unverified.
  const x86Prefix = atLeast(k, '2.6.35') ? 'setup_percpu: ' : '';
  return { family, prefix, address, x86Prefix };
}

/**
 * One kernel version per era: every version this file (and the arch table's eraAtomSize) tests with atLeast,
 * in order. A version stands for itself up to the next one. Stable backports that change the format are
 * listed as exact versions after them (BACKPORT_POINTS).
 */
export const ERA_POINTS = ['2.6.30', '2.6.31', '2.6.32', '2.6.35', '2.6.36', '3.0', '3.4', '3.18', '4.14', '4.15', '4.18',
  '5.1', '6.0', '6.2', '6.6', '6.10', '6.13', '6.14'];
export const BACKPORT_POINTS = Object.entries(ADDRESS_BACKPORTS).map(([series, patch]) => `${series}.${patch}`);

/** The constants of mm/percpu.c / include/linux/percpu.h for a kernel and word size. */
export function eraConstants(kernel: string | undefined, bits: 32 | 64, cfg: EraConfig = {}, pageSize = 4096): EraConstants {
  const k = parseKernel(kernel);
  const modules = cfg.modules ?? true;
  // PERCPU_DYNAMIC_SIZE_SHIFT (6.6, RANDOM_KMALLOC_CACHES → 12; late 2024 (6.13): LOCKDEP && !4K pages → 13)
  let sizeShift = 10;
  if (atLeast(k, '6.6') && cfg.randomKmallocCaches) {
    sizeShift = atLeast(k, '6.13') && cfg.lockdep && pageSize !== 4096 ? 13 : 12;
  }
  const K = (n: number): number => n << sizeShift;
  // DYNAMIC_RESERVE: 20K/12K until 1a4d76076cda "percpu: implement asynchronous chunk population"
  // (3.18) added two pages for PCPU_EMPTY_POP_PAGES_LOW → 28K/20K.
  const dynamicReserve = atLeast(k, '3.18') ? (bits > 32 ? K(28) : K(20)) : bits > 32 ? 20 << 10 : 12 << 10;
  // EARLY_SIZE: introduced with "percpu: allow limited allocation before slab is online" (099a19d91ca4,
  // 2.6.36, unverified) at 12K; 20K since e8753e416c7e (6.2).
  const earlySize = atLeast(k, '6.2') ? K(20) : atLeast(k, '2.6.36') ? 12 << 10 : 0;
  const minUnitSize = pcpuMinUnitSize(k, pageSize);
  // MODULE_RESERVE: 8K; with MEM_ALLOC_PROFILING 8<<13 from 6.10 until 12ca42c23775 (6.15, backported to 6.14.y).
  let moduleReserve = modules ? 8 << 10 : 0;
  if (modules && cfg.memAllocProfiling && atLeast(k, '6.10') && !atLeast(k, '6.14')) moduleReserve = 8 << 13;
  return {
    kernel: k, minUnitSize, earlySize, dynamicReserve, moduleReserve, sizeShift,
    // the cpumask rewrite of pcpu_build_alloc_info's grouping: after 4.19 ([L] has the old loop); 6.0 unverified
    grouping: atLeast(k, '6.0') ? 'cpumask' : 'first-fit',
    hasAllocDump: atLeast(k, '2.6.32'),
    boot: bootFormat(k),
  };
}

/**
 * Atom size the arch passes to the embed helper in this era (bytes). x86_32 used PMD_SIZE (4 MiB without
 * PAE) when the CPU has PSE until "percpu, x86: don't use PMD_SIZE as embedded atom_size on 32bit", a 3.4
 * fix that stable 3.3.5 also took (a 2012 distro changelog, index id 37863703726); Ubuntu i386 boot logs of
 * 2.6.32 to 3.0.0-16 show alloc=1*4194304. PAGE_SIZE after.
 */
export function eraAtomSize(arch: ArchProfile, kernel: KernelVersion, pageSize: number): number {
  if (arch.name === 'i386' && !atLeast(kernel, '3.4')) return 4 << 20;
  // PMD_SIZE: a page of 8-byte entries maps PAGE_SIZE/8 pages (x86_64 4K → 2 MiB; loongarch 16K → 32 MiB)
  if (arch.atom === 'pmd') return pageSize * (pageSize / 8);
  return arch.atom === 'page' ? pageSize : arch.atom;
}

/** Dynamic-size argument the arch passes (before page rounding): §2.3. */
export function eraDynArgument(arch: ArchProfile, c: EraConstants): number {
  return arch.dynIncludesModuleReserve ? c.moduleReserve + c.dynamicReserve : c.dynamicReserve;
}

/** Reserved size the arch passes: MODULE_RESERVE where the arch has a reserved chunk, else 0. */
export function eraReserved(arch: ArchProfile, c: EraConstants): number {
  return arch.reservedChunk ? c.moduleReserve : 0;
}

/** x86 CONFIG_CPUMASK_OFFSTACK: NR_CPUS above 512 requires it (MAXSMP), so nr_cpumask_bits = nr_cpu_ids. */
export function defaultCpumaskOffstack(nrCpus: number): boolean {
  return nrCpus > 512;
}

/** PCPU_MIN_UNIT_SIZE, PFN_ALIGN'ed: also the largest single allocation pcpu_alloc accepts ("illegal size"). */
export function pcpuMinUnitSize(kernel: KernelVersion | string | undefined, pageSize: number): number {
  const k = typeof kernel === 'object' ? kernel : parseKernel(kernel);
  const min = atLeast(k, '2.6.35') ? 32 << 10 : 64 << 10;
  return Math.ceil(min / pageSize) * pageSize;
}

// ---- linker order of the per-CPU input sections (PERCPU_INPUT, include/asm-generic/vmlinux.lds.h)

/** gate: the step exists only when this CONFIG_ symbol is set (PERCPU_DECRYPTED_SECTION). */
export type LinkStep = ({ align: 'page' | 'cacheline' } | { input: string }) & { gate?: string };

export interface LinkerEra {
  /** first kernel version this order applies to */
  since: string;
  steps: LinkStep[];
  /** sections that only exist under a config symbol; absent symbol → the macro falls back to '' */
  configGated: Record<string, string>;
}

const DECRYPTED: LinkStep[] = [
  { align: 'page', gate: 'CONFIG_AMD_MEM_ENCRYPT' },
  { input: '..decrypted', gate: 'CONFIG_AMD_MEM_ENCRYPT' },
  { align: 'page', gate: 'CONFIG_AMD_MEM_ENCRYPT' },
];

/** PERCPU_INPUT(cacheline), newest first. */
export const LINKER_ERAS: LinkerEra[] = [
  {
    since: '6.15',
    steps: [
      { align: 'page' }, { input: '..page_aligned' },
      { align: 'cacheline' }, { input: '..hot' }, { align: 'cacheline' },
      { input: '..read_mostly' }, { align: 'cacheline' },
      { input: '' }, { input: '..shared_aligned' },
      ...DECRYPTED,
    ],
    configGated: { '..decrypted': 'CONFIG_AMD_MEM_ENCRYPT' },
  },
  {
    since: '2.6.32',
    steps: [
      { input: '..first' },
      { align: 'page' }, { input: '..page_aligned' },
      { align: 'cacheline' }, { input: '..read_mostly' }, { align: 'cacheline' },
      { input: '' }, { input: '..shared_aligned' },
      ...DECRYPTED,
    ],
    configGated: { '..decrypted': 'CONFIG_AMD_MEM_ENCRYPT' },
  },
];

/** The PERCPU_INPUT order for a kernel version ("6.12", "6.12.0-1-amd64"). */
export function linkerEra(kernel: string): LinkerEra {
  let k: KernelVersion;
  try { k = parseKernel(kernel); } catch { return LINKER_ERAS[LINKER_ERAS.length - 1]; }
  return LINKER_ERAS.find((e) => atLeast(k, e.since)) ?? LINKER_ERAS[LINKER_ERAS.length - 1];
}
