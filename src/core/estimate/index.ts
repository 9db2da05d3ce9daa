// The main job: scan + Kbuild + layout + linker placement + allocator model → one EstimateResult.
// Each step states what it could not do (unresolved, not built, errors) instead of guessing.
import * as fs from 'fs';
import * as path from 'path';
import type { ArchProfile } from '../config/arch';
import { cacheLineOf, isSet, pageSizeOf, type KConfig } from '../config/kconfig';
import { evalCondition } from '../config/cppExpr';
import { readKbuild, BuiltObject, SRCARCH } from '../config/kbuild';
import { scanTree } from '../parse';
import type { Finding, ScanResult } from '../parse/types';
import { LayoutEngine, initLayout } from '../layout';
import { buildFirstChunk, PercpuAllocator } from '../sim';
import { layoutStaticArea, layoutModuleSection, StaticVar } from './staticArea';
import { readMacroCall } from './macroCall';
import { EmitOrder, lineIsActive } from './emitOrder';
import { DeadStatics } from './deadStatics';
import { wrappedFindings, WrappedFinding } from './wrapped';
import { FactStore } from './fileFacts';
import { PhaseClock } from './phases';
import { callsiteKey, Counts, countsFromTrace, TraceEvent } from './counts';
import { resolveNrCpus } from './nrCpus';
import { treeDiagnostics } from './diagnostics';
import { allocSize, nrCpusDims, staticSize, type StaticSizeContext } from './findingSize';
import { yielder } from './yielder';
import { recentTexts } from './recentTexts';
import { DEFAULT_RULE_PROFILE, profileFor } from '../rules/profile';
import type { ModuleSection } from '../rules/types';
import type { Callsite, EstimateResult, ModuleUsage, NotBuilt, NrCpusArray, StaticVariable, Unresolved } from './types';

export * from './types';

export interface EstimateOptions {
  root: string;
  arch: ArchProfile;
  config: KConfig;
  kernel?: string;
  /** NR_CPUS (CONFIG_NR_CPUS unless overridden) */
  nrCpus?: number;
  /** possible CPUs (nr_cpu_ids); default min(NR_CPUS, 8) */
  cpus?: number;
  counts?: Counts;
  trace?: TraceEvent[];
  /** instance count for NR_CPUS arrays inside structs (e.g. 2000 modules) */
  instances?: number;
  include?: string[];
  /** globs relative to root; default DEFAULT_EXCLUDE */
  exclude?: string[];
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, message: string) => void;
  /**
   * Called between phases and in long loops: a chance to collect garbage. V8 lets a heap with ~70 MB
   * live grow to ~300 MB of garbage while headers are read; the CLI collects (cli/heap.ts), the
   * extension host leaves it to V8.
   */
  compact?: () => void;
  /** a scan already done (the extension keeps one); skips scanning */
  scan?: ScanResult;
  /** folder caching scan results by file content (parse/cache.ts); no cache when absent */
  cacheDir?: string;
  /** run the rules (default true) */
  rules?: boolean;
  /**
   * 'built' (default): the rules read the files this config builds and the headers they may include,
   * priced with this arch's sizes; 'all': every scanned file (other arches' code sized as this arch)
   */
  rulesOn?: 'built' | 'all';
  /** PCPU005: share of the dynamic reserve above which an allocation is large */
  largeFraction?: number;
}

export const DEFAULT_KERNEL = '6.12';
/** Never part of a kernel image: user-space tools and BPF selftests, docs, build scripts. */
export const DEFAULT_EXCLUDE: readonly string[] = ['tools/**', 'Documentation/**', 'scripts/**'];
/** Upper bound on simulated allocations, so a huge counts file cannot hang the run. */
const MAX_SIM_ALLOCS = 2_000_000;

const align4 = (n: number) => Math.ceil(n / 4) * 4;
const cfgVal = (c: KConfig, k: string) => c.values.get(k);

/** What the estimate needs besides the scan: the Kbuild reading, the layout engine, the wrapper findings. */
async function prepare(o: EstimateOptions, pause: () => Promise<void>, clock: PhaseClock) {
  const cfg = o.config;
  const cond = (e: string): boolean => {
    const r = evalCondition(e, cfg);
    return typeof r === 'boolean' ? r : true;
  };
  const facts = new FactStore(o.root, o.cacheDir);
  const kb = readKbuild(o.root, (s) => cfgVal(cfg, s), { arch: o.arch.name, evalCond: cond, localDirectives: (f) => facts.get(f)?.local });
  clock.mark('kbuild');
  o.compact?.();
  await pause();
  await initLayout();
  const layout = new LayoutEngine({ arch: o.arch, config: cfg, root: o.root });
  for (const d of kb.includeDirs) layout.index.addIncludeDir(path.join(o.root, d));
  const wrapped = kb.objects.length > 0 ? await wrappedFindings(o.root, kb.objects.map((x) => x.file), layout, facts, pause, o.cacheDir, (f) => kb.byFile.get(f)?.status === 'module') : { findings: [], unresolved: [] };
  facts.save();
  clock.mark('wrappers');
  return { kb, layout, wrapped };
}

export async function estimate(o: EstimateOptions): Promise<EstimateResult> {
  const t0 = Date.now();
  const clock = new PhaseClock();
  const kernel = o.kernel ?? DEFAULT_KERNEL;
  const cfg = o.config;
  const warnings = [...cfg.warnings];
  const nrCpus = resolveNrCpus(o.nrCpus, cfg, warnings);
  const possible = o.cpus ?? Math.min(nrCpus, 8);
  if (o.cpus === undefined) warnings.push(`possible CPUs not given: assuming ${possible} (use --cpus)`);
  if (possible > nrCpus) warnings.push(`possible CPUs (${possible}) exceed NR_CPUS (${nrCpus}); the kernel would cap nr_cpu_ids at NR_CPUS`);
  const smp = isSet(cfg, 'CONFIG_SMP');
  const modulesOn = isSet(cfg, 'CONFIG_MODULES');
  const pageSize = pageSizeOf(cfg, o.arch);
  const cacheLine = cacheLineOf(cfg, o.arch);
  const instances = o.instances ?? DEFAULT_RULE_PROFILE.instances;

  o.onProgress?.(0, 1, 'scanning');
  let listed = () => {};
  const filesListed = new Promise<void>((r) => { listed = r; });
  const scanning = o.scan ? Promise.resolve(o.scan) : scanTree(o.root, {
    include: o.include, exclude: o.exclude ?? [...DEFAULT_EXCLUDE], cacheDir: o.cacheDir, signal: o.signal,
    onProgress: (d, t) => o.onProgress?.(d, t, 'scanning'), onListed: () => listed(),
  });
  scanning.catch(() => undefined); // handled below; not an unhandled rejection meanwhile
  // the listing walk needs this thread; the workers start after it
  await Promise.race([filesListed, scanning.then(() => undefined, () => undefined)]);
  clock.mark('listing');
  const pause = yielder(o.signal, undefined, o.compact);
  // Kbuild, the type index and the wrapper expansion need nothing from the scan: this thread does
  // them while the scan's workers run (they keep batches queued, see scanTree)
  let early: Awaited<ReturnType<typeof prepare>>;
  try {
    early = await prepare(o, pause, clock);
  } catch (e) {
    // the scan's own failure (no such folder, cancelled) explains more than what followed from it
    throw (await scanning.then(() => undefined, (x: unknown) => x)) ?? e;
  }
  const { kb, layout, wrapped } = early;
  const scan = await scanning;
  clock.mark('scan');
  o.compact?.();
  if (o.signal?.aborted) throw new Error('cancelled');
  warnings.push(...kb.warnings.slice(0, 20));
  const hasKbuild = kb.objects.length > 0;
  const abs = (f: string) => path.join(o.root, f);
  const textOf = recentTexts(o.root);
  const evalNum = (e: string, from?: string): number | undefined => {
    const r = layout.evalInt(e, from === undefined ? undefined : abs(from));
    return typeof r === 'number' ? r : undefined;
  };

  const unresolved: Unresolved[] = [];
  const notBuilt: NotBuilt[] = [];
  const condErrors: string[] = [];
  /** Whether a finding's code is compiled, and into what. */
  const placement = (f: Finding): { obj?: BuiltObject; reason?: string } => {
    if (f.cond) {
      const r = evalCondition(f.cond, cfg);
      if (r === false) return { reason: `#if ${f.cond} is false under ${cfg.source}` };
      if (typeof r !== 'boolean') condErrors.push(`${f.file}:${f.line}: ${r.error}`);
    }
    if (!hasKbuild) return { obj: { file: f.file, status: 'builtin', order: 0, via: 'no Kbuild files: every file counted as built-in' } };
    const obj = kb.byFile.get(f.file);
    if (!obj) return { reason: f.file.endsWith('.h') ? 'defined in a header: placement depends on the files that include it' : 'file not built under this config (Kbuild)' };
    if (f.cond && f.kind === 'static' && !lineIsActive(layout, abs(f.file), f.line)) return { reason: `#if ${f.cond} is false with the macros ${f.file} sees (e.g. __ARCH_IRQ_STAT from asm/hardirq.h)` };
    return { obj };
  };

  // Static definitions: vmlinux → static area; modules → their own section, loaded into the reserved chunk.
  const builtinVars: StaticVar[] = [];
  const moduleVars = new Map<string, { vars: StaticVar[]; files: Set<string>; order: number }>();
  let declares = 0;
  o.onProgress?.(0, 1, 'sizing');
  const sizeCtx = (file: string): StaticSizeContext => ({
    layout, arch: o.arch, smp, cacheLine, pageSize, isSet: (sym) => isSet(cfg, sym), evalNum: (e) => evalNum(e, file),
  });
  const emit = new EmitOrder(o.root, scan.findings, layout, o.arch.sectionAnchors === true);
  const deadStatic = new DeadStatics(o.root, scan.findings, kb, layout, textOf, (s) => isSet(cfg, s));
  for (const f of [...scan.findings, ...wrapped.findings, ...wrapped.unresolved]) {
    await pause();
    if (f.kind === 'declare') declares++;
    if (f.kind !== 'static') continue;
    if (f.unresolved) {
      unresolved.push({ file: f.file, line: f.line, name: f.name, kind: f.macro, reason: f.unresolved });
      continue;
    }
    const pl = placement(f);
    if (!pl.obj) {
      (pl.reason!.startsWith('defined in a header') ? unresolved : notBuilt).push({ file: f.file, line: f.line, name: f.name, kind: f.macro, reason: pl.reason! });
      continue;
    }
    if (deadStatic.isDead(f)) {
      notBuilt.push({ file: f.file, line: f.line, name: f.name, kind: f.macro, reason: 'static and only used in code gcc removes (if (IS_ENABLED(CONFIG_...)) folded under this config): gcc drops it' });
      continue;
    }
    const call = 'call' in f ? (f as WrappedFinding).call : readMacroCall(textOf(f.file), f.line, f.column);
    const isModule = pl.obj.status === 'module';
    const ss = staticSize(f, abs(f.file), call, isModule, sizeCtx(f.file));
    if ('error' in ss) {
      unresolved.push({ file: f.file, line: f.line, name: f.name, kind: f.macro, reason: ss.error });
      continue;
    }
    if (ss.unknownMacro) warnings.push(`${f.file}:${f.line}: ${f.macro} is not in the placement table; placed in .data..percpu`);
    const { type: ty, section, align } = ss;
    const sz = ss;
    const v: StaticVar = { name: f.name, file: f.file, line: f.line, size: sz.size, align, section, objectOrder: pl.obj.order, position: emit.position(pl.obj.includedFrom ?? f.file, f.name, pl.obj.includeLine !== undefined ? pl.obj.includeLine + f.line / 1e7 : f.line), type: ty, macro: f.macro };
    if (isModule) {
      const name = pl.obj.module ?? path.basename(f.file, '.c');
      const m = moduleVars.get(name) ?? { vars: [], files: new Set<string>(), order: pl.obj.order };
      m.vars.push(v);
      m.files.add(f.file);
      moduleVars.set(name, m);
    } else builtinVars.push(v);
  }
  if (condErrors.length) warnings.push(`${condErrors.length} #if condition(s) could not be evaluated and were taken as true (first: ${condErrors[0]})`);

  const sl = layoutStaticArea(builtinVars, { pageSize, cacheLine, kernel, isSet: (s) => isSet(cfg, s) });
  if (sl.unplacedSections.length) warnings.push(`sections not in the ${kernel} linker script, placed in .data..percpu: ${sl.unplacedSections.join(', ')}`);
  const toVar = (p: StaticVar & { offset: number }): StaticVariable =>
    ({ name: p.name, file: p.file, line: p.line, type: p.type ?? '', macro: p.macro ?? '', size: p.size, align: p.align, section: p.section, offset: p.offset });
  const staticVars = sl.vars.map(toVar);

  // Dynamic call sites.
  const sites: (Callsite & { built: boolean })[] = [];
  for (const f of scan.findings) {
    if (f.kind !== 'alloc') continue;
    await pause();
    if (f.unresolved) {
      unresolved.push({ file: f.file, line: f.line, name: f.name, kind: f.macro, reason: f.unresolved });
      continue;
    }
    const pl = placement(f);
    if (!pl.obj) {
      notBuilt.push({ file: f.file, line: f.line, name: f.name || f.macro, kind: f.macro, reason: pl.reason! });
      continue;
    }
    const sz = allocSize(f, layout, abs(f.file));
    if ('error' in sz) {
      unresolved.push({ file: f.file, line: f.line, name: f.name, kind: f.macro, reason: sz.error });
      continue;
    }
    const { expr, size, align: al } = sz;
    sites.push({ file: f.file, line: f.line, ...(f.func ? { func: f.func } : {}), expr, size, align: al, count: 1, total: 0, countSource: 'default', built: true });
  }
  let unmatchedTrace: EstimateResult['dynamic']['unmatchedTrace'];
  const traceCounts = o.trace ? countsFromTrace(o.trace, sites) : undefined;
  if (traceCounts) unmatchedTrace = traceCounts.unmatched;
  for (const s of sites) {
    const k = callsiteKey(s.file, s.line);
    if (o.counts?.has(k)) {
      s.count = o.counts.get(k)!;
      s.countSource = 'counts';
    } else if (traceCounts) {
      s.count = traceCounts.counts.get(k) ?? 0;
      s.countSource = 'trace';
    }
    s.total = align4(s.size) * s.count;
  }
  const callsites: Callsite[] = sites.map(({ built: _b, ...c }) => c);

  // The allocator model: first chunk from s, then modules into the reserved area, then call sites.
  let firstChunk: EstimateResult['firstChunk'];
  let chunks: unknown;
  let meminfo: number | undefined;
  let nrUnits = possible;
  const modules: ModuleUsage[] = [];
  let reservedBytes = 0;
  try {
    if (!smp) throw new Error('CONFIG_SMP is not set: a UP kernel keeps per-CPU data in .data, there is no first chunk');
    const fc = buildFirstChunk({ arch: o.arch, kernel, static: sl.size, cpus: possible, nrCpus, pageSize, ...(modulesOn ? {} : { reserved: 0 }) });
    firstChunk = fc;
    nrUnits = fc.nrUnits;
    reservedBytes = fc.reserved;
    const alloc = new PercpuAllocator(fc, { arch: o.arch, kernel });
    for (const [name, m] of [...moduleVars].sort((a, b) => a[1].order - b[1].order)) {
      const sec = layoutModuleSection(m.vars);
      const r = alloc.loadModule(name, sec.size, sec.align);
      modules.push({
        name, files: [...m.files], size: sec.size, align: sec.align, loaded: r.ok, messages: r.ok ? [] : r.messages,
        variables: sec.vars.map(toVar),
      });
    }
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
    chunks = alloc.snapshot();
    meminfo = alloc.meminfoPercpuKb();
  } catch (e) {
    firstChunk = { error: (e as Error).message };
    for (const [name, m] of moduleVars) {
      const sec = layoutModuleSection(m.vars);
      modules.push({ name, files: [...m.files], size: sec.size, align: sec.align, loaded: false, messages: [], variables: [] });
    }
  }

  // NR_CPUS-sized arrays: their cost at NR_CPUS vs at the possible CPUs, and as a per-CPU allocation.
  const nrArrays: NrCpusArray[] = [];
  for (const f of scan.findings) {
    if (f.kind !== 'nr_cpus_array') continue;
    await pause();
    if (f.unresolved) {
      unresolved.push({ file: f.file, line: f.line, name: f.name, kind: 'nr_cpus_array', reason: f.unresolved });
      continue;
    }
    if (!f.container) {
      const pl = placement(f);
      if (!pl.obj) {
        notBuilt.push({ file: f.file, line: f.line, name: f.name, kind: 'nr_cpus_array', reason: pl.reason! });
        continue;
      }
    }
    const el = layout.sizeOf(f.type, abs(f.file));
    if ('error' in el) {
      unresolved.push({ file: f.file, line: f.line, name: f.name, kind: 'nr_cpus_array', reason: `sizeof(${f.type}): ${el.error}` });
      continue;
    }
    const dims = f.dims ?? ['NR_CPUS'];
    const atNr = nrCpusDims(dims, nrCpus, (e) => evalNum(e, f.file));
    const atPossible = nrCpusDims(dims, possible, (e) => evalNum(e, f.file));
    if ('error' in atNr || 'error' in atPossible) {
      unresolved.push({ file: f.file, line: f.line, name: f.name, kind: 'nr_cpus_array', reason: 'error' in atNr ? atNr.error : (atPossible as { error: string }).error });
      continue;
    }
    const other = atNr.perCpuElems;
    nrArrays.push({
      file: f.file, line: f.line, name: f.name, ...(f.container ? { container: f.container } : {}),
      elemType: f.type, elemSize: el.size, elemAlign: el.align, dims, perCpuElems: other,
      bytesAtNrCpus: el.size * atNr.elems, bytesAtPossible: el.size * atPossible.elems,
      perCpuRewrite: align4(el.size * other) * nrUnits, instances,
      heuristic: 'an array dimension mentions NR_CPUS',
    });
  }

  clock.mark('sizing');
  // The rules, priced with this configuration's first chunk.
  const tRules = Date.now();
  let diagnostics: EstimateResult['diagnostics'] = [];
  const ruleErrors: { file: string; message: string }[] = [];
  if (o.rules !== false) {
    o.onProgress?.(0, 1, 'rules');
    const fcOk = firstChunk && !('error' in firstChunk) ? firstChunk : undefined;
    const profile = profileFor({
      nrCpus, possibleCpus: possible, cacheLine, pageSize, instances, ptrSize: o.arch.scalars.pointer.size, largeFraction: o.largeFraction, firstChunk: fcOk,
    });
    const sections: ModuleSection[] = modules.map((m) => {
      const big = m.variables.length ? m.variables.reduce((a, b) => (b.size > a.size ? b : a)) : undefined;
      return { name: m.name, size: m.size, files: m.files, file: big?.file ?? m.files[0], line: big?.line ?? 1 };
    });
    const otherArch = new RegExp(`^arch/(?!${SRCARCH[o.arch.name] ?? o.arch.name}/)`);
    const keep = o.rulesOn === 'all' || !hasKbuild ? undefined
      : (f: string) => kb.byFile.has(f) || (f.endsWith('.h') && !otherArch.test(f));
    const td = await treeDiagnostics({
      root: o.root, scan, textOf, profile, modules: sections, signal: o.signal, keep, compact: o.compact,
      sizeOf: (t, from) => layout.sizeOf(t, from === undefined ? undefined : abs(from)),
      onProgress: (d, t) => o.onProgress?.(d, t, 'rules'),
    });
    if (o.signal?.aborted) throw new Error('cancelled');
    diagnostics = td.diagnostics;
    ruleErrors.push(...td.errors);
  }
  const rulesMs = Date.now() - tRules;
  clock.mark('rules');

  const dynBytes = callsites.reduce((a, c) => a + c.total, 0);
  const reservedUsed = modules.filter((m) => m.loaded).reduce((a, m) => a + align4(m.size), 0);
  const perCpu = sl.size + (modulesOn ? reservedUsed : 0) + dynBytes;
  return {
    root: o.root,
    arch: o.arch.name,
    kernel,
    config: { source: cfg.source, nrCpus, possibleCpus: possible, smp, modules: modulesOn, warnings },
    static: { bytes: sl.size, padding: sl.padding, variables: staticVars, sections: sl.sections },
    reserved: { bytes: reservedBytes, used: reservedUsed, modules },
    dynamic: { bytes: dynBytes, callsites, ...(unmatchedTrace ? { unmatchedTrace } : {}) },
    nrCpusArrays: nrArrays,
    firstChunk,
    totals: { perCpuBytes: perCpu, allCpusBytes: perCpu * possible, ...(meminfo !== undefined ? { meminfoPercpuKb: meminfo } : {}), unresolvedItems: unresolved.length },
    chunks,
    notBuilt,
    declares,
    unresolved,
    diagnostics,
    errors: [...scan.errors, ...ruleErrors],
    stats: { filesSeen: scan.stats.filesSeen, filesParsed: scan.stats.filesParsed, ms: Date.now() - t0, rulesMs, scan: scan.stats, phases: clock.ms },
  };
}
