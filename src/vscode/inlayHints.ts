// Inlay hints after each DEFINE_PER_CPU, alloc_percpu and NR_CPUS array: the per-CPU cost and the
// total for the configured CPUs ("64 B/cpu × 512 = 32 KiB").
import * as vscode from 'vscode';
import { formatNrCpusArray, formatPerCpu } from '../core/report/format';
import type { AnalysisCache } from './analysisCache';
import type { CallerPrices } from './callerPrices';
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

/** The settings an estimate ran under, to tell whether its prices still hold. */
export const profileKey = (s: Settings): string => JSON.stringify(s);

export class CostHints implements vscode.InlayHintsProvider {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeInlayHints = this.emitter.event;
  private prices?: CallerPrices;

  constructor(private readonly cache: AnalysisCache, private readonly settings: SettingsService) {
    settings.onDidChange(() => this.emitter.fire());
    cache.onDidInvalidate(() => this.emitter.fire());
  }

  /** The last estimate's sizes priced at callers (for the profile it ran under). */
  setPrices(p: CallerPrices): void {
    this.prices = p;
    this.emitter.fire();
  }

  async provideInlayHints(doc: vscode.TextDocument, range: vscode.Range): Promise<vscode.InlayHint[]> {
    const a = await this.cache.get(doc);
    const s = this.settings.get();
    const rel = vscode.workspace.asRelativePath(doc.uri, false);
    const out: vscode.InlayHint[] = [];
    const prices = this.prices?.profileKey === profileKey(s) ? this.prices : undefined;
    // calls in this file of a function whose alloc_percpu size is a parameter, priced by the estimate
    const atCalls = new Map((prices?.inFile(rel, (i) => doc.lineAt(i).text, doc.lineCount) ?? []).map((p) => [p.line, p]));
    for (const it of a.items) {
      const pos = new vscode.Position(it.endLine - 1, it.endColumn);
      // the size is a parameter here (what the callers ask for), or this line is such a call
      const est = it.unresolved && it.kind === 'alloc' ? prices?.atCallee(rel, it.line) ?? atCalls.get(it.line) : undefined;
      if (est || it.bytesPerCpu !== undefined) atCalls.delete(it.line);
      if (!range.contains(pos)) continue;
      const label = est?.label ?? hintLabel(it, s, (s.counts[`${rel}:${it.line}`] ?? 1) * s.instances);
      if (!label) continue;
      const h = new vscode.InlayHint(pos, label);
      h.paddingLeft = true;
      h.tooltip = est ? `${est.tooltip}\n(this file alone: ${it.unresolved})` : it.unresolved ? `size unknown: ${it.unresolved}` : `${it.name}: ${it.type}`;
      out.push(h);
    }
    for (const p of atCalls.values()) {
      const pos = doc.lineAt(p.line - 1).range.end;
      if (!range.contains(pos)) continue;
      const h = new vscode.InlayHint(pos, p.label);
      h.paddingLeft = true;
      h.tooltip = p.tooltip;
      out.push(h);
    }
    return out;
  }
}
