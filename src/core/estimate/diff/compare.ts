// Item by item comparison of two estimates. Items are matched by what names them, not by line, so a
// change above an item does not make it "changed": static variables by file and name, call sites by
// file, function and expression, NR_CPUS arrays by file, container and name, modules by name.
// Items with the same key are paired in line order. Diagnostics are matched by code, file and the
// source text they point at (their "symbol"), for the same reason.
import type { EstimateResult } from '../types';
import type { Diagnostic } from '../../rules/types';
import type { Delta, DiagnosticChange, DiffItem, DiffResult, ItemKind } from './types';

interface Side { key: string; name: string; file: string; line: number; bytes: number; attrs: string; atNrCpus?: number; instances?: number }

const delta = (before: number, after: number): Delta => ({ before, after, delta: after - before });

function itemsOf(r: EstimateResult): Map<ItemKind, Side[]> {
  const out = new Map<ItemKind, Side[]>();
  out.set('static', r.static.variables.map((v) => ({
    key: `${v.file}\0${v.name}`, name: v.name, file: v.file, line: v.line, bytes: v.size,
    attrs: `${v.type} ${v.section || '.data..percpu'} align ${v.align}`,
  })));
  out.set('alloc', r.dynamic.callsites.map((c) => ({
    key: `${c.file}\0${c.func ?? ''}\0${c.expr}`, name: c.func ? `${c.func}: ${c.expr}` : c.expr, file: c.file, line: c.line, bytes: c.total,
    attrs: `size ${c.size} align ${c.align} ×${c.count}`,
  })));
  out.set('nr_cpus_array', r.nrCpusArrays.map((a) => ({
    key: `${a.file}\0${a.container ?? ''}\0${a.name}`, name: a.container ? `${a.container}.${a.name}` : a.name, file: a.file, line: a.line,
    bytes: a.elemSize * a.perCpuElems, attrs: `${a.elemType}[${a.dims.join('][')}] elem ${a.elemSize}`,
    atNrCpus: a.bytesAtNrCpus, instances: a.container ? a.instances : 1,
  })));
  out.set('module', r.reserved.modules.map((m) => ({
    key: m.name, name: m.name, file: m.files[0] ?? '', line: 1, bytes: m.size,
    attrs: `align ${m.align}${m.loaded ? '' : ', does not load'}`,
  })));
  return out;
}

function group(xs: Side[]): Map<string, Side[]> {
  const m = new Map<string, Side[]>();
  for (const x of [...xs].sort((a, b) => a.line - b.line)) {
    const l = m.get(x.key);
    if (l) l.push(x);
    else m.set(x.key, [x]);
  }
  return m;
}

export function compareItems(before: EstimateResult, after: EstimateResult): DiffItem[] {
  const a = itemsOf(before);
  const b = itemsOf(after);
  const out: DiffItem[] = [];
  for (const kind of ['static', 'alloc', 'nr_cpus_array', 'module'] as ItemKind[]) {
    const ga = group(a.get(kind)!);
    const gb = group(b.get(kind)!);
    for (const key of new Set([...ga.keys(), ...gb.keys()])) {
      const la = ga.get(key) ?? [];
      const lb = gb.get(key) ?? [];
      for (let i = 0; i < Math.max(la.length, lb.length); i++) {
        const x = la[i];
        const y = lb[i];
        const extra = (s: Side | undefined) => (s?.atNrCpus !== undefined ? s.atNrCpus : 0);
        const nr = kind === 'nr_cpus_array'
          ? { atNrCpus: delta(extra(x), extra(y)), instances: (y ?? x)!.instances }
          : {};
        if (x && y) {
          if (x.bytes === y.bytes && x.attrs === y.attrs && extra(x) === extra(y)) continue;
          out.push({
            kind, status: 'changed', name: y.name, file: y.file, line: y.line, ...(x.line !== y.line ? { oldLine: x.line } : {}),
            before: x.bytes, after: y.bytes, delta: y.bytes - x.bytes,
            ...(x.attrs !== y.attrs ? { detail: `${x.attrs} → ${y.attrs}` } : {}), ...nr,
          });
        } else if (y) {
          out.push({ kind, status: 'added', name: y.name, file: y.file, line: y.line, before: 0, after: y.bytes, delta: y.bytes, detail: y.attrs, ...nr });
        } else if (x) {
          out.push({ kind, status: 'removed', name: x.name, file: x.file, line: x.line, before: x.bytes, after: 0, delta: -x.bytes, detail: x.attrs, ...nr });
        }
      }
    }
  }
  // as bloat-o-meter: biggest growth first, then the shrinks
  return out.sort((p, q) => q.delta - p.delta || (p.file < q.file ? -1 : p.file > q.file ? 1 : p.line - q.line));
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
