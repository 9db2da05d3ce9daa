// The rules over a scanned tree, priced with this estimate's sizes and first chunk: the file rules on
// every file with findings or per-CPU accessor calls, then the cross-file rules once.
import type { ScanResult } from '../parse/types';
import { runFileRules, runTreeRules } from '../rules';
import type { Diagnostic, ModuleSection, RuleProfile, SizeOf } from '../rules';
import { archOfFile, asmSymbols } from '../rules/asmSymbols';
import { CACHELINE_ATTR } from '../rules/sizing';
import { yielder } from './yielder';

export interface TreeDiagnosticsInput {
  root: string;
  scan: ScanResult;
  textOf: (file: string) => string;
  sizeOf: SizeOf;
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
    if (findings.some((f) => TREE_KINDS.has(f.kind)) || (file.endsWith('.h') && CACHELINE_ATTR.test(text))) treeFiles.set(file, text);
    try {
      out.diagnostics.push(...(await runFileRules({ file, text, findings, profile: i.profile, sizeOf: i.sizeOf, asmSymbols: asmOf(file) })));
      out.filesChecked++;
    } catch (e) {
      out.errors.push({ file, message: `rules: ${(e as Error).message}` });
    }
  }
  try {
    const tree = await runTreeRules({ files: treeFiles, findings, profile: i.profile, sizeOf: i.sizeOf, modules: i.modules });
    out.diagnostics.push(...tree.map((d) => ({ ...d, scope: 'tree' as const })));
  } catch (e) {
    out.errors.push({ file: '.', message: `cross-file rules: ${(e as Error).message}` });
  }
  return out;
}
