// Findings for per-CPU variables defined through wrapper macros, for the files a config builds:
// wrapper names from the headers and the built files, uses expanded as gcc would see them
// from each file (its active #if branches, its include order). See wrappers.ts.
import * as fs from 'fs';
import * as path from 'path';
import type { Finding } from '../parse/types';
import type { LayoutEngine } from '../layout';
import { WrapperGraph, expandWrappers, graphPart, interner, type GraphPart } from './wrappers';
import { ALLOC_FUNCS } from '../parse/triggers';
import type { FactStore } from './fileFacts';
import type { MacroCall } from './macroCall';
import { headerCacheFile, loadHeaderFacts, saveHeaderFacts, type HeaderFacts } from './headerCache';
import { Worker } from 'worker_threads';
import type { ArchName } from '../config/arch';
import { knownByPath, type StatKey } from '../parse/statIndex';

export interface WrappedFinding extends Finding {
  /** the DEFINE_PER_CPU* call as expanded (its arguments and trailing attributes) */
  call: MacroCall;
}

/**
 * The wrapper graph of the headers under the include dirs, read once with the type index's raw
 * index; both come from `cacheDir` (headerCache.ts): as saved while no header changed, else with
 * the changed headers read again (a pull or a checkout changes a few hundred of ~9,000), else
 * from `ahead` (headersAhead) for the arch's own dirs, else are built here.
 */
export function headerGraph(layout: LayoutEngine, cacheDir?: string, ahead?: HeaderFacts, known?: (abs: string) => StatKey | undefined): WrapperGraph {
  const index = layout.index;
  const file = cacheDir === undefined ? undefined : headerCacheFile(cacheDir, index.dirs);
  const hit = file === undefined ? undefined : loadHeaderFacts(file, index.dirs, { changed: true, known });
  const saved = hit && WrapperGraph.partsOf(hit.extra);
  if (hit && saved && !hit.changes && index.importRaw(hit.raw)) return WrapperGraph.fromParts(saved);
  let graph: WrapperGraph | undefined;
  if (hit?.changes && saved) {
    // each header's part where it is walked now: the saved one, or the one of its text now
    const fresh = new Map<string, GraphPart>();
    const keep = interner();
    if (index.importRawChanged(hit.raw, hit.changes, (f, text) => fresh.set(f, graphPart(text, keep)))) {
      const reread = new Set(hit.changes.reread);
      const old = new Map(saved);
      graph = WrapperGraph.fromParts(hit.changes.walk.flatMap((f): [string, GraphPart][] => {
        const p = reread.has(f) ? fresh.get(f) : old.get(f);
        return p && (p[0].length || p[1].length) ? [[f, p]] : [];
      }));
    }
  }
  if (!graph) {
    graph = ahead && WrapperGraph.from(ahead.extra);
    if (!graph || !index.importRawAhead(ahead!.raw, (f, text) => graph!.add(text, f))) {
      const built = (graph = new WrapperGraph());
      index.forEachHeader((f, text) => built.add(text, f));
    }
  }
  const raw = file === undefined ? undefined : index.exportRaw();
  if (file !== undefined && raw) saveHeaderFacts(file, { raw, extra: graph.toJSON() });
  return graph;
}

/** dist/headerWorker.js beside the bundle, or headerWorker.js beside this module under tsc */
function headerWorkerPath(): string | undefined {
  const p = path.join(__dirname, 'headerWorker.js');
  return fs.existsSync(p) ? p : undefined;
}

/**
 * The raw index and wrapper graph of `arch`'s include dirs, built on a worker thread (~20,000
 * headers, ~2 s of a distro run) while this thread reads Kbuild: for headerGraph when no saved
 * copy serves. `more` gives it the build's -I dirs as Kbuild finds them, indexed there after the
 * arch's own (a distro config's ~130 driver dirs took this thread ~0.9 s after Kbuild; the worker
 * has the other core to itself by then). `take` gives them once (undefined where no worker starts
 * or it fails: headerGraph then builds them itself) and lets go of them here, so they are garbage
 * once imported (~20 MB through the scan's wait otherwise); `stop` ends a worker whose answer is
 * no longer wanted.
 */
export function headersAhead(arch: ArchName, root: string): { more: (dirs: string[]) => void; take: () => Promise<HeaderFacts | undefined>; stop: () => void } {
  const script = headerWorkerPath();
  let w: Worker | undefined;
  try {
    // a young generation of 4 MB, as the scan's workers have: under the process's 8 MB semi-spaces the
    // garbage of ~9,000 headers' texts raised a cold defconfig run's peak by ~40 MiB (284 -> 244 median)
    w = script ? new Worker(script, { workerData: { arch, root: path.resolve(root) }, resourceLimits: { maxYoungGenerationSizeMb: 4 } }) : undefined;
  } catch {
    w = undefined;
  }
  if (!w) return { more: () => undefined, take: async () => undefined, stop: () => undefined };
  w.unref(); // never what keeps a finished run's process alive
  // a Worker object, even of a thread that ended, holds ~13 MB outside the heap until collected: no reference kept
  let worker: Worker | undefined = w;
  let facts: Promise<HeaderFacts | undefined> | undefined = new Promise<HeaderFacts | undefined>((resolve) => {
    // the listeners left on the ended thread's object must not reach the answer (through `resolve`)
    let settle: typeof resolve | undefined = resolve;
    const done = (f?: HeaderFacts) => { worker = undefined; const s = settle; settle = undefined; s?.(f); };
    w!.once('message', (m: { raw?: HeaderFacts['raw']; extra?: unknown }) => done(m.raw ? { raw: m.raw, extra: m.extra } : undefined));
    w!.once('error', () => done());
    w!.once('exit', () => done());
  });
  w = undefined;
  const take = () => {
    const f = facts ?? Promise.resolve(undefined);
    if (facts) worker?.postMessage({ done: true });
    facts = undefined;
    return f;
  };
  return { more: (dirs) => void worker?.postMessage({ dirs }), take, stop: () => void worker?.terminate() };
}

export interface WrappedFindings {
  findings: WrappedFinding[];
  unresolved: Finding[];
  names: ReadonlySet<string>;
  allocWrappers: ReadonlySet<string>;
  /** the sources given to the layout engine (types the expansions define), in order: another session of the same tree takes them again */
  expanded: [string, string][];
  /** the built files whose own #defines are among `names` (an edit of another built .c file leaves `names` as they are: editReuse.ts); undefined: not known */
  definers?: string[];
  /** the macros of the headers that expand (through each other) to a call of one of these functions */
  macrosCalling: (fns: ReadonlySet<string>) => Set<string>;
}

/** Wrappers that define a per-CPU variable only in built-in code: include/linux/srcutree.h's
 *  `#ifdef MODULE` __DEFINE_SRCU has no DEFINE_PER_CPU (a module's srcu_data is allocated when it loads). */
export const BUILTIN_ONLY = new Set(['DEFINE_SRCU', 'DEFINE_STATIC_SRCU']);


/**
 * `files`: built files relative to root (.c and the local headers they include); their defines and
 * calls come from `facts`, so only the files that call a wrapper are read. `isModule`: built with -DMODULE.
 * `beforeReading`: awaited before those files are read (the estimate waits for its scan's workers
 * there: the files' texts then take the room the workers held, not more).
 */
export async function wrappedFindings(root: string, files: string[], layout: LayoutEngine, facts: FactStore, pause: () => Promise<void> = async () => undefined, cacheDir?: string,
  isModule: (file: string) => boolean = () => false, beforeReading?: () => Promise<void>, ahead?: () => Promise<HeaderFacts | undefined>): Promise<WrappedFindings> {
  // wrapper names from the headers under the include dirs and the built files (in a function of
  // its own: this one's frame, kept across its awaits, would keep the worker's answer too)
  const graph = await (async () => headerGraph(layout, cacheDir, await ahead?.(), facts.known && knownByPath(root, facts.known)))();
  const readable: string[] = []; // first occurrence order, as the file list gives it
  const seen = new Set<string>();
  const defining: [string, string[]][] = [];
  for (const f of files) {
    if (seen.has(f)) continue;
    seen.add(f);
    await pause();
    const ff = facts.get(f);
    if (!ff) continue; // unreadable: the scan reports it
    graph.addDefines(ff.defines);
    if (ff.defines.length) defining.push([f, ff.defines.map(([n]) => n)]);
    readable.push(f);
  }
  const names = graph.names(true);
  const definers = defining.filter(([, ns]) => ns.some((n) => names.has(n))).map(([f]) => f);
  const allocWrappers = graph.allocWrappers(ALLOC_FUNCS);
  const macrosCalling = (fns: ReadonlySet<string>) => graph.callers(fns);
  const findings: WrappedFinding[] = [];
  const unresolved: Finding[] = [];
  const expanded: [string, string][] = [];
  if (!names.size) return { findings, unresolved, names, allocWrappers, expanded, definers, macrosCalling };
  await beforeReading?.();
  for (const f of readable) {
    if (!facts.callsAny(f, names)) continue;
    await pause();
    const w = wrappedIn(root, f, layout, names, isModule(f));
    if (!w) continue;
    // types the expansions define become visible to the layout as a file beside the source
    if (w.expanded) {
      expanded.push(w.expanded);
      layout.addSource(...w.expanded);
    }
    findings.push(...w.findings);
    unresolved.push(...w.unresolved);
  }
  return { findings, unresolved, names, allocWrappers, expanded, definers, macrosCalling };
}

/**
 * The per-CPU definitions the wrapper macros `names` expand to at file scope in the built file `f`
 * (its active text as `layout` loads it; undefined if it cannot), and the records the expansions
 * define, as a source beside the file. `module`: built with -DMODULE.
 */
export function wrappedIn(root: string, f: string, layout: LayoutEngine, names: Set<string>, module: boolean): { findings: WrappedFinding[]; unresolved: Finding[]; expanded?: [string, string] } | undefined {
  const abs = path.join(root, f);
  const lf = layout.index.loaded(abs);
  if (!lf) return undefined;
  const r = expandWrappers(lf.scan.active, names, layout.index.lookupFor(path.resolve(abs)));
  const base = (line: number, column: number, macro: string): Finding =>
    ({ kind: 'static', file: f, line, column, endLine: line, endColumn: column, name: '', type: '', macro });
  const findings: WrappedFinding[] = [];
  for (const d of r.defs) {
    if (BUILTIN_ONLY.has(d.via) && module) continue;
    findings.push({ ...base(d.line, d.column, d.macro), name: d.name, type: d.type, ...(d.dims.length ? { dims: d.dims } : {}), call: d.call });
  }
  const unresolved = r.problems.map((p): Finding => ({ ...base(p.line, p.column, p.via), unresolved: p.reason }));
  return { findings, unresolved, ...(r.records.length ? { expanded: [`${abs}.expanded.h`, r.records.join(';\n')] as [string, string] } : {}) };
}
