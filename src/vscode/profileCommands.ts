// "Select arch profile", "Use .config file", "Clear .config", and the status bar item showing the
// profile in force (SettingsService.profile(): the same one every view uses).
import * as vscode from 'vscode';
import { ARCHES, ARCH_NAMES, type ArchName } from '../core/config/arch';
import type { SettingsService } from './config';
import { pickConfigs } from './pickConfig';
import { configFacts, profileDetails } from './profile';
import { profileLabel } from './settings';

const CLEAR = 'Stop using the .config';

export async function selectArch(settings: SettingsService): Promise<void> {
  const cur = settings.get();
  const pick = await vscode.window.showQuickPick(
    ARCH_NAMES.map((n) => ({ label: n, description: `${ARCHES[n].bits}-bit, ${1 << ARCHES[n].pageShift} B pages, ${1 << ARCHES[n].l1CacheShift} B lines`, detail: ARCHES[n].notes, picked: n === cur.arch })),
    { title: 'percpu-lens: arch profile', placeHolder: `current: ${cur.arch}` });
  if (!pick) return;
  let inForce = cur.configPath;
  if (inForce && pick.label !== cur.arch) {
    // a .config is made for one arch: keeping an x86 .config under arm64 would price arm64 with x86 symbols
    const a = await vscode.window.showWarningMessage(`percpu-lens: ${inForce} is a ${cur.arch} .config. Stop using it to switch to ${pick.label}?`,
      { modal: true }, CLEAR);
    if (a !== CLEAR) return;
    await clearConfig();
    inForce = undefined;
  }
  await settings.update('arch', pick.label);
  if (inForce) {
    void vscode.window.showInformationMessage(`percpu-lens: NR_CPUS is ${cur.nrCpus}, CONFIG_NR_CPUS of ${inForce}. Clear the .config (percpu-lens: Clear .config) to choose another.`);
    return;
  }
  const cpus = await vscode.window.showInputBox({
    title: 'percpu-lens: CONFIG_NR_CPUS', value: String(settings.get().nrCpus), ignoreFocusOut: true, // second step: keep it if a webview takes focus
    prompt: 'NR_CPUS for this profile (possible CPUs stay as set)',
    validateInput: (v) => (/^\d+$/.test(v) && +v >= 1 && +v <= 65536 ? undefined : 'an integer 1..65536'),
  });
  if (cpus !== undefined) await settings.update('nrCpus', Number(cpus));
}

export async function useConfig(settings: SettingsService, log: vscode.LogOutputChannel, uri?: vscode.Uri): Promise<void> {
  if (!uri) {
    const picked = await pickConfigs(1, 'percpu-lens: use a kernel .config', settings.get().arch as ArchName);
    if (!picked) return;
    uri = picked[0];
  }
  const facts = configFacts(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), uri.fsPath);
  // choosing a .config chooses its arch too; NR_CPUS and the page size are read from it (profile.ts)
  if (facts.arch && facts.arch !== settings.get().arch) await settings.update('arch', facts.arch);
  await settings.update('configPath', uri.fsPath);
  const p = settings.profile();
  log.info(`using ${uri.fsPath}: ${profileLabel(settings.get())}`);
  const mine = p.problems.filter((x) => x.includes(uri!.fsPath));
  if (mine.length) void vscode.window.showWarningMessage(`percpu-lens: ${mine.join('; ')}`);
}

/** Stops using a .config wherever it was set (workspace and user settings). */
export async function clearConfig(): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('percpuLens');
  const i = cfg.inspect<string>('configPath');
  if (i?.workspaceValue !== undefined) await cfg.update('configPath', undefined, vscode.ConfigurationTarget.Workspace);
  if (i?.globalValue !== undefined) await cfg.update('configPath', undefined, vscode.ConfigurationTarget.Global);
  if (i?.workspaceFolderValue !== undefined) {
    for (const f of vscode.workspace.workspaceFolders ?? []) {
      await vscode.workspace.getConfiguration('percpuLens', f.uri).update('configPath', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    }
  }
}

export class ProfileStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('percpuLens.profile', vscode.StatusBarAlignment.Right, 100);
  private readonly sub: vscode.Disposable;

  constructor(settings: SettingsService) {
    this.item.name = 'percpu-lens profile';
    this.item.command = 'percpuLens.selectArch';
    const render = () => {
      const s = settings.get();
      const p = settings.profile();
      this.item.text = `${p.problems.length ? '$(warning)' : '$(circuit-board)'} ${profileLabel(s)}`;
      this.item.tooltip = `percpu-lens profile: ${profileLabel(s)}\n${profileDetails(p)}\nClick to change the arch profile`;
    };
    render();
    this.sub = settings.onDidChange(render);
    this.item.show();
  }

  dispose(): void { this.sub.dispose(); this.item.dispose(); }
}

