// PCPU001: state indexed by CPU number in an NR_CPUS-sized array (the module_ref[NR_CPUS] lesson).
// Costs NR_CPUS elements per instance where a per-CPU allocation costs one per possible CPU.
import type { Finding } from '../parse/types';
import { formatBytes, formatPerCpu } from '../report/format';
import { CACHELINE_ATTR, alignUp, dimValue, findStructDefs, isSized, unpaddedSize } from './sizing';
import type { Diagnostic, RuleProfile, SizeOf } from './types';

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
  if (!dims.some((d) => /^(CONFIG_)?NR_CPUS$/.test(d.trim()))) return 'no dimension is exactly NR_CPUS (bitmaps, NR_CPUS/BITS_PER_LONG, ...)';
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

export function pcpu001(findings: Finding[], text: string, p: RuleProfile, sizeOf: SizeOf, asmSymbols?: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const lines = text.split('\n');
  for (const f of findings) {
    if (f.kind !== 'nr_cpus_array' || f.unresolved) continue;
    if (pcpu001Skip(f, lines[f.line - 1] ?? '', asmSymbols)) continue;
    const pos = { file: f.file, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn };
    const isPtr = /\*\s*$/.test(f.type);
    const el = isPtr ? { size: p.ptrSize, align: p.ptrSize } : sizeOf(f.type, f.file);
    let others = 1;
    let bad: string | undefined;
    let nrSeen = false;
    for (const d of f.dims ?? []) {
      if (!nrSeen && /^(CONFIG_)?NR_CPUS$/.test(d.trim())) { nrSeen = true; continue; }
      const v = dimValue(d, p, sizeOf, f.file);
      if (v === undefined) bad = `cannot evaluate [${d}]`;
      else others *= v;
    }
    if (!isSized(el) || bad) {
      out.push({ ...pos, code: 'PCPU000', severity: 'info', message: `PCPU001 skipped ${f.name}[NR_CPUS]: could not size it (${bad ?? (el as { error: string }).error})` });
      continue;
    }
    const elem = el.size * others; // bytes of one CPU's slot
    const atNr = elem * p.nrCpus;
    // As a per-CPU allocation the slot needs no cache-line padding: each CPU has its own unit.
    let slot = elem;
    let padNote = '';
    if (!isPtr && el.align >= p.cacheLine) {
      const name = /^(struct|union)\s+(\w+)$/.exec(f.type)?.[2];
      const def = name ? findStructDefs(text, name).find((d) => CACHELINE_ATTR.test(d.tail)) : undefined;
      const u = def ? unpaddedSize(def, p, sizeOf, f.file) : undefined;
      if (u && isSized(u) && u.size < el.size) {
        slot = u.size * others;
        padNote = ` (${formatBytes(el.size)} element is ${formatBytes(u.size)} without its cache-line padding)`;
      }
    }
    const perCpu = alignUp(slot, 4) * p.possibleCpus;
    const field = !!f.container;
    // related: the element type's definition when this file has it (the layout the message prices)
    const elName = /^(struct|union)\s+(\w+)$/.exec(f.type);
    const elDef = elName ? findStructDefs(text, elName[2]).find((d) => d.type === `${elName[1]} ${elName[2]}`) : undefined;
    const related = elDef ? [{ file: f.file, line: text.slice(0, elDef.offset).split('\n').length, message: `${f.type}: ${formatBytes(el.size)} per element` }] : undefined;
    const n = field ? p.instances : 1;
    const where = field ? `in each ${f.container}` : 'once';
    const inst = field && n > 1 ? `; for ${n} instances ${formatBytes(atNr * n)} vs ${formatBytes(perCpu * n)}` : '';
    out.push({
      ...pos,
      code: 'PCPU001',
      severity: field ? 'warning' : 'info',
      message: `${f.name}[NR_CPUS] costs ${formatPerCpu(elem, p.nrCpus)} ${where}; `
        + `as a per-CPU allocation over ${p.possibleCpus} possible CPUs ${formatPerCpu(alignUp(slot, 4), p.possibleCpus)}${padNote}${inst}. `
        + `Use alloc_percpu()/DEFINE_PER_CPU() for per-CPU state.`,
      bytes: atNr,
      ...(related ? { related } : {}),
    });
  }
  return out;
}
