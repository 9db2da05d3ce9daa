// The kernel .config reader, defconfig-like defaults per arch profile, and the object-like macros a
// config and an arch predefine (what include/generated/autoconf.h and gcc's -m flags would give).
import { ArchName, ARCHES, type ArchProfile } from './arch';

export interface KConfig { values: Map<string, string>; source: string; warnings: string[] }

/** `CONFIG_X=y|m|n|"str"|123|0x1f`, `# CONFIG_X is not set`; anything else becomes a warning. */
export function parseDotConfig(text: string, source: string): KConfig {
  const values = new Map<string, string>();
  const warnings: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s*(CONFIG_\w+) is not set$/.exec(line);
      if (m) values.delete(m[1]);
      return;
    }
    const m = /^(CONFIG_\w+)=(.*)$/.exec(line);
    if (!m) { warnings.push(`${source}:${i + 1}: not a config line: ${line.slice(0, 80)}`); return; }
    const v = m[2].trim();
    if (v === 'n') { values.delete(m[1]); return; }
    if (!/^(y|m|"(?:[^"\\]|\\.)*"|-?\d+|0[xX][0-9a-fA-F]+)$/.test(v)) {
      warnings.push(`${source}:${i + 1}: bad value for ${m[1]}: ${v.slice(0, 80)}`);
      return;
    }
    values.set(m[1], v);
  });
  return { values, source, warnings };
}

// defconfig-like defaults: only what changes type layouts or per-CPU sizing. Values are those of
// `make ARCH=<arch> defconfig` for 6.x kernels (x86_64 checked against /work/kbuild/.config).
const COMMON: Record<string, string> = {
  CONFIG_SMP: 'y', CONFIG_MODULES: 'y', CONFIG_PRINTK: 'y', CONFIG_BLOCK: 'y', CONFIG_NET: 'y',
  CONFIG_SYSFS: 'y', CONFIG_PROC_FS: 'y', CONFIG_MMU: 'y', CONFIG_NUMA: 'y',
};
const DEFAULTS: Record<ArchName, Record<string, string>> = {
  x86_64: { CONFIG_64BIT: 'y', CONFIG_X86: 'y', CONFIG_X86_64: 'y', CONFIG_NR_CPUS: '64', CONFIG_X86_L1_CACHE_SHIFT: '6', CONFIG_NODES_SHIFT: '6' },
  i386: { CONFIG_X86: 'y', CONFIG_X86_32: 'y', CONFIG_NR_CPUS: '8', CONFIG_X86_L1_CACHE_SHIFT: '6', CONFIG_NUMA: '', CONFIG_HIGHMEM4G: 'y' },
  arm64: { CONFIG_64BIT: 'y', CONFIG_ARM64: 'y', CONFIG_NR_CPUS: '512', CONFIG_NODES_SHIFT: '2', CONFIG_ARM64_4K_PAGES: 'y' },
  ppc64: { CONFIG_64BIT: 'y', CONFIG_PPC: 'y', CONFIG_PPC64: 'y', CONFIG_NR_CPUS: '2048', CONFIG_NODES_SHIFT: '8' },
  riscv64: { CONFIG_64BIT: 'y', CONFIG_RISCV: 'y', CONFIG_NR_CPUS: '64', CONFIG_NODES_SHIFT: '2' },
  s390x: { CONFIG_64BIT: 'y', CONFIG_S390: 'y', CONFIG_NR_CPUS: '400', CONFIG_NUMA: '' },
  mips: { CONFIG_MIPS: 'y', CONFIG_32BIT: 'y', CONFIG_NR_CPUS: '4', CONFIG_NUMA: '' },
  arm: { CONFIG_ARM: 'y', CONFIG_NR_CPUS: '4', CONFIG_NUMA: '' },
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

/** L1 cache line in bytes: the arch's Kconfig shift when the .config has one, else the profile's. */
export function cacheLineOf(cfg: KConfig, arch: ArchProfile): number {
  const shift = Number(cfg.values.get('CONFIG_X86_L1_CACHE_SHIFT') ?? cfg.values.get('CONFIG_ARM64_L1_CACHE_SHIFT') ?? arch.l1CacheShift) || arch.l1CacheShift;
  return 1 << shift;
}

/** PAGE_SHIFT of a .config: CONFIG_PAGE_SHIFT (≥ 6.9), else the arch's page-size choice
 *  (CONFIG_ARM64_16K_PAGES, CONFIG_PPC_64K_PAGES, ...), else the profile's default. */
export function pageShiftOf(cfg: KConfig, arch: ArchProfile): number {
  const direct = Number(cfg.values.get('CONFIG_PAGE_SHIFT'));
  if (arch.pageShifts.includes(direct)) return direct;
  const y = (k: string) => cfg.values.get(k) === 'y';
  const byChoice: Array<[string, number]> = [
    ['CONFIG_ARM64_16K_PAGES', 14], ['CONFIG_ARM64_64K_PAGES', 16], ['CONFIG_PPC_64K_PAGES', 16], ['CONFIG_PPC_16K_PAGES', 14],
    ['CONFIG_PAGE_SIZE_16KB', 14], ['CONFIG_PAGE_SIZE_64KB', 16],
  ];
  const hit = byChoice.find(([k, sh]) => y(k) && arch.pageShifts.includes(sh));
  return hit ? hit[1] : arch.pageShift;
}

/** The arch profile with the page size the .config selects. */
export function archForConfig(arch: ArchProfile, cfg: KConfig): ArchProfile {
  const shift = pageShiftOf(cfg, arch);
  return shift === arch.pageShift ? arch : { ...arch, pageShift: shift };
}

/** The arch profile a .config was made for, from the symbols only that arch sets. */
export function archOfConfig(cfg: KConfig): ArchName | undefined {
  const y = (k: string) => cfg.values.get(k) === 'y';
  if (y('CONFIG_X86_64')) return 'x86_64';
  if (y('CONFIG_X86_32') || y('CONFIG_X86')) return 'i386';
  if (y('CONFIG_ARM64')) return 'arm64';
  if (y('CONFIG_PPC64')) return 'ppc64';
  if (y('CONFIG_RISCV') && y('CONFIG_64BIT')) return 'riscv64';
  if (y('CONFIG_S390')) return 's390x';
  if (y('CONFIG_MIPS')) return 'mips';
  if (y('CONFIG_ARM')) return 'arm';
  return undefined;
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
