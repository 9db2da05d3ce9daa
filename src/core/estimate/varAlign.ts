// The alignment gcc gives a variable, beyond its type's: DATA_ALIGNMENT raises big aggregates
// (x86: 32 bytes from 32-byte objects, 16 from 16 on x86-64) unless the variable carries an
// aligned attribute of its own. The thresholds are arch facts (ArchProfile.dataAlign).
import type { ArchProfile } from '../config/arch';

export function dataAlignment(arch: ArchProfile, kind: string, size: number, typeAlign: number, declAligned: boolean): number {
  if (declAligned || (kind !== 'record' && kind !== 'array')) return typeAlign;
  const rule = arch.dataAlign?.find((r) => size >= r.minSize);
  return rule ? Math.max(typeAlign, rule.align) : typeAlign;
}
