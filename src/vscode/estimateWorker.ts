// The whole-tree estimate in a child process of the extension host (as clangd runs beside the
// editor): the host keeps only the view it is sent, and cancelling kills this process. It runs the
// same core estimate as the CLI, through the same adapter as the editor (realCore.ts).
import type { DiffView, EstimateView, Settings } from './core';
import { serve } from './analysisServer';
import { RealCore } from './realCore';
import { heapCompactor, SHORT_GROWTH, wholeTreeRun } from '../core/memory';

export type EstimateRequest =
  | { type: 'estimate'; root: string; settings: Settings; cacheDir?: string }
  /** the working tree of root against revision rev (diffWorkingTree) */
  | { type: 'diff'; root: string; rev: string; settings: Settings; cacheDir?: string };
export type WorkerReply =
  | { type: 'progress'; done: number; total: number; phase: string }
  | { type: 'result'; view: EstimateView }
  | { type: 'diffResult'; diff: DiffView }
  | { type: 'error'; message: string };

const send = (m: WorkerReply) => new Promise<void>((r) => (process.send ? process.send(m, undefined, undefined, () => r()) : r()));

async function run(req: EstimateRequest): Promise<void> {
  const ac = new AbortController();
  process.on('disconnect', () => { ac.abort(); process.exit(0); }); // the host went away
  let last = 0;
  let lastPhase = '';
  try {
    // a process of its own for one whole-tree run, as the CLI's: its V8 settings and forced
    // collections (Debian amd64 cold: peak 414 MB without them, as the CLI's ~285 MB with them)
    wholeTreeRun();
    const compact = heapCompactor();
    const compactShort = heapCompactor(SHORT_GROWTH, Infinity, Infinity);
    const core = new RealCore({ cacheDir: req.cacheDir, ...(compact ? { compact } : {}), ...(compactShort ? { compactShort } : {}) });
    const onProgress = (done: number, total: number, phase = '') => {
      // at most ~20 messages a second, but every phase change
      const now = Date.now();
      if (phase === lastPhase && now - last < 50 && done < total) return;
      last = now;
      lastPhase = phase;
      void send({ type: 'progress', done, total, phase });
    };
    if (req.type === 'diff') {
      await send({ type: 'diffResult', diff: await core.diffWorkingTree(req.root, req.rev, req.settings, ac.signal, onProgress) });
      process.exit(0);
    }
    const view = await core.estimate(req.root, req.settings, ac.signal, onProgress);
    // for the editor's next warm-up (realCore.warm): once per tree, before the result so nothing
    // writes into the cache folder after the host was told the estimate is done
    await core.saveNameTable(req.root, req.settings).catch(() => undefined);
    await send({ type: 'result', view });
  } catch (e) {
    await send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
  process.exit(0);
}

if (process.argv[2] === '--serve') {
  // the editor's per-file analysis server (analysisServer.ts), until the host goes
  process.on('disconnect', () => process.exit(0));
  serve(new RealCore({ cacheDir: process.argv[3] }), { on: (ev, f) => process.on(ev, f as (m: unknown) => void), send: (m) => process.send?.(m) });
} else {
  process.once('message', (m: EstimateRequest) => { if (m?.type === 'estimate' || m?.type === 'diff') void run(m); });
}
