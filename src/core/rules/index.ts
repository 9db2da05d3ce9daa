// Rules from kernel history: each module is one lesson a kernel patch taught (see codes.ts).
// runFileRules sees one file (the editor calls it on every edit); runTreeRules the cross-file ones.
import type { Finding } from '../parse/types';
import { pcpu001 } from './pcpu001NrCpusArray';
import { pcpu003 } from './pcpu003ThisCpu';
import { pcpu006 } from './pcpu006Ownership';
import { dropSuppressed } from './suppress';
import type { Diagnostic, FileRuleInput, TreeRuleInput } from './types';

export * from './types';
export { CODES, CODE_IDS, docsUrl } from './codes';
export type { CodeId, CodeInfo, Severity } from './codes';
export { DEFAULT_RULE_PROFILE, ruleProfile } from './profile';

const byPosition = (a: Diagnostic, b: Diagnostic) =>
  a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code);

export async function runFileRules(i: FileRuleInput): Promise<Diagnostic[]> {
  const mine = i.findings.filter((f) => f.file === i.file);
  const ds: Diagnostic[] = [
    ...pcpu001(mine, i.text, i.profile, i.sizeOf),
    ...(await pcpu003(i.file, i.text, mine, i.profile, i.sizeOf)),
    ...(await pcpu006(i.file, i.text, mine, i.profile, i.sizeOf)),
  ];
  return dropSuppressed(i.text, ds).sort(byPosition);
}

export async function runTreeRules(i: TreeRuleInput): Promise<Diagnostic[]> {
  const ds: Diagnostic[] = [];
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of ds) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
  const out: Diagnostic[] = [];
  for (const [f, list] of byFile) out.push(...dropSuppressed(i.files.get(f), list));
  return out.sort(byPosition);
}

export type { Finding };
