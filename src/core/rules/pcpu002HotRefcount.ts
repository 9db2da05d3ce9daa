// PCPU002: an atomic refcount field taken and dropped through inline helpers called from many
// places (the net_device refcount before 2010). Suggest a per-CPU counter and give its price.
import { formatBytes, formatPerCpu } from '../report/format';
import { isSized } from '../layout/sizer';
import { findStructDefs } from './syntax';
import { lineOf, lineStarts } from './syntax';
import { flat } from '../flat';
import type { Diagnostic, FileTexts, RuleProfile, TreeRuleInput } from './types';

export const HOT_CALL_SITES = 20;
const WRAPPERS = /^struct (kref|percpu_ref|rcuref)$/;

const OPS = 'atomic(?:64|_long)?_(?:inc|dec|add|sub|inc_not_zero|dec_and_test|sub_and_test|add_unless|inc_return|dec_return|fetch_inc|fetch_dec|dec_if_positive)'
  + '|refcount_(?:inc|dec|add|inc_not_zero|dec_and_test|dec_and_lock|dec_and_mutex_lock|sub_and_test|dec_not_one)'
  + '|kref_(?:get|put|get_unless_zero|put_lock|put_mutex)|local_(?:inc|dec)';
const GET = /(_inc|_add|kref_get|_get_unless_zero)(?!_and_test)/;

export interface Helper { name: string; file: string; line: number; op: string; get: boolean }

interface InlineFn { name: string; params: string; body: string; offset: number }

/** Every `static inline` function of a file, with its body (brace-matched). */
function inlineFunctions(text: string): InlineFn[] {
  const out: InlineFn[] = [];
  const fnRe = /\bstatic\s+(?:__always_inline|inline|__inline__|__inline)\b[^;{}]*?\b(\w+)\s*\(([^;{}]*?)\)\s*\{/g;
  for (const m of text.matchAll(fnRe)) {
    let depth = 0;
    let i = m.index! + m[0].length - 1;
    for (; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) break;
    }
    // flat: the index outlives the file's text, which the caller may not keep
    out.push({ name: flat(m[1]), params: flat(m[2]), body: flat(text.slice(m.index! + m[0].length, i)), offset: m.index! });
  }
  return out;
}

interface OpSite { fn: InlineFn; file: string; line: number; op: string }

// Built once per run (the files do not change within one): inline helpers by the field they apply an atomic op to.
const opIndex = new WeakMap<FileTexts, Map<string, OpSite[]>>();
const OP_ON_FIELD = new RegExp(`\\b(${OPS})\\s*\\(\\s*&\\s*\\(?\\s*[\\w.>\\-\\[\\]()]*(?:->|\\.)(\\w+)\\s*[,)]`, 'g');

function helpersByField(files: FileTexts): Map<string, OpSite[]> {
  let idx = opIndex.get(files);
  if (idx) return idx;
  idx = new Map();
  for (const file of files.keys()) {
    const text = files.get(file) ?? '';
    if (!/\bstatic\s+(?:__always_inline|inline|__inline__|__inline)\b/.test(text)) continue;
    let starts: number[] | undefined; // made for the first helper found (most files have none: ~30 MB a run)
    for (const fn of inlineFunctions(text)) {
      const seen = new Set<string>();
      for (const m of fn.body.matchAll(OP_ON_FIELD)) {
        if (seen.has(m[2])) continue; // the first op on each field names the helper's kind
        seen.add(m[2]);
        const l = idx.get(m[2]) ?? [];
        l.push({ fn, file, line: lineOf((starts ??= lineStarts(text)), fn.offset) + 1, op: m[1] });
        idx.set(m[2], l);
      }
    }
  }
  opIndex.set(files, idx);
  return idx;
}

/** `static inline` functions whose body applies an atomic op to `->field` of `struct S`. */
export function refcountHelpers(files: FileTexts, container: string, field: string): Helper[] {
  const aboutIt = new RegExp(`\\b${container.replace(' ', '\\s+')}\\b`);
  // the helper must be about this struct: its parameters or body name it
  return (helpersByField(files).get(field) ?? []).filter((h) => aboutIt.test(h.fn.params + h.fn.body))
    .map((h) => ({ name: h.fn.name, file: h.file, line: h.line, op: h.op, get: GET.test(h.op) }));
}

/** Calls of each of `names` over `files`, in one pass (minus each one's definition). */
function countCalls(files: FileTexts, names: Iterable<string>): Map<string, number> {
  const n = new Map<string, number>();
  for (const name of names) n.set(name, 0);
  if (!n.size) return n;
  const re = new RegExp(`\\b(${[...n.keys()].join('|')})\\s*\\(`, 'g');
  for (const f of files.keys()) for (const m of (files.get(f) ?? '').matchAll(re)) n.set(m[1], n.get(m[1])! + 1);
  for (const [k, v] of n) n.set(k, Math.max(0, v - 1));
  return n;
}

export function pcpu002(i: TreeRuleInput): Diagnostic[] {
  const p: RuleProfile = i.profile;
  const out: Diagnostic[] = [];
  const min = i.hotCallSites ?? HOT_CALL_SITES;
  const seen = new Set<string>();
  const candidates: { f: (typeof i.findings)[number]; key: string; helpers: Helper[] }[] = [];
  const texts = new Map<string, string | undefined>(); // each refcount's own file, read once
  for (const f of i.findings) {
    if (f.kind !== 'refcount' || f.unresolved || !f.container || f.dims?.length) continue;
    if (/percpu|__percpu|\*/.test(f.type)) continue; // already per-CPU
    const key = `${f.container}.${f.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (WRAPPERS.test(f.container)) continue; // kref's own counter: every kref user would match
    // Few, long-lived objects only: a struct that already holds __percpu data pays possible CPUs ×
    // size per instance, so it is not one of millions (sk_buff, pid, dentry would be absurd).
    if (!texts.has(f.file)) texts.set(f.file, i.files.get(f.file));
    const text = texts.get(f.file);
    const def = text !== undefined ? findStructDefs(text, f.container.split(' ')[1]).find((d) => d.type === f.container) : undefined;
    if (!def || !/\b__percpu\b/.test(def.body)) continue;
    const helpers = refcountHelpers(i.files, f.container, f.name);
    if (!helpers.some((h) => h.get) || !helpers.some((h) => !h.get)) continue;
    candidates.push({ f, key, helpers });
  }
  texts.clear();
  const names = new Set(candidates.flatMap((c) => c.helpers.map((h) => h.name)));
  const counted = i.callCount ? undefined : countCalls(i.files, names);
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
