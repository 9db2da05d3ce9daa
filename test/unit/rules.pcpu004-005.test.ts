import * as assert from 'assert';
import { runFileRules, runTreeRules } from '../../src/core/rules';
import { PROFILE, fixture, lineOf, scan, stubSizer } from './support/rules';

const tpLines = (text: string) => text.split('\n').map((l, n) => (l.includes('TP') ? n + 1 : 0)).filter(Boolean);

describe('PCPU004 cache-line padding on per-CPU-only types', () => {
  // 4 (lock) + 4 pad + 16 + 24 + 8 + 8 + 4 = 68 → 72 with 8-byte alignment; padded to 64-byte lines: 128.
  // [size, align, size without the type's own ____cacheline_aligned]: 16 and 8 for the two FPs
  const sizes: Record<string, number[]> = { 'struct cpu_workqueue_struct': [128, 64, 72], 'struct shared_stats': [64, 64, 16], 'struct remote_queue': [64, 64, 8] };

  it('prices the workqueue lesson: 128 − 72 = 56 B per CPU', async () => {
    const i = await fixture('pcpu004.c', sizes);
    const ds = (await runFileRules(i)).filter((d) => d.code === 'PCPU004');
    assert.deepStrictEqual(ds.map((d) => d.line), [lineOf(i.text, 'struct cpu_workqueue_struct {')]);
    assert.match(ds[0].message, /padded to 128 B \(72 B of members\)/);
    assert.match(ds[0].message, /56 B\/cpu × 64 = 3.5 KiB wasted/);
    assert.strictEqual(ds[0].bytes, 56 * 64);
  });

  it('leaves header types to the tree rule, which sees every user', async () => {
    const i = await fixture('pcpu004.c', sizes);
    const h = i.text.slice(0, i.text.indexOf('static int init_wq'));
    const c = i.text.slice(i.text.indexOf('static int init_wq'));
    const findings = [...await scan(h, 'wq.h'), ...await scan(c, 'wq.c')];
    const files = new Map([['wq.h', h], ['wq.c', c]]);
    const fileDs = await runFileRules({ file: 'wq.c', text: c, findings, profile: PROFILE, sizer: stubSizer(sizes, files) });
    assert.strictEqual(fileDs.filter((d) => d.code === 'PCPU004').length, 0);
    const tree = await runTreeRules({ files, findings, profile: PROFILE, sizer: stubSizer(sizes, files) });
    assert.deepStrictEqual(tree.filter((d) => d.code === 'PCPU004').map((d) => `${d.file}:${d.line}`), ['wq.h:2']);
  });
});

describe('PCPU005 large per-CPU objects', () => {
  const sizes: Record<string, number[]> = { 'struct chubby_mib': [9600, 8], 'struct huge': [40000, 1], 'struct small': [16, 8], 'struct big_static': [80000, 64] };

  it('reports the marked lines only', async () => {
    const i = await fixture('pcpu005.c', sizes);
    const ds = (await runFileRules(i)).filter((d) => d.code === 'PCPU005');
    assert.deepStrictEqual(ds.map((d) => d.line), tpLines(i.text));
  });

  it('weighs allocations against the 28 KiB dynamic reserve and refuses above 32 KiB', async () => {
    const i = await fixture('pcpu005.c', sizes);
    const ds = await runFileRules(i);
    const chubby = ds.find((d) => d.line === lineOf(i.text, 'TP: chubby'))!;
    // 1200 × 8 = 9600 B = 9.4 KiB; 9600/28672 = 33%; × 64 = 600 KiB
    assert.match(chubby.message, /9.4 KiB per CPU \(9.4 KiB\/cpu × 64 = 600 KiB\), 33% of the 28 KiB dynamic reserve/);
    assert.strictEqual(chubby.bytes, 9600 * 64);
    const huge = ds.find((d) => d.line === lineOf(i.text, 'TP: huge'))!;
    assert.strictEqual(huge.severity, 'error');
    assert.match(huge.message, /more than PCPU_MIN_UNIT_SIZE \(32 KiB\)/);
    const expr = ds.find((d) => d.line === lineOf(i.text, 'TP: sized by expression'))!;
    assert.strictEqual(expr.bytes, 9600 * 64);
    const st = ds.find((d) => d.line === lineOf(i.text, 'TP: static'))!;
    // 80000 B against 25% of a 256 KiB unit (64 KiB): 80000/262144 = 31%
    assert.match(st.message, /78.1 KiB .* 31% of the 256 KiB unit/);
  });
});
