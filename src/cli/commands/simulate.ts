// `percpu-lens simulate`: the first chunk an arch and kernel era would build for a static size and a
// CPU topology, with the boot lines the kernel prints; optionally the allocator's percpu_stats after
// loading modules.
import type { Command } from 'commander';
import { UsageError, parseIntOption } from '../errors';
import { ARCH_NAMES, findArch } from '../../core/config/arch';
import { buildFirstChunk, FirstChunk, MAX_CPUS, PercpuAllocator, parseGroups } from '../../core/sim';
import { analyzeDmesg, formatDmesgReport } from '../../core/sim/dmesg';
import { parseKernel } from '../../core/sim/era';
import { parsePercpuTrace, replayTrace, replaySummary } from '../../core/sim/trace';
import { readFileSync } from 'fs';

interface SimOpts {
  dmesg?: string;
  arch?: string; static?: number; reserved?: number; dynamic?: number; cpus?: number; groups?: string;
  pageSize?: number; atomSize?: number; kernel?: string; nrCpus?: number; helper?: string;
  json?: boolean; stats?: boolean; module?: string[]; randomKmallocCaches?: boolean; trace?: string;
}

const SIZE_MAX = 2 ** 30;
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** "name=size[:align]" */
function parseModule(spec: string): { name: string; size: number; align: number } {
  const m = /^([A-Za-z0-9_-]+)=(\d+)(?::(\d+))?$/.exec(spec.trim());
  if (!m) throw new UsageError(`--module must look like name=size[:align], got "${spec}"`);
  const size = Number(m[2]), align = m[3] === undefined ? 8 : Number(m[3]);
  if (size > SIZE_MAX || align < 1 || align > SIZE_MAX) throw new UsageError(`--module ${spec}: size or align out of range`);
  return { name: m[1], size, align };
}

function toJson(fc: FirstChunk): Record<string, unknown> {
  return {
    pagesPerCpu: fc.pagesPerCpu, static: fc.static, reserved: fc.reserved, dynamic: fc.dynamic,
    unitSize: fc.unitSize, allocSize: fc.allocSize, atomSize: fc.atomSize, unitsPerAlloc: fc.unitsPerAlloc,
    nrUnits: fc.nrUnits, groups: fc.groups.map((g) => ({ cpus: g.cpus, nrUnits: g.nrUnits, baseOffset: g.baseOffset })),
    bootLine: fc.bootLine, bootLines: fc.bootLines,
    arch: fc.arch, kernel: fc.kernel, helper: fc.helper, pageSize: fc.pageSize, sizeSum: fc.sizeSum,
    nrPossibleCpus: fc.nrPossibleCpus, constants: fc.constants,
  };
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('Model the kernel per-CPU first chunk (mm/percpu.c) and print its boot lines')
    .option('--dmesg <file>', 'read the per-CPU lines of a boot log (dmesg, journal, console; "-" = stdin) and reproduce and explain each number')
    .option('--arch <arch>', `architecture (${ARCH_NAMES.join(', ')}); required without --dmesg`)
    .option('--static <bytes>', 'static per-CPU size s (__per_cpu_end - __per_cpu_start); required without --dmesg', parseIntOption('--static', 0, SIZE_MAX))
    .option('--reserved <bytes>', 'reserved size r (default: the arch\'s module reserve for the era)', parseIntOption('--reserved', 0, SIZE_MAX))
    .option('--dynamic <bytes>', 'dynamic size the arch asks for, before page rounding (default: the era\'s reserve)', parseIntOption('--dynamic', 0, SIZE_MAX))
    .option('--cpus <n>', 'possible CPUs 0..N-1, one group (default 1)', parseIntOption('--cpus', 1, MAX_CPUS))
    .option('--groups <list>', 'NUMA nodes as kernel cpulists separated by ";" (e.g. "0-3,8-11;4-7,12-15")')
    .option('--page-size <bytes>', 'page size (default: the arch\'s)', parseIntOption('--page-size', 4096, 1 << 18))
    .option('--atom-size <bytes>', 'allocation atom (default: the arch\'s for the era)', parseIntOption('--atom-size', 4096, 1 << 30))
    .option('--kernel <X.Y>', 'kernel version (default 6.12)')
    .option('--nr-cpus <n>', 'CONFIG_NR_CPUS, for the x86 setup_percpu line', parseIntOption('--nr-cpus', 1, MAX_CPUS))
    .option('--helper <embed|page>', 'first-chunk helper (percpu_alloc=)')
    .option('--random-kmalloc-caches', 'CONFIG_RANDOM_KMALLOC_CACHES=y (6.6+: reserves grow 4x)')
    .option('--module <name=size[:align]>', 'load a module with this much per-CPU data (repeatable)', collect)
    .option('--stats', 'print /sys/kernel/debug/percpu_stats after boot (and --module loads)')
    .option('--trace <file>', 'replay a boot\'s percpu:* trace events in order (module loads included) and print /proc/meminfo\'s Percpu:')
    .option('--json', 'print one JSON document')
    .action((o: SimOpts) => {
      if (o.dmesg !== undefined) {
        let text: string;
        try {
          text = readFileSync(o.dmesg === '-' ? 0 : o.dmesg, 'utf8');
        } catch (e) {
          throw new UsageError(`cannot read ${o.dmesg}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        let hintArch;
        if (o.arch !== undefined) {
          hintArch = findArch(o.arch);
          if (!hintArch) throw new UsageError(`unknown arch "${o.arch}" (known: ${ARCH_NAMES.join(', ')})`);
        }
        if (o.kernel !== undefined) {
          try { parseKernel(o.kernel); } catch (e) { throw new UsageError((e as Error).message); }
        }
        // --arch and --kernel narrow the search; the log's own lines still decide the rest
        const r = analyzeDmesg(text, { arch: hintArch, kernel: o.kernel });
        process.stdout.write(o.json ? JSON.stringify(r) + '\n' : formatDmesgReport(r));
        // no per-CPU line at all is bad input; lines that do not reproduce are a finding, not an error
        if (!r.boots.length) process.exitCode = 2;
        return;
      }
      if (o.arch === undefined) throw new UsageError('give --arch A (or --dmesg FILE)');
      if (o.static === undefined) throw new UsageError('give --static S (or --dmesg FILE)');
      const arch = findArch(o.arch);
      if (!arch) throw new UsageError(`unknown arch "${o.arch}" (known: ${ARCH_NAMES.join(', ')})`);
      if (o.helper !== undefined && o.helper !== 'embed' && o.helper !== 'page') throw new UsageError(`--helper must be embed or page, got "${o.helper}"`);
      if (o.cpus === undefined && o.groups === undefined) throw new UsageError('give --cpus N or --groups LIST');
      let groups: number[][] | undefined;
      let fc: FirstChunk;
      try {
        if (o.groups !== undefined) {
          groups = parseGroups(o.groups, MAX_CPUS);
          const n = groups.reduce((a, g) => a + g.length, 0);
          if (o.cpus !== undefined && o.cpus !== n) throw new Error(`--cpus ${o.cpus} does not match the ${n} CPUs in --groups`);
        }
        fc = buildFirstChunk({
          arch, kernel: o.kernel, static: o.static!, reserved: o.reserved, dynamic: o.dynamic, cpus: o.cpus, groups,
          pageSize: o.pageSize, atomSize: o.atomSize, nrCpus: o.nrCpus, helper: o.helper as 'embed' | 'page' | undefined,
          config: o.randomKmallocCaches ? { randomKmallocCaches: true } : undefined,
        });
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const modules = (o.module ?? []).map(parseModule);
      let extra: Record<string, unknown> = {};
      let text = fc.bootLines.join('\n') + '\n';
      if (o.trace !== undefined) {
        if (modules.length) throw new UsageError('--trace replays the module loads it holds; leave out --module');
        let traceText: string;
        try { traceText = readFileSync(o.trace, 'utf8'); } catch (e) { throw new UsageError(`cannot read trace file ${o.trace}: ${(e as Error).message}`); }
        const { ops, warnings } = parsePercpuTrace(traceText);
        if (!ops.length) throw new UsageError(`${o.trace}: no percpu:* trace events found`);
        for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
        const a = new PercpuAllocator(fc, { arch, kernel: o.kernel });
        const replay = replayTrace(a, ops);
        extra = { trace: replay, meminfoPercpuKb: replay.meminfoPercpuKb, ...(o.stats ? { stats: a.stats() } : {}) };
        text += `trace: ${replaySummary(replay)}\n`;
        for (const f of replay.failures) text += `trace: failed in the model: ${f}\n`;
        text += `Percpu:         ${replay.meminfoPercpuKb} kB\n`;
        if (o.stats) text += '\n' + a.statsText();
      } else if (o.stats || modules.length) {
        const a = new PercpuAllocator(fc, { arch, kernel: o.kernel });
        const loads = modules.map((m) => ({ module: m.name, size: m.size, ...a.loadModule(m.name, m.size, m.align) }));
        extra = { modules: loads, log: a.log, meminfoPercpuKb: a.meminfoPercpuKb(), ...(o.stats ? { stats: a.stats() } : {}) };
        if (a.log.length) text += a.log.join('\n') + '\n';
        text += `Percpu:         ${a.meminfoPercpuKb()} kB\n`;
        if (o.stats) text += '\n' + a.statsText();
      }
      process.stdout.write(o.json ? JSON.stringify({ ...toJson(fc), ...extra }) + '\n' : text);
    });
}
