// "Explain a boot log": the per-CPU lines of the active editor (its selection, or the whole text), or of the
// clipboard when the editor has none, reproduced and explained by the core (simulate --dmesg); the report
// opens beside as a plain-text document. The editor computes nothing of its own.
import * as vscode from 'vscode';
import { analyzeDmesg, formatDmesgReport, parseDmesg } from '../core/sim/dmesg';

export async function explainBootLog(log: vscode.LogOutputChannel): Promise<void> {
  const ed = vscode.window.activeTextEditor;
  const sel = ed && !ed.selection.isEmpty ? ed.document.getText(ed.selection) : ed?.document.getText();
  let text = sel && parseDmesg(sel).length ? sel : undefined;
  let from = ed ? ed.document.uri.toString() : '';
  if (!text) {
    const clip = await vscode.env.clipboard.readText();
    if (clip && parseDmesg(clip).length) { text = clip; from = 'the clipboard'; }
  }
  if (!text) {
    void vscode.window.showInformationMessage('percpu-lens: no per-CPU boot line ("percpu: Embedded …", "pcpu-alloc:", "setup_percpu:") in the editor or the clipboard. Open or copy a dmesg or journal first.');
    return;
  }
  const r = analyzeDmesg(text);
  log.info(`boot log from ${from}: ${r.boots.length} boot(s), ${r.reproduced} reproduced exactly`);
  const doc = await vscode.workspace.openTextDocument({ content: formatDmesgReport(r), language: 'plaintext' });
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
}
