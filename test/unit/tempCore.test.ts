// The TEMPORARY core behind the editor facade (src/vscode/tempCore.ts): enough to trust the editor
// tests' fixtures. Delete with tempCore.ts.
import * as assert from 'assert';
import * as path from 'path';
import * as fs from 'fs';
import { createCore } from '../../src/vscode/core';
import { parseSettings } from '../../src/vscode/settings';

const FIX = path.resolve(__dirname, '../../../test/fixtures/e2e-kernel');
const s = parseSettings(() => undefined).settings;

describe('tempCore (facade stand-in)', () => {
  it('finds per-CPU items, sizes them, and offers the PCPU003 fix', async () => {
    const file = path.join(FIX, 'kernel/sched_stats.c');
    const a = await createCore().analyzeFile(file, fs.readFileSync(file, 'utf8'), s);
    const rq = a.items.find((i) => i.kind === 'static' && i.name === 'rq_stats')!;
    assert.strictEqual(rq.bytesPerCpu, 32);
    assert.match(rq.layoutText!, /XXX 4 bytes hole/);
    assert.strictEqual(a.items.find((i) => i.kind === 'alloc')!.bytesPerCpu, 16);
    const d = a.diagnostics.find((x) => x.code === 'PCPU003')!;
    assert.deepStrictEqual(d.fix!.edits.map((e) => e.newText), ['this_cpu_ptr(&rq_stats)']);
    assert.strictEqual(d.line, 35);
  });
  it('flags NR_CPUS arrays and alloc_percpu into a non-__percpu pointer', async () => {
    const file = path.join(FIX, 'drivers/net/foo_net.c');
    const a = await createCore().analyzeFile(file, fs.readFileSync(file, 'utf8'), s);
    assert.strictEqual(a.items.find((i) => i.kind === 'nr_cpus_array')!.elementBytes, 16);
    const d6 = a.diagnostics.find((x) => x.code === 'PCPU006')!;
    assert.deepStrictEqual(d6.related, [{ file, line: 20, message: "'stats' declared here without __percpu" }]);
    assert.ok(a.diagnostics.some((x) => x.code === 'PCPU001'));
  });
  it('estimates the fixture tree', async () => {
    const v = await createCore().estimate(FIX, s, new AbortController().signal, () => {});
    assert.strictEqual(v.filesScanned, 4);
    assert.strictEqual(v.totals.bootLine, 'percpu: Embedded 10 pages/cpu s168 r8192 d32600 u65536');
    assert.strictEqual(v.totals.dynamicRequested, 48);
    assert.strictEqual(v.totals.nrCpusArrayBytes, 16 * 512);
    assert.ok(v.static.some((x) => x.file === '<img src=x onerror=alert(1)>.c'));
  });
});
