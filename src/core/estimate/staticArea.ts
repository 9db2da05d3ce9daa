// The static per-CPU area as the linker builds it: output sections in PERCPU_INPUT order,
// objects in link order within each, and inside one object gcc's emission order
// (reverse definition order for gcc ≥ 5 with toplevel reordering; checked with gcc 12),
// every variable aligned. The result's size is `s` in the boot line (__per_cpu_end - __per_cpu_start).
import { linkerEra, LinkStep, WHOLE_VMLINUX_O_GATES } from './sections';

export interface StaticVar {
  name: string;
  file: string;
  line: number;
  size: number;
  align: number;
  /** input-section suffix: '', '..first', '..page_aligned', ... */
  section: string;
  /** link order of the object file that defines it */
  objectOrder: number;
  /** definition order inside that object (source position, with #included .c files spliced in) */
  position: number;
  /** the .c compiled into that object when it is not `file` (a .c that #includes `file`) */
  unit?: string;
  /** carried through for reports */
  type?: string;
  macro?: string;
}

export interface PlacedVar extends StaticVar {
  offset: number;
}

export interface SectionSpan {
  section: string;
  start: number;
  end: number;
}

export interface StaticLayout {
  size: number;
  vars: PlacedVar[];
  sections: SectionSpan[];
  /** bytes lost to alignment (between and inside sections) */
  padding: number;
  /** variables whose section the linker script does not place; counted in '' and listed here */
  unplacedSections: string[];
}

export interface LinkOptions {
  pageSize: number;
  cacheLine: number;
  kernel: string;
  isSet: (sym: string) => boolean;
}

const alignUp = (x: number, a: number) => (a > 1 ? Math.ceil(x / a) * a : x);

/** Place one input section's variables, object by object; returns the new location counter. */
function placeInput(vars: StaticVar[], start: number, out: PlacedVar[]): number {
  const byObj = new Map<number, StaticVar[]>();
  for (const v of vars) {
    const l = byObj.get(v.objectOrder);
    if (l) l.push(v);
    else byObj.set(v.objectOrder, [v]);
  }
  let cur = start;
  for (const order of [...byObj.keys()].sort((a, b) => a - b)) {
    const list = byObj.get(order)!.sort((a, b) => b.position - a.position); // gcc emits last-defined first
    const secAlign = Math.max(...list.map((v) => v.align));
    const base = alignUp(cur, secAlign);
    let off = 0;
    for (const v of list) {
      off = alignUp(off, v.align);
      out.push({ ...v, offset: base + off });
      off += v.size;
    }
    cur = base + off;
  }
  return cur;
}

export function layoutStaticArea(vars: StaticVar[], o: LinkOptions): StaticLayout {
  const era = linkerEra(o.kernel);
  const steps: LinkStep[] = era.steps.filter((s) => !s.gate || o.isSet(s.gate));
  const known = new Set(steps.flatMap((s) => ('input' in s ? [s.input] : [])));
  const unplaced = new Set<string>();
  const bySection = new Map<string, StaticVar[]>();
  for (const v of vars) {
    let sec = v.section;
    if (!known.has(sec)) {
      unplaced.add(sec);
      sec = '';
    }
    const l = bySection.get(sec);
    if (l) l.push(v);
    else bySection.set(sec, [v]);
  }
  const placed: PlacedVar[] = [];
  const sections: SectionSpan[] = [];
  const whole = WHOLE_VMLINUX_O_GATES.some((g) => o.isSet(g));
  let cur = 0;
  for (const s of steps) {
    if ('align' in s) {
      cur = alignUp(cur, s.align === 'page' ? o.pageSize : o.cacheLine);
      continue;
    }
    const list = bySection.get(s.input) ?? [];
    if (whole && list.length) cur = alignUp(cur, Math.max(...list.map((v) => v.align)));
    const start = cur;
    cur = placeInput(list, cur, placed);
    if (list.length) sections.push({ section: s.input, start, end: cur });
  }
  const used = placed.reduce((a, v) => a + v.size, 0);
  return { size: cur, vars: placed, sections, padding: cur - used, unplacedSections: [...unplaced] };
}

/** A module's per-CPU data is its one .data..percpu section: size and alignment as the loader sees them. */
export function layoutModuleSection(vars: StaticVar[]): { size: number; align: number; vars: PlacedVar[] } {
  const placed: PlacedVar[] = [];
  const size = placeInput(vars, 0, placed);
  return { size, align: vars.length ? Math.max(...vars.map((v) => v.align)) : 1, vars: placed };
}
