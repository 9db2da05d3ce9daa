// A sortable, paged table. Column headers are buttons (aria-sort on the header cell); the rows' links
// are one tab stop with arrow-key movement, so a long table costs the keyboard user two or three stops.
import { pageOf, sortRows, type SortSpec } from '../../src/vscode/chunkMapModel';
import { button, el, roving } from './dom';

export const PAGE_SIZE = 50;

export interface Column<T> {
  key: string;
  head: string;
  value: (r: T) => string | number;
  cell: (r: T) => string | Node;
  /** numbers align right and sort biggest first on the first click */
  num?: boolean;
  /** long text (paths, identifiers) may wrap anywhere */
  wrap?: boolean;
}

export interface TableUi { sort: SortSpec; page: number }

export interface TableSpec<T> {
  id: string;
  /** e.g. "Static per-CPU variables" */
  title: string;
  /** what narrows the rows: "under net/, matching “dev”" */
  filterNote: string;
  total: number;
  rows: T[];
  columns: Column<T>[];
  ui: TableUi;
  changed: () => void;
  footer?: Array<string | Node>;
}

export function dataTable<T extends { file: string; line: number }>(s: TableSpec<T>): HTMLElement {
  const sec = el('section', 'tbl');
  sec.id = s.id;
  const redraw = (focusKey?: string) => {
    const fresh = dataTable(s);
    sec.replaceWith(fresh);
    let f = focusKey ? fresh.querySelector<HTMLButtonElement>(`[data-fid="${focusKey}"]`) : null;
    // on the first or last page that pager button is disabled: keep the focus on the pager
    if (f?.disabled) f = fresh.querySelector<HTMLButtonElement>('.pager button:not(:disabled)');
    f?.focus();
  };
  const col = s.columns.find((c) => c.key === s.ui.sort.key) ?? s.columns[0];
  const rows = sortRows(s.rows, col.value, s.ui.sort.dir);
  const pg = pageOf(rows.length, s.ui.page, PAGE_SIZE);
  s.ui.page = pg.page;

  const t = sec.appendChild(el('table'));
  const shown = rows.length === s.total ? `${s.total}` : `${rows.length} of ${s.total}`;
  const cap = t.appendChild(el('caption'));
  cap.append(el('span', 'cap-title', `${s.title}: ${shown}`), el('span', 'cap-note', [s.filterNote,
    rows.length > PAGE_SIZE ? `rows ${pg.start + 1}–${pg.end}` : ''].filter(Boolean).join('; ')));
  const hr = t.appendChild(el('thead')).appendChild(el('tr'));
  for (const c of s.columns) {
    const th = hr.appendChild(el('th'));
    th.scope = 'col';
    if (c.num) th.className = 'num';
    const on = c.key === s.ui.sort.key;
    if (on) th.setAttribute('aria-sort', s.ui.sort.dir === 'asc' ? 'ascending' : 'descending');
    const b = th.appendChild(button('sort', c.head, () => {
      s.ui.sort = on ? { key: c.key, dir: s.ui.sort.dir === 'asc' ? 'desc' : 'asc' } : { key: c.key, dir: c.num ? 'desc' : 'asc' };
      s.ui.page = 0;
      s.changed();
      redraw(`${s.id}-sort-${c.key}`);
    }));
    b.dataset.fid = `${s.id}-sort-${c.key}`;
    b.dataset.key = c.key;
    b.appendChild(el('span', 'sort-mark', on ? (s.ui.sort.dir === 'asc' ? ' ▲' : ' ▼') : '')).setAttribute('aria-hidden', 'true');
  }
  const tb = t.appendChild(el('tbody'));
  const links: HTMLElement[] = [];
  for (const r of rows.slice(pg.start, pg.end)) {
    const tr = tb.appendChild(el('tr'));
    for (const c of s.columns) {
      const td = tr.appendChild(el('td', [c.num ? 'num' : '', c.wrap ? 'wrap' : ''].filter(Boolean).join(' ')));
      const v = c.cell(r);
      if (typeof v === 'string') td.textContent = v; else td.appendChild(v);
      if (v instanceof HTMLButtonElement) links.push(v);
    }
  }
  if (s.footer) {
    const tr = t.appendChild(el('tfoot')).appendChild(el('tr'));
    s.footer.forEach((f, i) => {
      const td = tr.appendChild(el(i === 0 ? 'th' : 'td', s.columns[i]?.num ? 'num' : ''));
      if (typeof f === 'string') td.textContent = f; else td.appendChild(f);
    });
  }
  roving(tb, links, 0, { keys: 'vertical' });
  if (!rows.length) tb.appendChild(el('tr')).appendChild(el('td', 'empty', 'No rows.')).setAttribute('colspan', String(s.columns.length));

  if (pg.pages > 1) {
    const nav = sec.appendChild(el('div', 'pager'));
    nav.setAttribute('role', 'group');
    nav.setAttribute('aria-label', `${s.title}: pages`);
    const prev = nav.appendChild(button('', 'Previous page', () => { s.ui.page--; s.changed(); redraw(`${s.id}-prev`); }));
    prev.dataset.fid = `${s.id}-prev`;
    prev.disabled = pg.page === 0;
    nav.appendChild(el('span', 'page-of', `Page ${pg.page + 1} of ${pg.pages}`));
    const next = nav.appendChild(button('', 'Next page', () => { s.ui.page++; s.changed(); redraw(`${s.id}-next`); }));
    next.dataset.fid = `${s.id}-next`;
    next.disabled = pg.page === pg.pages - 1;
  }
  return sec;
}
