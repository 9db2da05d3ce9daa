// A DEFINE_PER_CPU* variable as the estimate counts it; the editor's hints reach it through the same
// session (core/estimate/session.ts) so a hint and the CLI never disagree. Allocation sizes and NR_CPUS arrays
// are priced in core/price.
import type { ArchProfile } from '../config/arch';
import type { Finding } from '../parse/types';
import type { LayoutEngine } from '../layout';
import { declaredType } from './declType';
import { MACRO_PLACEMENT, macroAlign } from './sections';
import type { MacroCall } from './macroCall';
import { variableAlignment } from './varAlign';

export interface StaticSizeContext {
  layout: LayoutEngine;
  arch: ArchProfile;
  smp: boolean;
  cacheLine: number;
  pageSize: number;
  isSet: (sym: string) => boolean;
  evalNum: (e: string) => number | undefined;
}

export type StaticSize =
  | { type: string; size: number; align: number; section: string; unknownMacro?: boolean }
  | { type: string; error: string };

/**
 * A DEFINE_PER_CPU* variable as gcc emits it: its declared type (dimensions on the name,
 * ARRAY_SIZE), size, alignment (macro, attributes in the call's tail, x86 data alignment) and
 * input section (vmlinux or module). `call` is the macro call read from the source.
 */
export function staticSize(f: Finding, absFile: string, call: MacroCall | undefined, isModule: boolean, c: StaticSizeContext): StaticSize {
  // ARRAY_SIZE() in a bound is evaluated by the layout engine (docs/layout.md §6); shown as its value
  const type = declaredType(f, (d) => (d.includes('ARRAY_SIZE') ? String(c.evalNum(d) ?? d) : d));
  const sz = c.layout.sizeOf(type, absFile);
  if ('error' in sz) return { type, error: `sizeof(${type}): ${sz.error}` };
  let section = '';
  let unknownMacro = false;
  let declAlign = 0; // aligned attributes on the variable itself (macro or source)
  const p = MACRO_PLACEMENT[f.macro];
  if (f.macro === 'DEFINE_PER_CPU_SECTION') section = (call?.args[2] ?? '""').replace(/^"(.*)"$/, '$1');
  else if (p) {
    section = isModule ? p.module : p.vmlinux;
    declAlign = macroAlign(f.macro, declAlign, c);
    if (f.macro === 'DEFINE_PER_CPU_DECRYPTED' && !c.isSet('CONFIG_AMD_MEM_ENCRYPT')) section = '';
  } else unknownMacro = true;
  const tailAlign = call ? c.layout.declAlign(call.tail, absFile) : 1;
  if (typeof tailAlign === 'number' && tailAlign > 1) declAlign = Math.max(declAlign, tailAlign);
  const ti = c.layout.typeInfo(type, absFile);
  const t = 'kind' in ti ? ti : undefined;
  const align = variableAlignment(c.arch, t?.kind ?? '', sz.size, sz.align, declAlign, t?.elem?.size, c.isSet('CONFIG_CC_OPTIMIZE_FOR_SIZE'));
  return { type, size: sz.size, align, section, ...(unknownMacro ? { unknownMacro } : {}) };
}
