import * as assert from 'assert';
import { runFileRules } from '../../src/core/rules';
import type { Diagnostic } from '../../src/core/rules';
import { fixture, lineOf } from './support/rules';

describe('PCPU006 __percpu and free_percpu on error paths', () => {
  let ds: Diagnostic[];
  let text: string;
  before(async () => {
    const i = await fixture('pcpu006.c', { 'struct pcpu_lstats': [16, 8] });
    text = i.text;
    ds = (await runFileRules(i)).filter((d) => d.code === 'PCPU006');
  });

  it('reports exactly the marked lines', () => {
    const tp = text.split('\n').map((l, n) => (l.includes('TP:') ? n + 1 : 0)).filter(Boolean);
    assert.deepStrictEqual(ds.map((d) => d.line), tp);
  });

  it('prices the missing __percpu and the leak at possible CPUs', () => {
    const [a] = ds.filter((d) => d.line === lineOf(text, 'TP: no __percpu'));
    assert.match(a.message, /declared without __percpu/);
    // alloc_percpu(int): 4 B per CPU × 64 possible CPUs = 256 B
    assert.strictEqual(a.bytes, 256);
    const [g] = ds.filter((d) => d.line === lineOf(text, 'TP: leak'));
    assert.match(g.message, /goto free_p .* leaks 4 B\/cpu × 64 = 256 B/);
    assert.deepStrictEqual(g.related!.map((r) => r.line), [lineOf(text, 'TP: no __percpu'), lineOf(text, 'free_p:')]);
  });

  it('catches an early error return of an unowned local', () => {
    const [r] = ds.filter((d) => d.line === lineOf(text, 'TP: early return'));
    assert.match(r.message, /return -EBUSY; after counters was allocated .* 8 B\/cpu × 64 = 512 B/);
  });
});
