// PCPU005: per-CPU objects large against the budget. A dynamic allocation is weighed against the
// first chunk's dynamic reserve (and refused by pcpu_alloc above PCPU_MIN_UNIT_SIZE); a static
// definition against the unit size, which every CPU pays for the kernel's lifetime.
import type { Finding } from '../parse/types';
import { formatBytes, formatPerCpu } from '../report/format';
import { allocBytes } from './allocSize';
import { arrayBounds } from '../layout/bounds';
import { isSized, numberOf } from '../layout/sizer';
import type { Diagnostic, DiagnosticNumbers, RuleProfile, Sizer } from './types';

const pct = (a: number, b: number) => `${Math.round((100 * a) / b)}%`;

/** A DEFINE_PER_CPU object: its type times its dimensions (NR_CPUS at the profile's value). */
function staticBytes(f: Finding, p: RuleProfile, sizer: Sizer): number | undefined {
  const r = sizer.sizeOf(f.type, f.file);
  if (!isSized(r)) return undefined;
  const b = arrayBounds(f.dims ?? [], p.nrCpus, (e) => numberOf(sizer, e, f.file));
  return 'error' in b ? undefined : r.size * b.elems;
}

export function pcpu005(findings: Finding[], p: RuleProfile, sizer: Sizer): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const f of findings) {
    const d = pcpu005Of(f, p, largeBytes(f, p, sizer));
    if (d) out.push(d);
  }
  return out;
}

/** The bytes per CPU PCPU005 weighs for `f` (undefined: not sized, or not a static or alloc finding); they do not depend on the first chunk. */
export function largeBytes(f: Finding, p: RuleProfile, sizer: Sizer): number | undefined {
  if (f.unresolved) return undefined;
  return f.kind === 'alloc' ? allocBytes(f, sizer) : f.kind === 'static' ? staticBytes(f, p, sizer) : undefined;
}

/** PCPU005 for `f` of `b` bytes per CPU (largeBytes) under `p`'s first chunk, if it is large. */
export function pcpu005Of(f: Finding, p: RuleProfile, b: number | undefined): Diagnostic | undefined {
  if (b === undefined) return undefined;
  const d = f.kind === 'alloc' ? largeAlloc(f, p, b) : f.kind === 'static' ? largeStatic(f, p, b) : undefined;
  return d && { file: f.file, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn, ...d };
}

type Body = Pick<Diagnostic, 'code' | 'severity' | 'message' | 'bytes' | 'numbers'>;

function largeAlloc(f: Finding, p: RuleProfile, b: number): Body | undefined {
  if (b <= p.largeFraction * p.dynamicReserve) return undefined;
  const maxAlloc = p.minUnitSize;
  const refused = b > maxAlloc;
  const n: DiagnosticNumbers = { bytesPerCpu: b, cpus: p.possibleCpus, totalBytes: b * p.possibleCpus, limitBytes: refused ? maxAlloc : p.dynamicReserve };
  const what = f.type ? `${f.macro}(${f.type})` : `${f.macro}(${f.sizeExpr ?? '…'})`;
  if (refused) {
    return { code: 'PCPU005', severity: 'error', bytes: n.totalBytes, numbers: n,
      message: `${what} asks for ${formatBytes(b)} per CPU, more than PCPU_MIN_UNIT_SIZE (${formatBytes(maxAlloc)}): pcpu_alloc refuses it ("illegal size") and returns NULL.` };
  }
  return { code: 'PCPU005', severity: 'warning', bytes: n.totalBytes, numbers: n,
    message: `${what} is ${formatBytes(b)} per CPU (${formatPerCpu(b, p.possibleCpus)}), ${pct(b, p.dynamicReserve)} of the ${formatBytes(p.dynamicReserve)} dynamic reserve `
      + `(threshold ${pct(p.largeFraction, 1)}). Keep rarely-written parts in one shared allocation, or split it.` };
}

function largeStatic(f: Finding, p: RuleProfile, b: number): Body | undefined {
  if (b <= p.largeFraction * p.unitSize) return undefined;
  const n: DiagnosticNumbers = { bytesPerCpu: b, cpus: p.possibleCpus, totalBytes: b * p.possibleCpus, limitBytes: p.unitSize };
  return { code: 'PCPU005', severity: 'warning', bytes: n.totalBytes, numbers: n,
    message: `per-CPU ${f.name} is ${formatBytes(b)} (${formatPerCpu(b, p.possibleCpus)}), ${pct(b, p.unitSize)} of the ${formatBytes(p.unitSize)} unit `
      + `(threshold ${pct(p.largeFraction, 1)}); the static area is paid by every CPU for the kernel's lifetime.` };
}
