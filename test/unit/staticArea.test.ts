import * as assert from 'assert';
import { layoutStaticArea, layoutModuleSection, StaticVar } from '../../src/core/estimate/staticArea';

// The sample tree's built-in per-CPU variables. Sizes and alignments follow from the C types;
// expected offsets are what GNU ld 2.40 placed for the same objects (gcc 12 -O2) with the
// 6.12 PERCPU_INPUT order (test/unit/estimateSample.test.ts re-derives them with gcc at test time).
const v = (name: string, size: number, align: number, section: string, objectOrder: number, position: number): StaticVar =>
  ({ name, file: 'f.c', line: 1, size, align, section, objectOrder, position });

describe('static area as the linker lays it out', () => {
  const vars = [
    v('fixed_percpu_data', 48, 4096, '..first', 0, 0),
    v('gdt_page', 4096, 4096, '..page_aligned', 0, 1),
    v('cpu_number', 4, 4, '..read_mostly', 0, 2),
    v('this_cpu_off', 8, 8, '..read_mostly', 0, 3),
    v('runqueues', 88, 64, '..shared_aligned', 1, 0),
    v('current_task', 8, 8, '', 1, 1),
    v('nr_context_switches', 8, 8, '', 1, 2),
    v('ksoftirqd', 8, 8, '', 2, 0),
    v('softirq_pending_mask', 4, 4, '', 2, 1),
    v('vm_event_states', 320, 8, '', 4, 0),
    v('softnet_data', 40, 64, '..shared_aligned', 5, 0),
  ];
  const l = layoutStaticArea(vars, { pageSize: 4096, cacheLine: 64, kernel: '6.12', isSet: () => false });
  const at = (n: string) => l.vars.find((x) => x.name === n)!.offset;

  it('gives __per_cpu_end - __per_cpu_start = 0x2268', () => assert.strictEqual(l.size, 0x2268));
  it('places every variable where ld does', () => {
    assert.deepStrictEqual(
      Object.fromEntries(l.vars.map((x) => [x.name, x.offset])),
      {
        fixed_percpu_data: 0, gdt_page: 0x1000, this_cpu_off: 0x2000, cpu_number: 0x2008,
        nr_context_switches: 0x2040, current_task: 0x2048, softirq_pending_mask: 0x2050, ksoftirqd: 0x2058,
        vm_event_states: 0x2060, runqueues: 0x21c0, softnet_data: 0x2240,
      });
    assert.ok(at('runqueues') % 64 === 0);
  });
  it('counts alignment padding', () => assert.strictEqual(l.padding, 0x2268 - (48 + 4096 + 4 + 8 + 88 + 8 + 8 + 8 + 4 + 320 + 40)));
  it('6.15+ has no ..first section: such variables fall back to .data..percpu and are listed', () => {
    const l2 = layoutStaticArea([v('a', 8, 8, '..first', 0, 0)], { pageSize: 4096, cacheLine: 64, kernel: '6.15', isSet: () => false });
    assert.deepStrictEqual(l2.unplacedSections, ['..first']);
    assert.strictEqual(l2.size, 8);
  });
  it('a module section takes the largest alignment and reverse definition order per object', () => {
    const m = layoutModuleSection([v('x', 4, 4, '', 0, 0), v('y', 8, 8, '', 0, 1), v('z', 2, 2, '', 1, 0)]);
    // object 0 emits y (0..8) then x (8..12); object 1 aligned to 2 → z at 12
    assert.deepStrictEqual(m.vars.map((p) => [p.name, p.offset]), [['y', 0], ['x', 8], ['z', 12]]);
    assert.strictEqual(m.size, 14);
    assert.strictEqual(m.align, 8);
  });
});
