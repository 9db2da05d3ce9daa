// What the rules and reports ask the layout engine, as one small interface (tests stub it with
// hand-worked sizes). File names are the caller's (tree-relative in the estimate, absolute in the
// editor); `toAbs`/`toRel` convert at the boundary.
import type { ExprScope, LayoutEngine, RecordFacts, Unknown } from './index';

export type Sized = { size: number; align: number };
export const isSized = (r: Sized | Unknown): r is Sized => !('error' in r);
/** evalInt as a plain number, undefined when it cannot be evaluated */
export const numberOf = (s: Sizer, e: string, f?: string): number | undefined => {
  const r = s.evalInt(e, f);
  return typeof r === 'number' ? r : undefined;
};

export interface Sizer {
  /** `scope`: the variables of the asking place, for `typeof(*p)` and `sizeof(*p->q)` */
  sizeOf(typeText: string, fromFile?: string, scope?: ExprScope): Sized | Unknown;
  /** an integer constant expression with the file's macros (array bounds, sizeof(expr), alloc sizes) */
  evalInt(expr: string, fromFile?: string, scope?: ExprScope): number | Unknown;
  /** a struct/union with its own aligned attribute, the size without it and where it is defined */
  record(typeText: string, fromFile?: string): RecordFacts | Unknown;
}

export function layoutSizer(layout: LayoutEngine, toAbs: (f: string) => string = (f) => f, toRel: (f: string) => string = (f) => f): Sizer {
  const from = (f?: string) => (f === undefined ? undefined : toAbs(f));
  return {
    sizeOf: (t, f, sc) => layout.sizeOf(t, from(f), sc),
    evalInt: (e, f, sc) => layout.evalInt(e, from(f), sc),
    record: (t, f) => {
      const r = layout.record(t, from(f));
      return 'error' in r || r.file === undefined ? r : { ...r, file: toRel(r.file) };
    },
  };
}
