import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { profileOptions, resolveProfileOptions, type ProfileOpts } from '../profileOptions';
import { UsageError, parseIntOption, readFileOrUsage } from '../errors';
import { sampleTreePath } from '../../core/assets';
import { estimate } from '../../core/estimate';
import { wholeTreeRun, heapCompactor } from '../../core/memory';
import { parseTrace } from '../../core/estimate/counts';
import type { TraceOp } from '../../core/sim/trace';
import { formatText } from '../../core/report/text';
import { estimateToSarif } from '../../core/report/estimateSarif';

interface Opts extends ProfileOpts {
  trace?: string;
  top?: number;
  json?: boolean;
  sarif?: boolean;
  resultCache: boolean;
}


export function register(program: Command): void {
  const cmd = program
    .command('estimate')
    .description('estimate the per-CPU footprint of a kernel tree (default: the bundled sample tree)')
    .argument('[dir]', 'kernel tree');
  profileOptions(cmd, {
    config: '.config to evaluate Kbuild and #if against (default: DIR/.config if present)',
    counts: 'call-site counts: JSON {"file:line": n} or lines "file:line n"', noRules: 'skip the rules',
  })
    .option('--trace <file>', 'a boot\'s percpu:* trace: replayed for /proc/meminfo\'s Percpu:, its allocations counted per call site')
    .option('--top <n>', 'rows per table in the text report', parseIntOption('--top', 1, 1e6))
    .option('--json', 'print one JSON document')
    .option('--sarif', 'print SARIF 2.1.0')
    .option('--no-result-cache', 'run every stage even when the tree and options are those of a saved result (the other caches still serve)')
    .option('--cross-compile <prefix>', 'arm, arm64, powerpc: build the objects whose per-CPU order the model decides with the tree\'s own make and this gcc (as CROSS_COMPILE: aarch64-linux-gnu-; "" for the host gcc; auto: the host\'s or an installed Debian cross gcc for the arch) and take their real order; needs a .config')
    .option('--build-dir <dir>', 'an existing build of the tree (its O= folder, under the same .config): its up-to-date objects give the per-CPU order, read as they stand (make is never run there); with --cross-compile and a folder percpu-lens made or a new one, where it builds them (default: percpu-lens/kbuild/ARCH-HASH beside the cache). Without it, a --config that is a Kbuild build\'s own .config (O=DIR/.config, or the tree built in place) reads that build')
    .action(async (dir: string | undefined, o: Opts) => {
      if (o.json && o.sarif) throw new UsageError('--json and --sarif are exclusive');
      wholeTreeRun();
      const root = path.resolve(dir ?? sampleTreePath());
      if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`not a directory: ${root}`);
      const p = resolveProfileOptions(o, root);
      const extra: string[] = [...p.countWarnings];
      let trace: TraceOp[] | undefined;
      if (o.trace) {
        const t = parseTrace(readFileOrUsage(o.trace, 'trace file'));
        if (!t.events.length) throw new UsageError(`${o.trace}: no percpu_alloc_percpu events found`);
        trace = t.ops;
        extra.push(...t.warnings);
      }
      const progress = !o.json && !o.sarif && process.stderr.isTTY;
      const r = await estimate({
        root, arch: p.arch, config: p.config, kernel: o.kernel, nrCpus: o.nrCpus, cpus: o.cpus, counts: p.counts, trace, instances: o.instances,
        rules: o.rules, rulesOn: p.rulesOn, include: p.include, exclude: p.exclude, cacheDir: p.cacheDir, compiler: p.compiler,
        resultCache: o.resultCache, compact: heapCompactor(),
        onProgress: progress ? (d, t, m) => process.stderr.write(`\r\x1b[K${m}${t > 1 ? ` ${d}/${t}` : ''}`) : undefined,
      });
      if (progress) process.stderr.write('\r\x1b[K');
      r.config.warnings.push(...extra);
      if (o.json) process.stdout.write(JSON.stringify(r, null, 1) + '\n');
      else if (o.sarif) process.stdout.write(JSON.stringify(estimateToSarif(r), null, 1) + '\n');
      else process.stdout.write(formatText(r, { top: o.top }));
    });
}
