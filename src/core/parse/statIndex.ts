// A tree's scan outcomes by file stat, in front of the content cache (cache.ts): a file whose size,
// mtime, ctime and inode are those recorded is not read again (git's index does the same for
// `git status`). Without it a warm run still reads and prefilters 1.3 GB. As in git, an entry
// whose mtime is too close to when the index was written is "racily clean" (the file may have
// changed again within the timestamp's resolution) and is not trusted. One JSON file per tree,
// written whole to a temporary name and renamed; anything wrong with it is an empty index.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { codeSalt, decodeFindings, pruneStale } from './cache';
import type { FileScanOutcome } from './scanFile';
import type { Finding } from './types';
import { writeAtomic } from '../writeAtomic';
import { jsonPieces } from '../jsonPieces';
import { readCacheText } from '../readText';

const SCHEMA = 'percpu-lens-stat-1';
/** entries modified this close to the index's writing are checked by content next time */
export const RACY_MS = 2000;

/** The stat a scan saw for the bytes it read (from fstat on the open file). */
export interface FileStat { size: number; mtimeMs: number; ctimeMs: number; ino: number }

/** What a stat-keyed cache records of a file: size, mtimeMs, ctimeMs, inode. */
export type StatKey = [number, number, number, number];

export const statKey = (st: FileStat): StatKey => [st.size, st.mtimeMs, st.ctimeMs, st.ino];

/**
 * Whether `file` still has the recorded stat and was not modified within RACY_MS of `writtenAt`
 * (then it may have changed again unseen). The rule of every stat-keyed cache (this index, the
 * header index, the built files' facts).
 */
export function statUnchanged(file: string | (() => string), k: StatKey, writtenAt: number, known?: StatKey): boolean {
  if (k[1] >= writtenAt - RACY_MS) return false;
  if (known) return known[0] === k[0] && known[1] === k[1] && known[2] === k[2] && known[3] === k[3];
  let st: fs.Stats;
  // `file` as a function: its path is made only when no known stat answers (~55,000 path.join a run)
  try { st = fs.statSync(typeof file === 'string' ? file : file()); } catch { return false; }
  return st.size === k[0] && st.mtimeMs === k[1] && st.ctimeMs === k[2] && st.ino === k[3];
}

/**
 * A file's stat as the tree's stamp took it (resultCache.ts walkStamp, "size,mtime,ctime,inode"), by
 * root-relative path: a run answers its stat-keyed caches from it instead of a stat per file (~55,000).
 */
export type KnownStats = (rel: string) => StatKey | undefined;

/** `known` asked by absolute path: a file outside `root` has none. */
export function knownByPath(root: string, known: KnownStats): (abs: string) => StatKey | undefined {
  const base = path.resolve(root) + path.sep;
  return (abs) => (abs.startsWith(base) ? known(abs.slice(base.length).split(path.sep).join('/')) : undefined);
}

/** KnownStats over the stamp's map of "size,mtime,ctime,inode" strings. */
export function knownStats(stats: ReadonlyMap<string, string>): KnownStats | undefined {
  if (!stats.size) return undefined;
  return (rel) => {
    const s = stats.get(rel);
    if (s === undefined) return undefined;
    const k = s.split(',').map(Number);
    return k.length === 4 && k.every((x) => Number.isFinite(x)) ? (k as StatKey) : undefined;
  };
}

/** [size, mtimeMs, ctimeMs, ino, flags (1 parsed, 2 accessors), bytesTreeSitter, findings without `file`] */
type Entry = [number, number, number, number, number, number, Omit<Finding, 'file'>[]];

interface IndexFile { schema: string; writtenAt: number; files: Record<string, Entry> }

export class StatIndex {
  private old = new Map<string, Entry>();
  private next = new Map<string, Entry>();
  private writtenAt = 0;
  /** an outcome came from reading a file (record), not from the saved index */
  private recorded = false;
  readonly file: string;

  /** `key`: what else the outcomes depend on (the scan options); the code and the root are added here. */
  /** `known`: stats the run already took (the tree's stamp), asked before a stat of the file */
  constructor(cacheDir: string, readonly root: string, key: string, private readonly known?: KnownStats) {
    const id = crypto.createHash('sha1').update(SCHEMA).update(codeSalt()).update(path.resolve(root)).update('\0' + key).digest('hex');
    this.file = path.join(cacheDir, 'trees', `${id}.json`);
    let j: IndexFile | undefined;
    try {
      j = JSON.parse(readCacheText(this.file)) as IndexFile; // in pieces (readText.ts)
    } catch {
      return; // none yet, or unreadable: every file is read
    }
    if (!j || j.schema !== SCHEMA || typeof j.writtenAt !== 'number' || !j.files || typeof j.files !== 'object') return;
    this.writtenAt = j.writtenAt;
    for (const [f, e] of Object.entries(j.files)) if (Array.isArray(e) && e.length === 7) this.old.set(f, e);
  }

  /** The recorded outcome of `rel` when its stat is unchanged (and not racy), else undefined. */
  lookup(rel: string): FileScanOutcome | undefined {
    const e = this.old.get(rel);
    if (!e || !statUnchanged(() => path.join(this.root, rel), [e[0], e[1], e[2], e[3]], this.writtenAt, this.known?.(rel))) return undefined;
    const [size, , , , flags, bytesTreeSitter, raw] = e;
    const findings = Array.isArray(raw) ? decodeFindings(raw, rel) : undefined;
    if (!findings || typeof bytesTreeSitter !== 'number' || typeof flags !== 'number') return undefined;
    this.next.set(rel, e);
    const out: FileScanOutcome = { file: rel, findings, errors: [], bytes: size, parsed: (flags & 1) !== 0, bytesTreeSitter, indexed: true };
    if (flags & 2) out.accessors = true;
    return out;
  }

  /** Whether the index had an entry for `rel` (changed or not) when it was read. */
  has(rel: string): boolean {
    return this.old.has(rel);
  }

  /** Records a fresh outcome; only clean ones (no errors, not skipped) with the stat they were read under. */
  record(o: FileScanOutcome): void {
    this.recorded = true;
    if (!o.stat || o.errors.length || o.skipped) return;
    const s = o.stat;
    this.next.set(o.file, [s.size, s.mtimeMs, s.ctimeMs, s.ino, (o.parsed ? 1 : 0) | (o.accessors ? 2 : 0), o.bytesTreeSitter,
      o.findings.map(({ file: _f, ...rest }) => rest)]);
  }

  /**
   * Writes the files of this scan (looked up or recorded); a failure only costs the next run's speed.
   * Not when every file was looked up and every saved one was: the file holds exactly that (~0.13 s
   * of writing 5.7 MB per warm run of a kernel tree).
   */
  save(): void {
    if (!this.recorded && this.next.size === this.old.size) return;
    // the Map written as the file's object member by member (jsonPieces): no copy of it, no string of the whole
    if (writeAtomic(this.file, () => jsonPieces({ schema: SCHEMA, writtenAt: Date.now(), files: this.next }, 2))) this.prune();
  }

  /** Each build of the code starts a new index per tree; the ones nobody wrote for a month go. */
  private prune(): void {
    pruneStale(path.dirname(this.file), this.file, /[0-9a-f]{40}\.json/);
  }

}
