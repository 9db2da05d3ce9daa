// The first chunk: pcpu_build_alloc_info and the embed/page helpers (docs/allocator.md §1.2–1.5).
// Pure arithmetic; the boot lines are formatted in bootLines.ts.

import type { ArchProfile } from '../config/arch';
import { EraConfig, EraConstants, eraAtomSize, eraConstants, eraDynArgument, eraReserved, DEFAULT_KERNEL } from './era';
import { formatBootLines } from './bootLines';

export const LOCAL_DISTANCE = 10;
export const REMOTE_DISTANCE = 20;
export const MAX_CPUS = 8192; // largest NR_CPUS any arch allows (x86 MAXSMP)

export interface FirstChunkInput {
  arch: ArchProfile;
  /** 'X.Y' or 'X.Y.Z'; default current (6.12) */
  kernel?: string;
  static: number;
  /** reserved size r; default: PERCPU_MODULE_RESERVE where the arch has a reserved chunk, else 0 */
  reserved?: number;
  /** dynamic size the arch asks for, before page rounding; default the arch's reserve for the era */
  dynamic?: number;
  /** possible CPUs 0..cpus-1 in one group (ignored when groups is given) */
  cpus?: number;
  /** NUMA nodes: CPU ids per node; the kernel's grouping rule turns them into groups */
  groups?: number[][];
  /** node distance matrix (node i = groups[i]); default LOCAL on the diagonal, REMOTE elsewhere */
  distance?: number[][];
  pageSize?: number;
  atomSize?: number;
  /** NR_CPUS for the x86 setup_percpu line */
  nrCpus?: number;
  helper?: 'embed' | 'page';
  /** .config switches that change the constants */
  config?: EraConfig;
  /** base address printed in the @ forms (a plausible fixed one by default) */
  baseAddress?: bigint;
  /** x86 CONFIG_CPUMASK_OFFSTACK (default: NR_CPUS > 512) */
  cpumaskOffstack?: boolean;
  /** nr_node_ids for the x86 line (default: number of nodes given) */
  nrNodeIds?: number;
}

export interface FirstChunkGroup { cpus: number[]; nrUnits: number; baseOffset: number }

export interface FirstChunk {
  pagesPerCpu: number; static: number; reserved: number; dynamic: number; unitSize: number; allocSize: number;
  atomSize: number; unitsPerAlloc: number; nrUnits: number; groups: FirstChunkGroup[];
  bootLine: string; bootLines: string[];
  // extensions
  arch: string; kernel: string; helper: 'embed' | 'page'; pageSize: number; sizeSum: number;
  nrPossibleCpus: number; nrCpuIds: number;
  /** cpu_map of each group padded to nr_units; -1 = empty unit (NR_CPUS in the kernel) */
  unitMaps: number[][];
  /** max(size_sum, PCPU_MIN_UNIT_SIZE), the largest units per allocation, and the search that chose upa */
  minUnit: number; maxUpa: number; upaTrials: UpaTrial[];
  /** the era's constants used */
  constants: { minUnitSize: number; earlySize: number; dynamicReserve: number; moduleReserve: number; dynArgument: number };
}

const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0 && Number.isInteger(n);
const align = (x: number, a: number): number => Math.ceil(x / a) * a;

function checkInt(name: string, v: number, min: number, max: number): void {
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new Error(`${name} must be an integer between ${min} and ${max}, got ${v}`);
}

/** Group CPUs by proximity the way pcpu_build_alloc_info does in this era. */
export function groupCpus(cpus: number[], nodeOf: Map<number, number>, dist: number[][] | null, how: EraConstants['grouping']): number[][] {
  if (!dist) return [cpus.slice()];
  const groups: number[][] = [];
  if (how === 'cpumask') {
    // lowest remaining CPU opens a group; every remaining CPU local to it (both ways) joins
    const left = cpus.slice();
    while (left.length) {
      const c = left[0];
      const nc = nodeOf.get(c)!;
      const local = dist.map((_, m) => dist[nc][m] === LOCAL_DISTANCE && dist[m][nc] === LOCAL_DISTANCE);
      const g: number[] = [c];
      const rest: number[] = [];
      for (let i = 1; i < left.length; i++) {
        const t = left[i];
        if (local[nodeOf.get(t)!]) g.push(t); else rest.push(t);
      }
      groups.push(g);
      left.splice(0, left.length, ...rest);
    }
    return groups;
  }
  // older loop: each CPU joins the first group with no earlier member farther than LOCAL either way.
  // A group's conflict only depends on the set of nodes already in it.
  const nodesIn: Set<number>[] = [];
  for (const c of cpus) {
    const n = nodeOf.get(c)!;
    let g = 0;
    for (; g < groups.length; g++) {
      let clash = false;
      for (const m of nodesIn[g]) if (dist[n][m] > LOCAL_DISTANCE || dist[m][n] > LOCAL_DISTANCE) { clash = true; break; }
      if (!clash) break;
    }
    if (g === groups.length) { groups.push([]); nodesIn.push(new Set()); }
    groups[g].push(c);
    nodesIn[g].add(n);
  }
  return groups;
}

/** One step of pcpu_build_alloc_info's search for units per allocation (for explanations). */
export interface UpaTrial { upa: number; allocs?: number; wasted?: number; verdict: 'not a divisor' | 'waste over 1/3' | 'more allocations' | 'accepted' }

interface AllocInfo {
  static: number; reserved: number; dyn: number; sizeSum: number; unitSize: number; allocSize: number; atomSize: number;
  upa: number; groups: FirstChunkGroup[]; unitMaps: number[][]; nrUnits: number; minUnit: number; maxUpa: number; trials: UpaTrial[];
}

/** pcpu_build_alloc_info(reserved, dyn, atom, dist) — §1.2. */
function buildAllocInfo(s: number, r: number, dynArg: number, atom: number, page: number, c: EraConstants, groupsCpus: number[][], nPossible: number): AllocInfo {
  // 2.6.32 had no EARLY floor and kept dyn = 0 when asked for 0; later kernels floor at EARLY_SIZE.
  const sizeSum = align(s + r + Math.max(dynArg, c.earlySize), page);
  const dyn = c.earlySize === 0 && dynArg === 0 ? 0 : sizeSum - s - r;
  const minUnit = Math.max(sizeSum, c.minUnitSize);
  const allocSize = align(minUnit, atom);
  let upa = Math.floor(allocSize / minUnit);
  while (allocSize % upa || (allocSize / upa) % page) upa--;
  const maxUpa = upa;
  const cnt = groupsCpus.map((g) => g.length);
  let best = 0;
  let lastAllocs = Infinity;
  const trials: UpaTrial[] = [];
  for (upa = maxUpa; upa; upa--) {
    if (allocSize % upa || (allocSize / upa) % page) { trials.push({ upa, verdict: 'not a divisor' }); continue; }
    let allocs = 0, wasted = 0;
    for (const n of cnt) {
      const a = Math.ceil(n / upa);
      allocs += a;
      wasted += a * upa - n;
    }
    // "don't accept if wastage is over 1/3" — integer division as in the kernel
    if (wasted > Math.floor(nPossible / 3)) { trials.push({ upa, allocs, wasted, verdict: 'waste over 1/3' }); continue; }
    if (allocs > lastAllocs) { trials.push({ upa, allocs, wasted, verdict: 'more allocations' }); break; }
    trials.push({ upa, allocs, wasted, verdict: 'accepted' });
    lastAllocs = allocs;
    best = upa;
  }
  const unitSize = allocSize / best;
  const groups: FirstChunkGroup[] = [];
  const unitMaps: number[][] = [];
  let unit = 0;
  for (const g of groupsCpus) {
    const nrUnits = align(g.length, best);
    groups.push({ cpus: g.slice(), nrUnits, baseOffset: unit * unitSize });
    const map = g.slice();
    while (map.length < nrUnits) map.push(-1);
    unitMaps.push(map);
    unit += nrUnits;
  }
  return { static: s, reserved: r, dyn, sizeSum, unitSize, allocSize, atomSize: atom, upa: best, groups, unitMaps, nrUnits: unit, minUnit, maxUpa, trials };
}

/** The first chunk for an arch, kernel era, static size and CPU topology. Throws on impossible input. */
export function buildFirstChunk(i: FirstChunkInput): FirstChunk {
  const arch = i.arch;
  if (!arch) throw new Error('arch is required');
  const page = i.pageSize ?? 1 << arch.pageShift;
  if (!isPow2(page) || page < 4096 || page > 1 << 18) throw new Error(`page size must be a power of two between 4096 and 262144, got ${page}`);
  const kernel = i.kernel ?? DEFAULT_KERNEL;
  const c = eraConstants(kernel, arch.bits, i.config, page);
  checkInt('static size', i.static, 0, 1 << 30);
  const r = i.reserved ?? eraReserved(arch, c);
  checkInt('reserved size', r, 0, 1 << 30);
  if (r % 4) throw new Error(`reserved size must be a multiple of 4 (pcpu_setup_first_chunk BUG), got ${r}`);
  const dynArg = i.dynamic ?? eraDynArgument(arch, c);
  checkInt('dynamic size', dynArg, 0, 1 << 30);
  const helper = i.helper ?? arch.firstChunk;

  // CPUs and nodes
  let nodes: number[][];
  if (i.groups && i.groups.length) {
    nodes = i.groups.map((g) => g.slice().sort((a, b) => a - b));
  } else {
    const n = i.cpus ?? 1;
    checkInt('cpus', n, 1, MAX_CPUS);
    nodes = [Array.from({ length: n }, (_, k) => k)];
  }
  const nodeOf = new Map<number, number>();
  nodes.forEach((g, ni) => {
    if (!g.length) throw new Error(`group ${ni} has no CPUs`);
    for (const cpu of g) {
      checkInt('CPU id', cpu, 0, MAX_CPUS - 1);
      if (nodeOf.has(cpu)) throw new Error(`CPU ${cpu} is in more than one group`);
      nodeOf.set(cpu, ni);
    }
  });
  const possible = [...nodeOf.keys()].sort((a, b) => a - b);
  const nPossible = possible.length;
  const nrCpuIds = possible[possible.length - 1] + 1;
  if (i.nrCpus !== undefined) {
    checkInt('NR_CPUS', i.nrCpus, 1, MAX_CPUS);
    if (i.nrCpus < nrCpuIds) throw new Error(`NR_CPUS=${i.nrCpus} is smaller than the CPU ids given (nr_cpu_ids=${nrCpuIds})`);
  }
  let dist: number[][] | null = null;
  if (nodes.length > 1 || i.distance) {
    dist = i.distance ?? nodes.map((_, a) => nodes.map((__, b) => (a === b ? LOCAL_DISTANCE : REMOTE_DISTANCE)));
    if (dist.length !== nodes.length || dist.some((row) => row.length !== nodes.length)) {
      throw new Error(`distance matrix must be ${nodes.length}x${nodes.length}`);
    }
  }

  let atom: number;
  let ai: AllocInfo;
  if (arch.fixedUnit && i.helper === undefined) {
    // ia64: its own alloc info — one PERCPU_PAGE_SIZE unit per CPU, groups by node, d = unit - s - r
    const unit = arch.fixedUnit;
    const dyn = unit - i.static - r;
    if (dyn < 0) throw new Error(`percpu area overflow static=${i.static} reserved=${r} (unit ${unit})`);
    atom = page;
    const groupsCpus = dist ? nodes : [possible];
    let u = 0;
    const groups = groupsCpus.map((g) => { const x = { cpus: g.slice(), nrUnits: g.length, baseOffset: u * unit }; u += g.length; return x; });
    ai = { static: i.static, reserved: r, dyn, sizeSum: unit, unitSize: unit, allocSize: unit, atomSize: page, upa: 1, groups,
      unitMaps: groupsCpus.map((g) => g.slice()), nrUnits: u, minUnit: unit, maxUpa: 1, trials: [] };
  } else if (helper === 'page') {
    // pcpu_page_first_chunk: build_alloc_info(reserved, 0, PAGE_SIZE, NULL) — one group, one unit per CPU
    atom = page;
    ai = buildAllocInfo(i.static, r, c.earlySize ? 0 : -1 /* 2.6.3x passed -1: dyn = the page rounding */, page, page, c, [possible], nPossible);
  } else {
    atom = i.atomSize ?? eraAtomSize(arch, c.kernel, page);
    if (!isPow2(atom) || atom < page || atom > 1 << 30) throw new Error(`atom size must be a power of two ≥ the page size (${page}), got ${atom}`);
    const groupsCpus = groupCpus(possible, nodeOf, dist, c.grouping);
    ai = buildAllocInfo(i.static, r, dynArg, atom, page, c, groupsCpus, nPossible);
  }
  if (c.boot.family !== 'modern' && helper === 'embed' && !arch.fixedUnit) {
    // 2.6.30/31: no groups, one unit of max(size_sum, MIN_UNIT) per possible CPU
    const unitSize = Math.max(ai.sizeSum, c.minUnitSize);
    ai = { ...ai, unitSize, allocSize: unitSize, atomSize: page, upa: 1, trials: [],
      groups: [{ cpus: possible.slice(), nrUnits: nPossible, baseOffset: 0 }], unitMaps: [possible.slice()], nrUnits: nPossible };
  }
  const pagesPerCpu = helper === 'page' ? ai.unitSize / page : Math.floor(ai.sizeSum / page);
  const fc: FirstChunk = {
    pagesPerCpu, static: ai.static, reserved: ai.reserved, dynamic: ai.dyn, unitSize: ai.unitSize, allocSize: ai.allocSize,
    atomSize: ai.atomSize, unitsPerAlloc: ai.upa, nrUnits: ai.nrUnits, groups: ai.groups, bootLine: '', bootLines: [],
    arch: arch.name, kernel, helper, pageSize: page, sizeSum: ai.sizeSum, nrPossibleCpus: nPossible, nrCpuIds,
    unitMaps: ai.unitMaps, minUnit: ai.minUnit, maxUpa: ai.maxUpa, upaTrials: ai.trials,
    constants: { minUnitSize: c.minUnitSize, earlySize: c.earlySize, dynamicReserve: c.dynamicReserve, moduleReserve: c.moduleReserve, dynArgument: dynArg },
  };
  const lines = formatBootLines(fc, c, {
    arch, baseAddress: i.baseAddress, nrCpus: i.nrCpus, cpumaskOffstack: i.cpumaskOffstack,
    nrNodeIds: i.nrNodeIds ?? nodes.length,
  });
  fc.bootLines = lines.lines;
  fc.bootLine = lines.main;
  return fc;
}
