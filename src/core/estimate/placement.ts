// Stage "placement": whether a finding's code is compiled under this config, and into what (built-in
// or a module, link order). Kbuild says which files are built; the finding's #if condition and the
// file's own macros say whether its line is.
import * as path from 'path';
import { evalCondition } from '../config/cppExpr';
import type { KConfig } from '../config/kconfig';
import { SRCARCH, type BuiltObject, type KbuildResult } from '../config/kbuild';
import type { LayoutEngine } from '../layout';
import type { Finding } from '../parse/types';
import { lineIsActive } from './emitOrder';

export type Placed = { obj: BuiltObject; reason?: undefined } | { obj?: undefined; reason: string };
export type Placement = (f: Finding) => Placed;

/** `condErrors` collects the #if conditions that could not be evaluated (taken as true). */
export function makePlacement(root: string, cfg: KConfig, kb: Pick<KbuildResult, 'objects' | 'byFile'>, layout: LayoutEngine, condErrors: string[]): Placement {
  const hasKbuild = kb.objects.length > 0;
  return (f) => {
    if (f.cond) {
      const r = evalCondition(f.cond, cfg);
      if (r === false) return { reason: `#if ${f.cond} is false under ${cfg.source}` };
      if (typeof r !== 'boolean') condErrors.push(`${f.file}:${f.line}: ${r.error}`);
    }
    if (!hasKbuild) return { obj: { file: f.file, status: 'builtin', order: 0, via: 'no Kbuild files: every file counted as built-in' } };
    const obj = kb.byFile.get(f.file);
    if (!obj) return { reason: f.file.endsWith('.h') ? 'defined in a header: placement depends on the files that include it' : 'file not built under this config (Kbuild)' };
    // every kind: an alloc_percpu under `#ifndef __ARCH_IRQ_STAT` is not compiled either
    if (f.cond && !lineIsActive(layout, path.join(root, f.file), f.line)) {
      return { reason: `#if ${f.cond} is false with the macros ${f.file} sees (e.g. __ARCH_IRQ_STAT from asm/hardirq.h)` };
    }
    return { obj };
  };
}

/**
 * The files whose code this config builds for this arch, for what has no placement of its own (the
 * rules, struct fields in the NR_CPUS table): built objects, headers under an include/ folder not of
 * another arch, and other headers beside (or one folder below) a built object. Undefined without
 * Kbuild files: every file counts.
 */
export function builtScope(kb: Pick<KbuildResult, 'objects' | 'byFile'>, arch: string): ((file: string) => boolean) | undefined {
  if (kb.objects.length === 0) return undefined;
  const otherArch = new RegExp(`^arch/(?!${SRCARCH[arch] ?? arch}/)`);
  const builtDirs = new Set(kb.objects.map((o) => path.posix.dirname(o.file)));
  return (f) => {
    if (kb.byFile.has(f)) return true;
    if (!f.endsWith('.h') || otherArch.test(f)) return false;
    if (/(?:^|\/)include\//.test(f)) return true;
    const dir = path.posix.dirname(f);
    return builtDirs.has(dir) || builtDirs.has(path.posix.dirname(dir));
  };
}
