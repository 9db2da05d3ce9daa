import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { UsageError, parseIntOption, readFileOrUsage } from '../errors';
import { ARCH_NAMES, findArch } from '../../core/config/arch';
import { defaultConfig, parseDotConfig, resolveArch, KConfig } from '../../core/config/kconfig';
import { sampleTreePath } from '../../core/assets';
import { DEFAULT_EXCLUDE, DEFAULT_KERNEL, estimate } from '../../core/estimate';
import { defaultCacheDir } from '../../core/parse/cache';
import { baselineWasm, heapCompactor } from '../memory';
import { parseCountsFile, parseTrace, Counts } from '../../core/estimate/counts';
import type { TraceOp } from '../../core/sim/trace';
import { formatText } from '../../core/report/text';
import { estimateToSarif } from '../../core/report/estimateSarif';

interface Opts {
  arch?: string;
  config?: string;
  nrCpus?: number;
  cpus?: number;
  kernel?: string;
  counts?: string;
  trace?: string;
  instances?: number;
  include: string[];
  exclude: string[];
  top?: number;
  rulesOn: string;
  rules: boolean;
  json?: boolean;
  sarif?: boolean;
  cache: boolean;
  cacheDir?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];


export function register(program: Command): void {
  program
    .command('estimate')
    .description('estimate the per-CPU footprint of a kernel tree (default: the bundled sample tree)')
    .argument('[dir]', 'kernel tree')
    .option('--arch <arch>', `arch profile: ${ARCH_NAMES.join(', ')} (default: from .config, else x86_64)`)
    .option('--config <file>', '.config to evaluate Kbuild and #if against (default: DIR/.config if present)')
    .option('--nr-cpus <n>', 'NR_CPUS (default CONFIG_NR_CPUS)', parseIntOption('--nr-cpus', 1, 8192))
    .option('--cpus <n>', 'possible CPUs, nr_cpu_ids (default min(NR_CPUS, 8))', parseIntOption('--cpus', 1, 8192))
    .option('--kernel <X.Y>', `kernel version era for constants and linker order (default: the tree's Makefile, else ${DEFAULT_KERNEL})`)
    .option('--counts <file>', 'call-site counts: JSON {"file:line": n} or lines "file:line n"')
    .option('--trace <file>', 'ftrace output of the percpu:percpu_alloc_percpu tracepoint, for real call counts')
    .option('--instances <n>', 'instances of structs holding NR_CPUS arrays (e.g. 2000 modules)', parseIntOption('--instances', 0, 1e9))
    .option('--include <glob>', 'only scan files matching (repeatable)', collect, [])
    .option('--exclude <glob>', `skip files matching (repeatable; replaces the default ${DEFAULT_EXCLUDE.join(' ')})`, collect, [])
    .option('--rules-on <which>', 'files the rules read: built (by this config, default) or all', 'built')
    .option('--no-rules', 'skip the rules')
    .option('--top <n>', 'rows per table in the text report', parseIntOption('--top', 1, 1e6))
    .option('--cache-dir <dir>', 'where scan results are cached by file content (default: $XDG_CACHE_HOME or ~/.cache, /percpu-lens/scan)')
    .option('--no-cache', 'neither read nor write the scan cache')
    .option('--json', 'print one JSON document')
    .option('--sarif', 'print SARIF 2.1.0')
    .action(async (dir: string | undefined, o: Opts) => {
      if (o.json && o.sarif) throw new UsageError('--json and --sarif are exclusive');
      baselineWasm();
      if (o.rulesOn !== 'built' && o.rulesOn !== 'all') throw new UsageError(`--rules-on must be built or all, got "${o.rulesOn}"`);
      if (!/^\d+\.\d+$/.test(o.kernel ?? DEFAULT_KERNEL)) throw new UsageError(`--kernel must look like 6.12, got "${o.kernel}"`);
      const root = path.resolve(dir ?? sampleTreePath());
      if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`not a directory: ${root}`);
      const cfgFile = o.config ?? (fs.existsSync(path.join(root, '.config')) ? path.join(root, '.config') : undefined);
      let cfg: KConfig | undefined = cfgFile ? parseDotConfig(readFileOrUsage(cfgFile, '.config'), cfgFile) : undefined;
      const requested = o.arch === undefined ? undefined : findArch(o.arch);
      if (o.arch !== undefined && !requested) throw new UsageError(`unknown arch "${o.arch}"; known: ${ARCH_NAMES.join(', ')}`);
      // the .config refines the word size (ARCH=powerpc with CONFIG_PPC32 is ppc32)
      const arch = resolveArch(requested, cfg) ?? findArch('x86_64')!;
      cfg ??= defaultConfig(arch.name);
      let counts: Counts | undefined;
      const extra: string[] = [];
      if (o.counts) {
        const p = parseCountsFile(readFileOrUsage(o.counts, 'counts file'));
        counts = p.counts;
        extra.push(...p.warnings);
      }
      let trace: TraceOp[] | undefined;
      if (o.trace) {
        const t = parseTrace(readFileOrUsage(o.trace, 'trace file'));
        if (!t.events.length) throw new UsageError(`${o.trace}: no percpu_alloc_percpu events found`);
        trace = t.ops;
        extra.push(...t.warnings);
      }
      const progress = !o.json && !o.sarif && process.stderr.isTTY;
      const r = await estimate({
        root, arch, config: cfg, kernel: o.kernel, nrCpus: o.nrCpus, cpus: o.cpus, counts, trace, instances: o.instances,
        rules: o.rules, rulesOn: o.rulesOn as 'built' | 'all',
        include: o.include, exclude: o.exclude.length ? o.exclude : undefined,
        cacheDir: o.cache ? path.resolve(o.cacheDir ?? defaultCacheDir()) : undefined,
        compact: heapCompactor(),
        onProgress: progress ? (d, t, m) => process.stderr.write(`\r${m} ${d}/${t}   `) : undefined,
      });
      if (progress) process.stderr.write('\r\x1b[K');
      r.config.warnings.push(...extra);
      if (o.json) process.stdout.write(JSON.stringify(r, null, 1) + '\n');
      else if (o.sarif) process.stdout.write(JSON.stringify(estimateToSarif(r), null, 1) + '\n');
      else process.stdout.write(formatText(r, { top: o.top }));
    });
}
