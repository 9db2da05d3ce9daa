// The chunk map's data shaping: subsystem tree, search, sort, paging, bar layout, and the compare
// deltas. The views are written by hand; every expected number is a sum of the sizes given here.
import * as assert from 'assert';
import type { EstimateView } from '../../src/vscode/core';
import {
  buildTree, childRows, crumbs, findNode, inScope, itemsOf, layoutBar, matcher, pageOf, sortRows, type Block,
} from '../../src/vscode/chunkMapModel';
import { compareViews } from '../../src/vscode/diffModel';

type V = { name: string; file: string; line: number; size: number };
type C = { file: string; line: number; type: string; size: number; count?: number };

function view(statics: V[], calls: C[], fc: { static: number; reserved: number; dynamic: number; unitSize: number; pagesPerCpu?: number }, arrays: Array<{ name: string; file: string; line: number; total: number }> = []): EstimateView {
  const dyn = calls.reduce((n, c) => n + c.size * (c.count ?? 1), 0);
  return {
    root: '/k', arch: 'x86_64', nrCpus: 64, possibleCpus: 8, filesScanned: 1,
    totals: { staticBytes: fc.static, reservedBytes: fc.reserved, dynamicBytes: fc.dynamic, dynamicRequested: dyn, nrCpusArrayBytes: arrays.reduce((n, a) => n + a.total, 0), bootLine: '' },
    static: statics.map((s) => ({ ...s, align: 8, section: '.data..percpu' })),
    dynamic: { callsites: calls.map((c) => ({ ...c, count: c.count ?? 1, total: c.size * (c.count ?? 1) })) },
    nrCpusArrays: arrays.map((a) => ({ ...a, elementBytes: a.total / 64 })), unresolved: [],
    snapshot: { unitSize: fc.unitSize, pageSize: 4096, nrUnits: 8, nrPossibleCpus: 8, firstChunk: { ...fc, bootLine: '' }, chunks: [] },
  };
}

const STATICS: V[] = [
  { name: 'runqueues', file: 'kernel/sched/core.c', line: 120, size: 4096 },
  { name: 'sd_llc', file: 'kernel/sched/topology.c', line: 660, size: 8 },
  { name: 'softnet_data', file: 'net/core/dev.c', line: 450, size: 3072 },
  { name: 'xmit_recursion', file: 'net/core/dev.c', line: 455, size: 4 },
  { name: 'cpu_tss_rw', file: 'arch/x86/kernel/process.c', line: 40, size: 12288 },
];
const CALLS: C[] = [
  { file: 'net/core/dev.c', line: 9000, type: 'alloc_percpu(struct pcpu_sw_netstats)', size: 32, count: 4 },
  { file: 'mm/slub.c', line: 5000, type: 'alloc_percpu(struct kmem_cache_cpu)', size: 64 },
];

describe('chunk map model: subsystem tree', () => {
  const tree = buildTree(itemsOf(view(STATICS, CALLS, { static: 19468, reserved: 8192, dynamic: 20480, unitSize: 65536 })));
  it('sums per-CPU bytes by directory; a call site costs size × count', () => {
    assert.strictEqual(tree.staticBytes, 4096 + 8 + 3072 + 4 + 12288);
    assert.strictEqual(tree.dynamicBytes, 32 * 4 + 64);
    const net = findNode(tree, 'net')!;
    assert.deepStrictEqual([net.staticBytes, net.dynamicBytes, net.nStatic, net.nAlloc], [3076, 128, 2, 1]);
    assert.strictEqual(findNode(tree, 'kernel/sched')!.staticBytes, 4104);
    assert.strictEqual(findNode(tree, 'net/core/dev.c')!.items.length, 3);
    assert.strictEqual(findNode(tree, 'net/nope'), undefined);
  });
  it('rows are biggest first; lone directory chains are joined', () => {
    const top = childRows(tree);
    assert.deepStrictEqual(top.map((r) => [r.label, r.staticBytes + r.dynamicBytes]),
      [['arch/x86/kernel/', 12288], ['kernel/sched/', 4104], ['net/core/', 3204], ['mm/', 64]]);
    assert.strictEqual(top[0].path, 'arch/x86/kernel');
    const dev = childRows(findNode(tree, 'net/core/dev.c')!);
    assert.deepStrictEqual(dev.map((r) => [r.kind, r.label]),
      [['static', 'softnet_data'], ['alloc', 'alloc_percpu(struct pcpu_sw_netstats) (line 9000)'], ['static', 'xmit_recursion']]);
    assert.strictEqual(dev[1].item!.line, 9000);
  });
  it('breadcrumbs and scope', () => {
    assert.deepStrictEqual(crumbs('net/core').map((c) => c.path), ['', 'net', 'net/core']);
    assert.ok(inScope('net/core/dev.c', 'net'));
    assert.ok(inScope('net/core/dev.c', 'net/core/dev.c'));
    assert.ok(!inScope('network/x.c', 'net'));
    assert.ok(inScope('a.c', ''));
  });
  it('search: every word, case-insensitive, in the name (a call site: its expression) or file:line', () => {
    const items = itemsOf(view(STATICS, CALLS, { static: 0, reserved: 0, dynamic: 0, unitSize: 0 }));
    assert.deepStrictEqual(items.filter(matcher('dev.c')).map((x) => x.name), ['softnet_data', 'xmit_recursion', 'alloc_percpu(struct pcpu_sw_netstats)']);
    assert.deepStrictEqual(items.filter(matcher('NET  data')).map((x) => x.name), ['softnet_data']);
    assert.deepStrictEqual(items.filter(matcher('dev.c:455')).map((x) => x.name), ['xmit_recursion']);
    assert.strictEqual(items.filter(matcher('   ')).length, items.length);
    assert.strictEqual(buildTree(items.filter(matcher('kmem_cache'))).dynamicBytes, 64);
  });
});

describe('chunk map model: sort and pages', () => {
  it('numbers biggest first with file:line ties; strings in code-point order', () => {
    const s = sortRows(STATICS, (r) => r.size, 'desc');
    assert.deepStrictEqual(s.map((r) => r.name), ['cpu_tss_rw', 'runqueues', 'softnet_data', 'sd_llc', 'xmit_recursion']);
    const ties = sortRows([{ file: 'b.c', line: 1 }, { file: 'a.c', line: 9 }, { file: 'a.c', line: 2 }], () => 0, 'desc');
    assert.deepStrictEqual(ties.map((r) => `${r.file}:${r.line}`), ['a.c:2', 'a.c:9', 'b.c:1']);
    assert.deepStrictEqual(sortRows(STATICS, (r) => r.file, 'asc').map((r) => r.line), [40, 120, 660, 450, 455]);
  });
  it('pages', () => {
    assert.deepStrictEqual(pageOf(288, 0, 50), { page: 0, pages: 6, start: 0, end: 50 });
    assert.deepStrictEqual(pageOf(288, 5, 50), { page: 5, pages: 6, start: 250, end: 288 });
    assert.deepStrictEqual(pageOf(288, 99, 50).page, 5);
    assert.deepStrictEqual(pageOf(0, 0, 50), { page: 0, pages: 1, start: 0, end: 0 });
  });
});

describe('chunk map model: bar layout', () => {
  // 300 variables of 8 bytes, then one of 16 KiB: at 800 px the small ones are 0.3 px each
  const blocks: Block[] = [];
  for (let i = 0; i < 300; i++) blocks.push({ offset: i * 8, size: 8, kind: 'static', label: `v${i}` });
  blocks.push({ offset: 4096, size: 16384, kind: 'static', label: 'big' });
  const reach = (from: number, to: number, depth = 0, bl = blocks, width = 800): Set<string> => {
    assert.ok(depth < 20, 'zooming does not terminate');
    const items = layoutBar(bl, from, to, width, 8);
    const seen = new Set<string>();
    for (const it of items) {
      if (it.type !== 'gap') assert.ok(it.w >= 8 - 1e-9, `item ${it.from}-${it.to} is ${it.w} px`);
      if (it.type === 'block') seen.add(it.block.label!);
      if (it.type === 'cluster') {
        assert.ok(it.blocks.length >= 2);
        for (const l of reach(it.from, it.to, depth + 1, bl, width)) seen.add(l);
      }
    }
    return seen;
  };
  it('every item a mouse must hit is at least minPx; the bar fits its width', () => {
    const items = layoutBar(blocks, 0, 20480, 800, 8);
    const w = items.reduce((n, i) => n + i.w, 0);
    assert.ok(w <= 800 + 1e-6, `width ${w}`);
    for (let i = 1; i < items.length; i++) assert.ok(Math.abs(items[i].x - items[i - 1].x - items[i - 1].w) < 1e-9);
    // every block appears exactly once (alone or in one cluster)
    const n = items.reduce((k, i) => k + (i.type === 'block' ? 1 : i.type === 'cluster' ? i.blocks.length : 0), 0);
    assert.strictEqual(n, 301);
    // the padding between 2400 and 4096 keeps its scale
    const gap = items.find((i) => i.type === 'gap')!;
    assert.deepStrictEqual([gap.from, gap.to], [2400, 4096]);
  });
  it('zooming into clusters reaches every block', () => {
    assert.strictEqual(reach(0, 20480).size, 301);
  });
  it('narrow blocks between wider ones: grouped more coarsely until the bar fits', () => {
    // 100 pairs of (8 B, 40 B) over 4800 B at 600 px: 1 px and 5 px each, nothing pointable alone
    const bl: Block[] = [];
    for (let i = 0; i < 100; i++) bl.push({ offset: i * 48, size: 8, kind: 'static', label: `n${i}` }, { offset: i * 48 + 8, size: 40, kind: 'static', label: `w${i}` });
    const items = layoutBar(bl, 0, 4800, 600, 8);
    assert.ok(items.reduce((n, i) => n + i.w, 0) <= 600 + 1e-6);
    assert.ok(items.every((i) => i.type === 'gap' || i.w >= 8 - 1e-9));
    // 0.2 px blocks between 9.8 px ones: widening each narrow one to 8 px would need 60 × (8 + 9.8) px
    const wide: Block[] = [];
    for (let i = 0; i < 60; i++) wide.push({ offset: i * 100, size: 2, kind: 'alloc', label: `t${i}` }, { offset: i * 100 + 2, size: 98, kind: 'alloc', label: `b${i}` });
    const w = layoutBar(wide, 0, 6000, 600, 8);
    assert.ok(w.reduce((n, i) => n + i.w, 0) <= 600 + 1e-6, `width ${w.reduce((n, i) => n + i.w, 0)}`);
    assert.ok(w.every((i) => i.type === 'gap' || i.w >= 8 - 1e-9));
    assert.strictEqual(w.reduce((k, i) => k + (i.type === 'block' ? 1 : i.type === 'cluster' ? i.blocks.length : 0), 0), 120);
    assert.strictEqual(reach(0, 6000, 0, wide, 600).size, 120);
    assert.strictEqual(reach(0, 4800, 0, bl, 600).size, 200);
  });
  it('a lone narrow block is widened, not clustered', () => {
    const items = layoutBar([{ offset: 0, size: 4000, kind: 'alloc' }, { offset: 4000, size: 8, kind: 'alloc', label: 'tiny' }, { offset: 4008, size: 4000, kind: 'free' }], 0, 8008, 400, 8);
    assert.deepStrictEqual(items.map((i) => i.type), ['block', 'block', 'block']);
    assert.strictEqual(items[1].w, 8);
  });
});

describe('chunk map model: compare', () => {
  const a = view(STATICS, CALLS, { static: 19468, reserved: 8192, dynamic: 28672, unitSize: 65536, pagesPerCpu: 14 },
    [{ name: 'cpu_map', file: 'kernel/cpu.c', line: 5, total: 512 }]);
  const b = view(
    [...STATICS.filter((s) => s.name !== 'sd_llc').map((s) => (s.name === 'runqueues' ? { ...s, line: 130, size: 8192 } : s)),
      { name: 'new_stats', file: 'net/core/dev.c', line: 460, size: 64 }],
    [...CALLS, { file: 'net/core/dev.c', line: 9100, type: 'alloc_percpu(struct pcpu_sw_netstats)', size: 32 }],
    { static: 23616, reserved: 8192, dynamic: 28672, unitSize: 131072, pagesPerCpu: 15 },
    [{ name: 'cpu_map', file: 'kernel/cpu.c', line: 5, total: 4096 }]);
  const c = compareViews(a, b);
  it('rows aligned by name, not line; biggest growth first', () => {
    assert.deepStrictEqual(c.rows.slice(0, 4).map((r) => [r.kind, r.name, r.status, r.before, r.after, r.delta]), [
      ['static', 'runqueues', 'changed', 4096, 8192, 4096],
      ['nr_cpus_array', 'cpu_map', 'changed', 512, 4096, 3584],
      ['static', 'new_stats', 'added', 0, 64, 64],
      ['alloc', 'alloc_percpu(struct pcpu_sw_netstats)', 'added', 0, 32, 32],
    ]);
    assert.deepStrictEqual(c.rows[c.rows.length - 1], { kind: 'static', status: 'removed', name: 'sd_llc', file: 'kernel/sched/topology.c', line: 660, before: 8, after: 0, delta: -8 });
    assert.strictEqual(c.rows.find((r) => r.name === 'runqueues')!.line, 130);
    // the call site at 9000 pairs with 9000 (line order), the one at 9100 is new
    assert.strictEqual(c.rows.filter((r) => r.name === 'alloc_percpu(struct pcpu_sw_netstats)' && r.status === 'same').length, 1);
    assert.deepStrictEqual(c.summary, { added: 2, removed: 1, grew: 2, shrank: 0, same: 5 });
  });
  it('totals and what the change crosses', () => {
    assert.deepStrictEqual(c.totals.static, { before: 19468, after: 23616, delta: 4148 });
    assert.deepStrictEqual(c.totals.dynamic, { before: 192, after: 224, delta: 32 });
    assert.deepStrictEqual(c.totals.nrCpusArrays, { before: 512, after: 4096, delta: 3584 });
    assert.deepStrictEqual(c.firstChunk.pagesPerCpu, { before: 14, after: 15, delta: 1 });
    assert.ok(c.crossesPage);
    assert.ok(c.crossesUnit);
    const same = compareViews(a, a);
    assert.ok(!same.crossesPage && !same.crossesUnit);
    assert.ok(same.rows.every((r) => r.status === 'same' && r.delta === 0));
  });
});
