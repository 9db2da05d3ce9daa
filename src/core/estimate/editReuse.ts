// An estimate after an edit: the saved run of the same tree and options (resultCache.ts) no longer
// matches the tree's stamp, but its parts (reuse.ts) still answer for every file the edit cannot
// reach. The changed files are those whose stat differs from the one saved with the run (the same
// walk that stamps the tree); the run then goes the way diff's NEW side goes, with the saved scan
// rescanned for the changed files. Unlike diff, the files' earlier texts are gone: every check that
// would compare the two versions takes the earlier one from the parts or, when they do not know
// it, assumes the worst (a header's edit is followed through the include graph, unless the parts'
// shape of it says only record bodies changed). Files no stage
// reads are left out (inert); a Makefile, or a .c file added or removed, counts only if Kbuild read
// again builds something else or the include graph names it; a header added or removed, only if a
// lookup or #include of the saved run may meet it (headersSeen). Another kind of file, or parts
// that find they cannot answer (ReuseMiss): the estimate runs whole.
import * as path from 'path';
import { readText } from '../readText';
import { localIncludeDirectives } from '../config/kbuild';
import { RACY_MS } from '../parse/statIndex';
import type { ScanResult } from '../parse/types';
import { functionDefines, wrapperDefines } from './wrappers';
import { freshFiles, freshness, includeGraph, membersOnlyEdit, ReuseMiss, type IncludeGraph, type Parts, type Reuse } from './reuse';
import type { Previous } from './resultCache';
import { rescanOverlay, whyNotShared } from './diff/run';
import type { EstimateResult } from './types';
import type { Session } from './session';

/**
 * The files added, removed or with another stat than `before` (statsText of a stamp taken at
 * `takenAt`); racy ones count as changed. Both are in walk order: compared in step, without a map
 * of `before`, until they part (a file added or removed), then by path.
 */
export function changedFiles(before: string, takenAt: number, now: ReadonlyMap<string, string>): { changed: string[]; added: string[]; removed: string[] } {
  const changed: string[] = [];
  const added: string[] = [];
  const removed: string[] = [];
  const racy = takenAt - RACY_MS;
  // modified within RACY_MS of the snapshot: it may have changed again with the same stat
  const isRacy = (k: string) => { const c = k.indexOf(','); return Number(k.slice(c + 1, k.indexOf(',', c + 1))) >= racy; };
  let at = 0; // the next entry of `before` while the two are in step
  let rest: Map<string, string> | undefined; // the entries of `before` from where they parted, by path
  for (const [f, k] of now) {
    if (!rest) {
      const e = before.startsWith(f, at) && before.charCodeAt(at + f.length) === 0 ? before.indexOf('\0', at + f.length + 1) : -1;
      if (e >= 0) {
        const b = before.slice(at + f.length + 1, e);
        if (b !== k || isRacy(b)) changed.push(f);
        at = e + 1;
        continue;
      }
      rest = entries(before, at);
    }
    const b = rest.get(f);
    if (b === undefined) { added.push(f); continue; }
    rest.delete(f);
    if (b !== k || isRacy(b)) changed.push(f);
  }
  for (const f of (rest ?? entries(before, at)).keys()) removed.push(f);
  return { changed: changed.sort(), added: added.sort(), removed: removed.sort() };
}

/** The entries of a statsText from offset `at`, by path. */
function entries(text: string, at: number): Map<string, string> {
  const out = new Map<string, string>();
  while (at < text.length) {
    const a = text.indexOf('\0', at);
    const b = a < 0 ? -1 : text.indexOf('\0', a + 1);
    if (b < 0) break;
    out.set(text.slice(at, a), text.slice(a + 1, b));
    at = b + 1;
  }
  return out;
}

/**
 * Files no stage of an estimate reads, whatever they hold: the .config is an option (the result's
 * key), Kconfig files are not read, nor documentation, device trees, Rust, scripts or images; unless
 * a file the saved run's include graph reached #includes one (`included`). Anything else (.c, .h,
 * .S read for assembly symbols, Makefiles and what they include, unknown kinds) counts.
 */
export function inert(file: string, included: ReadonlySet<string>): boolean {
  if (included.has(file)) return false;
  const b = file.slice(file.lastIndexOf('/') + 1);
  return INERT_NAMES.test(b) || INERT_EXTENSIONS.test(b);
}
const INERT_NAMES = /^(?:Kconfig(?:\.\w+)?|MAINTAINERS|CREDITS|COPYING|README(?:\.\w+)?|\.gitignore|\.gitattributes|\.mailmap|\.clang-format|\.cocciconfig|\.get_maintainer\.ignore|\.rustfmt\.toml)$/;
const INERT_EXTENSIONS = /\.(?:rst|txt|yaml|yml|json|rs|py|sh|pl|awk|dts|dtsi|md|svg|png|jpg|gif|cocci)$/;
/** the files Kbuild reads: Makefile*, Kbuild*, *.mk (what a Makefile `include`s is named so too) */
const KBUILD_FILE = /(?:^|\/)(?:Makefile|Kbuild)[^/]*$|\.mk$/;

/** Whether `text` defines a function-like macro that is, or may now be, among the wrapper `names` (its body names one, or a DEFINE_PER_CPU*). */
function definesWrapper(text: string, names: ReadonlySet<string>): boolean {
  return wrapperDefines(text).some(([n, ids]) => names.has(n) || ids.some((i) => names.has(i) || /^(?:DEFINE|DECLARE)_PER_CPU/.test(i)));
}

/** The files Kbuild builds into `file`'s object from `text`'s local #includes, with their lines, none an object listed before it holds (kbuild.ts includedObjects); undefined: not known. */
export type LocalObjects = (file: string, text: string, taken: (rel: string) => boolean) => [string, number][] | undefined;

/**
 * Whether `now` (LocalObjects of an includer's new text, asked with the objects listed before it)
 * are the files and lines the saved objects hold as included from it: then Kbuild builds the same.
 */
function sameIncluded(objects: Parts['kb']['objects'], file: string, now: (taken: (rel: string) => boolean) => [string, number][] | undefined): boolean {
  const at = objects.findIndex((o) => o.file === file);
  if (at < 0) return false;
  const before = new Set(objects.slice(0, at + 1).map((o) => o.file));
  const got = now((f) => before.has(f));
  const saved = objects.filter((o) => o.includedFrom === file).map((o): [string, number] => [o.file, o.includeLine ?? 0]);
  return got !== undefined && JSON.stringify(got) === JSON.stringify(saved);
}

/**
 * The saved parts as a reuse for `changed` (existing .c/.h files whose text is now `textOf`), or why
 * the estimate must run whole. The earlier texts are unknown: a header edit is taken as changing only
 * definitions' text when the header's shape (of `headerText` now, layout/headerShape.ts) is the one
 * the parts saved, a built .c file's earlier mentions of the functions priced at their callers are the
 * parts' (byCallee), any other file's are assumed.
 */
export function editReuseFor(parts: Parts, changed: readonly string[], textOf: (file: string) => string | undefined, trace: boolean, headerText: (file: string) => string | undefined = () => undefined, unseen: ReadonlySet<string> = new Set(), localObjects?: LocalObjects): Reuse | string {
  if (trace) return 'a trace is attributed across files';
  const other = changed.find((f) => !/\.[ch]$/.test(f));
  if (other) return `${other} is not a .c or .h file`;
  const texts = new Map(changed.map((f) => [f, textOf(f)]));
  const unread = changed.find((f) => texts.get(f) === undefined);
  if (unread) return `${unread} cannot be read`;
  // a built .c file using a wrapper macro, that defines none now and defined none the saved run
  // counted: its uses are read again under the saved names (the other files' are as saved)
  const names = new Set(parts.wrapped.names);
  const definers = Array.isArray(parts.wrapped.definers) ? new Set(parts.wrapped.definers) : undefined;
  const rewraps = (f: string) => !!definers && f.endsWith('.c') && !definers.has(f) && !definesWrapper(texts.get(f)!, names);
  const why = whyNotShared([...changed], names, (f) => [texts.get(f)!], { includesCompared: localObjects !== undefined, rewraps });
  if (why) return why;
  // the earlier text used or expanded a wrapper macro: the wrapper findings come from whole-tree expansion
  const wrappedFiles = new Set([...parts.wrapped.findings, ...parts.wrapped.unresolved].map((f) => f.file).concat(parts.wrapped.expanded.map(([f]) => f)));
  const wrapped = changed.find((f) => wrappedFiles.has(f) && !rewraps(f));
  if (wrapped) return `${wrapped} used a per-CPU wrapper macro`;
  // Kbuild builds a built file's local #includes (a .c or .h beside it: ~3,500 of a distro config's
  // built files have one) into its object: the parts serve while the new text's are the files and
  // lines the saved run had (freshFiles redoes them with their includer), none before included
  const includers = new Set(parts.kb.objects.flatMap((x) => (x.includedFrom !== undefined ? [x.includedFrom] : [])));
  const objects = new Set(parts.kb.objects.flatMap((x) => (x.includedFrom === undefined ? [x.file] : [])));
  for (const f of changed) {
    if (!objects.has(f)) continue;
    if (!localObjects) { if (includers.has(f) || localIncludeDirectives(texts.get(f)!)) return `${f} #includes files built with it`; continue; }
    if (!sameIncluded(parts.kb.objects, f, (taken) => localObjects(f, texts.get(f)!, taken))) return `${f} changes what Kbuild builds with it`;
  }
  // a header of the saved shape changed only inside record bodies: what read it is known from each
  // piece of work's deps (freshness), as diff has it
  const shapes = new Map(parts.shapes ?? []);
  const membersOnly = membersOnlyEdit(parts);
  const shaped = new Set(changed.filter((f) => f.endsWith('.h') && shapes.has(f) && membersOnly(f, shapes.get(f), headerText(f))));
  const { fresh } = freshness(parts, changed, (f) => shaped.has(f));
  // what the include graph says the change reaches: not through a header of the saved shape (its
  // macros and functions are as they were; what read its records is redone by its deps)
  const near = freshFiles(parts, changed.filter((f) => !shaped.has(f)));
  const a = parts.alloc;
  const callersReached = new Set<string>();
  if (a.byCallee.length) {
    // without Kbuild every .c file is built (callsites)
    const builtC = new Set(parts.kb.objects.map((o) => o.file).filter((f) => f.endsWith('.c')));
    const isBuiltC = (f: string) => (parts.kb.objects.length ? builtC.has(f) : f.endsWith('.c'));
    // a .c file Kbuild does not build, nor includes in one it builds, has no call that counts, then or now
    const calling = changed.filter((f) => !(parts.kb.objects.length && f.endsWith('.c') && !builtC.has(f)));
    for (const [c, macros, files] of a.byCallee) {
      const re = new RegExp(`\\b(?:${[c, ...macros].join('|')})\\b`);
      // the earlier text named one: known for a built .c file (the mentions saved), a header of the
      // saved shape (its text outside record bodies is the new one's) and a header added or removed
      // that the saved run never read (`unseen`: none, or none that counted), assumed for any other
      const was = (f: string) => !shaped.has(f) && !unseen.has(f) && (!isBuiltC(f) || files.includes(f));
      if (calling.some((f) => re.test(texts.get(f)!) || was(f)) || files.some((f) => near.has(f))) callersReached.add(c);
    }
    // the macros calling those functions are the saved ones: a changed file that defines a function-like
    // macro naming one may have changed them (its earlier text is gone); not a header of the saved
    // shape, whose macros are as they were (a member added to include/linux/percpu_counter.h ran
    // whole: ~10 s on a distro config)
    if (callersReached.size) {
      const names = new RegExp(`\\b(?:${[...a.callees, ...a.calleeMacros].join('|')})\\b`);
      const defining = changed.find((f) => !shaped.has(f) && [...functionDefines(texts.get(f)!)].some((m) => names.test(m[0])));
      if (defining) return `${defining} defines a macro calling a function priced at its callers`;
    }
  }
  // every file's active #includes are the saved ones but the changed .c files' (a header's #if never
  // sees a .c file's macros) and the changed headers' of the saved shape (their directives and macros
  // are as they were): the closures walk the saved lists, the changed files read again (reusedInputs)
  const includesHold = changed.every((f) => f.endsWith('.c') || shaped.has(f));
  // the built .c files whose wrapper uses are read again: those that had findings from one, or call one now
  const built = new Set(parts.kb.objects.map((o) => o.file));
  const use = names.size ? new RegExp(`\\b(?:${[...names].join('|')})\\s*\\(`) : undefined;
  const rewrap = new Set(changed.filter((f) => built.has(f) && rewraps(f) && (wrappedFiles.has(f) || !!use?.test(texts.get(f)!))));
  return { parts, changed: new Set(changed), fresh, redone: new Set(), callersReached, reaches: near, includesHold, ...(rewrap.size ? { rewrap } : {}) };
}

/**
 * The earlier run's include graph when it still answers: every root is in it and each changed file
 * includes what it did (its other files are unchanged). Roots the run no longer has leave edges
 * too many, never too few (dependents over-approximates, as the graph does). Spares reading the
 * include directives of ~7,000 files again; undefined: build the graph anew.
 */
export function keptIncludeGraph(old: IncludeGraph, root: string, roots: Iterable<string>, changed: ReadonlySet<string>, dirs: readonly string[], includesOf: (file: string) => string[]): IncludeGraph | undefined {
  const ids = new Map(old.files.map((f, i) => [f, i]));
  for (const r of roots) if (!ids.has(r)) return undefined;
  const now = includeGraph(root, [...changed].filter((f) => ids.has(f)), dirs, (f) => (changed.has(f) ? includesOf(f) : []));
  const names = (g: IncludeGraph, i: number) => g.edges[i].map((e) => g.files[e]).sort().join('\n');
  for (const [i, f] of now.files.entries()) if (changed.has(f) && names(now, i) !== names(old, ids.get(f)!)) return undefined;
  return old;
}

/**
 * Why the headers added (`added`) or removed (`removed`) may change what the saved run read, or
 * undefined when they cannot. A lookup meets a header through the raw index (the include dirs,
 * `include/` and `arch/ARCH/include/` of every arch taken as such, and the build's -I dirs) or the
 * asking file's own folder (asking files are the include graph's); a closure meets it through an
 * #include. So a header outside those dirs, in a folder holding no other file of the saved include
 * graph, that no such file #includes by its name (an added one) and that none included (a removed one).
 */
export function headersSeen(parts: Parts, added: readonly string[], removed: readonly string[], includesOf: () => (file: string) => string[]): string | undefined {
  const graph = parts.includes.files;
  const own = new Set([...added, ...removed]); // a header with findings is in the graph itself
  const folders = new Set(graph.filter((f) => !own.has(f)).map((f) => path.posix.dirname(f)));
  const dirs = parts.kb.includeDirs.map((x) => (x.endsWith('/') ? x : `${x}/`));
  const what = (f: string) => `header ${added.includes(f) ? 'added' : 'removed'} (${f})`;
  for (const f of [...added, ...removed]) {
    if (/^(?:include|arch\/[^/]+\/include)\//.test(f) || dirs.some((x) => f.startsWith(x))) return `${what(f)} under the include dirs`;
    if (folders.has(path.posix.dirname(f))) return `${what(f)} beside files the estimate read`;
  }
  const included = new Set(parts.includes.edges.flat().map((i) => graph[i]));
  const gone = removed.find((f) => included.has(f));
  if (gone) return `${gone} was #included`;
  if (!added.length) return undefined;
  const names = new Set(added.map((f) => path.posix.basename(f)));
  const includes = includesOf();
  // a directive as written, "x.h" or <a/x.h>: its last name
  const last = (x: string) => x.slice(x.lastIndexOf('/') + 1 || 1, -1);
  const includer = graph.find((f) => includes(f).some((x) => names.has(last(x))));
  return includer ? `${includer} #includes a file of the name of a header added` : undefined;
}

/** What estimate() lends this module (index.ts imports it, so not imported back). */
export interface EditRunner {
  /** every stage, given the scan and the reuse */
  run: (scan: ScanResult, reuse: Reuse, onParts: (p: Parts) => void) => Promise<EstimateResult>;
  session: (parts: Parts) => Promise<Session>;
  /**
   * Kbuild read again under the run's options, as the parts keep it, and a file's #include
   * directives as written (facts cached by stat); undefined where it cannot be compared (a compiler
   * builds the objects)
   */
  tree?: () => { kb: Parts['kb']; includes: (file: string) => string[] } | undefined;
  /** a file's #include directives as written (facts cached by stat), without reading Kbuild */
  includes?: () => (file: string) => string[];
  /** Kbuild's objects built into a file's by its local #includes, under the run's options */
  localObjects?: LocalObjects;
}

/**
 * The estimate of `root` (stat of every file: `now`) from `prev`, the last saved run of the same
 * options, redoing only what the changed files reach; undefined when it cannot (see editReuseFor),
 * with the reason in `why`. The result's stats say what was reused (partsReused). `sameTree`:
 * `prev` is a run of other options the parts serve for (estimate.ts siblingOf), taken only while
 * no file changed since it.
 */
export async function estimateAfterEdit(root: string, prev: Previous, now: ReadonlyMap<string, string>, o: { include?: string[]; exclude?: string[]; cacheDir?: string; trace?: unknown; compact?: () => void; onProgress?: (done: number, total: number, message: string) => void }, runner: EditRunner, sameTree = false): Promise<{ result: EstimateResult; scan: ScanResult; parts?: Parts } | { why: string }> {
  const t0 = Date.now();
  const all = changedFiles(prev.files, prev.takenAt, now);
  prev.files = ''; // ~86,000 entries nobody reads again
  // files no stage reads (a pull's Kconfig, documentation and device-tree changes) change nothing: left out
  const included = new Set(prev.parts.includes.files);
  const counts = (f: string) => !inert(f, included);
  const d = { changed: all.changed.filter(counts), added: all.added.filter(counts), removed: all.removed.filter(counts) };
  // another run's parts serve only for the tree as it was then: nothing to read again before saying so
  const since = d.changed[0] ?? d.added[0] ?? d.removed[0];
  if (sameTree && since !== undefined) return { why: `${since} changed since` };
  // a Makefile or Kbuild file below the top changed, came or went: it counts only if what Kbuild builds
  // changes (a pull's Makefile edits are mostly for options the config leaves out); the top Makefile
  // also gives the kernel version
  const build = [...d.changed, ...d.added, ...d.removed].filter((f) => KBUILD_FILE.test(f));
  // a .c file added or removed that Kbuild does not build (it would list it, or a built file's local
  // #include would) and that no file of the saved include graph can #include: only its own findings
  // change (scanned, or dropped); a header added or removed may answer lookups: whole
  const sources = [...d.added, ...d.removed].filter((f) => f.endsWith('.c'));
  if (build.length || sources.length) {
    if (build.includes('Makefile')) return { why: 'Makefile (the kernel version, the top lists) changed' };
    const now = runner.tree?.();
    const first = build[0] ?? sources[0];
    if (!now) return { why: build.length ? `${first} is a build file` : `files ${d.added.length ? `added (${d.added[0]})` : `removed (${d.removed[0]})`}` };
    if (JSON.stringify(now.kb) !== JSON.stringify(prev.parts.kb)) return { why: `${first} changes what Kbuild builds` };
    const reached = prev.parts.includes.files;
    const gone = d.removed.find((f) => f.endsWith('.c') && reached.includes(f));
    if (gone) return { why: `${gone} was #included` };
    const named = new Set(d.added.filter((f) => f.endsWith('.c')).map((f) => f.slice(f.lastIndexOf('/') + 1)));
    // a directive as written, "x.c" or <a/x.c>: its last name
    const last = (x: string) => x.slice(x.lastIndexOf('/') + 1 || 1, -1);
    const includer = named.size ? reached.find((f) => now.includes(f).some((x) => named.has(last(x)))) : undefined;
    if (includer) return { why: `${includer} #includes a file of the name of one added` };
    const same = new Set(build);
    for (const k of ['changed', 'added', 'removed'] as const) d[k] = d[k].filter((f) => !same.has(f));
    // the sources as changed files: rescanned (an added one) or dropped (a removed one: no text)
    d.changed = [...d.changed, ...sources].sort();
    const src = new Set(sources);
    d.added = d.added.filter((f) => !src.has(f));
    d.removed = d.removed.filter((f) => !src.has(f));
  }
  // a header added or removed where no lookup and no #include of the saved run reaches: a changed
  // file (its own findings scanned, or dropped), as an unbuilt .c file is
  const headers = [...d.added, ...d.removed].filter((f) => f.endsWith('.h'));
  const unseen = new Set<string>();
  if (headers.length && headers.length === d.added.length + d.removed.length && runner.includes) {
    const why = headersSeen(prev.parts, d.added, d.removed, runner.includes);
    if (why) return { why };
    d.changed = [...d.changed, ...headers].sort();
    d.added = [];
    d.removed = [];
    for (const h of headers) unseen.add(h);
  }
  if (d.added.length || d.removed.length) return { why: `files ${d.added.length ? `added (${d.added[0]})` : `removed (${d.removed[0]})`}` };
  if (!sameTree && all.changed.length + all.added.length + all.removed.length === 0) return { why: 'no file changed' };
  // a removed source reads as empty: unbuilt, nothing it held reached another file (above)
  const removed = new Set(all.removed);
  const read = (f: string) => { if (removed.has(f)) return ''; try { return readText(path.join(root, f), 'utf8'); } catch { return undefined; } };
  // read as the raw index reads headers (latin1), or a byte past ASCII would change the shape
  const headerText = (f: string) => { try { return readText(path.join(root, f), 'latin1'); } catch { return undefined; } };
  const reuse = editReuseFor(prev.parts, d.changed, read, o.trace !== undefined, headerText, unseen, runner.localObjects);
  if (typeof reuse === 'string') return { why: reuse };
  o.onProgress?.(0, 1, sameTree ? 're-using the estimate saved with other CPU counts' : `re-using the last estimate: ${d.changed.length} file(s) changed since`);
  const scan = await rescanOverlay(prev.scan, { root, files: new Map(d.changed.map((f) => [f, removed.has(f) ? null : path.join(root, f)])) }, o);
  reuse.session = await runner.session(prev.parts);
  if (o.cacheDir !== undefined) reuse.cacheDir = o.cacheDir;
  o.compact?.(); // the saved files' JSON read above is garbage now
  const prepMs = Date.now() - t0;
  let parts: Parts | undefined;
  let result: EstimateResult;
  try {
    result = await runner.run(scan, reuse, (p) => { parts = p; });
  } catch (e) {
    if (e instanceof ReuseMiss) return { why: e.message };
    throw e;
  }
  const stats = result.stats;
  return {
    result: { ...result, stats: { ...stats, phases: { edit: prepMs, ...stats.phases }, partsReused: { changed: d.changed.length, redone: reuse.redone!.size } } },
    scan, ...(parts ? { parts } : {}),
  };
}
