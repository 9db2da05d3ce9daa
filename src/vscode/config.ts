// Settings as the editor sees them: reads percpuLens.* through vscode and reports bad values once.
import * as vscode from 'vscode';
import type { Settings } from './core';
import { parseSettings, SECTION } from './settings';

export class SettingsService implements vscode.Disposable {
  private current: Settings | undefined;
  private readonly emitter = new vscode.EventEmitter<Settings>();
  readonly onDidChange = this.emitter.event;
  private readonly sub: vscode.Disposable;
  private reported = new Set<string>();

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      this.current = undefined;
      this.emitter.fire(this.get());
    });
  }

  get(): Settings {
    if (this.current) return this.current;
    const cfg = vscode.workspace.getConfiguration(SECTION);
    const { settings, problems } = parseSettings((k) => cfg.get(k));
    for (const p of problems) {
      if (this.reported.has(p)) continue;
      this.reported.add(p);
      this.log.warn(p);
    }
    return (this.current = settings);
  }

  /** Writes to the workspace when one is open, else to the user settings. */
  async update(key: string, value: unknown): Promise<void> {
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration(SECTION).update(key, value, target);
  }

  dispose(): void { this.sub.dispose(); this.emitter.dispose(); }
}
