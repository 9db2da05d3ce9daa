// Picking kernel .config files. A QuickPick over the workspace's config-like files first: the native
// open dialog cannot multi-select in VS Code for the Web / code-server, and kernel trees keep configs
// in well-known places. "Browse…" falls back to the open dialog, one file at a time.
import * as vscode from 'vscode';

const CONFIG_GLOB = '**/{.config,*.config,config-*,*_defconfig}';
const BROWSE = 'Browse…';

export async function pickConfigs(count: 1 | 2, title: string): Promise<vscode.Uri[] | undefined> {
  const found = await vscode.workspace.findFiles(CONFIG_GLOB, '**/{node_modules,.git}/**', 500);
  const items: Array<vscode.QuickPickItem & { uri?: vscode.Uri }> = found
    .sort((a, b) => a.fsPath.localeCompare(b.fsPath))
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri, false), uri }));
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
    const one = await vscode.window.showQuickPick(items, { title, placeHolder: 'kernel .config' });
    return one ? [one] : undefined;
  }
  return vscode.window.showQuickPick(items, { title, placeHolder: 'tick two kernel .config files', canPickMany: true });
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
