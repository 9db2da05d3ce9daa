// Words for the numbers of a reproduced boot: where s, r and d come from, why u is what it is, and what is
// unusual. Every figure quoted comes from the model's FirstChunk or the era/arch tables.

import { BACKPORT_POINTS, ERA_POINTS, atLeast, cmp, eraAtomSize, eraConstants, eraReserved, parseKernel } from '../era';
import type { Boot } from './parse';
import type { Candidate, Observed } from './infer';

export interface Flag { code: string; message: string }

const KiB = (n: number) => (n % 1024 === 0 ? `${n / 1024} KiB` : `${n} B`);

/** "3.18 ≤ kernel < 4.14" style ranges from the era points that reproduce, over the arch's own points
 *  (its first kernel included; a last point before the arch's removal ends the range there). */
export function eraRanges(versions: string[], archPoints: string[] = ERA_POINTS, until = ''): string[] {
  const points = archPoints.filter((p) => !BACKPORT_POINTS.includes(p));
  const hit = new Set(versions);
  const out: string[] = [];
  for (let i = 0; i < points.length; i++) {
    if (!hit.has(points[i])) continue;
    let j = i;
    while (j + 1 < points.length && hit.has(points[j + 1])) j++;
    const end = j + 1 < points.length ? points[j + 1] : until;
    out.push(end ? `${points[i]} ≤ kernel < ${end}` : `kernel ≥ ${points[i]}`);
    i = j;
  }
  for (const v of versions) if (BACKPORT_POINTS.includes(v)) out.push(`${v} (stable backport of the 5.1 format)`);
  for (const v of versions) if (!points.includes(v) && !BACKPORT_POINTS.includes(v)) out.push(v);
  return out;
}

export function explain(c: Candidate, o: Observed): Record<string, string> {
  const fc = c.fc;
  const k = eraConstants(c.kernel, c.arch.bits, c.config, c.pageSize);
  const dynArg = fc.constants.dynArgument;
  const e: Record<string, string> = {};
  e.s = `s = ${fc.static}: the static per-CPU data of vmlinux (__per_cpu_end − __per_cpu_start, as linked); read from the log`;
  const defR = eraReserved(c.arch, k);
  if (fc.reserved === defR && defR > 0) {
    e.r = `r = ${fc.reserved} = PERCPU_MODULE_RESERVE (${KiB(defR)}${c.config.memAllocProfiling ? ', 8<<13 with CONFIG_MEM_ALLOC_PROFILING' : ''}): ${c.arch.name} passes it, so module per-CPU sections load into a reserved chunk of this size`;
  } else if (fc.reserved === 0 && !c.arch.reservedChunk) {
    e.r = `r = 0: ${c.arch.name} passes no reserved size (${c.arch.source.split(':')[0]}); module per-CPU data comes from the dynamic chunks`;
  } else if (fc.reserved === 0) {
    e.r = 'r = 0: PERCPU_MODULE_RESERVE is 0, i.e. CONFIG_MODULES is off';
  } else {
    e.r = `r = ${fc.reserved}: not the ${KiB(defR)} this arch and era pass (a patched PERCPU_MODULE_RESERVE or CONFIG_MEM_ALLOC_PROFILING)`;
  }
  if (c.arch.fixedUnit) {
    e.d = `d = u − s − r = ${fc.unitSize} − ${fc.static} − ${fc.reserved} = ${fc.dynamic}: ${c.arch.name} gives the dynamic area whatever its fixed unit leaves`;
    e.u = `u = ${fc.unitSize} = PERCPU_PAGE_SIZE, fixed by ${c.arch.name}'s own setup (${c.arch.source.split(':')[0]}); one unit per CPU, atom = PAGE_SIZE ${c.pageSize}`;
    e.pages = '(no Embedded line: the arch calls pcpu_setup_first_chunk itself)';
    return e;
  }
  const early = k.earlySize;
  const want = c.dynFromLog ? fc.dynamic : Math.max(dynArg, early);
  const parts = c.arch.dynIncludesModuleReserve
    ? `PERCPU_MODULE_RESERVE ${KiB(k.moduleReserve)} + PERCPU_DYNAMIC_RESERVE ${KiB(k.dynamicReserve)}`
    : `PERCPU_DYNAMIC_RESERVE ${KiB(k.dynamicReserve)} (${c.arch.bits}-bit${k.sizeShift !== 10 ? `, SHIFT ${k.sizeShift}` : ''})`;
  if (c.dynFromLog) {
    e.d = `d = ${fc.dynamic}: no reserve of any modelled era and config gives it; taken from the log`;
  } else if (fc.helper === 'page') {
    e.d = `d = ${fc.dynamic}: the page helper asks for no dynamic size, so d is PERCPU_DYNAMIC_EARLY_SIZE (${KiB(early)}) plus the page rounding of s + r + d`;
  } else {
    e.d = `d = PFN_ALIGN(s + r + max(dyn, EARLY)) − s − r = ${fc.sizeSum} − ${fc.static} − ${fc.reserved} = ${fc.dynamic}: the arch asks for dyn = ${dynArg} (${parts})`
      + `${early ? `, EARLY_SIZE is ${KiB(early)}` : ', no EARLY_SIZE floor yet'}; rounding s + r + ${want} up to a ${KiB(c.pageSize)} page adds ${fc.dynamic - want} bytes`;
  }
  e.pages = `pages = (s + r + d) / PAGE_SIZE = ${fc.sizeSum} / ${c.pageSize} = ${fc.sizeSum / c.pageSize}`;
  if (fc.helper === 'page') {
    e.u = `u = max(size_sum ${fc.sizeSum}, PCPU_MIN_UNIT_SIZE ${KiB(k.minUnitSize)}) = ${fc.unitSize}: the page helper maps one unit of whole pages per CPU`;
    return e;
  }
  if (k.boot.family !== 'modern') {
    e.u = `u = max(size_sum ${fc.sizeSum}, PCPU_MIN_UNIT_SIZE ${KiB(k.minUnitSize)}) = ${fc.unitSize} (2.6.30/31: one unit per CPU, no atom)`;
    return e;
  }
  const trials = fc.upaTrials.filter((t) => t.verdict !== 'not a divisor')
    .map((t) => `upa ${t.upa}: ${t.allocs} allocation${t.allocs === 1 ? '' : 's'}, ${t.wasted} empty unit${t.wasted === 1 ? '' : 's'} → ${t.verdict}`);
  e.u = `min_unit = max(size_sum ${fc.sizeSum}, PCPU_MIN_UNIT_SIZE ${KiB(k.minUnitSize)}) = ${fc.minUnit}; `
    + `alloc = roundup(min_unit, atom ${KiB(fc.atomSize)}) = ${fc.allocSize}; at most ${fc.maxUpa} unit${fc.maxUpa === 1 ? '' : 's'} per allocation`
    + (fc.maxUpa > 1 ? `; the one-third rule (empty units ≤ ${fc.nrPossibleCpus} possible CPUs / 3 = ${Math.floor(fc.nrPossibleCpus / 3)}, then fewest allocations) tried ${trials.join('; ')}` : '')
    + `; u = alloc / upa = ${fc.allocSize} / ${fc.unitsPerAlloc} = ${fc.unitSize}`;
  if (fc.groups.length > 1 || o.groups) {
    e.groups = `${fc.groups.length} group${fc.groups.length === 1 ? '' : 's'} (${fc.groups.map((g) => g.cpus.length).join(' + ')} CPUs), ${fc.nrUnits} units: `
      + (fc.groups.length > 1 ? 'one group per set of NUMA nodes at LOCAL_DISTANCE, each padded to a multiple of upa' : 'no distance function or one node: one group');
  }
  return e;
}

export function flags(c: Candidate | undefined, o: Observed, b: Boot, opts: { era: string[]; archChoices: string[] }): Flag[] {
  const f: Flag[] = [];
  for (const ev of b.events) f.push({ code: 'EVENT', message: `line ${ev.no}: ${ev.text}` });
  if (!c) return f;
  const k = parseKernel(c.kernel);
  const era = eraConstants(c.kernel, c.arch.bits, c.config, c.pageSize);
  if (!c.format) f.push({ code: 'FORMAT', message: `the numbers reproduce but a line's wording differs from ${c.kernel}'s (vendor patch or stable backport)` });
  if (c.dynFromLog) f.push({ code: 'DYN_UNKNOWN', message: `d = ${c.fc.dynamic} matches no PERCPU_DYNAMIC_RESERVE of any modelled era/config: a patched reserve or an arch override` });
  if (c.configLabel !== 'defconfig') f.push({ code: 'CONFIG', message: `d needs ${c.configLabel}: the reserves grow with PERCPU_DYNAMIC_SIZE_SHIFT ${era.sizeShift}` });
  if (c.fc.reserved !== eraReserved(c.arch, era)) f.push({ code: 'RESERVED', message: `r = ${c.fc.reserved}, not the ${eraReserved(c.arch, era)} ${c.arch.name} passes in this era` });
  const floor = eraConstants(undefined, c.arch.bits).earlySize;
  if (o.d !== undefined && !c.arch.fixedUnit && o.d < floor)
    f.push({ code: 'OLD_ERA', message: `d = ${o.d} is below today's PERCPU_DYNAMIC_EARLY_SIZE (${KiB(floor)}): an older kernel` });
  if (era.minUnitSize === 64 << 10 && c.fc.unitSize === 64 << 10 && c.fc.sizeSum < c.fc.unitSize)
    f.push({ code: 'MIN_UNIT_64K', message: `u = 64 KiB although s + r + d = ${c.fc.sizeSum}: PCPU_MIN_UNIT_SIZE was 64 KiB before 2.6.35` });
  if (c.arch.name === 'i386' && c.fc.atomSize === 4 << 20) f.push({ code: 'ATOM', message: 'i386 with a 4 MiB atom (PMD_SIZE): before "don\'t use PMD_SIZE as embedded atom_size on 32bit" (3.4)' });
  if (c.atom !== undefined && c.atom !== eraAtomSize_(c)) f.push({ code: 'ATOM', message: `atom ${c.atom}, not ${c.arch.name}'s usual ${eraAtomSize_(c)} (another MMU mode, or the non-NUMA generic setup)` });
  if (o.helper === 'page' && c.arch.firstChunk === 'embed') f.push({ code: 'PAGE_FIRST_CHUNK', message: 'the page first chunk on an arch that embeds: percpu_alloc=page, or the embed helper failed (vmalloc too small for the NUMA spread)' });
  if (o.emptyUnits) f.push({ code: 'EMPTY_UNITS', message: `${o.emptyUnits} empty unit${o.emptyUnits === 1 ? '' : 's'} in the dump: CPUs per group not a multiple of ${c.fc.unitsPerAlloc} units per allocation (freed at boot)` });
  if (c.fc.unitSize >= 2 * c.fc.sizeSum && !c.arch.fixedUnit) f.push({ code: 'LARGE_UNIT', message: `u = ${c.fc.unitSize} is ${(c.fc.unitSize / c.fc.sizeSum).toFixed(1)}× s + r + d: the ${KiB(c.fc.atomSize)} atom is shared by ${c.fc.unitsPerAlloc} CPUs; the unused tail of each unit is returned to the page allocator at boot, and every later chunk has units of this size too` });
  if (o.nrCpus !== undefined && o.nrCpuIds !== undefined && o.nrCpus >= 8 * o.nrCpuIds) f.push({ code: 'NR_CPUS', message: `NR_CPUS ${o.nrCpus} for ${o.nrCpuIds} CPU ids: static NR_CPUS arrays are sized ${Math.floor(o.nrCpus / o.nrCpuIds)}× larger than needed` });
  if (o.groups && o.groups.length > 1) {
    const sizes = o.groups.map((g) => g.length);
    if (new Set(sizes).size > 1) f.push({ code: 'UNEVEN_GROUPS', message: `NUMA groups of unequal size (${sizes.join(', ')} CPUs)` });
  }
  if (opts.archChoices.length > 1) f.push({ code: 'ARCH_AMBIGUOUS', message: `the numbers fit ${opts.archChoices.join(', ')}; ${c.arch.name} chosen${b.hints.arches.length ? ' from the other lines of the log' : ' as the most common'}` });
  if (!c.kernelFromLog && opts.era.length) f.push({ code: 'ERA', message: `no kernel version in the log: the format and numbers fit ${opts.era.join(', ')}` });
  if (c.kernelFromLog && cmp(k, '2.6.30') < 0) f.push({ code: 'ERA', message: 'kernel older than the modelled allocator' });
  return f;
}

function eraAtomSize_(c: Candidate): number {
  return eraAtomSize(c.arch, parseKernel(c.kernel), c.pageSize);
}
