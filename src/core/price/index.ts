// Prices of the things the scan finds, computed once for the estimate, the rules and the editor:
// what alloc_percpu() asks pcpu_alloc for, and what an NR_CPUS-sized array costs against the same
// state as a per-CPU allocation. Sizes come from the layout engine through a Sizer.
import type { Finding } from '../parse/types';
import { arrayBounds } from '../layout/bounds';
import { isSized, numberOf, type Sizer } from '../layout/sizer';
import type { ExprScope } from '../layout/exprType';

/** pcpu_alloc rounds every size up to PCPU_MIN_ALLOC_SIZE (mm/percpu.c). */
export const PCPU_MIN_ALLOC_SIZE = 4;
export const allocRound = (n: number): number => Math.ceil(n / PCPU_MIN_ALLOC_SIZE) * PCPU_MIN_ALLOC_SIZE;

export type AllocSize = { expr: string } & ({ size: number; align: number } | { error: string });

/** An alloc_percpu call site: sizeof/alignof of its type, or __alloc_percpu's size and align arguments. */
/** `scope`: the variables the call site sees (its function's, its file's), for `sizeof(*p)` and constants in locals */
export function allocSize(f: Finding, s: Sizer, scope?: ExprScope): AllocSize {
  if (f.type) {
    const sz = s.sizeOf(f.type, f.file, scope);
    const expr = `${f.macro}(${f.type})`;
    if (!isSized(sz)) return { expr, error: `sizeof(${f.type}): ${sz.error}` };
    // __alloc_percpu(sizeof(T), A): the alignment asked for is A, not T's own (slub's 2 * sizeof(void *))
    if (!f.alignExpr) return { expr, size: sz.size, align: sz.align };
    const al = s.evalInt(f.alignExpr, f.file, scope);
    return typeof al === 'number' ? { expr, size: sz.size, align: al } : { expr, error: `align ${f.alignExpr}: ${al.error}` };
  }
  const expr = `${f.macro}(${f.sizeExpr ?? '?'}, ${f.alignExpr ?? '?'})`;
  const sz = f.sizeExpr ? s.evalInt(f.sizeExpr, f.file, scope) : { error: 'no size argument' };
  const al = f.alignExpr ? s.evalInt(f.alignExpr, f.file, scope) : { error: 'no align argument' };
  if (typeof sz !== 'number') return { expr, error: `size ${f.sizeExpr}: ${sz.error}` };
  if (typeof al !== 'number') return { expr, error: `align ${f.alignExpr}: ${al.error}` };
  return { expr, size: sz, align: al };
}

export interface NrCpusArrayCost {
  elemSize: number;
  elemAlign: number;
  /** elements of one CPU's slot (the dimensions other than NR_CPUS) */
  perCpuElems: number;
  /** bytes of one CPU's slot as declared */
  slotBytes: number;
  /** the slot without the element type's own aligned attribute: a per-CPU copy shares no line */
  bareSlotBytes: number;
  bytesAtNrCpus: number;
  bytesAtPossible: number;
  /** the same state from alloc_percpu: the bare slot rounded by pcpu_alloc, once per unit */
  perCpuRewrite: number;
}

/** One NR_CPUS-sized array at NR_CPUS, at the possible CPUs, and rewritten as a per-CPU allocation over `units`. */
export function nrCpusArrayCost(f: Finding, s: Sizer, at: { nrCpus: number; possible: number; units: number }): NrCpusArrayCost | { error: string } {
  const el = s.sizeOf(f.type, f.file);
  if (!isSized(el)) return { error: `sizeof(${f.type}): ${el.error}` };
  const dims = f.dims ?? ['NR_CPUS'];
  const num = (e: string) => numberOf(s, e, f.file);
  const atNr = arrayBounds(dims, at.nrCpus, num);
  if ('error' in atNr) return atNr;
  const atPossible = arrayBounds(dims, at.possible, num);
  if ('error' in atPossible) return atPossible;
  const rec = /^(struct|union)\s+\w+$/.test(f.type.trim()) ? s.record(f.type, f.file) : undefined;
  const bare = rec && !('error' in rec) ? rec.bareSize : el.size;
  const other = atNr.perCpuElems;
  return {
    elemSize: el.size, elemAlign: el.align, perCpuElems: other, slotBytes: el.size * other, bareSlotBytes: bare * other,
    bytesAtNrCpus: el.size * atNr.elems, bytesAtPossible: el.size * atPossible.elems, perCpuRewrite: allocRound(bare * other) * at.units,
  };
}
