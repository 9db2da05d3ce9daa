// Two estimates compared item by item, for the chunk-map panel ("Compare two configs") and the diff
// panel's data. The pairing is the core's (src/core/estimate/diff pairItems, the one `percpu-lens
// diff` uses): the views are put in its shape here. Runs in the extension host, never in the page
// (the core's diff entry reads files); the page gets the result in the panel state. No vscode import.
import { pairItems, summaryLine, type DiffResult, type PairInput } from '../core/estimate/diff';
import type { EstimateView } from './core';

export type DeltaKind = 'static' | 'alloc' | 'nr_cpus_array';

export interface DeltaRow {
  kind: DeltaKind;
  status: 'added' | 'removed' | 'changed' | 'same';
  name: string;
  file: string;
  /** line in B (in A for a removed item) */
  line: number;
  /** bytes per CPU (an NR_CPUS array: bytes at NR_CPUS); 0 on the side without the item */
  before: number;
  after: number;
  delta: number;
}

export interface FirstChunkDelta { before?: number; after?: number; delta?: number }

export interface Comparison {
  rows: DeltaRow[];
  totals: { static: FirstChunkDelta; dynamic: FirstChunkDelta; nrCpusArrays: FirstChunkDelta; perCpu: FirstChunkDelta };
  firstChunk: Record<'static' | 'reserved' | 'dynamic' | 'unitSize' | 'pagesPerCpu' | 'nrUnits', FirstChunkDelta>;
  /** the change moves the first chunk to another number of pages per CPU / another unit size */
  crossesPage: boolean;
  crossesUnit: boolean;
  summary: { added: number; removed: number; grew: number; shrank: number; same: number };
}

/**
 * A view's items in the core's pairing shape. Two configs differ in NR_CPUS, so an NR_CPUS array
 * counts whole here (its total at NR_CPUS), where `diff` (one profile) counts one slot.
 */
export function pairInputs(v: EstimateView): PairInput[] {
  return [
    ...v.static.map((x): PairInput => ({ kind: 'static', id: x.name, file: x.file, line: x.line, bytes: x.size, attrs: `${x.section} align ${x.align}` })),
    ...v.dynamic.callsites.map((c): PairInput => ({
      kind: 'alloc', id: c.type, ...(c.func ? { within: c.func } : {}), file: c.file, line: c.line, bytes: c.total, attrs: `size ${c.size} ×${c.count}`,
    })),
    ...v.nrCpusArrays.map((a): PairInput => ({
      kind: 'nr_cpus_array', id: a.container ? a.name.slice(a.container.length + 1) : a.name, ...(a.container ? { within: a.container } : {}),
      file: a.file, line: a.line, bytes: a.total, attrs: `slot ${a.elementBytes}`,
    })),
  ];
}

const d = (before: number | undefined, after: number | undefined): FirstChunkDelta =>
  ({ before, after, ...(before !== undefined && after !== undefined ? { delta: after - before } : {}) });

/** A → B item by item: every row aligned, biggest growth first, then the unchanged, then the shrinks. */
export function compareViews(a: EstimateView, b: EstimateView): Comparison {
  const rows: DeltaRow[] = pairItems(pairInputs(a), pairInputs(b), { keepSame: true }).map((p) => ({
    kind: p.kind as DeltaKind, status: p.status, name: p.name, file: p.file, line: p.line, before: p.before, after: p.after, delta: p.delta,
  }));
  const summary = { added: 0, removed: 0, grew: 0, shrank: 0, same: 0 };
  for (const r of rows) {
    if (r.status === 'added') summary.added++;
    else if (r.status === 'removed') summary.removed++;
    else if (r.delta > 0) summary.grew++;
    else if (r.delta < 0) summary.shrank++;
    else summary.same++;
  }
  const fa = a.snapshot.firstChunk;
  const fb = b.snapshot.firstChunk;
  const firstChunk = {
    static: d(fa.static, fb.static), reserved: d(fa.reserved, fb.reserved), dynamic: d(fa.dynamic, fb.dynamic),
    unitSize: d(fa.unitSize, fb.unitSize), pagesPerCpu: d(fa.pagesPerCpu, fb.pagesPerCpu), nrUnits: d(a.snapshot.nrUnits, b.snapshot.nrUnits),
  };
  const perCpu = (v: EstimateView) => v.totals.staticBytes + v.totals.dynamicRequested;
  return {
    rows,
    totals: {
      static: d(a.totals.staticBytes, b.totals.staticBytes),
      dynamic: d(a.totals.dynamicRequested, b.totals.dynamicRequested),
      nrCpusArrays: d(a.totals.nrCpusArrayBytes, b.totals.nrCpusArrayBytes),
      perCpu: d(perCpu(a), perCpu(b)),
    },
    firstChunk,
    crossesPage: firstChunk.pagesPerCpu.delta !== undefined ? firstChunk.pagesPerCpu.delta !== 0 : false,
    crossesUnit: fa.unitSize !== fb.unitSize,
    summary,
  };
}

/** What the diff panel shows: the core's result (trimmed of what the page does not draw) and its summary line. */
export interface DiffPanelData {
  result: Pick<DiffResult, 'old' | 'new' | 'arch' | 'kernel' | 'config' | 'summary' | 'items' | 'static' | 'dynamic' | 'reserved' | 'firstChunk' | 'totals' | 'notes' | 'warnings'> & {
    diagnostics: { added: DiffDiagnostic[]; removed: DiffDiagnostic[]; changed: number };
  };
  /** bloat-o-meter's summary line, as the CLI prints it */
  summaryLine: string;
}
export interface DiffDiagnostic { code: string; severity: string; message: string; file: string; line: number }

export function diffPanelData(r: DiffResult): DiffPanelData {
  const dg = (x: DiffResult['diagnostics']['added']): DiffDiagnostic[] => x.map((g) => ({ code: g.code, severity: g.severity, message: g.message, file: g.file, line: g.line }));
  return {
    result: {
      old: r.old, new: r.new, arch: r.arch, kernel: r.kernel, config: r.config, summary: r.summary, items: r.items, static: r.static, dynamic: r.dynamic,
      reserved: r.reserved, firstChunk: r.firstChunk, totals: r.totals, notes: r.notes, warnings: r.warnings,
      diagnostics: { added: dg(r.diagnostics.added), removed: dg(r.diagnostics.removed), changed: r.diagnostics.changed },
    },
    summaryLine: summaryLine(r),
  };
}
