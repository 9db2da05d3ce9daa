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
import { codeSalt, pruneStale } from '../parse/cache';
import { RACY_MS } from '../parse/statIndex';
import type { EstimateResult } from './types';
import type { ScanResult } from '../parse/types';
import type { Parts } from './reuse';
import { writeAtomic } from '../writeAtomic';
import { readCacheText } from '../readText';

const SCHEMA = 'percpu-lens-result-1';

/** One tree's stats as one digest, and the newest modification seen (for the racy rule). */
export interface TreeStamp { digest: string; newestMs: number; takenAt: number }

/** Directories hashed between two yields to the event loop, so a cancel is seen within milliseconds. */
const YIELD_EVERY = 64;

/**
 * Hashes every file under `root` (following directory symlinks once; `.git` skipped) by path, size,
 * mtime, ctime and inode, in name order. A file added, removed, rewritten or touched changes it.
 * Throws 'cancelled' when `signal` fires. `files` receives each file's stat as "size,mtime,ctime,inode" (editReuse.ts).
 */
export async function treeStamp(root: string, signal?: AbortSignal, files?: Map<string, string>): Promise<TreeStamp> {
  const takenAt = Date.now();
  const h = crypto.createHash('sha1');
  let newestMs = 0;
  let dirs = 0;
  const seen = new Set<string>();
  const visit = async (abs: string, rel: string): Promise<void> => {
    if (++dirs % YIELD_EVERY === 0) await new Promise<void>((r) => setImmediate(r));
    if (signal?.aborted) throw new Error('cancelled');
    let ents: fs.Dirent[];
    try { ents = fs.readdirSync(abs, { withFileTypes: true }); } catch { h.update(`?${rel}\n`); return; }
    ents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of ents) {
      if (e.name === '.git') continue;
      const a = path.join(abs, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      let st: fs.Stats;
      try { st = e.isSymbolicLink() ? fs.statSync(a) : fs.lstatSync(a); } catch { h.update(`!${r}\n`); continue; }
      if (st.isDirectory()) {
        let real = a;
        if (e.isSymbolicLink()) { try { real = fs.realpathSync(a); } catch { continue; } }
        if (seen.has(real)) continue;
        seen.add(real);
        h.update(`d${r}\n`);
        await visit(a, r);
        continue;
      }
      if (st.mtimeMs > newestMs) newestMs = st.mtimeMs;
      h.update(`${r}\0${st.size}\0${st.mtimeMs}\0${st.ctimeMs}\0${st.ino}\n`);
      files?.set(r, `${st.size},${st.mtimeMs},${st.ctimeMs},${st.ino}`);
    }
  };
  seen.add(fs.realpathSync(root));
  await visit(root, '');
  return { digest: h.digest('hex'), newestMs, takenAt };
}

interface Saved { schema: string; digest: string; takenAt: number; result: EstimateResult }
interface SavedScan { schema: string; digest: string; takenAt: number; scan: ScanResult }
interface SavedParts { schema: string; digest: string; takenAt: number; parts: Parts }
interface SavedStamps { schema: string; digest: string; takenAt: number; files: Record<string, string> }

/** The last saved run of this tree and options whatever the tree is now: its parts, scan and each file's stat then. */
export interface Previous { takenAt: number; parts: Parts; scan: ScanResult; files: Record<string, string> }

export class ResultCache {
  readonly file: string;

  /** `options`: everything besides the tree the result depends on, as one string (see estimate's resultKey). */
  constructor(cacheDir: string, readonly root: string, options: string) {
    const id = crypto.createHash('sha1').update(SCHEMA).update(codeSalt()).update(path.resolve(root)).update('\0' + options).digest('hex');
    this.file = path.join(cacheDir, 'results', `${id}.json`);
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
      const j = JSON.parse(fs.readFileSync(file, 'utf8')) as T;
      return j && j.schema === SCHEMA && typeof j.takenAt === 'number' ? j : undefined;
    } catch { return undefined; }
  }

  private get stampsFile(): string {
    return this.file.replace(/\.json$/, '.stamps.json');
  }

  private get scanFile(): string {
    return this.file.replace(/\.json$/, '.scan.json');
  }

  private get partsFile(): string {
    return this.file.replace(/\.json$/, '.parts.json');
  }

  private read<T extends { schema: string; digest: string; takenAt: number }>(file: string, now: TreeStamp): T | undefined {
    let j: T;
    try { j = JSON.parse(readCacheText(file)) as T; } catch { return undefined; } // in pieces (readText.ts)
    if (!j || j.schema !== SCHEMA || j.digest !== now.digest || typeof j.takenAt !== 'number') return undefined;
    // a file modified this close to the snapshot may have changed again within the timestamps' resolution
    if (now.newestMs >= j.takenAt - RACY_MS) return undefined;
    return j;
  }

  /**
   * Saves `result` (and the run's scan) as the tree was at `stamp`, taken before the run: a file
   * changed during it changes the stamp. Each file carries the digest, so a result and a scan of
   * different stamps never pass for each other.
   */
  save(stamp: TreeStamp, result: EstimateResult, scan?: ScanResult, parts?: Parts, files?: ReadonlyMap<string, string>): void {
    if (stamp.newestMs >= stamp.takenAt - RACY_MS) return; // it could never be trusted
    const head = { schema: SCHEMA, digest: stamp.digest, takenAt: stamp.takenAt };
    if (scan) this.write(this.scanFile, { ...head, scan });
    if (parts) this.write(this.partsFile, { ...head, parts });
    if (files && scan && parts) this.write(this.stampsFile, { ...head, files: Object.fromEntries(files) });
    if (this.write(this.file, { ...head, result })) this.prune();
  }

  private write(file: string, j: object): boolean {
    return writeAtomic(file, () => [JSON.stringify(j)]);
  }

  private prune(): void {
    pruneStale(path.dirname(this.file), this.file, /[0-9a-f]{40}(?:\.scan|\.parts|\.stamps)?\.json/);
  }

}
