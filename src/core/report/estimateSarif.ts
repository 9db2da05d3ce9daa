// The estimate as SARIF: the rules' diagnostics (PCPU007 says which modules would fail to load) and
// the items that could not be sized (as notes, so CI shows what the totals leave out).
import type * as Sarif from 'sarif';
import { CODES, CODE_IDS, docsUrl } from '../rules/codes';
import type { EstimateResult } from '../estimate/types';
import { toSarif, SarifFinding } from './sarif';

const level = (s: string): SarifFinding['level'] => (s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note');

export function estimateToSarif(r: EstimateResult): Sarif.Log {
  const out: SarifFinding[] = r.diagnostics.map((d) => ({
    ruleId: d.code, level: level(d.severity), message: d.message, file: d.file, line: d.line, column: d.column,
    endLine: d.endLine, endColumn: d.endColumn, ...(d.related?.length ? { related: d.related } : {}),
    ...(d.bytes !== undefined || d.numbers ? { properties: { ...(d.bytes !== undefined ? { bytes: d.bytes } : {}), ...d.numbers } } : {}),
  }));
  for (const u of r.unresolved) {
    out.push({ ruleId: 'PCPU000', level: 'note', message: `${u.kind} ${u.name ?? ''}: not counted: ${u.reason}`, file: u.file, line: u.line });
  }
  const rules = CODE_IDS.map((id) => ({ id, name: CODES[id].title, shortDescription: CODES[id].title, helpUri: docsUrl(id) }));
  const fc = 'error' in r.firstChunk ? { error: r.firstChunk.error } : { bootLine: r.firstChunk.bootLine, unitSize: r.firstChunk.unitSize };
  return toSarif(out, rules, `file://${r.root}`, '0.1.0', {
    arch: r.arch, kernel: r.kernel, staticBytes: r.static.bytes, dynamicBytesPerCpu: r.dynamic.bytes, firstChunk: fc,
  });
}
