// A whole estimate saved after a run and given back while nothing it could have read changed: the
// same code, the same options (profile, .config values, counts, trace, globs) and the same tree,
// every file's size, mtime, ctime and inode (.git aside), as the scan's stat index checks one
// file (parse/statIndex.ts). Re-running on an unchanged tree (the CLI again, diff's OLD side)
// then costs one walk of the tree's stats instead of sizing and rules. Like every stat cache
// here, a file modified within RACY_MS of the snapshot makes it untrusted; anything missing or
// malformed is a miss and the estimate runs as before.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { codeSalt, pruneStale } from '../parse/cache';
import { RACY_MS } from '../parse/statIndex';
import type { EstimateResult } from './types';
import type { ScanResult } from '../parse/types';
import type { Parts } from './reuse';
import { writeAtomic } from '../writeAtomic';
import { jsonPieces } from '../jsonPieces';
import { readCacheText } from '../readText';

const SCHEMA = 'percpu-lens-result-1';

/**
 * One tree's stats as one digest, and the newest modification seen (for the racy rule). With the
 * stats collected: `odd`, the entries a listing of the files cannot be read off the stats for
 * (walk.ts listedFrom), each as a kind letter and its path: `d` a symlinked directory, `b` a broken
 * symlink or an entry that cannot be stat'ed, `u` an unreadable directory, `n` neither a file nor a directory.
 */
export interface TreeStamp { digest: string; newestMs: number; takenAt: number; odd?: string[] }

/**
 * Hashes every file under `root` (following directory symlinks once; `.git` skipped) by path, size,
 * mtime, ctime and inode, in name order. A file added, removed, rewritten or touched changes it.
 * Self-contained, its modules passed in: it runs in a worker from its source text (treeStamp).
 * `collect`: also each file's stat as "path\0size,mtime,ctime,inode\0" (one string: cheap to post back).
 */
function walkStamp(root: string, fs: typeof import('fs'), crypto: typeof import('crypto'), sep: string, collect: boolean): { digest: string; newestMs: number; files?: string; odd?: string[] } {
  const stats: string[] = [];
  const odd: string[] = [];
  const h = crypto.createHash('sha1');
  let newestMs = 0;
  const seen = new Set<string>([fs.realpathSync(root)]);
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const visit = (abs: string, rel: string): void => {
    let ents: import('fs').Dirent[];
    try { ents = fs.readdirSync(abs, { withFileTypes: true }); } catch { h.update(`?${rel}\n`); odd.push(`u${rel}`); return; }
    ents.sort(byName);
    for (const e of ents) {
      if (e.name === '.git') continue;
      const a = abs + sep + e.name;
      const r = rel ? rel + '/' + e.name : e.name;
      let st: import('fs').Stats;
      try { st = e.isSymbolicLink() ? fs.statSync(a) : fs.lstatSync(a); } catch { h.update(`!${r}\n`); odd.push(`b${r}`); continue; }
      if (st.isDirectory()) {
        let real = a;
        if (e.isSymbolicLink()) { odd.push(`d${r}`); try { real = fs.realpathSync(a); } catch { continue; } }
        if (seen.has(real)) continue;
        seen.add(real);
        h.update(`d${r}\n`);
        visit(a, r);
        continue;
      }
      if (!st.isFile()) odd.push(`n${r}`);
      if (st.mtimeMs > newestMs) newestMs = st.mtimeMs;
      h.update(`${r}\0${st.size}\0${st.mtimeMs}\0${st.ctimeMs}\0${st.ino}\n`);
      if (collect) stats.push(`${r}\0${st.size},${st.mtimeMs},${st.ctimeMs},${st.ino}\0`);
    }
  };
  visit(root.endsWith(sep) && root.length > 1 ? root.slice(0, -1) : root, '');
  return { digest: h.digest('hex'), newestMs, ...(collect ? { files: stats.join(''), odd } : {}) };
}

const WORKER_SOURCE = `const { parentPort, workerData } = require('worker_threads');
const walk = (${walkStamp.toString()});
let m;
try { m = { ok: walk(workerData.root, require('fs'), require('crypto'), workerData.sep, workerData.collect) }; } catch (e) { m = { error: String(e && e.message || e) }; }
parentPort.postMessage(m);`;

/**
 * The stamp of `root` (walkStamp), taken on a worker thread: the caller's thread stays free (diff
 * estimates NEW from the saved parts meanwhile; the editor's estimate answers its cancel at once).
 * Rejects with 'cancelled' when `signal` fires; where no worker can start, walks on this thread.
 * `files` receives each file's stat as "size,mtime,ctime,inode" (editReuse.ts).
 */
export function treeStamp(root: string, signal?: AbortSignal, files?: Map<string, string>): Promise<TreeStamp> {
  const takenAt = Date.now();
  if (signal?.aborted) return Promise.reject(new Error('cancelled'));
  let w: Worker;
  try {
    w = new Worker(WORKER_SOURCE, { eval: true, workerData: { root: path.resolve(root), sep: path.sep, collect: !!files } });
  } catch {
    return new Promise((resolve) => resolve(stamped(walkStamp(path.resolve(root), fs, crypto, path.sep, !!files), takenAt, files)));
  }
  return new Promise((resolve, reject) => {
    let done = false;
    const settle = (f: () => void) => { if (done) return; done = true; signal?.removeEventListener('abort', onAbort); f(); };
    const onAbort = () => settle(() => { void w.terminate(); reject(new Error('cancelled')); });
    signal?.addEventListener('abort', onAbort, { once: true });
    w.once('message', (m: { ok?: Walked; error?: string }) => settle(() => (m.ok ? resolve(stamped(m.ok, takenAt, files)) : reject(new Error(m.error ?? 'tree stamp failed')))));
    w.once('error', (e) => settle(() => reject(e)));
    w.once('exit', (code) => settle(() => reject(new Error(`tree stamp worker exited with ${code}`))));
  });
}

type Walked = ReturnType<typeof walkStamp>;

/** The walk's stamp, its collected stats put into `files`. */
function stamped(w: Walked, takenAt: number, files?: Map<string, string>): TreeStamp {
  if (files && w.files) {
    const parts = w.files.split('\0');
    for (let i = 0; i + 1 < parts.length; i += 2) files.set(parts[i], parts[i + 1]);
  }
  return { digest: w.digest, newestMs: w.newestMs, takenAt, ...(files && w.odd ? { odd: w.odd } : {}) };
}

interface Saved { schema: string; digest: string; takenAt: number; result: EstimateResult }
interface SavedScan { schema: string; digest: string; takenAt: number; scan: ScanResult }
interface SavedParts { schema: string; digest: string; takenAt: number; parts: Parts }
interface SavedStamps { schema: string; digest: string; takenAt: number; files: Record<string, string> }

/** The last saved run of this tree and options whatever the tree is now: its parts, scan and each file's stat then. */
export interface Previous { takenAt: number; parts: Parts; scan: ScanResult; files: Record<string, string> }
/** One saved run's three files, unchecked against the tree (ResultCache.snapshot). */
export interface Snapshot { digest: string; takenAt: number; result: EstimateResult; scan: ScanResult; parts: Parts }

/**
 * The options of the last result saved among runs of one tree whose options differ only in what
 * `family` leaves out (estimate: the possible CPUs): a run of another member takes that result's
 * parts as they are, the tree being the same (estimate.ts siblingOf).
 */
export class Siblings {
  private readonly file: string;

  constructor(cacheDir: string, root: string, family: string) {
    this.file = entryFile(cacheDir, root, '\0family\0' + family, '.sibling.json');
  }

  /** The options string of the last member saved, if any. */
  last(): string | undefined {
    try {
      const j = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { schema?: string; options?: unknown };
      return j.schema === SCHEMA && typeof j.options === 'string' ? j.options : undefined;
    } catch { return undefined; }
  }

  saved(options: string): void {
    writeAtomic(this.file, () => [JSON.stringify({ schema: SCHEMA, options })]);
  }
}

/** A file under `results/` named for this code, the tree and `what`. */
function entryFile(cacheDir: string, root: string, what: string, suffix: string): string {
  const id = crypto.createHash('sha1').update(SCHEMA).update(codeSalt()).update(path.resolve(root)).update(what).digest('hex');
  return path.join(cacheDir, 'results', `${id}${suffix}`);
}

export class ResultCache {
  readonly file: string;

  /** `options`: everything besides the tree the result depends on, as one string (see estimate's resultKey). */
  constructor(cacheDir: string, readonly root: string, options: string) {
    this.file = entryFile(cacheDir, root, '\0' + options, '.json');
  }

  /** The saved result when the tree's stamp equals the saved one and no file was racy then. */
  lookup(now: TreeStamp): EstimateResult | undefined {
    return this.read<Saved>(this.file, now)?.result;
  }

  /** The scan of the saved run, on the same terms (diff's other side starts from it without walking the tree). */
  lookupScan(now: TreeStamp): ScanResult | undefined {
    return this.read<SavedScan>(this.scanFile, now)?.scan;
  }

  /** The per-file results of the saved run (reuse.ts), on the same terms. */
  lookupParts(now: TreeStamp): Parts | undefined {
    return this.read<SavedParts>(this.partsFile, now)?.parts;
  }

  /**
   * The parts, scan and file stats saved with the last result, whatever the tree's stamp now (an
   * edit since: editReuse.ts redoes what it reaches); undefined unless all three are of one run.
   */
  lookupPrevious(): Previous | undefined {
    const st = this.readAny<SavedStamps>(this.stampsFile);
    if (!st?.files) return undefined;
    const same = <T extends { digest: string }>(j: T | undefined) => (j && j.digest === st.digest ? j : undefined);
    const parts = same(this.readAny<SavedParts>(this.partsFile))?.parts;
    const scan = parts && same(this.readAny<SavedScan>(this.scanFile))?.scan;
    return parts && scan ? { takenAt: st.takenAt, parts, scan, files: st.files } : undefined;
  }

  private readAny<T extends { schema: string; takenAt: number }>(file: string): T | undefined {
    try {
      const j = JSON.parse(readCacheText(file)) as T;
      return j && j.schema === SCHEMA && typeof j.takenAt === 'number' ? j : undefined;
    } catch { return undefined; }
  }

  private get stampsFile(): string {
    return this.file.replace(/\.json$/, '.stamps.json');
  }

  /**
   * The saved result, scan and parts of one run, before the tree is checked (undefined unless all
   * three are there, of one stamp): diff estimates NEW from them while the stamp is taken, then
   * keeps the answer only if `holds` says they are the tree's.
   */
  snapshot(): Snapshot | undefined {
    const [r, s, p] = [this.file, this.scanFile, this.partsFile].map((f) => this.parse(f));
    if (!r || !s || !p || s.digest !== r.digest || p.digest !== r.digest || s.takenAt !== r.takenAt || p.takenAt !== r.takenAt) return undefined;
    return { digest: r.digest, takenAt: r.takenAt, result: (r as Saved).result, scan: (s as SavedScan).scan, parts: (p as SavedParts).parts };
  }

  /** Whether `snap` holds for the tree whose stamp is `now` (as lookup checks a saved file). */
  static holds(snap: Pick<Snapshot, 'digest' | 'takenAt'>, now: TreeStamp): boolean {
    return snap.digest === now.digest && now.newestMs < snap.takenAt - RACY_MS;
  }

  private get scanFile(): string {
    return this.file.replace(/\.json$/, '.scan.json');
  }

  private get partsFile(): string {
    return this.file.replace(/\.json$/, '.parts.json');
  }

  private read<T extends { schema: string; digest: string; takenAt: number }>(file: string, now: TreeStamp): T | undefined {
    const j = this.parse(file) as T | undefined;
    // a file modified this close to the snapshot may have changed again within the timestamps' resolution
    return j && ResultCache.holds(j, now) ? j : undefined;
  }

  private parse(file: string): { schema: string; digest: string; takenAt: number } | undefined {
    let j: { schema: string; digest: string; takenAt: number };
    try { j = JSON.parse(readCacheText(file)); } catch { return undefined; } // in pieces (readText.ts)
    if (!j || j.schema !== SCHEMA || typeof j.digest !== 'string' || typeof j.takenAt !== 'number') return undefined;
    return j;
  }

  /**
   * Saves `result` (and the run's scan) as the tree was at `stamp`, taken before the run: a file
   * changed during it changes the stamp. Each file carries the digest, so a result and a scan of
   * different stamps never pass for each other.
   */
  save(stamp: TreeStamp, result: EstimateResult, scan?: ScanResult, parts?: Parts, files?: ReadonlyMap<string, string>): boolean {
    if (stamp.newestMs >= stamp.takenAt - RACY_MS) return false; // it could never be trusted
    const head = { schema: SCHEMA, digest: stamp.digest, takenAt: stamp.takenAt };
    if (scan) this.write(this.scanFile, { ...head, scan });
    if (parts) this.write(this.partsFile, { ...head, parts });
    if (files && scan && parts) this.write(this.stampsFile, { ...head, files }); // the Map written as an object (jsonPieces)
    if (!this.write(this.file, { ...head, result })) return false;
    this.prune();
    return true;
  }

  private write(file: string, j: object): boolean {
    return writeAtomic(file, () => jsonPieces(j, 4)); // member by member: no 5-12 MB string at the run's end
  }

  private prune(): void {
    pruneStale(path.dirname(this.file), this.file, /[0-9a-f]{40}(?:\.scan|\.parts|\.stamps|\.sibling)?\.json/);
  }

}
