// The diff panel: the per-CPU cost of a change as `percpu-lens diff` reports it (bloat-o-meter's
// summary line, one row per item with before, after and delta per CPU, the area before and after),
// then both sides' chunk maps with the changed blocks marked. The numbers are the core's DiffResult,
// sent by the host; nothing is computed again here.
import { formatBytes } from '../../src/core/report/format';
import { changeMarks, matcher } from '../../src/vscode/chunkMapModel';
import type { DiffPanelData } from '../../src/vscode/diffModel';
import type { PanelView } from '../../src/vscode/messages';
import { signed } from './bar';
import { el } from './dom';
import { dataTable, type TableUi } from './table';
import { renderView, srcLink, type Ctx, type ViewUi } from './view';

export interface DiffUi { table: TableUi; changedOnly: boolean; open: boolean[] }
/** NEW's map open, OLD's folded; the map shows changed blocks among the rest until "changed only" */
export const newDiffUi = (): DiffUi => ({ table: { sort: { key: 'delta', dir: 'desc' }, page: 0 }, changedOnly: false, open: [false, true] });

type Item = DiffPanelData['result']['items'][number];
const KIND: Record<Item['kind'], string> = { static: 'variable', alloc: 'call site', nr_cpus_array: 'NR_CPUS array', module: 'module' };
const STATUS: Record<Item['status'], string> = { added: 'added', removed: 'removed', changed: 'changed' };
type Delta = { before: number; after: number; delta: number };

export function renderDiff(views: PanelView[], data: DiffPanelData, ui: DiffUi, vuis: ViewUi[], ctx: Ctx): HTMLElement[] {
  const r = data.result;
  const t = r.totals;
  const sec = el('section', 'diff-summary');
  sec.setAttribute('aria-label', 'Cost of the change');
  sec.appendChild(el('h2', undefined, `Per-CPU cost of the change: ${r.old.label} → ${r.new.label}`));
  sec.appendChild(el('p', 'profile', `${r.arch}, kernel ${r.kernel}, NR_CPUS=${t.nrCpus}, ${t.cpus} possible CPUs, config ${r.config.source}; bytes per CPU unless said otherwise`));
  sec.appendChild(el('p', 'bloat', data.summaryLine)).dataset.c = 'bloat';

  // ---- the area, before | after | delta
  const at = sec.appendChild(el('table', 'cmp-profile diff-area'));
  at.appendChild(el('caption', undefined, 'The area'));
  const hr = at.appendChild(el('thead')).appendChild(el('tr'));
  for (const [h, num] of [['', false], [r.old.label, true], [r.new.label, true], ['delta', true]] as const) { const th = hr.appendChild(el('th', num ? 'num' : '', h)); th.scope = 'col'; }
  const tb = at.appendChild(el('tbody'));
  const row = (label: string, key: string, x: Delta | undefined, bytes = true, changed = x ? x.delta !== 0 : false) => {
    const tr = tb.appendChild(el('tr'));
    tr.dataset.c = key;
    const th = tr.appendChild(el('th', undefined, label));
    th.scope = 'row';
    const f = (n: number) => (bytes ? `${formatBytes(n)}` : String(n));
    tr.appendChild(el('td', 'num', x ? f(x.before) : '—'));
    tr.appendChild(el('td', 'num', x ? f(x.after) : '—'));
    const d = tr.appendChild(el('td', 'num delta', x ? (bytes ? signed(x.delta) : x.delta > 0 ? `+${x.delta}` : String(x.delta)) : '—'));
    if (changed) tr.classList.add('moved');
    if (x?.delta) d.classList.add(x.delta > 0 ? 'up' : 'down');
  };
  const fa = r.firstChunk.before;
  const fb = r.firstChunk.after;
  const fc = (k: 'pagesPerCpu' | 'unitSize' | 'dynamic'): Delta | undefined =>
    ('error' in fa || 'error' in fb ? undefined : { before: fa[k], after: fb[k], delta: fb[k] - fa[k] });
  row('static area (s)', 'static', r.static);
  row("modules' per-CPU data (reserved chunk)", 'reserved', r.reserved);
  row('dynamic allocations per CPU', 'dynamic', r.dynamic);
  row('pages per CPU (first chunk)', 'pagesPerCpu', fc('pagesPerCpu'), false);
  row('unit size', 'unitSize', fc('unitSize'));
  row("first chunk's dynamic area", 'fcDynamic', fc('dynamic'));
  row('per CPU (static + reserved + dynamic)', 'perCpu', t.perCpu);
  row(`at ${t.cpus} possible CPUs`, 'atCpus', t.atCpus);
  row(`at NR_CPUS=${t.nrCpus}`, 'atNrCpus', t.atNrCpus);
  row(`NR_CPUS arrays at NR_CPUS=${t.nrCpus} (whole arrays)`, 'nrCpusArrays', t.nrCpusArrays);
  if ('error' in fa || 'error' in fb) sec.appendChild(el('p', 'empty', `first chunk: ${'error' in fa ? fa.error : fa.bootLine} → ${'error' in fb ? fb.error : fb.bootLine}`));
  else {
    const c = r.firstChunk.changed;
    const moved = [c.pagesPerCpu && 'pages/cpu', c.unitSize && 'the unit size', c.dynamic && "the first chunk's dynamic area"].filter(Boolean);
    const p = sec.appendChild(el('p', moved.length ? 'crossing yes' : 'crossing', moved.length ? `The change moves ${moved.join(', ')}.` : 'The change moves neither pages/cpu, the unit size nor the first chunk\'s dynamic area.'));
    p.dataset.c = 'moves';
    if (fa.bootLine !== fb.bootLine) {
      const boot = sec.appendChild(el('ol', 'cmp-names'));
      boot.append(el('li', undefined, `before: ${fa.bootLine}`), el('li', undefined, `after: ${fb.bootLine}`));
    }
  }

  // ---- items, as bloat-o-meter
  const box = sec.appendChild(el('div', 'deltas'));
  box.id = 'deltas';
  box.tabIndex = -1;
  const match = matcher(ctx.query);
  const rows = r.items.filter(match);
  const note = (i: Item): string => {
    if (i.kind === 'nr_cpus_array' && i.atNrCpus) {
      const inst = i.instances && i.instances > 1 ? `, × ${i.instances} instances` : '';
      return `per slot; the array at NR_CPUS=${t.nrCpus}: ${formatBytes(i.atNrCpus.before)} → ${formatBytes(i.atNrCpus.after)} (${signed(i.atNrCpus.delta)})${inst}`;
    }
    if (i.kind === 'alloc' || i.kind === 'module') return `${signed(i.delta * t.cpus)} at ${t.cpus} CPUs`;
    return i.status === 'changed' && i.detail ? i.detail : '';
  };
  box.appendChild(dataTable<Item>({
    id: 't-diff', title: 'Per item', filterNote: [ctx.query.trim() ? `matching “${ctx.query.trim()}”` : '', 'bytes per CPU; NR_CPUS arrays per slot'].filter(Boolean).join(', '),
    total: r.items.length, rows, ui: ui.table, changed: ctx.changed,
    columns: [
      { key: 'status', head: '', value: (i) => i.status, cell: (i) => el('span', `chg-text chg-${i.status === 'changed' ? (i.delta > 0 ? 'grew' : i.delta < 0 ? 'shrank' : 'moved') : i.status}`, STATUS[i.status]) },
      { key: 'kind', head: 'kind', value: (i) => i.kind, cell: (i) => KIND[i.kind] },
      { key: 'name', head: 'item', value: (i) => i.name, cell: (i) => i.name, wrap: true },
      { key: 'before', head: 'before', value: (i) => i.before, cell: (i) => (i.status === 'added' ? '—' : formatBytes(i.before)), num: true },
      { key: 'after', head: 'after', value: (i) => i.after, cell: (i) => (i.status === 'removed' ? '—' : formatBytes(i.after)), num: true },
      { key: 'delta', head: 'delta', value: (i) => i.delta, cell: (i) => signed(i.delta), num: true },
      // a removed item's definition is in OLD: opened at its old line in the working tree's file
      { key: 'file', head: 'definition', value: (i) => `${i.file}:${String(i.line).padStart(8, '0')}`, cell: (i) => srcLink(ctx, i.status === 'removed' ? 0 : 1, i.file, i.line), wrap: true },
      { key: 'note', head: '', value: note, cell: note, wrap: true },
    ],
    footer: ['', '', 'Net (variables, call sites, modules)', '', '', signed(r.items.filter((i) => i.kind !== 'nr_cpus_array').reduce((n, i) => n + i.delta, 0)), '', ''],
  }));
  const dg = r.diagnostics;
  if (dg.added.length || dg.removed.length) {
    sec.appendChild(el('h3', undefined, `Diagnostics: ${dg.added.length} new, ${dg.removed.length} gone`));
    const ul = sec.appendChild(el('ul', 'diag-changes'));
    for (const [mark, side, list] of [['new', 1, dg.added], ['gone', 0, dg.removed]] as const) {
      for (const g of list) {
        const li = ul.appendChild(el('li'));
        li.append(`${mark}: ${g.code} ${g.severity}: ${g.message} `, srcLink(ctx, side, g.file, g.line));
      }
    }
  }
  for (const n of [...r.notes, ...r.warnings]) sec.appendChild(el('p', 'empty', n));

  // ---- both sides' chunk maps, the changed blocks marked
  const only = sec.appendChild(el('label', 'show-same'));
  const cb = only.appendChild(el('input'));
  cb.type = 'checkbox';
  cb.checked = ui.changedOnly;
  cb.dataset.fid = 'changed-only';
  cb.id = 'changed-only';
  cb.addEventListener('change', () => { ui.changedOnly = cb.checked; ctx.changed(); ctx.rerender('changed-only'); });
  only.append(' changed only (in the chunk maps below: the tree and tables keep the changed items, the bars draw the rest empty)');
  const out: HTMLElement[] = [sec];
  views.forEach((pv, i) => {
    const d = el('details', 'side');
    d.open = ui.open[i];
    d.addEventListener('toggle', () => { ui.open[i] = d.open; ctx.changed(); });
    d.appendChild(el('summary', undefined, `Chunk map ${i ? 'after' : 'before'} the change: ${pv.title}`));
    d.appendChild(renderView(pv, i, vuis[i], ctx, { marks: changeMarks(r.items, i ? 'new' : 'old'), only: ui.changedOnly }));
    out.push(d);
  });
  return out;
}
