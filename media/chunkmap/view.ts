// One estimate: the numbers, the subsystem drill-down (grouped bars), the memory bars and the tables.
import { formatBytes } from '../../src/core/report/format';
import type { PanelView } from '../../src/vscode/messages';
import {
  buildTree, changeAt, childRows, crumbs, findNode, inScope, itemsOf, matcher, rowTotal, type Block, type Change, type TreeRow,
} from '../../src/vscode/chunkMapModel';
import type { EstimateView } from '../../src/vscode/core';
import { changeClass, changeText, memoryBar, type BarUi } from './bar';
import { attachTip, button, el, roving } from './dom';
import { dataTable, type Column, type TableUi } from './table';

export interface ViewUi { scope: string; tables: Record<string, TableUi>; bars: Record<string, BarUi>; allRows?: boolean }

export interface Ctx {
  query: string;
  open: (vi: number, file: string, line: number) => void;
  /** the ui state changed: persist it */
  changed: () => void;
  /** re-render the page, then focus the element with this data-fid */
  rerender: (focus?: string) => void;
}

export const newViewUi = (): ViewUi => ({ scope: '', tables: {}, bars: {} });

/** A diff's side: where its changes stand on this view's map, and whether only they are shown. */
export interface ViewMarks { marks: Map<string, Change>; only: boolean }

/** Rows shown before "Show all" in the subsystem list. */
const GROUP_ROWS = 60;

export function numbers(rows: Array<[string, string, string?]>): HTMLElement {
  const dl = el('dl', 'numbers');
  for (const [k, v, key] of rows) {
    const dd = el('dd', undefined, v);
    if (key) dd.dataset.k = key;
    dl.append(el('dt', undefined, k), dd);
  }
  return dl;
}

export function srcLink(ctx: Ctx, vi: number, file: string, line: number): HTMLButtonElement {
  const b = button('src', `${file}:${line}`, () => ctx.open(vi, file, line));
  b.title = 'Open the source';
  return b;
}

const where = (r: { file: string; line: number }) => `${r.file}:${String(r.line).padStart(8, '0')}`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function tableUi(ui: ViewUi, id: string, key: string, dir: 'asc' | 'desc' = 'desc'): TableUi {
  return (ui.tables[id] ??= { sort: { key, dir }, page: 0 });
}
function barUi(ui: ViewUi, id: string): BarUi {
  return (ui.bars[id] ??= { zoom: [], active: 0 });
}

export function renderView(pv: PanelView, vi: number, ui: ViewUi, ctx: Ctx, diff?: ViewMarks): HTMLElement {
  const v: EstimateView = pv.view;
  const s = v.snapshot;
  const fc = s.firstChunk;
  const sec = el('section', 'view');
  sec.setAttribute('aria-label', pv.title);
  sec.appendChild(el('h2', undefined, pv.title));
  sec.appendChild(el('code', 'bootline', fc.bootLine)).dataset.k = 'bootLine';
  const rows: Array<[string, string, string?]> = [
    ['static area', `${formatBytes(fc.static)} (${fc.static} B)`, 'static'],
    ['reserved (modules)', `${formatBytes(fc.reserved)} (${fc.reserved} B)`, 'reserved'],
    ['dynamic area', `${formatBytes(fc.dynamic)} (${fc.dynamic} B)`, 'dynamic'],
    ['unit size', `${formatBytes(s.unitSize)} (${s.unitSize} B)`, 'unitSize'],
  ];
  if (fc.pagesPerCpu !== undefined) rows.push(['pages per CPU', String(fc.pagesPerCpu), 'pagesPerCpu']);
  rows.push(
    ['units × unit size', `${s.nrUnits} × ${formatBytes(s.unitSize)} = ${formatBytes(s.nrUnits * s.unitSize)}`, 'firstChunkTotal'],
    ['possible CPUs / NR_CPUS', `${v.possibleCpus} / ${v.nrCpus}`, 'cpus'],
    ['call sites ask for', `${formatBytes(v.totals.dynamicRequested)} per CPU (${plural(v.dynamic.callsites.length, 'call site')})`, 'dynamicRequested'],
    ['NR_CPUS arrays', formatBytes(v.totals.nrCpusArrayBytes), 'nrCpusArrays'],
    ['found', `${plural(v.static.length, 'static variable')}, ${plural(v.dynamic.callsites.length, 'call site')}, ${plural(v.nrCpusArrays.length, 'NR_CPUS array')} in ${plural(v.filesScanned, 'file')} read`, 'found'],
  );
  sec.appendChild(numbers(rows));

  const change = (kind: 'static' | 'alloc' | 'nr_cpus_array' | Block['kind'], file?: string, line?: number) => (diff ? changeAt(diff.marks, kind, file, line) : undefined);
  const words = matcher(ctx.query);
  // "changed only" narrows as a search does: the tree, the tables; the bars draw the rest empty
  const match = diff?.only ? (x: { name: string; file: string; line: number; kind?: string }) => words(x) && !!change((x.kind ?? 'static') as 'static', x.file, x.line) : words;
  const searching = ctx.query.trim() !== '' || !!diff?.only;
  const items = itemsOf(v);
  const tree = buildTree(items.filter(match));
  let scopeNode = findNode(tree, ui.scope);
  if (!scopeNode && !searching) { ui.scope = ''; scopeNode = tree; }
  const scope = ui.scope;

  // ---- by subsystem
  sec.appendChild(el('h3', undefined, 'Per-CPU bytes by subsystem'));
  sec.appendChild(subsystems(v, vi, ui, ctx, scopeNode, scope, searching, diff ? (it) => change(it.kind, it.file, it.line) : undefined));

  // ---- memory bars
  const blockMatch = (b: Block): boolean | undefined => (ctx.query.trim() ? !!b.file && words({ name: b.label ?? '', file: b.file, line: b.line ?? 0 }) : undefined);
  const isOut = (b: Block) => (scope ? !b.file || !inScope(b.file, scope) : false);
  const bar = (id: string, cls: string, title: string, blocks: Block[], from: number, to: number) => memoryBar({
    cls, title, blocks, from, to, ui: barUi(ui, id), isOut, isMatch: blockMatch, changed: ctx.changed,
    open: (b) => { if (b.file) ctx.open(vi, b.file, b.line ?? 1); },
    ...(diff ? { change: (b: Block) => change(b.kind, b.file, b.line), changedOnly: diff.only } : {}),
  });
  const firstBlocks: Block[] = [];
  for (const c of s.chunks) if (c.kind === 'first' || c.kind === 'reserved') firstBlocks.push(...c.blocks);
  sec.appendChild(el('h3', undefined, `First chunk: one unit of ${s.nrUnits}, to scale`));
  sec.appendChild(unitBar(fc));
  sec.appendChild(legend(!!diff));
  const statics = firstBlocks.filter((b) => b.offset < fc.static && b.kind !== 'free');
  if (statics.length) {
    sec.appendChild(el('h3', undefined, `Static area: ${formatBytes(fc.static)}, ${plural(statics.length, 'variable')}`));
    sec.appendChild(bar('static', 'zoom-static', 'Static area', statics, 0, fc.static));
  }
  const first = s.chunks.find((c) => c.kind === 'first');
  const dynStart = fc.static + fc.reserved;
  if (first) {
    const dyn = first.blocks.filter((b) => b.offset >= dynStart && b.offset < dynStart + fc.dynamic);
    const allocs = dyn.filter((b) => b.kind === 'alloc');
    const used = allocs.reduce((n, b) => n + b.size, 0);
    sec.appendChild(el('h3', undefined, `Dynamic area of the first chunk: ${formatBytes(fc.dynamic)}; ${plural(allocs.length, 'allocation')} hold ${formatBytes(used)}, ${formatBytes(first.freeBytes)} free`));
    sec.appendChild(bar('dynamic', 'zoom-dynamic', 'Dynamic area of the first chunk', dyn, dynStart, dynStart + fc.dynamic));
  }
  for (const c of s.chunks.filter((x) => x.kind === 'dynamic')) {
    const used = c.blocks.filter((b) => b.kind === 'alloc').reduce((n, b) => n + b.size, 0);
    sec.appendChild(el('h3', undefined, `Chunk #${c.id} (added at run time): ${formatBytes(c.size)}; allocations hold ${formatBytes(used)}, ${formatBytes(c.freeBytes)} free`));
    sec.appendChild(bar(`chunk${c.id}`, 'zoom-chunk', `Chunk #${c.id}`, c.blocks, c.startOffset, c.endOffset));
  }
  sec.appendChild(chunkTable(v));

  // ---- tables
  const tables = sec.appendChild(el('div', 'tables'));
  tables.id = `tables-${vi}`;
  tables.tabIndex = -1;
  tables.setAttribute('aria-label', 'Tables');
  const note = [scope ? `under ${scope}${scopeNode?.kind === 'file' ? '' : '/'}` : '', ctx.query.trim() ? `matching “${ctx.query.trim()}”` : '',
    diff?.only ? 'changed only' : ''].filter(Boolean).join(', ');
  const keep = (x: { name: string; file: string; line: number; kind?: string }) => inScope(x.file, scope) && match(x);
  // with a diff, each table says what the change did to its rows
  const chgCol = <T extends { file: string; line: number }>(kind: 'static' | 'alloc' | 'nr_cpus_array') => (diff ? [{
    key: 'change', head: 'change', num: true,
    value: (r: T) => change(kind, r.file, r.line)?.delta ?? 0, cell: (r: T) => changeCell(change(kind, r.file, r.line)),
  }] : []);
  const link = (r: { file: string; line: number }) => srcLink(ctx, vi, r.file, r.line);

  type SV = EstimateView['static'][number];
  tables.appendChild(dataTable<SV>({
    id: `t-static-${vi}`, title: 'Static per-CPU variables', filterNote: note, total: v.static.length,
    rows: v.static.filter(keep), ui: tableUi(ui, 'static', 'size'), changed: ctx.changed,
    columns: [
      { key: 'name', head: 'variable', value: (r) => r.name, cell: (r) => r.name, wrap: true },
      { key: 'size', head: 'size', value: (r) => r.size, cell: (r) => formatBytes(r.size), num: true },
      { key: 'align', head: 'align', value: (r) => r.align, cell: (r) => String(r.align), num: true },
      { key: 'section', head: 'section', value: (r) => r.section, cell: (r) => r.section, wrap: true },
      { key: 'file', head: 'file', value: where, cell: link, wrap: true },
      ...chgCol<SV>('static'),
    ],
  }));
  type CS = EstimateView['dynamic']['callsites'][number];
  const counted = v.dynamic.callsites.some((c) => c.count !== 1);
  tables.appendChild(dataTable<CS>({
    id: `t-dynamic-${vi}`, title: 'Dynamic allocation call sites', filterNote: [note, counted ? '' : 'each counted once (set percpuLens.callsiteCounts)'].filter(Boolean).join('; '),
    total: v.dynamic.callsites.length, rows: v.dynamic.callsites.filter((c) => keep({ name: c.type, file: c.file, line: c.line, kind: 'alloc' })),
    ui: tableUi(ui, 'dynamic', 'total'), changed: ctx.changed,
    columns: [
      { key: 'file', head: 'file', value: where, cell: link, wrap: true },
      { key: 'type', head: 'allocation', value: (r) => r.type, cell: (r) => r.type, wrap: true },
      { key: 'size', head: 'size per CPU', value: (r) => r.size, cell: (r) => formatBytes(r.size), num: true },
      ...(counted ? [{ key: 'count', head: 'count', value: (r: CS) => r.count, cell: (r: CS) => String(r.count), num: true }] : []),
      { key: 'total', head: 'total per CPU', value: (r) => r.total, cell: (r) => formatBytes(r.total), num: true },
      ...chgCol<CS>('alloc'),
    ],
  }));
  type NA = EstimateView['nrCpusArrays'][number];
  if (v.nrCpusArrays.length) {
    tables.appendChild(dataTable<NA>({
      id: `t-arrays-${vi}`, title: `NR_CPUS arrays (NR_CPUS = ${v.nrCpus})`, filterNote: note, total: v.nrCpusArrays.length,
      rows: v.nrCpusArrays.filter((a) => keep({ ...a, kind: 'nr_cpus_array' })), ui: tableUi(ui, 'arrays', 'total'), changed: ctx.changed,
      columns: [
        { key: 'name', head: 'array', value: (r) => r.name, cell: (r) => r.name, wrap: true },
        { key: 'element', head: 'per CPU slot', value: (r) => r.elementBytes, cell: (r) => formatBytes(r.elementBytes), num: true },
        { key: 'total', head: 'total', value: (r) => r.total, cell: (r) => formatBytes(r.total), num: true },
        { key: 'file', head: 'file', value: where, cell: link, wrap: true },
        ...chgCol<NA>('nr_cpus_array'),
      ],
    }));
  }
  type UR = EstimateView['unresolved'][number];
  if (v.unresolved.length) {
    const u = tableUi(ui, 'unresolved', 'file', 'asc');
    tables.appendChild(dataTable<UR>({
      id: `t-unresolved-${vi}`, title: 'Not sized (unresolved)', filterNote: note, total: v.unresolved.length,
      rows: v.unresolved.filter((x) => !diff?.only && keep({ name: x.reason, file: x.file, line: x.line })), ui: u, changed: ctx.changed,
      columns: [
        { key: 'file', head: 'file', value: where, cell: link, wrap: true },
        { key: 'reason', head: 'why', value: (r) => r.reason, cell: (r) => r.reason, wrap: true },
      ],
    }));
  }
  return sec;
}

/** Breadcrumb + one row per child of the scope, each with a bar of its static and dynamic bytes. */
function subsystems(v: EstimateView, vi: number, ui: ViewUi, ctx: Ctx, n: ReturnType<typeof findNode>, scope: string, searching: boolean,
  changeOf?: (it: NonNullable<TreeRow['item']>) => Change | undefined): HTMLElement {
  const box = el('div', 'subsystems');
  const nav = box.appendChild(el('nav', 'crumbs'));
  nav.setAttribute('aria-label', 'Subsystem path');
  const cs = crumbs(scope);
  cs.forEach((c, i) => {
    if (i) nav.appendChild(el('span', 'sep', '›')).setAttribute('aria-hidden', 'true');
    if (i === cs.length - 1) {
      nav.appendChild(el('span', 'crumb-here', c.label)).setAttribute('aria-current', 'location');
    } else {
      const b = nav.appendChild(button('crumb', c.label, () => { ui.scope = c.path; ctx.changed(); ctx.rerender(`groups-${vi}`); }));
      b.dataset.fid = `crumb-${vi}-${i}`;
      b.dataset.path = c.path;
    }
  });
  if (!n) {
    box.appendChild(el('p', 'empty', `Nothing under ${scope} matches the search.`));
    return box;
  }
  const what = ctx.query.trim() ? ' (matches only)' : searching ? ' (changed only)' : '';
  // variables only: the static area also holds the padding their alignment needs
  box.appendChild(el('p', 'scope-sum', `${scope || 'whole tree'}${what}: ${plural(n.nStatic, 'static variable')} (${formatBytes(n.staticBytes)}, without alignment padding) and ${plural(n.nAlloc, 'call site')} asking ${formatBytes(n.dynamicBytes)} per CPU`));
  const rows = childRows(n);
  const max = Math.max(1, ...rows.map(rowTotal));
  const list = box.appendChild(el('ul', 'groups'));
  list.setAttribute('aria-label', `${scope || 'whole tree'}: ${plural(rows.length, 'entry', 'entries')}, biggest first. Enter opens, Right goes in, Left goes up.`);
  const shown = ui.allRows ? rows : rows.slice(0, GROUP_ROWS);
  const btns: HTMLElement[] = [];
  const up = () => {
    if (!scope) return false;
    ui.scope = scope.includes('/') ? scope.slice(0, scope.lastIndexOf('/')) : '';
    ctx.changed(); ctx.rerender(`groups-${vi}`);
    return true;
  };
  const enter = (r: TreeRow) => {
    if (r.path !== undefined && (r.kind === 'dir' || r.kind === 'file')) { ui.scope = r.path; ctx.changed(); ctx.rerender(`groups-${vi}`); } else if (r.item) ctx.open(vi, r.item.file, r.item.line);
  };
  for (const r of shown) {
    const li = list.appendChild(el('li'));
    const b = li.appendChild(button(`grow row-${r.kind}`, '', () => enter(r)));
    b.dataset.kind = r.kind;
    if (r.path !== undefined) b.dataset.path = r.path;
    b.appendChild(el('span', 'g-name', r.label));
    const g = b.appendChild(el('span', 'g-bar'));
    g.setAttribute('aria-hidden', 'true');
    if (r.staticBytes) g.appendChild(el('span', 'g-static')).style.width = `${(100 * r.staticBytes) / max}%`;
    if (r.dynamicBytes) g.appendChild(el('span', 'g-dynamic')).style.width = `${(100 * r.dynamicBytes) / max}%`;
    const parts = [r.staticBytes ? `${formatBytes(r.staticBytes)} static` : '', r.dynamicBytes ? `${formatBytes(r.dynamicBytes)} dynamic` : ''].filter(Boolean);
    const counts = r.item ? (r.item.kind === 'static' ? `line ${r.item.line}` : `× ${r.item.count}`) : [r.nStatic ? plural(r.nStatic, 'var') : '', r.nAlloc ? plural(r.nAlloc, 'call site') : ''].filter(Boolean).join(', ');
    const c = r.item && changeOf?.(r.item);
    const chg = c ? ` · ${changeText(c)}` : '';
    if (c) b.classList.add('chg-row');
    b.appendChild(el('span', 'g-num', `${parts.join(' + ') || '0 B'} · ${counts}${chg}`));
    const action = r.item ? 'open the source' : 'show what is inside';
    b.setAttribute('aria-label', `${r.label}: ${parts.join(' + ') || '0 B'}, ${counts}${chg}; ${action}`);
    attachTip(b, () => [r.item ? `${r.item.file}:${r.item.line}` : (r.path ?? r.label), parts.join(' + ') || '0 B', counts, ...(c ? [changeText(c)] : [])]);
    btns.push(b);
  }
  if (btns.length) btns[0].dataset.fid = `groups-${vi}`;
  roving(list, btns, 0, {
    keys: 'vertical',
    onKey: (ev, i) => {
      const r = shown[i];
      if (ev.key === 'ArrowRight' && !r.item) { enter(r); return true; }
      if (ev.key === 'ArrowLeft' || ev.key === 'Backspace' || (ev.altKey && ev.key === 'ArrowUp')) return up();
      return false;
    },
  });
  if (rows.length > shown.length) {
    const more = box.appendChild(button('more', `Show all ${rows.length} entries`, () => { ui.allRows = true; ctx.changed(); ctx.rerender(`more-${vi}`); }));
    more.dataset.fid = `more-${vi}`;
  }
  return box;
}

/** One unit of the first chunk to scale: its static, reserved and dynamic areas and the freed tail. */
function unitBar(fc: EstimateView['snapshot']['firstChunk']): HTMLElement {
  const b = el('div', 'bar first');
  b.setAttribute('role', 'img');
  const bands = [
    { start: 0, end: fc.static, cls: 'band-static', label: `static ${formatBytes(fc.static)}` },
    { start: fc.static, end: fc.static + fc.reserved, cls: 'band-reserved', label: `reserved ${formatBytes(fc.reserved)}` },
    { start: fc.static + fc.reserved, end: fc.static + fc.reserved + fc.dynamic, cls: 'band-dynamic', label: `dynamic ${formatBytes(fc.dynamic)}` },
  ];
  const used = fc.static + fc.reserved + fc.dynamic;
  // pcpu_embed_first_chunk gives the rest of each unit back to the page allocator at boot
  if (used < fc.unitSize) bands.push({ start: used, end: fc.unitSize, cls: 'band-tail', label: `unit tail ${formatBytes(fc.unitSize - used)}, freed at boot` });
  b.setAttribute('aria-label', `One unit of ${formatBytes(fc.unitSize)}: ${bands.map((x) => x.label).join(', ')}`);
  const span = Math.max(1, fc.unitSize);
  for (const band of bands) {
    const e = b.appendChild(el('div', `band ${band.cls}`));
    e.style.left = `${(100 * band.start) / span}%`;
    e.style.width = `${(100 * (band.end - band.start)) / span}%`;
    e.title = band.label;
    if ((band.end - band.start) / span > 0.12) e.appendChild(el('span', 'band-label', band.label));
  }
  return b;
}

function legend(diff: boolean): HTMLElement {
  const l = el('ul', 'legend');
  l.setAttribute('aria-label', 'Legend');
  const keys = [['kind-static', 'static variable'], ['kind-alloc', 'dynamic allocation'], ['kind-free', 'free'], ['kind-hidden', 'padding / unused'], ['kind-cluster', 'group of narrow blocks (zooms in)']];
  // a change is told by its outline and pattern, not by a colour
  if (diff) keys.push(['chg chg-added', 'added (striped, dashed edge)'], ['chg chg-grew', 'grown or resized (dashed edge)'], ['chg chg-removed', 'removed (cross-hatched, dashed edge)']);
  for (const [k, text] of keys) {
    const li = l.appendChild(el('li'));
    li.appendChild(el('span', `swatch ${k}`)).setAttribute('aria-hidden', 'true');
    li.appendChild(el('span', 'key', text));
  }
  return l;
}

/** A table cell saying what the diff did to the row's item ("added: +8 B/cpu"), or "" when nothing. */
function changeCell(c: Change | undefined): string | Node {
  if (!c) return '';
  const s = el('span', `chg-text ${changeClass(c)}`, changeText(c));
  if (c.detail && c.status === 'changed') s.title = c.detail;
  return s;
}

function chunkTable(v: EstimateView): HTMLElement {
  const t = el('table', 'chunks');
  t.appendChild(el('caption', undefined, `Chunks (${v.snapshot.chunks.length}); sizes are per unit, i.e. per CPU`));
  const hr = t.appendChild(el('thead')).appendChild(el('tr'));
  for (const [h, num] of [['chunk', false], ['area size', true], ['allocated', true], ['free', true], ['largest free run', true], ['pages populated', true]] as const) {
    const th = hr.appendChild(el('th', num ? 'num' : '', h));
    th.scope = 'col';
  }
  const tb = t.appendChild(el('tbody'));
  for (const c of v.snapshot.chunks) {
    const tr = tb.appendChild(el('tr'));
    const name = c.kind === 'reserved' ? 'reserved (module static data)' : c.kind === 'first' ? 'first chunk, dynamic area' : 'added at run time';
    tr.appendChild(el('td', undefined, `#${c.id} ${name}`));
    for (const x of [formatBytes(c.size), formatBytes(c.size - c.freeBytes), formatBytes(c.freeBytes), formatBytes(c.contigBytes), `${c.populatedPages} of ${c.nrPages}`]) tr.appendChild(el('td', 'num', x));
  }
  return t;
}
