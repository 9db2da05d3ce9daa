// The editor's core: files are analysed in the extension host (fast, incremental); the whole-tree
// estimate runs in a child process (estimateWorker.ts) so its memory never lands in the host, and
// cancelling kills that process at once.
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { CoreFacade, DiffView, EstimateView, FileAnalysis, Progress, Settings } from './core';
import type { EstimateRequest, WorkerReply } from './estimateWorker';
import { RealCore } from './realCore';

/** dist/estimateWorker.js beside dist/extension.js, or out/src/vscode/estimateWorker.js under tsc. */
export function estimateWorkerPath(): string | undefined {
  const p = path.join(__dirname, 'estimateWorker.js');
  return fs.existsSync(p) ? p : undefined;
}

export class ForkedCore implements CoreFacade {
  private readonly local: RealCore;

  constructor(private readonly opts: { cacheDir?: string } = {}) {
    this.local = new RealCore(opts);
  }

  analyzeFile(file: string, text: string, s: Settings, root?: string): Promise<FileAnalysis> {
    return this.local.analyzeFile(file, text, s, root);
  }

  closeFile(file: string): void { this.local.closeFile(file); }

  warm(root: string, s: Settings): Promise<void> { return this.local.warm(root, s); }

  estimate(root: string, s: Settings, signal: AbortSignal, progress: Progress): Promise<EstimateView> {
    const script = estimateWorkerPath();
    // no worker script (a unit test of the sources): the same estimate in this process
    if (!script) return this.local.estimate(root, s, signal, progress);
    return this.inWorker(script, { type: 'estimate', root, settings: s }, signal, progress).then((m) => {
      if (m.type !== 'result') throw new Error('the estimate process sent no estimate');
      this.local.noteEstimate(root, m.view.totals.staticBytes);
      return m.view;
    });
  }

  diffWorkingTree(root: string, rev: string, s: Settings, signal: AbortSignal, progress: Progress): Promise<DiffView> {
    const script = estimateWorkerPath();
    if (!script) return this.local.diffWorkingTree(root, rev, s, signal, progress);
    return this.inWorker(script, { type: 'diff', root, rev, settings: s }, signal, progress).then((m) => {
      if (m.type !== 'diffResult') throw new Error('the estimate process sent no diff');
      return m.diff;
    });
  }

  /** One request in a fresh estimate process: its progress forwarded, its answer, killed on abort. */
  private inWorker(script: string, req: EstimateRequest, signal: AbortSignal, progress: Progress): Promise<Extract<WorkerReply, { type: 'result' | 'diffResult' }>> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) { reject(new Error('cancelled')); return; }
      let child: ChildProcess;
      try {
        child = fork(script, [], {
          execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
          // Electron's extension host starts its own binary as plain Node
          env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        });
      } catch (e) { reject(e); return; }
      let settled = false;
      let stderr = '';
      const done = (f: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        f();
      };
      const onAbort = () => done(() => { child.kill('SIGKILL'); reject(new Error('cancelled')); });
      signal.addEventListener('abort', onAbort, { once: true });
      child.stderr?.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-4000); });
      child.on('message', (m: WorkerReply) => {
        if (m.type === 'progress') { if (!settled) progress(m.done, m.total, m.phase); }
        else if (m.type === 'result' || m.type === 'diffResult') done(() => resolve(m));
        else if (m.type === 'error') done(() => reject(new Error(m.message)));
      });
      child.on('error', (e) => done(() => reject(e)));
      child.on('exit', (code, sig) => done(() => reject(new Error(`the estimate process stopped (${sig ?? `exit ${code}`})${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`))));
      child.send({ ...req, ...(this.opts.cacheDir ? { cacheDir: this.opts.cacheDir } : {}) });
    });
  }
}
