// "Estimate percpu footprint" and "Compare two configs": cancellable progress over the core's
// estimate, a summary in the log, the chunk map in the webview.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ArchName } from '../core/config/arch';
import { summaryText } from '../core/report/summary';
import type { CoreFacade, EstimateView, Settings } from './core';
import type { SettingsService } from './config';
import { CallerPrices } from './callerPrices';
import { ChunkMapPanel } from './chunkMapPanel';
import { compareViews } from './diffModel';
import { TreeDiagnostics } from './diagnostics';
import { PhaseProgress } from './estimateProgress';
import { type CostHints, profileKey } from './inlayHints';
import { pickConfigs } from './pickConfig';
import { profileLabel } from './settings';

export interface Deps { core: CoreFacade; settings: SettingsService; log: vscode.LogOutputChannel; extensionUri: vscode.Uri; tree: TreeDiagnostics; hints: CostHints }

function workspaceRoot(): vscode.Uri | undefined {
  const f = vscode.workspace.workspaceFolders?.[0];
  return f?.uri.scheme === 'file' ? f.uri : undefined;
}

async function runEstimate(d: Deps, root: vscode.Uri, s: Settings, title: string): Promise<EstimateView | undefined> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, token) => {
      const ac = new AbortController();
      let cancelAt = 0;
      const sub = token.onCancellationRequested(() => { cancelAt = Date.now(); ac.abort(); });
      let last = 0;
      const bar = new PhaseProgress();
      try {
        const t0 = Date.now();
        const view = await d.core.estimate(root.fsPath, s, ac.signal, (done, total, msg) => {
          const pct = bar.at(msg ?? '', done, total);
          progress.report({ increment: pct - last, message: msg ? PhaseProgress.message(msg, done, total) : undefined });
          last = pct;
        });
        d.log.info(`${title}: ${Date.now() - t0} ms\n${summaryText(view)}`);
        return view;
      } catch (e) {
        if (token.isCancellationRequested) { d.log.info(`${title}: cancelled, settled ${Date.now() - cancelAt} ms after the request`); return undefined; }
        throw e;
      } finally { sub.dispose(); }
    });
}

export async function estimateCommand(d: Deps): Promise<void> {
  const root = workspaceRoot();
  if (!root) { void vscode.window.showWarningMessage('percpu-lens: open a kernel folder on disk first.'); return; }
  const s = d.settings.get();
  const result = await runEstimate(d, root, s, `percpu-lens: estimating (${profileLabel(s)})`);
  if (!result) return;
  const { treeDiagnostics, ...view } = result;
  d.tree.publish(root, treeDiagnostics ?? []);
  d.hints.setPrices(new CallerPrices(view, profileKey(s), (rel) => {
    try { return fs.readFileSync(path.join(root.fsPath, rel), 'utf8'); } catch { return undefined; }
  }));
  ChunkMapPanel.show(d.extensionUri, { views: [{ title: profileLabel(s), view }] }, d.log);
  d.log.show(true);
}

export async function compareCommand(d: Deps, a?: vscode.Uri, b?: vscode.Uri): Promise<void> {
  const root = workspaceRoot();
  if (!root) { void vscode.window.showWarningMessage('percpu-lens: open a kernel folder on disk first.'); return; }
  if (!a || !b) {
    const picked = await pickConfigs(2, 'percpu-lens: compare two configs', d.settings.get().arch as ArchName);
    if (!picked) return;
    [a, b] = picked;
  }
  const views = [];
  for (const cfg of [a, b]) {
    const { settings: s, profile } = d.settings.forConfig(cfg.fsPath);
    for (const p of profile.problems) d.log.warn(p);
    const label = vscode.workspace.asRelativePath(cfg, false);
    const result = await runEstimate(d, root, s, `percpu-lens: estimating with ${label}`);
    if (!result) return;
    const { treeDiagnostics: _t, ...view } = result;
    views.push({ title: `${label} (${view.arch}, ${view.possibleCpus}/${view.nrCpus} CPUs)`, view });
  }
  ChunkMapPanel.show(d.extensionUri, { views, comparison: compareViews(views[0].view, views[1].view) }, d.log);
}
