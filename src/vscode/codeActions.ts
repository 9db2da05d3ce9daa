// Quick fixes for diagnostics whose rewrite is mechanical. The diagnostic code ties a marker to its
// fix (as in code-actions-sample); the edit itself comes from the core's analysis of this version.
import * as vscode from 'vscode';
import { AnalysisCache } from './analysisCache';
import { toRange } from './convert';
import { SOURCE } from './diagnostics';

export class FixProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly cache: AnalysisCache) {}

  async provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, ctx: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const ours = ctx.diagnostics.filter((d) => d.source === SOURCE);
    if (!ours.length) return [];
    const analysis = await this.cache.get(doc);
    const actions: vscode.CodeAction[] = [];
    for (const marker of ours) {
      const code = typeof marker.code === 'object' ? marker.code.value : marker.code;
      const d = analysis.diagnostics.find((x) => x.fix && x.code === code && toRange(x).isEqual(marker.range));
      if (!d?.fix) continue;
      // the first fix is right whatever the type; the others are named in the message with their condition
      for (const [i, f] of [d.fix, ...(d.moreFixes ?? [])].entries()) {
        const a = new vscode.CodeAction(f.title, vscode.CodeActionKind.QuickFix);
        a.diagnostics = [marker];
        a.isPreferred = i === 0;
        a.edit = new vscode.WorkspaceEdit();
        for (const e of f.edits) a.edit.replace(doc.uri, toRange(e), e.newText);
        actions.push(a);
      }
    }
    return actions;
  }
}
