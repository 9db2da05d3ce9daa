// "Select arch profile", "Use .config file", and the status bar item showing the profile in force.
import * as vscode from 'vscode';
import { ARCHES, ARCH_NAMES } from '../core/config/arch';
import type { SettingsService } from './config';
import { readDotConfig } from './dotConfig';
import { pickConfigs } from './pickConfig';
import { profileLabel } from './settings';

export async function selectArch(settings: SettingsService): Promise<void> {
  const cur = settings.get();
  const pick = await vscode.window.showQuickPick(
    ARCH_NAMES.map((n) => ({ label: n, description: `${ARCHES[n].bits}-bit, ${1 << ARCHES[n].pageShift} B pages, ${1 << ARCHES[n].l1CacheShift} B lines`, detail: ARCHES[n].notes, picked: n === cur.arch })),
    { title: 'percpu-lens: arch profile', placeHolder: `current: ${cur.arch}` });
  if (!pick) return;
  const cpus = await vscode.window.showInputBox({
    title: 'percpu-lens: CONFIG_NR_CPUS', value: String(cur.nrCpus), prompt: 'NR_CPUS for this profile (possible CPUs stay as set)',
    ignoreFocusOut: true, // second step: keep it if a webview takes focus
    validateInput: (v) => (/^\d+$/.test(v) && +v >= 1 && +v <= 65536 ? undefined : 'an integer 1..65536'),
  });
  await settings.update('arch', pick.label);
  if (cpus !== undefined) await settings.update('nrCpus', Number(cpus));
}

export async function useConfig(settings: SettingsService, log: vscode.LogOutputChannel, uri?: vscode.Uri): Promise<void> {
  if (!uri) {
    const picked = await pickConfigs(1, 'percpu-lens: use a kernel .config');
    if (!picked) return;
    uri = picked[0];
  }
  const facts = readDotConfig(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
  await settings.update('configPath', uri.fsPath);
  if (facts.arch) await settings.update('arch', facts.arch);
  if (facts.nrCpus) await settings.update('nrCpus', facts.nrCpus);
  log.info(`using ${uri.fsPath}: arch ${facts.arch ?? '(unchanged)'}, NR_CPUS ${facts.nrCpus ?? '(unchanged)'}`);
}

export class ProfileStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('percpuLens.profile', vscode.StatusBarAlignment.Right, 100);
  private readonly sub: vscode.Disposable;

  constructor(settings: SettingsService) {
    this.item.name = 'percpu-lens profile';
    this.item.command = 'percpuLens.selectArch';
    const render = () => {
      const s = settings.get();
      this.item.text = `$(circuit-board) ${profileLabel(s)}`;
      this.item.tooltip = `percpu-lens profile: ${profileLabel(s)}${s.configPath ? `\n${s.configPath}` : ''}\nClick to change the arch profile`;
    };
    render();
    this.sub = settings.onDidChange(render);
    this.item.show();
  }

  dispose(): void { this.sub.dispose(); this.item.dispose(); }
}
