// Publishes the core's diagnostics for open C documents (re-analysed after typing pauses).
import * as vscode from 'vscode';
import { docsUrl } from '../core/estimate/session';
import { AnalysisCache } from './analysisCache';
import type { CoreDiagnostic } from './core';
import { relatedUri, toRange } from './convert';

export const SOURCE = 'percpu-lens';
const DEBOUNCE_MS = 300;

const SEVERITY: Record<CoreDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information, hint: vscode.DiagnosticSeverity.Hint,
};

export function isC(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'c' || (doc.languageId === 'cpp' && /\.h$/.test(doc.fileName)); // *.h opens as C++ by default
}

/** `fileUri` resolves the file names of related locations. */
export function toDiagnostic(d: CoreDiagnostic, fileUri: (file: string) => vscode.Uri): vscode.Diagnostic {
  const v = new vscode.Diagnostic(toRange(d), d.message, SEVERITY[d.severity]);
  v.source = SOURCE;
  v.code = { value: d.code, target: vscode.Uri.parse(docsUrl(d.code)) };
  if (d.related?.length) {
    v.relatedInformation = d.related.map((r) => new vscode.DiagnosticRelatedInformation(
      new vscode.Location(fileUri(r.file), new vscode.Position(Math.max(0, r.line - 1), 0)), r.message));
  }
  return v;
}

/**
 * The cross-file rules' findings of the last estimate (PCPU002, PCPU004 on header types, PCPU007), in
 * their own collection: the per-file publisher never reports these, so nothing shows twice.
 */
export class TreeDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(`${SOURCE}-tree`);

  publish(root: vscode.Uri, ds: Array<CoreDiagnostic & { file: string }>): void {
    this.collection.clear();
    const at = (f: string) => vscode.Uri.joinPath(root, f);
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const d of ds) byFile.set(d.file, [...(byFile.get(d.file) ?? []), toDiagnostic(d, at)]);
    for (const [f, list] of byFile) this.collection.set(at(f), list);
  }

  dispose(): void { this.collection.dispose(); }
}

export class DiagnosticsPublisher implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(SOURCE);
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly cache: AnalysisCache, settingsChanged: vscode.Event<unknown>) {
    this.subs.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DEBOUNCE_MS)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
      settingsChanged(() => this.refreshAll()),
      cache.onDidInvalidate(() => this.refreshAll()),
    );
    this.refreshAll();
  }

  private refreshAll(): void {
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (!isC(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => { this.timers.delete(key); void this.publish(doc); }, delay));
  }

  private async publish(doc: vscode.TextDocument): Promise<void> {
    const version = doc.version;
    const a = await this.cache.get(doc);
    if (doc.isClosed || doc.version !== version) return; // a newer run will publish
    const p = AnalysisCache.pathOf(doc);
    this.collection.set(doc.uri, a.diagnostics.map((d) => toDiagnostic(d, (f) => relatedUri(f, doc, p))));
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const s of this.subs) s.dispose();
    this.collection.dispose();
  }
}
