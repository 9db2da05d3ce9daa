import * as assert from 'assert';
import { parseCountsFile, parseTrace, countsFromTrace } from '../../src/core/estimate/counts';

describe('call-site counts', () => {
  it('reads JSON and line forms, and reports bad entries', () => {
    assert.deepStrictEqual([...parseCountsFile('{"a.c:3": 5, "bad": 2}').counts], [['a.c:3', 5]]);
    const p = parseCountsFile('# comment\na.c:3 5\nb.c:10,2000\nnonsense\n');
    assert.deepStrictEqual([...p.counts], [['a.c:3', 5], ['b.c:10', 2000]]);
    assert.strictEqual(p.warnings.length, 1);
    assert.match(parseCountsFile('{oops').warnings[0], /not valid JSON/);
  });

  it('reads percpu_alloc_percpu trace lines and attributes them to call sites', () => {
    // Field layout of the 6.x tracepoint (include/trace/events/percpu.h TP_printk).
    const trace = [
      '  modprobe-412 [001] ..... 12.5: percpu_alloc_percpu: call_site=alloc_netdev_mqs+0x1e4/0x8d0 reserved=0 is_atomic=0 size=4 align=4 base_addr=0xffff off=1024 ptr=0x3c00 bytes_alloc=16 gfp_flags=GFP_KERNEL',
      '  modprobe-412 [001] ..... 12.6: percpu_alloc_percpu: call_site=alloc_netdev_mqs+0x1e4/0x8d0 reserved=0 is_atomic=0 size=4 align=4 base_addr=0xffff off=1028 ptr=0x3c04 bytes_alloc=16 gfp_flags=GFP_KERNEL',
      '  insmod-500 [000] ..... 13.0: percpu_alloc_percpu: call_site=load_module+0x1/0x2 reserved=1 is_atomic=0 size=64 align=64 base_addr=0xffff off=0 ptr=0x1 bytes_alloc=256 gfp_flags=GFP_KERNEL',
      '  kworker-1 [000] ..... 14.0: percpu_alloc_percpu: call_site=vmstat_init+0x10/0x80 reserved=0 is_atomic=0 size=8192 align=8 base_addr=0xffff off=0 ptr=0x1 bytes_alloc=32768 gfp_flags=GFP_KERNEL',
      '  kworker-1 [000] ..... 14.0: percpu_alloc_percpu: call_site=vmstat_init+0x20/0x80 reserved=0 is_atomic=0 size=32 align=8 base_addr=0xffff off=0 ptr=0x1 bytes_alloc=128 gfp_flags=GFP_KERNEL',
      '  kworker-1 [000] ..... 14.0: percpu_alloc_percpu: call_site=unknown_fn+0x20/0x80 reserved=0 is_atomic=0 size=12 align=4 base_addr=0xffff off=0 ptr=0x1 bytes_alloc=48 gfp_flags=GFP_KERNEL',
    ].join('\n');
    const { events } = parseTrace(trace);
    assert.strictEqual(events.length, 6);
    assert.deepStrictEqual(events[0], {
      kind: 'alloc', func: 'alloc_netdev_mqs', size: 4, align: 4, reserved: false, atomic: false, base: '0xffff', off: 1024, ptr: '0x3c00', bytesAlloc: 16,
    });
    const r = countsFromTrace(events, [
      { file: 'net/core/dev.c', line: 50, func: 'alloc_netdev_mqs', size: 4 },
      { file: 'mm/vmstat.c', line: 30, func: 'vmstat_init', size: 8192 },
      { file: 'mm/vmstat.c', line: 33, func: 'vmstat_init', size: 32 },
    ]);
    assert.deepStrictEqual([...r.counts].sort(), [['mm/vmstat.c:30', 1], ['mm/vmstat.c:33', 1], ['net/core/dev.c:50', 2]]);
    assert.deepStrictEqual(r.unmatched, [{ func: 'unknown_fn', size: 12, count: 1 }]);
  });
});
