// What the rules and reports ask the layout engine, as one small interface (tests stub it with
// hand-worked sizes). File names are the caller's (tree-relative in the estimate, absolute in the
// editor); `toAbs`/`toRel` convert at the boundary.
import type { LayoutEngine, RecordFacts, Unknown } from './index';

export type Sized = { size: number; align: number };
export const isSized = (r: Sized | Unknown): r is Sized => !('error' in r);
/** evalInt as a plain number, undefined when it cannot be evaluated */
export const numberOf = (s: Sizer, e: string, f?: string): number | undefined => {
  const r = s.evalInt(e, f);
  return typeof r === 'number' ? r : undefined;
};

export interface Sizer {
  sizeOf(typeText: string, fromFile?: string): Sized | Unknown;
  /** an integer constant expression with the file's macros (array bounds, sizeof(expr), alloc sizes) */
  evalInt(expr: string, fromFile?: string): number | Unknown;
  /** a struct/union with its own aligned attribute, the size without it and where it is defined */
  record(typeText: string, fromFile?: string): RecordFacts | Unknown;
}

export function layoutSizer(layout: LayoutEngine, toAbs: (f: string) => string = (f) => f, toRel: (f: string) => string = (f) => f): Sizer {
  const from = (f?: string) => (f === undefined ? undefined : toAbs(f));
  return {
    sizeOf: (t, f) => layout.sizeOf(t, from(f)),
    evalInt: (e, f) => layout.evalInt(e, from(f)),
    record: (t, f) => {
      const r = layout.record(t, from(f));
      return 'error' in r || r.file === undefined ? r : { ...r, file: toRel(r.file) };
    },
  };
}
