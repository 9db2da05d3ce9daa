// One tree under one profile, as the estimate and the editor both see it: the layout engine, the
// sizer the rules ask, and the price of each finding by kind. The CLI's estimate() and the editor's
// per-file analysis call these same functions, so a hint, a hover, a table row and a diagnostic
// for the same entity carry the same numbers.
import * as path from 'path';
import { isSet } from '../config/kconfig';
import { readKbuild } from '../config/kbuild';
import { expandWrappers, upperCalls } from './wrappers';
import { BUILTIN_ONLY, type WrappedFinding } from './wrapped';
import type { Finding } from '../parse/types';
import { LayoutEngine, formatPahole, initLayout, type ExprScope } from '../layout';
import { layoutSizer, type Sizer } from '../layout/sizer';
import { allocSize, nrCpusArrayCost, type NrCpusArrayCost } from '../price';
import { staticSize, type StaticSizeContext } from './findingSize';
import type { MacroCall } from './macroCall';
import type { Profile } from './profile';
import { profileFor } from '../rules/profile';
import { buildFirstChunk, type FirstChunk } from '../sim';
import type { Diagnostic, RuleProfile } from '../rules/types';
import { runFileRules } from '../rules';
import { archOfFile, asmSymbols } from '../rules/asmSymbols';

export { resolveProfile, type Profile, type ProfileInput } from './profile';

export interface Session {
  root: string;
  profile: Profile;
  layout: LayoutEngine;
  /** file names as the caller gives them (tree-relative or absolute) */
  sizer: Sizer;
  abs: (file: string) => string;
}

export async function openSession(root: string, profile: Profile, includeDirs: string[] = []): Promise<Session> {
  await initLayout();
  const layout = new LayoutEngine({ arch: profile.arch, config: profile.config, root });
  for (const d of includeDirs) layout.index.addIncludeDir(path.resolve(root, d));
  const abs = (f: string) => path.resolve(root, f);
  const rel = (f: string) => path.relative(root, f).split(path.sep).join('/');
  return { root, profile, layout, abs, sizer: layoutSizer(layout, abs, (f) => (path.isAbsolute(f) && f.startsWith(root + path.sep) ? rel(f) : f)) };
}

/**
 * What the editor's per-file analysis takes from the tree's Kbuild under `profile`, as an estimate's
 * Kbuild reading gives it: the build's -I dirs (every reached folder's ccflags-y and
 * subdir-ccflags-y, in its order: a header found only there, security/selinux/include/avc.h, is
 * found from an open file as the estimate finds it), and which files are built as modules.
 */
export function kbuildFor(root: string, profile: Profile): { includeDirs: string[]; isModule: (rel: string) => boolean } {
  try {
    const kb = readKbuild(root, (n) => profile.config.values.get(n), { arch: profile.arch.name, localDirectives: () => undefined });
    return { includeDirs: kb.includeDirs, isModule: (rel) => kb.byFile.get(rel)?.status === 'module' };
  } catch {
    return { includeDirs: [], isModule: () => false }; // an unreadable tree: the analysis says what it cannot find
  }
}

const UPPER_NAME = /^[A-Z_][A-Z0-9_]*$/;
const PCPU_MACRO = /^(?:DEFINE|DECLARE)_PER_CPU\w*$/;
/** What wrapperDefinitions keeps between calls on one session: its owner clears `names` when a header's macros may have changed. */
export interface WrapperCache {
  /** whether a macro name reaches a DEFINE_PER_CPU* (reachesPerCpu) */
  names: Map<string, boolean>;
  /** per file, the types its wrapper expansions define, as given to the layout */
  expanded: Map<string, string>;
}

/** Whether `name` is a function-like upper-case macro whose body reaches a DEFINE_PER_CPU*, itself or through such macros (the estimate's wrapper graph, wrappers.ts). */
function reachesPerCpu(s: Session, name: string, from: string, memo: Map<string, boolean>, depth = 0): boolean {
  const known = memo.get(name);
  if (known !== undefined) return known;
  if (PCPU_MACRO.test(name) || !UPPER_NAME.test(name) || depth > 8) return false;
  memo.set(name, false); // a macro naming itself, or a cycle
  const def = s.layout.index.macro(name, from);
  const r = !!def?.params && def.body.some((t) => t.k === 'id' && (t.t.startsWith('DEFINE_PER_CPU') || (t.t !== name && reachesPerCpu(s, t.t, from, memo, depth + 1))));
  memo.set(name, r);
  return r;
}

/**
 * Per-CPU variables defined through wrapper macros at file scope of `file` (`DEFINE_STATIC_SRCU`,
 * `DEFINE_STATIC_PERCPU_RWSEM`, a file's own helpers), `text` being its text, found as the
 * estimate finds them in a built file (wrapped.ts): for the editor, whose scan sees only the
 * wrapper's use. Each finding stands at the use, its end at the end of that line.
 */
export function wrapperDefinitions(s: Session, file: string, text: string, cache: WrapperCache, isModule = false): WrappedFinding[] {
  const abs = s.abs(file);
  const names = new Set(upperCalls(text).filter((n) => reachesPerCpu(s, n, abs, cache.names)));
  if (!names.size) return [];
  const lf = s.layout.index.loaded(abs);
  if (!lf) return [];
  const r = expandWrappers(lf.scan.active, names, s.layout.index.lookupFor(abs));
  // types the expansions define, as a file beside the source (as the estimate adds them)
  const records = r.records.join(';\n');
  if (records && cache.expanded.get(abs) !== records) { s.layout.addSource(`${abs}.expanded.h`, records); cache.expanded.set(abs, records); }
  const lines = text.split('\n');
  return r.defs.filter((d) => !(isModule && BUILTIN_ONLY.has(d.via))).map((d): WrappedFinding => ({
    kind: 'static', file, line: d.line, column: d.column, endLine: d.line, endColumn: (lines[d.line - 1] ?? '').trimEnd().length + 1,
    name: d.name, type: d.type, macro: d.macro, ...(d.dims.length ? { dims: d.dims } : {}), call: d.call,
  }));
}

/** What a static definition's size and alignment depend on, for `file`. */
export function sizeContext(s: Session, file: string): StaticSizeContext {
  const p = s.profile;
  return {
    layout: s.layout, arch: p.arch, smp: p.smp, cacheLine: p.cacheLine, pageSize: p.pageSize,
    isSet: (sym) => isSet(p.config, sym),
    evalNum: (e) => { const v = s.layout.evalInt(e, s.abs(file)); return typeof v === 'number' ? v : undefined; },
  };
}

export type Price =
  | { kind: 'static'; type: string; size: number; align: number; section: string; unknownMacro?: boolean }
  | { kind: 'alloc'; expr: string; size: number; align: number; note?: string }
  | { kind: 'nr_cpus_array'; cost: NrCpusArrayCost }
  | { kind: 'type'; size: number; align: number }
  | { error: string; type?: string; expr?: string };

/**
 * The price of one finding. `call`: a DEFINE_PER_CPU* call as read from the source (section string,
 * trailing attributes); `isModule`: the file is built as a module (its section names differ);
 * `units`: the first chunk's units an NR_CPUS array's per-CPU rewrite is paid for (default the possible CPUs);
 * `scope`: the variables an alloc call site sees (estimate/siteScope.ts).
 */
export function priceFinding(s: Session, f: Finding, o: { call?: MacroCall; isModule?: boolean; units?: number; scope?: ExprScope } = {}): Price {
  if (f.unresolved) return { error: f.unresolved };
  if (f.kind === 'static') {
    const r = staticSize(f, s.abs(f.file), o.call, !!o.isModule, sizeContext(s, f.file));
    return 'error' in r ? r : { kind: 'static', ...r };
  }
  if (f.kind === 'alloc') {
    const r = allocSize(f, s.sizer, o.scope);
    return 'error' in r ? r : { kind: 'alloc', ...r };
  }
  if (f.kind === 'nr_cpus_array') {
    const cost = nrCpusArrayCost(f, s.sizer, { nrCpus: s.profile.nrCpus, possible: s.profile.possible, units: o.units ?? s.profile.possible });
    return 'error' in cost ? cost : { kind: 'nr_cpus_array', cost };
  }
  const sz = s.sizer.sizeOf(f.type, f.file);
  return 'error' in sz ? { error: `sizeof(${f.type}): ${sz.error}` } : { kind: 'type', size: sz.size, align: sz.align };
}

/** The first chunk this machine builds for a static area of `staticBytes` (none on !SMP or bad input). */
export function firstChunkFor(p: Profile, staticBytes: number): FirstChunk | undefined {
  if (!p.smp) return undefined;
  try {
    return buildFirstChunk({ arch: p.arch, kernel: p.kernel, static: staticBytes, cpus: p.possible, nrCpus: p.nrCpus, pageSize: p.pageSize, ...(p.modules ? {} : { reserved: 0 }) });
  } catch {
    return undefined;
  }
}

/** The rules' profile: this machine and, when there is one, its first chunk's reserves. */
export function rulesProfile(p: Profile, firstChunk?: { nrUnits: number; unitSize: number; dynamic: number; reserved: number }, largeFraction?: number): RuleProfile {
  return profileFor({
    nrCpus: p.nrCpus, possibleCpus: p.possible, cacheLine: p.cacheLine, pageSize: p.pageSize, ptrSize: p.arch.scalars.pointer.size,
    instances: p.instances, largeFraction, firstChunk, kernel: p.kernel,
  });
}

// ---- the editor's per-document operations, on the same session ------------------------------
// The editor reaches the core through this module only: the open document's incremental scan,
// its file rules (priced with the session's sizer) and its hover layout.
export { DocScan } from '../parse/incremental';
/** the one span an open document changed in: what the editor sends its analysis process */
export { diffEdit, type TextEdit } from '../parse/textEdit';
export type { Finding } from '../parse/types';
export type { Diagnostic, RuleProfile } from '../rules/types';
export { DEFAULT_RULE_PROFILE } from '../rules/profile';
export { docsUrl, type Severity } from '../rules/codes';
/** the text minus function bodies: the types a document defines change only when it changes */
export { layoutSkeleton as typesSkeleton } from '../layout/skeleton';

const asmByRootArch = new Map<string, Set<string>>();

/** The file rules on one open document (PCPU001, 003-006), with the session's sizes. */
export function documentRules(s: Session, file: string, text: string, findings: Finding[], profile: RuleProfile): Promise<Diagnostic[]> {
  const arch = archOfFile(path.relative(s.root, file).split(path.sep).join('/'));
  let asm: Set<string> | undefined;
  if (arch) {
    const k = `${s.root}\0${arch}`;
    if (!asmByRootArch.has(k)) asmByRootArch.set(k, asmSymbols(s.root, arch));
    asm = asmByRootArch.get(k);
  }
  return runFileRules({ file, text, findings, profile, asmSymbols: asm, sizer: layoutSizer(s.layout) });
}

/** A type's layout in pahole's words for a hover, and its own alignment; empty when it has no members. */
export function hoverLayout(s: Session, type: string, file: string): { layoutText?: string; typeAlign?: number } {
  if (!type) return {};
  const l = s.layout.sizeOf(type, file);
  return 'error' in l || !l.members?.length ? {} : { layoutText: formatPahole(type, l, s.profile.cacheLine), typeAlign: l.align };
}
