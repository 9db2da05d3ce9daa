import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('percpu-lens', { log: true });
  context.subscriptions.push(log);
  log.info('percpu-lens activated');
}

export function deactivate(): void {}
