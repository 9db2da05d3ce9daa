// What the estimate reads from every file a config builds besides the scan's findings: its local
// #include directives (Kbuild: .c files built into another object), its function-like upper-case
// #defines (the wrapper-macro graph) and the upper-case names it calls (possible wrapper uses).
// A distro config builds ~19,000 files; these facts are kept per file version, keyed by stat as
// the scan's stat index does, so a warm run reads none of them and an edited file is read once.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { LocalDirectives, localIncludeDirectives } from '../config/kbuild';
import { codeSalt } from '../parse/cache';
import { StatKey, statKey, statUnchanged } from '../parse/statIndex';
import { readText } from '../readText';
import { flat } from '../flat';
import { WrapperDefine, upperCalls, wrapperDefines } from './wrappers';

const SCHEMA = 'percpu-lens-facts-1';

export interface FileFacts {
  local?: LocalDirectives;
  defines: WrapperDefine[];
  calls: string[];
}

/** [stat, local directives or 0, defines, indexes of called names in the file's name table] */
type Entry = [StatKey, LocalDirectives | 0, WrapperDefine[], number[]];
interface Saved { schema: string; salt: string; writtenAt: number; names: string[]; files: Record<string, Entry> }

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
  private now = new Map<string, { stat: StatKey; facts: FileFacts }>();
  /** one flat copy of each name: a capture would keep its whole file text alive, and names repeat across files */
  private names = new Map<string, string>();
  private keep = (s: string): string => {
    let k = this.names.get(s);
    if (k === undefined) this.names.set((k = flat(s)), k);
    return k;
  };
  private readonly file?: string;
  /** a file was read afresh: the saved facts are out of date */
  private changed = false;

  /** `cacheDir` undefined: nothing is read or saved (--no-cache). */
  constructor(readonly root: string, cacheDir?: string) {
    if (cacheDir === undefined) return;
    const id = crypto.createHash('sha1').update(SCHEMA).update(path.resolve(root)).digest('hex');
    this.file = path.join(cacheDir, 'facts', `${id}.json`);
    try {
      const j = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Saved;
      if (j.schema !== SCHEMA || j.salt !== codeSalt() || !Array.isArray(j.names) || typeof j.files !== 'object') return;
      this.writtenAt = j.writtenAt;
      this.oldNames = j.names;
      this.old = new Map(Object.entries(j.files));
    } catch {
      // none yet, or unreadable: every file is read
    }
  }

  /** The facts of `rel` (relative to root): saved ones while its stat is unchanged, else read now; undefined if unreadable. */
  get(rel: string): FileFacts | undefined {
    const hit = this.now.get(rel);
    if (hit) return hit.facts;
    const abs = path.join(this.root, rel);
    const e = this.old.get(rel);
    if (e && Array.isArray(e) && e.length === 4 && statUnchanged(abs, e[0], this.writtenAt)) {
      const facts: FileFacts = { ...(e[1] ? { local: e[1] } : {}), defines: e[2], calls: e[3].map((i) => this.oldNames[i]) };
      this.now.set(rel, { stat: e[0], facts });
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

  /** Saves the facts of the files asked for in this run (not when all came from the saved ones); a failure only costs the next run's speed. */
  save(): void {
    if (!this.file || (!this.changed && this.now.size === this.old.size)) return;
    const names: string[] = [];
    const ids = new Map<string, number>();
    const id = (n: string) => { let i = ids.get(n); if (i === undefined) { ids.set(n, (i = names.length)); names.push(n); } return i; };
    const files: Record<string, Entry> = {};
    for (const [rel, { stat, facts }] of this.now) files[rel] = [stat, facts.local ?? 0, facts.defines, facts.calls.map(id)];
    const tmp = `${this.file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(tmp, JSON.stringify({ schema: SCHEMA, salt: codeSalt(), writtenAt: Date.now(), names, files } satisfies Saved));
      fs.renameSync(tmp, this.file);
    } catch {
      try { fs.rmSync(tmp, { force: true }); } catch { /* nothing more to do */ }
    }
  }
}
