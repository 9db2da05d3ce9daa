// Sizes the rules need beyond SizeOf: array bounds, and a struct's size without its
// cache-line attribute (what the type would cost if nobody had asked for the padding).
import type { RuleProfile, SizeOf } from './types';

export type Sized = { size: number; align: number };
export const isSized = (r: Sized | { error: string }): r is Sized => !('error' in r);

const alignUp = (x: number, a: number) => (a > 1 ? Math.ceil(x / a) * a : x);
export { alignUp };

/** Value of an array bound: NR_CPUS from the profile, literals, anything else through sizeOf(char[dim]). */
export function dimValue(dim: string, p: RuleProfile, sizeOf: SizeOf, file?: string): number | undefined {
  const d = dim.trim();
  if (/^(CONFIG_)?NR_CPUS$/.test(d)) return p.nrCpus;
  if (/^\d+[uUlL]*$/.test(d)) return parseInt(d, 10);
  if (/^0x[0-9a-f]+[uUlL]*$/i.test(d)) return parseInt(d, 16);
  const r = sizeOf(`char[${d}]`, file);
  return isSized(r) ? r.size : undefined;
}

export const CACHELINE_ATTR = /\b_{2,4}cacheline_aligned(_in_smp)?\b|\b__cacheline_internodealigned_in_smp\b/;

export interface StructDef {
  /** `struct foo` */
  type: string;
  body: string;
  /** text between the closing brace and the ';' (attributes) */
  tail: string;
  /** offset of `struct` in its text */
  offset: number;
}

/** Definitions of `struct NAME { ... } tail;` in text (brace-matched; comments not stripped inside). */
export function findStructDefs(text: string, name?: string): StructDef[] {
  const out: StructDef[] = [];
  const re = name ? new RegExp(`\\b(struct|union)\\s+(${name})\\s*\\{`, 'g') : /\b(struct|union)\s+(\w+)\s*\{/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let depth = 0;
    let i = m.index + m[0].length - 1;
    for (; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) break;
    }
    if (i >= text.length) continue;
    const semi = text.indexOf(';', i);
    if (semi < 0) continue;
    out.push({ type: `${m[1]} ${m[2]}`, body: text.slice(m.index + m[0].length, i), tail: text.slice(i + 1, semi), offset: m.index });
  }
  return out;
}

const stripComments = (s: string) => s.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');

/**
 * The struct's size laid out with natural member alignment, i.e. without a trailing cache-line
 * attribute. Members are sized one by one with sizeOf; nested definitions, bitfields and
 * member attributes are declined (the caller reports PCPU000).
 */
export function unpaddedSize(def: StructDef, p: RuleProfile, sizeOf: SizeOf, file?: string): Sized | { error: string } {
  const body = stripComments(def.body);
  if (/[{}]/.test(body)) return { error: `${def.type} has a nested definition` };
  if (/^\s*#/m.test(body)) return { error: `${def.type} has #if inside` };
  let off = 0;
  let maxAlign = 1;
  const isUnion = def.type.startsWith('union');
  for (const raw of body.split(';')) {
    const m = raw.replace(/\s+/g, ' ').trim();
    if (!m) continue;
    if (/:\s*\d/.test(m) || /\b__aligned\b|__attribute__|cacheline/.test(m)) return { error: `${def.type}: member "${m}" has a bitfield or attribute` };
    const dm = /^(.*?)((?:\*\s*)*)([A-Za-z_]\w*)\s*((?:\[[^\]]*\]\s*)*)$/.exec(m);
    if (!dm || !dm[1].trim()) return { error: `${def.type}: cannot read member "${m}"` };
    if (m.includes(',')) return { error: `${def.type}: several declarators in "${m}"` };
    let s: Sized | { error: string } = dm[2].trim() ? { size: p.ptrSize, align: p.ptrSize } : sizeOf(dm[1].trim(), file);
    if (!isSized(s)) return s;
    let n = 1;
    for (const dim of dm[4].match(/\[([^\]]*)\]/g) ?? []) {
      const v = dim === '[]' ? 0 : dimValue(dim.slice(1, -1), p, sizeOf, file);
      if (v === undefined) return { error: `${def.type}: cannot evaluate ${dim}` };
      n *= v;
    }
    maxAlign = Math.max(maxAlign, s.align);
    if (isUnion) off = Math.max(off, s.size * n);
    else off = alignUp(off, s.align) + s.size * n;
  }
  return { size: alignUp(off, maxAlign), align: maxAlign };
}
