// Per-CPU output sections: which macro puts a variable where, and the order in which the
// vmlinux linker script (PERCPU_INPUT in include/asm-generic/vmlinux.lds.h) lays them out.
// One table for the macros; the linker order by era is in sim/era.ts (docs/placement.md).

export interface MacroPlacement {
  /** input-section suffix after .data..percpu in vmlinux on SMP */
  vmlinux: string;
  /** suffix in a module on SMP (modules take all per-CPU data from one section) */
  module: string;
  /** alignment the macro adds to the type's own: 'cacheline' (L1), 'page', or none */
  align?: 'cacheline' | 'page';
}

/** Keys are the DEFINE_PER_CPU* macro names; DEFINE_PER_CPU_SECTION takes its suffix from its argument. */
export const MACRO_PLACEMENT: Record<string, MacroPlacement> = {
  DEFINE_PER_CPU: { vmlinux: '', module: '' },
  DEFINE_PER_CPU_FIRST: { vmlinux: '..first', module: '' },
  DEFINE_PER_CPU_SHARED_ALIGNED: { vmlinux: '..shared_aligned', module: '', align: 'cacheline' },
  DEFINE_PER_CPU_ALIGNED: { vmlinux: '..shared_aligned', module: '', align: 'cacheline' },
  DEFINE_PER_CPU_PAGE_ALIGNED: { vmlinux: '..page_aligned', module: '..page_aligned', align: 'page' },
  DEFINE_PER_CPU_READ_MOSTLY: { vmlinux: '..read_mostly', module: '..read_mostly' },
  DEFINE_PER_CPU_DECRYPTED: { vmlinux: '..decrypted', module: '..decrypted' },
  DEFINE_PER_CPU_CACHE_HOT: { vmlinux: '..hot', module: '' },
  DEFINE_PER_CPU_HOT: { vmlinux: '..hot', module: '' },
};

/**
 * The alignment a DEFINE_PER_CPU* macro gives a variable of alignment `align`: the L1 line for the
 * *_ALIGNED family (on !SMP only DEFINE_PER_CPU_ALIGNED keeps it), a page for PAGE_ALIGNED.
 */
export function macroAlign(macro: string, align: number, c: { smp: boolean; cacheLine: number; pageSize: number }): number {
  const p = MACRO_PLACEMENT[macro];
  if (p?.align === 'cacheline' && (c.smp || macro === 'DEFINE_PER_CPU_ALIGNED')) return Math.max(align, c.cacheLine);
  if (p?.align === 'page') return Math.max(align, c.pageSize);
  return align;
}

// The linker order by kernel era lives with the other era facts.
export { LINKER_ERAS, linkerEra, type LinkStep, type LinkerEra } from '../sim/era';

/** Config symbols under which scripts/link-vmlinux.sh links vmlinux from the one relocatable
 *  vmlinux.o (`ld -r` of everything) instead of vmlinux.a: each per-CPU input section then reaches
 *  the final link whole, aligned to the largest alignment of its variables. */
export const WHOLE_VMLINUX_O_GATES = ['CONFIG_LTO_CLANG', 'CONFIG_X86_KERNEL_IBT'];
