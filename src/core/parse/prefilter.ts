// Byte-level prefilter: a file without any trigger token cannot hold a finding, so it is neither
// decoded nor lexed. Buffer.indexOf is the fastest search Node has (no regex over 1.3 GB).
import { ACCESSOR_TOKENS, PREFILTER_TOKENS } from './triggers';

const NEEDLES = PREFILTER_TOKENS.map((t) => Buffer.from(t, 'latin1'));
const ACCESSORS = ACCESSOR_TOKENS.map((t) => Buffer.from(t, 'latin1'));

export function mayHoldFindings(b: Buffer): boolean {
  for (const n of NEEDLES) if (b.indexOf(n) >= 0) return true;
  return false;
}

/** Whether the rules should read the file for per-CPU accessor calls (PCPU003). */
export function mayHoldAccessors(b: Buffer): boolean {
  for (const n of ACCESSORS) if (b.indexOf(n) >= 0) return true;
  return false;
}
