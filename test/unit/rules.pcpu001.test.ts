import * as assert from 'assert';
import { runFileRules } from '../../src/core/rules';
import { pcpu001Skip } from '../../src/core/rules/pcpu001NrCpusArray';
import { fixture, lineOf } from './support/rules';

describe('PCPU001 NR_CPUS arrays of per-CPU state', () => {
  it('prices struct module_ref ref[NR_CPUS] as the 2009 patch did', async () => {
    const i = await fixture('pcpu001-tp.c', { 'struct module_ref': [64, 64, 8] });
    const ds = (await runFileRules(i)).filter((d) => d.code === 'PCPU001');
    const ref = ds.find((d) => d.line === lineOf(i.text, 'TP: module_ref'))!;
    assert.ok(ref, 'module_ref reported');
    // element: local_t (8) padded to the 64-byte line = 64 B; 64 × 4096 = 262144 B per module.
    assert.strictEqual(ref.bytes, 64 * 4096);
    assert.match(ref.message, /64 B\/cpu × 4096 = 256 KiB in each struct module/);
    // per-CPU: the 8-byte counter, no padding, × 64 possible CPUs = 512 B.
    assert.match(ref.message, /8 B\/cpu × 64 = 512 B/);
    // 2000 modules: 500 MiB vs 2000 × 512 B = 1000 KiB.
    assert.match(ref.message, /2000 instances 500 MiB vs 1000 KiB/);
    assert.strictEqual(ref.severity, 'warning');
    assert.deepStrictEqual(ref.related, [{ file: 'pcpu001-tp.c', line: lineOf(i.text, 'struct module_ref {'), message: 'struct module_ref: 64 B per element' }]);
  });

  it('reports global tables once, as info, and multiplies extra dimensions', async () => {
    const i = await fixture('pcpu001-tp.c', { 'struct module_ref': [64, 64, 8] });
    const ds = (await runFileRules(i)).filter((d) => d.code === 'PCPU001');
    const idle = ds.find((d) => d.line === lineOf(i.text, 'TP: idle_threads'))!;
    assert.strictEqual(idle.bytes, 8 * 4096);
    assert.strictEqual(idle.severity, 'info');
    const hits = ds.find((d) => d.line === lineOf(i.text, 'TP: hits'))!;
    assert.strictEqual(hits.bytes, 4 * 8 * 4096); // [NR_CPUS][4] unsigned long
    assert.match(hits.message, /32 B\/cpu × 64 = 2 KiB/);
    assert.strictEqual(ds.length, 3, 'the ignore comment silences the fourth');
  });

  it('stays quiet about CPU id maps, masks, bitmaps, init data, externs and locals', async () => {
    const ds = await runFileRules({ ...await fixture('pcpu001-fp.c'), asmSymbols: new Set(['kernelsp']) });
    assert.deepStrictEqual(ds.map((d) => `${d.line}:${d.message}`), []);
  });

  it('explains each skip', () => {
    const f = { kind: 'nr_cpus_array' as const, file: 'x.c', line: 1, column: 1, endLine: 1, endColumn: 1, name: 'cpu_to_node_map', type: 'int', macro: 'NR_CPUS', dims: ['NR_CPUS'] };
    assert.match(pcpu001Skip(f, '')!, /CPU id map/);
    assert.match(pcpu001Skip({ ...f, name: 'x', type: 'u16' }, '')!, /ids, masks or flags/);
    assert.strictEqual(pcpu001Skip({ ...f, name: 'counters', type: 'unsigned long' }, ''), undefined);
  });
});
