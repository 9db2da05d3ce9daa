// Item by item comparison of two estimates. Items are matched by what names them, not by line, so a
// change above an item does not make it "changed": static variables by file and name, call sites by
// file, function and expression, NR_CPUS arrays by file, container and name, modules by name.
// Items with the same key are paired in line order. Diagnostics are matched by code, file and the
// source text they point at (their "symbol"), for the same reason.
import type { EstimateResult } from '../types';
import type { Diagnostic } from '../../rules/types';
import type { Delta, DiagnosticChange, DiffItem, DiffResult, ItemKind } from './types';

const delta = (before: number, after: number): Delta => ({ before, after, delta: after - before });

/**
 * One item of one side as the pairing sees it. What names it: `id` (a variable, a call site's
 * expression, an array field or variable, a module) and `within` (a call site's function, an array's
 * struct). The estimate's results (compareItems) and the editor's views (src/vscode/diffModel.ts)
 * are both put in this shape, so they pair by the same keys.
 */
export interface PairInput {
  kind: ItemKind;
  id: string;
  within?: string;
  file: string;
  line: number;
  /** bytes per CPU (an NR_CPUS array: one slot, unless the caller counts it whole) */
  bytes: number;
  /** what else makes two equal-sized items differ: type, section, alignment, count */
  attrs: string;
  /** NR_CPUS arrays: bytes of one array at NR_CPUS, and the instances a struct field is priced for */
  atNrCpus?: number;
  instances?: number;
}

/** A pairing row; `same` only when asked for (pairItems' keepSame). */
export type PairedItem = Omit<DiffItem, 'status'> & { status: DiffItem['status'] | 'same' };

const KINDS: ItemKind[] = ['static', 'alloc', 'nr_cpus_array', 'module'];
const keyOf = (x: PairInput) => (x.kind === 'module' ? x.id : `${x.file}\0${x.within ?? ''}\0${x.id}`);
const nameOf = (x: PairInput) => (x.within === undefined ? x.id : x.kind === 'alloc' ? `${x.within}: ${x.id}` : `${x.within}.${x.id}`);

function itemsOf(r: EstimateResult): PairInput[] {
  return [
    ...r.static.variables.map((v): PairInput => ({
      kind: 'static', id: v.name, file: v.file, line: v.line, bytes: v.size,
      attrs: `${v.type} ${v.section || '.data..percpu'} align ${v.align}`,
    })),
    ...r.dynamic.callsites.map((c): PairInput => ({
      kind: 'alloc', id: c.expr, ...(c.func ? { within: c.func } : {}), file: c.file, line: c.line, bytes: c.total,
      attrs: `size ${c.size} align ${c.align} ×${c.count}`,
    })),
    ...r.nrCpusArrays.map((a): PairInput => ({
      kind: 'nr_cpus_array', id: a.name, ...(a.container ? { within: a.container } : {}), file: a.file, line: a.line,
      bytes: a.elemSize * a.perCpuElems, attrs: `${a.elemType}[${a.dims.join('][')}] elem ${a.elemSize}`,
      atNrCpus: a.bytesAtNrCpus, instances: a.container ? a.instances : 1,
    })),
    ...r.reserved.modules.map((m): PairInput => ({
      kind: 'module', id: m.name, file: m.files[0] ?? '', line: 1, bytes: m.size,
      attrs: `align ${m.align}${m.loaded ? '' : ', does not load'}`,
    })),
  ];
}

function group(xs: PairInput[]): Map<string, PairInput[]> {
  const m = new Map<string, PairInput[]>();
  for (const x of [...xs].sort((a, b) => a.line - b.line)) {
    const k = keyOf(x);
    const l = m.get(k);
    if (l) l.push(x);
    else m.set(k, [x]);
  }
  return m;
}

/**
 * Pairs the items of two sides by what names them (items with one key pair in line order) and says
 * what each pair became. Unchanged pairs are left out unless `keepSame`. As bloat-o-meter: biggest
 * growth first, then the unchanged, then the shrinks.
 */
export function pairItems(before: PairInput[], after: PairInput[], o: { keepSame?: boolean } = {}): PairedItem[] {
  const out: PairedItem[] = [];
  for (const kind of KINDS) {
    const ga = group(before.filter((x) => x.kind === kind));
    const gb = group(after.filter((x) => x.kind === kind));
    for (const key of new Set([...ga.keys(), ...gb.keys()])) {
      const la = ga.get(key) ?? [];
      const lb = gb.get(key) ?? [];
      for (let i = 0; i < Math.max(la.length, lb.length); i++) {
        const x = la[i];
        const y = lb[i];
        const extra = (s: PairInput | undefined) => (s?.atNrCpus !== undefined ? s.atNrCpus : 0);
        const nr = kind === 'nr_cpus_array' && (x ?? y)!.atNrCpus !== undefined
          ? { atNrCpus: delta(extra(x), extra(y)), instances: (y ?? x)!.instances }
          : {};
        if (x && y) {
          const same = x.bytes === y.bytes && x.attrs === y.attrs && extra(x) === extra(y);
          if (same && !o.keepSame) continue;
          out.push({
            kind, status: same ? 'same' : 'changed', name: nameOf(y), file: y.file, line: y.line, ...(x.line !== y.line ? { oldLine: x.line } : {}),
            before: x.bytes, after: y.bytes, delta: y.bytes - x.bytes,
            ...(x.attrs !== y.attrs ? { detail: `${x.attrs} → ${y.attrs}` } : {}), ...nr,
          });
        } else if (y) {
          out.push({ kind, status: 'added', name: nameOf(y), file: y.file, line: y.line, before: 0, after: y.bytes, delta: y.bytes, detail: y.attrs, ...nr });
        } else if (x) {
          out.push({ kind, status: 'removed', name: nameOf(x), file: x.file, line: x.line, before: x.bytes, after: 0, delta: -x.bytes, detail: x.attrs, ...nr });
        }
      }
    }
  }
  return out.sort((p, q) => q.delta - p.delta || (p.file < q.file ? -1 : p.file > q.file ? 1 : p.line - q.line));
}

export function compareItems(before: EstimateResult, after: EstimateResult): DiffItem[] {
  return pairItems(itemsOf(before), itemsOf(after)) as DiffItem[];
}

/** The source text a diagnostic points at (first line of its range), whitespace collapsed. */
export function diagnosticSymbol(d: Diagnostic, text: string): string {
  const lines = text.split('\n');
  const l = lines[d.line - 1];
  let s = '';
  if (l !== undefined) s = l.slice(Math.max(0, d.column - 1), d.endLine === d.line ? Math.max(d.column - 1, d.endColumn - 1) : undefined);
  s = s.replace(/\s+/g, ' ').trim();
  // nothing to point at (a whole-file or tree-level diagnostic): its message without the numbers
  return s || d.message.replace(/\d+/g, '#');
}

export function compareDiagnostics(before: Diagnostic[], after: Diagnostic[], textOf: (side: 'old' | 'new', file: string) => string): DiffResult['diagnostics'] {
  const withSym = (ds: Diagnostic[], side: 'old' | 'new'): DiagnosticChange[] => {
    const texts = new Map<string, string>();
    return ds.map((d) => {
      if (!texts.has(d.file)) texts.set(d.file, textOf(side, d.file));
      return { ...d, symbol: diagnosticSymbol(d, texts.get(d.file)!) };
    });
  };
  const a = withSym(before, 'old');
  const b = withSym(after, 'new');
  const key = (d: DiagnosticChange) => `${d.code}\0${d.file}\0${d.symbol}`;
  const ga = new Map<string, DiagnosticChange[]>();
  for (const d of a) ga.set(key(d), [...(ga.get(key(d)) ?? []), d]);
  const added: DiagnosticChange[] = [];
  let changed = 0;
  for (const d of b) {
    const l = ga.get(key(d));
    const m = l?.shift();
    if (!m) added.push(d);
    else if (m.message !== d.message) changed++;
  }
  const removed = [...ga.values()].flat();
  return { added, removed, changed };
}

export function compare(before: EstimateResult, after: EstimateResult, textOf: (side: 'old' | 'new', file: string) => string): Omit<DiffResult, 'old' | 'new' | 'changedFiles' | 'stats' | 'notes'> {
  const items = compareItems(before, after);
  const summary = { added: 0, removed: 0, grew: 0, shrank: 0, up: 0, down: 0, net: 0 };
  for (const i of items) {
    if (i.status === 'added') summary.added++;
    else if (i.status === 'removed') summary.removed++;
    else if (i.delta > 0) summary.grew++;
    else if (i.delta < 0) summary.shrank++;
    if (i.delta > 0) summary.up += i.delta;
    else summary.down += i.delta;
  }
  summary.net = summary.up + summary.down;
  const fc = (r: EstimateResult) => ('error' in r.firstChunk ? undefined : r.firstChunk);
  const fa = fc(before);
  const fb = fc(after);
  const moved = (k: 'pagesPerCpu' | 'unitSize' | 'dynamic' | 'static') => (fa && fb ? fa[k] !== fb[k] : fa !== fb);
  const arrays = (r: EstimateResult) => r.nrCpusArrays.reduce((s, x) => s + x.bytesAtNrCpus * (x.container ? x.instances : 1), 0);
  const perCpu = delta(before.totals.perCpuBytes, after.totals.perCpuBytes);
  const cpus = after.config.possibleCpus;
  const nrCpus = after.config.nrCpus;
  const udiff = <T extends { file: string; line: number; name?: string; reason: string }>(x: T[], y: T[]) => {
    const k = (u: T) => `${u.file}\0${u.name ?? ''}\0${u.reason}`;
    const ky = new Set(y.map(k));
    const kx = new Set(x.map(k));
    const pick = (u: T) => ({ file: u.file, line: u.line, ...(u.name ? { name: u.name } : {}), reason: u.reason });
    return { added: y.filter((u) => !kx.has(k(u))).map(pick), removed: x.filter((u) => !ky.has(k(u))).map(pick) };
  };
  return {
    arch: after.arch,
    kernel: after.kernel,
    config: { source: after.config.source, nrCpus, possibleCpus: cpus },
    summary,
    items,
    static: delta(before.static.bytes, after.static.bytes),
    dynamic: delta(before.dynamic.bytes, after.dynamic.bytes),
    reserved: delta(before.reserved.used, after.reserved.used),
    firstChunk: {
      before: before.firstChunk, after: after.firstChunk,
      changed: { pagesPerCpu: moved('pagesPerCpu'), unitSize: moved('unitSize'), dynamic: moved('dynamic'), static: moved('static') },
    },
    totals: {
      cpus, nrCpus, perCpu,
      atCpus: delta(perCpu.before * cpus, perCpu.after * cpus),
      atNrCpus: delta(perCpu.before * nrCpus, perCpu.after * nrCpus),
      nrCpusArrays: delta(arrays(before), arrays(after)),
    },
    diagnostics: compareDiagnostics(before.diagnostics, after.diagnostics, textOf),
    unresolved: udiff(before.unresolved, after.unresolved),
    warnings: [...new Set([...before.config.warnings, ...after.config.warnings])],
  };
}
