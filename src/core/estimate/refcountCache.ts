// PCPU002's reading of each file (rules/refcountFacts.ts: inline helpers' atomic ops, structs with
// __percpu data, call counts) kept in the cache folder by file stat, as the facts are: a run that
// has no saved parts to take it from (every stage again, a first run under another .config or
// arch) reads only the files changed since, where it read ~3,000 files twice under Debian's amd64
// config (~0.2 s). Each answer depends on its file's text alone (refcountFacts.ts).
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { codeSalt } from '../parse/cache';
import { type StatKey, statKey, statUnchanged } from '../parse/statIndex';
import { readCacheText } from '../readText';
import { writeAtomic } from '../writeAtomic';
import type { RefcountSaved } from '../rules/refcountFacts';

const SCHEMA = 'percpu-lens-refcounts-1';

interface Saved { schema: string; salt: string; writtenAt: number; stats: [string, StatKey][]; reading: RefcountSaved }

function fileOf(cacheDir: string, root: string): string {
  return path.join(cacheDir, 'refcounts', `${crypto.createHash('sha1').update(SCHEMA).update(path.resolve(root)).digest('hex')}.json`);
}

/**
 * The saved reading of the tree at `root` and which of its files still have the text it was read
 * from: each of `files` (and of the saved ones) is stat'ed now, before any is read, and `save` keeps
 * those stats with this run's reading. Nothing saved, or saved by another build: no reading.
 */
export class RefcountCache {
  private readonly now = new Map<string, StatKey>();
  private saved?: Saved;

  constructor(private readonly cacheDir: string, private readonly root: string, files: Iterable<string>) {
    try {
      const j = JSON.parse(readCacheText(fileOf(cacheDir, root))) as Saved;
      if (j.schema === SCHEMA && j.salt === codeSalt() && typeof j.writtenAt === 'number' && Array.isArray(j.stats) && j.reading && typeof j.reading === 'object') this.saved = j;
    } catch {
      // none yet, or unreadable: every file is read
    }
    for (const f of [...files, ...(this.saved?.stats.map(([f]) => f) ?? [])]) {
      if (this.now.has(f)) continue;
      try { this.now.set(f, statKey(fs.statSync(path.resolve(root, f)))); } catch { /* gone: neither same nor kept */ }
    }
  }

  /** the saved reading, and whether a file's text is the one it was read from */
  reading(): { saved: RefcountSaved; same: (file: string) => boolean } | undefined {
    const s = this.saved;
    if (!s) return undefined;
    const same = new Set<string>();
    for (const [f, k] of s.stats) {
      const now = this.now.get(f);
      if (now && Array.isArray(k) && statUnchanged(path.resolve(this.root, f), k, s.writtenAt, now)) same.add(f);
    }
    return { saved: s.reading, same: (f) => same.has(f) };
  }

  /** Keeps `reading` (this run's, RefcountReader.toJSON) for the files stat'ed before they were read; a failure only costs the next run's speed. */
  save(reading: RefcountSaved): void {
    const stat = (f: string) => this.now.get(f);
    const known = <T>(l: [string, T][]) => l.filter(([f]) => stat(f) !== undefined);
    const kept: RefcountSaved = {
      ops: known(reading.ops), percpu: known(reading.percpu),
      ...(reading.calls ? { calls: { names: reading.calls.names, counts: known(reading.calls.counts) } } : {}),
    };
    const files = new Set([...kept.ops, ...kept.percpu, ...(kept.calls?.counts ?? [])].map(([f]) => f));
    const out: Saved = { schema: SCHEMA, salt: codeSalt(), writtenAt: Date.now(), stats: [...files].map((f) => [f, stat(f)!]), reading: kept };
    writeAtomic(fileOf(this.cacheDir, this.root), [JSON.stringify(out)]);
  }
}
