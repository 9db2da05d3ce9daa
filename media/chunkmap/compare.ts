// Two estimates compared: the first chunk side by side with deltas, whether the change crosses a page
// per CPU or the unit size, then every variable, call site and NR_CPUS array aligned with its delta,
// biggest growth first. Each side's full chunk map follows, folded.
import { formatBytes } from '../../src/core/report/format';
import { matcher } from '../../src/vscode/chunkMapModel';
import type { Comparison, DeltaRow, FirstChunkDelta } from '../../src/vscode/diffModel';
import type { PanelView } from '../../src/vscode/messages';
import { el } from './dom';
import { dataTable, type TableUi } from './table';
import { renderView, srcLink, type Ctx, type ViewUi } from './view';

export interface CompareUi { table: TableUi; showSame: boolean; open: boolean[] }
export const newCompareUi = (): CompareUi => ({ table: { sort: { key: 'delta', dir: 'desc' }, page: 0 }, showSame: false, open: [false, false] });

import { signed } from './bar';

const KIND: Record<DeltaRow['kind'], string> = { static: 'variable', alloc: 'call site', nr_cpus_array: 'NR_CPUS array' };

/** `c`: the host's comparison of a and b (the core's pairing, src/vscode/diffModel.ts) */
export function renderCompare(a: PanelView, b: PanelView, c: Comparison | undefined, ui: CompareUi, views: ViewUi[], ctx: Ctx): HTMLElement[] {
  const sec = el('section', 'compare-summary');
  if (!c) {
    // a state saved by a version that compared in the page
    sec.appendChild(el('p', 'empty', 'Run “percpu-lens: Compare two configs” again to see the comparison.'));
    return [sec];
  }
  sec.setAttribute('aria-label', 'Comparison');
  sec.appendChild(el('h2', undefined, 'Compare two configs'));
  const names = sec.appendChild(el('ol', 'cmp-names'));
  names.append(el('li', undefined, `A: ${a.title}`), el('li', undefined, `B: ${b.title}`));

  // ---- first chunk, A | B | delta
  const t = sec.appendChild(el('table', 'cmp-profile'));
  t.appendChild(el('caption', undefined, 'First chunk and totals (bytes per CPU unless said otherwise)'));
  const hr = t.appendChild(el('thead')).appendChild(el('tr'));
  for (const [h, num] of [['', false], ['A', true], ['B', true], ['B − A', true]] as const) { const th = hr.appendChild(el('th', num ? 'num' : '', h)); th.scope = 'col'; }
  const tb = t.appendChild(el('tbody'));
  const row = (label: string, key: string, x: FirstChunkDelta, fmt: (n: number) => string, dfmt: (n: number) => string) => {
    const tr = tb.appendChild(el('tr'));
    tr.dataset.c = key;
    const th = tr.appendChild(el('th', undefined, label));
    th.scope = 'row';
    tr.appendChild(el('td', 'num', x.before === undefined ? '—' : fmt(x.before)));
    tr.appendChild(el('td', 'num', x.after === undefined ? '—' : fmt(x.after)));
    const d = tr.appendChild(el('td', 'num delta', x.delta === undefined ? '—' : dfmt(x.delta)));
    if (x.delta) d.classList.add(x.delta > 0 ? 'up' : 'down');
  };
  const n = (k: number) => String(k);
  const sn = (k: number) => (k > 0 ? `+${k}` : String(k));
  const bootTr = tb.appendChild(el('tr'));
  bootTr.dataset.c = 'bootLine';
  const bth = bootTr.appendChild(el('th', undefined, 'boot line'));
  bth.scope = 'row';
  bootTr.appendChild(el('td', 'wrap')).appendChild(el('code', undefined, a.view.snapshot.firstChunk.bootLine));
  bootTr.appendChild(el('td', 'wrap')).appendChild(el('code', undefined, b.view.snapshot.firstChunk.bootLine));
  bootTr.appendChild(el('td'));
  row('pages per CPU', 'pagesPerCpu', c.firstChunk.pagesPerCpu, n, sn);
  row('unit size', 'unitSize', c.firstChunk.unitSize, formatBytes, signed);
  row('units (possible CPUs)', 'nrUnits', c.firstChunk.nrUnits, n, sn);
  row('static area', 'static', c.firstChunk.static, formatBytes, signed);
  row('reserved', 'reserved', c.firstChunk.reserved, formatBytes, signed);
  row('dynamic area', 'dynamic', c.firstChunk.dynamic, formatBytes, signed);
  row('call sites ask for', 'dynamicRequested', c.totals.dynamic, formatBytes, signed);
  row('variables + call sites', 'perCpu', c.totals.perCpu, formatBytes, signed);
  row('NR_CPUS arrays (whole arrays)', 'nrCpusArrays', c.totals.nrCpusArrays, formatBytes, signed);

  // ---- what the change crosses
  const cross = sec.appendChild(el('ul', 'crossing'));
  const pg = c.firstChunk.pagesPerCpu;
  const page = b.view.snapshot.pageSize;
  const units = b.view.snapshot.nrUnits;
  const p = cross.appendChild(el('li'));
  p.dataset.c = 'crossesPage';
  if (pg.delta === undefined) p.textContent = 'Pages per CPU: not known for one side (an estimate saved by an older version).';
  else if (pg.delta) {
    const by = Math.abs(pg.delta);
    p.textContent = `Crosses ${by === 1 ? 'a page' : `${by} pages`} per CPU: ${pg.before} → ${pg.after} pages/cpu, ${signed(pg.delta * page)} on each of ${units} units = ${signed(pg.delta * page * units)}.`;
    p.classList.add('yes');
  } else p.textContent = `Same pages per CPU: ${pg.after} (no page boundary crossed).`;
  const u = cross.appendChild(el('li'));
  u.dataset.c = 'crossesUnit';
  const us = c.firstChunk.unitSize;
  if (c.crossesUnit && us.delta !== undefined) {
    u.textContent = `Unit size changes: ${formatBytes(us.before!)} → ${formatBytes(us.after!)} (${signed(us.delta)} per unit; × ${units} units = ${signed(us.delta * units)} of first-chunk address space).`;
    u.classList.add('yes');
  } else u.textContent = `Same unit size: ${formatBytes(us.after ?? 0)}.`;
  const s = c.summary;
  const perCpuRows = c.rows.filter((r) => r.kind !== 'nr_cpus_array');
  const up = perCpuRows.reduce((k, r) => k + Math.max(0, r.delta), 0);
  const down = perCpuRows.reduce((k, r) => k + Math.min(0, r.delta), 0);
  // the kernel's scripts/bloat-o-meter summary line, which reviewers read at a glance
  sec.appendChild(el('p', 'bloat', `add/remove: ${s.added}/${s.removed} grow/shrink: ${s.grew}/${s.shrank} up/down: ${up}/${down} (${up + down})`)).dataset.c = 'bloat';

  // ---- item deltas
  const deltas = sec.appendChild(el('div', 'deltas'));
  deltas.id = 'deltas';
  deltas.tabIndex = -1;
  const label = deltas.appendChild(el('label', 'show-same'));
  const cb = label.appendChild(el('input'));
  cb.type = 'checkbox';
  cb.checked = ui.showSame;
  cb.dataset.fid = 'show-same';
  cb.addEventListener('change', () => { ui.showSame = cb.checked; ui.table.page = 0; ctx.changed(); ctx.rerender('show-same'); });
  label.append(` show unchanged rows (${s.same})`);
  const match = matcher(ctx.query);
  const rows = c.rows.filter((r) => (ui.showSame || r.status !== 'same') && match(r));
  const sum = (f: (r: DeltaRow) => number) => rows.filter((r) => r.kind !== 'nr_cpus_array').reduce((k, r) => k + f(r), 0);
  const note = [ctx.query.trim() ? `matching “${ctx.query.trim()}”` : '', ui.showSame ? '' : 'changed rows only', 'bytes per CPU; NR_CPUS arrays: the whole array'].filter(Boolean).join(', ');
  deltas.appendChild(dataTable<DeltaRow>({
    id: 't-delta', title: 'Per item, aligned by name', filterNote: note, total: c.rows.length, rows, ui: ui.table, changed: ctx.changed,
    columns: [
      { key: 'kind', head: 'kind', value: (r) => r.kind, cell: (r) => KIND[r.kind] },
      { key: 'name', head: 'name', value: (r) => r.name, cell: (r) => r.name, wrap: true },
      { key: 'file', head: 'file', value: (r) => `${r.file}:${String(r.line).padStart(8, '0')}`, cell: (r) => srcLink(ctx, r.status === 'removed' ? 0 : 1, r.file, r.line), wrap: true },
      { key: 'before', head: 'A', value: (r) => r.before, cell: (r) => (r.status === 'added' ? '—' : formatBytes(r.before)), num: true },
      { key: 'after', head: 'B', value: (r) => r.after, cell: (r) => (r.status === 'removed' ? '—' : formatBytes(r.after)), num: true },
      { key: 'delta', head: 'B − A', value: (r) => r.delta, cell: (r) => `${signed(r.delta)}${r.status === 'added' ? ' (new)' : r.status === 'removed' ? ' (gone)' : ''}`, num: true },
    ],
    footer: ['Total per CPU (variables + call sites in these rows)', '', '', formatBytes(sum((r) => r.before)), formatBytes(sum((r) => r.after)), signed(sum((r) => r.delta))],
  }));

  // ---- each side in full, folded
  const out: HTMLElement[] = [sec];
  [a, b].forEach((pv, i) => {
    const d = el('details', 'side');
    d.open = ui.open[i];
    d.addEventListener('toggle', () => { ui.open[i] = d.open; ctx.changed(); });
    d.appendChild(el('summary', undefined, `Chunk map of ${i ? 'B' : 'A'}: ${pv.title}`));
    d.appendChild(renderView(pv, i, views[i], ctx));
    out.push(d);
  });
  return out;
}
