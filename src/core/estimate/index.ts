// The main job, in named stages with typed outputs: profile → inputs (scan, Kbuild, session) →
// placement → pricing → static layout → simulation → NR_CPUS arrays → rules → result. Each stage
// states what it could not do (the ledger: unresolved, not built, warnings) instead of guessing.
// The editor runs the same profile and pricing through core/estimate/session.ts.
import type { ArchProfile } from '../config/arch';
import { isSet, type KConfig } from '../config/kconfig';
import { includedObjects, kbuildCond, localIncludeDirectives, readKbuild, type KbuildResult } from '../config/kbuild';
import { DEFAULT_INCLUDE, scanTree } from '../parse';
import { listedFrom, walkTree } from '../parse/walk';
import type { ScanResult } from '../parse/types';
import { openSession, rulesProfile } from './session';
import { layoutStaticArea } from './staticArea';
import { EmitOrder } from './emitOrder';
import { applyOrder, compiledOrder, orderHolds, unitsToCompile, type CompilerOptions, type OrderReport } from './compiledOrder';
import { DeadStatics } from './deadStatics';
import { wrappedFindings } from './wrapped';
import { FactStore, readIncludes, search } from './fileFacts';
import { RefcountCache } from './refcountCache';
import { PhaseClock } from './phases';
import type { Counts } from './counts';
import type { TraceOp } from '../sim/trace';
import { resolveProfile, type Profile } from './profile';
import { builtScope, makePlacement, type Placement } from './placement';
import { allocContext, contextNames, countCallsites, parameterSized, priceAllocSites, priceNrCpusArrays, priceStatics, type AllocOptions, type Ledger, type Mentions, type PricedAlloc, type PricedCallsites, type PricedStatics } from './pricing';
import { addLedger, depTracker, emptyLedger, freshFiles, fromGraph, includeGraph, toGraph, recordingSizer, ReuseMiss, segmented, type Tracker, type AllocsOut, type FileRulesOut, type NrOut, type Parts, type Reuse, type Seg, type StaticsOut } from './reuse';
import { headerGraph, headersAhead, wrappedIn } from './wrapped';
import { anyHeaderFacts } from './headerCache';
import type { Session } from './session';
import type { CallsiteRef } from './counts';
import type { Finding } from '../parse/types';
import * as path from 'path';
import * as crypto from 'crypto';
import * as fs from 'fs';
import { reservedUsed, simulate, toVariable, type Simulation } from './simulate';
import { treeDiagnostics } from './diagnostics';
import { yielder } from './yielder';
import { recentTexts, type TextReader } from './recentTexts';
import { ResultCache, Siblings, treeStamp, type Previous, type Snapshot, type TreeStamp } from './resultCache';
import { estimateAfterEdit, keptIncludeGraph } from './editReuse';
import { overlayActive } from '../overlay';
import { knownByPath, knownStats, type KnownStats } from '../parse/statIndex';
import type { ModuleSection } from '../rules/types';
import type { Callsite, EstimateResult, NrCpusArray } from './types';

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
  /** cap the possible CPUs at NR_CPUS instead of warning (see ProfileInput) */
  capCpus?: boolean;
  counts?: Counts;
  trace?: TraceOp[];
  /** instance count for NR_CPUS arrays inside structs (e.g. 2000 modules) */
  instances?: number;
  include?: string[];
  /** globs relative to root; default DEFAULT_EXCLUDE */
  exclude?: string[];
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, message: string) => void;
  /**
   * Called between phases and in long loops: a chance to collect garbage. V8 lets a heap with ~70 MB
   * live grow to ~300 MB of garbage while headers are read; the CLI and the editor's estimate
   * process collect (core/memory.ts), the extension host and the analysis server leave it to V8.
   * `now`: collect whatever the heap grew by (this thread is about to wait for others).
   */
  compact?: (now?: boolean) => void;
  /** a scan already done (the extension keeps one); skips scanning */
  scan?: ScanResult;
  /** receives the scan (diff re-uses OLD's for NEW, re-scanning only the changed files) */
  onScan?: (scan: ScanResult) => void;
  /** Kbuild, layout engine and wrapper findings of an earlier run on the same tree (diff's NEW re-uses OLD's) */
  prepared?: Prepared;
  onPrepared?: (p: Prepared) => void;
  /** Kbuild as the edit's check read it under these options, with the file facts it read them through (a run after an edit that runs whole) */
  kbuildRead?: { kb: KbuildResult; facts: FactStore };
  /** folder caching scan results by file content (parse/cache.ts); no cache when absent */
  cacheDir?: string;
  /** take and keep whole results in cacheDir (resultCache.ts; default true) */
  resultCache?: boolean;
  /** run the rules (default true) */
  rules?: boolean;
  /**
   * 'built' (default): the rules read the files this config builds and the headers they may include,
   * priced with this arch's sizes; 'all': every scanned file (other arches' code sized as this arch)
   */
  rulesOn?: 'built' | 'all';
  /** PCPU005: share of the dynamic reserve above which an allocation is large */
  largeFraction?: number;
  /** an earlier run's per-file results to take for the files the change cannot reach (diff's NEW; reuse.ts); needs `scan` */
  reuse?: Reuse;
  /** receives this run's per-file results (for a later run's `reuse`) */
  onParts?: (p: Parts) => void;
  /**
   * Take the in-object order of per-CPU variables from objects compiled by the tree's own build
   * with this gcc, instead of the model (arm, arm64, powerpc: compiledOrder.ts); needs a .config file
   */
  compiler?: CompilerOptions;
  /** files' stats as the tree's stamp took them (estimate() sets it): the stat-keyed caches ask these */
  knownStats?: KnownStats;
  /** called once the stat-keyed caches are done with `knownStats` (the facts saved): its stats may go */
  statsDone?: () => void;
  /** the files the scan reads, as the tree's stamp listed them (estimate() sets it): the scan does not walk */
  listed?: readonly string[];
}

export { DEFAULT_KERNEL } from '../defaults';
/** Never part of a kernel image: user-space tools and BPF selftests, docs, build scripts. */
export const DEFAULT_EXCLUDE: readonly string[] = ['tools/**', 'Documentation/**', 'scripts/**'];

const cfgVal = (c: KConfig, k: string) => c.values.get(k);

/** The tree's Kbuild under `o`'s .config and arch, the built files' local #include lines from `facts`. */
function treeKbuild(o: EstimateOptions, facts: FactStore, onIncludeDir?: (dir: string) => void) {
  const cfg = o.config;
  const cond = kbuildCond(cfg);
  // a distro config's first run reads ~2,000 folders' Makefiles and ~15,000 built files' directives
  // here in one stretch (~2 s): the progress says so every 64 folders
  const onFolder = (n: number) => { if (n % 64 === 0) o.onProgress?.(n, 0, 'reading Kbuild'); };
  return readKbuild(o.root, (s) => cfgVal(cfg, s), { arch: o.arch.name, evalCond: cond, localDirectives: (f) => facts.get(f)?.local, onFolder, onIncludeDir });
}

/** The estimate's inputs besides the scan: the Kbuild reading and the session (layout engine), the wrapper findings. */
async function prepare(o: EstimateOptions, profile: Profile, pause: () => Promise<void>, clock: PhaseClock, scanned?: Promise<unknown>) {
  const facts = o.kbuildRead?.facts ?? new FactStore(o.root, o.cacheDir, o.knownStats);
  // with no saved header facts (a first run), a worker reads the headers while this thread reads
  // Kbuild; not through an overlay (diff's sides), which a worker thread does not see
  const ahead = !overlayActive() && (o.cacheDir === undefined || !anyHeaderFacts(o.cacheDir)) ? headersAhead(o.arch.name, o.root) : undefined;
  try {
    // Kbuild as the edit's check read it (~1 s of a distro config's run), its -I dirs to the header worker as met
    const read = o.kbuildRead?.kb;
    if (read && ahead) ahead.more(read.includeDirs);
    const kb = read ?? treeKbuild(o, facts, ahead && ((d) => ahead.more([d])));
    clock.mark('kbuild');
    o.compact?.();
    await pause();
    const session = await openSession(o.root, profile, kb.includeDirs);
    // the files calling a wrapper are read once the scan's workers are done (~20 MB less peak on a distro
    // config); garbage goes before that wait (the headers' worker's answer, ~20 MB once imported)
    const afterScan = scanned && (async () => { clock.mark('wrappers'); o.compact?.(true); await scanned.then(() => undefined, () => undefined); clock.mark('scan'); });
    const wrapped = kb.objects.length > 0 ? await wrappedFindings(o.root, kb.objects.map((x) => x.file), session.layout, facts, pause, o.cacheDir, (f) => kb.byFile.get(f)?.status === 'module', afterScan, ahead?.take) : { findings: [], unresolved: [], names: new Set<string>(), allocWrappers: new Set<string>(), expanded: [], definers: [], macrosCalling: () => new Set<string>() };
    clock.mark('wrappers');
    // saved after pricing, which asks it which built files mention which names
    return { kb, session, wrapped, facts };
  } finally {
    ahead?.stop();
  }
}

/** Kbuild, the layout session and the wrapper findings: what an estimate reads besides the scan. */
export type Prepared = Awaited<ReturnType<typeof prepare>>;
type Inputs = Awaited<ReturnType<typeof prepare>> & { scan: ScanResult };

/** Stage "inputs": the scan on its workers while this thread reads Kbuild and the type index. */
async function readInputs(o: EstimateOptions, profile: Profile, pause: () => Promise<void>, clock: PhaseClock): Promise<Inputs> {
  o.onProgress?.(0, 1, 'listing files');
  let listed = () => {};
  const filesListed = new Promise<void>((r) => { listed = r; });
  const scanning = o.scan ? Promise.resolve(o.scan) : scanTree(o.root, {
    include: o.include, exclude: o.exclude ?? [...DEFAULT_EXCLUDE], cacheDir: o.cacheDir, signal: o.signal, knownStats: o.knownStats, listed: o.listed,
    onProgress: (d, t, stage) => o.onProgress?.(d, t, stage ?? 'scanning'), onListed: (t) => { o.onProgress?.(0, t, o.cacheDir ? 'checking the scan cache' : 'scanning'); listed(); },
  });
  scanning.catch(() => undefined); // handled below; not an unhandled rejection meanwhile
  // the listing walk needs this thread; the workers start after it (they keep batches queued, see scanTree)
  await Promise.race([filesListed, scanning.then(() => undefined, () => undefined)]);
  clock.mark('listing');
  let early: Awaited<ReturnType<typeof prepare>>;
  try {
    early = o.prepared ?? await prepare(o, profile, pause, clock, scanning);
    o.onPrepared?.(early);
  } catch (e) {
    // the scan's own failure (no such folder, cancelled) explains more than what followed from it
    throw (await scanning.then(() => undefined, (x: unknown) => x)) ?? e;
  }
  const scan = await scanning;
  o.onScan?.(scan);
  clock.mark('scan');
  o.compact?.();
  if (o.signal?.aborted) throw new Error('cancelled');
  return { ...early, scan };
}

/** Stage "rules": the rules over the built files, priced with this configuration's first chunk. */
async function runRules(o: EstimateOptions, inp: Inputs, sim: Simulation, textOf: TextReader, parts?: Partial<Parts>, track?: Tracker): Promise<{ diagnostics: EstimateResult['diagnostics']; errors: { file: string; message: string }[] }> {
  if (o.rules === false) return { diagnostics: [], errors: [] };
  o.onProgress?.(0, 1, 'rules');
  const { session, kb, scan } = inp;
  const fc = 'error' in sim.firstChunk ? undefined : sim.firstChunk;
  const sections: ModuleSection[] = sim.modules.map((m) => {
    const big = m.variables.length ? m.variables.reduce((a, b) => (b.size > a.size ? b : a)) : undefined;
    return { name: m.name, size: m.size, files: m.files, file: big?.file ?? m.files[0], line: big?.line ?? 1 };
  });
  const keep = o.rulesOn === 'all' ? undefined : builtScope(kb, o.arch.name);
  const profile = rulesProfile(session.profile, fc, o.largeFraction);
  // an earlier run's file rules serve while the rules' profile is the same, or differs only in the first chunk's figures PCPU005 weighs against
  const saved = o.reuse?.parts.rules;
  const firstChunkFree = (p: object) => JSON.stringify({ ...p, unitSize: 0, dynamicReserve: 0, moduleReserve: 0 });
  const reuse = saved && (saved.profile === JSON.stringify(profile) ? 'same' : saved.profile && firstChunkFree(JSON.parse(saved.profile)) === firstChunkFree(profile) ? 'pcpu005' : undefined);
  // PCPU002's reading of each file: the saved parts' after an edit, else the cache folder's by file stat
  const cache = !o.reuse?.parts.rules?.refcounts && o.cacheDir && !overlayActive() ? new RefcountCache(o.cacheDir, o.root, new Set(scan.findings.map((f) => f.file))) : undefined;
  const cached = cache?.reading();
  const files: FileRulesOut[] = [];
  // the saved answers serve whatever the rules' profile: a size depends on the tree, the .config
  // and the arch, which parts share (a sibling's other possible CPUs rerun every file's rules)
  const sizes = saved ? recordingSizer(session.sizer, new Map(saved.sizes.map(([k, v, d]) => [k, [v, d]])), (f, d) => !o.reuse!.fresh(f, d), parts && track) : parts ? recordingSizer(session.sizer, undefined, undefined, track) : undefined;
  const td = await treeDiagnostics({
    root: o.root, scan, textOf, textOnce: textOf.once, profile, modules: sections, signal: o.signal, keep, compact: o.compact,
    sizer: sizes?.sizer ?? session.sizer, onProgress: (d, t) => o.onProgress?.(d, t, 'rules'),
    ...(reuse ? { reuse: { files: new Map(saved!.files.map((x) => [x.file, x])), fresh: o.reuse!.fresh, pcpu005: reuse === 'pcpu005', redone: o.reuse!.redone } } : {}),
    ...(parts ? { onFile: (x: FileRulesOut) => files.push(x), track } : {}),
    // PCPU002 reads each file's text alone: an unchanged file's reading is the earlier run's, whatever its profile
    ...(o.reuse?.parts.rules?.refcounts ? { refcounts: { saved: o.reuse.parts.rules.refcounts, same: (f: string) => !o.reuse!.changed.has(f) } } : cached ? { refcounts: cached } : {}),
    ...(cache ? { keepRefcounts: true } : {}),
  });
  if (cache && td.refcounts) cache.save(td.refcounts);
  if (parts) parts.rules = { profile: JSON.stringify(profile), files, sizes: [...sizes!.entries].map(([k, [v, d]]) => (d ? [k, v, d] : [k, v])), ...(td.refcounts ? { refcounts: td.refcounts } : {}) };
  if (o.signal?.aborted) throw new Error('cancelled');
  return td;
}

/**
 * Everything besides the tree's files that an estimate depends on, as one string for the result
 * cache: the profile's inputs, the .config as read, counts, trace, globs, which rules run.
 */
const keys = new WeakMap<EstimateOptions, string>();
function resultKey(o: EstimateOptions): string {
  let k = keys.get(o);
  if (k === undefined) keys.set(o, (k = resultKeyNow(o)));
  return k;
}

function resultKeyNow(o: EstimateOptions): string {
  const c = o.config;
  // by name: sort() alone compared each pair as "name,value" strings made anew (~10,000 symbols, ~25 MB a run)
  const values = [...c.values].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify([
    o.arch, o.kernel ?? null, o.nrCpus ?? null, o.cpus ?? null, o.capCpus ?? null, o.instances ?? null, o.include ?? null, o.exclude ?? null,
    o.rules ?? null, o.rulesOn ?? null, o.largeFraction ?? null, c.source, values, c.warnings, [...(c.notSet ?? [])].sort(),
    o.counts ? [...o.counts] : null, o.trace ?? null, o.compiler ? [o.compiler.crossCompile, path.resolve(o.compiler.buildDir)] : null,
  ]);
}

/**
 * Top-level folders no stage of `o`'s run reads, left out of the tree's stamp (an edit there keeps a
 * saved result): Documentation/ when the scan excludes it (no Makefile builds from it, no source
 * includes from it). Not tools/ nor scripts/: built files include from both
 * (kernel/bpf/relo_core.c: "../../tools/lib/bpf/relo_core.c", lib/fdt_ro.c: scripts/dtc/libfdt).
 */
function unreadFolders(o: EstimateOptions): string[] {
  return (o.exclude ?? DEFAULT_EXCLUDE).includes('Documentation/**') ? ['Documentation'] : [];
}

/** Whether `o` may take and keep a saved result (resultCache.ts). */
const cacheable = (o: EstimateOptions) => !!o.cacheDir && o.resultCache !== false && !o.scan && !o.prepared && !overlayActive();

/**
 * The saved result (resultCache.ts) for `o` when `o.cacheDir` holds one for this tree as it is now
 * and these options, else undefined; `stamp` receives the tree's stamp for a run to save under.
 * `taking`: the stamp already being taken (speculate), instead of walking the tree again.
 */
export async function cachedEstimate(o: EstimateOptions, stamp?: (s: TreeStamp) => void, taking?: Promise<TreeStamp | undefined>, files?: Map<string, string>): Promise<EstimateResult | undefined> {
  if (!cacheable(o)) return undefined;
  const t0 = Date.now();
  o.onProgress?.(0, 1, 'checking the result cache');
  let now: TreeStamp | undefined;
  try { now = await (taking ?? treeStamp(o.root, { signal: o.signal, files, skip: unreadFolders(o) })); } catch { /* no such folder, or cancelled: the run says so */ }
  if (!now) return undefined;
  stamp?.(now);
  const hit = new ResultCache(o.cacheDir!, o.root, resultKey(o)).lookup(now);
  // an existing build's object rebuilt since: the tree's stamp does not see it
  if (!hit || !orderHolds(hit.static.order)) return undefined;
  const ms = Date.now() - t0;
  return { ...hit, stats: { ...hit.stats, ms, rulesMs: 0, phases: { cached: ms }, resultCached: true } };
}

/**
 * The tree's stamp of `o`, started on a worker, and the result, scan and parts saved for `o`
 * unchecked meanwhile: an answer built from them stands only if `holds(await stamp)`. Undefined
 * where no result is kept (cachedEstimate).
 */
export function speculate(o: EstimateOptions): { stamp: Promise<TreeStamp | undefined>; saved?: Snapshot & { holds: (now: TreeStamp) => boolean } } | undefined {
  if (!cacheable(o)) return undefined;
  // this thread estimates meanwhile (diff's NEW): one worker walks, leaving it the other core
  const stamp = treeStamp(o.root, { signal: o.signal, parts: 1, skip: unreadFolders(o) }).catch(() => undefined);
  const snap = new ResultCache(o.cacheDir!, o.root, resultKey(o)).snapshot();
  return { stamp, ...(snap ? { saved: { ...snap, holds: (now: TreeStamp) => ResultCache.holds(snap, now) && orderHolds(snap.result.static.order) } } : {}) };
}

/**
 * The estimate of `o`: the saved result when there is one (cachedEstimate), else every stage, saved
 * for the next run. A caller that asks for the scan or the prepared state (onScan, onPrepared) gets
 * them from a run; one that hands them in, or reads through an overlay, neither takes nor keeps one.
 */
export async function estimate(o: EstimateOptions): Promise<EstimateResult> {
  let stamp: TreeStamp | undefined;
  // let go of (below) once written aside: ~15 MB of strings a kernel tree's run would hold to its end
  let files: Map<string, string> | undefined = new Map<string, string>();
  let notReused: string | undefined;
  // the stamp's stats once taken (below); until then a stat-keyed cache stats the file itself
  let stats: KnownStats | undefined;
  const early = kbuildWhileStamping(o, files, (rel) => stats?.(rel));
  if (early) o = { ...o, kbuildRead: early.kbuildRead };
  if (!o.onScan && !o.onPrepared) {
    const t0 = Date.now();
    const hit = await cachedEstimate(o, (s) => { stamp = s; }, early?.taking, files);
    if (hit) return hit;
    // an edit since the saved run: redo only what it reaches (editReuse.ts)
    const edited = await afterEdit(o, stamp, files, t0);
    if (edited && 'result' in edited) return edited.result;
    notReused = edited?.why;
    if (edited?.kbuildRead) o = { ...o, kbuildRead: edited.kbuildRead };
  } else if (cacheable(o)) {
    try { stamp = await treeStamp(o.root, { signal: o.signal, files, skip: unreadFolders(o) }); } catch { /* the run reports the folder, or the cancel */ }
  }
  // a run that keeps no result (--no-result-cache) still takes the stamp where caches answer by stats:
  // two workers stat the tree sooner than this thread would, and the scan's index and the facts then
  // stat nothing (Debian's config: ~3% of such a run's wall time, ~6% of its CPU); nothing is saved
  const keeps = cacheable(o);
  if (!stamp && !keeps && o.cacheDir && !o.scan && !o.prepared && !overlayActive()) {
    try { stamp = await (early?.taking ?? treeStamp(o.root, { signal: o.signal, files, skip: unreadFolders(o) })); } catch { /* the run reports the folder, or the cancel */ }
  }
  let scan: ScanResult | undefined;
  let parts: Parts | undefined;
  // the stamp took every file's stat: the scan's index and the facts compare with those, no stat per
  // file; let go of once the facts are saved (statsDone), ~10 MB less through the rules of a distro config
  stats = stamp ? knownStats(files) : undefined;
  // Kbuild read while stamping took saved facts on trust: read again if one of their files changed
  if (early && o.kbuildRead === early.kbuildRead && !early.kbuildRead.facts.confirm()) o = { ...o, kbuildRead: { kb: treeKbuild(o, early.kbuildRead.facts), facts: early.kbuildRead.facts } };
  const known: KnownStats | undefined = stats && ((rel) => stats?.(rel));
  // and listed every file: the scan takes its list from there instead of walking again
  const listed = stamp?.odd && listedFrom(files.keys(), stamp.odd, o.include?.length ? o.include : DEFAULT_INCLUDE, o.exclude ?? [...DEFAULT_EXCLUDE]);
  // the stats written now, beside the saved ones (taken in place with the result): only `known`
  // holds them through the run, and not to its end
  const aside = !!stamp && keeps && new ResultCache(o.cacheDir!, o.root, resultKey(o)).saveStampsAside(stamp, files);
  if (aside || !keeps) files = undefined;
  const r = await estimateNow(stamp ? { ...o, ...(keeps ? { onScan: (s: ScanResult) => { scan = s; o.onScan?.(s); }, onParts: (p: Parts) => { parts = p; o.onParts?.(p); } } : {}), ...(known ? { knownStats: known, statsDone: () => { stats = undefined; } } : {}), ...(listed ? { listed } : {}) } : o);
  // a cancelled or failed run never gets here; a partial one (errors) is what the tree gives every time
  if (stamp && keeps) keep(o, stamp, r, scan, parts, aside ? 'aside' : files);
  return notReused ? { ...r, stats: { ...r.stats, partsNotReused: notReused } } : r;
}

/**
 * The estimate re-using the saved run's parts (or a sibling's) for what the change since cannot
 * reach, else why not (`why`: the saved run's reason). A function of its own: the saved parts
 * (tens of MB on a distro config) are garbage once it returns, not held through a whole run.
 */
async function afterEdit(o: EstimateOptions, stamp: TreeStamp | undefined, files: Map<string, string>, t0: number): Promise<{ result: EstimateResult } | { why?: string; kbuildRead?: EstimateOptions['kbuildRead'] } | undefined> {
  const saved = stamp && o.cacheDir && !o.reuse ? new ResultCache(o.cacheDir, o.root, resultKey(o)).lookupPrevious() : undefined;
  // nothing saved for these options: the run saved for them with other possible CPUs, another
  // --nr-cpus or --instances serves while the tree is as it was then (only the simulation, the
  // NR_CPUS arrays and the rules depend on them: estimateNow redoes them, the parts' reuse guarding
  // the last two; the layout's NR_CPUS is the .config's, in the family's key)
  const sibling = !saved && stamp && o.cacheDir && !o.reuse ? siblingOf(o) : undefined;
  const prev = saved ?? sibling;
  if (!prev) return undefined;
  const stampMs = Date.now() - t0;
  // opened when Kbuild is read again (a build file or a .c file came or went), then the run's
  let facts: FactStore | undefined;
  // Kbuild read again: a whole run takes it instead of reading it a third time
  let kbuildRead: EstimateOptions['kbuildRead'];
  const e = await estimateAfterEdit(o.root, prev, files, o, {
    run: (scan, reuse, onParts) => estimateNow({ ...o, scan, reuse: facts ? { ...reuse, facts } : reuse, onParts }),
    session: (parts) => reuseSession(o, parts, o.cacheDir, knownStats(files)),
    // as the parts keep it; not where a compiler builds the objects (their order may follow the Makefiles)
    tree: () => {
      if (o.compiler) return undefined;
      const store = (facts ??= new FactStore(o.root, o.cacheDir, knownStats(files)));
      const kb = treeKbuild(o, store);
      kbuildRead = { kb, facts: store };
      return { kb: { objects: kb.objects, includeDirs: kb.includeDirs, warnings: kb.warnings }, includes: (f) => store.includes(f) };
    },
    includes: () => {
      const store = (facts ??= new FactStore(o.root, o.cacheDir, knownStats(files)));
      return (f) => store.includes(f);
    },
    localObjects: (file, text, taken) => {
      const dirs = localIncludeDirectives(text);
      return dirs ? includedObjects(file, dirs, kbuildCond(o.config), (rel) => fs.existsSync(path.join(o.root, rel)), taken) : [];
    },
  }, prev === sibling);
  if ('result' in e) {
    o.compact?.(); // the run's garbage, before the saved files are written
    keep(o, stamp!, e.result, e.scan, e.parts, files);
    return { result: { ...e.result, stats: { ...e.result.stats, ms: Date.now() - t0, phases: { stamp: stampMs, ...e.result.stats.phases } } } };
  }
  return prev === saved ? { why: e.why, ...(kbuildRead ? { kbuildRead } : {}) } : {};
}

/**
 * A run that can take nothing saved (it keeps no result, --no-result-cache; or nothing is saved for
 * its options nor their family) reads Kbuild while the tree's stamp is taken, as prepare would
 * after it: this thread would only wait for the stamp's two workers (~0.9 s on a kernel tree, one
 * core idle after them while Kbuild is read). Not on a first run (no header facts saved), whose
 * header worker reads the headers beside Kbuild (prepare), nor where a compiler gives the order or
 * the caller asks for the scan or the prepared state. `known`: the stamp's stats once taken (the
 * facts stat each file themselves before).
 */
function kbuildWhileStamping(o: EstimateOptions, files: Map<string, string>, known: KnownStats): { taking: Promise<TreeStamp | undefined>; kbuildRead: NonNullable<EstimateOptions['kbuildRead']> } | undefined {
  if (!o.cacheDir || o.onScan || o.onPrepared || o.kbuildRead || o.compiler || o.scan || o.prepared || overlayActive()) return undefined;
  // the saved-result run (the usual one) answers at the first check: two file tests, its key made anyway
  if (cacheable(o)) {
    if (new ResultCache(o.cacheDir, o.root, resultKey(o)).anySaved()) return undefined;
    const other = siblingKey(o);
    if (other !== undefined && new ResultCache(o.cacheDir, o.root, other).anySaved()) return undefined;
  }
  if (!anyHeaderFacts(o.cacheDir)) return undefined;
  const taking = treeStamp(o.root, { signal: o.signal, files, skip: unreadFolders(o) });
  taking.catch(() => undefined); // awaited by the caller
  const facts = new FactStore(o.root, o.cacheDir, known);
  // the saved facts without a stat each: the stamp's stats check them once taken (confirm, in estimate)
  facts.trustUntilConfirmed();
  return { taking, kbuildRead: { kb: treeKbuild(o, facts), facts } };
}

/** resultKey without the possible CPUs, --nr-cpus and --instances: only the simulation, the NR_CPUS arrays and the rules depend on them */
const familyKey = (o: EstimateOptions) => resultKeyNow({ ...o, cpus: undefined, nrCpus: undefined, instances: undefined });

/** Saves a run's result, scan and parts under its options and, once saved, names it the last of its family (Siblings). */
function keep(o: EstimateOptions, stamp: TreeStamp, r: EstimateResult, scan?: ScanResult, parts?: Parts, files?: Map<string, string> | 'aside'): void {
  if (new ResultCache(o.cacheDir!, o.root, resultKey(o)).save(stamp, r, scan, parts, files)) new Siblings(o.cacheDir!, o.root, familyKey(o)).saved(resultKey(o));
}

/** The options of the family's last saved run when they are not `o`'s own: the sibling whose parts a run may take. */
function siblingKey(o: EstimateOptions): string | undefined {
  const other = new Siblings(o.cacheDir!, o.root, familyKey(o)).last();
  return other === resultKey(o) ? undefined : other;
}

/** The last saved run of `o`'s options with other possible CPUs (Siblings), if any. */
function siblingOf(o: EstimateOptions): Previous | undefined {
  const other = siblingKey(o);
  return other === undefined ? undefined : new ResultCache(o.cacheDir!, o.root, other).lookupPrevious();
}

/** The per-file results saved with the result of `o` (reuse.ts), on the same terms as cachedScan. */
export function cachedParts(o: EstimateOptions, stamp: TreeStamp): Parts | undefined {
  return o.cacheDir ? new ResultCache(o.cacheDir, o.root, resultKey(o)).lookupParts(stamp) : undefined;
}

/** The scan saved with the result of `o` (cachedEstimate's `stamp`: the tree as it is now), else undefined. */
export function cachedScan(o: EstimateOptions, stamp: TreeStamp): ScanResult | undefined {
  return o.cacheDir ? new ResultCache(o.cacheDir, o.root, resultKey(o)).lookupScan(stamp) : undefined;
}

/** The scan and the prepared state (Kbuild, layout session, wrapper findings) of `o`'s tree, without sizing or rules. */
export async function prepareInputs(o: EstimateOptions): Promise<{ scan: ScanResult; prepared: Prepared }> {
  const profile = resolveProfile(o);
  const { scan, kb, session, wrapped, facts } = await readInputs(o, profile, yielder(o.signal, undefined, o.compact), new PhaseClock());
  return { scan, prepared: { kb, session, wrapped, facts } };
}

async function estimateNow(o: EstimateOptions): Promise<EstimateResult> {
  const t0 = Date.now();
  const clock = new PhaseClock();
  const profile = resolveProfile(o);
  const warnings = profile.warnings;
  const pause = yielder(o.signal, undefined, o.compact);
  const r = o.reuse;
  const inp = r && !o.prepared ? await reusedInputs(o, profile, r) : await readInputs(o, profile, pause, clock);
  if (r) clock.mark('inputs');
  const { kb, session, wrapped, scan } = inp;
  // what each piece of work read, for a later run's reuse (reuse.ts)
  // a run re-using parts keeps their ids: the segments it takes name files by them
  const depFiles: string[] = r ? [...r.parts.depFiles] : [];
  if (o.onParts) session.layout.index.recordDeps(true);
  const track = o.onParts ? depTracker(session.layout.index, path.resolve(o.root), depFiles) : undefined;
  const parts: Partial<Parts> | undefined = o.onParts ? { depFiles, kb: { objects: kb.objects, includeDirs: kb.includeDirs, warnings: kb.warnings },
    wrapped: { findings: wrapped.findings, unresolved: wrapped.unresolved, names: [...wrapped.names], allocWrappers: [...wrapped.allocWrappers], expanded: wrapped.expanded, ...(wrapped.definers ? { definers: wrapped.definers } : {}) } } : undefined;
  warnings.push(...kb.warnings.slice(0, 20));
  const textOf = recentTexts(o.root);
  const ledger: Ledger = { unresolved: [], notBuilt: [], warnings };
  const condErrors: string[] = [];
  const placement = makePlacement(o.root, o.config, kb, session.layout, condErrors);
  const scope = builtScope(kb, o.arch.name);

  // the sizing loop pauses once per finding: the editor's bar follows it (about 100 messages)
  const findings = [...scan.findings, ...wrapped.findings, ...wrapped.unresolved].filter((f) => f.kind === 'static' || f.kind === 'declare');
  let sized = 0;
  const sizingPause = () => {
    if (sized++ % Math.max(1, Math.ceil(findings.length / 100)) === 0) o.onProgress?.(sized - 1, findings.length, 'sizing');
    return pause();
  };
  const ahead = await startAhead(o, inp, placement, pause, track);
  // the emit order and the dead statics' function bodies (~14 MB) live in this closure's scope alone: gone after the statics
  const staticSegs = await (() => {
    const emit = new EmitOrder(o.root, scan.findings, session.layout, o.arch.sectionAnchors === true, o.arch.cpuOffsetClone === true);
    const dead = new DeadStatics(o.root, scan.findings, kb, session.layout, textOf, (s) => isSet(o.config, s));
    return segmented(findings, async (fs): Promise<StaticsOut> => {
      const l = emptyLedger();
      const before = condErrors.length;
      const p = await priceStatics(session, { findings: fs, placement, textOf, emit, dead }, { ...l, warnings: l.warnings }, sizingPause);
      return { ...l, builtin: p.builtin, modules: [...p.modules].map(([n, m]) => [n, m.order, m.vars]), declares: p.declares, condErrors: condErrors.splice(before) };
    }, r && { saved: r.parts.statics, fresh: r.fresh, redone: r.redone }, track);
  })();
  const statics = mergeStatics(staticSegs, ledger, condErrors);
  const order = o.compiler ? await compiledObjectOrder(o, o.compiler, statics, warnings) : undefined;
  if (parts) parts.statics = staticSegs;
  if (r) clock.mark('statics');
  if (condErrors.length) warnings.push(`${condErrors.length} #if condition(s) could not be evaluated and were taken as true (first: ${condErrors[0]})`);
  o.onProgress?.(0, 1, 'placement');
  const sl = layoutStaticArea(statics.builtin, { pageSize: profile.pageSize, cacheLine: profile.cacheLine, kernel: profile.kernel, isSet: (s) => isSet(o.config, s) });
  if (sl.unplacedSections.length) warnings.push(`sections not in the ${profile.kernel} linker script, placed in .data..percpu: ${sl.unplacedSections.join(', ')}`);
  const dyn = await callsites(o, inp, placement, ledger, pause, parts, track, ahead);
  // nothing after the call sites asks the wrapper graph (~11 MB): let it go unless a caller keeps the inputs (diff's NEW re-uses them)
  if (!o.prepared && !o.onPrepared) wrapped.macrosCalling = () => { throw new Error('the wrapper graph is released after the call sites'); };
  if (r) clock.mark('callsites');
  if (parts) {
    clock.mark('sizing'); // the statics and the call sites; what follows is the include graph
    const found = [...scan.findings, ...wrapped.findings, ...wrapped.unresolved, ...parts.alloc!.viaMacros].map((f) => f.file);
    // the files calling a function whose sites are priced at its callers: an edit of what they include reprices them (reuseFor)
    const roots = new Set([...found, ...scan.accessorFiles ?? [], ...parts.alloc!.callerFiles].filter((f) => o.rulesOn === 'all' || !scope || scope(f)));
    // a file built as part of another is read with what its includer includes first (freshFiles)
    for (const f of roots) { const by = kb.byFile.get(f)?.includedFrom; if (by !== undefined) roots.add(by); }
    // before the facts are released: the include directives are kept with them
    const includesOf = (f: string) => inp.facts.includes(f);
    // the earlier graph asks only the changed files, whose saved facts are stale: read from their
    // text, not through the facts (loading them, ~12 MB on a distro config, was most of an edit's check)
    const changedIncludes = (f: string) => readIncludes(path.resolve(o.root, f));
    parts.includes = (r && keptIncludeGraph(r.parts.includes, path.resolve(o.root), roots, r.changed, session.layout.index.dirs, changedIncludes)) || includeGraph(path.resolve(o.root), roots, session.layout.index.dirs, includesOf);
    // an edit that keeps a header's shape reaches only what read the header (editReuse.ts)
    parts.shapes = parts.includes.files.flatMap((f): [string, string][] => {
      const s = f.endsWith('.h') ? session.layout.index.shapeOf(path.resolve(o.root, f)) : undefined;
      return s ? [[f, s]] : [];
    });
    clock.mark('includes');
  }
  inp.facts.save();
  if (!o.prepared && !o.onPrepared) inp.facts.release(); // nobody else holds it: ~35 MB less through the rules
  o.statsDone?.();
  o.onProgress?.(0, 1, 'simulation');
  const sim = simulate(profile, sl.size, statics.modules, dyn.callsites, warnings, o.trace);
  const nrSegs = await segmented(scan.findings.filter((f) => f.kind === 'nr_cpus_array'), async (fs): Promise<NrOut> => {
    const l = emptyLedger();
    return { ...l, items: await priceNrCpusArrays(session, fs, placement, scope, sim.nrUnits, { ...l, warnings: l.warnings }, pause) };
  }, r && r.parts.nr.units === sim.nrUnits && r.parts.nr.possible === profile.possible && r.parts.nr.nrCpus === profile.nrCpus && r.parts.nr.instances === profile.instances ? { saved: r.parts.nr.segs, fresh: r.fresh, redone: r.redone } : undefined, track);
  const nrArrays: NrCpusArray[] = [];
  for (const sg of nrSegs) { addLedger(ledger, sg.out); nrArrays.push(...sg.out.items); }
  if (parts) parts.nr = { units: sim.nrUnits, possible: profile.possible, nrCpus: profile.nrCpus, instances: profile.instances, segs: nrSegs };

  clock.mark('sizing');
  // the rules read raw texts of their own; nobody else holds the session: the .c files' active texts go
  if (!o.prepared && !o.onPrepared) session.layout.index.releaseSourceTexts();
  const tRules = Date.now();
  const rules = await runRules(o, inp, sim, textOf, parts, track);
  const rulesMs = Date.now() - tRules;
  clock.mark('rules');
  if (parts) {
    session.layout.index.recordDeps(false);
    parts.active = toGraph(path.resolve(o.root), session.layout.index.activeIncludes());
    o.onParts!(parts as Parts);
  }
  return result(o, profile, { scan, sl, dyn, sim, nrArrays, ledger, statics, rules, order }, { ms: Date.now() - t0, rulesMs, phases: clock.ms });
}

/** The statics with the order of their compiled objects (o.compiler): what was compiled, and what kept the model's order. */
async function compiledObjectOrder(o: EstimateOptions, c: CompilerOptions, statics: PricedStatics, warnings: string[]): Promise<OrderReport | undefined> {
  if (!o.arch.sectionAnchors) {
    warnings.push(`${o.arch.name}: gcc emits per-CPU variables in reverse order of declaration, as the model does: nothing compiled for their order`);
    return undefined;
  }
  let configText: string;
  try { configText = fs.readFileSync(o.config.source, 'latin1'); } catch {
    warnings.push(`compiling for the variables' order needs a .config file (${o.config.source} cannot be read): the model's order is kept`);
    return undefined;
  }
  const units = unitsToCompile([...statics.builtin, ...[...statics.modules.values()].flatMap((m) => m.vars)]);
  // readelf's answers on the objects of a build percpu-lens did not make are kept beside the cache, not there
  const answers = o.cacheDir ? path.join(o.cacheDir, 'orders', `${crypto.createHash('sha1').update(path.resolve(c.buildDir)).digest('hex')}.json`) : undefined;
  const got = await compiledOrder(o.root, configText, o.arch.srcArch, units, { ...c, answers }, o.signal, (m) => o.onProgress?.(0, 1, m));
  statics.builtin = applyOrder(statics.builtin, got);
  for (const m of statics.modules.values()) m.vars = applyOrder(m.vars, got);
  if (got.failed.length) warnings.push(`${got.failed.length} of ${units.length} objects were not ${got.existing ? 'read' : 'compiled'} and keep the model's order (${got.failed[0].file}: ${got.failed[0].reason})`);
  return { crossCompile: c.crossCompile, buildDir: path.resolve(c.buildDir), units: units.length, compiled: got.orders.size, failed: got.failed, ...(got.existing ? { existing: true as const } : {}) };
}

/** The statics' segments as priceStatics gives them for the whole list. */
function mergeStatics(segs: Seg<StaticsOut>[], ledger: Ledger, condErrors: string[]): PricedStatics {
  const out: PricedStatics = { builtin: [], modules: new Map(), declares: 0 };
  for (const { out: sg } of segs) {
    addLedger(ledger, sg);
    condErrors.push(...sg.condErrors);
    out.builtin.push(...sg.builtin);
    out.declares += sg.declares;
    for (const [name, order, vars] of sg.modules) {
      const m = out.modules.get(name) ?? { vars: [], files: new Set<string>(), order };
      for (const v of vars) { m.vars.push(v); m.files.add(v.file); }
      out.modules.set(name, m);
    }
  }
  return out;
}

/** A whole run's sites priced at their callers: the functions, the macros calling them, each function's macros. */
async function parameterSites(inp: Inputs, allocs: Finding[], placement: Placement, pause: () => Promise<void>, track?: Tracker) {
  const { callees, priced } = await parameterSized(inp.session, allocs, placement, pause);
  const { wrapped } = inp;
  return {
    callees, calleeMacros: callees.length ? [...wrapped.macrosCalling(new Set(callees))].sort() : [],
    // keeping parts, each site is priced again inside its segment: what it reads are the segment's deps (the layout's caches answer)
    priced: track ? new Map<Finding, PricedAlloc>() : priced,
    each: new Map(callees.map((c) => [c, [...wrapped.macrosCalling(new Set([c]))].sort()])),
  };
}

/** What a whole run starts before its statics for the call-site stage: the parameter-sized sites, and the built files' search for the names the stage asks about. */
interface Ahead { param: Awaited<ReturnType<typeof parameterSites>>; searched: Promise<void> }

/**
 * A whole run with Kbuild's file list: the sites priced at their callers first (they name the
 * functions whose calls are searched for), then the search of every built file for the call-site
 * stage's names on a worker thread while this one prices the statics (~0.8 s of a distro config's
 * cold run off this thread). Runs re-using parts search only changed files: nothing ahead.
 */
async function startAhead(o: EstimateOptions, inp: Inputs, placement: Placement, pause: () => Promise<void>, track?: Tracker): Promise<Ahead | undefined> {
  const { kb, scan, wrapped, facts } = inp;
  if (o.reuse || !kb.objects.length) return undefined;
  const param = await parameterSites(inp, scan.findings.filter((f) => f.kind === 'alloc'), placement, pause, track);
  const names = contextNames(scan.findings, { headerInScope: builtScope(kb, o.arch.name), allocWrappers: wrapped.allocWrappers }, param);
  const built = kb.objects.map((x) => x.file).filter((f) => f.endsWith('.c'));
  return { param, searched: facts.prefetchMentions(built, names).catch(() => undefined) };
}

/** Stage "call sites": each alloc site priced (segments of files the change cannot reach re-used), then counted. */
async function callsites(o: EstimateOptions, inp: Inputs, placement: Placement, ledger: Ledger, pause: () => Promise<void>, parts?: Partial<Parts>, track?: Tracker, ahead?: Ahead): Promise<PricedCallsites> {
  const { kb, session, wrapped, scan } = inp;
  const r = o.reuse;
  // no Kbuild (a fixture, a folder of sources): every .c file the scan would read is built, as placement has it
  const built = kb.objects.length ? kb.objects.map((x) => x.file).filter((f) => f.endsWith('.c'))
    : (await walkTree(o.root, o.include?.length ? o.include : DEFAULT_INCLUDE, o.exclude ?? [...DEFAULT_EXCLUDE], o.signal)).files.filter((f) => f.endsWith('.c'));
  const saved = r && new Map(r.parts.alloc.mentions);
  const savedNames = r?.parts.alloc.names;
  let same: readonly string[] | undefined; // the list found equal to the saved one (by identity)
  const mentions: Mentions = (f, names) => {
    if (saved && names !== same && names.length === savedNames!.length && names.every((n, i) => n === savedNames![i])) same = names;
    if (names !== same) return inp.facts.mentions(f, names);
    return r!.changed.has(f) ? search(path.join(o.root, f), names) : new Set(saved!.get(f));
  };
  const ao: AllocOptions = { ...o, built, headerInScope: builtScope(kb, o.arch.name), allocWrappers: wrapped.allocWrappers, macrosCalling: wrapped.macrosCalling, mentions };
  const reuse = r && !o.trace;
  const allocs = scan.findings.filter((f) => f.kind === 'alloc');
  // sites whose size is a parameter of their function are priced at its callers: a whole run finds
  // them first; a run re-using parts takes the earlier run's functions and checks them at the end
  const param = reuse
    ? { callees: r.parts.alloc.callees, calleeMacros: r.parts.alloc.calleeMacros, priced: new Map(), each: new Map(r.parts.alloc.byCallee.map(([c, m]) => [c, m])) }
    : ahead?.param ?? await parameterSites(inp, allocs, placement, pause, track);
  await ahead?.searched; // the built files' mentions, searched on a worker meanwhile
  // sites inside wrapper macros: redone for the files the include graph says the change reaches
  const near = reuse ? r.reaches ?? freshFiles(r.parts, r.changed) : undefined;
  // a run re-using parts: the calls of the functions it reprices, read from the files mentioning them (the saved list) and the changed ones
  let fresh: ((f: string, d?: number[]) => boolean) | undefined;
  const need = new Set<string>();
  const callers = reuse ? {
    files: (f: string) => r.changed.has(f) || r.parts.alloc.byCallee.some(([c, , fs]) => need.has(c) && fs.includes(f)),
    check: (func: string) => { if (!need.has(func)) throw new ReuseMiss(`${func} repriced at its callers unforeseen`); },
  } : undefined;
  const ctx = await allocContext(session, scan.findings, ao, near ? built.filter((f) => near.has(f)) : built, param, callers);
  const calledSame = !!r && [...ctx.called].sort().join('\n') === r.parts.alloc.called.join('\n');
  if (reuse) {
    // sites in wrapper macros: the fresh files' found now, the others' as saved, in built order
    const byFile = (l: Finding[]) => l.reduce((m, f) => m.set(f.file, [...(m.get(f.file) ?? []), f]), new Map<string, Finding[]>());
    const now = byFile(ctx.viaMacros);
    const was = byFile(r.parts.alloc.viaMacros);
    ctx.viaMacros = [...new Set(built)].flatMap((f) => (near!.has(f) ? now.get(f) : was.get(f)) ?? []);
  }
  // a site priced at its callers depends on every caller's file: reuseFor says whether the change may reach one
  const reached = (sg: Seg<AllocsOut>) => !!sg.out.callees?.some((c) => r!.callersReached?.has(c));
  const callerSegs = new Set(reuse ? r.parts.alloc.segs.filter(reached).map((sg) => sg.file) : []);
  if (reuse) {
    fresh = (f, d) => r.fresh(f, d) || (!calledSame && f.endsWith('.h')) || callerSegs.has(f);
    for (const sg of r.parts.alloc.segs) if (fresh(sg.file, sg.deps)) for (const c of sg.out.callees ?? []) need.add(c);
  }
  const segs = await segmented([...allocs, ...ctx.viaMacros], async (fs): Promise<AllocsOut> => {
    const l = emptyLedger();
    return { ...l, ...await priceAllocSites(session, fs, placement, { ...l, warnings: l.warnings }, pause, ctx, ao.headerInScope) };
  }, reuse ? { saved: r.parts.alloc.segs, fresh: fresh!, redone: r.redone } : undefined, track);
  if (reuse) {
    // the functions priced at their callers are the earlier run's, else its macros and mentions do not answer for this run
    const now = [...new Set(segs.flatMap((sg) => sg.out.callees ?? []))].sort();
    if (now.join('\n') !== ctx.callees.join('\n')) throw new ReuseMiss(`the functions priced at their callers changed (${ctx.callees.join(', ')} -> ${now.join(', ')})`);
  }
  const sites: Callsite[] = [];
  const runTime: CallsiteRef[] = [];
  for (const sg of segs) { addLedger(ledger, sg.out); sites.push(...sg.out.sites.map((c) => ({ ...c }))); runTime.push(...sg.out.runTime); }
  if (parts) {
    const m: [string, string[]][] = [];
    const byCallee: [string, string[], string[]][] = ctx.callees.map((c) => [c, param.each.get(c) ?? [], []]);
    const callerFiles: string[] = [];
    for (const f of new Set(built)) {
      const x = mentions(f, ctx.names);
      if (x.size) m.push([f, [...x]]);
      let any = false;
      for (const [c, macros, files] of byCallee) if (x.has(c) || macros.some((n) => x.has(n))) { files.push(f); any = true; }
      if (any) callerFiles.push(f);
    }
    parts.alloc = { names: ctx.names, mentions: m, called: [...ctx.called].sort(), viaMacros: ctx.viaMacros, segs, callees: ctx.callees, calleeMacros: ctx.calleeMacros, callerFiles, byCallee };
  }
  return countCallsites(session, sites, runTime, ao);
}

/**
 * A layout session for a run re-using `parts`, its header index as the earlier run left it: read
 * from `cacheDir` (headerCache.ts), else built from the tree and saved there. Call it outside any
 * overlay, so the index is the tree's; the run tells it which files changed.
 */
export async function reuseSession(o: EstimateOptions, parts: Parts, cacheDir?: string, known?: KnownStats): Promise<Session> {
  const session = await openSession(o.root, resolveProfile(o), parts.kb.includeDirs);
  headerGraph(session.layout, cacheDir, undefined, known && knownByPath(o.root, known));
  for (const [f, t] of parts.wrapped.expanded) session.layout.addSource(f, t);
  return session;
}

/** Kbuild, the layout session and the wrapper findings of an earlier run (`r.parts`), the session told which files changed. */
async function reusedInputs(o: EstimateOptions, profile: Profile, r: Reuse): Promise<Inputs> {
  const p = r.parts;
  const kb = { objects: p.kb.objects, byFile: new Map(p.kb.objects.map((x) => [x.file, x])), includeDirs: p.kb.includeDirs, warnings: p.kb.warnings };
  const session = r.session ?? await reuseSession(o, p, r.cacheDir);
  session.layout.refresh([...r.changed].map((f) => path.join(o.root, f)));
  // include closures walk the saved lists instead of loading every header they reach; a changed
  // file's own list is read again (an edited .c file may #include another header now)
  if (r.includesHold && p.active) {
    const seed = fromGraph(path.resolve(o.root), p.active);
    for (const f of r.changed) seed.delete(path.resolve(o.root, f));
    session.layout.index.seedIncludes(seed);
  }
  // the wrapper graph is not read again: callsites takes the macros calling the earlier run's functions from the parts
  const macrosCalling = (): Set<string> => { throw new ReuseMiss('the wrapper graph is not read when re-using parts'); };
  const wrapped = { ...rewrapped(o.root, p, r.rewrap, session, kb.byFile), names: new Set(p.wrapped.names), allocWrappers: new Set(p.wrapped.allocWrappers), definers: p.wrapped.definers, macrosCalling };
  return { kb, session, wrapped, facts: r.facts ?? new FactStore(o.root, r.cacheDir), scan: o.scan! };
}

/**
 * The saved wrapper findings with those of the `rewrap` files read again from their texts now
 * (wrappedIn, under the saved names), each file's in its place in Kbuild's order, as a whole run
 * lists them. A file whose expansions define other records than saved: ReuseMiss.
 */
function rewrapped(root: string, p: Parts, rewrap: ReadonlySet<string> | undefined, session: Session, byFile: Map<string, { status: string; order: number }>): Pick<Prepared['wrapped'], 'findings' | 'unresolved' | 'expanded'> {
  const w = p.wrapped;
  if (!rewrap?.size) return { findings: w.findings, unresolved: w.unresolved, expanded: w.expanded };
  const names = new Set(w.names);
  const now = new Map([...rewrap].map((f) => [f, wrappedIn(root, f, session.layout, names, byFile.get(f)?.status === 'module')]));
  for (const [f, x] of now) {
    const was = w.expanded.find(([e]) => e === `${path.join(root, f)}.expanded.h`)?.[1];
    if (was !== x?.expanded?.[1]) throw new ReuseMiss(`${f}'s wrapper macros define other records`);
  }
  // Kbuild's order of the files (wrappedFindings reads them so); the rest of one file in its order
  const rank = new Map(p.kb.objects.map((o, i) => [o.file, i]));
  const merge = <T extends { file: string }>(saved: readonly T[], pick: (x: NonNullable<ReturnType<typeof wrappedIn>>) => T[]): T[] => {
    const kept = saved.filter((x) => !rewrap.has(x.file));
    const added = [...now].flatMap(([, x]) => (x ? pick(x) : []));
    const at = (x: T) => rank.get(x.file) ?? Infinity;
    return [...kept, ...added].map((x, i) => [x, i] as const).sort((a, b) => at(a[0]) - at(b[0]) || a[1] - b[1]).map(([x]) => x);
  };
  return { findings: merge(w.findings, (x) => x.findings), unresolved: merge(w.unresolved, (x) => x.unresolved), expanded: w.expanded };
}

interface Stages {
  scan: ScanResult;
  sl: ReturnType<typeof layoutStaticArea>;
  dyn: PricedCallsites;
  sim: Simulation;
  nrArrays: NrCpusArray[];
  ledger: Ledger;
  statics: PricedStatics;
  rules: Awaited<ReturnType<typeof runRules>>;
  order?: OrderReport;
}

/** Stage "result": totals and the one object every report reads. */
function result(o: EstimateOptions, p: Profile, st: Stages, t: { ms: number; rulesMs: number; phases: PhaseClock['ms'] }): EstimateResult {
  const { scan, sl, dyn, sim, ledger } = st;
  const dynBytes = dyn.callsites.reduce((a, c) => a + c.total, 0);
  const used = reservedUsed(sim.modules);
  const perCpu = sl.size + (p.modules ? used : 0) + dynBytes;
  return {
    root: o.root,
    arch: o.arch.name,
    kernel: p.kernel,
    config: { source: o.config.source, nrCpus: p.nrCpus, possibleCpus: p.possible, smp: p.smp, modules: p.modules, warnings: ledger.warnings },
    static: { bytes: sl.size, padding: sl.padding, variables: sl.vars.map(toVariable), sections: sl.sections, ...(st.order ? { order: st.order } : {}) },
    reserved: { bytes: sim.reservedBytes, used, modules: sim.modules },
    dynamic: { bytes: dynBytes, callsites: dyn.callsites, ...(dyn.unmatchedTrace ? { unmatchedTrace: dyn.unmatchedTrace } : {}), ...(dyn.traceAttributed !== undefined ? { traceAttributed: dyn.traceAttributed } : {}), ...(sim.replay ? { traceReplay: sim.replay } : {}) },
    nrCpusArrays: st.nrArrays,
    firstChunk: sim.firstChunk,
    totals: { perCpuBytes: perCpu, allCpusBytes: perCpu * p.possible, ...(sim.meminfo !== undefined ? { meminfoPercpuKb: sim.meminfo } : {}), unresolvedItems: ledger.unresolved.length },
    chunks: sim.chunks,
    notBuilt: ledger.notBuilt,
    declares: st.statics.declares,
    unresolved: ledger.unresolved,
    diagnostics: st.rules.diagnostics,
    errors: [...scan.errors, ...st.rules.errors],
    stats: { filesSeen: scan.stats.filesSeen, filesParsed: scan.stats.filesParsed, ms: t.ms, rulesMs: t.rulesMs, scan: scan.stats, phases: t.phases },
  };
}
