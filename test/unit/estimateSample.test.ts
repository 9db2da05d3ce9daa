import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { estimate, EstimateResult } from '../../src/core/estimate';
import { ARCHES } from '../../src/core/config/arch';
import { parseDotConfig } from '../../src/core/config/kconfig';
import { gccTruth, Truth } from './support/linkTruth';
import { formatText } from '../../src/core/report/text';

const root = path.join(__dirname, '..', '..', '..', 'samples', 'kernel');

// The sample tree's object lists, read by hand from its Makefiles and .config (kbuild rules).
const BUILTIN = ['arch/x86/kernel/setup_percpu.c', 'kernel/sched.c', 'kernel/softirq.c', 'kernel/stats.c', 'mm/vmstat.c', 'net/core/dev.c'];
const MODULES = { sample_drv: ['drivers/net/sample_drv.c'], bigstats: ['drivers/net/bigstats_main.c', 'drivers/net/bigstats_hist.c'] };

describe('estimate on the bundled sample tree, against gcc + ld', function () {
  this.timeout(120000);
  let r: EstimateResult;
  let truth: Truth;
  before(async () => {
    truth = gccTruth(root, BUILTIN, MODULES);
    const cfgPath = path.join(root, '.config');
    r = await estimate({ root, arch: ARCHES.x86_64, config: parseDotConfig(fs.readFileSync(cfgPath, 'utf8'), cfgPath), cpus: 4 });
  });

  it('static size equals __per_cpu_end - __per_cpu_start of the linked objects', () => {
    assert.strictEqual(r.static.bytes, truth.staticSize);
  });

  it('every built-in per-CPU variable has the size and offset nm reports', () => {
    const ours = Object.fromEntries(r.static.variables.map((v) => [v.name, [v.offset, v.size]]));
    const theirs = Object.fromEntries([...truth.symbols].filter(([n]) => !n.startsWith('__')).map(([n, s]) => [n, [s.offset, s.size]]));
    assert.deepStrictEqual(ours, theirs);
  });

  it('module per-CPU sections have the size ld -r gives, and bigstats does not fit 8 KiB', () => {
    const m = Object.fromEntries(r.reserved.modules.map((x) => [x.name, x.size]));
    assert.deepStrictEqual(m, Object.fromEntries(truth.modules));
    assert.deepStrictEqual(r.reserved.modules.map((x) => [x.name, x.loaded]), [['sample_drv', true], ['bigstats', false]]);
    assert.ok(r.reserved.modules[1].messages.some((s) => /bigstats: Could not allocate 10240 bytes percpu data/.test(s)));
  });

  it('prints the boot line the kernel rules give for s=8808 on 4 CPUs', () => {
    // size_sum = PFN_ALIGN(8808 + 8192 + 28672) = 49152 → d = 32152, 12 pages;
    // atom 2 MiB: max upa 32, best upa 4 for 4 CPUs (waste rule) → unit 524288.
    assert.ok(!('error' in r.firstChunk));
    assert.strictEqual((r.firstChunk as { bootLine: string }).bootLine, 'percpu: Embedded 12 pages/cpu s8808 r8192 d32152 u524288');
  });

  it('runs the rules priced under this config: the module that cannot load, the large allocation', () => {
    const at = (code: string) => r.diagnostics.filter((d) => d.code === code).map((d) => `${d.file}:${d.line}`);
    // bigstats' section is what ld -r gives; the reserve is the boot line's r (8192)
    const p7 = r.diagnostics.filter((d) => d.code === 'PCPU007');
    assert.deepStrictEqual(p7.map((d) => [d.severity, d.bytes]), [['error', truth.modules.get('bigstats')]]);
    assert.match(p7[0].message, /more than the 8 KiB reserved chunk/);
    // struct latency_hist is 8192 B: 25.5% of d = 32152 on 4 CPUs, over the 25% threshold
    assert.deepStrictEqual(at('PCPU005'), ['mm/vmstat.c:34']);
    assert.match(r.diagnostics.find((d) => d.code === 'PCPU005')!.message, /8 KiB\/cpu × 4 = 32 KiB\), 25% of the 31.4 KiB dynamic reserve/);
    assert.deepStrictEqual(at('PCPU003'), ['kernel/sched.c:30']);
    assert.deepStrictEqual(at('PCPU001'), ['kernel/softirq.c:15', 'kernel/stats.c:22']);
  });

  it('sizes each alloc_percpu call site from its type or size expression', () => {
    const got = r.dynamic.callsites.map((c) => `${c.file}:${c.size}/${c.align}`).sort();
    assert.deepStrictEqual(got, [
      'drivers/net/sample_drv.c:8/8',     // unsigned long
      'kernel/stats.c:64/64',             // spinlock 4 + pad 4 + list_head 16 + int 4 = 28, ____cacheline_aligned → 64
      'mm/vmstat.c:13/1',                 // 12 + 1 signed chars
      'mm/vmstat.c:32/8',                 // sizeof(u64) * 4
      'mm/vmstat.c:8192/8',               // 1024 u64
      'net/core/dev.c:4/4',               // int
    ]);
  });

  it('prices the NR_CPUS arrays at NR_CPUS=64 and at 4 possible CPUs', () => {
    const a = Object.fromEntries(r.nrCpusArrays.map((x) => [x.name, [x.elemSize, x.bytesAtNrCpus, x.bytesAtPossible]]));
    // irq_cpustat: 4 + 10*4 = 44, ____cacheline_aligned → 64; module_ref: local_t (8) cache-line aligned → 64
    assert.deepStrictEqual(a, { irq_stat: [64, 4096, 256], ref: [64, 4096, 256] });
    // As alloc_percpu() state the type needs no line of its own: without ____cacheline_aligned gcc
    // makes irq_cpustat 44 B and module_ref 8 B, × 4 units = 176 B and 32 B.
    assert.deepStrictEqual(Object.fromEntries(r.nrCpusArrays.map((x) => [x.name, x.perCpuRewrite])), { irq_stat: 176, ref: 32 });
    // struct module.ref for 2000 modules: 4096 B × 2000 = 7.8 MiB vs 8 B × 4 units × 2000 = 62.5 KiB
    assert.match(formatText(r), /struct module\.ref .*× 2000: 7\.8 MiB vs 62\.5 KiB/);
  });

  it('says where offsets are a model: on arches whose gcc places variables with section anchors', () => {
    assert.doesNotMatch(formatText(r), /section anchors/);
    assert.match(formatText({ ...r, arch: 'arm64' }), /offsets: arm64's gcc places .* \(section anchors\)/);
    assert.match(formatText({ ...r, arch: 'ppc64' }), /offsets: ppc64's gcc/);
  });

  it('reports the not-built debug.c definition separately and leaves nothing unresolved', () => {
    assert.deepStrictEqual(r.notBuilt.map((n) => `${n.file}:${n.name}`), ['kernel/debug.c:debug_state']);
    assert.deepStrictEqual(r.unresolved, []);
  });
});
