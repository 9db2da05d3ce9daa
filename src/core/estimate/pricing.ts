// Stage "pricing": each finding the placement keeps gets its bytes through the session's
// priceFinding (the editor's hints use the same function). What cannot be priced goes to the ledger
// with its reason, never a guess.
import * as path from 'path';
import type { Finding } from '../parse/types';
import { priceFinding, type Session } from './session';
import { allocRound } from '../price';
import { callsiteKey, CallsiteRef, Counts, countsFromTrace, TraceEvent } from './counts';
import { callNames, headerFunctionsCalled, headerSitesReached, reachableSites } from './traceAttribution';
import { siteScope, type SiteScope } from './siteScope';
import { callsOf, type Call } from './callers';
import { dependsOnParameters, priceAtCallers } from './callerPricing';
import { wrappedAllocs } from './allocWrappers';
import { readText } from '../readText';
import type { TraceOp } from '../sim/trace';
import type { DeadStatics } from './deadStatics';
import type { EmitOrder } from './emitOrder';
import type { MacroCall } from './macroCall';
import { readMacroCall } from './macroCall';
import type { Placement } from './placement';
import type { StaticVar } from './staticArea';
import type { Callsite, EstimateResult, NotBuilt, NrCpusArray, Unresolved } from './types';
import type { WrappedFinding } from './wrapped';

/** What the stages could not count, and why. */
export interface Ledger { unresolved: Unresolved[]; notBuilt: NotBuilt[]; warnings: string[] }

const entry = (f: Finding, reason: string, kind = f.macro) => ({ file: f.file, line: f.line, name: f.name, kind, reason });

export interface ModuleVars { vars: StaticVar[]; files: Set<string>; order: number }
export interface PricedStatics { builtin: StaticVar[]; modules: Map<string, ModuleVars>; declares: number }

export interface StaticInputs {
  findings: Finding[];
  placement: Placement;
  dead: DeadStatics;
  emit: EmitOrder;
  textOf: (file: string) => string;
}

/** DEFINE_PER_CPU* definitions: vmlinux ones for the static area, module ones per module. */
export async function priceStatics(s: Session, i: StaticInputs, ledger: Ledger, pause: () => Promise<void>): Promise<PricedStatics> {
  const out: PricedStatics = { builtin: [], modules: new Map(), declares: 0 };
  for (const f of i.findings) {
    await pause();
    if (f.kind === 'declare') out.declares++;
    if (f.kind !== 'static') continue;
    if (f.unresolved) { ledger.unresolved.push(entry(f, f.unresolved)); continue; }
    const pl = i.placement(f);
    if (!pl.obj) {
      (pl.reason.startsWith('defined in a header') ? ledger.unresolved : ledger.notBuilt).push(entry(f, pl.reason));
      continue;
    }
    if (i.dead.isDead(f)) {
      ledger.notBuilt.push(entry(f, 'static and only used in code gcc removes (if (IS_ENABLED(CONFIG_...)) folded under this config): gcc drops it'));
      continue;
    }
    const call: MacroCall | undefined = 'call' in f ? (f as WrappedFinding).call : readMacroCall(i.textOf(f.file), f.line, f.column);
    const isModule = pl.obj.status === 'module';
    const p = priceFinding(s, f, { call, isModule });
    if ('error' in p) { ledger.unresolved.push(entry(f, p.error)); continue; }
    if (p.kind !== 'static') continue;
    if (p.unknownMacro) ledger.warnings.push(`${f.file}:${f.line}: ${f.macro} is not in the placement table; placed in .data..percpu`);
    const includeLine = pl.obj.includeLine;
    const v: StaticVar = {
      name: f.name, file: f.file, line: f.line, size: p.size, align: p.align, section: p.section, objectOrder: pl.obj.order,
      position: i.emit.position(pl.obj.includedFrom ?? f.file, f.name, includeLine !== undefined ? includeLine + f.line / 1e7 : f.line), type: p.type, macro: f.macro,
      ...(pl.obj.includedFrom !== undefined ? { unit: pl.obj.includedFrom } : {}),
    };
    if (!isModule) { out.builtin.push(v); continue; }
    const name = pl.obj.module ?? path.basename(f.file, '.c');
    const m = out.modules.get(name) ?? { vars: [], files: new Set<string>(), order: pl.obj.order };
    m.vars.push(v);
    m.files.add(f.file);
    out.modules.set(name, m);
  }
  return out;
}

/** A tree file's text (latin1: any byte reads), undefined when unreadable. */
const textOfTree = (s: Session) => (f: string): string | undefined => { try { return readText(s.abs(f), 'latin1'); } catch { return undefined; } };

/** Trace events to call sites: by the traced function's own sites, then through the functions it inlined. */
async function attributeTrace(s: Session, events: TraceEvent[], sites: Callsite[], runTime: CallsiteRef[], built: readonly string[], mentions: Mentions): Promise<ReturnType<typeof countsFromTrace>> {
  const direct = countsFromTrace(events, sites);
  const inlined = new Map<string, CallsiteRef[]>();
  const textOf = textOfTree(s);
  const funcs = [...new Set(direct.unmatched.map((u) => u.func))];
  const headerSites = sites.filter((x) => x.file.endsWith('.h'));
  const names = [...new Set(headerSites.flatMap((x) => (x.func ? callNames(x.func) : [])))];
  const viaHeaders = await headerSitesReached(funcs, headerSites, built, (f) => mentions(f, names), textOf);
  for (const func of funcs) {
    // a site whose size only the run knows is the event's when it is its function's only one
    const own = runTime.filter((r) => r.func === func);
    // else the sites of the static functions it inlined, run-time ones too (sve_setup -> sve_efi_setup)
    // a caller's site only when its callee is of the same file: gcc inlines nothing across files (no LTO)
    const local = [...sites.filter((x) => !x.callee || x.callee.file === x.file), ...runTime].filter((x) => !x.file.endsWith('.h'));
    inlined.set(func, own.length === 1 ? own : [...await reachableSites(func, local, textOf), ...viaHeaders.get(func) ?? []]);
  }
  return inlined.size ? countsFromTrace(events, sites, inlined) : direct;
}

/**
 * An alloc call site's price; what the bare expression leaves open is asked again with the variables
 * the site sees. `text`: the file's text when it is not the one on disk (the editor's open document).
 */
export async function priceAlloc(s: Session, f: Finding, text?: string): Promise<{ p: ReturnType<typeof priceFinding>; scope?: SiteScope }> {
  const p = priceFinding(s, f);
  if (!('error' in p)) return { p };
  text ??= textOfTree(s)(f.file);
  if (text === undefined) return { p };
  const scope = await siteScope(text, f.line, f.file, (e) => { const v = s.sizer.evalInt(e, f.file); return typeof v === 'number' ? v : undefined; });
  if (!scope) return { p };
  const q = priceFinding(s, f, { scope });
  // a member taken from the file's stores (memberStores.ts): the price says which
  if (!('error' in q) && q.kind === 'alloc' && scope.notes.size) return { p: { ...q, note: [...(q.note ? [q.note] : []), ...scope.notes].join('; ') }, scope };
  // only the alignment is a boot-time value (cache_line_size()): the bytes are known, placed at the config's cache line
  if ('error' in q && /^align .*known only at run time/.test(q.error) && !dependsOnParameters(q.error, scope)) {
    const r = priceFinding(s, { ...f, alignExpr: String(s.profile.cacheLine) }, { scope });
    if (!('error' in r) && r.kind === 'alloc') return { p: { ...r, expr: `${f.macro}(${f.sizeExpr}, ${f.alignExpr})`, note: `${q.error.replace(/^align /, 'alignment ')}; placed at the config's cache line, ${s.profile.cacheLine} B` }, scope };
  }
  return { p: q, scope };
}

/** Which of `names` a built file's text mentions (FactStore.mentions: kept per file version). */
export type Mentions = (file: string, names: readonly string[]) => ReadonlySet<string>;

/** `reasons` of a site's run-time callers as one reason: the first few, and how many more. */
function callerReasons(error: string, runTime: Array<{ reason: string }>, priced: number): string {
  const head = error.replace(/known only at run time: .*$/, 'known only at run time');
  const list = runTime.slice(0, 3).map((r) => r.reason.replace(/^.*?known only at run time: /, '')).join('; ');
  return `${head} at ${runTime.length} of ${runTime.length + priced} callers: ${list}${runTime.length > 3 ? `; and ${runTime.length - 3} more` : ''}`;
}

/** A site's price and, when its size is a parameter of its function, the function's scope (priced at the callers). */
export interface PricedAlloc { p: ReturnType<typeof priceFinding>; scope?: SiteScope; viaParams?: SiteScope }

/** `priceAlloc` with whether the site is priced at its callers. */
async function pricedAlloc(s: Session, f: Finding): Promise<PricedAlloc> {
  const r = await priceAlloc(s, f);
  return r.scope && 'error' in r.p && dependsOnParameters(r.p.error, r.scope) ? { ...r, viaParams: r.scope } : r;
}

/**
 * The functions whose alloc sites in built .c files are priced at their callers (sorted), each
 * site's price kept for priceAllocSites. `findings` may be a part of the sites (a run re-using
 * earlier results prices only the files it redoes).
 */
export async function parameterSized(s: Session, findings: readonly Finding[], placement: Placement, pause: () => Promise<void>): Promise<{ callees: string[]; priced: Map<Finding, PricedAlloc> }> {
  const priced = new Map<Finding, PricedAlloc>();
  for (const f of findings) {
    if (f.kind !== 'alloc' || f.unresolved || f.file.endsWith('.h')) continue;
    await pause();
    if (placement(f).obj) priced.set(f, await pricedAlloc(s, f));
  }
  const callees = [...new Set([...priced.values()].map((x) => x.viaParams?.func).filter((x): x is string => !!x))].sort();
  return { callees, priced };
}

/** What every alloc call site's pricing shares: the header inline functions some built file calls, the sites inside alloc_percpu wrapper macros, the callers of parameter-sized sites. */
export interface AllocContext {
  /** header inline functions (Finding.func) a built file calls */
  called: ReadonlySet<string>;
  /** alloc_percpu calls inside header macros (netdev_alloc_pcpu_stats), at each use of the macro */
  viaMacros: Finding[];
  /** the names each built file is searched for */
  names: string[];
  /** functions whose sites are priced at their callers, and the macros expanding to a call of one (sorted) */
  callees: string[];
  calleeMacros: string[];
  /** the prices parameterSized found */
  priced: Map<Finding, PricedAlloc>;
  /** the calls of `callees` in the built files, found on first need (a site of function `func` asks) */
  calls: (func: string) => Promise<{ calls: Call[]; addressTaken: Set<string> }>;
}

export interface AllocOptions { counts?: Counts; trace?: TraceOp[]; built?: readonly string[]; headerInScope?: (file: string) => boolean; allocWrappers?: ReadonlySet<string>; macrosCalling?: (fns: ReadonlySet<string>) => Set<string>; mentions: Mentions }

/** Inline functions of headers this config's code includes that hold alloc sites: their sites count when a built file calls them. */
function headerAllocFunctions(findings: readonly Finding[], o: Pick<AllocOptions, 'headerInScope'>): string[] {
  return findings.filter((f) => f.kind === 'alloc' && f.file.endsWith('.h') && f.func && o.headerInScope?.(f.file)).map((f) => f.func!);
}

/**
 * The names allocContext searches every built file for: one list, so each file is searched once
 * (and not again while it is unchanged); a whole run has them searched ahead (prefetchMentions).
 */
export function contextNames(findings: readonly Finding[], o: Pick<AllocOptions, 'headerInScope' | 'allocWrappers'>, p: { callees: string[]; calleeMacros: string[] }): string[] {
  return [...new Set([...headerAllocFunctions(findings, o).flatMap(callNames), ...o.allocWrappers ?? [], ...p.callees, ...p.calleeMacros])];
}

/**
 * The header inline functions the sites of `findings` live in that one of `o.built` mentions, the
 * sites inside wrapper macros of `files` (default o.built), and the callers of `callees` (with
 * `calleeMacros`, as parameterSized and WrapperGraph.callers give them).
 */
export async function allocContext(s: Session, findings: Finding[], o: AllocOptions, files: readonly string[] = o.built ?? [],
  p: { callees: string[]; calleeMacros: string[]; priced: Map<Finding, PricedAlloc> } = { callees: [], calleeMacros: [], priced: new Map() },
  callers?: { files: (f: string) => boolean; check: (func: string) => void }): Promise<AllocContext> {
  const headerFns = headerAllocFunctions(findings, o);
  const names = contextNames(findings, o, p);
  const mentions = (f: string) => o.mentions(f, names);
  const called = headerFns.length ? headerFunctionsCalled(headerFns, o.built ?? [], mentions) : new Set<string>();
  const viaMacros = o.allocWrappers?.size ? await wrappedAllocs(s.root, files, o.allocWrappers, s.layout, mentions) : [];
  let found: Promise<{ calls: Call[]; addressTaken: Set<string> }> | undefined;
  // `callers`: a run re-using parts reads only the files that may call the functions it reprices (the others' calls are not asked for)
  const calls = (func: string) => {
    callers?.check(func);
    return (found ??= p.callees.length ? callsOf(s.root, (o.built ?? []).filter((f) => !callers || callers.files(f)), new Set(p.callees), new Set(p.calleeMacros), s.layout, mentions) : Promise.resolve({ calls: [], addressTaken: new Set<string>() }));
  };
  return { called, viaMacros, names, ...p, calls };
}

/**
 * The alloc call sites of `findings` priced, before counts (countCallsites); `runTime`: built sites
 * whose size only the run knows; `callees`: the functions of the sites priced at their callers.
 */
export async function priceAllocSites(s: Session, findings: Finding[], placement: Placement, ledger: Ledger, pause: () => Promise<void>, ctx: AllocContext,
  headerInScope?: (file: string) => boolean): Promise<{ sites: Callsite[]; runTime: CallsiteRef[]; callees?: string[] }> {
  const sites: Callsite[] = [];
  const runTime: CallsiteRef[] = []; // built sites whose size is known only at run time: a trace tells it
  const called = ctx.called;
  const callees = new Set<string>();
  const textOf = textOfTree(s);
  const macroSites = new Set(ctx.viaMacros);
  for (const f of findings) {
    if (f.kind !== 'alloc') continue;
    await pause();
    if (f.unresolved) { ledger.unresolved.push(entry(f, f.unresolved)); continue; }
    const pl = placement(f);
    // an inline function of a header this config's code includes: a call site at the header's line
    const inHeader = !pl.obj && pl.reason.startsWith('defined in a header') && !!headerInScope?.(f.file);
    if (inHeader && !called.has(f.func!)) { ledger.notBuilt.push({ ...entry(f, `inline function ${f.func} of a header: no file this config builds calls it`), name: f.name || f.macro }); continue; }
    if (!pl.obj && !inHeader) { ledger.notBuilt.push({ ...entry(f, pl.reason), name: f.name || f.macro }); continue; }
    // priced at the callers: a built .c file's own site (parameterSized), not one inside a wrapper macro
    const { p, viaParams: scope }: PricedAlloc = ctx.priced.get(f) ?? (f.file.endsWith('.h') || macroSites.has(f) ? await priceAlloc(s, f) : await pricedAlloc(s, f));
    const ref = { file: f.file, line: f.line, ...(f.func ? { func: f.func } : {}) };
    if (scope && 'error' in p) {
      callees.add(scope.func);
      const { calls, addressTaken } = await ctx.calls(scope.func);
      const mine = calls.filter((c) => c.callee === scope.func);
      const r = await priceAtCallers(s, f, scope, mine, textOf);
      sites.push(...r.sites);
      // the site itself keeps the events of a size no caller's gives (a call through a pointer)
      runTime.push(ref);
      if (!mine.length && !addressTaken.has(scope.func)) ledger.notBuilt.push({ ...entry(f, `${scope.func}() is called by no file this config builds, directly or through a pointer: it allocates nothing here`), name: f.name || f.macro });
      else if (!mine.length) ledger.unresolved.push(entry(f, `${p.error}; no file this config builds calls ${scope.func}() directly (it is called through a pointer)`));
      else if (r.runTime.length) ledger.unresolved.push(entry(f, r.runTime.some((x) => x.reason.includes(' passed as ')) ? callerReasons(p.error, r.runTime, r.sites.length) : r.runTime[0].reason));
      continue;
    }
    if ('error' in p) {
      runTime.push(ref);
      // the reserved chunk's one allocator: each module's .data..percpu when it loads, priced per module (reserved.modules)
      if (/^__alloc_reserved_percpu/.test(f.macro)) ledger.notBuilt.push({ ...entry(f, `${f.macro}: the modules' .data..percpu sections, counted per module in the reserved chunk (reserved.modules), not as a call site`), name: f.name || f.macro });
      else ledger.unresolved.push(entry(f, p.error));
      continue;
    }
    if (p.kind !== 'alloc') continue;
    sites.push({ ...ref, expr: p.expr, size: p.size, align: p.align, ...(p.note ? { note: p.note } : {}), count: 1, total: 0, countSource: 'default' });
  }
  return { sites, runTime, ...(callees.size ? { callees: [...callees].sort() } : {}) };
}

export type PricedCallsites = { callsites: Callsite[]; unmatchedTrace?: EstimateResult['dynamic']['unmatchedTrace']; traceAttributed?: number };

/** Each site's count (counts file, then trace, else 1) and total. */
export async function countCallsites(s: Session, sites: Callsite[], runTime: CallsiteRef[], o: AllocOptions): Promise<PricedCallsites> {
  const traced = o.trace ? await attributeTrace(s, o.trace.filter((e): e is TraceEvent => e.kind === 'alloc'), sites, runTime, o.built ?? [], o.mentions) : undefined;
  for (const c of sites) {
    const k = callsiteKey(c.file, c.line);
    if (o.counts?.has(k)) {
      c.count = o.counts.get(k)!;
      c.countSource = 'counts';
    } else if (traced) {
      c.count = traced.counts.get(k) ?? 0;
      c.countSource = 'trace';
    }
    c.total = allocRound(c.size) * c.count;
  }
  return { callsites: sites, ...(traced ? { unmatchedTrace: traced.unmatched, traceAttributed: traced.tracedBytes ? traced.attributedBytes / traced.tracedBytes : 1 } : {}) };
}

/**
 * NR_CPUS-sized arrays at NR_CPUS, at the possible CPUs, and as a per-CPU allocation over `units`.
 * Globals are placed like any definition; struct fields count where `inScope` (builtScope) says
 * their file is code this config builds for this arch.
 */
export async function priceNrCpusArrays(s: Session, findings: Finding[], placement: Placement, inScope: ((file: string) => boolean) | undefined, units: number, ledger: Ledger, pause: () => Promise<void>): Promise<NrCpusArray[]> {
  const out: NrCpusArray[] = [];
  for (const f of findings) {
    if (f.kind !== 'nr_cpus_array') continue;
    await pause();
    if (f.unresolved) { ledger.unresolved.push(entry(f, f.unresolved, 'nr_cpus_array')); continue; }
    const pl = f.container ? undefined : placement(f);
    if (pl && !pl.obj) { ledger.notBuilt.push(entry(f, pl.reason, 'nr_cpus_array')); continue; }
    if (f.container && inScope && !inScope(f.file)) { ledger.notBuilt.push(entry(f, 'struct in a file this config does not build for this arch', 'nr_cpus_array')); continue; }
    const p = priceFinding(s, f, { units });
    if ('error' in p) { ledger.unresolved.push(entry(f, p.error, 'nr_cpus_array')); continue; }
    if (p.kind !== 'nr_cpus_array') continue;
    const c = p.cost;
    out.push({
      file: f.file, line: f.line, name: f.name, ...(f.container ? { container: f.container } : {}),
      elemType: f.type, elemSize: c.elemSize, elemAlign: c.elemAlign, dims: f.dims ?? ['NR_CPUS'], perCpuElems: c.perCpuElems,
      bytesAtNrCpus: c.bytesAtNrCpus, bytesAtPossible: c.bytesAtPossible, perCpuRewrite: c.perCpuRewrite, instances: s.profile.instances,
      heuristic: 'an array dimension mentions NR_CPUS',
    });
  }
  return out;
}
