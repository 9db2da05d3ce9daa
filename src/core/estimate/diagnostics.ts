// The rules over a scanned tree, priced with this estimate's sizes and first chunk: the file rules on
// every file with findings or per-CPU accessor calls, then the cross-file rules once.
import * as path from 'path';
import type { Finding, ScanResult } from '../parse/types';
import { byPosition, dropSuppressed, largeBytes, pcpu005Of, runFileRules, runTreeRules } from '../rules';
import type { Diagnostic, FileTexts, ModuleSection, RuleProfile, Sizer } from '../rules';
import { archOfFile, asmSymbols } from '../rules/asmSymbols';
import { RefcountReader, type RefcountSaved } from '../rules/refcountFacts';
import { yielder } from './yielder';
import type { FileRulesOut, Tracker } from './reuse';

export interface TreeDiagnosticsInput {
  root: string;
  scan: ScanResult;
  textOf: (file: string) => string;
  /** a file's text for a pass reading each file once, not kept for later (TextReader.once); default textOf */
  textOnce?: (file: string) => string;
  sizer: Sizer;
  profile: RuleProfile;
  modules: ModuleSection[];
  signal?: AbortSignal;
  /** see EstimateOptions.compact */
  compact?: () => void;
  onProgress?: (done: number, total: number) => void;
  /** which files the rules read (default every scanned one) */
  keep?: (file: string) => boolean;
  /**
   * an earlier run's file rules, taken for a file `fresh` does not name; `pcpu005`: the first chunk
   * differs from that run's, so PCPU005 is weighed again from the bytes it kept
   */
  reuse?: { files: ReadonlyMap<string, FileRulesOut>; fresh: (file: string, deps?: number[]) => boolean; pcpu005: boolean; redone?: Set<string> };
  /** receives each file's rules (for a later run's reuse), with what they read when `track` is given */
  onFile?: (r: FileRulesOut) => void;
  track?: Tracker;
  /** PCPU002's reading of an earlier run (TreeDiagnostics.refcounts), taken for the files `same` says are unchanged */
  refcounts?: { saved: RefcountSaved; same: (file: string) => boolean };
  /** give PCPU002's reading back (TreeDiagnostics.refcounts) although no file rules are kept (onFile): the cache folder keeps it */
  keepRefcounts?: boolean;
}

export interface TreeDiagnostics {
  diagnostics: Diagnostic[];
  /** files whose rules threw: reported, the other files still count */
  errors: { file: string; message: string }[];
  filesChecked: number;
  /** what PCPU002 read, for a later run (refcountFacts.ts) */
  refcounts?: RefcountSaved;
}

/** Finding kinds the cross-file rules read the file text for (PCPU002 helpers, PCPU004 users). */
const TREE_KINDS = new Set(['refcount', 'static', 'alloc']);

export async function treeDiagnostics(i: TreeDiagnosticsInput): Promise<TreeDiagnostics> {
  const keep = i.keep ?? (() => true);
  const findings = i.scan.findings.filter((f) => keep(f.file));
  const byFile = new Map<string, typeof i.scan.findings>();
  for (const f of findings) {
    const l = byFile.get(f.file);
    if (l) l.push(f);
    else byFile.set(f.file, [f]);
  }
  for (const f of i.scan.accessorFiles ?? []) if (!byFile.has(f) && keep(f)) byFile.set(f, []);
  const files = [...byFile.keys()].sort();
  const asm = new Map<string, Set<string>>();
  const asmOf = (file: string) => {
    const a = archOfFile(file);
    if (!a) return undefined;
    if (!asm.has(a)) asm.set(a, asmSymbols(i.root, a));
    return asm.get(a);
  };
  const out: TreeDiagnostics = { diagnostics: [], errors: [], filesChecked: 0 };
  const treeFiles = new Set<string>(); // read again by the cross-file rules, not kept
  let n = 0;
  const pause = yielder(i.signal, undefined, i.compact);
  for (const file of files) {
    await pause();
    i.onProgress?.(n++, files.length);
    const findings = byFile.get(file)!;
    const forTree = findings.some((f) => TREE_KINDS.has(f.kind));
    const old = i.reuse?.files.get(file);
    const saved = old && !i.reuse!.fresh(file, old.deps) ? old : undefined;
    if (i.reuse && !saved) i.reuse.redone?.add(file);
    if (saved) {
      if (forTree) treeFiles.add(file);
      const r = i.reuse!.pcpu005 ? againPcpu005(saved, findings, i.profile, () => i.textOf(file)) : saved;
      if (r.error !== undefined) out.errors.push({ file, message: r.error });
      else { out.diagnostics.push(...r.diagnostics); out.filesChecked++; }
      i.onFile?.(r);
      continue;
    }
    const text = (i.textOnce ?? i.textOf)(file);
    if (forTree) treeFiles.add(file);
    let r: FileRulesOut;
    i.track?.open();
    try {
      const diagnostics = await runFileRules({ file, text, findings, profile: i.profile, sizer: i.sizer, asmSymbols: asmOf(file) });
      const large: FileRulesOut['large'] = [];
      if (i.onFile) findings.forEach((f, k) => { const b = largeBytes(f, i.profile, i.sizer); if (b !== undefined) large.push([k, b]); });
      r = { file, diagnostics, large };
      out.diagnostics.push(...diagnostics);
      out.filesChecked++;
    } catch (e) {
      // one file's failure is that file's error: the others still get their rules
      r = { file, diagnostics: [], error: `rules: ${(e as Error).message}`, large: [] };
      out.errors.push({ file, message: r.error! });
    }
    const deps = i.track?.close();
    if (deps) r.deps = deps;
    i.onFile?.(r);
  }
  for (const h of paddedHeaders(findings, i.sizer, i.profile.cacheLine)) if (!path.isAbsolute(h)) treeFiles.add(h);
  const texts: FileTexts = { keys: () => treeFiles, has: (f) => treeFiles.has(f), get: (f) => {
    if (!treeFiles.has(f)) return undefined;
    i.compact?.(); // each pass leaves the texts it read as garbage
    return (i.textOnce ?? i.textOf)(f);
  } };
  const refcounts = new RefcountReader(texts, i.refcounts?.saved, i.refcounts?.same);
  try {
    const tree = await runTreeRules({ files: texts, findings, profile: i.profile, sizer: i.sizer, modules: i.modules, refcounts });
    out.diagnostics.push(...tree.map((d) => ({ ...d, scope: 'tree' as const })));
  } catch (e) {
    out.errors.push({ file: '.', message: `cross-file rules: ${(e as Error).message}` });
  }
  if (i.onFile || i.keepRefcounts) out.refcounts = refcounts.toJSON(); // kept with the file rules or in the cache folder, for a later run
  return out;
}

/** A file's saved rules with PCPU005 weighed again under `profile` from the bytes kept (the file's findings are the saved run's). */
function againPcpu005(saved: FileRulesOut, findings: Finding[], profile: RuleProfile, text: () => string): FileRulesOut {
  if (saved.error !== undefined) return saved;
  const fresh: Diagnostic[] = [];
  for (const [k, b] of saved.large) { const d = findings[k] && pcpu005Of(findings[k], profile, b); if (d) fresh.push(d); }
  const kept = saved.diagnostics.filter((d) => d.code !== 'PCPU005');
  const diagnostics = fresh.length ? [...kept, ...dropSuppressed(text(), fresh)].sort(byPosition) : kept;
  return { ...saved, diagnostics };
}

/** Headers defining a struct used per-CPU whose own aligned attribute reaches the cache line: PCPU004
 *  reads them for other uses of the type. */
function paddedHeaders(findings: Finding[], sizer: Sizer, cacheLine: number): Set<string> {
  const out = new Set<string>();
  const seen = new Set<string>();
  for (const f of findings) {
    if ((f.kind !== 'static' && f.kind !== 'alloc') || !/^(struct|union)\s+\w+$/.test(f.type.trim())) continue;
    const k = `${f.type}|${f.file}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const r = sizer.record(f.type, f.file);
    if (!('error' in r) && r.file?.endsWith('.h') && r.ownAlign >= cacheLine) out.add(r.file);
  }
  return out;
}
