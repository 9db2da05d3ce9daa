// Defaults for the rules' profile: a distro x86_64 kernel (Debian 12: CONFIG_NR_CPUS=8192, boot line
// "Embedded 64 pages/cpu s225280 r8192 d28672 u262144") on a 64-CPU machine. The estimate and the
// editor settings override every field.
import type { RuleProfile } from './types';

export const DEFAULT_RULE_PROFILE: RuleProfile = {
  nrCpus: 8192,
  possibleCpus: 64,
  nrUnits: 64,
  cacheLine: 64,
  pageSize: 4096,
  unitSize: 262144,
  dynamicReserve: 28 << 10,
  moduleReserve: 8 << 10,
  instances: 2000,
  largeFraction: 0.25,
  ptrSize: 8,
};

export function ruleProfile(over: Partial<RuleProfile> = {}): RuleProfile {
  return { ...DEFAULT_RULE_PROFILE, ...over };
}

/** The profile of a configuration: its CPUs and cache line, and the reserves of its first chunk when there is one. */
export function profileFor(o: {
  nrCpus: number; possibleCpus: number; cacheLine: number; pageSize: number; ptrSize: number; instances: number; largeFraction?: number;
  firstChunk?: { nrUnits: number; unitSize: number; dynamic: number; reserved: number };
}): RuleProfile {
  const fc = o.firstChunk;
  return ruleProfile({
    nrCpus: o.nrCpus, possibleCpus: o.possibleCpus, nrUnits: fc?.nrUnits ?? o.possibleCpus, cacheLine: o.cacheLine, pageSize: o.pageSize,
    ptrSize: o.ptrSize, instances: o.instances, ...(o.largeFraction !== undefined ? { largeFraction: o.largeFraction } : {}),
    ...(fc ? { unitSize: fc.unitSize, dynamicReserve: fc.dynamic, moduleReserve: fc.reserved } : {}),
  });
}
