import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_KERNEL } from '../../core/defaults';
import type { Command } from 'commander';
import { UsageError, parseIntOption, readFileOrUsage } from '../errors';
import { ARCH_NAMES, findArch } from '../../core/config/arch';
import { archOfConfig, defaultConfig, parseDotConfig, KConfig } from '../../core/config/kconfig';
import { DEFAULT_EXCLUDE } from '../../core/estimate';
import { defaultCacheDir } from '../../core/parse/cache';
import { baselineWasm, heapCompactor } from '../memory';
import { parseCountsFile, Counts } from '../../core/estimate/counts';
import {
  diffEstimates, diffToSarif, formatDiffMarkdown, formatDiffText, fromGit, fromPatch, fromTrees, fromWorkingTree, InputError, Materialised,
} from '../../core/estimate/diff';

interface Opts {
  git?: boolean;
  workingTree?: boolean;
  patch?: string;
  strip: number;
  arch?: string;
  config?: string;
  nrCpus?: number;
  cpus?: number;
  kernel?: string;
  counts?: string;
  instances?: number;
  include: string[];
  exclude: string[];
  rules: boolean;
  rulesOn: string;
  json?: boolean;
  markdown?: boolean;
  sarif?: boolean;
  cache: boolean;
  cacheDir?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];


function materialise(args: string[], o: Opts): Materialised {
  try {
    if (o.git && o.patch) throw new UsageError('--git and --patch are exclusive');
    if (o.workingTree) {
      if (!o.git || args.length < 1 || args.length > 2) throw new UsageError('--working-tree goes with --git and one revision: diff --git A --working-tree [DIR]');
      return fromWorkingTree(args[0], path.resolve(args[1] ?? '.'));
    }
    if (o.git) {
      if (args.length < 2 || args.length > 3) throw new UsageError('--git takes two revisions and an optional folder: diff --git A B [DIR]');
      return fromGit(args[0], args[1], path.resolve(args[2] ?? '.'));
    }
    if (o.patch) {
      if (args.length > 1) throw new UsageError('--patch FILE takes one optional folder: diff --patch FILE [DIR]');
      return fromPatch(o.patch, path.resolve(args[0] ?? '.'), o.strip);
    }
    if (args.length !== 2) throw new UsageError('diff needs OLD and NEW folders, or --git A B [DIR], or --patch FILE [DIR]');
    return fromTrees(args[0], args[1]);
  } catch (e) {
    if (e instanceof InputError) throw new UsageError(e.message);
    throw e;
  }
}

export function register(program: Command): void {
  program
    .command('diff')
    .description('the per-CPU cost of a change: two trees, two git revisions (--git A B [DIR]) or a tree plus a patch (--patch FILE [DIR])')
    .argument('[args...]', 'OLD NEW | A B [DIR] with --git | A [DIR] with --git --working-tree | [DIR] with --patch')
    .option('--git', 'compare two revisions of the git repository holding DIR (default .); the checkout is not touched')
    .option('--working-tree', 'with --git A [DIR]: revision A against the working tree as it is (uncommitted and untracked files included)')
    .option('--patch <file>', 'a patch or mbox as mailed; applied to copies of the files it touches')
    .option('-p, --strip <n>', 'leading path components to strip from patch paths', parseIntOption('--strip', 0, 64), 1)
    .option('--arch <arch>', `arch profile: ${ARCH_NAMES.join(', ')} (default: from .config, else x86_64)`)
    .option('--config <file>', '.config for both sides (default: the .config in OLD, or in DIR, if present)')
    .option('--nr-cpus <n>', 'NR_CPUS (default CONFIG_NR_CPUS)', parseIntOption('--nr-cpus', 1, 8192))
    .option('--cpus <n>', 'possible CPUs (default min(NR_CPUS, 8))', parseIntOption('--cpus', 1, 8192))
    .option('--kernel <X.Y>', `kernel version era for constants and linker order (default: the tree's Makefile, else ${DEFAULT_KERNEL})`)
    .option('--counts <file>', 'call-site counts: JSON {"file:line": n} or lines "file:line n" (looked up by each side\'s own line numbers)')
    .option('--instances <n>', 'instances of structs holding NR_CPUS arrays (e.g. 2000 modules)', parseIntOption('--instances', 0, 1e9))
    .option('--include <glob>', 'only scan files matching (repeatable)', collect, [])
    .option('--exclude <glob>', `skip files matching (repeatable; replaces the default ${DEFAULT_EXCLUDE.join(' ')})`, collect, [])
    .option('--rules-on <which>', 'files the rules read: built (by this config, default) or all', 'built')
    .option('--no-rules', 'skip the rules (no diagnostics compared)')
    .option('--cache-dir <dir>', 'scan cache folder (default: $XDG_CACHE_HOME or ~/.cache, /percpu-lens/scan)')
    .option('--no-cache', 'neither read nor write the scan cache')
    .option('--json', 'print one JSON document')
    .option('--markdown', 'print Markdown for a CI comment')
    .option('--sarif', 'print SARIF 2.1.0 of the diagnostics the change introduces')
    .action(async (args: string[], o: Opts) => {
      if ([o.json, o.markdown, o.sarif].filter(Boolean).length > 1) throw new UsageError('--json, --markdown and --sarif are exclusive');
      if (o.rulesOn !== 'built' && o.rulesOn !== 'all') throw new UsageError(`--rules-on must be built or all, got "${o.rulesOn}"`);
      if (o.kernel !== undefined && !/^\d+\.\d+$/.test(o.kernel)) throw new UsageError(`--kernel must look like 6.12, got "${o.kernel}"`);
      baselineWasm();
      const m = materialise(args, o);
      // an interrupted run still removes its temporary folder
      const onSignal = (sig: NodeJS.Signals) => {
        m.cleanup();
        process.exit(sig === 'SIGINT' ? 130 : 143);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        // the .config of the folder the user named (OLD in trees mode, else DIR)
        const userDir = path.resolve((o.workingTree ? args[1] : o.git ? args[2] : o.patch ? args[0] : args[0]) ?? '.');
        const cfgFile = o.config ?? (fs.existsSync(path.join(userDir, '.config')) ? path.join(userDir, '.config') : undefined);
        let cfg: KConfig | undefined = cfgFile ? parseDotConfig(readFileOrUsage(cfgFile, '.config'), cfgFile) : undefined;
        const archName = o.arch ?? (cfg && archOfConfig(cfg)) ?? 'x86_64';
        const arch = findArch(archName);
        if (!arch) throw new UsageError(`unknown arch "${archName}"; known: ${ARCH_NAMES.join(', ')}`);
        cfg ??= defaultConfig(arch.name);
        let counts: Counts | undefined;
        if (o.counts) counts = parseCountsFile(readFileOrUsage(o.counts, 'counts file')).counts;
        const r = await diffEstimates(m, {
          arch, config: cfg, kernel: o.kernel, nrCpus: o.nrCpus, cpus: o.cpus, counts, instances: o.instances,
          rules: o.rules, rulesOn: o.rulesOn as 'built' | 'all',
          include: o.include, exclude: o.exclude.length ? o.exclude : undefined,
          cacheDir: o.cache ? path.resolve(o.cacheDir ?? defaultCacheDir()) : undefined,
          compact: heapCompactor(),
        });
        if (o.json) process.stdout.write(JSON.stringify(r, null, 1) + '\n');
        else if (o.sarif) process.stdout.write(JSON.stringify(diffToSarif(r), null, 1) + '\n');
        else if (o.markdown) process.stdout.write(formatDiffMarkdown(r));
        else process.stdout.write(formatDiffText(r));
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        m.cleanup();
      }
    });
}
