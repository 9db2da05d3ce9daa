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
import { LocalDirectives, localIncludeDirectives } from '../config/kbuild';
import { codeSalt } from '../parse/cache';
import { StatKey, statKey, statUnchanged } from '../parse/statIndex';
import { readText } from '../readText';
import { overlayActive, redirect } from '../overlay';
import { flat } from '../flat';
import { WrapperDefine, upperCalls, wrapperDefines } from './wrappers';

const SCHEMA = 'percpu-lens-facts-3';

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

/** A file's facts; `keep` gives each string a copy that does not hold the file's text alive. */
export function factsOf(text: string, keep: (s: string) => string = flat): FileFacts {
  const local = localIncludeDirectives(text)?.map(([n, l]): [number, string] => [n, keep(l)]);
  const defines = wrapperDefines(text).map(([n, ids]): WrapperDefine => [keep(n), ids.map(keep)]);
  return { ...(local ? { local } : {}), defines, calls: upperCalls(text).map(keep) };
}

export class FactStore {
  private old = new Map<string, Entry>();
  private oldNames: string[] = [];
  private writtenAt = 0;
  private now = new Map<string, { stat: StatKey; facts: FileFacts; mentions?: Mentions }>();
  /** the key of the last name list asked about, by identity (one list serves a whole run) */
  private lastList?: { names: readonly string[]; key: string };
  /** one flat copy of each name: a capture would keep its whole file text alive, and names repeat across files */
  private names = new Map<string, string>();
  private keep = (s: string): string => {
    let k = this.names.get(s);
    if (k === undefined) this.names.set((k = flat(s)), k);
    return k;
  };
  private readonly file?: string;
  private oldIncludes = new Map<string, [StatKey, string[]]>();
  private nowIncludes = new Map<string, [StatKey, string[]]>();
  /** a file was read afresh: the saved facts are out of date */
  private changed = false;

  /** `cacheDir` undefined: nothing is read or saved (--no-cache). The saved facts are read on first use. */
  constructor(readonly root: string, cacheDir?: string) {
    if (cacheDir === undefined) return;
    const id = crypto.createHash('sha1').update(SCHEMA).update(path.resolve(root)).digest('hex');
    this.file = path.join(cacheDir, 'facts', `${id}.json`);
  }

  private loaded = false;
  private load(): void {
    if (this.loaded || !this.file) return;
    this.loaded = true;
    try {
      const j = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Saved;
      if (j.schema !== SCHEMA || j.salt !== codeSalt() || !Array.isArray(j.names) || typeof j.files !== 'object') return;
      this.writtenAt = j.writtenAt;
      this.oldNames = j.names;
      this.old = new Map(Object.entries(j.files));
      if (j.includes && typeof j.includes === 'object') this.oldIncludes = new Map(Object.entries(j.includes));
    } catch {
      // none yet, or unreadable: every file is read
    }
  }

  /** The facts of `rel` (relative to root): saved ones while its stat is unchanged, else read now; undefined if unreadable. */
  get(rel: string): FileFacts | undefined {
    const hit = this.now.get(rel);
    if (hit) return hit.facts;
    this.load();
    const abs = path.join(this.root, rel);
    const e = this.old.get(rel);
    if (e && Array.isArray(e) && e.length === 5 && statUnchanged(abs, e[0], this.writtenAt)) {
      const facts: FileFacts = { ...(e[1] ? { local: e[1] } : {}), defines: e[2], calls: e[3].map((i) => this.oldNames[i]) };
      const mentions = e[4] ? { key: e[4][0], names: e[4][1].map((i) => this.oldNames[i]) } : undefined;
      this.now.set(rel, { stat: e[0], facts, ...(mentions ? { mentions } : {}) });
      return facts;
    }
    let text: string;
    let stat: StatKey;
    try {
      stat = statKey(fs.statSync(abs));
      text = readText(abs, 'utf8');
    } catch {
      return undefined;
    }
    const facts = factsOf(text, this.keep);
    this.now.set(rel, { stat, facts });
    this.changed = true;
    return facts;
  }

  /**
   * Which of `names` the file `rel` mentions (a text search: a prefilter, not a parse). Kept with its
   * facts while the file's stat and the list are unchanged; a file an overlay redirects (diff's NEW
   * side) is read every time and nothing is kept.
   */
  mentions(rel: string, names: readonly string[]): ReadonlySet<string> {
    const abs = path.join(this.root, rel);
    if (redirect(abs) !== abs) return search(abs, names);
    if (!this.get(rel)) return new Set();
    const e = this.now.get(rel)!;
    if (this.lastList?.names !== names) this.lastList = { names, key: crypto.createHash('sha1').update(JSON.stringify([...names].sort())).digest('hex') };
    const key = this.lastList.key;
    if (e.mentions?.key === key) return new Set(e.mentions.names);
    const found = search(abs, names);
    e.mentions = { key, names: [...found].map(this.keep) };
    this.changed = true;
    return found;
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
    if (redirect(abs) !== abs) {
      try { return includeDirectives(readText(abs, 'latin1')); } catch { return []; }
    }
    const e = this.oldIncludes.get(rel);
    if (e && Array.isArray(e) && e.length === 2 && statUnchanged(abs, e[0], this.writtenAt)) {
      this.nowIncludes.set(rel, e);
      return e[1];
    }
    let found: [StatKey, string[]];
    try {
      const stat = statKey(fs.statSync(abs));
      found = [stat, includeDirectives(readText(abs, 'latin1')).map(this.keep)];
    } catch {
      return [];
    }
    this.nowIncludes.set(rel, found);
    this.changed = true;
    return found[1];
  }

  /** Saves the facts of the files asked for in this run (not when all came from the saved ones); a failure only costs the next run's speed. */
  save(): void {
    // under an overlay the stats are the tree's but some texts are not: keep nothing
    if (!this.file || overlayActive() || (!this.changed && this.now.size === this.old.size && this.nowIncludes.size === this.oldIncludes.size)) return;
    const names: string[] = [];
    const ids = new Map<string, number>();
    const id = (n: string) => { let i = ids.get(n); if (i === undefined) { ids.set(n, (i = names.length)); names.push(n); } return i; };
    const files: Record<string, Entry> = {};
    for (const [rel, { stat, facts, mentions }] of this.now) files[rel] = [stat, facts.local ?? 0, facts.defines, facts.calls.map(id), mentions ? [mentions.key, mentions.names.map(id)] : 0];
    const includes = Object.fromEntries(this.nowIncludes);
    const tmp = `${this.file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(tmp, JSON.stringify({ schema: SCHEMA, salt: codeSalt(), writtenAt: Date.now(), names, files, includes } satisfies Saved));
      fs.renameSync(tmp, this.file);
    } catch {
      try { fs.rmSync(tmp, { force: true }); } catch { /* nothing more to do */ }
    }
  }
}

/** The names of `names` that the text of `abs` contains; none when it cannot be read. */
export function search(abs: string, names: readonly string[]): Set<string> {
  let text: string;
  try { text = readText(abs, 'latin1'); } catch { return new Set(); }
  return new Set(names.filter((n) => text.includes(n)));
}
