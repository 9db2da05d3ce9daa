// Stage "simulation": the allocator model run on the priced objects. The first chunk is built from
// the static area, modules load into the reserved chunk in link order, then each call site allocates
// as many times as it is counted (mm/percpu.c; docs/allocator.md).
import { buildFirstChunk, PercpuAllocator } from '../sim';
import { replayTrace, type ReplayResult, type TraceOp } from '../sim/trace';
import { allocRound } from '../price';
import type { Profile } from './profile';
import type { ModuleVars } from './pricing';
import { layoutModuleSection, type StaticVar } from './staticArea';
import type { Callsite, EstimateResult, ModuleUsage, StaticVariable } from './types';

/** Upper bound on simulated allocations, so a huge counts file cannot hang the run. */
const MAX_SIM_ALLOCS = 2_000_000;

export interface Simulation {
  firstChunk: EstimateResult['firstChunk'];
  chunks?: unknown;
  meminfo?: number;
  /** the trace replayed on the same first chunk (estimate --trace): meminfo comes from it */
  replay?: ReplayResult;
  /** units of the first chunk (the possible CPUs when there is none) */
  nrUnits: number;
  modules: ModuleUsage[];
  reservedBytes: number;
}

export const toVariable = (p: StaticVar & { offset: number }): StaticVariable =>
  ({ name: p.name, file: p.file, line: p.line, type: p.type ?? '', macro: p.macro ?? '', size: p.size, align: p.align, section: p.section, offset: p.offset });

export function simulate(p: Profile, staticBytes: number, moduleVars: Map<string, ModuleVars>, callsites: Callsite[], warnings: string[], trace?: TraceOp[]): Simulation {
  const modules: ModuleUsage[] = [];
  try {
    if (!p.smp) throw new Error('CONFIG_SMP is not set: a UP kernel keeps per-CPU data in .data, there is no first chunk');
    const fc = buildFirstChunk({ arch: p.arch, kernel: p.kernel, static: staticBytes, cpus: p.possible, nrCpus: p.nrCpus, pageSize: p.pageSize, ...(p.modules ? {} : { reserved: 0 }) });
    const alloc = new PercpuAllocator(fc, { arch: p.arch, kernel: p.kernel });
    for (const [name, m] of [...moduleVars].sort((a, b) => a[1].order - b[1].order)) {
      const sec = layoutModuleSection(m.vars);
      const r = alloc.loadModule(name, sec.size, sec.align);
      modules.push({ name, files: [...m.files], size: sec.size, align: sec.align, loaded: r.ok, messages: r.ok ? [] : r.messages, variables: sec.vars.map(toVariable) });
    }
    runCallsites(alloc, callsites, warnings);
    // a real boot's events, in order, on the same first chunk: the kernel's own sequence (frees, early
    // allocations, module loads included) rather than the call sites' counts
    const replay = trace?.length ? replayTrace(new PercpuAllocator(fc, { arch: p.arch, kernel: p.kernel }), trace) : undefined;
    if (replay?.failures.length) warnings.push(`trace replay: ${replay.failures.length} allocation(s) failed in the model (first: ${replay.failures[0]})`);
    return { firstChunk: fc, chunks: alloc.snapshot(), meminfo: replay?.meminfoPercpuKb ?? alloc.meminfoPercpuKb(), ...(replay ? { replay } : {}), nrUnits: fc.nrUnits, modules, reservedBytes: fc.reserved };
  } catch (e) {
    modules.length = 0;
    for (const [name, m] of moduleVars) {
      const sec = layoutModuleSection(m.vars);
      modules.push({ name, files: [...m.files], size: sec.size, align: sec.align, loaded: false, messages: [], variables: [] });
    }
    return { firstChunk: { error: (e as Error).message }, nrUnits: p.possible, modules, reservedBytes: 0 };
  }
}

function runCallsites(alloc: PercpuAllocator, callsites: Callsite[], warnings: string[]): void {
  let budget = MAX_SIM_ALLOCS;
  for (const c of callsites) {
    const n = Math.min(c.count, budget);
    budget -= n;
    for (let i = 0; i < n; i++) {
      const r = alloc.alloc(c.size, c.align, { tag: { label: c.expr, file: c.file, line: c.line } });
      if (!r.ok) {
        warnings.push(`${c.file}:${c.line}: ${r.message}`);
        break;
      }
    }
    if (n < c.count) {
      warnings.push(`simulation stopped after ${MAX_SIM_ALLOCS} allocations; totals still count every call`);
      break;
    }
  }
}

/** Bytes per CPU of the modules that loaded, as the reserved chunk holds them. */
export const reservedUsed = (modules: ModuleUsage[]): number => modules.filter((m) => m.loaded).reduce((a, m) => a + allocRound(m.size), 0);
