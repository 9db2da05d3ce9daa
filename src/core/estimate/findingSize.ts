// Bytes per CPU of one finding, as the estimate counts them; the editor's hints use the same
// functions so a hint and the CLI never disagree.
import type { Finding } from '../parse/types';
import type { LayoutEngine } from '../layout';

export type Sized = { size: number; align: number } | { error: string };

/** An alloc_percpu call site: sizeof/alignof of its type, or its size and align arguments. */
export function allocSize(f: Finding, layout: LayoutEngine, absFile: string): Sized & { expr: string } {
  if (f.type) {
    const sz = layout.sizeOf(f.type, absFile);
    return { expr: `${f.macro}(${f.type})`, ...('error' in sz ? { error: `sizeof(${f.type}): ${sz.error}` } : { size: sz.size, align: sz.align }) };
  }
  const expr = `${f.macro}(${f.sizeExpr ?? '?'}, ${f.alignExpr ?? '?'})`;
  const s = f.sizeExpr ? layout.evalInt(f.sizeExpr, absFile) : { error: 'no size argument' };
  const a = f.alignExpr ? layout.evalInt(f.alignExpr, absFile) : { error: 'no align argument' };
  if (typeof s !== 'number') return { expr, error: `size ${f.sizeExpr}: ${s.error}` };
  if (typeof a !== 'number') return { expr, error: `align ${f.alignExpr}: ${a.error}` };
  return { expr, size: s, align: a };
}

const CPU_DIM = /\b(CONFIG_)?NR_CPUS\b/g;

/** An NR_CPUS-sized array: its dimensions evaluated with NR_CPUS at `nrCpus`, and the other dimensions alone. */
export function nrCpusDims(dims: string[], nrCpus: number, evalNum: (e: string) => number | undefined):
  { elems: number; perCpuElems: number } | { error: string } {
  let elems = 1;
  let other = 1;
  for (const d of dims) {
    const v = evalNum(d.replace(CPU_DIM, String(nrCpus)));
    if (v === undefined) return { error: `dimension [${d}] is not a constant` };
    elems *= v;
    if (!new RegExp(CPU_DIM.source).test(d)) other *= v;
  }
  return { elems, perCpuElems: other };
}
