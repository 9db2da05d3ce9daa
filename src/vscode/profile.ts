// The one profile in force (arch, NR_CPUS, possible CPUs, page size, the .config), resolved here
// from the settings and the .config they name. The status bar, hints, hovers, diagnostics, the
// estimate and the chunk map all read this result, so they cannot disagree. No vscode import.
import * as path from 'path';
import { ARCHES, type ArchName } from '../core/config/arch';
import { archOfConfig, configInt, isNotSet, isSet, parseDotConfig } from '../core/config/kconfig';
import type { Settings } from './core';
import type { ParsedSettings } from './settings';

export interface ConfigFacts {
  /** the arch the file was made for, from its symbols or (a defconfig fragment) its arch/X/configs path */
  arch?: ArchName;
  /** CONFIG_64BIT, when the file says (a full .config always does) */
  is64?: boolean;
  nrCpus?: number;
  smp?: boolean;
  pageShift?: number;
  /** not a full .config written by Kconfig (a defconfig fragment): unset symbols are not "n" there */
  fragment: boolean;
}

/** Kconfig's own first lines: a full .config (also /boot/config-*), not a fragment. */
const FULL = /^#\n# Automatically generated file; DO NOT EDIT\.\n/;

/**
 * The arch of arch/<srcarch>/configs/<name>, from the arch table's srcArch; where one folder holds a
 * 32- and a 64-bit profile, the name decides (x86_64_defconfig, i386_defconfig, ppc64_defconfig),
 * else it is left unknown.
 */
function archOfFragmentPath(file: string): ArchName | undefined {
  const m = /(?:^|\/)arch\/([^/]+)\/configs\/([^/]+)$/.exec(file.split(path.sep).join('/'));
  if (!m) return undefined;
  const [, dir, name] = m;
  const arches = (Object.keys(ARCHES) as ArchName[]).filter((a) => ARCHES[a].srcArch === dir);
  if (arches.length <= 1) return arches[0];
  const bits = /64|pseries|powernv/.test(name) ? 64 : /i386|32/.test(name) ? 32 : undefined;
  return bits === undefined ? undefined : arches.find((a) => ARCHES[a].bits === bits);
}

export function configFacts(text: string, file: string): ConfigFacts {
  const cfg = parseDotConfig(text, file);
  const fragment = !FULL.test(text);
  const f: ConfigFacts = { fragment };
  const arch = archOfConfig(cfg) ?? archOfFragmentPath(file);
  if (arch) f.arch = arch;
  if (isSet(cfg, 'CONFIG_64BIT')) f.is64 = true;
  else if (!fragment || isNotSet(cfg, 'CONFIG_64BIT')) f.is64 = false;
  if (isSet(cfg, 'CONFIG_SMP')) f.smp = true;
  else if (!fragment || isNotSet(cfg, 'CONFIG_SMP')) f.smp = false;
  const nr = configInt(cfg, 'CONFIG_NR_CPUS');
  if (f.smp === false) f.nrCpus = 1;
  else if (nr !== undefined) f.nrCpus = nr;
  // CONFIG_PAGE_SHIFT since 6.9 on every arch; the arch's own symbols before that
  const shift = configInt(cfg, 'CONFIG_PAGE_SHIFT') ?? configInt(cfg, 'CONFIG_ARM64_PAGE_SHIFT') ?? configInt(cfg, 'CONFIG_PPC_PAGE_SHIFT')
    ?? (isSet(cfg, 'CONFIG_ARM64_64K_PAGES') || isSet(cfg, 'CONFIG_PPC_64K_PAGES') || isSet(cfg, 'CONFIG_PAGE_SIZE_64KB') ? 16
      : isSet(cfg, 'CONFIG_ARM64_16K_PAGES') || isSet(cfg, 'CONFIG_PAGE_SIZE_16KB') ? 14 : undefined);
  if (shift !== undefined) f.pageShift = shift;
  return f;
}

export interface Profile {
  arch: ArchName;
  nrCpus: number;
  possibleCpus: number;
  pageSize: number;
  /** absolute path of the .config in force; absent when none is set or it was refused */
  configPath?: string;
  /** where NR_CPUS came from */
  nrCpusFrom: 'setting' | '.config';
  /** why a .config was refused, or what is odd about it; shown in the status bar */
  problems: string[];
}

export interface ResolvedProfile { profile: Profile; settings: Settings }

/**
 * Applies the .config the settings name: it must be for the selected arch (else it is refused and
 * the settings alone apply); its CONFIG_NR_CPUS wins over the setting; its page size is used.
 * `read` returns the file's text or throws; `root` resolves a relative path.
 */
export function resolveProfile(parsed: ParsedSettings, read: (file: string) => string, root?: string): ResolvedProfile {
  const s = parsed.settings;
  const arch = ARCHES[s.arch as ArchName] ?? ARCHES.x86_64;
  const problems: string[] = [];
  let nrCpus = s.nrCpus;
  let nrCpusFrom: Profile['nrCpusFrom'] = 'setting';
  let pageShift = arch.pageShift;
  let configPath: string | undefined;
  if (s.configPath) {
    const file = path.isAbsolute(s.configPath) || !root ? s.configPath : path.join(root, s.configPath);
    let facts: ConfigFacts | undefined;
    try {
      facts = configFacts(read(file), file);
    } catch (e) {
      problems.push(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; the .config is not used`);
    }
    if (facts) {
      const refuse = facts.arch && facts.arch !== arch.name ? `${file} is a ${facts.arch} .config but the arch profile is ${arch.name}`
        : facts.is64 !== undefined && facts.is64 !== (arch.bits === 64) ? `${file} is a ${facts.is64 ? '64' : '32'}-bit .config (CONFIG_64BIT) but ${arch.name} is ${arch.bits}-bit`
          : undefined;
      if (refuse) problems.push(`${refuse}: the .config is not used (choose it again to switch arch, or clear it)`);
      else {
        configPath = file;
        if (!facts.arch) problems.push(`cannot tell which arch ${file} was made for (no CONFIG_X86_64, CONFIG_ARM64, CONFIG_PPC64, ...): read as ${arch.name}`);
        if (facts.fragment) problems.push(`${file} is a defconfig fragment, not a full .config: symbols it does not list count as unset (make defconfig writes the full one)`);
        if (facts.nrCpus !== undefined) { nrCpus = facts.nrCpus; nrCpusFrom = '.config'; }
        if (facts.pageShift !== undefined) {
          if (arch.pageShifts.includes(facts.pageShift)) pageShift = facts.pageShift;
          else problems.push(`${file}: page shift ${facts.pageShift} is not one ${arch.name} supports; using ${arch.pageShift}`);
        }
      }
    }
  }
  const possibleCpus = parsed.possibleAuto ? nrCpus : Math.min(s.possibleCpus, nrCpus);
  const profile: Profile = { arch: arch.name, nrCpus, possibleCpus, pageSize: 1 << pageShift, nrCpusFrom, problems, ...(configPath ? { configPath } : {}) };
  const { configPath: _c, ...rest } = s;
  const settings: Settings = { ...rest, arch: arch.name, nrCpus, possibleCpus, ...(configPath ? { configPath } : {}),
    ...(pageShift !== arch.pageShift ? { pageShift } : {}) };
  return { profile, settings };
}

const kib = (n: number) => (n >= 1024 ? `${n / 1024}K` : `${n} B`);

/** The status bar's tooltip: every field of the profile and where it came from. */
export function profileDetails(p: Profile): string {
  return [
    `arch ${p.arch}`,
    `NR_CPUS ${p.nrCpus} (${p.nrCpusFrom === '.config' ? 'CONFIG_NR_CPUS of the .config' : 'setting percpuLens.nrCpus'})`,
    `possible CPUs ${p.possibleCpus}`,
    `page size ${kib(p.pageSize)}`,
    `.config ${p.configPath ?? '(none)'}`,
    ...p.problems.map((x) => `⚠ ${x}`),
  ].join('\n');
}
