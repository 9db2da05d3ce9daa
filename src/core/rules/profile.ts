// Defaults for the rules' profile: the distro machine of core/defaults.ts with this kernel era's
// reserves. The estimate and the editor settings override every field.
import { DEFAULT_INSTANCES, DEFAULT_KERNEL, DISTRO_MACHINE } from '../defaults';
import { eraConstants, pcpuMinUnitSize } from '../sim/era';
import type { RuleProfile } from './types';

const era = eraConstants(DEFAULT_KERNEL, 64);

export const DEFAULT_RULE_PROFILE: RuleProfile = {
  nrCpus: DISTRO_MACHINE.nrCpus,
  possibleCpus: DISTRO_MACHINE.possibleCpus,
  nrUnits: DISTRO_MACHINE.possibleCpus,
  cacheLine: 64,
  pageSize: 4096,
  unitSize: DISTRO_MACHINE.unitSize,
  dynamicReserve: era.dynamicReserve,
  moduleReserve: era.moduleReserve,
  minUnitSize: pcpuMinUnitSize(DEFAULT_KERNEL, 4096),
  instances: DEFAULT_INSTANCES,
  largeFraction: 0.25,
  ptrSize: 8,
};

export function ruleProfile(over: Partial<RuleProfile> = {}): RuleProfile {
  return { ...DEFAULT_RULE_PROFILE, ...over };
}

/** The profile of a configuration: its CPUs and cache line, and the reserves of its first chunk when there is one. */
export function profileFor(o: {
  nrCpus: number; possibleCpus: number; cacheLine: number; pageSize: number; ptrSize: number; instances: number; largeFraction?: number;
  kernel?: string;
  firstChunk?: { nrUnits: number; unitSize: number; dynamic: number; reserved: number };
}): RuleProfile {
  const fc = o.firstChunk;
  return ruleProfile({
    nrCpus: o.nrCpus, possibleCpus: o.possibleCpus, nrUnits: fc?.nrUnits ?? o.possibleCpus, cacheLine: o.cacheLine, pageSize: o.pageSize,
    ptrSize: o.ptrSize, instances: o.instances, minUnitSize: pcpuMinUnitSize(o.kernel ?? DEFAULT_KERNEL, o.pageSize), ...(o.largeFraction !== undefined ? { largeFraction: o.largeFraction } : {}),
    ...(fc ? { unitSize: fc.unitSize, dynamicReserve: fc.dynamic, moduleReserve: fc.reserved } : {}),
  });
}
