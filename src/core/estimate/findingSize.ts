// Bytes per CPU of one finding, as the estimate counts them; the editor's hints use the same
// functions so a hint and the CLI never disagree.
import * as path from 'path';
import type { ArchProfile } from '../config/arch';
import type { Finding } from '../parse/types';
import type { LayoutEngine } from '../layout';
import { declaredType } from './declType';
import { includedTexts, resolveArraySizes } from './arrayLen';
import { MACRO_PLACEMENT, macroAlign } from './sections';
import { tailAlignment, type MacroCall } from './macroCall';
import { variableAlignment } from './varAlign';

export type Sized = { size: number; align: number } | { error: string };

/** An alloc_percpu call site: sizeof/alignof of its type, or its size and align arguments. */
export function allocSize(f: Finding, layout: LayoutEngine, absFile: string): Sized & { expr: string } {
  if (f.type) {
    const sz = layout.sizeOf(f.type, absFile);
    return { expr: `${f.macro}(${f.type})`, ...('error' in sz ? { error: `sizeof(${f.type}): ${sz.error}` } : { size: sz.size, align: sz.align }) };
  }
  const expr = `${f.macro}(${f.sizeExpr ?? '?'}, ${f.alignExpr ?? '?'})`;
  const s = f.sizeExpr ? layout.evalInt(f.sizeExpr, absFile) : { error: 'no size argument' };
  const a = f.alignExpr ? layout.evalInt(f.alignExpr, absFile) : { error: 'no align argument' };
  if (typeof s !== 'number') return { expr, error: `size ${f.sizeExpr}: ${s.error}` };
  if (typeof a !== 'number') return { expr, error: `align ${f.alignExpr}: ${a.error}` };
  return { expr, size: s, align: a };
}

const CPU_DIM = /\b(CONFIG_)?NR_CPUS\b/g;

/** An NR_CPUS-sized array: its dimensions evaluated with NR_CPUS at `nrCpus`, and the other dimensions alone. */
export function nrCpusDims(dims: string[], nrCpus: number, evalNum: (e: string) => number | undefined):
  { elems: number; perCpuElems: number } | { error: string } {
  let elems = 1;
  let other = 1;
  for (const d of dims) {
    const v = evalNum(d.replace(CPU_DIM, String(nrCpus)));
    if (v === undefined) return { error: `dimension [${d}] is not a constant` };
    elems *= v;
    if (!new RegExp(CPU_DIM.source).test(d)) other *= v;
  }
  return { elems, perCpuElems: other };
}

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
  const type = declaredType(f, (d) => (d.includes('ARRAY_SIZE') ? resolveArraySizes(d, () => includedTexts(c.layout, path.resolve(absFile)), c.evalNum) : d));
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
  const tailAlign = call ? tailAlignment(call.tail, c.cacheLine, c.pageSize, c.evalNum) : 1;
  if (tailAlign > 1) declAlign = Math.max(declAlign, tailAlign);
  const ti = c.layout.typeInfo(type, absFile);
  const align = variableAlignment(c.arch, 'kind' in ti ? ti.kind : '', sz.size, sz.align, declAlign);
  return { type, size: sz.size, align, section, ...(unknownMacro ? { unknownMacro } : {}) };
}
