// The editor shows the sizes the estimate priced at each caller (test/fixtures/interproc, see
// interproc.test.ts for where each number comes from: irq_alloc_matrix(256) is 96 B as gcc lays
// out struct cpumap and as Debian's amd64 boot traces it; percpu_counter_init_many(..., 3) 12 B,
// percpu_counter_init() 4 B; devm_alloc_percpu(dev, struct drv_stats) 24 B). A file alone cannot
// know them: its own analysis leaves the callee's site unresolved.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { estimate } from '../../src/core/estimate';
import { ARCHES } from '../../src/core/config/arch';
import { parseDotConfig } from '../../src/core/config/kconfig';
import { CallerPrices } from '../../src/vscode/callerPrices';
import { createCore, type EstimateView } from '../../src/vscode/core';
import { toView } from '../../src/vscode/realCore';
import { parseSettings } from '../../src/vscode/settings';

const root = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'interproc');
const cfgPath = path.join(root, '.config');
const read = (rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');
const lineOf = (rel: string, s: string) => read(rel).split('\n').findIndex((l) => l.includes(s)) + 1;

describe('editor: sizes priced at callers by the last estimate', function () {
  this.timeout(120000);
  const settings = { ...parseSettings(() => undefined).settings, arch: 'x86_64', possibleCpus: 4, configPath: cfgPath };
  let view: EstimateView;
  let prices: CallerPrices;
  before(async () => {
    const r = await estimate({ root, arch: ARCHES.x86_64, config: parseDotConfig(fs.readFileSync(cfgPath, 'utf8'), cfgPath), cpus: 4, rules: false });
    view = toView(r, settings);
    prices = new CallerPrices(view, 'k', (rel) => read(rel));
  });

  it('the file alone leaves the callee\'s size unresolved; the estimate gives its callers\' sizes there', async () => {
    const core = createCore();
    try {
      const file = path.join(root, 'kernel/matrix.c');
      const a = await core.analyzeFile(file, read('kernel/matrix.c'), settings, root);
      const line = lineOf('kernel/matrix.c', 'm->maps = __alloc_percpu(');
      const it = a.items.find((i) => i.kind === 'alloc' && i.line === line);
      assert.ok(it?.unresolved, 'unresolved in the file alone');
      assert.strictEqual(prices.atCallee('kernel/matrix.c', line)?.label, '96 B/cpu × 4 = 384 B (1 caller)');
    } finally { core.dispose?.(); }
    // two calls priced (12 B and 4 B); stats_grow() passes a run-time n and is not among them
    const counter = prices.atCallee('lib/percpu_counter.c', lineOf('lib/percpu_counter.c', '__alloc_percpu_gfp('))!;
    assert.strictEqual(counter.label, '16 B/cpu × 4 = 64 B (2 callers)');
    assert.match(counter.tooltip, /^4 B–12 B per call/);
    assert.match(counter.tooltip, new RegExp(`kernel/stats.c:${lineOf('kernel/stats.c', 'NR_STAT_ITEMS);')} \\(stats_init\\): 12 B`));
    assert.strictEqual(prices.atCallee('kernel/matrix.c', lineOf('kernel/matrix.c', 'n * 8')), undefined);
  });

  it('puts each call\'s own size at the call, found by its text after lines above it moved', () => {
    const text = read('kernel/vector.c').split('\n');
    const at = (lines: string[]) => prices.inFile('kernel/vector.c', (i) => lines[i], lines.length).map((h) => [h.line, h.label]);
    const call = lineOf('kernel/vector.c', 'irq_alloc_matrix(');
    assert.deepStrictEqual(at(text), [[call, '96 B/cpu × 4 = 384 B']]);
    const edited = [...text.slice(0, 3), '/* one', ' * two */', ...text.slice(3)];
    assert.deepStrictEqual(at(edited), [[call + 2, '96 B/cpu × 4 = 384 B']]);
    // the call rewritten: the estimate's price no longer applies to it
    assert.deepStrictEqual(at(text.map((l) => l.replace('irq_alloc_matrix(', 'irq_alloc_other('))), []);
    const drv = prices.inFile('drivers/drv.c', (i) => read('drivers/drv.c').split('\n')[i], read('drivers/drv.c').split('\n').length);
    assert.deepStrictEqual(drv.map((h) => [h.line, h.label]), [[lineOf('drivers/drv.c', 'devm_alloc_percpu(dev'), '24 B/cpu × 4 = 96 B']]);
  });
});
