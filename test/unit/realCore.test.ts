// The editor's core adapter on the e2e fixture tree: the numbers the hints, hovers, diagnostics and
// chunk map show. Expected values are worked out by hand from the x86_64 psABI and mm/percpu.c.
import * as assert from 'assert';
import * as path from 'path';
import * as fs from 'fs';
import { createCore } from '../../src/vscode/core';
import { parseSettings } from '../../src/vscode/settings';
import { estimate } from '../../src/core/estimate';
import { ARCHES } from '../../src/core/config/arch';
import { parseDotConfig } from '../../src/core/config/kconfig';
import { removeTree, tempTree } from './support/tempTree';

const FIX = path.resolve(__dirname, '../../../test/fixtures/e2e-kernel');
const s = parseSettings(() => undefined).settings; // x86_64, NR_CPUS 512, 512 possible CPUs

describe('editor core (src/vscode/realCore.ts)', function () {
  this.timeout(60000);
  const core = createCore();
  const analyze = (rel: string, text?: string) => {
    const file = path.join(FIX, rel);
    return core.analyzeFile(file, text ?? fs.readFileSync(file, 'utf8'), s, FIX);
  };

  it('sizes items, lays out the hover, offers the PCPU003 fix with 0-based columns', async () => {
    const a = await analyze('kernel/sched_stats.c');
    const rq = a.items.find((i) => i.kind === 'static' && i.name === 'rq_stats')!;
    // u64 0, u32 8, hole 4, u64 16, unsigned long 24 → 32
    assert.strictEqual(rq.bytesPerCpu, 32);
    assert.match(rq.layoutText!, /XXX 4 bytes hole/);
    assert.strictEqual(a.items.find((i) => i.kind === 'alloc')!.bytesPerCpu, 16); // unsigned long + u32 + 4 padding
    const d = a.diagnostics.find((x) => x.code === 'PCPU003')!;
    assert.deepStrictEqual(d.fix!.edits.map((e) => e.newText), ['this_cpu_ptr(&rq_stats)']);
    const line = fs.readFileSync(path.join(FIX, 'kernel/sched_stats.c'), 'utf8').split('\n')[d.line - 1];
    assert.strictEqual(line.slice(d.column, d.endColumn), 'per_cpu_ptr(&rq_stats, smp_processor_id())');
  });

  it('flags the NR_CPUS array and the non-__percpu pointer, pointing at its declaration', async () => {
    const file = path.join(FIX, 'drivers/net/foo_net.c');
    const a = await analyze('drivers/net/foo_net.c');
    assert.strictEqual(a.items.find((i) => i.kind === 'nr_cpus_array')!.elementBytes, 16);
    assert.strictEqual(a.items.find((i) => i.kind === 'static')!.align, 64); // DEFINE_PER_CPU_ALIGNED: L1 line
    const d6 = a.diagnostics.find((x) => x.code === 'PCPU006')!;
    assert.deepStrictEqual(d6.related, [{ file, line: 20, message: "'stats' declared here without __percpu" }]);
    // 16 B × NR_CPUS 512 = 8 KiB per struct foo_dev
    assert.match(a.diagnostics.find((x) => x.code === 'PCPU001')!.message, /16 B\/cpu × 512 = 8 KiB in each struct foo_dev/);
  });

  it('sizes a static as the CLI does: dimensions on the name, x86 data alignment', async () => {
    const text = ['#define NR_BASES 3', 'struct base { unsigned long clk; int cpu; };', 'static DEFINE_PER_CPU(struct base, bases[NR_BASES]);', ''].join('\n');
    const it = (await analyze('kernel/bases.c', text)).items.find((i) => i.name === 'bases')!;
    // struct base is 16 B (8 + 4 + 4 padding); 3 of them = 48 B, which gcc -O2 aligns to 32 on x86_64
    assert.deepStrictEqual([it.bytesPerCpu, it.align], [48, 32]);
  });

  it('analyses unsaved text, not the file on disk', async () => {
    const text = fs.readFileSync(path.join(FIX, 'kernel/sched_stats.c'), 'utf8').replace('\tu32 nr_wakeups;\n', '\tu32 nr_wakeups;\n\tu32 nr_migrations;\n');
    const rq = (await analyze('kernel/sched_stats.c', text)).items.find((i) => i.name === 'rq_stats')!;
    assert.strictEqual(rq.bytesPerCpu, 32); // the new u32 fills the hole
    assert.doesNotMatch(rq.layoutText!, /hole/);
  });

  it('estimates the fixture tree with the real pipeline', async () => {
    const v = await core.estimate(FIX, s, new AbortController().signal, () => {});
    assert.strictEqual(v.filesScanned, 5);
    // .data..percpu: gcc gives the 32-byte struct rq_stats 32-byte alignment (x86 DATA_ALIGNMENT),
    // so sched_stats.o is sched_ticks 0..4, rq_stats 32..64; with xss_counter 8 before or after it
    // the section ends in 64 < x ≤ 96, and ..shared_aligned foo_stats (32) sits at 128 → s = 160.
    // size_sum = PFN_ALIGN(160 + 8192 + 28672) = 40960 → 10 pages, d = 32608; 2 MiB atom, 32 units
    // per allocation → u = 65536.
    assert.strictEqual(v.totals.bootLine, 'percpu: Embedded 10 pages/cpu s160 r8192 d32608 u65536');
    // kernel/counters.c: stat_counters_alloc(3) asks 3 × u64, priced at its caller
    assert.strictEqual(v.totals.dynamicRequested, 16 + 32 + 24);
    assert.strictEqual(v.totals.nrCpusArrayBytes, 16 * 512);
    assert.ok(v.static.some((x) => x.file === '<img src=x onerror=alert(1)>.c'));
    const first = v.snapshot.chunks.find((c) => c.kind === 'first')!;
    assert.deepStrictEqual(first.blocks.filter((b) => b.kind === 'static').map((b) => b.label).sort(), ['foo_stats', 'rq_stats', 'sched_ticks', 'xss_counter']);
  });

  it('takes NR_CPUS from the .config the settings name', async () => {
    const v = await core.estimate(FIX, { ...s, configPath: 'configs/small.config' }, new AbortController().signal, () => {});
    assert.deepStrictEqual([v.nrCpus, v.possibleCpus, v.totals.nrCpusArrayBytes], [64, 64, 16 * 64]);
  });

  it('hands the cross-file rules\' findings to the editor (PCPU007 on the sample tree)', async () => {
    const root = path.resolve(__dirname, '../../../samples/kernel');
    const v = await core.estimate(root, { ...s, configPath: '.config', possibleCpus: 4 }, new AbortController().signal, () => {});
    // bigstats: 10240 B of module per-CPU data against the 8 KiB reserve (see estimateSample.test.ts)
    assert.deepStrictEqual(v.treeDiagnostics!.map((d) => `${d.code} ${d.severity} ${d.file}`), ['PCPU007 error drivers/net/bigstats_main.c']);
    assert.strictEqual(v.treeDiagnostics![0].column, 0); // 1-based column 1 → 0-based
  });

  it('re-analyses an edited document incrementally with the same result as a fresh core', async () => {
    const file = path.join(FIX, 'drivers/net/foo_net.c');
    const text = fs.readFileSync(file, 'utf8');
    await core.analyzeFile(file, text, s, FIX); // opens the document
    const edited = text.replace('DEFINE_PER_CPU_ALIGNED(struct foo_pcpu_stats, foo_stats);', 'DEFINE_PER_CPU(struct foo_pcpu_stats, foo_stats);\nDEFINE_PER_CPU(u32, foo_irqs);');
    const { typesChanged, ...again } = await core.analyzeFile(file, edited, s, FIX);
    const fresh = await createCore().analyzeFile(file, edited, s, FIX);
    assert.deepStrictEqual(again, fresh);
    assert.strictEqual(typesChanged, true); // a definition changed, not a function body
    assert.deepStrictEqual(again.items.filter((i) => i.kind === 'static').map((i) => [i.name, i.bytesPerCpu, i.align]), [['foo_stats', 32, 32], ['foo_irqs', 4, 4]]);
    // a body edit keeps the resolved types; a record edit after it must still be seen
    const body = edited.replace('return -ENOMEM;', 'return -EINVAL;');
    assert.deepStrictEqual(await core.analyzeFile(file, body, s, FIX), await createCore().analyzeFile(file, body, s, FIX));
    const grown = body.replace('\tu64 tx_bytes;\n', '\tu64 tx_bytes;\n\tu64 tx_dropped;\n');
    const { typesChanged: _t, ...g } = await core.analyzeFile(file, grown, s, FIX);
    assert.deepStrictEqual(g, await createCore().analyzeFile(file, grown, s, FIX));
    assert.strictEqual(g.items.find((i) => i.name === 'foo_stats')!.bytesPerCpu, 40);
    core.closeFile!(file);
  });

  it('sees an unsaved header edit from the files that include it', async () => {
    const c = createCore();
    const hdr = path.join(FIX, 'include/linux/foo.h');
    const htext = fs.readFileSync(hdr, 'utf8').replace('struct foo_pcpu_stats;', 'struct foo_hdr_stats { u64 a; u64 b; };\nstruct foo_pcpu_stats;');
    const user = path.join(FIX, 'kernel/hdr_user.c');
    const utext = '#include <linux/foo.h>\nstatic DEFINE_PER_CPU(struct foo_hdr_stats, hdr_stats);\n';
    await c.analyzeFile(hdr, htext, s, FIX);
    const size = async () => (await c.analyzeFile(user, utext, s, FIX)).items.find((i) => i.name === 'hdr_stats')!.bytesPerCpu;
    assert.strictEqual(await size(), 16);
    const h2 = await c.analyzeFile(hdr, htext.replace('u64 b;', 'u64 b; u64 c;'), s, FIX);
    assert.strictEqual(h2.typesChanged, true);
    assert.strictEqual(await size(), 24);
  });

  it('forgets a closed document\'s unsaved text: the file on disk stands again', async () => {
    const c = createCore();
    const hdr = path.join(FIX, 'include/linux/foo.h');
    const htext = fs.readFileSync(hdr, 'utf8').replace('struct foo_pcpu_stats;', 'struct foo_hdr_stats { u64 a; u64 b; };\nstruct foo_pcpu_stats;');
    const user = path.join(FIX, 'kernel/hdr_user.c');
    const utext = '#include <linux/foo.h>\nstatic DEFINE_PER_CPU(struct foo_hdr_stats, hdr_stats);\n';
    const item = async () => (await c.analyzeFile(user, utext, s, FIX)).items.find((i) => i.name === 'hdr_stats')!;
    await c.analyzeFile(hdr, htext, s, FIX);
    assert.strictEqual((await item()).bytesPerCpu, 16);
    // closed without saving: foo.h on disk has no struct foo_hdr_stats
    c.closeFile!(hdr);
    const after = await item();
    assert.strictEqual(after.bytesPerCpu, undefined);
    assert.match(after.unresolved ?? '', /foo_hdr_stats/);
  });

  /** `body` over a temporary tree of `files` and one fresh core: `open(rel)` analyzes the file as it is on disk, or `text` */
  async function inTree(prefix: string, files: Record<string, string>, body: (root: string, open: (rel: string, text?: string) => ReturnType<ReturnType<typeof createCore>['analyzeFile']>) => Promise<void>): Promise<void> {
    const root = tempTree(prefix, files);
    try {
      const c = createCore();
      await body(root, (rel, text) => c.analyzeFile(path.join(root, rel), text ?? fs.readFileSync(path.join(root, rel), 'utf8'), s, root));
    } finally {
      removeTree(root);
    }
  }

  it('sizes a file as gcc compiles it alone, whatever other .c files were opened before', async () => {
    // a.c's own #define and struct reach nothing else: b.c takes NR_THINGS (4) and struct t from its
    // headers, as gcc does: int[4] = 16 B, long = 8 B (before, a.c opened first made them 400 and 100)
    await inTree('alone', {
      'include/linux/things.h': '#define NR_THINGS 4\nstruct t { long x; };\n',
      'include/linux/s.h': '#include <linux/things.h>\nstruct s { int a[NR_THINGS]; };\n',
      'drivers/a/a.c': '#define NR_THINGS 100\nstruct t { char c[100]; };\nstruct s2 { int a[NR_THINGS]; };\nstatic DEFINE_PER_CPU(struct s2, av);\n',
      'drivers/b/b.c': '#include <linux/s.h>\nstatic DEFINE_PER_CPU(struct s, bv);\nstatic DEFINE_PER_CPU(struct t, tv);\n',
    }, async (_root, open) => {
      const a = await open('drivers/a/a.c');
      assert.strictEqual(a.items.find((i) => i.name === 'av')!.bytesPerCpu, 400); // a.c's own: 100 ints
      const b = await open('drivers/b/b.c');
      assert.deepStrictEqual(['bv', 'tv'].map((n) => b.items.find((i) => i.name === n)!.bytesPerCpu), [16, 8]);
      // and a.c again, after b.c: still its own
      assert.strictEqual((await open('drivers/a/a.c')).items.find((i) => i.name === 'av')!.bytesPerCpu, 400);
    });
  });

  it('takes a type from the headers the open file includes, and from the build\'s -I dirs, as the estimate does', async () => {
    // struct gp twice: arch/x86/include (searched first) 8 B, include/linux/gp_tree.h (the one
    // gp.c includes) 16 B; struct avc_stats only under sec/include, which sec/Makefile adds with -I:
    // five unsigned ints, 20 B (before, the editor answered 8 and "definition not found")
    await inTree('incl', {
      'Makefile': 'obj-y += kernel/ sec/\n',
      'kernel/Makefile': 'obj-y += gp.o\n',
      'arch/x86/include/asm/gp_tiny.h': 'struct gp { unsigned long x; };\n',
      'include/linux/gp_tree.h': 'struct gp { unsigned long x; unsigned long y; };\n',
      'kernel/gp.c': '#include <linux/gp_tree.h>\nstatic DEFINE_PER_CPU(struct gp, g);\n',
      'sec/Makefile': 'ccflags-y := -I$(srctree)/sec/include\nobj-y += avc.o\n',
      'sec/include/avc.h': 'struct avc_stats { unsigned int a, b, c, d, e; };\n',
      'sec/avc.c': '#include "avc.h"\nstatic DEFINE_PER_CPU(struct avc_stats, st);\n',
    }, async (_root, open) => {
      const size = async (rel: string, name: string) => (await open(rel)).items.find((i) => i.name === name)!.bytesPerCpu;
      assert.strictEqual(await size('kernel/gp.c', 'g'), 16);
      assert.strictEqual(await size('sec/avc.c', 'st'), 20);
    });
  });

  it('hints the variables a wrapper macro defines, at its use, as the estimate counts them', async () => {
    // DEFINE_MY_PCPU(foo) is DEFINE_PER_CPU(struct my_stats, foo_pcpu): three longs, 24 B; a
    // DEFINE_STATIC_SRCU defines per-CPU data in built-in code only (srcutree.h's #ifdef MODULE)
    const src = '#include <linux/my.h>\nDEFINE_MY_PCPU(foo);\nDEFINE_STATIC_SRCU(bar);\n';
    await inTree('wrap', {
      'Makefile': 'obj-y += kernel/\nobj-m += drv/\n',
      'kernel/Makefile': 'obj-y += w.o\n',
      'drv/Makefile': 'obj-m += m.o\n',
      'include/linux/my.h': 'struct my_stats { long a; long b; long c; };\n#define DEFINE_MY_PCPU(n) DEFINE_PER_CPU(struct my_stats, n##_pcpu)\n'
        + '#define DEFINE_STATIC_SRCU(n) static DEFINE_PER_CPU(struct my_stats, n##_srcu_data)\n',
      'kernel/w.c': src,
      'drv/m.c': src,
    }, async (root, open) => {
      const items = async (rel: string) => (await open(rel, src)).items.filter((i) => i.kind === 'static').map((i) => [i.name, i.bytesPerCpu, i.line]);
      assert.deepStrictEqual(await items('kernel/w.c'), [['foo_pcpu', 24, 2], ['bar_srcu_data', 24, 3]]);
      assert.deepStrictEqual(await items('drv/m.c'), [['foo_pcpu', 24, 2]]);
      const est = await estimate({ root, arch: ARCHES.x86_64, config: parseDotConfig('', 'none'), cpus: 4, rules: false });
      assert.deepStrictEqual(est.static.variables.map((v) => [v.name, v.size, v.line]).sort(), [['bar_srcu_data', 24, 3], ['foo_pcpu', 24, 2]]);
    });
  });

  it('prices a call site with the variables it sees, as the estimate does', async () => {
    // sizeof(*pc) with `struct pcache *pc`: three longs, 24 B (before: "sizeof of an expression is not supported")
    const text = ['struct pcache { long a; long b; long c; };', 'int setup(void)', '{', '\tstruct pcache __percpu *pc;',
      '\tpc = __alloc_percpu(sizeof(*pc), 8);', '\treturn pc ? 0 : -1;', '}', ''].join('\n');
    const site = (await analyze('kernel/pcache.c', text)).items.find((i) => i.kind === 'alloc')!;
    assert.deepStrictEqual([site.line, site.bytesPerCpu, site.unresolved], [5, 24, undefined]);
  });

  it('keeps the estimate\'s scan results in the cache folder it was given', async () => {
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'pl-core-cache-'));
    try {
      const c = createCore({ cacheDir: dir });
      const a = await c.estimate(FIX, s, new AbortController().signal, () => {});
      assert.ok(fs.readdirSync(dir, { recursive: true }).length > 0, 'cache written');
      const b = await c.estimate(FIX, s, new AbortController().signal, () => {});
      assert.strictEqual(b.totals.bootLine, a.totals.bootLine);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(core.estimate(FIX, s, ac.signal, () => {}), /cancelled/);
  });
});
