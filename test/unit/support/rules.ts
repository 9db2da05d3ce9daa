// Shared test helpers for the rules: fixtures, a stub SizeOf with sizes worked out by hand from
// the x86_64 psABI, and a profile with round numbers.
import * as fs from 'fs';
import * as path from 'path';
import { scanText } from '../../../src/core/parse';
import type { Finding } from '../../../src/core/parse/types';
import { ruleProfile } from '../../../src/core/rules/profile';
import type { FileRuleInput, RuleProfile, Sizer } from '../../../src/core/rules/types';

export const FIXTURES = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'rules');

/** x86_64: sizes and alignments as gcc lays them out (psABI; kernel typedefs resolved by hand). */
export const X86_64_SIZES: Record<string, number[]> = {
  char: [1, 1], int: [4, 4], 'unsigned int': [4, 4], long: [8, 8], 'unsigned long': [8, 8], u8: [1, 1], u16: [2, 2],
  u32: [4, 4], u64: [8, 8], bool: [1, 1], 'void *': [8, 8],
  atomic_t: [4, 4], atomic_long_t: [8, 8], refcount_t: [4, 4], local_t: [8, 8], 'struct kref': [4, 4],
  'struct list_head': [16, 8], spinlock_t: [4, 4], 'struct work_struct': [32, 8], 'wait_queue_head_t': [24, 8],
};

/**
 * A Sizer over the table: `[size, align]`, or `[size, align, bare]` for a type with its own aligned
 * attribute (bare = its size without it, worked out by hand). Definitions are found in `texts` by
 * name so PCPU001/PCPU004 can point at them; integer expressions are products of numbers and sizeof(T).
 */
export function stubSizer(extra: Record<string, number[]> = {}, texts: Map<string, string> = new Map()): Sizer {
  const t: Record<string, number[]> = { ...X86_64_SIZES, ...extra };
  const sizeOf = (type: string): { size: number; align: number } | { error: string } => {
    const ty = type.replace(/\s+/g, ' ').trim();
    const arr = /^char\[(\d+)\]$/.exec(ty);
    if (arr) return { size: Number(arr[1]), align: 1 };
    if (/\*$/.test(ty)) return { size: 8, align: 8 };
    const r = t[ty];
    return r ? { size: r[0], align: r[1] } : { error: `unknown type ${ty}` };
  };
  const evalInt = (e: string): number | { error: string } => {
    let v = 1;
    for (const part of e.split('*').map((x) => x.trim().replace(/^\((.*)\)$/, '$1').trim())) {
      const so = /^sizeof\s*\((.*)\)$/.exec(part);
      const n = so ? sizeOf(so[1]) : /^\d+$/.test(part) ? { size: Number(part), align: 1 } : { error: `cannot evaluate ${part}` };
      if ('error' in n) return n;
      v *= n.size;
    }
    return v;
  };
  const record = (type: string) => {
    const r = t[type.replace(/\s+/g, ' ').trim()];
    if (!r) return { error: `unknown type ${type}` };
    let at: { file?: string; line?: number } = {};
    for (const [file, text] of texts) {
      const m = new RegExp(`\\b${type.trim().replace(/\s+/, '\\s+')}\\s*\\{`).exec(text);
      if (m) { at = { file, line: text.slice(0, m.index).split('\n').length }; break; }
    }
    return { size: r[0], align: r[1], ownAlign: r[2] !== undefined ? r[1] : 0, bareSize: r[2] ?? r[0], ...at };
  };
  return { sizeOf, evalInt, record };
}

/** Round numbers: NR_CPUS 4096, 64 possible CPUs, 64-byte lines, 2000 instances. */
export const PROFILE: RuleProfile = ruleProfile({ nrCpus: 4096, possibleCpus: 64, nrUnits: 64, instances: 2000 });

/** The real scan's findings for one file (the rules read nothing else). */
export async function scan(text: string, file: string): Promise<Finding[]> {
  const r = await scanText(text, file);
  if (r.errors.length) throw new Error(`${file}: ${r.errors.join('; ')}`);
  return r.findings;
}

export async function fixture(name: string, sizes: Record<string, number[]> = {}, profile = PROFILE): Promise<FileRuleInput> {
  const file = name;
  const text = fs.readFileSync(path.join(FIXTURES, name), 'utf8');
  return { file, text, findings: await scan(text, file), profile, sizer: stubSizer(sizes, new Map([[file, text]])) };
}

/** 1-based line of the first line containing `marker`. */
export function lineOf(text: string, marker: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`marker ${marker} not in fixture`);
  return i + 1;
}
