// The per-file analysis (hints, diagnostics, hovers) in a long-lived child process, as clangd serves
// an editor: the layout engine, the header index and the parse trees live there, never in the
// extension host. One request, one reply with the same id; a request the child cannot answer
// gets an error reply, and a child that stops fails every pending request with its reason (the
// next request starts a new child). No vscode import: unit tests drive both ends in plain Node.
import type { FileAnalysis, Settings } from './core';
import { diffEdit, type TextEdit } from '../core/estimate/session';

/**
 * An open file's text goes whole on its first analysis on a server, then as the edit from the text
 * the server was last sent (`length`: the text's length after it, a check): sending a 300 KB
 * file (serialise, pipe, deserialise) cost 2-3 ms of each re-analysis, 5-8 ms at p95.
 */
export type AnalysisRequest =
  | ({ id: number; op: 'analyze'; file: string; settings: Settings; root?: string } & ({ text: string } | { edit: TextEdit; length: number }))
  | { id: number; op: 'warm'; root: string; settings: Settings }
  | { id: number; op: 'close'; file: string }
  | { id: number; op: 'noteEstimate'; root: string; staticBytes: number };
/** a request before the client numbers it */
export type AnalysisCall = AnalysisRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;
export type AnalysisReply =
  | { id: number; ok: true; value?: FileAnalysis }
  | { id: number; ok: false; message: string; /** the server has not the text an edit applies to: send it whole */ resend?: true };

/** What the server calls: RealCore's per-file side. */
export interface FileCore {
  analyzeFile(file: string, text: string, s: Settings, root?: string): Promise<FileAnalysis>;
  warm(root: string, s: Settings): Promise<void>;
  closeFile(file: string): void;
  noteEstimate(root: string, staticBytes: number): void;
}

/**
 * Answers one request (never throws: a failure is an error reply). `texts`: each open file's text
 * as last sent, which an edit applies to; it is updated before anything is awaited, so requests
 * apply in the order they came.
 */
export async function handleRequest(core: FileCore, m: AnalysisRequest, texts = new Map<string, string>()): Promise<AnalysisReply> {
  const id = typeof m?.id === 'number' ? m.id : -1;
  try {
    switch (m?.op) {
      case 'analyze': {
        let text: string;
        if ('edit' in m) {
          const base = texts.get(m.file);
          const { start, end } = m.edit;
          if (base === undefined || !(start >= 0 && start <= end && end <= base.length) || base.length - (end - start) + m.edit.text.length !== m.length) {
            texts.delete(m.file);
            return { id, ok: false, message: `${m.file}: no text for this edit to apply to`, resend: true };
          }
          text = base.slice(0, start) + m.edit.text + base.slice(end);
        } else text = m.text;
        texts.set(m.file, text);
        return { id, ok: true, value: await core.analyzeFile(m.file, text, m.settings, m.root) };
      }
      case 'warm': await core.warm(m.root, m.settings); return { id, ok: true };
      case 'close': texts.delete(m.file); core.closeFile(m.file); return { id, ok: true };
      case 'noteEstimate': core.noteEstimate(m.root, m.staticBytes); return { id, ok: true };
      default: return { id, ok: false, message: `unknown request ${JSON.stringify((m as { op?: unknown })?.op)}` };
    }
  } catch (e) {
    return { id, ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

/** The child's side: every message is a request, answered as soon as it is done. */
export function serve(core: FileCore, port: { on(ev: 'message', f: (m: AnalysisRequest) => void): void; send(m: AnalysisReply): void }): void {
  const texts = new Map<string, string>();
  port.on('message', (m) => { void handleRequest(core, m, texts).then((r) => port.send(r)); });
}

/** A running server as the client sees it (a forked child process, or a fake in tests). */
export interface ServerChannel {
  send(m: AnalysisRequest): void;
  onMessage(f: (m: AnalysisReply) => void): void;
  /** the server stopped: `why` says how */
  onExit(f: (why: string) => void): void;
  kill(): void;
  /** requests are waiting (keep the caller's process alive for the reply) or none are (an idle
   *  server keeps nothing alive: a test run or a host can exit while it waits for work) */
  busy?(waiting: boolean): void;
}

/** The server had not the text an edit applies to. */
class ResendText extends Error {}

/** The host's side: requests by id over a channel started on first use and again after it stops. */
export class AnalysisClient {
  private ch: ServerChannel | undefined;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: AnalysisReply & { ok: true }) => void; reject: (e: Error) => void }>();
  /** each open file's text as last sent to the server `sentOn` */
  private readonly sent = new Map<string, string>();
  private sentOn: ServerChannel | undefined;

  constructor(private readonly start: () => ServerChannel) {}

  /**
   * An open file analysed: sent whole the first time on this server, else as the edit from the
   * text sent last (sent whole again when the server lost it).
   */
  async analyze(file: string, text: string, settings: Settings, root?: string): Promise<FileAnalysis | undefined> {
    const ch = this.channel();
    if (this.sentOn !== ch) { this.sent.clear(); this.sentOn = ch; }
    const prev = this.sent.get(file);
    this.sent.set(file, text);
    if (prev !== undefined) {
      try {
        return await this.request({ op: 'analyze', file, edit: diffEdit(prev, text), length: text.length, settings, root });
      } catch (e) {
        if (!(e instanceof ResendText)) throw e;
      }
    }
    return this.request({ op: 'analyze', file, text, settings, root });
  }

  /** the file was closed: its text is not kept */
  forget(file: string): void { this.sent.delete(file); }

  request(req: AnalysisCall): Promise<FileAnalysis | undefined> {
    return new Promise((resolve, reject) => {
      let ch: ServerChannel;
      try { ch = this.channel(); } catch (e) { reject(e instanceof Error ? e : new Error(String(e))); return; }
      const id = this.next++;
      this.pending.set(id, { resolve: (r) => resolve(r.value), reject });
      if (this.pending.size === 1) ch.busy?.(true);
      try { ch.send({ ...req, id } as AnalysisRequest); } catch (e) {
        this.pending.delete(id);
        if (!this.pending.size) ch.busy?.(false);
        reject(new Error(`the analysis process cannot be reached: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
  }

  /** how many requests wait for a reply */
  get waiting(): number { return this.pending.size; }

  dispose(): void {
    const ch = this.ch;
    this.ch = undefined;
    ch?.kill();
    this.failAll('the analysis process was stopped');
  }

  private channel(): ServerChannel {
    if (this.ch) return this.ch;
    const ch = this.start();
    this.ch = ch;
    ch.onMessage((r) => {
      const p = this.pending.get(r?.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (!this.pending.size) ch.busy?.(false);
      if (r.ok) p.resolve(r); else p.reject(r.resend ? new ResendText(r.message) : new Error(r.message));
    });
    ch.onExit((why) => {
      if (this.ch === ch) this.ch = undefined;
      this.failAll(`the analysis process stopped (${why})`);
    });
    return ch;
  }

  private failAll(message: string): void {
    const ps = [...this.pending.values()];
    this.pending.clear();
    for (const p of ps) p.reject(new Error(message));
  }
}
