// PCPU004: a ____cacheline_aligned struct that is only ever used as per-CPU data (DEFINE_PER_CPU,
// alloc_percpu): each CPU's copy is private, so the padding buys nothing (the 2008 workqueue lesson).
// A type is "only per-CPU" when, in the files we see, every mention of it by value is a per-CPU
// definition or allocation; pointers, forward declarations and sizeof/alignof are neutral.
import type { Finding } from '../parse/types';
import { formatBytes, formatPerCpu } from '../report/format';
import { CACHELINE_ATTR, findStructDefs, isSized, unpaddedSize } from './sizing';
import { lineOf, lineStarts } from './syntax';
import type { Diagnostic, RuleProfile, SizeOf } from './types';

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const normType = (t: string) => t.replace(/\b(const|volatile)\b/g, '').replace(/\s+/g, ' ').trim();

/** Mentions of `struct X` that use the type by value outside per-CPU macros (embedding, plain variables). */
function otherUses(text: string, type: string): number[] {
  const out: number[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => m.replace(/[^\n]/g, ' '));
  const t = esc(type).replace(' ', '\\s+');
  const neutral = new RegExp(
    `(?:(?:DEFINE|DECLARE)_PER_CPU\\w*|(?:__)?alloc_percpu\\w*|sizeof|__alignof__|alignof|typeof|__typeof__|offsetof|container_of)\\s*\\(\\s*$`);
  for (const m of code.matchAll(new RegExp(`\\b${t}\\b`, 'g'))) {
    const after = code.slice(m.index! + m[0].length, m.index! + m[0].length + 40);
    if (/^\s*(\*|__percpu\s*\*|;|\{|\))/.test(after)) continue; // pointer, forward declaration, definition, cast/param list
    if (/^\s*\w+\s*\(/.test(after) && /^\s*\w+\s*\([^;]*\)\s*(\{|;)/m.test(code.slice(m.index! + m[0].length, m.index! + m[0].length + 400))) continue; // return type of a function
    const before = code.slice(Math.max(0, m.index! - 60), m.index!);
    if (neutral.test(before)) continue;
    out.push(m.index!);
  }
  return out;
}

const ALIGNED_MACRO = /_ALIGNED$/; // DEFINE_PER_CPU_SHARED_ALIGNED asks for the line anyway

/** `scope`: 'c' = types defined in .c files (complete knowledge: the file rule), 'h' = in headers (the tree rule). */
export function pcpu004(files: Map<string, string>, findings: Finding[], p: RuleProfile, sizeOf: SizeOf, scope: 'c' | 'h'): Diagnostic[] {
  const out: Diagnostic[] = [];
  const uses = new Map<string, Finding[]>();
  for (const f of findings) {
    if ((f.kind !== 'static' && f.kind !== 'alloc') || f.dims?.length) continue;
    const t = normType(f.type);
    if (!/^(struct|union) \w+$/.test(t)) continue;
    uses.set(t, [...(uses.get(t) ?? []), f]);
  }
  if (!uses.size) return out;
  for (const [file, text] of files) {
    if (file.endsWith('.h') !== (scope === 'h')) continue;
    for (const def of findStructDefs(text)) {
      if (!CACHELINE_ATTR.test(def.tail)) continue;
      const pc = uses.get(def.type);
      if (!pc || pc.every((f) => ALIGNED_MACRO.test(f.macro))) continue;
      const tag = def.type.split(' ')[1];
      if ([...files].some(([, t]) => t.includes(tag) && otherUses(t, def.type).length)) continue;
      const padded = sizeOf(def.type, file);
      const line = lineOf(lineStarts(text), def.offset) + 1;
      const at = { file, line, column: 1, endLine: line, endColumn: 1 };
      const unp = unpaddedSize(def, p, sizeOf, file);
      if (!isSized(padded) || !isSized(unp)) {
        const why = !isSized(padded) ? padded.error : (unp as { error: string }).error;
        out.push({ ...at, code: 'PCPU000', severity: 'info', message: `PCPU004 skipped ${def.type}: could not size it (${why})` });
        continue;
      }
      const waste = padded.size - unp.size;
      if (waste <= 0) continue;
      const copies = pc.length;
      out.push({
        ...at, code: 'PCPU004', severity: 'info', bytes: waste * p.possibleCpus * copies,
        message: `${def.type} is padded to ${formatBytes(padded.size)} (${formatBytes(unp.size)} of members) by its cache-line attribute, `
          + `but is only used as per-CPU data (${copies} ${copies === 1 ? 'use' : 'uses'}), which no other CPU shares: `
          + `${formatPerCpu(waste, p.possibleCpus)} wasted${copies > 1 ? ` per use, ${formatBytes(waste * p.possibleCpus * copies)} in all` : ''}. Drop the attribute.`,
        related: pc.slice(0, 8).map((f) => ({ file: f.file, line: f.line, message: `${f.macro} ${f.name || ''}`.trim() })),
      });
    }
  }
  return out;
}
