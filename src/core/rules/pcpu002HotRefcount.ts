// PCPU002: an atomic refcount field taken and dropped through inline helpers called from many
// places (the net_device refcount before 2010). Suggest a per-CPU counter and give its price.
import { formatBytes, formatPerCpu } from '../report/format';
import { isSized } from '../layout/sizer';
import { RefcountReader, type RefcountOp } from './refcountFacts';
import type { Diagnostic, RuleProfile, TreeRuleInput } from './types';

export const HOT_CALL_SITES = 20;
const WRAPPERS = /^struct (kref|percpu_ref|rcuref)$/;

const GET = /(_inc|_add|kref_get|_get_unless_zero)(?!_and_test)/;

export interface Helper { name: string; file: string; line: number; op: string; get: boolean }

/** The helper ops of every file the reader reads, by field, in file order. */
function helpersByField(r: RefcountReader): Map<string, { file: string; op: RefcountOp }[]> {
  const idx = new Map<string, { file: string; op: RefcountOp }[]>();
  for (const file of r.keys()) {
    for (const op of r.opsOf(file)) {
      const l = idx.get(op[0]);
      if (l) l.push({ file, op });
      else idx.set(op[0], [{ file, op }]);
    }
  }
  return idx;
}

/** `static inline` functions whose body applies an atomic op to `->field` of `struct S` (`container`). */
function refcountHelpers(byField: Map<string, { file: string; op: RefcountOp }[]>, container: string, field: string): Helper[] {
  // the helper must be about this struct: its parameters or body name it
  return (byField.get(field) ?? []).filter(({ op }) => op[4].includes(container))
    .map(({ file, op }) => ({ name: op[1], file, line: op[2], op: op[3], get: GET.test(op[3]) }));
}

export function pcpu002(i: TreeRuleInput): Diagnostic[] {
  const p: RuleProfile = i.profile;
  const out: Diagnostic[] = [];
  const min = i.hotCallSites ?? HOT_CALL_SITES;
  const seen = new Set<string>();
  const candidates: { f: (typeof i.findings)[number]; key: string; helpers: Helper[] }[] = [];
  const r = i.refcounts ?? new RefcountReader(i.files);
  let byField: ReturnType<typeof helpersByField> | undefined;
  for (const f of i.findings) {
    if (f.kind !== 'refcount' || f.unresolved || !f.container || f.dims?.length) continue;
    if (/percpu|__percpu|\*/.test(f.type)) continue; // already per-CPU
    const key = `${f.container}.${f.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (WRAPPERS.test(f.container)) continue; // kref's own counter: every kref user would match
    // Few, long-lived objects only: a struct that already holds __percpu data pays possible CPUs ×
    // size per instance, so it is not one of millions (sk_buff, pid, dentry would be absurd).
    if (!r.definesPercpu(f.file, f.container)) continue;
    const helpers = refcountHelpers((byField ??= helpersByField(r)), f.container, f.name);
    if (!helpers.some((h) => h.get) || !helpers.some((h) => !h.get)) continue;
    candidates.push({ f, key, helpers });
  }
  const names = new Set(candidates.flatMap((c) => c.helpers.map((h) => h.name)));
  const counted = i.callCount ? undefined : r.callsOf([...names]);
  const count = i.callCount ?? ((n: string) => counted!.get(n) ?? 0);
  for (const { f, key, helpers } of candidates) {
    const calls = helpers.map((h) => ({ h, n: count(h.name) })).filter((x) => x.n > 0);
    const total = calls.reduce((a, c) => a + c.n, 0);
    if (total < min) continue;
    const sz = i.sizer.sizeOf(f.type, f.file);
    const counter = isSized(sz) ? sz.size : 4;
    const list = calls.sort((a, b) => b.n - a.n).slice(0, 4).map((c) => `${c.h.name} ×${c.n}`).join(', ');
    out.push({
      file: f.file, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn,
      code: 'PCPU002', severity: 'info', bytes: counter * p.possibleCpus,
      numbers: { perCpuBytes: counter, cpus: p.possibleCpus, perCpuTotalBytes: counter * p.possibleCpus, uses: total },
      message: `${key} (${f.type}) is taken and dropped by inline helpers from ${total} call sites (${list}); every get/put moves its cache line between CPUs. `
        + `A per-CPU counter (percpu_ref, or \`int __percpu *\` as net_device did in 2010) makes them CPU-local for ${formatPerCpu(counter, p.possibleCpus)} per object `
        + `(percpu_ref also adds ${formatBytes(2 * p.ptrSize)} inline and a 64 B percpu_ref_data), and reading the count becomes a sum over ${p.possibleCpus} possible CPUs. `
        + `Worth it for few, hot objects, not for many small ones.`,
      related: helpers.slice(0, 6).map((h) => ({ file: h.file, line: h.line, message: `${h.name}: ${h.op}` })),
    });
  }
  return out;
}
