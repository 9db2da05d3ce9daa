// PCPU004: a ____cacheline_aligned struct that is only ever used as per-CPU data (DEFINE_PER_CPU,
// alloc_percpu): each CPU's copy is private, so the padding buys nothing (the 2008 workqueue lesson).
// A type is "only per-CPU" when, in the files we see, every mention of it by value is a per-CPU
// definition or allocation; pointers, forward declarations and sizeof/alignof are neutral.
import type { Finding } from '../parse/types';
import { formatBytes, formatPerCpu } from '../report/format';
import type { Diagnostic, DiagnosticNumbers, FileTexts, RuleProfile, Sizer } from './types';

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

/** Per-CPU uses by value of each struct/union type (definitions and allocations, not arrays). */
function perCpuUses(findings: Finding[]): Map<string, Finding[]> {
  const uses = new Map<string, Finding[]>();
  for (const f of findings) {
    if ((f.kind !== 'static' && f.kind !== 'alloc') || f.dims?.length) continue;
    const t = normType(f.type);
    if (/^(struct|union) \w+$/.test(t)) uses.set(t, [...(uses.get(t) ?? []), f]);
  }
  return uses;
}

/**
 * `scope`: 'c' = types defined in .c files (complete knowledge: the file rule), 'h' = in headers (the
 * tree rule). The layout engine says where a type is defined, whether the type itself carries an
 * aligned attribute of a cache line or more, and its size without it.
 */
export function pcpu004(files: FileTexts, findings: Finding[], p: RuleProfile, sizer: Sizer, scope: 'c' | 'h'): Diagnostic[] {
  const seen = new Set<string>();
  const candidates: { type: string; tag: string; at: { file: string; line: number }; size: number; bare: number; pc: Finding[] }[] = [];
  for (const [type, pc] of perCpuUses(findings)) {
    if (pc.every((f) => ALIGNED_MACRO.test(f.macro))) continue;
    const r = sizer.record(type, pc[0].file);
    if ('error' in r || r.file === undefined || r.line === undefined || r.ownAlign < p.cacheLine) continue;
    if (r.file.endsWith('.h') !== (scope === 'h') || (scope === 'c' && !files.has(r.file))) continue;
    const key = `${type}|${r.file}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (r.size > r.bareSize) candidates.push({ type, tag: type.split(' ')[1], at: { file: r.file, line: r.line }, size: r.size, bare: r.bareSize, pc });
  }
  // one pass over the files for every candidate: a type used by value anywhere else keeps its padding
  const used = new Set<string>();
  if (candidates.length) {
    for (const f of files.keys()) {
      const t = files.get(f) ?? '';
      for (const c of candidates) if (!used.has(c.type) && t.includes(c.tag) && otherUses(t, c.type).length) used.add(c.type);
      if (used.size === candidates.length) break;
    }
  }
  return candidates.filter((c) => !used.has(c.type)).map((c) => paddingDiagnostic(c.type, c.at, c.size, c.bare, c.pc, p));
}

function paddingDiagnostic(type: string, at: { file: string; line: number }, padded: number, bare: number, pc: Finding[], p: RuleProfile): Diagnostic {
  const n: DiagnosticNumbers = {
    bytesPerCpu: padded, perCpuBytes: bare, wastedBytesPerCpu: padded - bare, cpus: p.possibleCpus, uses: pc.length,
    totalBytes: (padded - bare) * p.possibleCpus * pc.length,
  };
  const each = formatPerCpu(n.wastedBytesPerCpu!, n.cpus!);
  return {
    ...at, column: 1, endLine: at.line, endColumn: 1, code: 'PCPU004', severity: 'info', bytes: n.totalBytes, numbers: n,
    message: `${type} is padded to ${formatBytes(padded)} (${formatBytes(bare)} of members) by its cache-line attribute, `
      + `but is only used as per-CPU data (${n.uses} ${n.uses === 1 ? 'use' : 'uses'}), which no other CPU shares: `
      + `${each} wasted${n.uses! > 1 ? ` per use, ${formatBytes(n.totalBytes!)} in all` : ''}. Drop the attribute.`,
    related: pc.slice(0, 8).map((f) => ({ file: f.file, line: f.line, message: `${f.macro} ${f.name || ''}`.trim() })),
  };
}
