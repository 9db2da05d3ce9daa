// Scans a directory tree: walk, then hand batches of files to worker threads (one per core), each
// of which reads, prefilters, parses and extracts. Partial results survive unreadable files, a
// crashed worker or cancellation.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { walkTree } from './walk';
import { scanFile, FileScanOptions, FileScanOutcome } from './scanFile';
import type { ScanResult, ScanTreeOptions } from './types';
import { StatIndex } from './statIndex';
import { DirStore } from './cache';

export const DEFAULT_INCLUDE = ['**/*.c', '**/*.h'];
const BATCH = 48;
/** most batches queued at one worker */
const MAX_AHEAD = 32;
/** the cache check's longest stretch without handing this thread back */
const YIELD_MS = 100;
// A worker's heap only holds one file's text and its findings at a time; without a cap V8 lets
// garbage from 60k files pile up to hundreds of MB per worker before collecting.
const WORKER_LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 };

/** The worker script sits next to the code that starts it: dist/worker.js (bundles) or out/.../worker.js (tsc). */
export function workerPath(): string | undefined {
  const p = path.join(__dirname, 'worker.js');
  return fs.existsSync(p) ? p : undefined;
}

export async function scanTree(dir: string, opts: ScanTreeOptions = {}): Promise<ScanResult> {
  const t0 = performance.now();
  const root = path.resolve(dir);
  const res: ScanResult = {
    root, findings: [], errors: [], accessorFiles: [],
    stats: { filesSeen: 0, bytesSeen: 0, filesParsed: 0, bytesParsed: 0, filesTreeSitter: 0, bytesTreeSitter: 0, filesSkipped: 0, filesCached: 0, filesUnchanged: 0, ms: 0 },
  };
  let st: fs.Stats;
  try {
    st = fs.statSync(root);
  } catch (e) {
    throw new Error(`cannot scan ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const fileOpts: FileScanOptions = {
    maxFileBytes: opts.maxFileBytes ?? 8 * 1024 * 1024, parseTimeoutMs: opts.parseTimeoutMs ?? 10000, cacheDir: opts.cacheDir,
    ...(opts.cacheDir && !DirStore.heldEntries(opts.cacheDir) ? { cacheEmpty: true } : {}),
  };
  let files: string[];
  let base = root;
  if (st.isFile()) {
    base = path.dirname(root);
    files = [path.basename(root)];
  } else if (opts.listed) {
    files = [...opts.listed];
  } else {
    const w = await walkTree(root, opts.include?.length ? opts.include : DEFAULT_INCLUDE, opts.exclude ?? [], opts.signal);
    files = w.files;
    res.errors.push(...w.errors);
  }
  const total = files.length;
  opts.onListed?.(total);
  let done = 0;
  const index = opts.cacheDir ? new StatIndex(opts.cacheDir, base, `${fileOpts.maxFileBytes}`, opts.knownStats) : undefined;
  const take = (o: FileScanOutcome) => {
    if (o.indexed) res.stats.filesUnchanged = (res.stats.filesUnchanged ?? 0) + 1;
    else index?.record(o);
    res.stats.filesSeen++;
    res.stats.bytesSeen += o.bytes;
    if (o.skipped) res.stats.filesSkipped++;
    if (o.parsed) { res.stats.filesParsed++; res.stats.bytesParsed += o.bytes; }
    res.stats.bytesTreeSitter += o.bytesTreeSitter;
    if (o.bytesTreeSitter > 0) res.stats.filesTreeSitter++;
    if (o.cached) res.stats.filesCached = (res.stats.filesCached ?? 0) + 1;
    for (const f of o.findings) res.findings.push(f);
    if (o.accessors) res.accessorFiles!.push(o.file);
    for (const m of o.errors) res.errors.push({ file: o.file, message: m });
    done++;
    opts.onProgress?.(done, total);
  };
  if (index) {
    // unchanged files are answered here; only the others go to the workers
    const rest: string[] = [];
    // yields by time, not by count: a yield hands this thread to the caller (the estimate reads
    // Kbuild, ~3 s without a pause, under a distro config), and the workers start after this loop.
    // A cold index answers nothing and takes ~20 ms for 55,000 files: it never yields, so the scan
    // runs beside Kbuild instead of after it; an index that stats every file still shows progress.
    let yielded = performance.now();
    for (let i = 0; i < files.length; i++) {
      if (i % 256 === 255 && performance.now() - yielded > YIELD_MS) {
        opts.onProgress?.(i, files.length, 'checking the scan cache');
        await new Promise<void>((r) => setImmediate(r));
        yielded = performance.now();
      }
      if (opts.signal?.aborted) break;
      const hit = index.lookup(files[i]);
      if (hit) take(hit);
      else rest.push(files[i]);
    }
    files = rest;
  }
  // files the index never saw: their outcomes go to the index alone (scanFile)
  const firstSeen = (f: string) => !!index && !index.has(f);
  const nWorkers = Math.min(opts.workers ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length), Math.ceil(files.length / BATCH));
  const wp = workerPath();
  if (nWorkers <= 0 || !wp || files.length < 2 * BATCH) {
    for (const f of files) {
      if (opts.signal?.aborted) break;
      take(await scanFile(base, f, fileOpts, firstSeen(f)));
    }
  } else {
    await runPool(wp, nWorkers, base, files, fileOpts, take, (file, message) => res.errors.push({ file, message }), opts.signal, firstSeen);
  }
  if (opts.signal?.aborted) res.errors.push({ file: '.', message: `cancelled after ${done} of ${total} files` });
  else index?.save();
  res.findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
  res.accessorFiles!.sort();
  res.stats.ms = Math.round(performance.now() - t0);
  return res;
}

function runPool(
  script: string, n: number, root: string, files: string[], opts: FileScanOptions,
  take: (o: FileScanOutcome) => void, fail: (file: string, msg: string) => void, signal?: AbortSignal, firstSeen?: (file: string) => boolean,
): Promise<void> {
  return new Promise((resolve) => {
    let next = 0;
    let batchId = 0;
    const retry: string[][] = [];
    let live = 0;
    const workers = new Set<Worker>();
    const finish = () => {
      if (live === 0) resolve();
    };
    const onAbort = () => {
      for (const w of workers) void w.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const start = () => {
      const w = new Worker(script, { workerData: { root, opts }, resourceLimits: WORKER_LIMITS });
      workers.add(w);
      live++;
      // several batches per worker at once, so it keeps scanning while this thread is busy (the
      // estimate reads Kbuild and headers meanwhile); fewer near the end, so workers finish together
      const inFlight = new Map<number, string[]>();
      let ended = false;
      // the worker takes its batches in order: the first unfinished one is the one it was on; the
      // others go back to the queue for the next worker
      const lose = (why: string) => {
        const ids = [...inFlight.keys()].sort((a, b) => a - b);
        for (const f of inFlight.get(ids[0]) ?? []) fail(f, why);
        for (const id of ids.slice(1)) retry.push(inFlight.get(id)!);
        inFlight.clear();
      };
      const feed = () => {
        if (signal?.aborted) {
          inFlight.clear();
          void w.terminate();
          return;
        }
        const depth = Math.max(1, Math.min(MAX_AHEAD, Math.floor((files.length - next) / BATCH / (4 * n))));
        while (inFlight.size < depth && (retry.length || next < files.length)) {
          let batch = retry.pop();
          if (!batch) {
            batch = files.slice(next, next + BATCH);
            next += batch.length;
          }
          inFlight.set(batchId, batch);
          w.postMessage({ id: batchId++, files: batch, ...(firstSeen ? { firstSeen: batch.map(firstSeen) } : {}) });
        }
        if (!inFlight.size) void w.terminate();
      };
      const end = () => {
        if (ended) return;
        ended = true;
        workers.delete(w);
        live--;
        if (live === 0) signal?.removeEventListener('abort', onAbort);
        finish();
      };
      w.on('message', (m: { id: number; results: FileScanOutcome[] }) => {
        for (const r of m.results) take(r);
        inFlight.delete(m.id);
        feed();
      });
      w.on('error', (e) => {
        // A crashed worker loses only its batches; the files are reported and a fresh worker continues.
        lose(`worker crashed while scanning this batch: ${e.message}`);
        end();
        if (!signal?.aborted && (retry.length || next < files.length)) start();
      });
      w.on('exit', () => {
        lose('worker exited while scanning this batch');
        end();
        if (!signal?.aborted && retry.length) start();
      });
      feed();
    };
    for (let i = 0; i < n; i++) start();
  });
}
