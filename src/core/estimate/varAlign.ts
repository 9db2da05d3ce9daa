// The alignment gcc gives a per-CPU variable. An aligned attribute on the variable itself sets
// it, even below its type's (gcc's handle_aligned_attribute; the kernel's
// DEFINE_PER_CPU_PAGE_ALIGNED(struct irq_stack, ...) gets 4096 though the type asks 16384).
// Without one, DATA_ALIGNMENT raises it by arch (ArchProfile.dataAlign): x86 big aggregates (32 from
// 32 bytes, 16 from 16, 8 from 8 on x86-64), arm/arm64/riscv/mips every aggregate to the word,
// powerpc/sparc/parisc/sh arrays of one-byte elements, s390 every variable to 2.
import type { ArchProfile } from '../config/arch';

/**
 * declAlign: the largest aligned attribute on the variable, 0 if none. elemSize: an array's element
 * size. optimizeSize: the kernel is built with -Os (CONFIG_CC_OPTIMIZE_FOR_SIZE).
 */
export function variableAlignment(arch: ArchProfile, kind: string, size: number, typeAlign: number, declAlign: number, elemSize?: number, optimizeSize = false): number {
  if (declAlign > 0) return declAlign;
  const aggregate = kind === 'record' || kind === 'array';
  const rule = arch.dataAlign?.find((r) => size >= (r.minSize ?? 0) && !(r.notAtOs && optimizeSize) &&
    (r.types === 'any' || (r.types === 'aggregates' ? aggregate : kind === 'array' && elemSize === 1)));
  return rule ? Math.max(typeAlign, rule.align) : typeAlign;
}
