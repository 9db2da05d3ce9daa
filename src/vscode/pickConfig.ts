// Picking kernel .config files. A QuickPick over real .config files first (the tree's, O= build
// folders', /boot's), then defconfig fragments, the selected arch's first (configCandidates.ts).
// "Browse…" falls back to the open dialog, one file at a time: the native dialog cannot
// multi-select in VS Code for the Web / code-server.
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { ArchName } from '../core/config/arch';
import { configCandidates, GROUP_LABELS, type Candidate } from './configCandidates';
import { configFacts } from './profile';

const CONFIG_GLOB = '**/{.config,*.config,config-*,*_defconfig}';
const BROWSE = 'Browse…';

type Item = vscode.QuickPickItem & { uri?: vscode.Uri };

/** "arm64, NR_CPUS 256" for a full .config (fragments are not read: there are hundreds). */
function describe(c: Candidate): string | undefined {
  if (c.group === 'defconfig' || c.group === 'fragment') return undefined;
  try {
    const f = configFacts(fs.readFileSync(c.file, 'utf8'), c.file);
    return [f.arch ?? 'arch ?', f.nrCpus !== undefined ? `NR_CPUS ${f.nrCpus}` : undefined, c.source ? `build of ${c.source}` : undefined]
      .filter(Boolean).join(', ');
  } catch { return undefined; }
}

export async function pickConfigs(count: 1 | 2, title: string, arch: ArchName): Promise<vscode.Uri[] | undefined> {
  const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const found = await vscode.workspace.findFiles(CONFIG_GLOB, '**/{node_modules,.git,arch}/**', 500);
  const cands = configCandidates({ roots, arch, kbuildOutput: process.env.KBUILD_OUTPUT, found: found.filter((u) => u.scheme === 'file').map((u) => u.fsPath) });
  const items: Item[] = [];
  let group: string | undefined;
  for (const c of cands) {
    if (c.group !== group) {
      group = c.group;
      items.push({ label: GROUP_LABELS[c.group], kind: vscode.QuickPickItemKind.Separator });
    }
    const uri = vscode.Uri.file(c.file);
    const rel = vscode.workspace.asRelativePath(uri, false);
    items.push({ label: rel, uri, description: describe(c) });
  }
  items.push({ label: BROWSE, description: 'choose files outside the workspace', alwaysShow: true });
  const picked = await pick(items, count, title);
  if (!picked) return undefined;
  if (picked.some((p) => !p.uri)) return browse(count, title);
  if (picked.length !== count) {
    void vscode.window.showWarningMessage(`percpu-lens: select exactly ${count} .config file${count > 1 ? 's' : ''}.`);
    return undefined;
  }
  return picked.map((p) => p.uri!);
}

async function pick<T extends vscode.QuickPickItem>(items: T[], count: 1 | 2, title: string): Promise<readonly T[] | undefined> {
  if (count === 1) {
    const one = await vscode.window.showQuickPick(items, { title, placeHolder: 'kernel .config', matchOnDescription: true });
    return one ? [one] : undefined;
  }
  return vscode.window.showQuickPick(items, { title, placeHolder: 'tick two kernel .config files', canPickMany: true, matchOnDescription: true });
}

async function browse(count: number, title: string): Promise<vscode.Uri[] | undefined> {
  const out: vscode.Uri[] = [];
  for (let i = 0; i < count; i++) {
    const r = await vscode.window.showOpenDialog({ canSelectMany: false, title: count > 1 ? `${title} (${i + 1} of ${count})` : title,
      openLabel: 'Use this .config', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
    if (!r?.[0]) return undefined;
    out.push(r[0]);
  }
  return out;
}
