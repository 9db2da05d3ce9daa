// The diff as text (bloat-o-meter's layout: a summary line, one line per item with old, new and
// delta, then the area), as Markdown for a CI comment, and as SARIF of the new findings only.
import type * as Sarif from 'sarif';
import { CODES, CODE_IDS, docsUrl } from '../../rules/codes';
import { toSarif, SarifFinding } from '../../report/sarif';
import { formatBytes } from '../../report/format';
import type { Delta, DiffItem, DiffResult } from './types';

const signed = (n: number) => (n > 0 ? `+${n}` : `${n}`);
const KIND_LABEL: Record<DiffItem['kind'], string> = { static: 'static', alloc: 'alloc', nr_cpus_array: 'NR_CPUS', module: 'module' };

/** `add/remove: 1/0 grow/shrink: 2/1 up/down: 96/-8 (88)` */
export function summaryLine(r: DiffResult): string {
  const s = r.summary;
  return `add/remove: ${s.added}/${s.removed} grow/shrink: ${s.grew}/${s.shrank} up/down: ${s.up}/${s.down} (${s.net})`;
}

const itemName = (i: DiffItem) => `${KIND_LABEL[i.kind]} ${i.name}`;
const cell = (i: DiffItem, side: 'before' | 'after') =>
  (i.status === 'added' && side === 'before') || (i.status === 'removed' && side === 'after') ? '-' : String(i[side]);

/** What an item means beyond its per-CPU bytes: an NR_CPUS array's whole size, an alloc's count. */
function itemNote(i: DiffItem, r: DiffResult): string {
  if (i.kind === 'nr_cpus_array' && i.atNrCpus) {
    const inst = i.instances && i.instances > 1 ? ` per instance, × ${i.instances} = ${signed(i.atNrCpus.delta * i.instances)} B` : '';
    return `array at NR_CPUS=${r.totals.nrCpus}: ${i.atNrCpus.before} → ${i.atNrCpus.after} (${signed(i.atNrCpus.delta)} B)${inst}`;
  }
  if (i.kind === 'alloc' || i.kind === 'module') return `${signed(i.delta * r.totals.cpus)} B at ${r.totals.cpus} CPUs`;
  return '';
}

function areaLines(r: DiffResult): string[] {
  const d = (x: Delta, unit = 'B') => `${x.before} → ${x.after} ${unit} (${signed(x.delta)})`;
  const out: string[] = [];
  out.push(`static area (s): ${d(r.static)}`);
  out.push(`modules' per-CPU data (reserved chunk): ${d(r.reserved)}`);
  out.push(`dynamic allocations per CPU: ${d(r.dynamic)}`);
  const a = r.firstChunk.before;
  const b = r.firstChunk.after;
  if ('error' in a || 'error' in b) out.push(`first chunk: ${'error' in a ? a.error : a.bootLine} → ${'error' in b ? b.error : b.bootLine}`);
  else {
    const c = r.firstChunk.changed;
    const moved = [c.pagesPerCpu && `pages/cpu ${a.pagesPerCpu} → ${b.pagesPerCpu}`, c.unitSize && `unit size ${a.unitSize} → ${b.unitSize}`,
      c.dynamic && `first chunk's dynamic area ${a.dynamic} → ${b.dynamic} (${signed(b.dynamic - a.dynamic)})`].filter(Boolean);
    out.push(`first chunk: ${moved.length ? moved.join('; ') : `unchanged pages/cpu (${b.pagesPerCpu}), unit size (${b.unitSize}) and dynamic area (${b.dynamic})`}`);
    if (a.bootLine !== b.bootLine) out.push(`  before: ${a.bootLine}`, `  after:  ${b.bootLine}`);
  }
  const t = r.totals;
  out.push(`per CPU: ${d(t.perCpu)}; at ${t.cpus} CPUs: ${signed(t.atCpus.delta)} B (${formatBytes(t.atCpus.after)}); at NR_CPUS=${t.nrCpus}: ${signed(t.atNrCpus.delta)} B (${formatBytes(t.atNrCpus.after)})`);
  if (t.nrCpusArrays.delta) out.push(`NR_CPUS arrays at NR_CPUS=${t.nrCpus} (struct fields × instances): ${d(t.nrCpusArrays)}`);
  return out;
}

export function formatDiffText(r: DiffResult): string {
  const out: string[] = [];
  out.push(`percpu-lens diff: ${r.old.label} → ${r.new.label}`);
  out.push(`arch ${r.arch}, kernel ${r.kernel}, config ${r.config.source}; NR_CPUS=${r.config.nrCpus}, possible CPUs=${r.config.possibleCpus}; bytes per CPU`);
  out.push(summaryLine(r));
  const rows = r.items.map((i) => [itemName(i), cell(i, 'before'), cell(i, 'after'), signed(i.delta), `${i.file}:${i.line}`, itemNote(i, r)]);
  const head = ['item', 'old', 'new', 'delta', 'where', ''];
  const w = head.map((h, k) => Math.max(h.length, ...rows.map((x) => x[k].length)));
  const fmt = (x: string[]) => x.map((c, k) => (k >= 1 && k <= 3 ? c.padStart(w[k]) : k === x.length - 1 ? c : c.padEnd(w[k]))).join('  ').trimEnd();
  if (rows.length) {
    out.push(fmt(head));
    for (const x of rows) out.push(fmt(x));
    for (const i of r.items) if (i.detail && i.status === 'changed') out.push(`  ${itemName(i)}: ${i.detail}`);
  }
  out.push('');
  out.push(...areaLines(r));
  const dg = r.diagnostics;
  out.push(`diagnostics: ${dg.added.length} new, ${dg.removed.length} gone${dg.changed ? `, ${dg.changed} with new figures` : ''}`);
  for (const d of dg.added) out.push(`  + ${d.file}:${d.line}: ${d.code} ${d.severity}: ${d.message}`);
  for (const d of dg.removed) out.push(`  - ${d.file}:${d.line}: ${d.code} ${d.severity}: ${d.message}`);
  const u = r.unresolved;
  if (u.added.length || u.removed.length) {
    out.push(`not sized: ${u.added.length} new, ${u.removed.length} gone (not in the figures above)`);
    for (const x of u.added.slice(0, 20)) out.push(`  + ${x.file}:${x.line}: ${x.name ?? ''}: ${x.reason}`);
  }
  for (const n of r.notes) out.push(`note: ${n}`);
  for (const w2 of r.warnings) out.push(`warning: ${w2}`);
  return out.join('\n') + '\n';
}

const mdEsc = (s: string) => s.replace(/[|\\`*_<>]/g, (c) => `\\${c}`);

export function formatDiffMarkdown(r: DiffResult): string {
  const out: string[] = [];
  const t = r.totals;
  const arrays = r.items.reduce((a, i) => a + (i.atNrCpus?.delta ?? 0), 0);
  out.push(`### percpu-lens: ${signed(t.perCpu.delta)} B per CPU (${signed(t.atCpus.delta)} B at ${t.cpus} CPUs)` +
    (arrays ? `, NR_CPUS arrays ${signed(arrays)} B per instance at NR_CPUS=${t.nrCpus}` : ''));
  out.push('');
  out.push(`\`${summaryLine(r)}\` · ${r.arch}, NR_CPUS=${t.nrCpus}, ${t.cpus} possible CPUs, kernel ${r.kernel}`);
  out.push('');
  if (r.items.length) {
    out.push('| | item | old | new | delta | where |', '|---|---|--:|--:|--:|---|');
    for (const i of r.items) {
      const mark = i.status === 'added' ? '➕' : i.status === 'removed' ? '➖' : '✏️';
      const note = itemNote(i, r);
      out.push(`| ${mark} | ${mdEsc(itemName(i))}${note ? `<br><sub>${mdEsc(note)}</sub>` : ''} | ${cell(i, 'before')} | ${cell(i, 'after')} | ${signed(i.delta)} | \`${i.file}:${i.line}\` |`);
    }
    out.push('');
  }
  out.push('<details><summary>area</summary>', '', ...areaLines(r).map((l) => `- ${mdEsc(l)}`), '', '</details>', '');
  const dg = r.diagnostics;
  if (dg.added.length || dg.removed.length) {
    out.push(`**Diagnostics:** ${dg.added.length} new, ${dg.removed.length} gone`);
    for (const d of dg.added) out.push(`- ➕ \`${d.file}:${d.line}\` ${d.code}: ${mdEsc(d.message)}`);
    for (const d of dg.removed) out.push(`- ➖ \`${d.file}:${d.line}\` ${d.code}: ${mdEsc(d.message)}`);
  } else out.push('**Diagnostics:** none new, none gone');
  return out.join('\n') + '\n';
}

const level = (s: string): SarifFinding['level'] => (s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note');

/** SARIF of the diagnostics the change introduces; the area's figures go in the run's properties. */
export function diffToSarif(r: DiffResult): Sarif.Log {
  const out: SarifFinding[] = r.diagnostics.added.map((d) => ({
    ruleId: d.code, level: level(d.severity), message: d.message, file: d.file, line: d.line, column: d.column,
    endLine: d.endLine, endColumn: d.endColumn, ...(d.related?.length ? { related: d.related } : {}),
    properties: { ...(d.bytes !== undefined ? { bytes: d.bytes } : {}), symbol: d.symbol, nrCpus: r.totals.nrCpus, cpus: r.totals.cpus },
  }));
  const rules = CODE_IDS.map((id) => ({ id, name: CODES[id].title, shortDescription: CODES[id].title, helpUri: docsUrl(id) }));
  return toSarif(out, rules, `file://${r.new.root}`, '0.1.0', {
    arch: r.arch, kernel: r.kernel, summary: summaryLine(r), staticBytes: r.static, dynamicBytesPerCpu: r.dynamic, perCpuBytes: r.totals.perCpu,
  });
}
