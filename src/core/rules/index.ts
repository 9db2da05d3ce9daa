// Rules from kernel history: each module is one lesson a kernel patch taught (see codes.ts).
// runFileRules sees one file (the editor calls it on every edit); runTreeRules adds the cross-file
// ones (PCPU002 call counts, PCPU004 for types defined in headers, PCPU007). A full run is
// runFileRules on each file plus runTreeRules once: the two never report the same thing.
import { pcpu001 } from './pcpu001NrCpusArray';
import { pcpu002 } from './pcpu002HotRefcount';
import { pcpu003 } from './pcpu003ThisCpu';
import { pcpu004 } from './pcpu004CachelinePadding';
import { pcpu005 } from './pcpu005LargeAlloc';
import { pcpu006 } from './pcpu006Ownership';
import { moduleReserveDiagnostic } from './pcpu007ModuleReserve';
import { dropSuppressed } from './suppress';
import type { Diagnostic, FileRuleInput, TreeRuleInput } from './types';

export * from './types';
export { CODES, CODE_IDS, docsUrl } from './codes';
export type { CodeId, CodeInfo, Severity } from './codes';
export { DEFAULT_RULE_PROFILE, ruleProfile } from './profile';
export { moduleReserveDiagnostic } from './pcpu007ModuleReserve';
export { largeBytes, pcpu005Of } from './pcpu005LargeAlloc';
export { dropSuppressed } from './suppress';
export type { ModuleReserveInput } from './pcpu007ModuleReserve';

export const byPosition = (a: Diagnostic, b: Diagnostic) =>
  a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code);

export async function runFileRules(i: FileRuleInput): Promise<Diagnostic[]> {
  const mine = i.findings.filter((f) => f.file === i.file);
  const ds: Diagnostic[] = [
    ...pcpu001(mine, i.text, i.profile, i.sizer, i.asmSymbols),
    ...(await pcpu003(i.file, i.text, mine, i.profile, i.sizer)),
    ...(i.file.endsWith('.h') ? [] : pcpu004(new Map([[i.file, i.text]]), mine, i.profile, i.sizer, 'c')),
    ...pcpu005(mine, i.profile, i.sizer),
    ...(await pcpu006(i.file, i.text, mine, i.profile, i.sizer)),
  ];
  return dropSuppressed(i.text, ds).sort(byPosition);
}

export async function runTreeRules(i: TreeRuleInput): Promise<Diagnostic[]> {
  const ds: Diagnostic[] = [...pcpu002(i), ...pcpu004(i.files, i.findings, i.profile, i.sizer, 'h')];
  for (const m of i.modules ?? []) {
    const d = moduleReserveDiagnostic({ module: m.name, size: m.size, reservedBytes: i.profile.moduleReserve, files: m.files, file: m.file, line: m.line });
    if (d) ds.push(d);
  }
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of ds) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
  const out: Diagnostic[] = [];
  for (const [f, list] of byFile) out.push(...dropSuppressed(i.files.get(f), list));
  return out.sort(byPosition);
}
