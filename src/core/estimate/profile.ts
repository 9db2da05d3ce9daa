// Stage 1 of the estimate (and of the editor's session): the machine being priced. NR_CPUS and the
// possible CPUs are checked once here (resolveNrCpus), so every later stage and every entry point
// uses the same numbers.
import type { ArchProfile } from '../config/arch';
import { cacheLineOf, isSet, pageSizeOf, type KConfig } from '../config/kconfig';
import { DEFAULT_INSTANCES, DEFAULT_KERNEL, DEFAULT_POSSIBLE_CPUS } from '../defaults';
import { treeKernelVersion } from '../config/treeVersion';
import { resolveNrCpus } from './nrCpus';

export interface Profile {
  arch: ArchProfile;
  config: KConfig;
  kernel: string;
  nrCpus: number;
  /** possible CPUs (nr_cpu_ids) */
  possible: number;
  smp: boolean;
  modules: boolean;
  pageSize: number;
  cacheLine: number;
  instances: number;
  /** the config's warnings and what this stage found */
  warnings: string[];
}

export interface ProfileInput {
  arch: ArchProfile;
  config: KConfig;
  /** default: the tree's Makefile version (when `root` is given), else DEFAULT_KERNEL */
  kernel?: string;
  root?: string;
  nrCpus?: number;
  cpus?: number;
  instances?: number;
  /** possible CPUs above NR_CPUS are capped as the kernel caps nr_cpu_ids (the editor), not only warned about */
  capCpus?: boolean;
}

export function resolveProfile(o: ProfileInput): Profile {
  const cfg = o.config;
  const warnings = [...cfg.warnings];
  const nrCpus = resolveNrCpus(o.nrCpus, cfg, warnings);
  let possible = o.cpus ?? Math.min(nrCpus, DEFAULT_POSSIBLE_CPUS);
  if (o.cpus === undefined) warnings.push(`possible CPUs not given: assuming ${possible} (use --cpus)`);
  if (o.capCpus) possible = Math.min(possible, nrCpus);
  else if (possible > nrCpus) warnings.push(`possible CPUs (${possible}) exceed NR_CPUS (${nrCpus}); the kernel would cap nr_cpu_ids at NR_CPUS`);
  return {
    arch: o.arch, config: cfg, kernel: o.kernel ?? (o.root === undefined ? undefined : treeKernelVersion(o.root)) ?? DEFAULT_KERNEL, nrCpus, possible,
    smp: isSet(cfg, 'CONFIG_SMP'), modules: isSet(cfg, 'CONFIG_MODULES'),
    pageSize: pageSizeOf(cfg, o.arch), cacheLine: cacheLineOf(cfg, o.arch), instances: o.instances ?? DEFAULT_INSTANCES, warnings,
  };
}
