// Sizes the whole-tree estimate priced at each caller (a size that is a parameter of its function,
// core/estimate/callerPricing.ts) shown in the editor too: a file alone cannot know them, so the
// editor's own analysis says "? B/cpu" where the estimate has the numbers. Kept per profile until the
// next estimate. No vscode import: unit-tested in plain Node.
import { formatBytes, formatPerCpu } from '../core/report/format';
import type { Callsite, EstimateView } from './core';

/** A caller's site, with the text its line had when the estimate read it (to find it again after edits). */
interface CallerSite { cs: Callsite; text: string }

export interface PriceHint { line: number; label: string; tooltip: string }

/** How far from the estimate's line a caller's text is looked for: edits above it move it. */
const SEARCH_LINES = 200;

export class CallerPrices {
  private readonly byCallee = new Map<string, Callsite[]>();
  private readonly byCaller = new Map<string, CallerSite[]>();
  private readonly possibleCpus: number;

  /** `profileKey`: the settings the estimate ran under; `readFile(rel)` the caller's text then. */
  constructor(view: EstimateView, readonly profileKey: string, readFile: (rel: string) => string | undefined) {
    this.possibleCpus = view.possibleCpus;
    const lines = new Map<string, string[] | undefined>();
    for (const cs of view.dynamic.callsites) {
      if (!cs.callee) continue;
      const k = `${cs.callee.file}:${cs.callee.line}`;
      (this.byCallee.get(k) ?? this.byCallee.set(k, []).get(k)!).push(cs);
      if (!lines.has(cs.file)) lines.set(cs.file, readFile(cs.file)?.split('\n'));
      const text = lines.get(cs.file)?.[cs.line - 1]?.trim();
      if (text) (this.byCaller.get(cs.file) ?? this.byCaller.set(cs.file, []).get(cs.file)!).push({ cs, text });
    }
  }

  /** The site inside the callee (its size a parameter): what its callers ask for, summed. */
  atCallee(rel: string, line: number): PriceHint | undefined {
    const sites = this.byCallee.get(`${rel}:${line}`);
    if (!sites?.length) return undefined;
    const sizes = sites.map((c) => c.size);
    const lo = Math.min(...sizes), hi = Math.max(...sizes);
    const sum = sites.reduce((n, c) => n + c.total, 0);
    const each = lo === hi ? formatBytes(lo) : `${formatBytes(lo)}–${formatBytes(hi)}`;
    const n = sites.length;
    const shown = sites.slice(0, 12).map((c) => `${c.file}:${c.line}${c.func ? ` (${c.func})` : ''}: ${formatBytes(c.size)}${c.count > 1 ? ` × ${c.count}` : ''}`);
    return {
      line,
      // short: the editor cuts hints at 43 characters by default
      label: `${formatPerCpu(sum, this.possibleCpus)} (${n} caller${n > 1 ? 's' : ''})`,
      tooltip: [`${each} per call, priced at each caller by the last estimate:`, ...shown, ...(n > shown.length ? [`… and ${n - shown.length} more`] : [])].join('\n'),
    };
  }

  /** Calls in this document that the estimate priced, found by their text near the estimate's line. */
  inFile(rel: string, lineAt: (i: number) => string, lineCount: number): PriceHint[] {
    const out: PriceHint[] = [];
    for (const { cs, text } of this.byCaller.get(rel) ?? []) {
      const line = nearestLine(text, cs.line, lineAt, lineCount);
      if (line === undefined) continue;
      out.push({
        line,
        label: formatPerCpu(cs.size, this.possibleCpus, cs.count),
        tooltip: `${cs.type}\nthe allocation in ${cs.callee!.func}() at ${cs.callee!.file}:${cs.callee!.line}, priced with this call's arguments by the last estimate`,
      });
    }
    return out;
  }
}

/** 1-based line nearest to `near` whose trimmed text is `text`, within SEARCH_LINES. */
function nearestLine(text: string, near: number, lineAt: (i: number) => string, lineCount: number): number | undefined {
  for (let d = 0; d <= SEARCH_LINES; d++) {
    for (const l of d ? [near - d, near + d] : [near]) {
      if (l >= 1 && l <= lineCount && lineAt(l - 1).trim() === text) return l;
    }
  }
  return undefined;
}
