// Messages between the chunk-map webview and the extension host. The webview is untrusted input:
// everything it posts is checked here before the host acts on it (e.g. opening a file).
import type { EstimateView } from './core';
import type { Comparison, DiffPanelData } from './diffModel';

export interface PanelView { title: string; view: EstimateView }
/**
 * What the panel shows; also the state the webview persists for the serializer. Two views are
 * compared (`comparison`, made in the host by the core's pairing), or are the two sides of a diff
 * (`diff`: views[0] OLD, views[1] NEW).
 */
export interface PanelState { views: PanelView[]; comparison?: Comparison; diff?: DiffPanelData }

export type HostMessage = { type: 'show'; state: PanelState };
export type WebviewMessage = { type: 'ready' } | { type: 'open'; viewIndex: number; file: string; line: number };

/** Files a view lets the webview open: only those the estimate itself reported. */
export function knownFiles(v: EstimateView): Set<string> {
  const s = new Set<string>();
  for (const x of v.static) s.add(x.file);
  for (const x of v.dynamic.callsites) s.add(x.file);
  for (const x of v.nrCpusArrays) s.add(x.file);
  for (const x of v.unresolved) s.add(x.file);
  for (const c of v.snapshot.chunks) for (const b of c.blocks) if (b.file) s.add(b.file);
  return s;
}

/** Relative, inside the root, no NUL or backslash tricks. */
export function isSafeRelativePath(p: string): boolean {
  return p.length > 0 && p.length < 4096 && !p.startsWith('/') && !/^[A-Za-z]:/.test(p) && !p.includes('\0') &&
    !p.includes('\\') && !p.split('/').some((seg) => seg === '..' || seg === '');
}

/** A revision name git reads as one (the diff panel opens OLD's files at it): no option look-alikes,
 *  no spaces or `:`; the page's state is untrusted. */
export function isSafeRevision(rev: string): boolean {
  return rev.length > 0 && rev.length < 256 && /^[A-Za-z0-9_][A-Za-z0-9_./~^@{}-]*$/.test(rev);
}

export function parseWebviewMessage(raw: unknown, state: PanelState | undefined): WebviewMessage | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const m = raw as Record<string, unknown>;
  if (m.type === 'ready' && Object.keys(m).length === 1) return { type: 'ready' };
  if (m.type !== 'open' || !state) return undefined;
  const { viewIndex, file, line } = m;
  if (typeof viewIndex !== 'number' || !Number.isInteger(viewIndex) || viewIndex < 0 || viewIndex >= state.views.length) return undefined;
  if (typeof file !== 'string' || !isSafeRelativePath(file)) return undefined;
  if (typeof line !== 'number' || !Number.isInteger(line) || line < 1 || line > 10_000_000) return undefined;
  const known = knownFiles(state.views[viewIndex].view);
  // a diff's module rows point at the module's first file, which may hold no per-CPU item
  for (const i of state.diff?.result.items ?? []) known.add(i.file);
  if (!known.has(file)) return undefined;
  return { type: 'open', viewIndex, file, line };
}

/** The state restored by the serializer is as untrusted as a message: keep only well-formed views. */
export function parsePanelState(raw: unknown): PanelState | undefined {
  if (!raw || typeof raw !== 'object' || !Array.isArray((raw as PanelState).views)) return undefined;
  const views = (raw as PanelState).views.filter((v) =>
    v && typeof v.title === 'string' && v.view && typeof v.view.root === 'string' && v.view.snapshot && Array.isArray(v.view.snapshot.chunks));
  if (!views.length) return undefined;
  const r = raw as PanelState;
  const diff = r.diff && r.diff.result && Array.isArray(r.diff.result.items) && typeof r.diff.summaryLine === 'string' && views.length === 2 ? { diff: r.diff } : {};
  const comparison = r.comparison && Array.isArray(r.comparison.rows) && views.length === 2 ? { comparison: r.comparison } : {};
  return { views, ...comparison, ...diff };
}
