// Hover on a per-CPU construct: its cost and a pahole-like layout (holes, cache-line boundaries).
import * as vscode from 'vscode';
import type { AnalysisCache } from './analysisCache';
import type { SettingsService } from './config';
import { toRange } from './convert';
import { hintLabel } from './inlayHints';
import { sizeLine } from './hoverText';

export class LayoutHover implements vscode.HoverProvider {
  constructor(private readonly cache: AnalysisCache, private readonly settings: SettingsService) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    const a = await this.cache.get(doc);
    const it = a.items.find((i) => toRange(i).contains(pos) && i.kind !== 'free');
    if (!it) return undefined;
    const s = this.settings.get();
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**percpu-lens** · \`${it.kind}\` `).appendText(`${it.name}: ${it.type}`).appendMarkdown('\n\n');
    if (it.unresolved) md.appendText(`Size unknown: ${it.unresolved}`);
    else {
      const label = hintLabel(it, s, (s.counts[`${vscode.workspace.asRelativePath(doc.uri, false)}:${it.line}`] ?? 1) * s.instances);
      if (label) md.appendText(label).appendMarkdown('\n\n');
      const sl = sizeLine(it, s.arch);
      if (sl) md.appendText(sl);
      if (it.layoutText) md.appendCodeblock(it.layoutText, 'c');
    }
    return new vscode.Hover(md, toRange(it));
  }
}
