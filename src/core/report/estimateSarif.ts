// The estimate as SARIF: rule diagnostics, modules that would fail to load, and items that
// could not be sized (as notes, so CI shows what the totals leave out).
import type * as Sarif from 'sarif';
import { CODES, CODE_IDS, docsUrl } from '../rules/codes';
import type { EstimateResult } from '../estimate/types';
import { toSarif, SarifFinding } from './sarif';
import { formatBytes } from './format';

const level = (s: string): SarifFinding['level'] => (s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note');

export function estimateToSarif(r: EstimateResult, diagnostics: SarifFinding[] = []): Sarif.Log {
  const out: SarifFinding[] = [...diagnostics];
  for (const m of r.reserved.modules) {
    if (m.loaded) continue;
    const v = m.variables[0];
    out.push({
      ruleId: 'PCPU007', level: level(CODES.PCPU007.severity),
      message: `module ${m.name}: ${formatBytes(m.size)} of per-CPU data does not fit the ${formatBytes(r.reserved.bytes)} reserved area; loading fails${m.messages.length ? `: ${m.messages.join(' / ')}` : ''}`,
      file: v?.file ?? m.files[0], line: v?.line ?? 1,
      properties: { bytes: m.size, reserved: r.reserved.bytes },
    });
  }
  for (const u of r.unresolved) {
    out.push({ ruleId: 'PCPU000', level: 'note', message: `${u.kind} ${u.name ?? ''}: not counted: ${u.reason}`, file: u.file, line: u.line });
  }
  const rules = CODE_IDS.map((id) => ({ id, name: CODES[id].title, shortDescription: CODES[id].title, helpUri: docsUrl(id) }));
  const fc = 'error' in r.firstChunk ? { error: r.firstChunk.error } : { bootLine: r.firstChunk.bootLine, unitSize: r.firstChunk.unitSize };
  return toSarif(out, rules, `file://${r.root}`, '0.1.0', {
    arch: r.arch, kernel: r.kernel, staticBytes: r.static.bytes, dynamicBytesPerCpu: r.dynamic.bytes, firstChunk: fc,
  });
}
