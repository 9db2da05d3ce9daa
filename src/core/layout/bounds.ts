// Array bounds: the one reader of `[NR_CPUS]`-style dimensions. NR_CPUS takes the value the caller
// prices with (the profile's, which --nr-cpus may override), every other bound is a C constant
// expression the layout engine evaluates with the file's macros.

const CPU_DIM = /\b(CONFIG_)?NR_CPUS\b/g;

/** A dimension that is exactly NR_CPUS (what PCPU001 reads as "indexed by CPU number"). */
export const isNrCpusDim = (d: string): boolean => /^(CONFIG_)?NR_CPUS$/.test(d.trim());
/** A dimension that mentions NR_CPUS anywhere (NR_CPUS * 2, NR_CPUS / BITS_PER_LONG). */
export const mentionsNrCpus = (d: string): boolean => new RegExp(CPU_DIM.source).test(d);

export type EvalNum = (expr: string) => number | undefined;

/** One bound: NR_CPUS replaced by `nrCpus`, the rest evaluated. */
export function boundValue(dim: string, nrCpus: number, evalNum: EvalNum): number | undefined {
  const d = dim.trim();
  if (d === '') return 0; // flexible array
  return evalNum(d.replace(CPU_DIM, String(nrCpus)));
}

/** All bounds: elements in all, and the elements of one CPU's slot (the dimensions without NR_CPUS). */
export function arrayBounds(dims: string[], nrCpus: number, evalNum: EvalNum): { elems: number; perCpuElems: number } | { error: string } {
  let elems = 1;
  let other = 1;
  for (const d of dims) {
    const v = boundValue(d, nrCpus, evalNum);
    if (v === undefined) return { error: `dimension [${d}] is not a constant` };
    elems *= v;
    if (!mentionsNrCpus(d)) other *= v;
  }
  return { elems, perCpuElems: other };
}
