// Reads and checks the percpuLens.* settings. Pure (takes a getter) so it is unit-tested without vscode;
// bad values fall back to defaults and are reported, never thrown.
import { findArch } from '../core/config/arch';
import { DEFAULT_EXCLUDE } from '../core/estimate';
import { validCrossCompile } from '../core/estimate/compiledOrder';
import type { Settings } from './core';

export const SECTION = 'percpuLens';

export const DEFAULTS: Readonly<Settings> = Object.freeze({
  arch: 'x86_64', nrCpus: 512, possibleCpus: 512, include: [], exclude: [...DEFAULT_EXCLUDE],
  counts: {}, instances: 1,
});

/** `possibleAuto`: possible CPUs were left at 0, "as many as NR_CPUS" (which a .config may change) */
export interface ParsedSettings { settings: Settings; problems: string[]; possibleAuto?: boolean }

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;

/** `get(key)` returns the raw value of `percpuLens.<key>` or undefined. */
export function parseSettings(get: (key: string) => unknown): ParsedSettings {
  const problems: string[] = [];
  const s: Settings = { ...DEFAULTS, include: [...DEFAULTS.include], exclude: [...DEFAULTS.exclude], counts: {} };
  const bad = (key: string, why: string) => problems.push(`${SECTION}.${key}: ${why}; using the default`);

  const arch = get('arch');
  if (arch !== undefined) {
    const a = typeof arch === 'string' ? findArch(arch) : undefined;
    if (a) s.arch = a.name; else bad('arch', `unknown arch ${JSON.stringify(arch)}`);
  }
  const nr = get('nrCpus');
  if (nr !== undefined) { if (isInt(nr, 1, 1 << 16)) s.nrCpus = nr; else bad('nrCpus', 'expected an integer 1..65536'); }
  const pos = get('possibleCpus');
  // 0 (or unset) means "as many as NR_CPUS", the kernel's worst case
  if (pos === undefined || pos === 0) s.possibleCpus = s.nrCpus;
  else if (isInt(pos, 1, 1 << 16)) s.possibleCpus = Math.min(pos, s.nrCpus);
  else { bad('possibleCpus', 'expected an integer 0..65536'); s.possibleCpus = s.nrCpus; }
  if (pos !== undefined && isInt(pos, 1, 1 << 16) && pos > s.nrCpus) problems.push(`${SECTION}.possibleCpus: ${pos} > nrCpus ${s.nrCpus}; capped`);

  const cfg = get('configPath');
  if (typeof cfg === 'string' && cfg.trim()) s.configPath = cfg.trim();
  const kv = get('kernelVersion');
  if (typeof kv === 'string' && kv.trim()) {
    if (/^\d+\.\d+$/.test(kv.trim())) s.kernel = kv.trim(); else bad('kernelVersion', `expected X.Y, got ${JSON.stringify(kv)}`);
  }
  for (const key of ['include', 'exclude'] as const) {
    const v = get(key);
    if (v === undefined) continue;
    const l = strings(v);
    if (l) s[key] = l; else bad(key, 'expected an array of glob strings');
  }
  const counts = get('callsiteCounts');
  if (counts !== undefined) {
    if (counts && typeof counts === 'object' && !Array.isArray(counts)) {
      for (const [k, v] of Object.entries(counts as Record<string, unknown>)) {
        if (!/^[^:]+:\d+$/.test(k)) problems.push(`${SECTION}.callsiteCounts: key ${JSON.stringify(k)} is not file:line; ignored`);
        else if (!isInt(v, 0, 1e9)) problems.push(`${SECTION}.callsiteCounts: ${k} needs a count 0..1e9; ignored`);
        else s.counts[k] = v;
      }
    } else bad('callsiteCounts', 'expected an object of "file:line": count');
  }
  const inst = get('instances');
  if (inst !== undefined) { if (isInt(inst, 1, 1e6)) s.instances = inst; else bad('instances', 'expected an integer 1..1000000'); }
  const cc = get('crossCompile');
  if (cc !== undefined && cc !== null) {
    if (typeof cc === 'string' && validCrossCompile(cc.trim())) s.crossCompile = cc.trim();
    else bad('crossCompile', `expected a CROSS_COMPILE prefix such as "aarch64-linux-gnu-", got ${JSON.stringify(cc)}`);
  }
  const bd = get('buildDir');
  if (bd !== undefined && bd !== null) {
    if (typeof bd === 'string' && bd.trim()) s.buildDir = bd.trim();
    else bad('buildDir', `expected the path of a build folder, got ${JSON.stringify(bd)}`);
  }
  return { settings: s, problems, ...(pos === undefined || pos === 0 ? { possibleAuto: true } : {}) };
}

/** Status bar / title text of a profile: "x86_64 · 512 CPUs" (+ ".config" when one is used). */
export function profileLabel(s: Settings): string {
  const cpus = s.possibleCpus === s.nrCpus ? `${s.nrCpus} CPUs` : `${s.possibleCpus}/${s.nrCpus} CPUs`;
  const pages = s.pageShift !== undefined ? ` · ${(1 << s.pageShift) / 1024}K pages` : '';
  return `${s.arch} · ${cpus}${pages}${s.configPath ? ' · .config' : ''}`;
}
