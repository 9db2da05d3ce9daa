// The editor's core, kept out of the extension host like clangd: open files are analysed in one
// long-lived child process (analysisServer.ts: the layout engine, header index and parse trees live
// there), and each whole-tree estimate runs in a fresh child process (estimateWorker.ts) so its
// memory never lands in the host, and cancelling kills that process at once.
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { CoreFacade, DiffView, EstimateView, FileAnalysis, Progress, Settings } from './core';
import type { EstimateRequest, WorkerReply } from './estimateWorker';
import { AnalysisClient, type AnalysisReply, type ServerChannel } from './analysisServer';
import { RealCore } from './realCore';
import LAUNCH = require('../core/launch.json');

/** dist/estimateWorker.js beside dist/extension.js, or out/src/vscode/estimateWorker.js under tsc. */
export function estimateWorkerPath(): string | undefined {
  const p = path.join(__dirname, 'estimateWorker.js');
  return fs.existsSync(p) ? p : undefined;
}

/** The worker script as plain Node (Electron's extension host starts its own binary), its stderr's tail kept for the reason it stops. */
function forkWorker(script: string, args: string[]): { child: ChildProcess; stopped: (code: number | null, sig: NodeJS.Signals | null) => string } {
  const child = fork(script, args, {
    execArgv: [...LAUNCH.nodeArgs], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    // LAUNCH: one malloc arena, so what the scan's worker threads free is reused, and a smaller
    // young generation (see README)
    env: { ...process.env, ...LAUNCH.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-4000); });
  const stopped = (code: number | null, sig: NodeJS.Signals | null) => `${sig ?? `exit ${code}`}${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`;
  return { child, stopped };
}

/** Starts the analysis server: the worker script with --serve (it answers requests until the host goes). */
function forkServer(script: string, cacheDir: string | undefined): ServerChannel {
  const { child, stopped } = forkWorker(script, ['--serve', ...(cacheDir ? [cacheDir] : [])]);
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  child.unref();
  child.channel?.unref();
  return {
    send: (m) => { child.send(m); },
    onMessage: (f) => { child.on('message', (m: AnalysisReply) => f(m)); },
    onExit: (f) => {
      let told = false;
      const tell = (why: string) => { if (!told) { told = true; f(why); } };
      child.on('error', (e) => tell(e.message));
      child.on('exit', (code, sig) => tell(stopped(code, sig)));
    },
    kill: () => { child.kill('SIGKILL'); },
    busy: (b) => {
      if (b) { child.ref(); child.channel?.ref(); } else { child.unref(); child.channel?.unref(); }
    },
  };
}

export class ForkedCore implements CoreFacade {
  private localCore: RealCore | undefined;
  /** the analysis server; none when there is no worker script (unit tests of the sources) */
  private readonly server: AnalysisClient | undefined;

  constructor(private readonly opts: { cacheDir?: string; inProcess?: boolean } = {}) {
    const script = opts.inProcess ? undefined : estimateWorkerPath();
    if (script) this.server = new AnalysisClient(() => forkServer(script, opts.cacheDir));
  }

  /** the same core in this process, made on first use only */
  private get local(): RealCore { return (this.localCore ??= new RealCore(this.opts)); }

  analyzeFile(file: string, text: string, s: Settings, root?: string): Promise<FileAnalysis> {
    if (!this.server) return this.local.analyzeFile(file, text, s, root);
    return this.server.analyze(file, text, s, root).then((r) => {
      if (!r) throw new Error('the analysis process sent no analysis');
      return r;
    });
  }

  closeFile(file: string): void {
    if (!this.server) { this.local.closeFile(file); return; }
    this.server.forget(file);
    this.server.request({ op: 'close', file }).catch(() => undefined);
  }

  warm(root: string, s: Settings): Promise<void> {
    if (!this.server) return this.local.warm(root, s);
    return this.server.request({ op: 'warm', root, settings: s }).then(() => undefined);
  }

  /** stops the analysis process (the extension's deactivation; it also exits when the host goes) */
  dispose(): void { this.server?.dispose(); }

  estimate(root: string, s: Settings, signal: AbortSignal, progress: Progress): Promise<EstimateView> {
    const script = estimateWorkerPath();
    // no worker script (a unit test of the sources): the same estimate in this process
    if (!script) return this.local.estimate(root, s, signal, progress);
    return this.inWorker(script, { type: 'estimate', root, settings: s }, signal, progress).then((m) => {
      if (m.type !== 'result') throw new Error('the estimate process sent no estimate');
      if (this.server) this.server.request({ op: 'noteEstimate', root, staticBytes: m.view.totals.staticBytes }).catch(() => undefined);
      else this.local.noteEstimate(root, m.view.totals.staticBytes);
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
      let w: ReturnType<typeof forkWorker>;
      try { w = forkWorker(script, []); } catch (e) { reject(e); return; }
      const { child, stopped } = w;
      let settled = false;
      const done = (f: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        f();
      };
      const onAbort = () => done(() => { child.kill('SIGKILL'); reject(new Error('cancelled')); });
      signal.addEventListener('abort', onAbort, { once: true });
      child.on('message', (m: WorkerReply) => {
        if (m.type === 'progress') { if (!settled) progress(m.done, m.total, m.phase); }
        else if (m.type === 'result' || m.type === 'diffResult') done(() => resolve(m));
        else if (m.type === 'error') done(() => reject(new Error(m.message)));
      });
      child.on('error', (e) => done(() => reject(e)));
      child.on('exit', (code, sig) => done(() => reject(new Error(`the estimate process stopped (${stopped(code, sig)})`))));
      child.send({ ...req, ...(this.opts.cacheDir ? { cacheDir: this.opts.cacheDir } : {}) });
    });
  }
}
