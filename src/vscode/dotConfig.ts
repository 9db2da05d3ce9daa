// The few .config facts the editor needs to label a profile (the core reads the full .config itself).
import { findArch } from '../core/config/arch';

export interface DotConfigFacts { nrCpus?: number; arch?: string; smp?: boolean }

const ARCH_SYMBOLS: Array<[RegExp, string]> = [
  [/^CONFIG_X86_64=y$/m, 'x86_64'], [/^CONFIG_X86_32=y$/m, 'i386'], [/^CONFIG_ARM64=y$/m, 'arm64'],
  [/^CONFIG_PPC64=y$/m, 'ppc64'], [/^CONFIG_RISCV=y$/m, 'riscv64'], [/^CONFIG_S390=y$/m, 's390x'],
  [/^CONFIG_MIPS=y$/m, 'mips'], [/^CONFIG_ARM=y$/m, 'arm'],
];

export function readDotConfig(text: string): DotConfigFacts {
  const f: DotConfigFacts = {};
  const nr = /^CONFIG_NR_CPUS=(\d+)\s*$/m.exec(text);
  if (nr) f.nrCpus = Number(nr[1]);
  for (const [re, a] of ARCH_SYMBOLS) if (re.test(text) && findArch(a)) { f.arch = a; break; }
  if (/^CONFIG_SMP=y$/m.test(text)) f.smp = true;
  else if (/^# CONFIG_SMP is not set$/m.test(text)) { f.smp = false; f.nrCpus = 1; }
  return f;
}
