// PCPU001: state indexed by CPU number in an NR_CPUS-sized array (the module_ref[NR_CPUS] lesson).
// Costs NR_CPUS elements per instance where a per-CPU allocation costs one per possible CPU.
import type { Finding } from '../parse/types';
import { formatBytes, formatPerCpu } from '../report/format';
import { isNrCpusDim } from '../layout/bounds';
import { allocRound, nrCpusArrayCost, type NrCpusArrayCost } from '../price';
import type { Diagnostic, DiagnosticNumbers, RuleProfile, Sizer } from './types';

/** Element types that are CPU ids or masks, not per-CPU state. */
const ID_TYPE = /^(const\s+)?(struct\s+cpumask|cpumask_t|cpumask_var_t|phys_cpuid_t|\w*cpuid\w*|\w*_id_t|(unsigned\s+|signed\s+)?char|u8|u16|s8|s16|__u8|__u16|__s8|__s16|uint8_t|uint16_t|(unsigned\s+)?short(\s+int)?|bool|_Bool)$/;
/** Names of maps between CPU numbers and other ids (cpu_to_node, __cpu_logical_map, x86_cpu_to_apicid, ...). */
const ID_NAME = /(^|_)(map|maps|mask|masks)$|_to_|(^|_)(cpuid|apicid|acpiid|hwid|hartid|ids?|index|node|nodes|phys|logical|numa)(_|$)|^cpu_\w*_id$/i;
/** The per-CPU machinery itself (offsets and bases of each CPU's area) cannot live in per-CPU memory. */
const PERCPU_BASE = /per_?cpu_(offset|base)/i;
const INIT_ONLY = /\b__(init|initdata|initconst|meminitdata|cpuinitdata|read_mostly_init)\b/;

/** Why a finding is not per-CPU state (undefined: it is). Exported for tests and the README table. */
export function pcpu001Skip(f: Finding, declLine: string, asmSymbols?: ReadonlySet<string>): string | undefined {
  const dims = f.dims ?? [];
  if (!dims.some(isNrCpusDim)) return 'no dimension is exactly NR_CPUS (bitmaps, NR_CPUS/BITS_PER_LONG, ...)';
  const type = f.type.replace(/\b(volatile|static|extern)\b/g, '').replace(/\s+/g, ' ').trim();
  if (ID_TYPE.test(type)) return `element type ${type} holds ids, masks or flags`;
  if (ID_NAME.test(f.name)) return `name ${f.name} reads as a CPU id map`;
  if (PERCPU_BASE.test(f.name)) return 'the per-CPU offsets themselves';
  // Assembly (entry code, TLB refill, secondary boot) indexes the array before per-CPU
  // addressing works, and an explicit section means the same kind of early use.
  if (asmSymbols?.has(f.name)) return `${f.name} is used from assembly`;
  if (/\b__section\s*\(|\b__attribute__\s*\(\(\s*section/.test(declLine)) return 'placed in an explicit section (early or assembly use)';
  if (f.func && !f.isStatic) return 'local variable (a stack array, not long-lived state)';
  if (f.kind === 'nr_cpus_array' && /\(/.test(f.type)) return 'function or macro type';
  if (INIT_ONLY.test(declLine)) return 'init-only data, freed after boot';
  if (/\bextern\b/.test(declLine)) return 'declaration, counted where defined';
  return undefined;
}

export function pcpu001(findings: Finding[], text: string, p: RuleProfile, sizer: Sizer, asmSymbols?: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  // split only for a file with an NR_CPUS array (every rule file split was ~50 MB of a distro run's garbage)
  let lines: string[] | undefined;
  for (const f of findings) {
    if (f.kind !== 'nr_cpus_array' || f.unresolved) continue;
    if (pcpu001Skip(f, (lines ??= text.split('\n'))[f.line - 1] ?? '', asmSymbols)) continue;
    const pos = { file: f.file, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn };
    // the same pricing as the estimate's NR_CPUS table
    const c = nrCpusArrayCost(f, sizer, { nrCpus: p.nrCpus, possible: p.possibleCpus, units: p.nrUnits });
    if ('error' in c) {
      out.push({ ...pos, code: 'PCPU000', severity: 'info', message: `PCPU001 skipped ${f.name}[NR_CPUS]: could not size it (${c.error})` });
      continue;
    }
    out.push(pcpu001Diagnostic(f, pos, c, p, elementSite(f, sizer)));
  }
  return out;
}

/** The element type's definition, when known: the layout the message prices. */
function elementSite(f: Finding, sizer: Sizer): { file: string; line: number } | undefined {
  if (!/^(struct|union)\s+\w+$/.test(f.type.trim())) return undefined;
  const r = sizer.record(f.type, f.file);
  return 'error' in r || r.file === undefined || r.line === undefined ? undefined : { file: r.file, line: r.line };
}

function pcpu001Diagnostic(f: Finding, pos: Omit<Diagnostic, 'code' | 'severity' | 'message'>, c: NrCpusArrayCost, p: RuleProfile,
  def: { file: string; line: number } | undefined): Diagnostic {
  const field = !!f.container;
  const instances = field ? p.instances : 1;
  const slot = allocRound(c.bareSlotBytes);
  const numbers: DiagnosticNumbers = {
    bytesPerCpu: c.slotBytes, nrCpus: p.nrCpus, cpus: p.nrUnits, instances,
    totalBytes: c.bytesAtNrCpus * instances, perCpuBytes: slot, perCpuTotalBytes: c.perCpuRewrite * instances,
  };
  const padNote = c.bareSlotBytes < c.slotBytes
    ? ` (${formatBytes(c.elemSize)} element is ${formatBytes(c.bareSlotBytes / c.perCpuElems)} without its cache-line padding)` : '';
  const inst = field && instances > 1 ? `; for ${instances} instances ${formatBytes(numbers.totalBytes!)} vs ${formatBytes(numbers.perCpuTotalBytes!)}` : '';
  return {
    ...pos,
    code: 'PCPU001',
    severity: field ? 'warning' : 'info',
    message: `${f.name}[NR_CPUS] costs ${formatPerCpu(c.slotBytes, p.nrCpus)} ${field ? `in each ${f.container}` : 'once'}; `
      + `as a per-CPU allocation over ${p.nrUnits} ${p.nrUnits === p.possibleCpus ? 'possible CPUs' : 'allocator units'} ${formatPerCpu(slot, p.nrUnits)}${padNote}${inst}. `
      + `Use alloc_percpu()/DEFINE_PER_CPU() for per-CPU state.`,
    bytes: c.bytesAtNrCpus,
    numbers,
    ...(def ? { related: [{ file: def.file, line: def.line, message: `${f.type}: ${formatBytes(c.elemSize)} per element` }] } : {}),
  };
}
