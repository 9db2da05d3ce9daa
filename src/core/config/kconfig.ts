// The kernel .config reader, defconfig-like defaults per arch profile, and the object-like macros a
// config and an arch predefine (what include/generated/autoconf.h and gcc's -m flags would give).
import { ArchName, ARCHES, type ArchProfile } from './arch';

export interface KConfig {
  values: Map<string, string>;
  source: string;
  warnings: string[];
  /** symbols the file says are off (`# CONFIG_X is not set`, `CONFIG_X=n`): known to be unset, not merely absent */
  notSet?: Set<string>;
}

/** Whether the .config says outright that a symbol is off. */
export const isNotSet = (cfg: KConfig, sym: string): boolean => !!cfg.notSet?.has(sym);

/** `CONFIG_X=y|m|n|"str"|123|0x1f`, `# CONFIG_X is not set`; anything else becomes a warning. */
export function parseDotConfig(text: string, source: string): KConfig {
  const values = new Map<string, string>();
  const notSet = new Set<string>();
  const warnings: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s*(CONFIG_\w+) is not set$/.exec(line);
      if (m) { values.delete(m[1]); notSet.add(m[1]); }
      return;
    }
    const m = /^(CONFIG_\w+)=(.*)$/.exec(line);
    if (!m) { warnings.push(`${source}:${i + 1}: not a config line: ${line.slice(0, 80)}`); return; }
    const v = m[2].trim();
    if (v === 'n') { values.delete(m[1]); notSet.add(m[1]); return; }
    if (!/^(y|m|"(?:[^"\\]|\\.)*"|-?\d+|0[xX][0-9a-fA-F]+)$/.test(v)) {
      warnings.push(`${source}:${i + 1}: bad value for ${m[1]}: ${v.slice(0, 80)}`);
      return;
    }
    values.set(m[1], v);
    notSet.delete(m[1]);
  });
  return { values, source, warnings, notSet };
}

// defconfig-like defaults: only what changes type layouts or per-CPU sizing. Values are those of
// `make ARCH=<arch> defconfig` for 6.x kernels (x86_64 checked against /work/kbuild/.config).
const COMMON: Record<string, string> = {
  CONFIG_SMP: 'y', CONFIG_MODULES: 'y', CONFIG_PRINTK: 'y', CONFIG_BLOCK: 'y', CONFIG_NET: 'y',
  CONFIG_SYSFS: 'y', CONFIG_PROC_FS: 'y', CONFIG_MMU: 'y', CONFIG_NUMA: 'y',
};
const NO_NUMA = { CONFIG_NUMA: '' };
const UP = { CONFIG_SMP: '', CONFIG_NUMA: '' };
const DEFAULTS: Record<ArchName, Record<string, string>> = {
  x86_64: { CONFIG_64BIT: 'y', CONFIG_X86: 'y', CONFIG_X86_64: 'y', CONFIG_NR_CPUS: '64', CONFIG_X86_L1_CACHE_SHIFT: '6', CONFIG_NODES_SHIFT: '6' },
  i386: { CONFIG_X86: 'y', CONFIG_X86_32: 'y', CONFIG_NR_CPUS: '8', CONFIG_X86_L1_CACHE_SHIFT: '6', CONFIG_NUMA: '', CONFIG_HIGHMEM4G: 'y' },
  arm64: { CONFIG_64BIT: 'y', CONFIG_ARM64: 'y', CONFIG_NR_CPUS: '512', CONFIG_NODES_SHIFT: '2', CONFIG_ARM64_4K_PAGES: 'y' },
  ppc64: { CONFIG_64BIT: 'y', CONFIG_PPC: 'y', CONFIG_PPC64: 'y', CONFIG_NR_CPUS: '2048', CONFIG_NODES_SHIFT: '8' },
  ppc32: { CONFIG_PPC: 'y', CONFIG_PPC32: 'y', CONFIG_NR_CPUS: '4', ...NO_NUMA },
  riscv64: { CONFIG_64BIT: 'y', CONFIG_RISCV: 'y', CONFIG_NR_CPUS: '64', CONFIG_NODES_SHIFT: '2' },
  riscv32: { CONFIG_32BIT: 'y', CONFIG_RISCV: 'y', CONFIG_NR_CPUS: '32', ...NO_NUMA },
  s390x: { CONFIG_64BIT: 'y', CONFIG_S390: 'y', CONFIG_NR_CPUS: '400', CONFIG_NUMA: '' },
  mips: { CONFIG_MIPS: 'y', CONFIG_32BIT: 'y', CONFIG_NR_CPUS: '4', CONFIG_NUMA: '' },
  mips64: { CONFIG_MIPS: 'y', CONFIG_64BIT: 'y', CONFIG_NR_CPUS: '16', CONFIG_NODES_SHIFT: '6' },
  arm: { CONFIG_ARM: 'y', CONFIG_NR_CPUS: '4', CONFIG_NUMA: '' },
  sparc64: { CONFIG_SPARC: 'y', CONFIG_SPARC64: 'y', CONFIG_64BIT: 'y', CONFIG_NR_CPUS: '256', CONFIG_NODES_SHIFT: '4' },
  sparc32: { CONFIG_SPARC: 'y', CONFIG_SPARC32: 'y', CONFIG_NR_CPUS: '32', ...NO_NUMA },
  alpha: { CONFIG_ALPHA: 'y', CONFIG_64BIT: 'y', CONFIG_NR_CPUS: '32', ...NO_NUMA },
  parisc: { CONFIG_PARISC: 'y', CONFIG_NR_CPUS: '32', ...NO_NUMA },
  parisc64: { CONFIG_PARISC: 'y', CONFIG_64BIT: 'y', CONFIG_NR_CPUS: '32', ...NO_NUMA },
  sh: { CONFIG_SUPERH: 'y', CONFIG_CPU_SH4: 'y', CONFIG_NR_CPUS: '4', ...NO_NUMA },
  m68k: { CONFIG_M68K: 'y', ...UP },
  loongarch64: { CONFIG_LOONGARCH: 'y', CONFIG_64BIT: 'y', CONFIG_NR_CPUS: '256', CONFIG_PAGE_SIZE_16KB: 'y', CONFIG_NODES_SHIFT: '6' },
  arc: { CONFIG_ARC: 'y', CONFIG_NR_CPUS: '4', ...NO_NUMA },
  csky: { CONFIG_CSKY: 'y', CONFIG_NR_CPUS: '4', ...NO_NUMA },
  openrisc: { CONFIG_OPENRISC: 'y', CONFIG_NR_CPUS: '2', ...NO_NUMA },
  xtensa: { CONFIG_XTENSA: 'y', CONFIG_NR_CPUS: '4', ...NO_NUMA },
  microblaze: { CONFIG_MICROBLAZE: 'y', ...UP },
  nios2: { CONFIG_NIOS2: 'y', ...UP },
  hexagon: { CONFIG_HEXAGON: 'y', CONFIG_NR_CPUS: '6', ...NO_NUMA },
  um: { CONFIG_UML: 'y', CONFIG_64BIT: 'y', ...UP },
  ia64: { CONFIG_IA64: 'y', CONFIG_64BIT: 'y', CONFIG_NR_CPUS: '4096', CONFIG_NODES_SHIFT: '10' },
};

export function defaultConfig(arch: ArchName): KConfig {
  const values = new Map<string, string>();
  for (const [k, v] of Object.entries({ ...COMMON, ...DEFAULTS[arch] })) if (v !== '') values.set(k, v);
  return { values, source: `defaults:${arch}`, warnings: [] };
}

// Built once per parsed .config (its values are not changed afterwards; a grown map is rebuilt):
// evalCondition asks for it on every #if and Kbuild condition.
const macrosOf = new WeakMap<Map<string, string>, Map<string, string>>();

/** Object-like macros a config defines, as autoconf.h does: y → 1, m → CONFIG_X_MODULE 1 (do not modify). */
export function configMacros(cfg: KConfig): Map<string, string> {
  const hit = macrosOf.get(cfg.values);
  if (hit && hit.size >= cfg.values.size) return hit;
  const out = new Map<string, string>();
  macrosOf.set(cfg.values, out);
  for (const [k, v] of cfg.values) {
    if (v === 'y') out.set(k, '1');
    else if (v === 'm') out.set(`${k}_MODULE`, '1');
    else out.set(k, v);
  }
  return out;
}

export function configInt(cfg: KConfig, name: string): number | undefined {
  const v = cfg.values.get(name);
  if (v === undefined || !/^(-?\d+|0[xX][0-9a-fA-F]+)$/.test(v)) return undefined;
  return Number(v);
}

/** Whether a symbol is set (y, m, a value): `# CONFIG_X is not set` and =n leave it out. */
export function isSet(cfg: KConfig, name: string): boolean {
  const v = cfg.values.get(name);
  return v !== undefined && v !== 'n' && v !== '';
}

// Kconfig knobs that set L1_CACHE_SHIFT on the arches that have one (asm/cache.h of each arch).
const L1_SHIFT_KNOBS = ['CONFIG_X86_L1_CACHE_SHIFT', 'CONFIG_ARM64_L1_CACHE_SHIFT', 'CONFIG_ARM_L1_CACHE_SHIFT',
  'CONFIG_MIPS_L1_CACHE_SHIFT', 'CONFIG_L1_CACHE_SHIFT', 'CONFIG_ARC_CACHE_LINE_SHIFT', 'CONFIG_IA64_L1_CACHE_SHIFT'];

/** L1_CACHE_SHIFT: the arch's Kconfig knob when the .config has one, else the profile's. */
export function l1CacheShiftOf(cfg: KConfig, arch: ArchProfile): number {
  for (const k of L1_SHIFT_KNOBS) {
    const v = Number(cfg.values.get(k));
    if (Number.isInteger(v) && v >= 4 && v <= 8) return v;
  }
  return arch.l1CacheShift;
}

/** L1 cache line in bytes. */
export function cacheLineOf(cfg: KConfig, arch: ArchProfile): number {
  return 1 << l1CacheShiftOf(cfg, arch);
}

/** PAGE_SIZE: CONFIG_PAGE_SHIFT (6.8+) or the CONFIG_*_{4,8,16,64,256}K[B]_PAGES / PAGE_SIZE_* choice, else the profile's. */
export function pageSizeOf(cfg: KConfig, arch: ArchProfile): number {
  const shift = Number(cfg.values.get('CONFIG_PAGE_SHIFT'));
  if (arch.pageShifts.includes(shift)) return 1 << shift;
  for (const [k, v] of cfg.values) {
    if (v !== 'y') continue;
    const m = /^CONFIG_(?:ARM64_|PPC_)?(\d+)K_PAGES$|^CONFIG_(?:\w+_)?PAGE_SIZE_(\d+)KB?$|^CONFIG_(\d+)KB_\dLEVEL$/.exec(k);
    const kb = m && Number(m[1] ?? m[2] ?? m[3]);
    if (kb && arch.pageShifts.includes(Math.log2(kb * 1024))) return kb * 1024;
  }
  return 1 << arch.pageShift;
}

/** The arch profile a .config was made for, from the symbols only that arch sets. */
export function archOfConfig(cfg: KConfig): ArchName | undefined {
  const y = (k: string) => cfg.values.get(k) === 'y';
  const w64 = y('CONFIG_64BIT');
  if (y('CONFIG_UML')) return 'um';
  if (y('CONFIG_X86_64')) return 'x86_64';
  if (y('CONFIG_X86_32') || y('CONFIG_X86')) return 'i386';
  if (y('CONFIG_ARM64')) return 'arm64';
  if (y('CONFIG_PPC64')) return 'ppc64';
  if (y('CONFIG_PPC32') || y('CONFIG_PPC')) return 'ppc32';
  if (y('CONFIG_RISCV')) return w64 ? 'riscv64' : 'riscv32';
  if (y('CONFIG_S390')) return 's390x';
  if (y('CONFIG_MIPS')) return w64 ? 'mips64' : 'mips';
  if (y('CONFIG_SPARC64')) return 'sparc64';
  if (y('CONFIG_SPARC32') || y('CONFIG_SPARC')) return w64 ? 'sparc64' : 'sparc32';
  if (y('CONFIG_IA64')) return 'ia64';
  if (y('CONFIG_LOONGARCH')) return 'loongarch64';
  const plain: Array<[string, ArchName]> = [['CONFIG_ALPHA', 'alpha'], ['CONFIG_SUPERH', 'sh'], ['CONFIG_M68K', 'm68k'],
    ['CONFIG_ARC', 'arc'], ['CONFIG_CSKY', 'csky'], ['CONFIG_OPENRISC', 'openrisc'], ['CONFIG_XTENSA', 'xtensa'],
    ['CONFIG_MICROBLAZE', 'microblaze'], ['CONFIG_NIOS2', 'nios2'], ['CONFIG_HEXAGON', 'hexagon'], ['CONFIG_ARM', 'arm']];
  if (y('CONFIG_PARISC')) return w64 ? 'parisc64' : 'parisc';
  for (const [k, a] of plain) if (y(k)) return a;
  return undefined;
}

/** The arch to use: a .config refines the word size of the requested arch (ARCH=powerpc with CONFIG_PPC32 is
 *  ppc32, not ppc64); without a request the .config decides; a .config of another arch does not override a
 *  request. */
export function resolveArch(requested: ArchProfile | undefined, cfg: KConfig | undefined): ArchProfile | undefined {
  const fromCfg = cfg && archOfConfig(cfg);
  if (!requested) return fromCfg ? ARCHES[fromCfg] : undefined;
  if (fromCfg && ARCHES[fromCfg].srcArch === requested.srcArch) return ARCHES[fromCfg];
  return requested;
}

/** gcc's predefined macros that kernel headers test, per arch (gcc 12, -std=gnu11, __KERNEL__). */
export function predefinedMacros(arch: ArchName): Map<string, string> {
  const a = ARCHES[arch];
  const m = new Map<string, string>([
    ['__KERNEL__', '1'], ['__GNUC__', '12'], ['__GNUC_MINOR__', '2'], ['__GNUC_PATCHLEVEL__', '0'],
    ['__STDC__', '1'], ['__STDC_VERSION__', '201112L'], ['__CHAR_BIT__', '8'], ['__linux__', '1'],
    ['__ORDER_LITTLE_ENDIAN__', '1234'], ['__ORDER_BIG_ENDIAN__', '4321'],
    ['__BYTE_ORDER__', a.endian === 'little' ? '1234' : '4321'],
    [a.endian === 'little' ? '__LITTLE_ENDIAN__' : '__BIG_ENDIAN__', '1'],
    ['__SIZEOF_INT__', '4'], ['__SIZEOF_LONG__', String(a.scalars.long.size)],
    ['__SIZEOF_LONG_LONG__', '8'], ['__SIZEOF_POINTER__', String(a.scalars.pointer.size)],
    ['__SIZEOF_SHORT__', '2'], ['__BIGGEST_ALIGNMENT__', String(a.biggestAlignment)],
    // gcc's alternate keyword (uapi int-ll64.h: `typedef __signed__ long long __s64;`); the parser knows only `signed`
    ['__signed__', 'signed'],
  ]);
  if (a.bits === 64) { m.set('__LP64__', '1'); m.set('_LP64', '1'); m.set('__SIZEOF_INT128__', '16'); }
  if (!a.charSigned) m.set('__CHAR_UNSIGNED__', '1');
  for (const d of a.predefines) m.set(d, '1');
  return m;
}
