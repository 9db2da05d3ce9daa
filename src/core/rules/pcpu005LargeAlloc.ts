// PCPU005: per-CPU objects large against the budget. A dynamic allocation is weighed against the
// first chunk's dynamic reserve (and refused by pcpu_alloc above PCPU_MIN_UNIT_SIZE); a static
// definition against the unit size, which every CPU pays for the kernel's lifetime.
import type { Finding } from '../parse/types';
import { formatBytes, formatPerCpu } from '../report/format';
import { allocBytes } from './allocSize';
import { dimValue, isSized } from './sizing';
import type { Diagnostic, RuleProfile, SizeOf } from './types';

/** PCPU_MIN_UNIT_SIZE = PFN_ALIGN(32 KiB): also the largest single allocation pcpu_alloc accepts. */
export const pcpuMinUnitSize = (p: RuleProfile) => Math.ceil((32 << 10) / p.pageSize) * p.pageSize;

const pct = (a: number, b: number) => `${Math.round((100 * a) / b)}%`;

function staticBytes(f: Finding, p: RuleProfile, sizeOf: SizeOf): number | undefined {
  const r = /\*\s*$/.test(f.type) ? { size: p.ptrSize, align: p.ptrSize } : sizeOf(f.type, f.file);
  if (!isSized(r)) return undefined;
  let n = r.size;
  for (const d of f.dims ?? []) {
    const v = dimValue(d, p, sizeOf, f.file);
    if (v === undefined) return undefined;
    n *= v;
  }
  return n;
}

export function pcpu005(findings: Finding[], p: RuleProfile, sizeOf: SizeOf): Diagnostic[] {
  const out: Diagnostic[] = [];
  const dynLimit = p.largeFraction * p.dynamicReserve;
  const staticLimit = p.largeFraction * p.unitSize;
  const maxAlloc = pcpuMinUnitSize(p);
  for (const f of findings) {
    if (f.unresolved) continue;
    const pos = { file: f.file, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn };
    if (f.kind === 'alloc') {
      const b = allocBytes(f, p, sizeOf);
      if (b === undefined || b <= dynLimit) continue;
      const what = f.type ? `${f.macro}(${f.type})` : `${f.macro}(${f.sizeExpr ?? '…'})`;
      const total = formatPerCpu(b, p.possibleCpus);
      out.push(b > maxAlloc
        ? { ...pos, code: 'PCPU005', severity: 'error', bytes: b * p.possibleCpus,
          message: `${what} asks for ${formatBytes(b)} per CPU, more than PCPU_MIN_UNIT_SIZE (${formatBytes(maxAlloc)}): pcpu_alloc refuses it ("illegal size") and returns NULL.` }
        : { ...pos, code: 'PCPU005', severity: 'warning', bytes: b * p.possibleCpus,
          message: `${what} is ${formatBytes(b)} per CPU (${total}), ${pct(b, p.dynamicReserve)} of the ${formatBytes(p.dynamicReserve)} dynamic reserve `
            + `(threshold ${pct(p.largeFraction, 1)}). Keep rarely-written parts in one shared allocation, or split it.` });
    } else if (f.kind === 'static') {
      const b = staticBytes(f, p, sizeOf);
      if (b === undefined || b <= staticLimit) continue;
      out.push({
        ...pos, code: 'PCPU005', severity: 'warning', bytes: b * p.possibleCpus,
        message: `per-CPU ${f.name} is ${formatBytes(b)} (${formatPerCpu(b, p.possibleCpus)}), ${pct(b, p.unitSize)} of the ${formatBytes(p.unitSize)} unit `
          + `(threshold ${pct(p.largeFraction, 1)}); the static area is paid by every CPU for the kernel's lifetime.`,
      });
    }
  }
  return out;
}
