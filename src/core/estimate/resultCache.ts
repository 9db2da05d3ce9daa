// A whole estimate saved after a run and given back while nothing it could have read changed: the
// same code, the same options (profile, .config values, counts, trace, globs) and the same tree,
// every file's size, mtime, ctime and inode (.git aside), as the scan's stat index checks one
// file (parse/statIndex.ts). Re-running on an unchanged tree (the CLI again, diff's OLD side)
// then costs one walk of the tree's stats instead of sizing and rules. Like every stat cache
// here, a file modified within RACY_MS of the snapshot makes it untrusted; anything missing or
// malformed is a miss and the estimate runs as before.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
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
 * One part of the walk of every file under `root` (following directory symlinks once; `.git`
 * skipped), by path, size, mtime, ctime and inode, in name order: a file added, removed, rewritten or
 * touched changes the stamp. The walk is cut into slots, in walk order: each directory two levels
 * down is a slot of its own, with everything under it, and the entries above them make the slots
 * between. Part `index` of `of` fills the text to hash (and, with `collect`, each file's stat as
 * "path\0size,mtime,ctime,inode\0") of its slots: every `of`-th directory slot, and the slots
 * between for part 0; the others' are empty. A file's line in the text is its entry in the stats.
 * Self-contained, its module passed in: it runs in a
 * worker from its source text (treeStamp). `links`: a symlinked directory the parts cannot tell
 * the whole walk would skip (a link to a directory later in name order, or outside the tree).
 * `skip`: top-level folders left out (treeStamp).
 */
function walkPart(root: string, fs: typeof import('fs'), sep: string, collect: boolean, index: number, of: number, skip: readonly string[]): StampPart {
  const texts: string[] = [];
  const files: string[] = [];
  const odd: string[][] = [];
  let newestMs = 0;
  let links = false;
  const top = fs.realpathSync(root);
  const seen = new Set<string>([top]);
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const base = root.endsWith(sep) && root.length > 1 ? root.slice(0, -1) : root;
  // whether the whole walk has met directory `real` before the link at `rel`: it is the root, or a
  // directory under it (no link on the way: `real` is resolved) that comes earlier in name order
  const metBefore = (real: string, rel: string): boolean => {
    if (real === top) return true;
    if (!real.startsWith(base + sep)) return false;
    const a = real.slice(base.length + 1).split(sep);
    const b = rel.split('/');
    if (a.includes('.git')) return false;
    for (let i = 0; i < a.length; i++) {
      if (i >= b.length) return false;
      if (a[i] !== b[i]) return a[i] < b[i];
    }
    return true; // an ancestor: being walked
  };
  let t: string[] = [];
  let f: string[] = [];
  let o: string[] = [];
  let mine = index === 0;
  let dirs = 0;
  const flush = () => { texts.push(mine ? t.join('') : ''); files.push(mine ? f.join('') : ''); odd.push(mine ? o : []); t = []; f = []; o = []; };
  const visit = (abs: string, rel: string, depth: number): void => {
    let ents: import('fs').Dirent[];
    try { ents = fs.readdirSync(abs, { withFileTypes: true }); } catch { if (mine) { t.push(`?${rel}\n`); o.push(`u${rel}`); } return; }
    ents.sort(byName);
    for (const e of ents) {
      if (e.name === '.git' || (depth === 1 && skip.includes(e.name))) continue;
      if (!mine && e.isFile()) continue; // another part's file: no stat needed
      const a = abs + sep + e.name;
      const r = rel ? rel + '/' + e.name : e.name;
      let st: import('fs').Stats;
      try { st = e.isSymbolicLink() ? fs.statSync(a) : fs.lstatSync(a); } catch { if (mine) { t.push(`!${r}\n`); o.push(`b${r}`); } continue; }
      if (st.isDirectory()) {
        let real = a;
        if (e.isSymbolicLink()) {
          if (mine) o.push(`d${r}`);
          try { real = fs.realpathSync(a); } catch { continue; }
          // the parts share no `seen`: a link to a directory met before is skipped, as the whole walk
          // skips it; any other is left to one part walking everything
          if (of > 1) { if (!metBefore(real, r)) links = true; continue; }
        }
        const slot = depth === 2;
        if (slot) { flush(); mine = dirs++ % of === index; }
        // every part walks the top level's directories (their entries make the slots); a slot only its own part
        if ((mine || depth < 2) && !seen.has(real)) {
          seen.add(real);
          if (mine) t.push(`d${r}\n`);
          visit(a, r, depth + 1);
        }
        if (slot) { flush(); mine = index === 0; }
        continue;
      }
      if (!mine) continue;
      if (!st.isFile()) o.push(`n${r}`);
      if (st.mtimeMs > newestMs) newestMs = st.mtimeMs;
      // one string for the digest and the stats: each number made text once (86,000 files a walk)
      const line = `${r}\0${st.size},${st.mtimeMs},${st.ctimeMs},${st.ino}\0`;
      t.push(line);
      if (collect) f.push(line);
    }
  };
  visit(base, '', 1);
  flush();
  return { texts, files: collect ? files : [], odd, newestMs, links };
}

interface StampPart { texts: string[]; files: string[]; odd: string[][]; newestMs: number; links: boolean }

/** The parts' slots in walk order as one walk's stamp; undefined when they disagree (the tree changed meanwhile) or met a folder link they cannot decide (`links`). */
function joinParts(parts: StampPart[], collect: boolean): { digest: string; newestMs: number; files?: string; odd?: string[] } | undefined {
  const n = parts[0].texts.length;
  if (parts.some((p) => p.texts.length !== n) || (parts.length > 1 && parts.some((p) => p.links))) return undefined;
  const h = crypto.createHash('sha1');
  const files: string[] = [];
  const odd: string[] = [];
  for (let i = 0; i < n; i++) for (const p of parts) {
    if (p.texts[i]) h.update(p.texts[i]);
    if (collect && p.files[i]) files.push(p.files[i]);
    odd.push(...p.odd[i]);
  }
  return { digest: h.digest('hex'), newestMs: Math.max(...parts.map((p) => p.newestMs)), ...(collect ? { files: files.join(''), odd } : {}) };
}

/** The whole walk on this thread (walkPart, one part). */
function walkStamp(root: string, collect: boolean, skip: readonly string[]): Walked {
  return joinParts([walkPart(root, fs, path.sep, collect, 0, 1, skip)], collect)!;
}

const WORKER_SOURCE = `const { parentPort, workerData } = require('worker_threads');
const walk = (${walkPart.toString()});
let m;
try { m = { ok: walk(workerData.root, require('fs'), workerData.sep, workerData.collect, workerData.index, workerData.of, workerData.skip) }; } catch (e) { m = { error: String(e && e.message || e) }; }
parentPort.postMessage(m);`;

/**
 * The stamp of `root` (walkPart), taken on worker threads: the caller's thread stays free (diff
 * estimates NEW from the saved parts meanwhile; the editor's estimate answers its cancel at once).
 * Rejects with 'cancelled' when `signal` fires; where no worker can start, walks on this thread.
 * `files` receives each file's stat as "size,mtime,ctime,inode" (editReuse.ts). `parts`: how many
 * workers share the walk (walkPart), at most one per processor. `skip`: top-level folders no stage
 * of the run reads (index.ts unreadFolders), left out of the stamp.
 */
export async function treeStamp(root: string, o: { signal?: AbortSignal; files?: Map<string, string>; parts?: number; skip?: readonly string[] } = {}): Promise<TreeStamp> {
  const takenAt = Date.now();
  if (o.signal?.aborted) throw new Error('cancelled');
  const abs = path.resolve(root);
  const collect = !!o.files;
  const skip = o.skip ?? [];
  // the walk is ~86,000 stat calls on a kernel tree: two parts on two cores take about half the time
  const of = Math.min(o.parts ?? STAMP_PARTS, Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
  let w = await walkParts(abs, collect, of, skip, o.signal);
  if (w && 'again' in w) w = await walkParts(abs, collect, 1, skip, o.signal);
  // no worker starts: this thread walks
  return stamped(w && !('again' in w) ? w : walkStamp(abs, collect, skip), takenAt, o.files);
}

const STAMP_PARTS = 2;

/** walkPart's `of` parts on as many workers, joined; `{ again }` when they cannot stand for the whole walk (joinParts), undefined when a worker cannot start. */
async function walkParts(root: string, collect: boolean, of: number, skip: readonly string[], signal?: AbortSignal): Promise<Walked | { again: true } | undefined> {
  if (signal?.aborted) throw new Error('cancelled');
  const workers: Worker[] = [];
  try {
    for (let index = 0; index < of; index++) workers.push(new Worker(WORKER_SOURCE, { eval: true, workerData: { root, sep: path.sep, collect, index, of, skip: [...skip] } }));
  } catch {
    for (const w of workers) void w.terminate();
    return undefined;
  }
  const parts = await new Promise<StampPart[]>((resolve, reject) => {
    const got: StampPart[] = new Array(of);
    let left = of;
    let done = false;
    const settle = (f: () => void) => { if (done) return; done = true; signal?.removeEventListener('abort', onAbort); for (const w of workers) void w.terminate(); f(); };
    const onAbort = () => settle(() => reject(new Error('cancelled')));
    signal?.addEventListener('abort', onAbort, { once: true });
    workers.forEach((w, i) => {
      w.once('message', (m: { ok?: StampPart; error?: string }) => {
        if (!m.ok) { settle(() => reject(new Error(m.error ?? 'tree stamp failed'))); return; }
        got[i] = m.ok;
        if (--left === 0) settle(() => resolve(got));
      });
      w.once('error', (e) => settle(() => reject(e)));
      w.once('exit', (code) => { if (got[i] === undefined) settle(() => reject(new Error(`tree stamp worker exited with ${code}`))); });
    });
  });
  return joinParts(parts, collect) ?? { again: true };
}

type Walked = NonNullable<ReturnType<typeof joinParts>>;

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
/** a stats file's first line; then each file's "path\0size,mtime,ctime,inode\0", in the stamp's walk order (statsText) */
interface StampsHead { schema: string; digest: string; takenAt: number }

/**
 * A stamp's stats as saved: one string, in the walk's order, as the stamp's workers made it. Read
 * and written whole (no object of ~86,000 members parsed and written), and a later run's stamp of
 * the same tree compares with it entry by entry in step (editReuse.ts changedFiles).
 */
export function statsText(files: ReadonlyMap<string, string>): string {
  const out: string[] = [];
  for (const [f, k] of files) out.push(f, '\0', k, '\0');
  return out.join('');
}

/** The last saved run of this tree and options whatever the tree is now: its parts, scan and each file's stat then (statsText). */
export interface Previous { takenAt: number; parts: Parts; scan: ScanResult; files: string }
/** One saved run's three files, unchecked against the tree (ResultCache.snapshot). */
export interface Snapshot { digest: string; takenAt: number; result: EstimateResult; scan: ScanResult; parts: Parts }

/**
 * The options of the last result saved among runs of one tree whose options differ only in what
 * `family` leaves out (estimate: the possible CPUs, --nr-cpus and --instances): a run of another member takes that result's
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
    const st = this.readStamps();
    if (!st) return undefined;
    const same = <T extends { digest: string }>(j: T | undefined) => (j && j.digest === st.digest ? j : undefined);
    const parts = same(this.readAny<SavedParts>(this.partsFile))?.parts;
    const scan = parts && same(this.readAny<SavedScan>(this.scanFile))?.scan;
    return parts && scan ? { takenAt: st.takenAt, parts, scan, files: st.files } : undefined;
  }

  private readStamps(): (StampsHead & { files: string }) | undefined {
    try {
      const t = readCacheText(this.stampsFile);
      const nl = t.indexOf('\n');
      const head = JSON.parse(t.slice(0, nl)) as StampsHead;
      if (nl < 0 || !head || head.schema !== SCHEMA || typeof head.digest !== 'string' || typeof head.takenAt !== 'number') return undefined;
      return { ...head, files: t.slice(nl + 1) };
    } catch { return undefined; }
  }

  private writeStamps(file: string, head: StampsHead, files: ReadonlyMap<string, string>): boolean {
    return writeAtomic(file, () => [JSON.stringify(head), '\n', statsText(files)]);
  }

  private readAny<T extends { schema: string; takenAt: number }>(file: string): T | undefined {
    try {
      const j = JSON.parse(readCacheText(file)) as T;
      return j && j.schema === SCHEMA && typeof j.takenAt === 'number' ? j : undefined;
    } catch { return undefined; }
  }

  /** Whether a run of these options could take anything saved: a result, or the stamps an edit's run starts from (lookupPrevious). */
  anySaved(): boolean {
    return fs.existsSync(this.file) || fs.existsSync(this.stampsFile);
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
  save(stamp: TreeStamp, result: EstimateResult, scan?: ScanResult, parts?: Parts, files?: ReadonlyMap<string, string> | 'aside'): boolean {
    if (stamp.newestMs >= stamp.takenAt - RACY_MS) return false; // it could never be trusted
    const head = { schema: SCHEMA, digest: stamp.digest, takenAt: stamp.takenAt };
    if (scan) this.write(this.scanFile, { ...head, scan });
    if (parts) this.write(this.partsFile, { ...head, parts });
    if (files === 'aside') {
      if (scan && parts) this.takeAside(stamp);
    } else if (files && scan && parts) this.writeStamps(this.stampsFile, head, files);
    if (!this.write(this.file, { ...head, result })) return false;
    this.prune();
    return true;
  }

  /**
   * The file stats of a run written before the run (its start holds the 86,000 stats of a kernel
   * tree, ~15 MB of strings, which otherwise stay live to its end, where a distro config's cold
   * run has its peak), beside the saved ones: save(..., 'aside') puts them in place with the
   * result, and a run that never gets there leaves the saved ones as they were.
   */
  saveStampsAside(stamp: TreeStamp, files: ReadonlyMap<string, string>): boolean {
    if (stamp.newestMs >= stamp.takenAt - RACY_MS) return false;
    return this.writeStamps(this.asideFile(stamp), { schema: SCHEMA, digest: stamp.digest, takenAt: stamp.takenAt }, files);
  }

  /** The stats saveStampsAside wrote for `stamp` (named by its digest), as the saved ones; without them the old ones go. */
  private takeAside(stamp: TreeStamp): void {
    try {
      fs.renameSync(this.asideFile(stamp), this.stampsFile);
    } catch {
      // none: lookupPrevious must not pair the old stats with this run's parts (it checks the digest too)
      try { fs.rmSync(this.stampsFile, { force: true }); } catch { /* the next run only misses what it could re-use */ }
    }
  }

  private asideFile(stamp: TreeStamp): string {
    return this.file.replace(/\.json$/, `.stamps-next-${stamp.digest.slice(0, 12)}.json`);
  }

  private write(file: string, j: object): boolean {
    return writeAtomic(file, () => jsonPieces(j, 4)); // member by member: no 5-12 MB string at the run's end
  }

  private prune(): void {
    pruneStale(path.dirname(this.file), this.file, /[0-9a-f]{40}(?:\.scan|\.parts|\.stamps|\.stamps-next-[0-9a-f]{12}|\.sibling)?\.json/);
  }

}
