// The C type a DEFINE_PER_CPU* finding declares: its type argument plus the array dimensions
// written on the name (`DEFINE_PER_CPU(struct timer_base, timer_bases[NR_BASES])`).
import type { Finding } from '../parse/types';

export function declaredType(f: Pick<Finding, 'type' | 'dims'>, dim: (d: string) => string = (d) => d): string {
  return f.dims?.length ? `${f.type}${f.dims.map((d) => `[${dim(d)}]`).join('')}` : f.type;
}
