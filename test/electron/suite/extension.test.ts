// The editor features through the API, on the e2e fixture tree.
import * as assert from 'assert';
import * as vscode from 'vscode';

async function until<T>(what: string, f: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('percpu-lens in VS Code', () => {
  const root = () => vscode.workspace.workspaceFolders![0].uri;

  it('publishes diagnostics with linked codes and a PCPU003 quick fix', async () => {
    const uri = vscode.Uri.joinPath(root(), 'kernel/sched_stats.c');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const d = await until('PCPU003', () => vscode.languages.getDiagnostics(uri).find((x) => typeof x.code === 'object' && x.code.value === 'PCPU003'));
    assert.strictEqual(d.source, 'percpu-lens');
    assert.match(String((d.code as { target: vscode.Uri }).target), /#pcpu003$/);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title.includes('this_cpu_ptr'));
    assert.ok(fix?.edit);
    await vscode.workspace.applyEdit(fix.edit);
    assert.ok(doc.getText().includes('this_cpu_ptr(&rq_stats)'));
  });

  it('shows inlay hints with the per-CPU cost', async () => {
    const uri = vscode.Uri.joinPath(root(), 'kernel/sched_stats.c');
    const doc = await vscode.workspace.openTextDocument(uri);
    const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', uri, new vscode.Range(0, 0, doc.lineCount, 0));
    assert.ok(hints.some((h) => String(h.label) === '32 B/cpu × 512 = 16 KiB'), hints.map((h) => String(h.label)).join(', '));
  });

  it('runs the estimate command', async () => {
    await vscode.commands.executeCommand('percpuLens.estimate');
  });
});
