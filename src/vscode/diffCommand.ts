// "Per-CPU cost of uncommitted changes": the working tree against HEAD, estimated in the estimate
// process (core.diffWorkingTree), summed up in the status bar, reported in the log as the CLI prints
// it, and a CodeLens over each changed definition of the working tree.
import { execFile } from 'child_process';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CoreFacade, DiffView } from './core';
import type { SettingsService } from './config';
import { ChunkMapPanel } from './chunkMapPanel';
import { diffPanelData } from './diffModel';
import { diffLenses, diffStatusText, parseOneline, type DiffLens } from './diffText';
import { PhaseProgress } from './estimateProgress';
import { profileLabel } from './settings';

/** The last diff's lenses, by absolute file path of the working tree. */
export class DiffLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private byFile = new Map<string, DiffLens[]>();

  set(root: string, view: DiffView | undefined): void {
    this.byFile = new Map();
    if (view) for (const [f, l] of diffLenses(view.result)) this.byFile.set(path.join(root, f), l);
    this.emitter.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const ls = this.byFile.get(doc.uri.fsPath) ?? [];
    return ls.filter((l) => l.line >= 1 && l.line <= doc.lineCount).map((l) => {
      const r = new vscode.Range(l.line - 1, 0, l.line - 1, 0);
      // lines moved by edits made after the diff shift the lens; the next run puts it right
      return new vscode.CodeLens(r, { title: l.title, command: '', ...(l.tooltip ? { tooltip: l.tooltip } : {}) });
    });
  }

  dispose(): void { this.emitter.dispose(); }
}

export interface DiffDeps { core: CoreFacade; settings: SettingsService; log: vscode.LogOutputChannel; status: vscode.StatusBarItem; lenses: DiffLenses; extensionUri: vscode.Uri }

export function diffStatusItem(): vscode.StatusBarItem {
  const s = vscode.window.createStatusBarItem('percpuLens.diff', vscode.StatusBarAlignment.Left, 99);
  s.name = 'percpu-lens: per-CPU cost of uncommitted changes';
  s.command = 'percpuLens.diffWorkingTree';
  return s;
}

/** The same against a revision picked from the last 20 commits. */
export async function diffRevisionCommand(d: DiffDeps): Promise<void> {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (f?.uri.scheme !== 'file') { void vscode.window.showWarningMessage('percpu-lens: open a kernel folder on disk first.'); return; }
  const out = await new Promise<string>((resolve, reject) =>
    execFile('git', ['log', '--oneline', '--no-decorate', '-20'], { cwd: f.uri.fsPath, maxBuffer: 1 << 20 }, (e, so, se) =>
      (e ? reject(new Error(`git log: ${String(se).trim() || e.message}`)) : resolve(so))));
  const picks = parseOneline(out);
  if (!picks.length) { void vscode.window.showWarningMessage('percpu-lens: no commits in this repository.'); return; }
  const p = await vscode.window.showQuickPick(picks, { title: 'percpu-lens: per-CPU cost of the working tree against', matchOnDescription: true });
  if (p) await diffWorkingTreeCommand(d, p.rev);
}

export async function diffWorkingTreeCommand(d: DiffDeps, rev = 'HEAD'): Promise<void> {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (f?.uri.scheme !== 'file') { void vscode.window.showWarningMessage('percpu-lens: open a kernel folder on disk first.'); return; }
  if (!d.core.diffWorkingTree) throw new Error('this core cannot diff');
  const root = f.uri.fsPath;
  const s = d.settings.get();
  const title = `percpu-lens: per-CPU cost of changes since ${rev} (${profileLabel(s)})`;
  const view = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      const bar = new PhaseProgress();
      let last = 0;
      try {
        const t0 = Date.now();
        // two estimates: the bar runs through the phases twice, so it only moves forward per side
        const v = await d.core.diffWorkingTree!(root, rev, s, ac.signal, (done, total, msg) => {
          const pct = bar.at(msg ?? '', done, total);
          progress.report({ increment: pct - last, message: msg ? PhaseProgress.message(msg, done, total) : undefined });
          last = pct;
        });
        d.log.info(`${title}: ${Date.now() - t0} ms\n${v.text}`);
        return v;
      } catch (e) {
        if (token.isCancellationRequested) { d.log.info(`${title}: cancelled`); return undefined; }
        throw e;
      } finally { sub.dispose(); }
    });
  if (!view) return;
  d.status.text = `$(git-compare) ${diffStatusText(view.result)}`;
  d.status.tooltip = `percpu-lens: ${view.result.old.label} → ${view.result.new.label}; the per-item changes are in the "cost of the change" panel, the full report in the percpu-lens output`;
  d.status.show();
  d.lenses.set(root, view);
  // the diff panel: per-item changes and the area, over both sides' chunk maps with the changed blocks marked
  const label = `(${profileLabel(s)})`;
  ChunkMapPanel.show(d.extensionUri, {
    views: [{ title: `${view.result.old.label} ${label}`, view: view.before }, { title: `${view.result.new.label} ${label}`, view: view.after }],
    diff: diffPanelData(view.result),
  }, d.log);
}
