// `simulate --dmesg`: every per-CPU boot line of a log, reproduced through the first-chunk model, with the
// arch, era, CPUs and groups that reproduce it, each number explained and what is unusual flagged.
// parse.ts reads the lines, infer.ts searches the candidates, explain.ts words the result.

import { eraRanges, explain, flags, Flag } from './explain';
import { CPU_TRIALS, eraVersions, inferBoot, InferOptions, LineCheck, Observed } from './infer';
import { parseDmesg } from './parse';

export { parseDmesg, percpuPart } from './parse';
export type { Boot } from './parse';

export interface BootReport {
  /** 1-based line numbers of the per-CPU lines in the input */
  lines: Array<{ line: number; text: string }>;
  /** every per-CPU line printed exactly (numbers and wording) */
  reproduced: boolean;
  /** every number reproduced (wording may differ: backports, vendor patches) */
  numbersReproduced: boolean;
  arch?: string;
  /** arches whose model also reproduces the numbers */
  archCandidates: string[];
  kernel?: { fromLog?: string; used: string; era: string[] };
  pageSize?: number;
  cpus: { possible?: number; source: string; nrCpuIds?: number; nrCpus?: number };
  groups?: number[][];
  config?: string;
  firstChunk?: {
    pagesPerCpu: number; static: number; reserved: number; dynamic: number; unitSize: number; allocSize: number; atomSize: number;
    unitsPerAlloc: number; nrUnits: number; helper: string; groups: Array<{ cpus: number[] }>; bootLines: string[];
  };
  checks: LineCheck[];
  explanation: Record<string, string>;
  flags: Flag[];
  /** tried model runs (for the curious) */
  tried: number;
  error?: string;
}

export interface DmesgReport { boots: BootReport[]; reproduced: number; numbersReproduced: number; warnings: string[] }

export function analyzeDmesg(text: string, opts: InferOptions = {}): DmesgReport {
  const boots = parseDmesg(text);
  const warnings: string[] = [];
  if (!boots.length) warnings.push('no per-CPU boot line found (percpu:/PERCPU: Embedded…, N 4K pages/cpu, pcpu-alloc:, setup_percpu:)');
  if (opts.arch && !opts.arch.smp) warnings.push(`${opts.arch.name} is never SMP: its kernels print no per-CPU boot line`);
  const reports = boots.map((b): BootReport => {
    const lines = b.lines.map((l) => ({ line: l.no, text: l.text }));
    let inf: ReturnType<typeof inferBoot>;
    try {
      inf = inferBoot(b, opts);
    } catch (e) {
      return { lines, reproduced: false, numbersReproduced: false, archCandidates: [], cpus: { source: 'unknown' }, checks: [], explanation: {}, flags: [], tried: 0, error: (e as Error).message };
    }
    const { observed: o, candidates } = inf;
    const best = candidates[0];
    const cpus = cpusOf(o);
    if (!best) {
      return {
        lines, reproduced: false, numbersReproduced: false, archCandidates: [], cpus, checks: [], explanation: {},
        flags: flags(undefined, o, b, { era: [], archChoices: [] }), tried: inf.tried,
        error: inf.unsupported ?? 'no modelled arch, era and config reproduces these numbers',
      };
    }
    const same = candidates.filter((c) => c.arch === best.arch && c.pageSize === best.pageSize && c.configLabel === best.configLabel && c.format === best.format && c.dynFromLog === best.dynFromLog);
    const era = best.kernelFromLog ? [] : eraRanges([...new Set(same.map((c) => c.kernel))], eraVersions(best.arch), best.arch.kernels[1]);
    // arches that explain the log as well as the best one (not with a stranger reserve, config or atom)
    const archChoices = [...new Set(candidates.filter((c) => c.quality === best.quality).map((c) => c.arch.name))];
    const fc = best.fc;
    const cpusUsed = best.cpusKnown ? cpus : { ...cpus, source: `not in the log; the numbers hold for ${describeCpus(candidates.filter((c) => c.arch === best.arch && c.kernel === best.kernel && c.pageSize === best.pageSize).map((c) => c.cpus))}` };
    return {
      lines, reproduced: best.format, numbersReproduced: true,
      arch: best.arch.name, archCandidates: archChoices,
      kernel: { ...(best.kernelFromLog ? { fromLog: best.kernel } : {}), used: best.kernel, era },
      pageSize: best.pageSize, cpus: cpusUsed,
      ...(o.groups ? { groups: o.groups } : {}),
      config: best.configLabel,
      firstChunk: {
        pagesPerCpu: fc.pagesPerCpu, static: fc.static, reserved: fc.reserved, dynamic: fc.dynamic, unitSize: fc.unitSize,
        allocSize: fc.allocSize, atomSize: fc.atomSize, unitsPerAlloc: fc.unitsPerAlloc, nrUnits: fc.nrUnits, helper: fc.helper,
        groups: fc.groups.map((g) => ({ cpus: g.cpus })), bootLines: fc.bootLines,
      },
      checks: best.checks,
      explanation: explain(best, o),
      flags: flags(best, o, b, { era, archChoices }),
      tried: inf.tried,
    };
  });
  return {
    boots: reports,
    reproduced: reports.filter((r) => r.reproduced).length,
    numbersReproduced: reports.filter((r) => r.numbersReproduced).length,
    warnings,
  };
}

function cpusOf(o: Observed): BootReport['cpus'] {
  return { ...(o.possibleCpus ? { possible: o.possibleCpus.n } : {}), source: o.possibleCpus?.why ?? 'unknown',
    ...(o.nrCpuIds !== undefined ? { nrCpuIds: o.nrCpuIds } : {}), ...(o.nrCpus !== undefined ? { nrCpus: o.nrCpus } : {}) };
}

function describeCpus(ns: number[]): string {
  const u = [...new Set(ns)].sort((a, b) => a - b);
  if (u.length === 1 && u[0] === 1) return 'any CPU count (the atom is one page: u does not depend on it)';
  // every tried count from the smallest that fits up to the largest tried: an open range
  const tried = CPU_TRIALS.filter((n) => n >= u[0]);
  if (u.length > 1 && tried.length === u.length && tried.every((n, i) => n === u[i])) return `${u[0]} or more CPUs`;
  return `${u.join(', ')} CPUs (of ${CPU_TRIALS.join(', ')} tried)`;
}

/** Plain-text report: each boot's lines, verdict, inference and explanations. */
export function formatDmesgReport(r: DmesgReport): string {
  const out: string[] = [];
  for (const w of r.warnings) out.push(`warning: ${w}`);
  r.boots.forEach((b, i) => {
    out.push(`boot ${i + 1}: ${b.reproduced ? 'reproduced exactly' : b.numbersReproduced ? 'numbers reproduced (wording differs)' : 'NOT reproduced'}`);
    for (const c of b.checks.length ? b.checks : b.lines.map((l) => ({ line: l.line, observed: l.text, model: undefined, match: false }))) {
      out.push(`  ${c.match ? '=' : '≠'} line ${c.line}: ${c.observed}`);
      if (!c.match && c.model) out.push(`    model: ${c.model}`);
    }
    if (b.error) out.push(`  error: ${b.error}`);
    if (b.arch) {
      out.push(`  arch: ${b.arch}${b.archCandidates.length > 1 ? ` (also fits: ${b.archCandidates.filter((a) => a !== b.arch).join(', ')})` : ''}; page ${b.pageSize} B; ${b.config}`);
      out.push(`  kernel: ${b.kernel?.fromLog ? `${b.kernel.fromLog} (from the log)` : `${b.kernel?.era.join(' or ')} (inferred; modelled as ${b.kernel?.used})`}`);
      out.push(`  CPUs: ${b.cpus.possible ?? '?'} possible (${b.cpus.source})${b.groups && b.groups.length > 1 ? `; groups ${b.groups.map((g) => g.length).join('+')}` : ''}`);
    }
    for (const [k, v] of Object.entries(b.explanation)) out.push(`  ${k}: ${v}`);
    for (const f of b.flags) out.push(`  ! ${f.code}: ${f.message}`);
  });
  out.push(`${r.reproduced} of ${r.boots.length} boots reproduced exactly, ${r.numbersReproduced} in numbers`);
  return out.join('\n') + '\n';
}
