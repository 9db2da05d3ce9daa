// The few .config facts the editor needs to label a profile (the core reads the full .config itself).
import { archOfConfig, configInt, isNotSet, parseDotConfig } from '../core/config/kconfig';

export interface DotConfigFacts { nrCpus?: number; arch?: string; smp?: boolean }

export function readDotConfig(text: string): DotConfigFacts {
  const cfg = parseDotConfig(text, '.config');
  const f: DotConfigFacts = {};
  const nr = configInt(cfg, 'CONFIG_NR_CPUS');
  if (nr !== undefined) f.nrCpus = nr;
  const arch = archOfConfig(cfg);
  if (arch) f.arch = arch;
  if (cfg.values.get('CONFIG_SMP') === 'y') f.smp = true;
  else if (isNotSet(cfg, 'CONFIG_SMP')) { f.smp = false; f.nrCpus = 1; }
  return f;
}
