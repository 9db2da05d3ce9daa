// alloc_percpu sizes that are parameters of their function, priced at each call of that function in
// the built files (test/fixtures/interproc, modelled on Linux 6.12's lib/percpu_counter.c,
// drivers/base/devres.c, kernel/irq/matrix.c and their callers). Expected bytes by hand from C's
// rules, checked with x86_64 gcc (sizeof/__alignof__ printed by a probe of the same structs):
//   irq_alloc_matrix(256, ...): struct cpumap is 4 unsigned ints + 2 bools, padded to 24, + a
//     pointer = 32 B, then BITS_TO_LONGS(256) * 2 = 8 longs of alloc_map[] = 96 B, align 8 (the
//     same size=96 align=8 Debian's amd64 boot traces under irq_alloc_matrix, test/fixtures/boots/amd64-4.trace);
//   percpu_counter_init_many(items, ..., NR_STAT_ITEMS = 3): 3 * ALIGN(sizeof(s32), 4) = 12 B, align 4;
//   percpu_counter_init(): nr_counters 1 = 4 B;
//   devm_alloc_percpu(dev, struct drv_stats): u64 + u64 + u32, padded = 24 B, align 8.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { estimate, EstimateResult } from '../../src/core/estimate';
import { ARCHES } from '../../src/core/config/arch';
import { defaultConfig, parseDotConfig } from '../../src/core/config/kconfig';
import { parsePercpuTrace } from '../../src/core/sim/trace';
import { WrapperGraph } from '../../src/core/estimate/wrappers';

const root = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'interproc');
const cfgPath = path.join(root, '.config');
const lineOf = (file: string, s: string) => fs.readFileSync(path.join(root, file), 'utf8').split('\n').findIndex((l) => l.includes(s)) + 1;

const run = (trace?: string) => estimate({
  root, arch: ARCHES.x86_64, config: parseDotConfig(fs.readFileSync(cfgPath, 'utf8'), cfgPath), cpus: 4, rules: false,
  ...(trace ? { trace: parsePercpuTrace(trace).ops } : {}),
});

describe('interprocedural pricing: a size that is a parameter of its function, at each caller', function () {
  this.timeout(120000);
  let r: EstimateResult;
  before(async () => { r = await run(); });

  it('finds the macros that expand to a function, through each other', () => {
    const g = new WrapperGraph();
    g.add(fs.readFileSync(path.join(root, 'include/linux/percpu_counter.h'), 'utf8'));
    g.add(fs.readFileSync(path.join(root, 'include/linux/device.h'), 'utf8'));
    assert.deepStrictEqual([...g.callers(new Set(['__percpu_counter_init_many']))].sort(), ['percpu_counter_init', 'percpu_counter_init_many']);
    assert.deepStrictEqual([...g.callers(new Set(['__devm_alloc_percpu']))], ['devm_alloc_percpu']);
  });

  it('prices one site per caller in the built files, at the caller\'s line, naming the callee\'s site', () => {
    const got = r.dynamic.callsites.filter((c) => c.callee).map((c) => [c.file, c.line, c.func, c.callee!.file, c.callee!.line, c.size, c.align]);
    const counter = ['lib/percpu_counter.c', lineOf('lib/percpu_counter.c', '__alloc_percpu_gfp(')];
    assert.deepStrictEqual(got.sort(), [
      ['drivers/drv.c', lineOf('drivers/drv.c', 'devm_alloc_percpu(dev'), 'drv_probe', 'lib/devres.c', lineOf('lib/devres.c', '__alloc_percpu('), 24, 8],
      ['kernel/stats.c', lineOf('kernel/stats.c', 'NR_STAT_ITEMS);'), 'stats_init', ...counter, 12, 4],
      ['kernel/stats.c', lineOf('kernel/stats.c', 'percpu_counter_init(&total'), 'stats_init', ...counter, 4, 4],
      ['kernel/stats.c', lineOf('kernel/stats.c', 'aligned_buf(128)'), 'stats_buf', 'kernel/stats.c', lineOf('kernel/stats.c', '__alloc_percpu(64, align)'), 64, 128],
      ['kernel/vector.c', lineOf('kernel/vector.c', 'irq_alloc_matrix('), 'lapic_assign_system_vectors', 'kernel/matrix.c', lineOf('kernel/matrix.c', 'm->maps = __alloc_percpu('), 96, 8],
      // `new->cache_size = size;` before the allocation: the parameter, 256 at cache_init(): 256 * 8 B, align 4
      ['kernel/queues.c', lineOf('kernel/queues.c', 'cache_alloc(CACHE_DEFAULT)'), 'cache_init', 'kernel/queues.c', lineOf('kernel/queues.c', 'new->entries = __alloc_percpu('), 2048, 4],
    ].sort());
    // drivers/off.c is not built: its irq_alloc_matrix(4096, ...) and 100 counters are no callers
    assert.ok(!r.dynamic.callsites.some((c) => c.file === 'drivers/off.c'));
  });

  it('a caller passing a run-time value keeps the site unresolved, named in the reason; a function no call passes a size to says so', () => {
    const u = Object.fromEntries(r.unresolved.filter((x) => x.file !== 'kernel/queues.c').map((x) => [`${x.file}:${x.line}`, x.reason]));
    assert.deepStrictEqual(Object.keys(u).sort(), [`kernel/matrix.c:${lineOf('kernel/matrix.c', 'n * 8')}`, `lib/percpu_counter.c:${lineOf('lib/percpu_counter.c', '__alloc_percpu_gfp(')}`]);
    assert.strictEqual(u[`lib/percpu_counter.c:${lineOf('lib/percpu_counter.c', '__alloc_percpu_gfp(')}`],
      `size nr_counters * counter_size: known only at run time at 1 of 3 callers: nr_counters is passed as \`n\` by stats_grow() at kernel/stats.c:${lineOf('kernel/stats.c', 'GFP_KERNEL, n)')} (n is a parameter of stats_grow())`);
    assert.match(u[`kernel/matrix.c:${lineOf('kernel/matrix.c', 'n * 8')}`], /known only at run time: n is a parameter of make_buf\(\); no file this config builds calls make_buf\(\) directly \(it is called through a pointer\)/);
  });

  it('a member read for a size: the function\'s own store before it, else the file\'s stores narrowed by the caller\'s test', () => {
    const at = (s: string) => lineOf('kernel/queues.c', s);
    const u = Object.fromEntries(r.unresolved.filter((x) => x.file === 'kernel/queues.c').map((x) => [x.line, x.reason]));
    // cache_resize() passes what a user asks: the store's parameter names that caller
    assert.match(u[at('new->entries = __alloc_percpu(')], /known only at run time at 1 of 2 callers: size is passed as `size` by cache_resize\(\)/);
    // q_size is stored as 32768 beside qt = QUEUE_SINGLE and as 256 beside QUEUE_PER_CPU; queue_percpu()
    // runs where qt != QUEUE_SINGLE: sizeof(struct queue) 16 + 256 entries of 24 B, align 8
    const q = r.dynamic.callsites.find((c) => c.file === 'kernel/queues.c' && c.line === at('cookie->percpu_q = __alloc_percpu('));
    assert.deepStrictEqual([q?.size, q?.align, u[at('cookie->percpu_q = __alloc_percpu(')]], [6160, 8, undefined]);
    assert.match(q?.note ?? '', /q_size is DEFAULT_QUEUE_SIZE: the value this file stores in it beside qt, where queue_percpu\(\) is called \(qt != QUEUE_SINGLE\)/);
    // two values, no test telling them apart; one value but `+=` elsewhere: the run's memory
    assert.match(u[at('__alloc_percpu(c->spare, 8)')], /known only at run time: c->spare is read from memory when the code runs/);
    assert.match(u[at('__alloc_percpu(c->two, 8)')], /known only at run time: c->two is read from memory when the code runs/);
    assert.strictEqual(Object.keys(u).length, 3);
  });

  it('a function no built file calls, nor takes the address of (only exported), allocates nothing under this config', () => {
    const at = `lib/devres.c:${lineOf('lib/devres.c', 'n * 16')}`;
    assert.ok(!r.unresolved.some((x) => `${x.file}:${x.line}` === at));
    assert.match(r.notBuilt.find((x) => `${x.file}:${x.line}` === at)?.reason ?? '', /pool_alloc\(\) is called by no file this config builds, directly or through a pointer/);
  });

  it('__alloc_reserved_percpu is the reserved chunk (the modules\' sections, priced per module), not an unresolved size', () => {
    const at = `kernel/module.c:${lineOf('kernel/module.c', '__alloc_reserved_percpu(')}`;
    assert.ok(!r.unresolved.some((x) => `${x.file}:${x.line}` === at));
    assert.match(r.notBuilt.find((x) => `${x.file}:${x.line}` === at)?.reason ?? '', /reserved chunk \(reserved\.modules\)/);
  });

  it('an alignment read at boot (cache_line_size()) leaves the size known: placed at the config\'s cache line', () => {
    const c = r.dynamic.callsites.find((x) => x.file === 'kernel/stats.c' && x.line === lineOf('kernel/stats.c', 'cache_line_size()'));
    assert.deepStrictEqual([c?.size, c?.align], [16, 64]); // struct line_state: u64 + u32, padded
    assert.match(c?.note ?? '', /cache_line_size\(\).*known only at run time.*64 B/);
  });

  it('trace events the called function names go to the caller of their size; a size no constant caller gives stays on the callee\'s line', async () => {
    const ev = (func: string, size: number, align: number, off: number) =>
      `  swapper/0-1 [000] ...1.  0.1${off}: percpu_alloc_percpu: call_site=${func}+0x2e/0x110 reserved=0 is_atomic=0 size=${size} align=${align} base_addr=ffff8c203ec3b000 off=${off} ptr=000000000003ba2c bytes_alloc=${size * 4} gfp_flags=GFP_KERNEL`;
    const trace = [ev('irq_alloc_matrix', 96, 8, 2480), ev('__percpu_counter_init_many', 12, 4, 2576), ev('__percpu_counter_init_many', 4, 4, 2588),
      ev('__percpu_counter_init_many', 40, 4, 2592)].join('\n');
    const t = await run(trace);
    assert.strictEqual(t.dynamic.traceAttributed, 1);
    const count = (file: string, s: string) => t.dynamic.callsites.find((c) => c.file === file && c.line === lineOf(file, s))?.count;
    assert.deepStrictEqual([count('kernel/vector.c', 'irq_alloc_matrix('), count('kernel/stats.c', 'NR_STAT_ITEMS);'), count('kernel/stats.c', 'percpu_counter_init(&total'), count('drivers/drv.c', 'devm_alloc_percpu(dev')], [1, 1, 1, 0]);
  });

  it('without Kbuild files every .c file counts as built: a call in another file prices the site', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-lens-nokbuild-'));
    try {
      fs.writeFileSync(path.join(dir, 'counters.c'), 'void __percpu *counters_alloc(unsigned int nr)\n{\n\treturn __alloc_percpu(nr * sizeof(long), __alignof__(long));\n}\n');
      // no trigger word in the caller's file: the scan does not keep it, the caller search must still read it
      fs.writeFileSync(path.join(dir, 'user.c'), 'int user_init(void)\n{\n\treturn counters_alloc(5) ? 0 : -12;\n}\n');
      const n = await estimate({ root: dir, arch: ARCHES.x86_64, config: defaultConfig('x86_64'), cpus: 4, rules: false });
      // x86_64: 5 longs of 8 B, align 8
      assert.deepStrictEqual(n.dynamic.callsites.map((c) => [c.file, c.line, c.size, c.align, c.callee?.func]), [['user.c', 3, 40, 8, 'counters_alloc']]);
      assert.deepStrictEqual([n.unresolved, n.notBuilt], [[], []]);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});
