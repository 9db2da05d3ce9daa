// Settings as the editor sees them: reads percpuLens.* through vscode, applies the .config they
// name (profile.ts: the one place the profile is resolved) and reports problems once.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { Settings } from './core';
import { configFacts, resolveProfile, type Profile, type ResolvedProfile } from './profile';
import { parseSettings, SECTION } from './settings';

export class SettingsService implements vscode.Disposable {
  private current: ResolvedProfile | undefined;
  private readonly emitter = new vscode.EventEmitter<Settings>();
  readonly onDidChange = this.emitter.event;
  private readonly sub: vscode.Disposable;
  private watcher: vscode.FileSystemWatcher | undefined;
  private watched: string | undefined;
  private reported = new Set<string>();

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) this.changed();
    });
  }

  private changed(): void {
    this.current = undefined;
    this.emitter.fire(this.get());
  }

  /** The settings with the profile applied: what every view and the estimate use. */
  get(): Settings { return this.resolve().settings; }

  /** The profile in force, with what was refused or odd about the .config. */
  profile(): Profile { return this.resolve().profile; }

  private resolve(): ResolvedProfile {
    if (this.current) return this.current;
    const cfg = vscode.workspace.getConfiguration(SECTION);
    const parsed = parseSettings((k) => cfg.get(k));
    const folder = vscode.workspace.workspaceFolders?.[0];
    const r = resolveProfile(parsed, (f) => fs.readFileSync(f, 'utf8'), folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined);
    for (const p of [...parsed.problems, ...r.profile.problems]) {
      if (this.reported.has(p)) continue;
      this.reported.add(p);
      this.log.warn(p);
    }
    this.watch(parsed.settings.configPath && (r.profile.configPath ?? parsed.settings.configPath));
    return (this.current = r);
  }

  /** The profile as if `file` were chosen: its arch, its NR_CPUS (Compare two configs). */
  forConfig(file: string): ResolvedProfile {
    const cfg = vscode.workspace.getConfiguration(SECTION);
    let arch: string | undefined;
    try { arch = configFacts(fs.readFileSync(file, 'utf8'), file).arch; } catch { /* resolveProfile reports it */ }
    const parsed = parseSettings((k) => (k === 'configPath' ? file : k === 'arch' ? arch ?? cfg.get(k) : cfg.get(k)));
    return resolveProfile(parsed, (f) => fs.readFileSync(f, 'utf8'));
  }

  /** An edited or replaced .config changes the profile (make menuconfig, a new O= build). */
  private watch(file: string | undefined): void {
    if (file === this.watched) return;
    this.watcher?.dispose();
    this.watcher = undefined;
    this.watched = file;
    if (!file) return;
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
    const again = () => { this.reported.clear(); this.changed(); };
    this.watcher.onDidChange(again);
    this.watcher.onDidCreate(again);
    this.watcher.onDidDelete(again);
  }

  /** Writes to the workspace when one is open, else to the user settings. */
  async update(key: string, value: unknown): Promise<void> {
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration(SECTION).update(key, value, target);
  }

  dispose(): void { this.sub.dispose(); this.watcher?.dispose(); this.emitter.dispose(); }
}
