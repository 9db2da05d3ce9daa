// Bytes per CPU of an alloc_percpu-family call as pcpu_alloc sees them (rounded up to
// PCPU_MIN_ALLOC_SIZE): the estimate's own pricing (core/price), undefined when it cannot be computed.
import type { Finding } from '../parse/types';
import { allocRound, allocSize } from '../price';
import type { Sizer } from './types';

export function allocBytes(f: Finding, s: Sizer): number | undefined {
  const r = allocSize(f, s);
  return 'error' in r || r.size <= 0 ? undefined : allocRound(r.size);
}
