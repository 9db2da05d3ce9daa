import * as assert from 'assert';
import { runFileRules } from '../../src/core/rules';
import type { Diagnostic } from '../../src/core/rules';
import { fixture, lineOf } from './support/rules';

/** Apply a fix's edits to text (1-based line/column, end exclusive). */
function apply(text: string, d: Diagnostic): string {
  const lines = text.split('\n');
  for (const e of [...d.fix!.edits].reverse()) {
    const a = lines[e.line - 1];
    const b = lines[e.endLine - 1];
    lines.splice(e.line - 1, e.endLine - e.line + 1, a.slice(0, e.column - 1) + e.newText + b.slice(e.endColumn - 1));
  }
  return lines.join('\n');
}

describe('PCPU003 this_cpu instead of the CPU number', () => {
  let ds: Diagnostic[];
  let text: string;
  before(async () => {
    const i = await fixture('pcpu003.c', { 'struct work_struct': [32, 8] });
    text = i.text;
    ds = (await runFileRules(i)).filter((d) => d.code === 'PCPU003');
  });
  const at = (m: string) => ds.filter((d) => d.line === lineOf(text, m));

  it('reports every true positive and nothing else', () => {
    const tp = text.split('\n').map((l, n) => (l.includes('TP:') ? n + 1 : 0)).filter(Boolean);
    assert.deepStrictEqual(ds.map((d) => d.line), tp);
  });

  it('rewrites per_cpu_ptr(p, smp_processor_id()) to this_cpu_ptr(p)', () => {
    const [d] = at('TP: ptr');
    assert.match(apply(text, d).split('\n')[d.line - 1], /struct stats \*s = this_cpu_ptr\(stats\);/);
    // __per_cpu_offset[]: 8-byte offsets × NR_CPUS 4096 = 32 KiB.
    assert.strictEqual(d.bytes, 8 * 4096);
    assert.match(d.message, /32 KiB/);
  });

  it('reads a scalar with this_cpu_read, takes an address with this_cpu_ptr', () => {
    const [r] = at('TP: rvalue');
    assert.match(apply(text, r).split('\n')[r.line - 1], /unsigned long n = this_cpu_read\(nr_events\);/);
    const [a] = at('TP: address');
    assert.match(apply(text, a).split('\n')[a.line - 1], /struct work_struct \*w = this_cpu_ptr\(&flush_work\);/);
    const [f] = at('TP: field');
    assert.match(apply(text, f).split('\n')[f.line - 1], /s->packets = raw_cpu_ptr\(&flush_work\)->data;/);
  });

  it('suggests this_cpu_write for a store, without a fix', () => {
    const [w] = at('TP: write');
    assert.match(w.message, /this_cpu_write\(nr_events, …\)/);
    assert.strictEqual(w.fix, undefined);
  });

  it('suggests this_cpu_read without a fix when the type is unknown', () => {
    const [u] = at('TP: unknown type');
    assert.match(u.message, /this_cpu_read\(remote_counter\) \(if remote_counter is a 1, 2, 4 or 8-byte scalar/);
    assert.strictEqual(u.fix, undefined);
  });

  it('flags get_cpu_var without put_cpu_var, not getters or paired uses', () => {
    const [u] = at('TP: unpaired');
    assert.match(u.message, /leaves_preemption_off has no put_cpu_var\(nr_events\) \(nr_events: 8 B\/cpu\)/);
  });
});
