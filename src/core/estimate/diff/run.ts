// Runs the estimate on both sides under one profile. NEW over an overlay re-uses OLD's scan: only
// the changed files are scanned again (from the overlay folder, through the content cache), and the
// estimate reads every other file from OLD's tree.
import * as path from 'path';
import picomatch from 'picomatch';
import * as fs from 'fs';
import { cachedEstimate, cachedParts, cachedScan, DEFAULT_EXCLUDE, estimate, EstimateOptions, EstimateResult, prepareInputs, Prepared, reuseSession, speculate } from '..';
import { functionDefines } from '../wrappers';
import { includedObjects, kbuildCond, localIncludeDirectives } from '../../config/kbuild';
import { freshness, membersOnlyEdit, reachesCallers, ReuseMiss, sameDirectives, type Parts, type Reuse } from '../reuse';
import { headerShapeOf } from '../../layout/typeIndex';
import { withOverlay, Overlay } from '../../overlay';
import { readText } from '../../readText';
import { DEFAULT_INCLUDE } from '../../parse/scanTree';
import { scanFile } from '../../parse/scanFile';
import type { ScanResult } from '../../parse/types';
import type { Materialised } from './materialise';
import type { TreeStamp } from '../resultCache';
import { PhaseClock } from '../phases';

export type DiffEstimateOptions = Omit<EstimateOptions, 'root' | 'scan' | 'onScan' | 'prepared' | 'onPrepared' | 'reuse' | 'onParts'> & {
  /** EstimateOptions.compact for NEW re-using the saved parts, a short run (default `compact`) */
  compactShort?: () => void;
};

export interface DiffRun {
  before: EstimateResult;
  after: EstimateResult;
  /** files the overlay side replaced; undefined for two separate trees */
  changedFiles?: string[];
  /** a file's text on either side ('' when absent) */
  textOf: (side: 'old' | 'new', file: string) => string;
  ms: { old: number; new: number; rescan: number };
  /** wall ms of the steps of a run whose OLD came from the saved result (stamp, saved, session, ...) */
  phases?: Record<string, number>;
  /** why NEW read Kbuild and the headers again instead of re-using OLD's (undefined: it re-used them) */
  notShared?: string;
  /** NEW took OLD's per-file results for the files the change cannot reach; how many files it redid */
  reused?: { fresh: number };
}

/**
 * OLD's per-file results as NEW's reuse (reuse.ts), or undefined when NEW must be estimated whole:
 * a trace (attributed across files), or a changed file that is not an existing .c or .h of OLD's tree
 * (an added file may be what an #include of OLD did not find; a .S changes the rules' asm symbols).
 */
export function reuseFor(parts: Parts | undefined, root: string, ov: Overlay, o: DiffEstimateOptions, cacheDir?: string): Reuse | undefined {
  if (!parts || o.trace) return undefined;
  const changed = [...ov.files.keys()];
  const ok = (f: string) => /\.[ch]$/.test(f) && ov.files.get(f) !== null && fs.existsSync(path.join(root, f));
  if (!changed.every(ok)) return undefined;
  const read = (p: string) => { try { return readText(p, 'utf8'); } catch { return undefined; } };
  // a header edit that changes only record members counts by what read the header; any other is
  // followed through the include graph
  const membersOnly = membersOnlyEdit(parts);
  const { fresh } = freshness(parts, changed, (f) => {
    const a = read(path.join(root, f));
    return a !== undefined && membersOnly(f, headerShapeOf(a), read(ov.files.get(f)!));
  });
  // sites priced at their callers: redone when the change may reach a caller; the macros calling their
  // functions are the saved ones, so a change to a header's function-like macros there means NEW whole
  const texts = (f: string) => [read(path.join(root, f)), read(ov.files.get(f)!)];
  const callersReached = reachesCallers(parts, changed, texts);
  const macros = (t: string | undefined) => (t === undefined ? undefined : JSON.stringify([...functionDefines(t)].map((m) => m.slice(1))));
  if (callersReached.size && changed.some((f) => { const [a, b] = texts(f); return macros(a) !== macros(b); })) return undefined;
  const includesHold = changed.every((f) => { const [a, b] = texts(f); return a !== undefined && b !== undefined && sameDirectives(a, b); });
  return { parts, changed: new Set(changed), fresh, redone: new Set(), callersReached, includesHold, ...(cacheDir !== undefined ? { cacheDir } : {}) };
}

/**
 * Why OLD's Kbuild reading, type index and wrapper findings cannot serve NEW, or undefined when
 * they can: the change touches no build file, no file that defines or uses a per-CPU wrapper
 * macro (those findings come from whole-tree expansion) and no built file's local #include lines
 * (Kbuild builds those files with it). The type index itself is refreshed for the changed files
 * (LayoutEngine.refresh). `includesCompared`: the caller compares what Kbuild builds from a file's
 * local #includes with the saved objects (editReuse.ts), else the versions' are compared here, their
 * #if lines read with `cond` (kbuildCond; without it any local #include counts);
 * `rewraps(f)`: the caller reads f's wrapper macro uses again (editReuse.ts); `built(f)`: whether
 * Kbuild builds f on its own (default: every file).
 */
export function whyNotShared(changed: string[], wrapperNames: ReadonlySet<string>, versions: (file: string) => string[], o: { includesCompared?: boolean; rewraps?: (file: string) => boolean; built?: (file: string) => boolean; cond?: (e: string) => boolean } = {}): string | undefined {
  const use = wrapperNames.size ? new RegExp(`\\b(?:${[...wrapperNames].join('|')})\\s*\\(`) : undefined;
  const defines = /^[ \t]*#[ \t]*define\b(?:[^\n]*\\\n)*[^\n]*\bDEFINE_PER_CPU/m;
  for (const f of changed) {
    const b = path.basename(f);
    if (/^(?:Makefile|Kbuild|Kconfig)|\.mk$|^\.config$/.test(b)) return `${f} is a build file`;
    if (!/\.[ch]$/.test(f)) continue;
    const vs = versions(f);
    for (const t of vs) {
      if (use?.test(t) && !o.rewraps?.(f)) return `${f} uses a per-CPU wrapper macro`;
      if (defines.test(t)) return `${f} defines a per-CPU wrapper macro`;
    }
    // Kbuild builds a built file's local #include "x.c"/"x.h" into its object: versions including
    // other such files, or at other lines, build something else with it (a patch adding `#include
    // "x.h"` to a built file took OLD's Kbuild and left x.h's per-CPU variables out)
    if (o.includesCompared || !(o.built?.(f) ?? true)) continue;
    if (!o.cond || vs.length < 2) { if (vs.some((t) => localIncludeDirectives(t))) return `${f} #includes files built with it`; continue; }
    // every name counts, whether the file exists on disk or not (NEW's may exist only in the patch)
    const objects = (t: string) => { const d = localIncludeDirectives(t); return JSON.stringify(d ? includedObjects(f, d, o.cond, () => true, () => false) : []); };
    if (new Set(vs.map(objects)).size > 1) return `${f} changes its local #includes`;
  }
  return undefined;
}

/** whyNotShared's `built`: a file Kbuild builds on its own (not one #included by another), by `objects`; every file when none (a tree without Kbuild) */
function builtIn(objects: readonly { file: string; includedFrom?: string }[]): (file: string) => boolean {
  if (!objects.length) return () => true;
  const own = new Set(objects.flatMap((x) => (x.includedFrom === undefined ? [x.file] : [])));
  return (f) => own.has(f);
}

/** OLD's scan with the overlay's files scanned again from their new text (deleted ones dropped). */
export async function rescanOverlay(scan: ScanResult, ov: Overlay, o: { include?: string[]; exclude?: string[]; cacheDir?: string }): Promise<ScanResult> {
  const inc = picomatch(o.include?.length ? o.include : DEFAULT_INCLUDE, { dot: true });
  const exc = picomatch(o.exclude ?? [...DEFAULT_EXCLUDE], { dot: true });
  const changed = new Set(ov.files.keys());
  const findings = scan.findings.filter((f) => !changed.has(f.file));
  const errors = scan.errors.filter((e) => !changed.has(e.file));
  const accessors = new Set((scan.accessorFiles ?? []).filter((f) => !changed.has(f)));
  for (const [rel, to] of ov.files) {
    if (to === null || !inc(rel) || exc(rel)) continue;
    // the overlay folder holds the file at the same relative path
    const base = to.slice(0, to.length - rel.length);
    const r = await scanFile(base, rel, { maxFileBytes: 8 * 1024 * 1024, parseTimeoutMs: 10000, cacheDir: o.cacheDir });
    findings.push(...r.findings);
    for (const m of r.errors) errors.push({ file: rel, message: m });
    if (r.accessors) accessors.add(rel);
  }
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
  return { ...scan, findings, errors, accessorFiles: [...accessors].sort() };
}

export async function runDiff(m: Materialised, o: DiffEstimateOptions): Promise<DiffRun> {
  const sides = [m.old, m.new];
  const textOf = (side: 'old' | 'new', file: string): string => {
    const s = side === 'old' ? m.old : m.new;
    let p = path.join(s.root, file);
    if (s.overlay?.files.has(file)) {
      const to = s.overlay.files.get(file);
      if (to === null || to === undefined) return '';
      p = to;
    }
    try {
      return readText(p, 'utf8');
    } catch {
      return '';
    }
  };
  const onDisk = (root: string, file: string) => {
    try {
      return readText(path.join(root, file), 'utf8');
    } catch {
      return '';
    }
  };
  // A side without an overlay is estimated whole first. When both are overlays of one tree (two
  // revisions over the working tree), that tree is estimated first without rules, for its scan
  // and prepared state only.
  const plain = sides.findIndex((s) => !s.overlay);
  const t0 = Date.now();
  const clock = new PhaseClock();
  const so = plain >= 0 ? { ...o, root: sides[plain].root } : undefined;
  // the one overlay side of the plain side's tree takes the plain side's per-file results
  const other = plain >= 0 && sides.length === 2 ? sides[1 - plain] : undefined;
  const overOld = other?.overlay && path.resolve(other.root) === path.resolve(sides[plain].root) ? other.overlay : undefined;
  const sharable = (parts: Parts) => !!reuseFor(parts, so!.root, overOld!, o)
    && whyNotShared([...overOld!.files.keys()], new Set(parts.wrapped.names), (f) => [onDisk(so!.root, f), textOf('old', f), textOf('new', f)], { built: builtIn(parts.kb.objects), cond: kbuildCond(o.config) }) === undefined;
  // a plain side saved by an earlier run: its tree's stamp is taken on a worker while NEW is
  // estimated from the saved parts; both answers stand only if the stamp says the tree is the saved one
  const spec = so && sides.some((s) => s.overlay) ? speculate(so) : undefined;
  const snap = spec?.saved;
  if (snap && overOld && sharable(snap.parts)) {
    clock.mark('saved');
    const run = await estimateSides({ m, o, textOf, onDisk, plain, overOld, clock, old: { ...snap.result, stats: { ...snap.result.stats, ms: 0, rulesMs: 0, phases: {}, resultCached: true } }, baseScan: snap.scan, parts: snap.parts });
    const now = await spec.stamp;
    clock.mark('stamp');
    if (now && snap.holds(now)) {
      const msOld = clock.ms.saved + clock.ms.stamp;
      run.before = { ...run.before, stats: { ...run.before.stats, ms: msOld, phases: { cached: msOld } } };
      return { ...run, ms: { ...run.ms, old: msOld }, phases: clock.ms };
    }
    // the tree changed since the run it saved: neither answer stands
  }
  // a plain side saved by an earlier run (the tree unchanged since) costs one walk of its stats;
  // the other side still needs its scan and prepared state, but not its sizing or rules
  let stamp: TreeStamp | undefined;
  let parts: Parts | undefined;
  let baseScan: ScanResult | undefined;
  let prepared: Prepared | undefined;
  const saved = so && sides.some((s) => s.overlay) ? await cachedEstimate(so, (s) => { stamp = s; }, spec?.stamp) : undefined;
  clock.mark('stamp');
  let old: EstimateResult | undefined;
  if (saved) {
    old = saved;
    // the scan saved with it spares walking and statting the tree again
    const scan = cachedScan(so!, stamp!);
    parts = scan && overOld ? cachedParts(so!, stamp!) : undefined;
    // NEW builds its inputs from the parts: no Kbuild reading, no wrapper expansion here
    clock.mark('saved');
    if (parts && sharable(parts)) baseScan = scan;
    else ({ scan: baseScan, prepared } = await prepareInputs({ ...so!, ...(scan ? { scan } : {}) }));
    clock.mark('prepare');
  } else {
    const first = await estimate({
      ...o, root: plain >= 0 ? sides[plain].root : m.old.root, ...(plain >= 0 ? {} : { rules: false }),
      onScan: (s) => { baseScan = s; }, onPrepared: (p) => { prepared = p; }, ...(overOld ? { onParts: (p: Parts) => { parts = p; } } : {}),
    });
    if (plain >= 0) old = first;
  }
  const msOld = Date.now() - t0;
  const run = await estimateSides({ m, o, textOf, onDisk, plain, overOld, clock, old, baseScan, prepared, parts });
  return { ...run, ms: { ...run.ms, ...(plain >= 0 ? { [plain === 0 ? 'old' : 'new']: msOld } : {}) }, ...(saved ? { phases: clock.ms } : {}) };
}

/** What runDiff knows before the overlay sides: the plain side's result, the scan and prepared state or parts to start them from. */
interface Start {
  m: Materialised; o: DiffEstimateOptions; textOf: DiffRun['textOf']; onDisk: (root: string, file: string) => string;
  plain: number; overOld?: Overlay; clock: PhaseClock;
  old?: EstimateResult; baseScan?: ScanResult; prepared?: Prepared; parts?: Parts;
}

/** The sides after the first: an overlay side from the plain side's scan and prepared state, or its parts; another tree whole. */
async function estimateSides(st: Start): Promise<DiffRun> {
  const { m, o, textOf, onDisk, plain, overOld, clock, baseScan, prepared, parts } = st;
  const sides = [m.old, m.new];
  const results: EstimateResult[] = [];
  if (st.old) results[plain] = st.old;
  const ms = [0, 0];
  let rescanMs = 0;
  let notShared: string | undefined;
  let reused: DiffRun['reused'];
  const refreshed = new Set<string>(); // files the shared type index has been told about
  for (const [i, s] of sides.entries()) {
    const ov = s.overlay;
    const t1 = Date.now();
    if (!ov) {
      // two trees of their own: the second is estimated whole too
      if (i !== plain) {
        results[i] = await estimate({ ...o, root: s.root });
        ms[i] = Date.now() - t1;
      }
      continue;
    }
    const scan = await rescanOverlay(baseScan!, ov, o);
    rescanMs += Date.now() - t1;
    const changed = [...ov.files.keys()];
    const names = prepared?.wrapped.names ?? (parts ? new Set(parts.wrapped.names) : undefined);
    const objects = prepared?.kb.objects ?? parts?.kb.objects;
    const why = names
      ? whyNotShared(changed, names, (f) => [onDisk(s.root, f), textOf('old', f), textOf('new', f)], { ...(objects ? { built: builtIn(objects) } : {}), cond: kbuildCond(o.config) })
      : 'the first estimate was not prepared';
    notShared ??= why;
    const reuse = why === undefined && ov === overOld ? reuseFor(parts, s.root, ov, o, o.cacheDir) : undefined;
    clock.mark('rescan');
    // the session over the tree's header index, before the overlay is on (an index built now is saved for the next run)
    if (reuse && !prepared) reuse.session = await reuseSession({ ...o, root: s.root }, reuse.parts, o.cacheDir);
    clock.mark('session');
    results[i] = await withOverlay(ov, async () => {
      if (why === undefined && prepared) {
        // files an earlier side replaced are read again too: this side has the disk's text for them
        for (const f of changed) refreshed.add(f);
        prepared.session.layout.refresh([...refreshed].map((f) => path.join(s.root, f)));
      }
      // no cacheDir: the stat-keyed caches (file facts, header index) would see the tree's stats
      // with the overlay's texts, take the tree's answers and save the overlay's under its stats
      // (a reuse reads the saved header index before the overlay's headers replace theirs)
      const whole = () => estimate({ ...o, cacheDir: undefined, root: s.root, scan, ...(why === undefined && prepared ? { prepared } : {}) });
      if (!reuse) return whole();
      try {
        const res = await estimate({ ...o, cacheDir: undefined, root: s.root, scan, ...(why === undefined && prepared ? { prepared } : {}), reuse, compact: o.compactShort ?? o.compact });
        reused = { fresh: reuse.redone!.size };
        return res;
      } catch (e) {
        // the parts found they cannot answer (a function priced at its callers appeared or went): NEW whole
        if (!(e instanceof ReuseMiss)) throw e;
        return whole();
      }
    });
    ms[i] = Date.now() - t1;
    for (const [k, v] of Object.entries(results[i].stats.phases ?? {})) clock.ms[`new.${k}`] = v;
    clock.mark('new');
  }
  const overlays = sides.flatMap((s) => (s.overlay ? [...s.overlay.files.keys()] : []));
  return {
    before: results[0], after: results[1], changedFiles: sides.some((s) => s.overlay) ? [...new Set(overlays)] : undefined,
    textOf, notShared, ...(reused ? { reused } : {}), ms: { old: ms[0], new: ms[1], rescan: rescanMs },
  };
}
