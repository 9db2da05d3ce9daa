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

  /** the fixed line, without its trailing comment */
  const fixed = (d: Diagnostic, f = d.fix!) => apply(text, { ...d, fix: f }).split('\n')[d.line - 1].replace(/\s*\/\*.*$/, '').trim();
  const one = (m: string) => {
    const l = at(m);
    assert.strictEqual(l.length, 1, m);
    return l[0];
  };

  it('rewrites a store to a known scalar with this_cpu_write', () => {
    const w = one('TP: write');
    assert.match(w.message, /use this_cpu_write\(nr_events, n \+ 1\)\.$/);
    assert.strictEqual(fixed(w), 'this_cpu_write(nr_events, n + 1);');
    assert.strictEqual(w.moreFixes, undefined);
  });

  it('has a fix for every per_cpu(v, smp_processor_id()) form whose rewrite the message names', () => {
    const want: Array<[string, string, string]> = [
      // marker, the rewrite in the message, the fixed line
      ['TP: plus', 'this_cpu_add(nr_events, v)', 'this_cpu_add(nr_events, v);'],
      ['TP: sub', 'this_cpu_sub(nr_events, v)', 'this_cpu_sub(nr_events, v);'],
      ['TP: or', 'this_cpu_or(nr_events, 4)', 'this_cpu_or(nr_events, 4);'],
      ['TP: xor', '*this_cpu_ptr(&nr_events) ^= 4', '*this_cpu_ptr(&nr_events) ^= 4;'],
      ['TP: inc', 'this_cpu_inc(nr_events)', 'this_cpu_inc(nr_events);'],
      ['TP: dec', 'raw_cpu_dec(nr_events)', 'raw_cpu_dec(nr_events);'],
      // the value is used: this_cpu_inc returns nothing
      ['TP: inc used', '(*this_cpu_ptr(&nr_events))++', 'v = (*this_cpu_ptr(&nr_events))++;'],
      ['TP: subscript', '(*this_cpu_ptr(&nr_slots))[2]', '(*this_cpu_ptr(&nr_slots))[2] = 1;'],
      ['TP: arrow', 'this_cpu_read(cur_stats)->packets', 'this_cpu_read(cur_stats)->packets = v;'],
      ['TP: struct store', '*this_cpu_ptr(&flush_work) = *w0', '*this_cpu_ptr(&flush_work) = *w0;'],
      ['TP: field rvalue', 'this_cpu_ptr(&flush_work)->data', 'return v + this_cpu_ptr(&flush_work)->data;'],
    ];
    for (const [m, rewrite, line] of want) {
      const d = one(m);
      assert.ok(d.message.endsWith(`use ${rewrite}.`), `${m}: ${d.message}`);
      assert.ok(d.fix, `${m}: no fix`);
      assert.strictEqual(fixed(d), line, m);
    }
  });

  it('offers both rewrites when the type is unknown, the one right for any type first', () => {
    const u = one('TP: unknown type');
    assert.match(u.message, /this_cpu_read\(remote_counter\) \(if remote_counter is a 1, 2, 4 or 8-byte scalar; else \*this_cpu_ptr\(&remote_counter\)\)/);
    assert.strictEqual(fixed(u), 'return *this_cpu_ptr(&remote_counter);');
    assert.deepStrictEqual(u.moreFixes!.map((f) => fixed(u, f)), ['return this_cpu_read(remote_counter);']);
    const s = one('TP: unknown store');
    assert.strictEqual(fixed(s), '*this_cpu_ptr(&remote_counter) = v;');
    assert.deepStrictEqual(s.moreFixes!.map((f) => fixed(s, f)), ['this_cpu_write(remote_counter, v);']);
  });

  it('flags get_cpu_var without put_cpu_var, not getters or paired uses', () => {
    const [u] = at('TP: unpaired');
    assert.match(u.message, /leaves_preemption_off has no put_cpu_var\(nr_events\) \(nr_events: 8 B\/cpu\)/);
  });
});
