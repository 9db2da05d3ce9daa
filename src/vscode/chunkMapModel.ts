// Data shaping for the chunk-map webview: the subsystem tree, search, sorting, paging, the layout of a
// memory bar (clusters of blocks too small to point at) and where a diff's changes fall on the map
// (the pairing itself is the core's: src/vscode/diffModel.ts). Pure functions over EstimateView: no
// vscode, no DOM. The webview bundles this file, and the unit tests run it in plain Node, so what is
// tested is what the page runs.
import type { EstimateView } from './core';
import type { ChunkMapSnapshot } from '../core/sim/snapshot';
import type { DiffItem } from '../core/estimate/diff';

/** One thing that takes per-CPU bytes and has a source line: a static variable or an allocation call site. */
export interface MapItem {
  kind: 'static' | 'alloc';
  name: string;
  /** for a call site: the allocation expression; for a variable: its section */
  detail: string;
  file: string;
  line: number;
  /** bytes per CPU this item costs (a call site's size × count) */
  bytes: number;
  size: number;
  count: number;
  align?: number;
}

export function itemsOf(v: EstimateView): MapItem[] {
  return [
    ...v.static.map((x): MapItem => ({ kind: 'static', name: x.name, detail: x.section, file: x.file, line: x.line, bytes: x.size, size: x.size, count: 1, align: x.align })),
    ...v.dynamic.callsites.map((c): MapItem => ({ kind: 'alloc', name: c.type, detail: c.type, file: c.file, line: c.line, bytes: c.total, size: c.size, count: c.count })),
  ];
}

// ---------------------------------------------------------------- search

/** Every whitespace-separated word of the query appears (case-insensitively) in the name (a call site's: its expression) or file:line. */
export function matcher(query: string): (x: { name: string; file: string; line: number }) => boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return () => true;
  return (x) => {
    const hay = `${x.name} ${x.file}:${x.line}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  };
}

// ---------------------------------------------------------------- subsystem tree

export interface TreeNode {
  name: string;
  /** "net/core" for a directory, "net/core/dev.c" for a file, "" for the root */
  path: string;
  kind: 'dir' | 'file';
  staticBytes: number;
  dynamicBytes: number;
  nStatic: number;
  nAlloc: number;
  children: Map<string, TreeNode>;
  /** a file's variables and call sites */
  items: MapItem[];
}

const node = (name: string, path: string, kind: TreeNode['kind']): TreeNode =>
  ({ name, path, kind, staticBytes: 0, dynamicBytes: 0, nStatic: 0, nAlloc: 0, children: new Map(), items: [] });

/** Directories → files → items, with the per-CPU bytes of everything below each node. */
export function buildTree(items: MapItem[]): TreeNode {
  const root = node('', '', 'dir');
  for (const it of items) {
    const parts = it.file.split('/');
    let n = root;
    const add = (m: TreeNode) => {
      if (it.kind === 'static') { m.staticBytes += it.bytes; m.nStatic++; } else { m.dynamicBytes += it.bytes; m.nAlloc++; }
    };
    add(root);
    for (let i = 0; i < parts.length; i++) {
      const p = parts.slice(0, i + 1).join('/');
      const kind = i === parts.length - 1 ? 'file' : 'dir';
      let c = n.children.get(parts[i] + (kind === 'dir' ? '/' : ''));
      if (!c) { c = node(parts[i], p, kind); n.children.set(parts[i] + (kind === 'dir' ? '/' : ''), c); }
      add(c);
      n = c;
    }
    n.items.push(it);
  }
  return root;
}

export function findNode(root: TreeNode, path: string): TreeNode | undefined {
  if (!path) return root;
  const parts = path.split('/');
  let n: TreeNode | undefined = root;
  for (let i = 0; i < parts.length && n; i++) {
    const last = i === parts.length - 1;
    n = n.children.get(parts[i] + '/') ?? (last ? n.children.get(parts[i]) : undefined);
  }
  return n;
}

/** One row of the grouped bars: a directory, a file, or (inside a file) a variable or call site. */
export interface TreeRow {
  kind: 'dir' | 'file' | 'static' | 'alloc';
  /** shown name: "net/", "arch/x86/" (chains of lone directories joined), "dev.c", or the item's name */
  label: string;
  /** where drilling down goes (directories and files) */
  path?: string;
  item?: MapItem;
  staticBytes: number;
  dynamicBytes: number;
  nStatic: number;
  nAlloc: number;
}

export const rowTotal = (r: { staticBytes: number; dynamicBytes: number }): number => r.staticBytes + r.dynamicBytes;

/** The rows one level below `n`, biggest first (ties by name). */
export function childRows(n: TreeNode): TreeRow[] {
  const rows: TreeRow[] = [];
  for (const c0 of n.children.values()) {
    let c = c0;
    // a directory whose only content is one directory says nothing: show "arch/x86/" as one row
    while (c.kind === 'dir' && c.children.size === 1 && !c.items.length) {
      const only = [...c.children.values()][0];
      if (only.kind !== 'dir') break;
      c = only;
    }
    const label = (n.path ? c.path.slice(n.path.length + 1) : c.path) + (c.kind === 'dir' ? '/' : '');
    rows.push({ kind: c.kind, label, path: c.path, staticBytes: c.staticBytes, dynamicBytes: c.dynamicBytes, nStatic: c.nStatic, nAlloc: c.nAlloc });
  }
  for (const it of n.items) {
    rows.push({
      kind: it.kind, label: it.kind === 'static' ? it.name : `${it.name} (line ${it.line})`, item: it,
      staticBytes: it.kind === 'static' ? it.bytes : 0, dynamicBytes: it.kind === 'alloc' ? it.bytes : 0,
      nStatic: it.kind === 'static' ? 1 : 0, nAlloc: it.kind === 'alloc' ? 1 : 0,
    });
  }
  return rows.sort((a, b) => rowTotal(b) - rowTotal(a) || cmpStr(a.label, b.label));
}

/** The breadcrumb of a scope: [{label:"all", path:""}, {label:"net", path:"net"}, ...]. */
export function crumbs(path: string): Array<{ label: string; path: string }> {
  const out = [{ label: 'all', path: '' }];
  if (!path) return out;
  const parts = path.split('/');
  for (let i = 0; i < parts.length; i++) out.push({ label: parts[i], path: parts.slice(0, i + 1).join('/') });
  return out;
}

/** Is `file` inside the scope (a directory path, a file path, or "" for everything)? */
export function inScope(file: string, scope: string): boolean {
  return !scope || file === scope || file.startsWith(scope + '/');
}

// ---------------------------------------------------------------- sorting and paging

export type SortDir = 'asc' | 'desc';
export interface SortSpec { key: string; dir: SortDir }

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Sort by one column; ties keep file:line order so equal sizes do not shuffle between renders. */
export function sortRows<T extends { file: string; line: number }>(rows: T[], value: (r: T) => string | number, dir: SortDir): T[] {
  const sign = dir === 'asc' ? 1 : -1;
  return rows
    .map((r, i) => ({ r, v: value(r), i }))
    .sort((a, b) => {
      const d = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : cmpStr(String(a.v), String(b.v));
      return sign * d || cmpStr(a.r.file, b.r.file) || a.r.line - b.r.line || a.i - b.i;
    })
    .map((x) => x.r);
}

export interface Page { page: number; pages: number; start: number; end: number }

/** Rows [start, end) of page `page` (clamped), `size` rows a page. */
export function pageOf(total: number, page: number, size: number): Page {
  const pages = Math.max(1, Math.ceil(total / size));
  const p = Math.min(Math.max(0, page), pages - 1);
  return { page: p, pages, start: p * size, end: Math.min(total, (p + 1) * size) };
}

// ---------------------------------------------------------------- memory bars

export type Block = ChunkMapSnapshot['chunks'][number]['blocks'][number];

export type BarItem =
  | { type: 'block'; block: Block; from: number; to: number; x: number; w: number }
  | { type: 'cluster'; blocks: Block[]; from: number; to: number; x: number; w: number }
  | { type: 'gap'; from: number; to: number; x: number; w: number };

/**
 * Lays blocks over [from, to) into `widthPx` pixels so that everything a mouse must hit is at least
 * `minPx` wide. Runs of blocks too narrow to point at become clusters (each about minPx wide; a click
 * zooms into one); a lone narrow block is widened. Gaps (alignment padding) keep their scale.
 * Zooming into a cluster always shows fewer blocks than before, so repeated zooms reach every block.
 */
export function layoutBar(blocks: Block[], from: number, to: number, widthPx: number, minPx: number): BarItem[] {
  const span = Math.max(1, to - from);
  const scale = widthPx / span;
  const inView = blocks.filter((b) => b.offset < to && b.offset + b.size > from).sort((a, b) => a.offset - b.offset);
  // the sequence of blocks and gaps over the view
  const seq: Piece[] = [];
  let at = from;
  for (const b of inView) {
    const s = Math.max(from, b.offset);
    const e = Math.min(to, b.offset + b.size);
    if (s > at) seq.push({ from: at, to: s });
    if (e > s) seq.push({ block: b, from: s, to: e });
    at = Math.max(at, e);
  }
  if (at < to) seq.push({ from: at, to });

  const px = (p: { from: number; to: number }) => (p.to - p.from) * scale;
  const min = (i: BarItem) => (i.type === 'gap' ? 0 : minPx);
  // Blocks narrower than `narrow` px are grouped. Start at minPx; where narrow blocks alternate with
  // wide ones the widened items may not fit, so group more coarsely until they do (at a quarter of
  // the bar they always fit: every pointable item is then that wide, or a lone block).
  let out: BarItem[] = [];
  for (let narrow = minPx; ; narrow = Math.min(narrow * 2, widthPx / 4)) {
    out = group(seq, px, Math.max(narrow, minPx));
    if (out.reduce((n, i) => n + Math.max(px(i), min(i)), 0) <= widthPx || narrow >= widthPx / 4) break;
  }
  // widths: to scale, pointable items at least minPx; the excess is taken from the wide items
  for (const i of out) i.w = Math.max(px(i), min(i));
  const total = out.reduce((n, i) => n + i.w, 0);
  if (total > widthPx) {
    const slack = out.reduce((n, i) => n + (i.w - min(i)), 0);
    const k = slack > 0 ? Math.min(1, (total - widthPx) / slack) : 0;
    for (const i of out) i.w -= (i.w - min(i)) * k;
  }
  let x = 0;
  for (const i of out) { i.x = x; x += i.w; }
  return out;
}

type Piece = { block?: Block; from: number; to: number };

/** Runs of blocks (and the gaps between them) narrower than `narrow` px become clusters about that wide. */
function group(seq: Piece[], px: (p: { from: number; to: number }) => number, narrow: number): BarItem[] {
  const out: BarItem[] = [];
  const piece = (p: Piece): BarItem => (p.block ? { type: 'block', block: p.block, from: p.from, to: p.to, x: 0, w: 0 } : { type: 'gap', from: p.from, to: p.to, x: 0, w: 0 });
  let run: Piece[] = [];
  const flush = () => {
    const tail: Piece[] = []; // trailing gaps are not part of a cluster
    while (run.length && !run[run.length - 1].block) tail.unshift(run.pop()!);
    const bl = run.filter((p) => p.block);
    if (bl.length === 1) out.push(...run.map(piece));
    else if (bl.length > 1) out.push({ type: 'cluster', blocks: bl.map((p) => p.block!), from: run[0].from, to: run[run.length - 1].to, x: 0, w: 0 });
    out.push(...tail.map(piece));
    run = [];
  };
  for (const p of seq) {
    const thin = px(p) < narrow;
    if (!thin || (!p.block && !run.length)) { flush(); out.push(piece(p)); continue; }
    run.push(p);
    // close a cluster once it is wide enough to point at
    if (p.block && px({ from: run[0].from, to: p.to }) >= narrow) flush();
  }
  flush();
  return out;
}

// ---------------------------------------------------------------- a diff's marks on the map

/** What a change did to one item, as the map marks it (from the core's DiffItem). */
export interface Change {
  status: 'added' | 'removed' | 'changed';
  before: number;
  after: number;
  delta: number;
  /** bytes per CPU, or per slot for an NR_CPUS array */
  unit: 'cpu' | 'slot';
  detail?: string;
}

type MarkKind = 'static' | 'alloc' | 'nr_cpus_array';
const markKey = (kind: MarkKind, file: string, line: number) => `${kind}\0${file}\0${line}`;

/**
 * The diff's items by where they stand on one side: NEW (added and changed ones, at their line in
 * NEW) or OLD (removed and changed ones, at their line in OLD). Modules have no block of their own.
 */
export function changeMarks(items: ReadonlyArray<Pick<DiffItem, 'kind' | 'status' | 'file' | 'line' | 'oldLine' | 'before' | 'after' | 'delta' | 'detail'>>, side: 'old' | 'new'): Map<string, Change> {
  const m = new Map<string, Change>();
  for (const i of items) {
    if (i.kind === 'module') continue;
    if (side === 'new' ? i.status === 'removed' : i.status === 'added') continue;
    const line = side === 'old' && i.status === 'changed' ? i.oldLine ?? i.line : i.line;
    m.set(markKey(i.kind, i.file, line), {
      status: i.status, before: i.before, after: i.after, delta: i.delta, unit: i.kind === 'nr_cpus_array' ? 'slot' : 'cpu', ...(i.detail ? { detail: i.detail } : {}),
    });
  }
  return m;
}

/** The change marked on a static variable, call site or NR_CPUS array (a block: by its kind). */
export function changeAt(marks: Map<string, Change>, kind: MarkKind | Block['kind'], file: string | undefined, line: number | undefined): Change | undefined {
  if (file === undefined || line === undefined || (kind !== 'static' && kind !== 'alloc' && kind !== 'nr_cpus_array')) return undefined;
  return marks.get(markKey(kind, file, line));
}
