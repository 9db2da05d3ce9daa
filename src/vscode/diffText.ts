// What the editor shows of a diff (core/estimate/diff): the status bar line and one CodeLens title per
// changed definition. No vscode import: unit tests check the strings.
import type { DiffItem, DiffResult } from '../core/estimate/diff';
import { formatBytes } from '../core/report/format';

/** +1.2 KiB, -64 B, 0 B */
export function signedBytes(n: number): string {
  return n > 0 ? `+${formatBytes(n)}` : n < 0 ? `-${formatBytes(-n)}` : formatBytes(0);
}

/** "this change: +1.2 KiB/cpu static, +64 B/cpu dynamic" (static area and dynamic allocations) */
export function diffStatusText(r: DiffResult): string {
  return `this change: ${signedBytes(r.static.delta)}/cpu static, ${signedBytes(r.dynamic.delta)}/cpu dynamic`;
}

/** The lens over one item in NEW: "+64 B/cpu (was 128 B)"; an NR_CPUS array's figures are per slot. */
export function lensTitle(i: DiffItem): string {
  const unit = i.kind === 'nr_cpus_array' ? '/slot' : '/cpu';
  const was = i.status === 'added' ? 'new' : `was ${formatBytes(i.before)}`;
  const at = i.kind === 'nr_cpus_array' && i.atNrCpus ? `, ${signedBytes(i.atNrCpus.delta)} at NR_CPUS` : '';
  return `${signedBytes(i.delta)}${unit} (${was}${at})`;
}

/** `tooltip`: what else changed (type, section, alignment) */
export interface DiffLens { line: number; title: string; tooltip?: string }

/** Lenses per file of NEW (relative to the diff's root); removed items have no line in NEW. */
export function diffLenses(r: DiffResult): Map<string, DiffLens[]> {
  const out = new Map<string, DiffLens[]>();
  for (const i of r.items) {
    if (i.status === 'removed') continue;
    const l = out.get(i.file) ?? [];
    l.push({ line: i.line, title: lensTitle(i), ...(i.detail ? { tooltip: i.detail } : {}) });
    out.set(i.file, l);
  }
  return out;
}

export interface RevisionPick { label: string; description: string; rev: string }

/** `git log --oneline` lines as QuickPick items: the abbreviated hash as the label, the subject beside it. */
export function parseOneline(out: string): RevisionPick[] {
  return out.split('\n').flatMap((l) => {
    const m = /^([0-9a-f]{4,64})\s+(.*)$/.exec(l.trim());
    return m ? [{ label: m[1], description: m[2], rev: m[1] }] : [];
  });
}
