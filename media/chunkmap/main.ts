// Chunk-map webview entry. The host posts a PanelState (one estimate, or two to compare); this page
// renders it with DOM nodes and textContent only. What the user did (drill-down scope, search, sorts,
// pages, zoom) is kept with the data in the webview state, so a reload restores it.
import type { PanelState } from '../../src/vscode/messages';
import { el, hideTip } from './dom';
import { newCompareUi, renderCompare, type CompareUi } from './compare';
import { newDiffUi, renderDiff, type DiffUi } from './diff';
import { newViewUi, renderView, type Ctx, type ViewUi } from './view';
import { itemsOf, matcher } from '../../src/vscode/chunkMapModel';

interface Ui { query: string; views: ViewUi[]; compare: CompareUi; diff?: DiffUi }
interface Saved extends PanelState { ui?: Ui; key?: string }

declare function acquireVsCodeApi(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };
const vscode = acquireVsCodeApi();
const root = document.getElementById('chunkmap') as HTMLElement;
const status = document.getElementById('cm-status') as HTMLElement;

let state: PanelState | undefined;
let ui: Ui = { query: '', views: [], compare: newCompareUi() };

/** Identifies the data: the ui state of another estimate does not apply. */
const keyOf = (s: PanelState) => JSON.stringify([s.diff?.summaryLine, ...s.views.map((v) => [v.title, v.view.snapshot.firstChunk.bootLine, v.view.static.length, v.view.dynamic.callsites.length])]);

function save(): void {
  if (state) vscode.setState({ ...state, ui, key: keyOf(state) } satisfies Saved);
}

const ctx: Ctx = {
  get query() { return ui.query; },
  open: (viewIndex, file, line) => vscode.postMessage({ type: 'open', viewIndex, file, line }),
  changed: save,
  rerender: (focus) => renderBody(focus),
};

let body: HTMLElement | undefined;
let search: HTMLInputElement | undefined;

function toolbar(compare: boolean): HTMLElement {
  const bar = el('div', 'toolbar');
  // first tab stop: straight to the tables, past the search, the drill-down and the bars
  const skip = bar.appendChild(el('a', 'skip', compare ? 'Skip to the item deltas' : 'Skip to the tables'));
  // (a diff is two views too: its item table has the same id)
  const target = compare ? 'deltas' : 'tables-0';
  skip.href = `#${target}`;
  skip.addEventListener('click', (ev) => {
    ev.preventDefault();
    const t = document.getElementById(target);
    t?.focus();
    t?.scrollIntoView();
  });
  const label = bar.appendChild(el('label', 'search-label', 'Search'));
  label.htmlFor = 'cm-search';
  search = bar.appendChild(el('input', 'search'));
  search.id = 'cm-search';
  search.type = 'search';
  search.placeholder = 'variable, allocation or file';
  search.value = ui.query;
  search.setAttribute('aria-describedby', 'cm-status');
  let t: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(t);
    t = setTimeout(() => { ui.query = search!.value; save(); renderBody(); }, 120);
  });
  search.addEventListener('keydown', (ev) => { if (ev.key === 'Escape' && search!.value) { search!.value = ''; ui.query = ''; save(); renderBody(); } });
  bar.appendChild(el('span', 'search-count')).id = 'cm-count';
  return bar;
}

function renderBody(focus?: string): void {
  if (!state || !body) return;
  hideTip();
  const views = state.views;
  while (ui.views.length < views.length) ui.views.push(newViewUi());
  const parts = state.diff && views.length === 2
    ? renderDiff(views, state.diff, (ui.diff ??= newDiffUi()), ui.views, ctx)
    : views.length === 2
      ? renderCompare(views[0], views[1], state.comparison, ui.compare, ui.views, ctx)
      : views.map((pv, i) => renderView(pv, i, ui.views[i], ctx));
  body.replaceChildren(...parts);
  root.classList.toggle('compare', views.length === 2);
  root.classList.toggle('diff', !!state.diff);
  // how many items the search keeps, said once (the status element is a live region)
  const m = matcher(ui.query);
  const all = views.flatMap((v) => itemsOf(v.view));
  const msg = ui.query.trim() ? `${all.filter(m).length} of ${all.length} variables and call sites match` : '';
  const count = document.getElementById('cm-count');
  if (count) count.textContent = msg;
  status.textContent = msg;
  if (focus) (body.querySelector<HTMLElement>(`[data-fid="${CSS.escape(focus)}"]`) ?? undefined)?.focus();
}

function render(s: PanelState | undefined, saved?: Saved): void {
  if (!s || !Array.isArray(s.views) || !s.views.length) return;
  const sameData = saved?.key === keyOf(s) || (state && keyOf(state) === keyOf(s));
  if (saved?.ui && saved.key === keyOf(s)) ui = saved.ui;
  else if (!sameData) ui = { query: '', views: [], compare: newCompareUi() };
  state = s;
  body = el('div', 'body');
  root.replaceChildren(toolbar(s.views.length === 2), body);
  renderBody();
  save();
}

window.addEventListener('message', (ev) => {
  const m = ev.data as { type?: string; state?: PanelState };
  if (m && m.type === 'show' && m.state) render(m.state);
});
const saved = vscode.getState() as Saved | undefined;
render(saved, saved);
vscode.postMessage({ type: 'ready' });
