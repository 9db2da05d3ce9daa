// What a module reference count cost, by era (docs/allocator.md §5, §6): a pure function for the
// estimate and for the hover text. N = NR_CPUS, P = possible CPUs, L = L1 cache line.

import { atLeast, DEFAULT_KERNEL, parseKernel } from './era';

export type RefScheme =
  | 'nr_cpus_array'      // ≤2.6.28: struct module_ref { local_t count; } ____cacheline_aligned ref[NR_CPUS]
  | 'percpu_local_t'     // 2.6.29–2.6.32: percpu_modalloc(sizeof(local_t)) from the module area / reserved chunk
  | 'percpu_module_ref'  // 2.6.33–3.18: alloc_percpu(struct module_ref) {incs, decs}
  | 'atomic';            // 3.19+: atomic_t refcnt, not per CPU

export interface RefCostInput {
  scheme?: RefScheme;
  /** picks the scheme when none is given */
  kernel?: string;
  nrCpus: number;
  possibleCpus?: number;
  cacheLine: number;
  bits: 32 | 64;
  modules?: number;
}

export interface RefCost {
  scheme: RefScheme;
  /** bytes per module */
  perModule: number;
  /** bytes for all modules */
  total: number;
  /** where the bytes live */
  where: 'module memory' | 'per-CPU allocator' | 'struct module';
  formula: string;
}

export function refScheme(kernel: string): RefScheme {
  const old = /^2\.6\.(\d+)/.exec(kernel.trim());
  if (old) {
    const sub = Number(old[1]);
    return sub <= 28 ? 'nr_cpus_array' : sub <= 32 ? 'percpu_local_t' : 'percpu_module_ref';
  }
  return atLeast(parseKernel(kernel), '3.19') ? 'atomic' : 'percpu_module_ref';
}

/** Bytes a module's reference count costs under each historical scheme. */
export function moduleRefCost(i: RefCostInput): RefCost {
  const scheme = i.scheme ?? refScheme(i.kernel ?? DEFAULT_KERNEL);
  const P = i.possibleCpus ?? i.nrCpus;
  const n = i.modules ?? 1;
  const long = i.bits / 8;
  let perModule: number, where: RefCost['where'], formula: string;
  switch (scheme) {
    case 'nr_cpus_array':
      // every element padded to a cache line, NR_CPUS of them whatever the machine has
      perModule = i.nrCpus * i.cacheLine;
      where = 'module memory';
      formula = `NR_CPUS ${i.nrCpus} × ${i.cacheLine}-byte line`;
      break;
    case 'percpu_local_t':
      perModule = long * P;
      where = 'per-CPU allocator';
      formula = `sizeof(local_t) ${long} × ${P} possible CPUs`;
      break;
    case 'percpu_module_ref': {
      // {unsigned int incs, decs} at first (8 B); later {unsigned long ...} __aligned(2*sizeof(long))
      const sz = 2 * long;
      perModule = sz * P;
      where = 'per-CPU allocator';
      formula = `sizeof(struct module_ref) ${sz} × ${P} possible CPUs`;
      break;
    }
    default:
      perModule = 4;
      where = 'struct module';
      formula = 'atomic_t refcnt (4 bytes, shared)';
  }
  return { scheme, perModule, total: perModule * n, where, formula };
}

/** A per-CPU object of `size` bytes for each of `count` instances (e.g. netdev pcpu_refcnt = int). */
export function perCpuObjectCost(size: number, possibleCpus: number, count = 1): number {
  const rounded = Math.ceil(size / 4) * 4; // the allocator hands out multiples of 4 bytes
  return rounded * possibleCpus * count;
}
