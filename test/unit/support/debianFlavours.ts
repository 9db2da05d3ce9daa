// Debian 6.12 flavours the recorded boots (test/fixtures/boots) come from: the arch profile and what
// their .config says (config-6.12.118+deb12-*: page size, CONFIG_NR_CPUS).
import { ARCHES, ArchProfile } from '../../../src/core/config/arch';

export const FLAVOURS: Record<string, { arch: ArchProfile; pageSize: number; nrCpus: number }> = {
  amd64: { arch: ARCHES.x86_64, pageSize: 4096, nrCpus: 8192 },
  arm64: { arch: ARCHES.arm64, pageSize: 4096, nrCpus: 512 },
  'arm64-16k': { arch: ARCHES.arm64, pageSize: 16384, nrCpus: 512 },
  powerpc64le: { arch: ARCHES.ppc64, pageSize: 4096, nrCpus: 2048 },
  'powerpc64le-64k': { arch: ARCHES.ppc64, pageSize: 65536, nrCpus: 2048 },
  armmp: { arch: ARCHES.arm, pageSize: 4096, nrCpus: 8 },
};
