// NR_CPUS as the estimate uses it: the caller's setting, else CONFIG_NR_CPUS, else a default.
// Both are user input (settings.json and .config are edited by hand): a value that is no CPU count
// (0, negative, "abc", 10^12) gets a warning and is skipped instead of flowing into every NR_CPUS
// array and the first-chunk model.
import type { KConfig } from '../config/kconfig';
import { DEFAULT_NR_CPUS, MAX_NR_CPUS } from '../defaults';

export { DEFAULT_NR_CPUS, MAX_NR_CPUS };

const valid = (v: number) => Number.isSafeInteger(v) && v >= 1 && v <= MAX_NR_CPUS;

export function resolveNrCpus(given: number | undefined, cfg: KConfig, warnings: string[]): number {
  if (given !== undefined) {
    if (valid(given)) return given;
    warnings.push(`NR_CPUS ${given} is not a CPU count from 1 to ${MAX_NR_CPUS}; ignored`);
  }
  const raw = cfg.values.get('CONFIG_NR_CPUS');
  if (raw === undefined) return DEFAULT_NR_CPUS;
  const t = raw.trim();
  const v = /^(\d+|0[xX][0-9a-fA-F]+)$/.test(t) ? Number(t) : NaN;
  if (valid(v)) return v;
  warnings.push(`CONFIG_NR_CPUS=${raw} in ${cfg.source} is not a CPU count from 1 to ${MAX_NR_CPUS}; using ${DEFAULT_NR_CPUS} (override with --nr-cpus)`);
  return DEFAULT_NR_CPUS;
}
