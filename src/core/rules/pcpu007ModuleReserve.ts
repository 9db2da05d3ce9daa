// PCPU007: a module whose .data..percpu section does not fit the reserved chunk cannot load.
// Pure: the estimate computes each module's section size; this turns one into a diagnostic.
import { formatBytes } from '../report/format';
import { allocRound } from '../price';
import type { Diagnostic } from './types';

export interface ModuleReserveInput {
  module: string;
  /** bytes of the module's .data..percpu section (sh_size) */
  size: number;
  /** PERCPU_MODULE_RESERVE for the arch profile; 0 when the arch has no reserved chunk */
  reservedBytes: number;
  files: string[];
  /** where to put the diagnostic: the module's largest per-CPU definition, or its Makefile line */
  file?: string;
  line?: number;
  /** share of the reserve above which a warning is given even though the module fits alone */
  warnFraction?: number;
}

export function moduleReserveDiagnostic(i: ModuleReserveInput): Diagnostic | undefined {
  if (i.size <= 0 || i.reservedBytes <= 0) return undefined; // no reserved chunk: modules use dynamic chunks
  const at = { file: i.file ?? i.files[0] ?? i.module, line: i.line ?? 1, column: 1, endLine: i.line ?? 1, endColumn: 1 };
  const related = i.files.slice(0, 8).map((f) => ({ file: f, line: 1, message: `part of module ${i.module}` }));
  // __alloc_reserved_percpu rounds the request up to PCPU_MIN_ALLOC_SIZE (4 bytes).
  const need = allocRound(i.size);
  if (need > i.reservedBytes) {
    return {
      ...at, code: 'PCPU007', severity: 'error', bytes: i.size, related, numbers: { bytesPerCpu: i.size, limitBytes: i.reservedBytes },
      message: `module ${i.module} has ${formatBytes(i.size)} of per-CPU data, more than the ${formatBytes(i.reservedBytes)} reserved chunk `
        + `(PERCPU_MODULE_RESERVE) by ${formatBytes(need - i.reservedBytes)}: loading fails with "${i.module}: Could not allocate ${i.size} bytes percpu data" (ENOMEM). `
        + `Move large per-CPU objects to alloc_percpu() at init.`,
    };
  }
  const frac = i.warnFraction ?? 0.5;
  if (need > frac * i.reservedBytes) {
    return {
      ...at, code: 'PCPU007', severity: 'warning', bytes: i.size, related, numbers: { bytesPerCpu: i.size, limitBytes: i.reservedBytes },
      message: `module ${i.module} uses ${formatBytes(i.size)} of the ${formatBytes(i.reservedBytes)} reserved chunk (${Math.round((100 * need) / i.reservedBytes)}%), `
        + `shared by every loaded module: it may fail to load after others ("Could not allocate ${i.size} bytes percpu data").`,
    };
  }
  return undefined;
}
