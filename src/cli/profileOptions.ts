// The options `estimate` and `diff` share (DESIGN.md: diff takes "the estimate's profile options"),
// and one reading of them: the .config, the arch it refines, the scan cache folder.
import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { UsageError, parseIntOption, readFileOrUsage } from './errors';
import { ARCH_NAMES, findArch, type ArchProfile } from '../core/config/arch';
import { defaultConfig, parseDotConfig, resolveArch, type KConfig } from '../core/config/kconfig';
import { DEFAULT_EXCLUDE } from '../core/estimate';
import { DEFAULT_KERNEL } from '../core/defaults';
import { defaultCacheDir } from '../core/parse/cache';
import { parseCountsFile, type Counts } from '../core/estimate/counts';
import { compilerFor, configBuild, type CompilerOptions } from '../core/estimate/compiledOrder';

export interface ProfileOpts {
  arch?: string;
  config?: string;
  nrCpus?: number;
  cpus?: number;
  kernel?: string;
  counts?: string;
  instances?: number;
  include: string[];
  exclude: string[];
  rulesOn: string;
  rules: boolean;
  cache: boolean;
  cacheDir?: string;
  /** estimate's own (compiledOrder.ts) */
  crossCompile?: string;
  buildDir?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** Adds the profile, scan and rules options; `config` and `counts` describe the command's own default and lookup. */
export function profileOptions(cmd: Command, help: { config: string; counts: string; noRules: string }): Command {
  return cmd
    .option('--arch <arch>', `arch profile: ${ARCH_NAMES.join(', ')} (default: from .config, else x86_64)`)
    .option('--config <file>', help.config)
    .option('--nr-cpus <n>', 'NR_CPUS (default CONFIG_NR_CPUS)', parseIntOption('--nr-cpus', 1, 8192))
    .option('--cpus <n>', 'possible CPUs, nr_cpu_ids (default min(NR_CPUS, 8))', parseIntOption('--cpus', 1, 8192))
    .option('--kernel <X.Y>', `kernel version era for constants and linker order (default: the tree's Makefile, else ${DEFAULT_KERNEL})`)
    .option('--counts <file>', help.counts)
    .option('--instances <n>', 'instances of structs holding NR_CPUS arrays (e.g. 2000 modules)', parseIntOption('--instances', 0, 1e9))
    .option('--include <glob>', 'only scan files matching (repeatable)', collect, [])
    .option('--exclude <glob>', `skip files matching (repeatable; replaces the default ${DEFAULT_EXCLUDE.join(' ')})`, collect, [])
    .option('--rules-on <which>', 'files the rules read: built (by this config, default) or all', 'built')
    .option('--no-rules', help.noRules)
    .option('--cache-dir <dir>', 'where scan results are cached by file content (default: $XDG_CACHE_HOME or ~/.cache, /percpu-lens/scan)')
    .option('--no-cache', 'neither read nor write the scan cache');
}

export interface ResolvedProfile {
  arch: ArchProfile;
  config: KConfig;
  counts?: Counts;
  countWarnings: string[];
  rulesOn: 'built' | 'all';
  include: string[];
  exclude?: string[];
  cacheDir?: string;
  compiler?: CompilerOptions;
}

/** Checks the shared options and reads the .config (`--config`, else `dir`/.config) and the counts file. */
export function resolveProfileOptions(o: ProfileOpts, dir: string): ResolvedProfile {
  if (o.rulesOn !== 'built' && o.rulesOn !== 'all') throw new UsageError(`--rules-on must be built or all, got "${o.rulesOn}"`);
  if (o.kernel !== undefined && !/^\d+\.\d+$/.test(o.kernel)) throw new UsageError(`--kernel must look like 6.12, got "${o.kernel}"`);
  const cfgFile = o.config ?? (fs.existsSync(path.join(dir, '.config')) ? path.join(dir, '.config') : undefined);
  const cfg: KConfig | undefined = cfgFile ? parseDotConfig(readFileOrUsage(cfgFile, '.config'), cfgFile) : undefined;
  const requested = o.arch === undefined ? undefined : findArch(o.arch);
  if (o.arch !== undefined && !requested) throw new UsageError(`unknown arch "${o.arch}"; known: ${ARCH_NAMES.join(', ')}`);
  // the .config refines the word size (ARCH=powerpc with CONFIG_PPC32 is ppc32)
  const arch = resolveArch(requested, cfg) ?? findArch('x86_64')!;
  const counts = o.counts ? parseCountsFile(readFileOrUsage(o.counts, 'counts file')) : undefined;
  return {
    arch, config: cfg ?? defaultConfig(arch.name), ...(counts ? { counts: counts.counts } : {}), countWarnings: counts?.warnings ?? [],
    rulesOn: o.rulesOn, include: o.include, ...(o.exclude.length ? { exclude: o.exclude } : {}),
    ...(o.cache ? { cacheDir: path.resolve(o.cacheDir ?? defaultCacheDir()) } : {}),
    ...(o.crossCompile !== undefined || o.buildDir !== undefined ? { compiler: compilerOptions(o.crossCompile, o.buildDir, arch, cfgFile, dir) } : ownBuild(arch, cfgFile, dir)),
  };
}

/** Neither option: the objects of the .config's own build of this tree, or of the tree built in place under it (configBuild). */
function ownBuild(arch: ArchProfile, cfgFile: string | undefined, tree: string): { compiler?: CompilerOptions } {
  const c = configBuild(arch, cfgFile, tree);
  return c ? { compiler: c } : {};
}

/** estimate's --cross-compile and --build-dir (compilerFor): the build folder beside the default cache unless given. */
function compilerOptions(crossCompile: string | undefined, buildDir: string | undefined, arch: ArchProfile, cfgFile: string | undefined, tree: string): CompilerOptions {
  const c = compilerFor(crossCompile, arch, cfgFile, tree, path.dirname(defaultCacheDir()), buildDir);
  if (typeof c === 'string') throw new UsageError(`${crossCompile === undefined ? '--build-dir' : '--cross-compile'}: ${c}${cfgFile ? '' : ': give --config'}`);
  return c;
}
