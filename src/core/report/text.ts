// The readable report: tables sorted biggest first, with totals, and what could not be resolved.
import Table = require('cli-table3');
import type { EstimateResult } from '../estimate/types';
import { findArch } from '../config/arch';
import { formatBytes } from './format';
import { replaySummary } from '../sim/trace';

function table(head: string[], rows: (string | number)[][], align?: ('left' | 'right')[]): string {
  const t = new Table({ head, style: { head: [], border: [] }, colAligns: align, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
  for (const r of rows) t.push(r.map(String));
  return t.toString();
}

const loc = (x: { file: string; line: number }) => `${x.file}:${x.line}`;

export function formatText(r: EstimateResult, opts: { top?: number } = {}): string {
  const top = opts.top ?? 20;
  const out: string[] = [];
  const c = r.config;
  out.push(`percpu-lens estimate: ${r.root}`);
  out.push(`arch ${r.arch}, kernel ${r.kernel}, config ${c.source}; NR_CPUS=${c.nrCpus}, possible CPUs=${c.possibleCpus}${c.smp ? '' : ', !SMP'}${c.modules ? '' : ', !MODULES'}`);
  for (const w of c.warnings) out.push(`warning: ${w}`);
  out.push('');
  if ('error' in r.firstChunk) out.push(`first chunk: cannot be computed: ${r.firstChunk.error}`);
  else {
    out.push(...r.firstChunk.bootLines);
  }
  out.push('');
  const sv = [...r.static.variables].sort((a, b) => b.size - a.size);
  out.push(`Static per-CPU area (vmlinux): ${formatBytes(r.static.bytes)} (${r.static.bytes} bytes, ${sv.length} variables, ${r.static.padding} bytes of alignment padding)`);
  if (sv.length)
    out.push(table(['variable', 'size', 'align', 'section', 'offset', 'where'],
      sv.slice(0, top).map((v) => [v.name, v.size, v.align, v.section ? `.data..percpu${v.section}` : '.data..percpu', `0x${v.offset.toString(16)}`, loc(v)]),
      ['left', 'right', 'right', 'left', 'right', 'left']));
  if (sv.length > top) out.push(`  … ${sv.length - top} more (--json lists all)`);
  const offsets = offsetsNote(r);
  if (offsets) out.push(`  ${offsets}`);
  out.push('');
  out.push(`Module per-CPU data (reserved area ${formatBytes(r.reserved.bytes)}): ${formatBytes(r.reserved.used)} used by ${r.reserved.modules.length} module(s)`);
  if (r.reserved.modules.length)
    out.push(table(['module', 'size', 'align', 'loads', 'files'],
      [...r.reserved.modules].sort((a, b) => b.size - a.size).map((m) => [m.name, m.size, m.align, m.loaded ? 'yes' : 'NO', m.files.join(' ')]),
      ['left', 'right', 'right', 'left', 'left']));
  for (const m of r.reserved.modules) for (const msg of m.messages) out.push(`  ${msg}`);
  out.push('');
  const cs = [...r.dynamic.callsites].sort((a, b) => b.total - a.total);
  out.push(`Dynamic allocations: ${formatBytes(r.dynamic.bytes)} per CPU from ${cs.length} call site(s)`);
  if (cs.length)
    out.push(table(['File and line', 'Number', 'Size', 'Total', 'allocation'],
      cs.slice(0, top).map((x) => [loc(x), x.count, x.size, x.total, x.expr]), ['left', 'right', 'right', 'right', 'left']));
  if (cs.length > top) out.push(`  … ${cs.length - top} more`);
  out.push('');
  const na = [...r.nrCpusArrays].sort((a, b) => b.bytesAtNrCpus - a.bytesAtNrCpus);
  out.push(`NR_CPUS-sized arrays: ${na.length}`);
  if (na.length)
    out.push(table(['array', 'element', `at NR_CPUS=${c.nrCpus}`, `at ${c.possibleCpus} CPUs`, 'as per-CPU', '× instances (NR_CPUS vs per-CPU)', 'where'],
      na.slice(0, top).map((a) => [a.container ? `${a.container}.${a.name}` : a.name, `${a.elemType} (${a.elemSize} B)`, formatBytes(a.bytesAtNrCpus), formatBytes(a.bytesAtPossible), formatBytes(a.perCpuRewrite),
        a.container ? `× ${a.instances}: ${formatBytes(a.bytesAtNrCpus * a.instances)} vs ${formatBytes(a.perCpuRewrite * a.instances)}` : '', loc(a)]),
      ['left', 'left', 'right', 'right', 'right', 'right', 'left']));
  out.push('');
  out.push(`Per-CPU memory: ${formatBytes(r.totals.perCpuBytes)} per CPU, ${formatBytes(r.totals.allCpusBytes)} for ${c.possibleCpus} CPUs` +
    (r.totals.meminfoPercpuKb !== undefined ? ` (/proc/meminfo Percpu: ${r.totals.meminfoPercpuKb} kB)` : ''));
  const tr = r.dynamic.traceReplay;
  if (tr) {
    out.push(`Trace replayed: ${replaySummary(tr)}`);
  }
  out.push('');
  const ds = r.diagnostics ?? [];
  const byCode = new Map<string, number>();
  for (const d of ds) byCode.set(d.code, (byCode.get(d.code) ?? 0) + 1);
  out.push(`Diagnostics: ${ds.length}${ds.length ? ` (${[...byCode].sort().map(([k, n]) => `${k} ×${n}`).join(', ')})` : ''}`);
  // costliest first: the rules state the bytes each finding costs under this config
  const ranked = [...ds].sort((a, b) => (b.bytes ?? 0) - (a.bytes ?? 0) || a.file.localeCompare(b.file) || a.line - b.line);
  for (const d of ranked.slice(0, top)) out.push(`  ${loc(d)}: ${d.code} ${d.severity}: ${d.message}`);
  if (ds.length > top) out.push(`  … ${ds.length - top} more (--sarif or --json lists all)`);
  out.push('');
  if (r.notBuilt.length) out.push(`Not built under this config (not counted): ${r.notBuilt.length} definition(s)`);
  out.push(`Declarations (DECLARE_PER_CPU, not storage): ${r.declares}`);
  if (r.unresolved.length) {
    out.push(`Unresolved: ${r.unresolved.length} item(s) not counted in the totals above:`);
    for (const u of r.unresolved.slice(0, top)) out.push(`  ${loc(u)}: ${u.kind} ${u.name ?? ''}: ${u.reason}`);
    if (r.unresolved.length > top) out.push(`  … ${r.unresolved.length - top} more`);
  } else out.push('Unresolved: none');
  if (r.errors.length) out.push(`Files with errors: ${r.errors.length} (first: ${r.errors[0].file}: ${r.errors[0].message})`);
  return out.join('\n') + '\n';
}

/** Whose order the static offsets follow, where that is a question: the compiled objects', or the model's on arches with section anchors. */
export function offsetsNote(r: Pick<EstimateResult, 'arch' | 'static'>, options = { crossCompile: '--cross-compile', buildDir: '--build-dir' }): string | undefined {
  const ord = r.static.order;
  if (ord) {
    const failed = ord.failed.length ? `; ${ord.failed.length} not ${ord.existing ? 'read' : 'compiled'} keep the model's order (${ord.failed[0].file}: ${ord.failed[0].reason})` : '';
    const how = ord.existing ? `the build's own, read from its objects in ${ord.buildDir}` : `${ord.crossCompile || 'the host '}gcc's, from compiling them (make O=${ord.buildDir})`;
    return `offsets: the order inside ${ord.compiled} of the ${ord.units} objects holding two or more variables is ${how}${failed}`;
  }
  if (r.static.variables.length > 1 && findArch(r.arch)?.sectionAnchors) {
    return `offsets: ${r.arch}'s gcc places an object's variables in the order it compiles the functions using them (section anchors), which is modelled from the source (docs/placement.md §3): inside one object a variable can sit elsewhere, and the padding with it; ${options.crossCompile} takes gcc's own order, ${options.buildDir} your build's (with a build's own .config, that build is read by itself)`;
  }
  return undefined;
}
