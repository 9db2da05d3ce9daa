// Per-CPU patterns from Linux 6.12 that the estimate once got wrong, in a small fixture tree
// (test/fixtures/realtree), checked against gcc + ld on the same tree.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { estimate, EstimateResult } from '../../src/core/estimate';
import { ARCHES } from '../../src/core/config/arch';
import { parseDotConfig } from '../../src/core/config/kconfig';
import { gccTruth, Truth } from './support/linkTruth';

const root = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'realtree');
// link order read by hand from the Kbuild and Makefiles
const BUILTIN = ['kernel/timer.c', 'kernel/irq.c', 'kernel/random.c', 'kernel/srcu_user.c', 'kernel/mce.c', 'kernel/decl.c', 'kernel/softirq.c', 'kernel/irq_work.c',
  'kernel/rcu/update.c', 'kernel/sched/build.c', 'security/sel/avc.c',
  'lib/bug.c', 'drivers/drv.c', 'lib/cpumask.c', 'lib/radix.c']; // lib-y: lib/lib.a, sorted, after built-in.a

// security/sel/Makefile adds its include/ with ccflags-y, as security/selinux does
const FLAGS = ['-O2', '-I', path.join(root, 'security', 'sel', 'include')];

describe('estimate on the real-tree fixture, against gcc + ld', function () {
  this.timeout(120000);
  let r: EstimateResult;
  let truth: Truth;
  before(async () => {
    truth = gccTruth(root, BUILTIN, {}, FLAGS);
    const cfgPath = path.join(root, '.config');
    r = await estimate({ root, arch: ARCHES.x86_64, config: parseDotConfig(fs.readFileSync(cfgPath, 'utf8'), cfgPath), cpus: 4 });
  });

  it('array dimensions on the name count: timer_bases[NR_BASES] is 3 cache-aligned bases', () => {
    const v = r.static.variables.find((x) => x.name === 'timer_bases');
    assert.strictEqual(v?.size, truth.symbols.get('timer_bases')?.size);
    assert.strictEqual(v?.size, 3 * 128);
    assert.strictEqual(r.static.variables.find((x) => x.name === 'base_ptrs')?.size, 16);
  });

  it('a macro defined in two headers takes the value of the one the file includes', () => {
    const v = r.static.variables.find((x) => x.name === 'irq_stack_backing_store');
    assert.strictEqual(v?.size, truth.symbols.get('irq_stack_backing_store')?.size);
    assert.strictEqual(v?.size, 4096 << 2);
  });

  it('DEFINE_PER_CPU inside header wrappers (DEFINE_SRCU, DEFINE_STATIC_SRCU) is found at the line of the use', () => {
    const got = r.static.variables.filter((v) => /_srcu_data$/.test(v.name)).map((v) => [v.name, v.file, v.line, v.size]);
    assert.deepStrictEqual(got.sort(), [
      ['local_srcu_srcu_data', 'kernel/srcu_user.c', 7, truth.symbols.get('local_srcu_srcu_data')?.size],
      ['tree_srcu_srcu_data', 'kernel/srcu_user.c', 6, truth.symbols.get('tree_srcu_srcu_data')?.size],
    ]);
    assert.strictEqual(got[0][3], 64); // 36 bytes, ____cacheline_aligned_in_smp
  });

  it('a file-local wrapper that also defines the type (with a comment in the #define body) is sized', () => {
    for (const [n, line, size] of [['batched_u8', 29, 100], ['batched_u64', 30, 104]] as const) {
      const v = r.static.variables.find((x) => x.name === n);
      assert.deepStrictEqual([v?.file, v?.line, v?.size], ['kernel/random.c', line, truth.symbols.get(n)?.size]);
      assert.strictEqual(v?.size, size);
    }
  });

  it('a local header the object includes (kernel/rcu/tasks.h) is placed in that object', () => {
    const got = r.static.variables.filter((v) => v.file === 'kernel/rcu/tasks.h').map((v) => v.name).sort();
    assert.deepStrictEqual(got, ['rcu_tasks__percpu', 'trc_ipi_to_cpu']);
  });

  it('a typedef written through a macro (typedef DECLARE_BITMAP(banks_t, 70)) is found', () => {
    const v = r.static.variables.find((x) => x.name === 'poll_banks');
    assert.deepStrictEqual([v?.size, v?.size], [truth.symbols.get('poll_banks')?.size, 16]);
  });

  it('ARRAY_SIZE of a table sizes the array: from a designated initializer, and from an extern declaration', () => {
    const got = ['svc_count', 'svc_count4'].map((n) => r.static.variables.find((x) => x.name === n)?.size);
    assert.deepStrictEqual(got, ['svc_count', 'svc_count4'].map((n) => truth.symbols.get(n)?.size));
    assert.deepStrictEqual(got, [7 * 8, 24 * 8]);
  });

  it('an aligned attribute on the variable sets its alignment below the type\'s (page-aligned irq stack at 4096)', () => {
    assert.strictEqual(r.static.variables.find((x) => x.name === 'irq_stack_backing_store')?.offset, 4096);
    assert.strictEqual(truth.symbols.get('irq_stack_backing_store')?.offset, 4096);
  });

  it('lib-y objects come after every obj-y object, sorted by name (lib/lib.a after built-in.a)', () => {
    const off = (n: string) => r.static.variables.find((x) => x.name === n)?.offset ?? -1;
    assert.ok(off('radix_preloads') > off('cpumask_prev') && off('cpumask_prev') > off('drv_state') && off('drv_state') > off('bug_count'));
    assert.ok(truth.symbols.get('radix_preloads')!.offset > truth.symbols.get('drv_state')!.offset);
  });

  it('a DECLARE_PER_CPU in an included header makes gcc emit the variable as if defined there', () => {
    const off = (n: string) => r.static.variables.find((x) => x.name === n)?.offset ?? -1;
    // kernel/decl.c defines early_a, late_b, late_c; include/linux/decl.h declares late_c first
    assert.deepStrictEqual(['early_a', 'late_b', 'late_c'].map(off), ['early_a', 'late_b', 'late_c'].map((n) => truth.symbols.get(n)?.offset));
  });

  it('#if branches use the macros the file sees: irq_stat under #ifndef __ARCH_IRQ_STAT is not built', () => {
    assert.strictEqual(truth.symbols.has('irq_stat'), false);
    assert.strictEqual(r.static.variables.some((v) => v.name === 'irq_stat'), false);
    assert.ok(r.notBuilt.some((n) => n.name === 'irq_stat' && /__ARCH_IRQ_STAT/.test(n.reason)));
  });

  it('a .c file #included into another takes the includer\'s declarations for emission order', () => {
    const off = (n: string) => r.static.variables.find((x) => x.name === n)?.offset;
    assert.deepStrictEqual([off('idle_a'), off('idle_b')], [truth.symbols.get('idle_a')?.offset, truth.symbols.get('idle_b')?.offset]);
    assert.ok(truth.symbols.get('idle_b')!.offset > truth.symbols.get('idle_a')!.offset);
  });

  it('headers from a ccflags-y -I directory are found (security/selinux/include/avc.h)', () => {
    const v = r.static.variables.find((x) => x.name === 'avc_cache_stats');
    assert.deepStrictEqual([v?.size, v?.size], [truth.symbols.get('avc_cache_stats')?.size, 20]);
  });

  it('statics used only in IS_ENABLED(CONFIG_...) code that is off are dropped, as gcc does', () => {
    const ours = new Set(r.static.variables.map((v) => v.name));
    for (const n of ['irq_workd', 'rt_only']) {
      assert.strictEqual(truth.symbols.has(n), false, n);
      assert.strictEqual(ours.has(n), false, n);
      assert.ok(r.notBuilt.some((x) => x.name === n && /gcc drops it/.test(x.reason)), n);
    }
    for (const n of ['raised_list', 'lazy_list', 'via_macro']) assert.ok(truth.symbols.has(n) && ours.has(n), n);
  });

  it('every variable has the size and offset nm reports, and the area its size', () => {
    const ours = Object.fromEntries(r.static.variables.map((v) => [v.name, [v.offset, v.size]]));
    const theirs = Object.fromEntries([...truth.symbols].filter(([n]) => !n.startsWith('__')).map(([n, s]) => [n, [s.offset, s.size]]));
    assert.deepStrictEqual(ours, theirs);
    assert.strictEqual(r.static.bytes, truth.staticSize);
    assert.deepStrictEqual(r.unresolved, []);
  });

  it('with CONFIG_X86_KERNEL_IBT vmlinux comes from one vmlinux.o: each section starts at its largest alignment', async () => {
    const cfgPath = path.join(root, '.config');
    const cfg = parseDotConfig(`${fs.readFileSync(cfgPath, 'utf8')}CONFIG_X86_KERNEL_IBT=y\n`, cfgPath);
    const ibt = await estimate({ root, arch: ARCHES.x86_64, config: cfg, cpus: 4 });
    const whole = gccTruth(root, BUILTIN, {}, FLAGS, true);
    const ours = Object.fromEntries(ibt.static.variables.map((v) => [v.name, v.offset]));
    const theirs = Object.fromEntries([...whole.symbols].filter(([n]) => !n.startsWith('__')).map(([n, s]) => [n, s.offset]));
    assert.deepStrictEqual(ours, theirs);
    assert.strictEqual(ibt.static.bytes, whole.staticSize);
    // the '' section moved to a page boundary, so the direct link and the vmlinux.o link differ
    assert.notStrictEqual(whole.staticSize, truth.staticSize);
  });
});
