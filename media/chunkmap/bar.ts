// A memory bar: blocks over [from, to) drawn to scale. Blocks too narrow to point at are gathered in
// clusters (about MIN_PX wide) that zoom in on click or Enter; Escape or "Zoom out" goes back. The
// bar is one tab stop: arrow keys move between its blocks (roving tabindex).
import { formatBytes } from '../../src/core/report/format';
import { layoutBar, type BarItem, type Block, type Change } from '../../src/vscode/chunkMapModel';
import { attachTip, button, el, hideTip, roving } from './dom';

/** The narrowest thing a mouse must hit, in CSS pixels. */
export const MIN_PX = 8;
/** Labels go inside blocks at least this wide. */
const LABEL_PX = 44;

export interface BarUi { zoom: Array<[number, number]>; active: number }

export interface BarSpec {
  cls: string;
  /** what the bar shows, e.g. "Static area" */
  title: string;
  blocks: Block[];
  from: number;
  to: number;
  ui: BarUi;
  /** the block lies outside the subsystem the user drilled into */
  isOut: (b: Block) => boolean;
  /** undefined when nothing is searched */
  isMatch: (b: Block) => boolean | undefined;
  open: (b: Block) => void;
  changed: () => void;
  /** a diff's change to the block's item (undefined: unchanged, or no diff shown) */
  change?: (b: Block) => Change | undefined;
  /** "changed only": unchanged blocks are drawn empty, as the search draws non-matches */
  changedOnly?: boolean;
}

/** "+8 B", "-1 KiB", "0 B" */
export function signed(n: number): string {
  return n > 0 ? `+${formatBytes(n)}` : n < 0 ? `-${formatBytes(-n)}` : '0 B';
}

const STATUS: Record<Change['status'], string> = { added: 'added', removed: 'removed', changed: 'resized' };

/** "added: +8 B/cpu", "resized: +8 B/cpu (24 B → 32 B)": what the block's label and tooltip say of a change. */
export function changeText(c: Change): string {
  const what = c.status === 'changed' && c.delta === 0 ? 'changed' : STATUS[c.status];
  const fromTo = c.status === 'changed' ? ` (${formatBytes(c.before)} → ${formatBytes(c.after)})` : '';
  return `${what}: ${signed(c.delta)}/${c.unit}${fromTo}`;
}

/** The pattern class of a change: added, removed, grown, shrunk or changed in place. */
export function changeClass(c: Change): string {
  return c.status !== 'changed' ? `chg-${c.status}` : c.delta > 0 ? 'chg-grew' : c.delta < 0 ? 'chg-shrank' : 'chg-moved';
}

const KINDS = ['static', 'alloc', 'free', 'hidden'];
const kindOf = (b: Block) => (KINDS.includes(b.kind) ? b.kind : 'hidden');
const nameOf = (b: Block) => b.label || (b.kind === 'free' ? 'free' : b.kind);

function blockLines(b: Block): string[] {
  const l = [nameOf(b), `${kindOf(b)} · ${formatBytes(b.size)} (${b.size} B) at offset ${b.offset}`];
  if (b.file) l.push(`${b.file}:${b.line}`);
  return l;
}

export function memoryBar(s: BarSpec): HTMLElement {
  const wrap = el('div', 'barwrap');
  const tools = wrap.appendChild(el('div', 'bar-tools'));
  const range = tools.appendChild(el('span', 'bar-range'));
  const out = tools.appendChild(button('zoom-out', 'Zoom out', () => zoomOut()));
  const bar = wrap.appendChild(el('div', `bar ${s.cls}`));
  bar.setAttribute('role', 'group');
  let width = 0;

  const view = (): [number, number] => s.ui.zoom[s.ui.zoom.length - 1] ?? [s.from, s.to];

  function zoomIn(it: BarItem) {
    s.ui.zoom.push([it.from, it.to]);
    s.ui.active = 0;
    s.changed();
    draw(true);
  }
  function zoomOut() {
    const was = s.ui.zoom.pop();
    if (!was) return;
    s.changed();
    draw(bar.contains(document.activeElement) || document.activeElement === out, was[0]);
  }

  function draw(keepFocus = false, focusAt?: number) {
    width = bar.clientWidth;
    if (!width) return;
    hideTip(); // its block may be about to go
    const [from, to] = view();
    const zoomed = s.ui.zoom.length > 0;
    out.hidden = !zoomed;
    range.textContent = zoomed
      ? `Zoomed to offsets ${from}–${to} (${formatBytes(to - from)})`
      : `${formatBytes(to - from)}; narrow blocks are grouped: click a group (or press Enter) to zoom in`;
    const items = layoutBar(s.blocks, from, to, width, MIN_PX);
    const inner = el('div', 'bar-inner');
    const focusables: HTMLElement[] = [];
    let nBlocks = 0;
    for (const it of items) {
      if (it.type === 'gap') continue;
      const e = el('button', it.type === 'cluster' ? 'block cluster' : `block kind-${kindOf(it.block)}`);
      e.type = 'button';
      e.style.left = `${(100 * it.x) / width}%`;
      e.style.width = `${(100 * it.w) / width}%`;
      let label: string;
      let lines: string[];
      if (it.type === 'block') {
        const b = it.block;
        nBlocks++;
        label = nameOf(b);
        lines = blockLines(b);
        e.dataset.label = label;
        e.dataset.offset = String(b.offset);
        if (s.isOut(b)) e.classList.add('out');
        const m = s.isMatch(b);
        if (m !== undefined) e.classList.add(m ? 'match' : 'nomatch');
        const c = s.change?.(b);
        if (c) {
          e.classList.add('chg', changeClass(c));
          e.dataset.change = c.status;
          lines.push(changeText(c), ...(c.detail && c.status === 'changed' ? [c.detail] : []));
          label = `${signed(c.delta)} ${label}`;
        } else if (s.changedOnly) e.classList.add('unchanged');
        e.setAttribute('aria-label', lines.join(', '));
        e.addEventListener('click', () => { if (b.file) s.open(b); });
      } else {
        nBlocks += it.blocks.length;
        const matches = it.blocks.filter((b) => s.isMatch(b)).length;
        const searching = it.blocks.length && s.isMatch(it.blocks[0]) !== undefined;
        label = `${it.blocks.length} blocks`;
        e.dataset.count = String(it.blocks.length);
        e.dataset.offset = String(it.from);
        if (it.blocks.every((b) => s.isOut(b))) e.classList.add('out');
        if (searching) e.classList.add(matches ? 'match' : 'nomatch');
        const changes = s.change ? it.blocks.map((b) => s.change!(b)).filter((c): c is Change => !!c) : [];
        if (changes.length) {
          e.classList.add('chg', 'chg-cluster');
          e.dataset.change = String(changes.length);
          label = `${changes.length} changed of ${label}`;
        } else if (s.changedOnly) e.classList.add('unchanged');
        const names = it.blocks.slice(0, 3).map(nameOf).join(', ') + (it.blocks.length > 3 ? ', …' : '');
        lines = [`${it.blocks.length} blocks, ${formatBytes(it.to - it.from)} at offsets ${it.from}–${it.to}`, names,
          ...(searching ? [`${matches} match the search`] : []),
          ...(changes.length ? [`${changes.length} changed by the diff: ${signed(changes.reduce((n, c) => n + c.delta, 0))}/cpu`] : []), 'click or Enter: zoom in'];
        e.setAttribute('aria-label', lines.join(', '));
        e.addEventListener('click', () => zoomIn(it));
      }
      if (it.w >= LABEL_PX) e.appendChild(el('span', 'block-label', label));
      attachTip(e, () => lines);
      (e as HTMLElement & { item?: BarItem }).item = it;
      inner.appendChild(e);
      focusables.push(e);
    }
    bar.setAttribute('aria-label', `${s.title}: ${nBlocks} blocks${zoomed ? ', zoomed in' : ''}. Arrow keys move, Enter opens the source or zooms in, Escape zooms out.`);
    bar.replaceChildren(inner);
    bar.dataset.depth = String(s.ui.zoom.length);
    let active = s.ui.active;
    if (focusAt !== undefined) {
      const k = focusables.findIndex((f) => { const it = (f as HTMLElement & { item?: BarItem }).item!; return it.from <= focusAt && focusAt < it.to; });
      if (k >= 0) active = k;
    }
    roving(inner, focusables, active, {
      onMove: (i) => { s.ui.active = i; },
      onKey: (ev, i) => {
        const it = (focusables[i] as HTMLElement & { item?: BarItem }).item!;
        if ((ev.key === 'Enter' || ev.key === ' ' || ev.key === '+') && it.type === 'cluster') { zoomIn(it); return true; }
        if ((ev.key === 'Escape' || ev.key === 'Backspace' || ev.key === '-') && s.ui.zoom.length) { zoomOut(); return true; }
        return false;
      },
    });
    s.ui.active = Math.min(Math.max(0, active), focusables.length - 1);
    if (keepFocus) focusables[s.ui.active]?.focus();
  }

  let lastW = -1;
  const ro = new ResizeObserver(() => {
    if (!bar.isConnected) { ro.disconnect(); return; } // the page was re-rendered
    if (bar.clientWidth !== lastW) { lastW = bar.clientWidth; draw(bar.contains(document.activeElement)); }
  });
  ro.observe(bar);
  return wrap;
}
