// Inlay hints after each DEFINE_PER_CPU, alloc_percpu and NR_CPUS array: the per-CPU cost and the
// total for the configured CPUs ("64 B/cpu × 512 = 32 KiB").
import * as vscode from 'vscode';
import { formatNrCpusArray, formatPerCpu } from '../core/report/format';
import type { AnalysisCache } from './analysisCache';
import type { Item, Settings } from './core';
import type { SettingsService } from './config';

export function hintLabel(it: Item, s: Settings, count: number): string | undefined {
  if (it.unresolved) return it.kind === 'static' || it.kind === 'alloc' || it.kind === 'nr_cpus_array' ? '? B/cpu' : undefined;
  if (it.bytesPerCpu === undefined) return undefined;
  if (it.kind === 'static') return formatPerCpu(it.bytesPerCpu, s.possibleCpus);
  if (it.kind === 'alloc') return formatPerCpu(it.bytesPerCpu, s.possibleCpus, count);
  if (it.kind === 'nr_cpus_array') return formatNrCpusArray(it.elementBytes ?? it.bytesPerCpu, s.nrCpus);
  return undefined;
}

export class CostHints implements vscode.InlayHintsProvider {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeInlayHints = this.emitter.event;

  constructor(private readonly cache: AnalysisCache, private readonly settings: SettingsService) {
    settings.onDidChange(() => this.emitter.fire());
    cache.onDidInvalidate(() => this.emitter.fire());
  }

  async provideInlayHints(doc: vscode.TextDocument, range: vscode.Range): Promise<vscode.InlayHint[]> {
    const a = await this.cache.get(doc);
    const s = this.settings.get();
    const rel = vscode.workspace.asRelativePath(doc.uri, false);
    const out: vscode.InlayHint[] = [];
    for (const it of a.items) {
      const pos = new vscode.Position(it.endLine - 1, it.endColumn);
      if (!range.contains(pos)) continue;
      const label = hintLabel(it, s, (s.counts[`${rel}:${it.line}`] ?? 1) * s.instances);
      if (!label) continue;
      const h = new vscode.InlayHint(pos, label);
      h.paddingLeft = true;
      h.tooltip = it.unresolved ? `size unknown: ${it.unresolved}` : `${it.name}: ${it.type}`;
      out.push(h);
    }
    return out;
  }
}
