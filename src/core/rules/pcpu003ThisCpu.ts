// PCPU003: the current CPU's copy reached through its number (per_cpu_ptr(p, smp_processor_id()),
// per_cpu(v, smp_processor_id())) instead of this_cpu_*; and get_cpu_var/get_cpu_ptr without the
// matching put_* in the same function (preemption stays disabled).
import type { Finding } from '../parse/types';
import type { Node } from '../parse/treeSitter';
import { formatBytes } from '../report/format';
import { ruleQuery } from './queries';
import { isSized } from '../layout/sizer';
import { FnChunk, functionName, functionsAt, nodeRange, squash, wordOffsets } from './syntax';
import type { Diagnostic, Fix, RuleProfile, Sizer, TextEdit } from './types';

const TRIGGER = /\b(per_cpu(_ptr)?\s*\([^;]*?smp_processor_id\s*\(\s*\)|get_cpu_(var|ptr)\s*\()/;
const SCALAR = /^(const\s+)?((unsigned|signed)\s+)?(char|short|int|long|long\s+long|u8|u16|u32|u64|s8|s16|s32|s64|__u\d+|__s\d+|bool|_Bool|size_t|ssize_t|unsigned|\w+_t|.*\*)$/;
const NOT_SCALAR_T = /^(cpumask_t|local_t|atomic_t|atomic_long_t|atomic64_t|local64_t|seqcount_t|spinlock_t|raw_spinlock_t|\w*lock_t)$/;

function up(n: Node): Node {
  let p = n;
  while (p.parent?.type === 'parenthesized_expression') p = p.parent;
  return p;
}

const oneLine = (t: string) => t.replace(/\s+/g, ' ').trim();

/** this_cpu_{write,add,sub,or,and} for a store that is a statement of its own (they return nothing). */
const STORE_OPS: Record<string, string> = { '=': 'write', '+=': 'add', '-=': 'sub', '|=': 'or', '&=': 'and' };

/** Whether this_cpu_read/write can take v: a 1, 2, 4 or 8-byte scalar; a struct or array cannot. */
function typeKind(findings: Finding[], v: string, file: string, sizer: Sizer): 'scalar' | 'aggregate' | 'unknown' {
  const t = varType(findings, v);
  if (t === undefined) return 'unknown';
  if (/^(struct|union)\b|\[/.test(t) || NOT_SCALAR_T.test(t)) return 'aggregate';
  const sz = sizer.sizeOf(t, file);
  return SCALAR.test(t) && isSized(sz) && [1, 2, 4, 8].includes(sz.size) ? 'scalar' : 'unknown';
}

/** Type of a per-CPU variable defined or declared in this file, from the scan's findings. */
function varType(findings: Finding[], name: string): string | undefined {
  const f = findings.find((x) => (x.kind === 'static' || x.kind === 'declare') && x.name === name);
  return f && !f.dims?.length ? f.type : undefined;
}

function edit(c: FnChunk, n: Node, newText: string, to?: Node): TextEdit {
  const a = nodeRange(c, n);
  const b = nodeRange(c, to ?? n);
  return { line: a.line, column: a.column, endLine: b.endLine, endColumn: b.endColumn, newText };
}

export async function pcpu003(file: string, text: string, findings: Finding[], p: RuleProfile, sizer: Sizer): Promise<Diagnostic[]> {
  if (!TRIGGER.test(text)) return [];
  const fns = await functionsAt(text, wordOffsets(text, TRIGGER));
  const q = await ruleQuery('rules-accessors.scm');
  const out: Diagnostic[] = [];
  const offsets = `__per_cpu_offset[] is ${p.ptrSize} B × NR_CPUS ${p.nrCpus} = ${formatBytes(p.ptrSize * p.nrCpus)}`;
  for (const c of fns) {
    const pairs: Array<{ get: boolean; kind: string; v: string; call: Node }> = [];
    for (const m of q.matches(c.tree.rootNode)) {
      const cap = (k: string) => m.captures.find((x) => x.name === k)?.node;
      const pc = cap('pcall');
      if (pc) {
        const [, gp, kind] = /^(get|put)_cpu_(var|ptr)$/.exec(cap('pair')!.text)!;
        pairs.push({ get: gp === 'get', kind, v: squash(cap('pvar')!.text), call: pc });
        continue;
      }
      const call = cap('call')!;
      const fn = cap('fn')!.text;
      const v = cap('var')!.text;
      const raw = cap('cpu')!.text.startsWith('raw_') ? 'raw' : 'this';
      const r = nodeRange(c, call);
      const base = { ...r, file, code: 'PCPU003' as const, severity: 'warning' as const, bytes: p.ptrSize * p.nrCpus,
        numbers: { bytesPerCpu: p.ptrSize, nrCpus: p.nrCpus, totalBytes: p.ptrSize * p.nrCpus } };
      if (fn === 'per_cpu_ptr') {
        const nt = `${raw}_cpu_ptr(${v})`;
        out.push({ ...base, message: `${call.text.replace(/\s+/g, ' ')} looks up the CPU's offset in memory (${offsets}); ${nt} uses the per-CPU base register.`, fix: { title: `Use ${nt}`, edits: [edit(c, call, nt)] } });
        continue;
      }
      // per_cpu(v, cpu) is an lvalue: what replaces it depends on how it is used. Every rewrite the
      // message names comes with its fix; the one that is right whatever v's type comes first.
      const e = up(call);
      const par = e.parent;
      const ptr = `${raw}_cpu_ptr(&${v})`;
      const deref = `(*${ptr})`; // stands for per_cpu(v, cpu) anywhere: an lvalue of v's type
      const kind = typeKind(findings, v, file, sizer);
      const statement = (n: Node) => n.parent?.type === 'expression_statement';
      let suggestion: string;
      let fix: Diagnostic['fix'];
      let more: Fix[] | undefined;
      const use = (text: string, edits: TextEdit[]): Fix => ({ title: `Use ${text}`, edits });
      if (par?.type === 'pointer_expression' && par.child(0)?.text === '&') {
        suggestion = ptr;
        fix = use(suggestion, [edit(c, par, suggestion)]);
      } else if (par?.type === 'field_expression' && par.childForFieldName('argument')?.id === e.id) {
        const field = par.childForFieldName('field')?.text ?? '';
        if (par.child(1)?.text === '.') {
          suggestion = `${ptr}->${field}`;
          fix = { title: `Use ${ptr}->`, edits: [edit(c, e, `${ptr}->`, par.child(1)!)] };
        } else {
          // per_cpu(p, cpu)->f: v is a pointer, a scalar this_cpu_read reads
          suggestion = `${raw}_cpu_read(${v})->${field}`;
          fix = use(suggestion, [edit(c, call, `${raw}_cpu_read(${v})`)]);
        }
      } else if (par?.type === 'assignment_expression' && par.childForFieldName('left')?.id === e.id) {
        const op = par.child(1)?.text ?? '=';
        const rhs = oneLine(par.childForFieldName('right')?.text ?? '…');
        const fn = STORE_OPS[op];
        const whole = `*${ptr} ${op} ${rhs}`;
        const ptrFix = use(whole, [edit(c, e, `*${ptr}`)]);
        if (fn && statement(par) && kind !== 'aggregate') {
          const op1 = `${raw}_cpu_${fn}(${v}, ${rhs})`;
          suggestion = kind === 'scalar' ? op1 : `${op1} (if ${v} is a 1, 2, 4 or 8-byte scalar; else ${whole})`;
          if (kind === 'scalar') fix = use(op1, [edit(c, par, op1)]);
          else { fix = ptrFix; more = [use(op1, [edit(c, par, op1)])]; }
        } else {
          suggestion = whole;
          fix = ptrFix;
        }
      } else if (par?.type === 'update_expression') {
        const inc = par.text.includes('++');
        const op1 = `${raw}_cpu_${inc ? 'inc' : 'dec'}(${v})`;
        if (statement(par)) {
          suggestion = op1;
          fix = use(op1, [edit(c, par, op1)]);
        } else {
          // the value is used: this_cpu_inc returns nothing
          suggestion = `${deref}${inc ? '++' : '--'}`;
          fix = use(suggestion, [edit(c, e, deref)]);
        }
      } else if ((par?.type === 'subscript_expression' && par.childForFieldName('argument')?.id === e.id) || par?.type === 'field_expression') {
        suggestion = `${deref}${par.type === 'subscript_expression' ? `[${oneLine(par.childForFieldName('index')?.text ?? '')}]` : ''}`;
        fix = use(suggestion, [edit(c, e, deref)]);
      } else {
        // An rvalue: this_cpu_read works for 1, 2, 4 and 8-byte scalars only.
        const read = `${raw}_cpu_read(${v})`;
        const whole = `*${ptr}`;
        if (kind === 'scalar') { suggestion = read; fix = use(read, [edit(c, call, read)]); }
        else if (kind === 'aggregate') { suggestion = whole; fix = use(whole, [edit(c, call, whole)]); }
        else {
          suggestion = `${read} (if ${v} is a 1, 2, 4 or 8-byte scalar; else ${whole})`;
          fix = use(whole, [edit(c, call, whole)]);
          more = [use(read, [edit(c, call, read)])];
        }
      }
      out.push({ ...base, message: `${call.text.replace(/\s+/g, ' ')} looks up the CPU's offset in memory (${offsets}); use ${suggestion}.`, ...(fix ? { fix } : {}), ...(more ? { moreFixes: more } : {}) });
      continue;
    }
    out.push(...unpaired(file, c, pairs, findings, p, sizer));
  }
  return out;
}

function unpaired(file: string, c: FnChunk, pairs: Array<{ get: boolean; kind: string; v: string; call: Node }>, findings: Finding[], p: RuleProfile, sizer: Sizer): Diagnostic[] {
  const out: Diagnostic[] = [];
  // put_cpu_ptr(p) only re-enables preemption: kernel code passes the local pointer it got back
  // (gcs = get_cpu_ptr(x->stat); ... put_cpu_ptr(gcs)), so any put of the same family pairs.
  const fnText = c.fn ? c.text.slice(c.fn.startIndex, c.fn.endIndex) : c.text;
  const released = (kind: string) => pairs.some((x) => !x.get && x.kind === kind) || /\b(preempt_enable|put_cpu)\s*\(\s*\)/.test(fnText);
  for (const g of pairs) {
    if (!g.get || released(g.kind)) continue;
    // A getter that hands the pinned copy to its caller is half of a get/put API pair, by design.
    if (returned(g.call)) continue;
    const name = functionName(c.fn) ?? 'this function';
    const t = g.kind === 'var' ? varType(findings, g.v) : undefined;
    const sz = t ? sizer.sizeOf(t, file) : undefined;
    const cost = sz && isSized(sz) ? ` (${g.v}: ${formatBytes(sz.size)}/cpu)` : '';
    out.push({
      ...nodeRange(c, g.call), file, code: 'PCPU003', severity: 'warning',
      message: `get_cpu_${g.kind}(${g.v}) disables preemption but ${name} has no put_cpu_${g.kind}(${g.v})${cost}; add it on every path, or use this_cpu_* operations.`,
      ...(sz && isSized(sz) ? { bytes: sz.size, numbers: { bytesPerCpu: sz.size } } : {}),
    });
  }
  return out;
}

/** The pinned pointer leaves the function (returned directly or through a local): a *_begin/_end pair. */
function returned(n: Node): boolean {
  let p: Node | null = n.parent;
  while (p && /^(parenthesized_expression|pointer_expression|cast_expression|field_expression)$/.test(p.type)) p = p.parent;
  if (p?.type === 'return_statement') return true;
  const holder = p?.type === 'assignment_expression' ? p.childForFieldName('left') : p?.type === 'init_declarator' ? p.childForFieldName('declarator') : undefined;
  const name = holder?.text.replace(/^[*\s]+/, '');
  if (!name || !/^\w+$/.test(name)) return false;
  let fn: Node | null = p!;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  return !!fn && fn.descendantsOfType('return_statement').some((r) => !!r && new RegExp(`^return\\s*\\(?\\s*${name}\\s*\\)?\\s*;`).test(r.text));
}
