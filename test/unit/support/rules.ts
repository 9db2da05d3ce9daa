// Shared test helpers for the rules: fixtures, a stub SizeOf with sizes worked out by hand from
// the x86_64 psABI, and a profile with round numbers.
import * as fs from 'fs';
import * as path from 'path';
import { scanText } from '../../../src/core/parse';
import type { Finding } from '../../../src/core/parse/types';
import { ruleProfile } from '../../../src/core/rules/profile';
import type { FileRuleInput, RuleProfile, SizeOf } from '../../../src/core/rules/types';

export const FIXTURES = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'rules');

/** x86_64: sizes and alignments as gcc lays them out (psABI; kernel typedefs resolved by hand). */
export const X86_64_SIZES: Record<string, [number, number]> = {
  char: [1, 1], int: [4, 4], 'unsigned int': [4, 4], long: [8, 8], 'unsigned long': [8, 8], u8: [1, 1], u16: [2, 2],
  u32: [4, 4], u64: [8, 8], bool: [1, 1], 'void *': [8, 8],
  atomic_t: [4, 4], atomic_long_t: [8, 8], refcount_t: [4, 4], local_t: [8, 8], 'struct kref': [4, 4],
  'struct list_head': [16, 8], spinlock_t: [4, 4], 'struct work_struct': [32, 8], 'wait_queue_head_t': [24, 8],
};

export function stubSizeOf(extra: Record<string, [number, number]> = {}): SizeOf {
  const t = { ...X86_64_SIZES, ...extra };
  return (type) => {
    const ty = type.replace(/\s+/g, ' ').trim();
    const arr = /^char\[(\d+)\]$/.exec(ty);
    if (arr) return { size: Number(arr[1]), align: 1 };
    if (/\*$/.test(ty)) return { size: 8, align: 8 };
    const r = t[ty];
    return r ? { size: r[0], align: r[1] } : { error: `unknown type ${ty}` };
  };
}

/** Round numbers: NR_CPUS 4096, 64 possible CPUs, 64-byte lines, 2000 instances. */
export const PROFILE: RuleProfile = ruleProfile({ nrCpus: 4096, possibleCpus: 64, nrUnits: 64, instances: 2000 });

/** The real scan's findings for one file (the rules read nothing else). */
export async function scan(text: string, file: string): Promise<Finding[]> {
  const r = await scanText(text, file);
  if (r.errors.length) throw new Error(`${file}: ${r.errors.join('; ')}`);
  return r.findings;
}

export async function fixture(name: string, sizes: Record<string, [number, number]> = {}, profile = PROFILE): Promise<FileRuleInput> {
  const file = name;
  const text = fs.readFileSync(path.join(FIXTURES, name), 'utf8');
  return { file, text, findings: await scan(text, file), profile, sizeOf: stubSizeOf(sizes) };
}

/** 1-based line of the first line containing `marker`. */
export function lineOf(text: string, marker: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`marker ${marker} not in fixture`);
  return i + 1;
}
