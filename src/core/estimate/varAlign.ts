// The alignment gcc gives a per-CPU variable. An aligned attribute on the variable itself sets
// it, even below its type's (gcc's handle_aligned_attribute; the kernel's
// DEFINE_PER_CPU_PAGE_ALIGNED(struct irq_stack, ...) gets 4096 though the type asks 16384).
// Without one, DATA_ALIGNMENT raises big aggregates (x86: 32 bytes from 32-byte objects, 16 from
// 16 on x86-64); the thresholds are arch facts (ArchProfile.dataAlign).
import type { ArchProfile } from '../config/arch';

/** declAlign: the largest aligned attribute on the variable, 0 if none. */
export function variableAlignment(arch: ArchProfile, kind: string, size: number, typeAlign: number, declAlign: number): number {
  if (declAlign > 0) return declAlign;
  if (kind !== 'record' && kind !== 'array') return typeAlign;
  const rule = arch.dataAlign?.find((r) => size >= r.minSize);
  return rule ? Math.max(typeAlign, rule.align) : typeAlign;
}
