// What the estimate reads from every file a config builds besides the scan's findings: its local
// #include directives (Kbuild: .c files built into another object), its function-like upper-case
// #defines (the wrapper-macro graph) and the upper-case names it calls (possible wrapper uses).
// A distro config builds ~19,000 files; these facts are kept per file version, keyed by stat as
// the scan's stat index does, so a warm run reads none of them and an edited file is read once.
// The same holds for which of a list of names (header inline functions, alloc_percpu wrapper
// macros) a file mentions, kept with the list it answered.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { LocalDirectives, localIncludeDirectives } from '../config/kbuild';
import { codeSalt } from '../parse/cache';
import { KnownStats, RACY_MS, StatKey, statKey, statUnchanged } from '../parse/statIndex';
import { MAPPED, readCacheText, readText, withBytes } from '../readText';
import { overlayActive, redirect } from '../overlay';
import { flat } from '../flat';
import { writeAtomic } from '../writeAtomic';
import { JsonEntries, jsonPieces } from '../jsonPieces';
import { WrapperDefine, upperCalls, wrapperDefines } from './wrappers';
import { DATA, IN_PLACE_LIMIT, PAD, fillNeedles } from '../parse/prefilter';
import { PREFILTER_WASM } from '../parse/prefilterWasm';

const SCHEMA = 'percpu-lens-facts-3';
/** at most this many answers read afresh, beside many saved ones not asked for: the saved file is not rewritten (save) */
const FEW_FRESH = 64;
/** fewer files than this are searched on the caller's thread, as asked (a worker costs ~30 ms to start) */
const PREFETCH_MIN = 500;

export interface FileFacts {
  local?: LocalDirectives;
  defines: WrapperDefine[];
  calls: string[];
}

/** The names of a list (by its key) that a file mentions. */
interface Mentions { key: string; names: string[] }
/** [stat, local directives or 0, defines, indexes of called names in the file's name table, mentions or 0 (names as indexes)] */
type Entry = [StatKey, LocalDirectives | 0, WrapperDefine[], number[], [string, number[]] | 0];
interface Saved { schema: string; salt: string; writtenAt: number; names: string[]; files: Record<string, Entry>; includes?: Record<string, [StatKey, string[]]> }

/** A text's #include directives as written, `<a/b.h>` or `"c.h"`, whatever #if they sit under (the include graph over-approximates). */
export function includeDirectives(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^[ \t]*#[ \t]*include[ \t]*([<"][^>"\n]+[>"])/gm)) out.push(m[1]);
  return out;
}

/** The #include directives of the file at `abs` (through an overlay), read from its bytes; [] when unreadable. */
export function readIncludes(abs: string): string[] {
  try { return withBytes(abs, includeDirectivesIn); } catch { return []; }
}

const INCLUDE = Buffer.from('include', 'latin1');
const isBlank = (c: number) => c === 0x20 || c === 0x09;

/**
 * includeDirectives of the bytes' latin1 text, without making that text (the include graph reads
 * ~100 MB of sources and headers for a few KB of directives): each `include` that follows
 * `^[ \t]*#[ \t]*` (a line starts after \n or \r, as `^` under /m in a latin1 string), the next hit
 * searched after a match's end, as matchAll does.
 */
export function includeDirectivesIn(b: Buffer): string[] {
  const out: string[] = [];
  for (let at = b.indexOf(INCLUDE); at >= 0; ) {
    let next = at + INCLUDE.length;
    let i = at - 1;
    while (i >= 0 && isBlank(b[i])) i--;
    if (i >= 0 && b[i] === 0x23) {
      i--;
      while (i >= 0 && isBlank(b[i])) i--;
      if (i < 0 || b[i] === 0x0a || b[i] === 0x0d) {
        let j = next;
        while (j < b.length && isBlank(b[j])) j++;
        if (b[j] === 0x3c || b[j] === 0x22) {
          let k = j + 1;
          while (k < b.length && b[k] !== 0x3e && b[k] !== 0x22 && b[k] !== 0x0a) k++;
          if (k < b.length && b[k] !== 0x0a && k > j + 1) {
            out.push(b.toString('latin1', j, k + 1));
            next = k + 1;
          }
        }
      }
    }
    at = b.indexOf(INCLUDE, next);
  }
  return out;
}

/** A file's facts; `keep` gives each string a copy that does not hold the file's text alive. */
export function factsOf(text: string, keep: (s: string) => string = flat): FileFacts {
  const local = localIncludeDirectives(text)?.map(([n, l]): [number, string] => [n, keep(l)]);
  const defines = wrapperDefines(text).map(([n, ids]): WrapperDefine => [keep(n), ids.map(keep)]);
  return { ...(local ? { local } : {}), defines, calls: upperCalls(text).map(keep) };
}

/**
 * What is kept of one file for the run: the saved entry's shape, names as numbers in the store's
 * table, the local directives as their JSON text (asked once, by Kbuild; as arrays of pairs they
 * held 7.7 MB of a distro config's 21,000 files through the run, as text about a third of it).
 */
interface Rec { stat: StatKey; local: string | 0; defines: WrapperDefine[]; callsAt: number; callsLen: number; mentions?: { key: string; ids: number[] } }

const localText = (l: LocalDirectives | 0 | undefined): string | 0 => (l ? JSON.stringify(l) : 0);

export class FactStore {
  /** saved entries not asked for yet (an entry moves to `now` when asked) */
  private old = new Map<string, Entry>();
  private writtenAt = 0;
  private now = new Map<string, Rec>();
  /** the key of the last name list asked about, by identity (one list serves a whole run) */
  private lastList?: { names: readonly string[]; key: string };
  /**
   * One table of names for the saved entries and the files read now, numbered as saved: ~19,000
   * files of a distro config call ~1.8 million names, kept as 4-byte numbers instead of an array of
   * strings per file (twice: as saved and as asked, ~35 MB before).
   */
  private names: string[] = [];
  /** every file's called names, as numbers, one run after another (one array: a typed array per file is a malloc per file) */
  private pool = new Int32Array(1 << 16);
  private poolUsed = 0;
  /** name → number, built when a file is read afresh (a warm run needs none) */
  private ids?: Map<string, number>;
  private readonly file?: string;
  private oldIncludes = new Map<string, [StatKey, string[]]>();
  private nowIncludes = new Map<string, [StatKey, string[]]>();
  /** a file was read afresh: the saved facts are out of date */
  private changed = false;
  /** answers read afresh this run (facts, mentions, include lists) */
  private fresh = 0;

  /** `cacheDir` undefined: nothing is read or saved (--no-cache). The saved facts are read on first use. */
  /** `known`: stats the run already took (the tree's stamp), asked before a stat of a file */
  constructor(readonly root: string, cacheDir?: string, readonly known?: KnownStats) {
    if (cacheDir === undefined) return;
    const id = crypto.createHash('sha1').update(SCHEMA).update(path.resolve(root)).digest('hex');
    this.file = path.join(cacheDir, 'facts', `${id}.json`);
  }

  private loaded = false;
  private load(): void {
    if (this.loaded || !this.file) return;
    this.loaded = true;
    try {
      const j = JSON.parse(readCacheText(this.file)) as Saved; // in pieces: a 12 MB block freed would raise malloc's thresholds (readText.ts)
      if (j.schema !== SCHEMA || j.salt !== codeSalt() || !Array.isArray(j.names) || typeof j.files !== 'object') return;
      this.writtenAt = j.writtenAt;
      // loaded before any name is numbered (rec/includes call load first): the table is numbered as saved
      this.names = j.names;
      this.ids = undefined;
      for (const f in j.files) this.old.set(f, j.files[f]);
      if (j.includes && typeof j.includes === 'object') this.oldIncludes = new Map(Object.entries(j.includes));
    } catch {
      // none yet, or unreadable: every file is read
    }
  }

  private id(n: string): number {
    if (!this.ids) this.ids = new Map(this.names.map((x, i) => [x, i]));
    let i = this.ids.get(n);
    // a flat copy: a capture would keep its whole file text alive
    if (i === undefined) { const k = flat(n); this.ids.set(k, (i = this.names.length)); this.names.push(k); }
    return i;
  }

  /** Appends `ids` to the pool; where they start. */
  private put(ids: ArrayLike<number>): number {
    if (this.poolUsed + ids.length > this.pool.length) {
      const b = new Int32Array(Math.max(this.poolUsed + ids.length, this.pool.length + (this.pool.length >> 1)));
      b.set(this.pool.subarray(0, this.poolUsed));
      this.pool = b;
    }
    const at = this.poolUsed;
    this.pool.set(ids, at);
    this.poolUsed += ids.length;
    return at;
  }

  private facts(r: Rec): FileFacts {
    const { names, pool } = this;
    let calls: string[] | undefined;
    // the names only when asked for: Kbuild asks every built file for its local directives alone
    return {
      ...(r.local ? { local: JSON.parse(r.local) as LocalDirectives } : {}), defines: r.defines,
      get calls() {
        if (!calls) { calls = new Array(r.callsLen); for (let i = 0; i < r.callsLen; i++) calls[i] = names[pool[r.callsAt + i]]; }
        return calls;
      },
    };
  }

  /** Whether the file `rel` calls one of `names` (FileFacts.calls without building the list); false if unreadable. */
  callsAny(rel: string, names: ReadonlySet<string>): boolean {
    const r = this.rec(rel);
    if (!r) return false;
    for (let i = r.callsAt; i < r.callsAt + r.callsLen; i++) if (names.has(this.names[this.pool[i]])) return true;
    return false;
  }

  /**
   * Saved facts taken without their file's stat (trustUntilConfirmed), by path with their saved
   * stat: checked once the run's stats are known (confirm).
   */
  private unchecked?: Map<string, StatKey>;

  /**
   * Takes saved facts whose file's stat is not known yet as they are, until confirm(): Kbuild read
   * while the stamp's workers take every file's stat asked ~19,000 stats of its own under a distro
   * config (~0.2 s of this thread), which the stamp answers moments later.
   */
  trustUntilConfirmed(): void {
    this.unchecked = new Map();
  }

  /**
   * Checks the saved facts taken since trustUntilConfirmed against the stats known now (a stat of
   * the file where none is); whether all still hold. Those that do not are read again when asked.
   */
  confirm(): boolean {
    const u = this.unchecked;
    this.unchecked = undefined;
    let ok = true;
    for (const [rel, k] of u ?? []) {
      if (statUnchanged(() => path.join(this.root, rel), k, this.writtenAt, this.known?.(rel))) continue;
      this.now.delete(rel);
      ok = false;
    }
    return ok;
  }

  /** Whether a saved entry of `rel` with stat `k` holds: its stat unchanged, or taken on trust (unchecked) */
  private holds(rel: string, absOf: () => string, k: StatKey): boolean {
    const known = this.known?.(rel);
    if (known === undefined && this.unchecked && Array.isArray(k) && k[1] < this.writtenAt - RACY_MS) {
      this.unchecked.set(rel, k);
      return true;
    }
    return statUnchanged(absOf, k, this.writtenAt, known);
  }

  /** The record of `rel`: saved while its stat is unchanged, else read now; undefined if unreadable. */
  private rec(rel: string): Rec | undefined {
    const hit = this.now.get(rel);
    if (hit) return hit;
    this.load();
    const absOf = () => path.join(this.root, rel);
    const e = this.old.get(rel);
    this.old.delete(rel);
    const n = this.names.length;
    const ok = (a: unknown): a is number[] => Array.isArray(a) && a.every((i) => Number.isInteger(i) && i >= 0 && i < n);
    if (e && Array.isArray(e) && e.length === 5 && ok(e[3]) && (!e[4] || ok(e[4][1])) && this.holds(rel, absOf, e[0])) {
      const r: Rec = { stat: e[0], local: localText(e[1]), defines: e[2], callsAt: this.put(e[3]), callsLen: e[3].length, ...(e[4] ? { mentions: { key: e[4][0], ids: e[4][1] } } : {}) };
      this.now.set(rel, r);
      return r;
    }
    const abs = absOf();
    let text: string;
    let stat: StatKey;
    try {
      // the stamp's stat when it took one (taken before this read: a file changed since reads again next run)
      stat = this.known?.(rel) ?? statKey(fs.statSync(abs));
      // latin1: a one-byte string whatever the bytes (a UTF-8 name in a comment made the whole text two-byte); the facts are ASCII names and directive lines
      text = readText(abs, 'latin1');
    } catch {
      return undefined;
    }
    const f = factsOf(text, (x) => this.names[this.id(x)]);
    const r: Rec = { stat, local: localText(f.local), defines: f.defines, callsAt: this.put(f.calls.map((c) => this.id(c))), callsLen: f.calls.length };
    this.now.set(rel, r);
    this.changed = true;
    this.fresh++;
    return r;
  }

  /** The facts of `rel` (relative to root): saved ones while its stat is unchanged, else read now; undefined if unreadable. */
  get(rel: string): FileFacts | undefined {
    const r = this.rec(rel);
    return r && this.facts(r);
  }

  /**
   * Which of `names` the file `rel` mentions (a text search: a prefilter, not a parse). Kept with its
   * facts while the file's stat and the list are unchanged; a file an overlay redirects (diff's NEW
   * side) is read every time and nothing is kept.
   */
  mentions(rel: string, names: readonly string[]): ReadonlySet<string> {
    // the path only where it is needed: most answers are kept ones (~20,000 joins a run)
    const absOf = () => path.join(this.root, rel);
    if (overlayActive()) { const abs = absOf(); if (redirect(abs) !== abs) return search(abs, names); }
    const e = this.rec(rel);
    if (!e) return new Set();
    const key = this.listKey(names);
    if (e.mentions?.key === key) return new Set(e.mentions.ids.map((i) => this.names[i]));
    const found = search(absOf(), names);
    e.mentions = { key, ids: [...found].map((x) => this.id(x)) };
    this.changed = true;
    this.fresh++;
    return found;
  }

  private listKey(names: readonly string[]): string {
    if (this.lastList?.names !== names) this.lastList = { names, key: crypto.createHash('sha1').update(JSON.stringify([...names].sort())).digest('hex') };
    return this.lastList.key;
  }

  /**
   * Searches the files of `rels` that have no answer for `names` yet on a worker thread and keeps
   * the answers as mentions() would: a whole run starts it before pricing its statics (~15,000
   * files under a distro config, ~0.8 s) and asks mentions() afterwards. Files an overlay
   * redirects are left to mentions(), and so is everything when no worker can run.
   */
  async prefetchMentions(rels: readonly string[], names: readonly string[]): Promise<void> {
    if (!names.length) return;
    const key = this.listKey(names);
    const todo: [Rec, string][] = [];
    const overlay = overlayActive();
    for (const rel of new Set(rels)) {
      const abs = overlay ? path.join(this.root, rel) : undefined;
      if (abs !== undefined && redirect(abs) !== abs) continue;
      const e = this.rec(rel);
      if (e && e.mentions?.key !== key) todo.push([e, abs ?? path.join(this.root, rel)]);
    }
    if (todo.length < PREFETCH_MIN) return;
    const found = await searchOnWorker(todo.map(([, abs]) => abs), names);
    if (!found) return;
    todo.forEach(([e], i) => {
      const f = found[i];
      if (!f || e.mentions?.key === key) return;
      e.mentions = { key, ids: f.map((k) => this.id(names[k])) };
      this.changed = true;
      this.fresh++; // each file's answer: many of them are worth saving (save)
    });
  }

  /**
   * The #include directives of `rel` (relative to root, or absolute), kept per file version like the
   * facts; [] when unreadable. Not kept for a file an overlay redirects.
   */
  includes(rel: string): string[] {
    const hit = this.nowIncludes.get(rel);
    if (hit) return hit[1];
    this.load();
    const abs = path.resolve(this.root, rel);
    if (redirect(abs) !== abs) return readIncludes(abs);
    const e = this.oldIncludes.get(rel);
    if (e && Array.isArray(e) && e.length === 2 && statUnchanged(abs, e[0], this.writtenAt, path.isAbsolute(rel) ? undefined : this.known?.(rel))) {
      this.nowIncludes.set(rel, e);
      return e[1];
    }
    let found: [StatKey, string[]];
    try {
      const stat = statKey(fs.statSync(abs));
      found = [stat, withBytes(abs, includeDirectivesIn)];
    } catch {
      return [];
    }
    this.nowIncludes.set(rel, found);
    this.changed = true;
    this.fresh++;
    return found[1];
  }

  /** Saves the facts of the files asked for in this run and keeps the saved ones it did not ask for (nothing when all came from the saved ones); a failure only costs the next run's speed. */
  save(): void {
    // under an overlay the stats are the tree's but some texts are not: keep nothing
    // nothing read afresh: the saved file already holds every answer this run gave, and the rest
    if (!this.file || overlayActive() || !this.changed) return;
    // a few files read afresh while the saved file still answers for many others (an estimate after
    // an edit): it stays as it is, and the next run reads those few again (rewriting ~12 MB of facts
    // cost such a run ~0.3 s)
    if (this.fresh <= FEW_FRESH && this.old.size > 8 * FEW_FRESH) return;
    // only the names the kept files use, renumbered
    const names: string[] = [];
    const ids = new Map<number, number>();
    const id = (i: number) => { let k = ids.get(i); if (k === undefined) { ids.set(i, (k = names.length)); names.push(this.names[i]); } return k; };
    const n = this.names.length;
    const ok = (a: unknown): a is number[] => Array.isArray(a) && a.every((i) => Number.isInteger(i) && i >= 0 && i < n);
    // saved entries this run did not ask for stay (a run after an edit asks for a few files; the next
    // whole run would read the other ~19,000 again): those that were trusted when saved (not racy then,
    // so the later writtenAt vouches for nothing they lacked) and whose file the stamp still saw
    const keep = (rel: string, st: StatKey) => Array.isArray(st) && st[1] < this.writtenAt - RACY_MS && (!this.known || this.known(rel) !== undefined);
    // each entry made as it is written (no object of them all, no 12 MB string); the names they use after them
    const self = this;
    function* files(): Generator<[string, Entry]> {
      for (const [rel, { stat, local, defines, callsAt, callsLen, mentions }] of self.now) yield [rel, [stat, local ? JSON.parse(local) as LocalDirectives : 0, defines, Array.from(self.pool.subarray(callsAt, callsAt + callsLen), id), mentions ? [mentions.key, mentions.ids.map(id)] : 0]];
      for (const [rel, e] of self.old) {
        if (self.now.has(rel) || !Array.isArray(e) || e.length !== 5 || !ok(e[3]) || (e[4] && !ok(e[4][1])) || !keep(rel, e[0])) continue;
        yield [rel, [e[0], e[1], e[2], e[3].map(id), e[4] ? [e[4][0], e[4][1].map(id)] : 0]];
      }
    }
    function* includes(): Generator<[string, [StatKey, string[]]]> {
      yield* self.nowIncludes;
      for (const [rel, e] of self.oldIncludes) if (!self.nowIncludes.has(rel) && Array.isArray(e) && e.length === 2 && keep(rel, e[0])) yield [rel, e];
    }
    writeAtomic(this.file, () => jsonPieces({ schema: SCHEMA, salt: codeSalt(), writtenAt: Date.now(), files: new JsonEntries(files()), includes: new JsonEntries(includes()), names }, 2));
    this.old.clear(); // written: each run's save holds what it asked and what it kept
  }

  /** Forgets what it holds (after save, when nobody asks again: the rules need none of it); a later ask reads the file. */
  release(): void {
    this.old.clear();
    this.now.clear();
    this.names = [];
    this.ids = undefined;
    this.pool = new Int32Array(0);
    this.poolUsed = 0;
    // the include directives too (~4 MB under Debian's config): the include graph is made before the release
    this.oldIncludes.clear();
    this.nowIncludes.clear();
  }
}

/**
 * How to search for a list of names: first the names that contain none of the others (`base`),
 * then each other name only when every base name inside it was found (`rest`, indexes into
 * `names`). A text without `percpu_counter_init` has no `__percpu_counter_init_many` either, so
 * most files (which mention none) are searched for 10 of Debian's 16 names instead of all.
 * Self-contained: it also runs on a worker from its source text (searchOnWorker).
 */
export function searchPlan(names: readonly string[]): { base: number[]; rest: [number, number[]][] } {
  const base: number[] = [];
  names.forEach((n, i) => { if (names.indexOf(n) === i && !names.some((m) => m !== n && n.includes(m))) base.push(i); });
  const rest: [number, number[]][] = [];
  names.forEach((n, i) => { if (!base.includes(i)) rest.push([i, base.filter((b) => n.includes(names[b]))]); });
  return { base, rest };
}

/** The indexes of the names found, in the list's order, given whether name i occurs (`has`). Self-contained (searchOnWorker). */
export function searchFound(plan: { base: number[]; rest: [number, number[]][] }, names: readonly string[], has: (i: number) => boolean): number[] {
  const found = new Set(plan.base.filter(has));
  if (!found.size) return [];
  for (const [i, parts] of plan.rest) if (parts.every((b) => found.has(b)) && has(i)) found.add(i);
  return names.map((_n, i) => i).filter((i) => found.has(i));
}

const plans = new WeakMap<readonly string[], ReturnType<typeof searchPlan>>();

/** The names of `names` that `text` contains (its bytes, or the text), in the list's order. */
export function namesIn(text: string | Buffer, names: readonly string[]): Set<string> {
  let plan = plans.get(names);
  if (!plan) plans.set(names, (plan = searchPlan(names)));
  const has = typeof text === 'string' ? (i: number) => text.includes(names[i]) : (i: number) => text.indexOf(needle(names[i])) >= 0;
  return new Set(searchFound(plan, names, has).map((i) => names[i]));
}

const needles = new Map<string, Buffer>();
/** a name's latin1 bytes, as readText(…, 'latin1') would have matched it */
function needle(n: string): Buffer {
  let b = needles.get(n);
  if (!b) needles.set(n, (b = Buffer.from(n, 'latin1')));
  return b;
}

/** The names of `names` that the text of `abs` contains; none when it cannot be read. Searched in its bytes: no text is made. */
export function search(abs: string, names: readonly string[]): Set<string> {
  try { return withBytes(abs, (b) => namesIn(b, names)); } catch { return new Set(); }
}

/** The byte search's module and its memory's layout (parse/prefilter.ts), for searchFiles. */
interface WasmSearch {
  opts: { wasm: string; data: number; pad: number; limit: number };
  fill: typeof fillNeedles;
  fingerprint: typeof fingerprintOf;
}

/**
 * Where a name's 3-byte fingerprint for the byte search starts: at its rarest three bytes in kernel
 * C (identifier bytes by frequency, most common first, counted over kernel/, mm/, include/linux/,
 * fs/ext4/, drivers/net/ethernet/intel/ and net/core/ of linux 6.12): `percpu_counter_init`'s
 * fingerprint is not `per`. The prefilter's fixed tokens have measured trigrams instead
 * (parse/prefilter.ts FINGERPRINT_AT); these names come from each tree's wrapper graph, so an
 * estimate from bytes. Self-contained (searchOnWorker).
 */
export function fingerprintOf(name: string): number {
  const byFrequency = 'et_irsnaocdlufpmhgEb0vTIAkSRCxNLwPyODM1FG2UB4qH3XV86KzW5Y9Q7jZJ';
  const cost = (c: string) => { const r = byFrequency.indexOf(c); return r < 0 ? 0 : byFrequency.length - r; };
  let best = 0;
  let least = Infinity;
  for (let i = 0; i + 3 <= name.length; i++) {
    const c = cost(name[i]) + cost(name[i + 1]) + cost(name[i + 2]);
    if (c < least) { least = c; best = i; }
  }
  return best;
}

/**
 * A worker's search: for each of `files` (absolute), the indexes of `names` its bytes hold, or null
 * when unreadable. Self-contained. With `wasm`, the plan's first names (3 to 28 bytes, 16 at most)
 * are searched in one pass of prefilter.wat's search over a file read into its memory, where
 * Buffer.indexOf made one pass per name (~1.6 s of CPU over the ~15,000 files Debian's amd64
 * config builds, ~390 MB); the other names, and every name of a file past `limit`, by indexOf.
 * Other files go through one 1 MiB buffer; a bigger one gets a buffer of its own of at least
 * `mapped` bytes, as readText's bufferFor does (glibc maps and unmaps it).
 */
export function searchFiles(files: string[], names: string[], fs: typeof import('fs'), plan: ReturnType<typeof searchPlan>, found: typeof searchFound, mapped: number, wasm?: WasmSearch): (number[] | null)[] {
  const needle = names.map((n) => Buffer.from(n, 'latin1'));
  const small = Buffer.allocUnsafe(1 << 20);
  // name index -> its needle's slot in the WebAssembly search; slots k and k + 8 share a group bit
  const slot = new Map<number, number>();
  let x: { memory: WasmMemory; scan: (ptr: number, len: number, want: number) => number; setNeedles(n: number): void } | undefined;
  let want = 0;
  if (wasm) {
    const take = plan.base.filter((i) => names[i].length >= 3 && names[i].length <= 28).slice(0, 16);
    try {
      const m = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(wasm.opts.wasm, 'base64'))).exports as NonNullable<typeof x>;
      if (take.length && wasm.fill(new Uint8Array(m.memory.buffer), take.map((i, k) => [names[i], 1 << (k % 8), wasm.fingerprint(names[i])]))) {
        m.setNeedles(take.length);
        x = m;
        take.forEach((i, k) => { slot.set(i, k); want |= 1 << (k % 8); });
      }
    } catch {
      x = undefined;
    }
  }
  const shared = (k: number) => k + 8 < slot.size || k >= 8;
  return files.map((f) => {
    let fd: number;
    try { fd = fs.openSync(f, 'r'); } catch { return null; }
    try {
      const size = fs.fstatSync(fd).size;
      let buf: Buffer | undefined;
      if (x && wasm && size < wasm.opts.limit) {
        // read into the search's memory at its data offset (one byte more shows a file that grew)
        const need = wasm.opts.data + size + 1 + wasm.opts.pad;
        try {
          if (x.memory.buffer.byteLength < need) x.memory.grow(Math.ceil((need - x.memory.buffer.byteLength) / 65536));
          buf = Buffer.from(x.memory.buffer, wasm.opts.data, size + 1);
        } catch {
          buf = undefined;
        }
      }
      const inWasm = buf !== undefined;
      buf ??= size < small.length ? small : Buffer.allocUnsafe(Math.max(size + 1, mapped));
      let got = 0;
      for (let k = 1; k > 0 && got < buf.length; got += k) k = fs.readSync(fd, buf, got, buf.length - got, null);
      const bytes = buf.subarray(0, got);
      const bits = inWasm ? x!.scan(wasm!.opts.data, got, want) : 0;
      return found(plan, names, (i) => {
        const k = inWasm ? slot.get(i) : undefined;
        if (k === undefined) return bytes.indexOf(needle[i]) >= 0;
        // the group bit says a needle of it is there; which one, when two share it
        return (bits & (1 << (k % 8))) !== 0 && (!shared(k) || bytes.indexOf(needle[i]) >= 0);
      });
    } catch {
      return null;
    } finally {
      fs.closeSync(fd);
    }
  });
}

const SEARCH_WORKER = `const { parentPort, workerData } = require('worker_threads');
const searchFound = (${searchFound.toString()});
const searchFiles = (${searchFiles.toString()});
const fillNeedles = (${fillNeedles.toString()});
const fingerprintOf = (${fingerprintOf.toString()});
const wasm = workerData.wasm && { opts: workerData.wasm, fill: fillNeedles, fingerprint: fingerprintOf };
let m;
try { m = { ok: searchFiles(workerData.files, workerData.names, require('fs'), workerData.plan, searchFound, workerData.mapped, wasm) }; } catch (e) { m = { error: String(e && e.message || e) }; }
parentPort.postMessage(m);`;

/**
 * searchFiles on a worker thread, so the caller's thread goes on (the estimate prices its statics
 * meanwhile); undefined when no worker can start or it fails (the caller searches itself).
 */
export function searchOnWorker(files: string[], names: readonly string[]): Promise<(number[] | null)[] | undefined> {
  let w: Worker;
  try {
    w = new Worker(SEARCH_WORKER, { eval: true, workerData: { files, names: [...names], plan: searchPlan(names), mapped: MAPPED,
      wasm: { wasm: PREFILTER_WASM, data: DATA, pad: PAD, limit: IN_PLACE_LIMIT } } });
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    let done = false;
    const settle = (v: (number[] | null)[] | undefined) => { if (!done) { done = true; resolve(v); } };
    w.once('message', (m: { ok?: (number[] | null)[] }) => { settle(m.ok && m.ok.length === files.length ? m.ok : undefined); void w.terminate(); });
    w.once('error', () => settle(undefined));
    w.once('exit', () => settle(undefined));
  });
}
