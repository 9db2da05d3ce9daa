// One analysis per document version, shared by diagnostics, inlay hints, hovers and code actions
// (the idea of vscode-anycode's trees.ts: parse once, serve every feature).
import * as vscode from 'vscode';
import type { CoreFacade, FileAnalysis } from './core';
import type { SettingsService } from './config';

interface Entry { version: number; result: Promise<FileAnalysis> }

export class AnalysisCache implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly subs: vscode.Disposable[] = [];
  private readonly invalidated = new vscode.EventEmitter<void>();
  /** Other documents' analyses went stale: an edited header may change the types they use. */
  readonly onDidInvalidate = this.invalidated.event;

  constructor(private readonly core: CoreFacade, private readonly settings: SettingsService, private readonly log: vscode.LogOutputChannel) {
    this.subs.push(
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.entries.delete(d.uri.toString());
        core.closeFile?.(AnalysisCache.pathOf(d));
      }),
      settings.onDidChange(() => this.entries.clear()),
    );
  }

  get(doc: vscode.TextDocument): Promise<FileAnalysis> {
    const key = doc.uri.toString();
    const e = this.entries.get(key);
    if (e && e.version === doc.version) return e.result;
    const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
    const root = folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
    const t0 = Date.now();
    const result = this.core.analyzeFile(doc.uri.scheme === 'file' ? doc.uri.fsPath : key, doc.getText(), this.settings.get(), root)
      .then((r) => {
        // what a first hint waits for, in the log when it is noticeable
        const ms = Date.now() - t0;
        if (ms >= 100) this.log.info(`analysed ${vscode.workspace.asRelativePath(doc.uri, false)} (v${doc.version}) in ${ms} ms`);
        // what depends on an edited header: every other open file is analysed again with it
        if (r.typesChanged && /\.h$/.test(doc.fileName)) this.invalidateOthers(key);
        return r;
      })
      .catch((err: unknown) => {
        this.log.error(`analysis of ${doc.uri.fsPath} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
        return { items: [], diagnostics: [] };
      });
    this.entries.set(key, { version: doc.version, result });
    return result;
  }

  private invalidateOthers(key: string): void {
    for (const k of [...this.entries.keys()]) if (k !== key) this.entries.delete(k);
    this.invalidated.fire();
  }

  /** The document-path the core was given, to recognise its related locations. */
  static pathOf(doc: vscode.TextDocument): string {
    return doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.toString();
  }

  dispose(): void { for (const s of this.subs) s.dispose(); this.invalidated.dispose(); this.entries.clear(); }
}
