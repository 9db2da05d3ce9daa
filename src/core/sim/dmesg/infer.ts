// Which arch, kernel era, page size, CPUs and groups make the first-chunk model print exactly the lines a
// boot log has. Every candidate is run through buildFirstChunk (the one model); nothing here recomputes a
// number of mm/percpu.c. s and r are read from the log (they are inputs: the linked static size and what
// the arch passed); d, u, the page count, the allocation and the unit map must come out of the model.

import { ARCHES, ArchName, ArchProfile } from '../../config/arch';
import { BACKPORT_POINTS, ERA_POINTS, EraConfig, atLeast, cmp, eraAtomSize, eraConstants, eraReserved, parseKernel } from '../era';
import { buildFirstChunk, FirstChunk } from '../firstChunk';
import type { Boot, MainLine } from './parse';

export interface Observed {
  pages?: number; s: number; r?: number; d?: number; u?: number;
  allocSize?: number; atom?: number;
  /** CPUs of each group of the pcpu-alloc dump, in the order printed */
  groups?: number[][];
  emptyUnits: number;
  unitsPerAlloc?: number;
  possibleCpus?: { n: number; why: string };
  nrCpuIds?: number; nrCpus?: number; nrNodeIds?: number; cpumaskOffstack?: boolean;
  bits?: 32 | 64;
  pageSize?: number;
  helper?: 'embed' | 'page';
  baseAddress?: bigint;
}

export interface LineCheck { observed: string; model?: string; match: boolean; line: number }

export interface Candidate {
  arch: ArchProfile;
  kernel: string;
  /** the kernel came from the log's "Linux version" line */
  kernelFromLog: boolean;
  pageSize: number;
  atom?: number;
  config: EraConfig;
  configLabel: string;
  /** CPU count used when the log does not give one (numbers that do not depend on it) */
  cpus: number;
  cpusKnown: boolean;
  fc: FirstChunk;
  numbers: boolean;
  format: boolean;
  checks: LineCheck[];
  /** the dynamic size had to be taken from the log (no era reserve explains d) */
  dynFromLog: boolean;
  /** lower is better: wording, default reserve, no dynamic size from the log, defconfig, usual atom */
  quality?: number;
}

const ORDER: ArchName[] = ['x86_64', 'arm64', 'arm', 'i386', 'ppc64', 'riscv64', 's390x', 'mips', 'mips64', 'loongarch64',
  'sparc64', 'ia64', 'riscv32', 'ppc32', 'sparc32', 'alpha', 'parisc', 'parisc64', 'sh', 'arc', 'csky', 'openrisc',
  'xtensa', 'hexagon', 'm68k', 'microblaze', 'nios2', 'um'];

const CONFIGS: Array<{ label: string; config: EraConfig; from?: string; until?: string }> = [
  { label: 'defconfig', config: {} },
  { label: 'CONFIG_RANDOM_KMALLOC_CACHES=y', config: { randomKmallocCaches: true }, from: '6.6' },
  { label: 'CONFIG_RANDOM_KMALLOC_CACHES=y CONFIG_LOCKDEP=y', config: { randomKmallocCaches: true, lockdep: true }, from: '6.13' },
  { label: 'CONFIG_MEM_ALLOC_PROFILING=y', config: { memAllocProfiling: true }, from: '6.10', until: '6.14' },
];

/** CPU counts tried when the log gives none and u depends on it (an atom larger than a page) */
export const CPU_TRIALS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 96, 128, 192, 256, 512, 1024];

export function observe(b: Boot): Observed {
  const m = b.main, h = b.dump.header;
  const s = m?.s ?? h?.s ?? 0;
  const o: Observed = { s, emptyUnits: 0 };
  o.r = m?.r ?? h?.r;
  o.d = m?.d ?? h?.d;
  o.u = m?.u ?? h?.u;
  if (m?.pages !== undefined) o.pages = m.pages;
  if (h) { o.allocSize = h.allocUnits * h.atom; o.atom = h.atom; }
  if (b.dump.allocs.length) {
    const byGroup = new Map<number, number[]>();
    for (const a of b.dump.allocs) {
      const g = byGroup.get(a.group) ?? [];
      for (const u of a.units) { if (u === null) o.emptyUnits++; else g.push(u); }
      byGroup.set(a.group, g);
      o.unitsPerAlloc = a.units.length;
    }
    o.groups = [...byGroup.values()].filter((g) => g.length);
    const n = o.groups.reduce((x, g) => x + g.length, 0);
    o.possibleCpus = { n, why: 'the pcpu-alloc dump' };
  }
  if (b.x86) {
    o.nrCpus = b.x86.nrCpus; o.nrCpuIds = b.x86.nrCpuIds; o.nrNodeIds = b.x86.nrNodeIds;
    o.cpumaskOffstack = b.x86.cpumaskBits !== b.x86.nrCpus;
  }
  o.possibleCpus ??= b.hints.possibleCpus
    ?? (b.x86 ? { n: b.x86.nrCpuIds, why: 'nr_cpu_ids of the setup_percpu line' } : undefined)
    ?? (b.hints.nrCpuIds ? { n: b.hints.nrCpuIds.n, why: b.hints.nrCpuIds.why } : undefined);
  o.nrCpus ??= b.hints.nrCpus?.n;
  if (m) {
    o.bits = bitsOf(m);
    if (m.address === 'hex' && m.addressText) o.baseAddress = BigInt('0x' + m.addressText);
    o.helper = m.kind === 'page' || m.kind === 'page-2.6.30' ? 'page' : 'embed';
    if (m.kind === 'page' && m.pageKb) o.pageSize = m.pageKb * 1024;
    else if (m.kind === 'embed' && m.pages && o.r !== undefined && o.d !== undefined) {
      const p = (s + o.r + o.d) / m.pages;
      if (Number.isInteger(p) && p >= 4096 && (p & (p - 1)) === 0) o.pageSize = p;
    }
  }
  return o;
}

function bitsOf(m: MainLine): 32 | 64 | undefined {
  if (m.address === 'hex' && m.addressText) return m.addressText.length > 8 ? 64 : 32;
  if (m.address === 'ptrval-padded' && m.addressText) return m.addressText.length >= 16 ? 64 : 32;
  if (m.address === 'ptrval' && m.addressText) return m.addressText.includes('____') ? 64 : 32;
  return undefined;
}

/** Arch families the log's other lines point to ('x86' → both x86 profiles; any hint also admits its
 *  sibling of the other word size: the numbers decide). */
function hintedArches(b: Boot): Set<ArchName> {
  const out = new Set<ArchName>();
  const add = (src: string) => { for (const a of Object.values(ARCHES)) if (a.srcArch === src) out.add(a.name); };
  if (b.x86) add('x86');
  for (const h of b.hints.arches) {
    if (h.arch === 'x86') add('x86');
    else if (h.arch === 'riscv') add('riscv');
    else if (h.arch in ARCHES) add(ARCHES[h.arch as ArchName].srcArch);
  }
  return out;
}

/** The era points an arch lived through (its first kernel included), then the stable backport points. */
export function eraVersions(a: ArchProfile): string[] {
  const [from, until] = a.kernels;
  const live = (v: string) => atLeast(parseKernel(v), from) && (!until || !atLeast(parseKernel(v), until));
  // an arch that appeared mid-era is also tried at its first version
  const points = [...new Set([from, ...ERA_POINTS])].filter(live).sort((x, y) => cmp(parseKernel(x), y));
  return [...points, ...BACKPORT_POINTS.filter(live)];
}

function atomChoices(a: ArchProfile, kernel: string, page: number, o: Observed): Array<number | undefined> {
  if (o.atom !== undefined) return [o.atom];
  const def = eraAtomSize(a, parseKernel(kernel), page);
  const out = new Set<number>([def]);
  if (def !== page) out.add(page);            // the generic (non-NUMA) setup or a fallback
  if (a.name === 'ppc64') out.add(1 << 20);   // Book3E, or hash MMU with a 64K linear map
  return [...out];
}

function compare(b: Boot, fc: FirstChunk): { checks: LineCheck[]; numbers: boolean; format: boolean } {
  const model = fc.bootLines;
  const kindOf = (t: string) => (t.startsWith('pcpu-alloc:') ? 'dump' : /NR_CPUS:/.test(t) ? 'x86' : 'main');
  const byKind = { x86: model.filter((l) => kindOf(l) === 'x86'), main: model.filter((l) => kindOf(l) === 'main'), dump: model.filter((l) => kindOf(l) === 'dump') };
  const used = { x86: 0, main: 0, dump: 0 };
  const checks: LineCheck[] = [];
  let numbers = true, format = true;
  const nums = (t: string) => (t.match(/\d+/g) ?? []).join(' ');
  for (const l of b.lines) {
    const k = kindOf(l.text) as 'x86' | 'main' | 'dump';
    const m = byKind[k][used[k]++];
    // a pasted line may have lost the "percpu: " prefix; the numbers and the rest must still agree
    const match = m !== undefined && (m === l.text || (k === 'main' && m.endsWith(l.text)));
    checks.push({ observed: l.text, model: m, match, line: l.no });
    if (!match) {
      format = false;
      // the same numbers in another format (prefix, address form) is a format difference only
      const strip = (t: string) => nums(t.replace(/@\s*\S+/, '').replace(/^.*?(Embedded|\d+ \d+K pages)/, '$1'));
      if (m === undefined || strip(m) !== strip(l.text)) numbers = false;
    }
  }
  return { checks, numbers, format };
}

/** Every candidate that reproduces the numbers of the boot, best first. */
/** What the user knows and the log may not say: the arch (restricts the search) and the kernel version
 *  (used when the log has no "Linux version" line). */
export interface InferOptions { arch?: ArchProfile; kernel?: string }

export function inferBoot(b: Boot, opts: InferOptions = {}): { observed: Observed; candidates: Candidate[]; tried: number; unsupported?: string } {
  const o = observe(b);
  if (b.main?.kind === 'lpage') return { observed: o, candidates: [], tried: 0, unsupported: '2.6.31 x86 large-page first chunk (pcpu_lpage_first_chunk) is not modelled' };
  const hinted = hintedArches(b);
  let kernelFromLog: string | undefined;
  for (const v of [b.hints.version, opts.kernel]) {
    if (kernelFromLog || !v) continue;
    try { parseKernel(v); kernelFromLog = v; } catch { /* older than modelled, or odd: infer the era */ }
  }
  const pool = ORDER.map((n) => ARCHES[n]).filter((a) => a.smp
    && (!opts.arch || a === opts.arch)
    && (o.bits === undefined || a.bits === o.bits)
    && (o.pageSize === undefined || a.pageShifts.includes(Math.log2(o.pageSize)))
    && (!b.x86 || a.x86Line)
    && !b.hints.notSrcArch.includes(a.srcArch));
  const found: Candidate[] = [];
  let tried = 0;
  const run = (archs: ArchProfile[]) => {
    for (const a of archs) {
      const pages = o.pageSize ? [o.pageSize] : [1 << a.pageShift, ...a.pageShifts.map((p) => 1 << p).filter((p) => p !== 1 << a.pageShift)];
      if (a.fixedUnit && b.main) continue;            // ia64 prints no Embedded line
      if (!a.fixedUnit && !b.main && !b.dump.header) continue;
      const versions = kernelFromLog ? [kernelFromLog] : eraVersions(a);
      for (const kernel of versions) {
        const k = parseKernel(kernel);
        for (const page of pages) {
          for (const cv of CONFIGS) {
            if ((cv.from && !atLeast(k, cv.from)) || (cv.until && atLeast(k, cv.until))) continue;
            for (const atom of atomChoices(a, kernel, page, o)) {
              const cpuCounts = o.groups || o.possibleCpus ? [o.possibleCpus?.n ?? 1]
                : atom !== undefined && atom > page && o.helper !== 'page' ? CPU_TRIALS : [1];
              for (const cpus of cpuCounts) {
                tried++;
                const c = tryOne(b, o, a, kernel, page, atom, cv, cpus, false);
                if (c) { c.kernelFromLog = !!kernelFromLog; found.push(c); }
              }
            }
          }
        }
      }
    }
  };
  const first = hinted.size ? pool.filter((a) => hinted.has(a.name)) : pool;
  run(first);
  if (!found.length && hinted.size) run(pool.filter((a) => !hinted.has(a.name)));
  if (!found.length) {
    // last resort: the dynamic size from the log (a patched reserve or an unknown option)
    for (const a of (hinted.size ? first : pool)) {
      const page = o.pageSize ?? 1 << a.pageShift;
      const versions = kernelFromLog ? [kernelFromLog] : eraVersions(a);
      for (const kernel of versions) {
        for (const atom of atomChoices(a, kernel, page, o)) {
          tried++;
          const c = tryOne(b, o, a, kernel, page, atom, CONFIGS[0], o.possibleCpus?.n ?? 1, true);
          if (c) { c.kernelFromLog = !!kernelFromLog; found.push(c); }
        }
      }
    }
  }
  const reservedOk = (c: Candidate) => c.fc.reserved === eraReserved(c.arch, eraConstants(c.kernel, c.arch.bits, c.config, c.pageSize));
  const rank = (c: Candidate) => (c.format ? 0 : 100) + (reservedOk(c) ? 0 : 10) + (c.dynFromLog ? 50 : 0)
    + (c.configLabel === 'defconfig' ? 0 : 5) + (c.atom === undefined || c.atom === eraAtomSize(c.arch, parseKernel(c.kernel), c.pageSize) ? 0 : 2)
    + ORDER.indexOf(c.arch.name) / 100;
  for (const c of found) c.quality = Math.floor(rank(c));
  found.sort((x, y) => rank(x) - rank(y));
  return { observed: o, candidates: found, tried };
}

function tryOne(b: Boot, o: Observed, a: ArchProfile, kernel: string, page: number, atom: number | undefined,
  cv: { label: string; config: EraConfig }, cpus: number, dynFromLog: boolean): Candidate | undefined {
  let fc: FirstChunk;
  try {
    const c = eraConstants(kernel, a.bits, cv.config, page);
    const reserved = o.r ?? eraReserved(a, c);
    fc = buildFirstChunk({
      arch: a, kernel, static: o.s, reserved, pageSize: page, config: cv.config,
      ...(atom !== undefined && o.helper !== 'page' && !a.fixedUnit ? { atomSize: atom } : {}),
      ...(o.groups ? { groups: o.groups } : { cpus }),
      ...(o.helper === 'page' ? { helper: 'page' as const } : {}),
      ...(dynFromLog && o.d !== undefined ? { dynamic: o.d } : {}),
      nrCpus: o.nrCpus !== undefined && o.nrCpus >= (o.groups ? Math.max(...o.groups.flat()) + 1 : cpus) ? o.nrCpus : undefined,
      nrNodeIds: o.nrNodeIds, cpumaskOffstack: o.cpumaskOffstack, baseAddress: o.baseAddress,
    });
  } catch {
    return undefined;
  }
  // the x86 line's nr_cpu_ids can exceed the CPUs the dump lists (sparse ids): only its numbers are compared
  const r = compare(b, fc);
  if (!r.numbers) return undefined;
  return {
    arch: a, kernel, kernelFromLog: false, pageSize: page, atom, config: cv.config, configLabel: cv.label, cpus,
    cpusKnown: !!(o.groups || o.possibleCpus), fc, numbers: true, format: r.format, checks: r.checks, dynFromLog,
  };
}
