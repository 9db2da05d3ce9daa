// Plain-text summary of an estimate: the log channel prints it, and the compare view lists the rows.
import { formatBytes } from './format';

/** Only the fields the summary reads, so the core and the editor's view both fit. */
export interface SummaryInput {
  root: string; arch: string; nrCpus: number; possibleCpus: number; filesScanned: number;
  totals: { staticBytes: number; reservedBytes: number; dynamicBytes: number; dynamicRequested: number; nrCpusArrayBytes: number; bootLine: string };
  snapshot: { unitSize: number; nrUnits: number; chunks: Array<{ kind: string; freeBytes: number }> };
  unresolved: Array<{ file: string; line: number; reason: string }>;
  /** what the run says of its own numbers: whose order the offsets follow, its warnings */
  notes?: string[];
}

export interface SummaryRow { label: string; value: string }

export function summaryRows(v: SummaryInput): SummaryRow[] {
  const s = v.snapshot;
  const extra = s.chunks.filter((c) => c.kind === 'dynamic').length;
  return [
    { label: 'arch', value: v.arch },
    { label: 'CPUs (possible / NR_CPUS)', value: `${v.possibleCpus} / ${v.nrCpus}` },
    { label: 'boot line', value: v.totals.bootLine },
    { label: 'static', value: formatBytes(v.totals.staticBytes) },
    { label: 'reserved', value: formatBytes(v.totals.reservedBytes) },
    { label: 'dynamic (first chunk)', value: formatBytes(v.totals.dynamicBytes) },
    { label: 'unit size', value: formatBytes(s.unitSize) },
    { label: 'first chunk, all units', value: formatBytes(s.unitSize * s.nrUnits) },
    { label: 'dynamic requested per CPU', value: formatBytes(v.totals.dynamicRequested) },
    { label: 'extra dynamic chunks', value: String(extra) },
    { label: 'NR_CPUS arrays', value: formatBytes(v.totals.nrCpusArrayBytes) },
    { label: 'unresolved', value: String(v.unresolved.length) },
  ];
}

export function summaryText(v: SummaryInput): string {
  const rows = summaryRows(v);
  const w = Math.max(...rows.map((r) => r.label.length));
  const lines = [`percpu estimate of ${v.root} (${v.filesScanned} files)`, ...rows.map((r) => `  ${r.label.padEnd(w)}  ${r.value}`)];
  for (const u of v.unresolved.slice(0, 20)) lines.push(`  unresolved ${u.file}:${u.line}: ${u.reason}`);
  if (v.unresolved.length > 20) lines.push(`  ... and ${v.unresolved.length - 20} more unresolved`);
  for (const n of v.notes ?? []) lines.push(`  note: ${n}`);
  return lines.join('\n');
}
