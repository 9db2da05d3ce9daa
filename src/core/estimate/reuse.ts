// What one estimate keeps per file so that another estimate of the same tree with a few files
// changed (diff's NEW side) redoes only the files the change can reach. Each stage's work is cut in
// segments, a run of findings of one file in the order the stage reads them; a segment's outcome
// depends on its file, the headers that file includes (the include graph below) and inputs shared
// by the whole tree (Kbuild, the wrapper findings, the first chunk), which the caller checks. A
// segment of a file the change cannot reach is taken as the earlier run left it; the merge is the
// same code the full run goes through, so both give the same result, in the same order.
import * as fs from 'fs';
import * as path from 'path';
import type { BuiltObject } from '../config/kbuild';
import { stripComments } from '../config/lex';
import { FALLBACK_FILE } from '../layout/fallback';
import { headerShapeOf } from '../layout/typeIndex';
import type { Finding } from '../parse/types';
import type { Diagnostic, Sizer } from '../rules/types';
import type { RefcountSaved } from '../rules/refcountFacts';
import type { CallsiteRef } from './counts';
import type { Ledger } from './pricing';
import type { FactStore } from './fileFacts';
import type { StaticVar } from './staticArea';
import type { Callsite, NotBuilt, NrCpusArray, Unresolved } from './types';
import type { WrappedFinding } from './wrapped';
import type { Session } from './session';

/** A run of findings of one file (`n` of them), what a stage made of them and the files that read (ids into Parts.depFiles). */
export interface Seg<T> { file: string; n: number; out: T; deps?: number[] }

/**
 * Collects the files a piece of work reads (the layout engine's TypeIndex.openFrame / closeFrame), as
 * ids. `close(true)` also gives them to the enclosing piece; `add` gives it the files of an answer
 * taken from a table instead of the layout (recordingSizer), as the layout's own caches do on a hit.
 */
export interface Tracker { open(): void; close(merge?: boolean): number[] | undefined; add(deps: readonly number[] | undefined): void }

/** A Tracker over `index`, naming files in `table` (root-relative inside `root`). */
export function depTracker(index: { openFrame(): void; closeFrame(merge?: boolean): Set<string> | undefined; addDeps(files: Iterable<string> | undefined): void }, root: string, table: string[]): Tracker {
  const ids = new Map(table.map((f, i) => [f, i])); // a table handed in keeps its ids
  const id = (abs: string) => {
    const f = abs.startsWith(root + path.sep) ? abs.slice(root.length + 1).split(path.sep).join('/') : abs;
    let i = ids.get(f);
    if (i === undefined) { ids.set(f, (i = table.length)); table.push(f); }
    return i;
  };
  // as the layout names the file: the tree's under root, others absolute, the fallback header by its
  // own name; made once per file (an answer asked again adds its files each time)
  const names: string[] = [];
  const abs = (i: number) => (names[i] ??= path.isAbsolute(table[i]) || table[i] === FALLBACK_FILE ? table[i] : path.join(root, table[i]));
  return {
    open: () => index.openFrame(),
    close: (merge = false) => { const s = index.closeFrame(merge); return s && [...s].map(id).sort((a, b) => a - b); },
    add: (deps) => { if (deps?.length) index.addDeps(deps.map(abs)); },
  };
}

/** A segment's share of the ledger. */
export interface LedgerPart { unresolved: Unresolved[]; notBuilt: NotBuilt[]; warnings: string[] }

export interface StaticsOut extends LedgerPart {
  builtin: StaticVar[];
  /** [module, its order, its variables] in first-seen order */
  modules: [string, number, StaticVar[]][];
  declares: number;
  /** #if conditions placement could not evaluate */
  condErrors: string[];
}
/** `callees`: the functions of the segment's sites priced at their callers (their price depends on other files) */
export interface AllocsOut extends LedgerPart { sites: Callsite[]; runTime: CallsiteRef[]; callees?: string[] }
export interface NrOut extends LedgerPart { items: NrCpusArray[] }

/** One file's rules: its diagnostics (or the error they threw) and the bytes PCPU005 weighed, by the finding's index in the file. */
export interface FileRulesOut { file: string; diagnostics: Diagnostic[]; error?: string; large: [number, number][]; deps?: number[] }

/** Every file's #includes that resolve, as ids into `files` (root-relative, or absolute outside the tree). */
export interface IncludeGraph { files: string[]; edges: number[][] }

export interface Parts {
  kb: { objects: BuiltObject[]; includeDirs: string[]; warnings: string[] };
  /** `definers`: WrappedFindings.definers (absent in parts saved before it: an edit of a file using a wrapper runs whole) */
  wrapped: { findings: WrappedFinding[]; unresolved: Finding[]; names: string[]; allocWrappers: string[]; expanded: [string, string][]; definers?: string[] };
  statics: Seg<StaticsOut>[];
  alloc: {
    /** the names every built file was searched for, and the ones each file (with any) mentions */
    names: string[]; mentions: [string, string[]][];
    called: string[]; viaMacros: Finding[]; segs: Seg<AllocsOut>[];
    /**
     * the functions whose sites are priced at their callers, the macros expanding to a call of one
     * (the wrapper graph's answer) and the built files mentioning any of them (sorted)
     */
    callees: string[]; calleeMacros: string[]; callerFiles: string[];
    /** each of `callees`: the macros calling it and the built files mentioning it or one of them */
    byCallee: [string, string[], string[]][];
  };
  /** the NR_CPUS arrays priced at these units, possible CPUs, NR_CPUS and instances (each changes their figures) */
  nr: { units: number; possible: number; nrCpus: number; instances: number; segs: Seg<NrOut>[] };
  /** absent: the rules did not run; sizes: [question, answer, files it read] */
  rules?: { profile: string; files: FileRulesOut[]; sizes: [string, unknown, number[]?][]; refcounts?: RefcountSaved };
  includes: IncludeGraph;
  /** the shapes (layout/headerShape.ts) of the include graph's headers the raw index read, by file */
  shapes?: [string, string][];
  /** each file's active #includes as the layout engine walked them (TypeIndex.activeIncludes) */
  active?: ActiveGraph;
  /** the files segments read, by id (Seg.deps) */
  depFiles: string[];
}

/** What a run re-uses: the parts of an earlier run of the same tree and options, and which files it must redo. */
export interface Reuse {
  parts: Parts;
  /** the files whose text differs from the earlier run's */
  changed: ReadonlySet<string>;
  /**
   * whether work on `file` that read `deps` (Seg.deps; undefined: not known) must be done again:
   * the file changed, or what it read did (freshness)
   */
  fresh: (file: string, deps?: number[]) => boolean;
  /** where the earlier run's header index is kept (headerCache.ts) */
  cacheDir?: string;
  /** a layout session made for this run outside the overlay (reuseSession); else one is made */
  session?: Session;
  /** receives the files whose work was done again */
  redone?: Set<string>;
  /** the functions priced at their callers (parts.alloc.callees) whose callers the change may reach: their segments are redone */
  callersReached?: ReadonlySet<string>;
  /** the files the change reaches through the include graph, when fewer than freshFiles of `changed` (editReuse.ts) */
  reaches?: ReadonlySet<string>;
  /** the saved active #includes (Parts.active) hold for every file but the changed ones: no changed file's preprocessor lines differ (sameDirectives), or each is a .c file or a header of the saved shape (editReuseFor) */
  includesHold?: boolean;
  /** the file facts the edit's check opened to read Kbuild again: the run asks the same ones */
  facts?: FactStore;
  /** changed built .c files whose wrapper macros' per-CPU definitions are read again (the wrapper names are the saved ones: editReuseFor) */
  rewrap?: ReadonlySet<string>;
}

/** Thrown when a run re-using parts finds they cannot answer for it; the caller estimates whole. */
export class ReuseMiss extends Error {
  constructor(why: string) { super(`parts not re-usable: ${why}`); this.name = 'ReuseMiss'; }
}

/**
 * The functions priced at their callers (parts.alloc.callees) whose callers the change may reach: a
 * changed file names the function or a macro calling it, in its old or new text (a caller added,
 * removed or edited, a macro changed), or a file mentioning one of them, or a header it includes, changed.
 */
export function reachesCallers(parts: Parts, changed: readonly string[], texts: (file: string) => (string | undefined)[]): Set<string> {
  const out = new Set<string>();
  const a = parts.alloc;
  if (!a.byCallee.length) return out;
  const near = freshFiles(parts, changed);
  const all = changed.flatMap(texts);
  for (const [c, macros, files] of a.byCallee) {
    const re = new RegExp(`\\b(?:${[c, ...macros].join('|')})\\b`);
    if (all.some((t) => t === undefined || re.test(t)) || files.some((f) => near.has(f))) out.add(c);
  }
  return out;
}

export const emptyLedger = (): LedgerPart => ({ unresolved: [], notBuilt: [], warnings: [] });

/** Adds a segment's ledger share to `l`. */
export function addLedger(l: Ledger, p: LedgerPart): void {
  l.unresolved.push(...p.unresolved);
  l.notBuilt.push(...p.notBuilt);
  l.warnings.push(...p.warnings);
}

/**
 * `findings` cut in runs of one file, each given to `run` or, for a file `reuse.fresh` does not
 * name, taken from `reuse.saved` (the same file's segments in the same order, when their sizes match).
 */
export async function segmented<T>(findings: readonly Finding[], run: (fs: Finding[]) => Promise<T>, reuse?: { saved: Seg<T>[]; fresh: (file: string, deps?: number[]) => boolean; redone?: Set<string> }, track?: Tracker): Promise<Seg<T>[]> {
  const queues = new Map<string, Seg<T>[]>();
  if (reuse) for (const s of reuse.saved) { const q = queues.get(s.file); if (q) q.push(s); else queues.set(s.file, [s]); }
  const out: Seg<T>[] = [];
  for (let i = 0; i < findings.length; ) {
    const file = findings[i].file;
    let j = i + 1;
    while (j < findings.length && findings[j].file === file) j++;
    const n = j - i;
    const old = queues.get(file)?.shift();
    if (old && old.n === n && !reuse!.fresh(file, old.deps)) out.push(old);
    else {
      reuse?.redone?.add(file);
      track?.open();
      let r!: T;
      let deps: number[] | undefined;
      try { r = await run(findings.slice(i, j)); } finally { deps = track?.close(); }
      out.push({ file, n, out: r, ...(deps ? { deps } : {}) });
    }
    i = j;
  }
  return out;
}

/**
 * The include graph from `roots` down: each file's #include directives (as written, any #if
 * branch: more edges than gcc sees, never fewer) resolved as the type index resolves them (the
 * including file's folder for quoted names, then `dirs`, then asm-generic for asm/).
 */
export function includeGraph(root: string, roots: Iterable<string>, dirs: readonly string[], includesOf: (file: string) => string[]): IncludeGraph {
  const ids = new Map<string, number>();
  const files: string[] = [];
  const edges: number[][] = [];
  // a folder read once answers every name looked up in it (a header is looked up in ~20 include dirs)
  const listings = new Map<string, Set<string> | null>();
  const isFile = (p: string) => {
    const d = path.dirname(p);
    let l = listings.get(d);
    if (l === undefined) { try { l = new Set(fs.readdirSync(d)); } catch { l = null; } listings.set(d, l); }
    return !!l && l.has(path.basename(p));
  };
  const angled = new Map<string, string | undefined>();
  // answers kept per name and per (folder, name): a header is included from ~100s of files
  const relOf = new Map<string, string>();
  const rel = (abs: string) => {
    let r = relOf.get(abs);
    if (r === undefined) relOf.set(abs, (r = abs.startsWith(root + path.sep) ? abs.slice(root.length + 1).split(path.sep).join('/') : abs));
    return r;
  };
  const quoted = new Map<string, string | null>();
  const resolve = (spec: string, fromDir: string): string | undefined => {
    const name = spec.slice(1, -1);
    const global = () => {
      if (angled.has(name)) return angled.get(name);
      let r: string | undefined;
      for (let i = 0; r === undefined && i < dirs.length; i++) { const t = path.join(dirs[i], name); if (isFile(t)) r = t; }
      if (!r && name.startsWith('asm/')) { const g = path.join(root, 'include', 'asm-generic', name.slice(4)); if (isFile(g)) r = g; }
      angled.set(name, r);
      return r;
    };
    if (spec[0] === '"') {
      const k = `${fromDir}\0${name}`;
      let local = quoted.get(k);
      if (local === undefined) { const t = path.join(fromDir, name); quoted.set(k, (local = isFile(t) ? t : null)); }
      if (local !== null) return local;
    }
    return global();
  };
  const id = (f: string): number => {
    let i = ids.get(f);
    if (i === undefined) { ids.set(f, (i = files.length)); files.push(f); edges.push([]); todo.push(i); }
    return i;
  };
  const todo: number[] = [];
  for (const r of roots) id(r);
  while (todo.length) {
    const i = todo.pop()!;
    const f = files[i];
    const dir = path.dirname(path.resolve(root, f));
    const out = new Set<number>();
    for (const spec of includesOf(f)) {
      const r = resolve(spec, dir);
      if (r) out.add(id(rel(r)));
    }
    edges[i] = [...out];
  }
  return { files, edges };
}

/** Files' include lists by id into `files` (root-relative, or absolute outside the tree); null: a file met only as an include. */
export interface ActiveGraph { files: string[]; edges: (number[] | null)[] }

/** Files' include lists (absolute paths) as an ActiveGraph. */
export function toGraph(root: string, lists: ReadonlyMap<string, string[]>): ActiveGraph {
  const ids = new Map<string, number>();
  const files: string[] = [];
  const edges: (number[] | null)[] = [];
  const rel = (abs: string) => (abs.startsWith(root + path.sep) ? abs.slice(root.length + 1).split(path.sep).join('/') : abs);
  const id = (abs: string) => {
    let i = ids.get(abs);
    if (i === undefined) { ids.set(abs, (i = files.length)); files.push(rel(abs)); edges.push(null); }
    return i;
  };
  for (const [f, l] of lists) { const i = id(f); edges[i] = l.map(id); }
  return { files, edges };
}

/** toGraph undone: each file that has a list, with it, absolute. */
export function fromGraph(root: string, g: ActiveGraph): Map<string, string[]> {
  const abs = g.files.map((f) => (path.isAbsolute(f) ? f : path.join(root, f)));
  const out = new Map<string, string[]>();
  g.edges.forEach((es, i) => { if (es) out.set(abs[i], es.map((e) => abs[e])); });
  return out;
}

/**
 * Whether two texts of a file have the same preprocessor lines (comments gone, continued lines
 * joined, spaces folded): what decides every file's active #includes and macros. Such an edit
 * leaves each file's active #includes as they were.
 */
export function sameDirectives(before: string, after: string): boolean {
  const lines = (t: string) => stripComments(t).replace(/\\\r?\n/g, ' ').split('\n').filter((l) => /^\s*#/.test(l)).map((l) => l.replace(/\s+/g, ' ').trim().replace(/^# /, '#')).join('\n');
  return lines(before) === lines(after);
}

/** The files of `g` whose include closure holds one of `changed` (the changed ones among them). */
export function dependents(g: IncludeGraph, changed: Iterable<string>): Set<string> {
  const back: number[][] = g.files.map(() => []);
  g.edges.forEach((es, i) => { for (const e of es) back[e].push(i); });
  const ids = new Map(g.files.map((f, i) => [f, i]));
  const seen = new Set<number>();
  const todo = [...changed].flatMap((f) => (ids.has(f) ? [ids.get(f)!] : []));
  for (const i of todo) seen.add(i);
  while (todo.length) for (const j of back[todo.pop()!]) if (!seen.has(j)) { seen.add(j); todo.push(j); }
  return new Set([...seen].map((i) => g.files[i]));
}

/**
 * A sizer that remembers its answers (without a scope) by asking file; given `saved`, answers a
 * question of a file `usable` names from it. The rules ask thousands of sizes of files the change
 * does not reach, and the same ones whatever the possible CPUs (a sibling's run, estimate.ts). An
 * answer's files join the piece of work asking (`track`), whether it was worked out or taken.
 */
export function recordingSizer(s: Sizer, saved?: ReadonlyMap<string, [unknown, number[]?]>, usable: (file: string, deps?: number[]) => boolean = () => false, track?: Tracker): { sizer: Sizer; entries: Map<string, [unknown, number[]?]> } {
  const entries = new Map<string, [unknown, number[]?]>();
  const ask = <R>(m: string, t: string, f: string | undefined, go: () => R): R => {
    const k = `${m}\0${f ?? ''}\0${t}`;
    const known = entries.get(k);
    if (known) { track?.add(known[1]); return known[0] as R; }
    const old = f !== undefined ? saved?.get(k) : undefined;
    // an entry of another shape (a damaged parts file) is no answer: worked out again
    if (old && (old[1] === undefined || Array.isArray(old[1])) && usable(f!, old[1])) { entries.set(k, old); track?.add(old[1]); return old[0] as R; }
    track?.open();
    let r!: R;
    let deps: number[] | undefined;
    try { r = go(); } finally { deps = track?.close(true); }
    entries.set(k, deps ? [r, deps] : [r]);
    return r;
  };
  return {
    entries,
    sizer: {
      sizeOf: (t, f, sc) => (sc ? s.sizeOf(t, f, sc) : ask('s', t, f, () => s.sizeOf(t, f))),
      evalInt: (e, f, sc) => (sc ? s.evalInt(e, f, sc) : ask('e', e, f, () => s.evalInt(e, f))),
      record: (t, f) => ask('r', t, f, () => s.record(t, f)),
    },
  };
}

/**
 * Which files a run re-using `parts` redoes: the changed ones, every file including one, and every
 * file Kbuild builds as part of a file redone (kernel/rcu/tasks.h, #included by update.c, is sized
 * with what update.c includes before it).
 */
export function freshFiles(parts: Pick<Parts, 'includes' | 'kb'>, changed: Iterable<string>): Set<string> {
  const c = [...changed];
  const out = new Set([...c, ...dependents(parts.includes, c)]);
  const within = parts.kb.objects.filter((o) => o.includedFrom !== undefined);
  for (let grew = true; grew; ) {
    grew = false;
    for (const o of within) if (!out.has(o.file) && out.has(o.includedFrom!)) { out.add(o.file); grew = true; }
  }
  return out;
}

/**
 * Whether a header's edit changes only members of its records: the same shape (layout/headerShape.ts:
 * the text outside struct and union bodies, and the names the raw index reads). Then what read the
 * header is known from the files each piece of work read (Seg.deps): include order, active text,
 * every macro and function, and which header defines a name are as before.
 */
export function contentOnly(before: string, after: string): boolean {
  return headerShapeOf(before) === headerShapeOf(after);
}

/**
 * The test diff and an estimate after an edit both put to a changed header: `before` its shape
 * before the edit (diff: of OLD's text; after an edit: the one the parts saved), `now` its text.
 * contentOnly, and not for a header built inside a .c (spliced into its emission order) or one
 * declaring per-CPU variables (their lines order the includers' variables: a DECLARE_PER_CPU is
 * outside any record, so one in the old text changes the shape).
 */
export function membersOnlyEdit(parts: Parts): (file: string, before: string | undefined, now: string | undefined) => boolean {
  const inside = new Set(parts.kb.objects.filter((x) => x.includedFrom !== undefined).map((x) => x.file));
  return (file, before, now) => before !== undefined && now !== undefined && !inside.has(file) && !/DECLARE_PER_CPU/.test(now) && headerShapeOf(now) === before;
}

/**
 * The reuse predicate for `changed` files: work on a file redone when the file is in `closure`
 * (changed, including a changed file whose edit is more than contentOnly, or built inside such a
 * file), or when it read a contentOnly header (by its deps; without deps, by the include graph).
 */
export function freshness(parts: Parts, changed: readonly string[], isContentOnly: (file: string) => boolean): { fresh: (file: string, deps?: number[]) => boolean; files: Set<string> } {
  const headers = changed.filter((f) => f.endsWith('.h') && isContentOnly(f));
  const closure = freshFiles(parts, changed.filter((f) => !headers.includes(f)));
  for (const h of headers) closure.add(h);
  const wide = freshFiles(parts, changed);
  const ids = new Set(headers.flatMap((h) => { const i = parts.depFiles.indexOf(h); return i >= 0 ? [i] : []; }));
  const fresh = (file: string, deps?: number[]) => closure.has(file) || (deps === undefined ? wide.has(file) : deps.some((d) => ids.has(d)));
  return { fresh, files: wide };
}
