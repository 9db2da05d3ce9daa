// The rules over a scanned tree, priced with this estimate's sizes and first chunk: the file rules on
// every file with findings or per-CPU accessor calls, then the cross-file rules once.
import * as path from 'path';
import type { Finding, ScanResult } from '../parse/types';
import { runFileRules, runTreeRules } from '../rules';
import type { Diagnostic, ModuleSection, RuleProfile, Sizer } from '../rules';
import { archOfFile, asmSymbols } from '../rules/asmSymbols';
import { yielder } from './yielder';

export interface TreeDiagnosticsInput {
  root: string;
  scan: ScanResult;
  textOf: (file: string) => string;
  sizer: Sizer;
  profile: RuleProfile;
  modules: ModuleSection[];
  signal?: AbortSignal;
  /** see EstimateOptions.compact */
  compact?: () => void;
  onProgress?: (done: number, total: number) => void;
  /** which files the rules read (default every scanned one) */
  keep?: (file: string) => boolean;
}

export interface TreeDiagnostics {
  diagnostics: Diagnostic[];
  /** files whose rules threw: reported, the other files still count */
  errors: { file: string; message: string }[];
  filesChecked: number;
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
  const treeFiles = new Map<string, string>();
  let n = 0;
  const pause = yielder(i.signal, undefined, i.compact);
  for (const file of files) {
    await pause();
    i.onProgress?.(n++, files.length);
    const findings = byFile.get(file)!;
    const text = i.textOf(file);
    if (findings.some((f) => TREE_KINDS.has(f.kind))) treeFiles.set(file, text);
    try {
      out.diagnostics.push(...(await runFileRules({ file, text, findings, profile: i.profile, sizer: i.sizer, asmSymbols: asmOf(file) })));
      out.filesChecked++;
    } catch (e) {
      out.errors.push({ file, message: `rules: ${(e as Error).message}` });
    }
  }
  for (const h of paddedHeaders(findings, i.sizer, i.profile.cacheLine)) if (!treeFiles.has(h) && !path.isAbsolute(h)) treeFiles.set(h, i.textOf(h));
  try {
    const tree = await runTreeRules({ files: treeFiles, findings, profile: i.profile, sizer: i.sizer, modules: i.modules });
    out.diagnostics.push(...tree.map((d) => ({ ...d, scope: 'tree' as const })));
  } catch (e) {
    out.errors.push({ file: '.', message: `cross-file rules: ${(e as Error).message}` });
  }
  return out;
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
