// Entry point: wires the core facade to the editor. Activation is cheap: nothing is analysed until a
// C document is open or a command runs.
import * as path from 'path';
import * as vscode from 'vscode';
import { AnalysisCache } from './analysisCache';
import { explainBootLog } from './bootLogCommand';
import { ChunkMapSerializer, VIEW_TYPE } from './chunkMapPanel';
import { FixProvider } from './codeActions';
import { SettingsService } from './config';
import { createCore } from './core';
import { DiagnosticsPublisher, TreeDiagnostics } from './diagnostics';
import { DiffLenses, diffRevisionCommand, diffStatusItem, diffWorkingTreeCommand } from './diffCommand';
import { compareCommand, estimateCommand, type Deps } from './estimateCommand';
import { LayoutHover } from './hover';
import { CostHints } from './inlayHints';
import { clearConfig, ProfileStatus, selectArch, useConfig } from './profileCommands';
import { REVISION_SCHEME, RevisionDocs } from './revisionDocs';

// VS Code maps *.h to C++ by default; kernel headers are C.
const C_FILES: vscode.DocumentSelector = [{ language: 'c' }, { language: 'cpp', pattern: '**/*.h' }];

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('percpu-lens', { log: true });
  context.subscriptions.push(log);
  try {
    // scan results by file content survive restarts in the extension's own storage
    const storage = context.globalStorageUri.scheme === 'file' ? context.globalStorageUri.fsPath : undefined;
    const core = createCore({ cacheDir: storage && path.join(storage, 'scan') });
    context.subscriptions.push({ dispose: () => core.dispose?.() });
    const settings = new SettingsService(log);
    const cache = new AnalysisCache(core, settings, log);
    const tree = new TreeDiagnostics();
    const hints = new CostHints(cache, settings);
    const deps: Deps = { core, settings, log, extensionUri: context.extensionUri, tree, hints };
    const guard = (name: string, f: (...a: never[]) => Promise<void>) => async (...a: never[]) => {
      try { await f(...a); } catch (e) {
        log.error(`${name}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        void vscode.window.showErrorMessage(`percpu-lens: ${name} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    const diffLenses = new DiffLenses();
    const diffStatus = diffStatusItem();
    const diffDeps = { core, settings, log, status: diffStatus, lenses: diffLenses, extensionUri: context.extensionUri };
    context.subscriptions.push(
      settings, cache, tree, diffLenses, diffStatus,
      vscode.languages.registerCodeLensProvider(C_FILES, diffLenses),
      // the diff panel opens OLD's items as the revision holds them
      vscode.workspace.registerTextDocumentContentProvider(REVISION_SCHEME, new RevisionDocs(() => {
        const f = vscode.workspace.workspaceFolders?.[0];
        return f?.uri.scheme === 'file' ? f.uri.fsPath : undefined;
      })),
      vscode.commands.registerCommand('percpuLens.diffWorkingTree', guard('diff', () => diffWorkingTreeCommand(diffDeps))),
      vscode.commands.registerCommand('percpuLens.diffRevision', guard('diff', () => diffRevisionCommand(diffDeps))),
      new DiagnosticsPublisher(cache, settings.onDidChange),
      vscode.languages.registerCodeActionsProvider(C_FILES, new FixProvider(cache), FixProvider.metadata),
      vscode.languages.registerInlayHintsProvider(C_FILES, hints),
      vscode.languages.registerHoverProvider(C_FILES, new LayoutHover(cache, settings)),
      new ProfileStatus(settings),
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, new ChunkMapSerializer(context.extensionUri, log)),
      vscode.commands.registerCommand('percpuLens.estimate', guard('estimate', () => estimateCommand(deps))),
      vscode.commands.registerCommand('percpuLens.compareConfigs', guard('compare', (a?: vscode.Uri, b?: vscode.Uri) => compareCommand(deps, a, b))),
      vscode.commands.registerCommand('percpuLens.selectArch', guard('select arch', () => selectArch(settings))),
      vscode.commands.registerCommand('percpuLens.useConfig', guard('use .config', (u?: vscode.Uri) => useConfig(settings, log, u))),
      vscode.commands.registerCommand('percpuLens.clearConfig', guard('clear .config', () => clearConfig())),
      vscode.commands.registerCommand('percpuLens.explainBootLog', guard('explain boot log', () => explainBootLog(log))),
    );
    // once the profile is known, index the tree's headers in the background: the first hint then
    // waits only for the opened file's own types
    const folder = vscode.workspace.workspaceFolders?.[0];
    const warm = () => {
      if (folder?.uri.scheme !== 'file') return;
      setTimeout(() => {
        const t0 = Date.now();
        core.warm?.(folder.uri.fsPath, settings.get())
          .then(() => log.info(`type index ready in ${Date.now() - t0} ms (${profileOf(settings)})`), (e: unknown) => log.warn(`warm-up: ${String(e)}`));
      }, 0);
    };
    warm();
    context.subscriptions.push(settings.onDidChange(warm));
    log.info(`percpu-lens activated (${profileOf(settings)})`);
  } catch (e) {
    log.error(`activation failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    void vscode.window.showErrorMessage(`percpu-lens failed to start: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function profileOf(s: SettingsService): string {
  const p = s.profile();
  return `${p.arch}, NR_CPUS ${p.nrCpus}, possible ${p.possibleCpus}, page ${p.pageSize} B${p.configPath ? `, ${p.configPath}` : ''}`;
}

export function deactivate(): void {}
