// An estimate after an edit (src/core/estimate/editReuse.ts): the tree's saved run no longer
// matches, its parts serve for what the edit cannot reach. Each edited tree's estimate must equal
// the full run of the same tree (resultCache: false), and the edited numbers are gcc's: struct
// pcpu_stats {u64 packets, bytes; u32 drops;} is 24 bytes, 32 with a u64 more (diff.test.ts checks
// them against gcc and ld); an added or removed header, a Makefile or .c file that changes what is
// built, another kind of file, or parts that cannot answer, run whole.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ARCHES } from '../../src/core/config/arch';
import { parseDotConfig } from '../../src/core/config/kconfig';
import { estimate, type EstimateOptions, type EstimateResult } from '../../src/core/estimate';
import { changedFiles } from '../../src/core/estimate/editReuse';
import { statsText } from '../../src/core/estimate/resultCache';
import { RealCore } from '../../src/vscode/realCore';
import { parseSettings } from '../../src/vscode/settings';
import { age } from './support/tempTree';

const repo = path.join(__dirname, '..', '..', '..');
const patches = path.join(repo, 'test', 'fixtures', 'diff', 'patches');

/** what an estimate answers, without how fast or from which cache */
const answers = (r: EstimateResult) => ({ ...r, stats: undefined });


describe('estimate after an edit re-uses the saved run\'s parts', function () {
  this.timeout(300000);
  let tmp: string;
  let root: string;
  let cacheDir: string;

  function tree(fixture: string): void {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-edit-'));
    root = path.join(tmp, 'tree');
    cacheDir = path.join(tmp, 'cache');
    fs.cpSync(fixture, root, { recursive: true, dereference: true });
    age(root);
  }
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const opts = (more: Partial<EstimateOptions> = {}): EstimateOptions => {
    const cfg = path.join(root, '.config');
    return { root, arch: ARCHES.x86_64, config: parseDotConfig(fs.readFileSync(cfg, 'utf8'), cfg), cpus: 8, cacheDir, ...more };
  };
  const patch = (p: string) => {
    execFileSync('git', ['apply', path.join(patches, p)], { cwd: root, stdio: 'pipe' });
    const text = fs.readFileSync(path.join(patches, p), 'utf8');
    age(...[...text.matchAll(/^\+\+\+ b\/(\S+)/gm)].map((m) => path.join(root, m[1])));
  };
  /** the estimate after the edit, checked equal to the full run of the edited tree */
  async function afterEdit(): Promise<EstimateResult> {
    const r = await estimate(opts());
    assert.deepStrictEqual(answers(r), answers(await estimate(opts({ resultCache: false }))));
    return r;
  }
  const size = (r: EstimateResult, n: string) => r.static.variables.find((v) => v.name === n)?.size;

  it('a struct grown in a header (struct pcpu_stats 24 -> 32 bytes): its includers redone, the rest taken; then the saved result', async () => {
    tree(path.join(repo, 'test', 'fixtures', 'diff', 'base'));
    const before = await estimate(opts());
    assert.deepStrictEqual([size(before, 'rx_stats'), size(before, 'tx_stats')], [24, 24]);
    patch('stats-type.patch');
    const r = await afterEdit();
    assert.deepStrictEqual([size(r, 'rx_stats'), size(r, 'tx_stats')], [32, 32]);
    assert.strictEqual(r.stats.partsReused?.changed, 1);
    // kernel/counters.c includes linux/counters.h; net/ and drivers/ do not
    assert.ok(r.stats.partsReused.redone >= 1, JSON.stringify(r.stats));
    assert.strictEqual((await estimate(opts())).stats.resultCached, true);
  });

  it("PCPU002 after an edit of a file calling a refcount's helpers: the call count is the edited file's, the other files' reading the saved run's", async () => {
    tree(path.join(repo, 'test', 'fixtures', 'diff', 'base'));
    // a refcount taken and dropped by two inline helpers of a header; a .c file calls them 15 times
    // each (the rule counts calls in the files with per-CPU findings: it defines a per-CPU int)
    fs.writeFileSync(path.join(root, 'include', 'linux', 'hot.h'), 'struct hot_obj {\n\tint __percpu *stats;\n\tatomic_t refcnt;\n};\n\n'
      + 'static inline void hot_get(struct hot_obj *o)\n{\n\tatomic_inc(&o->refcnt);\n}\n\nstatic inline void hot_put(struct hot_obj *o)\n{\n\tatomic_dec(&o->refcnt);\n}\n');
    const user = (n: number) => '#include <linux/hot.h>\n\nDEFINE_PER_CPU(int, hot_uses);\n\n' + Array.from({ length: n }, (_, i) => `void hot_use${i}(struct hot_obj *o)\n{\n\thot_get(o);\n\thot_put(o);\n}\n`).join('\n');
    fs.writeFileSync(path.join(root, 'net', 'hot.c'), user(15));
    fs.appendFileSync(path.join(root, 'net', 'Makefile'), 'obj-y\t+= hot.o\n');
    age(root);
    const hot = (r: EstimateResult) => r.diagnostics.filter((d) => d.code === 'PCPU002').map((d) => `${d.file}:${d.line} ${/from \d+ call sites \([^)]*\)/.exec(d.message)?.[0]}`);
    assert.deepStrictEqual(hot(await estimate(opts())), ['include/linux/hot.h:3 from 30 call sites (hot_get ×15, hot_put ×15)']);
    fs.writeFileSync(path.join(root, 'net', 'hot.c'), user(12));
    age(path.join(root, 'net', 'hot.c'));
    const r = await afterEdit();
    assert.deepStrictEqual(r.stats.partsReused, { changed: 1, redone: 1 });
    assert.deepStrictEqual(hot(r), ['include/linux/hot.h:3 from 24 call sites (hot_get ×12, hot_put ×12)']);
  });

  it('a .c file edited to #include another header: its own includes read again, every other file\'s the saved ones (struct pair 8 -> 16 bytes)', async () => {
    tree(path.join(repo, 'test', 'fixtures', 'diff', 'base'));
    // two headers define struct pair: two unsigned ints (8 bytes), two unsigned long longs (16)
    fs.writeFileSync(path.join(root, 'include', 'linux', 'narrow.h'), 'struct pair {\n\tunsigned int a;\n\tunsigned int b;\n};\n');
    fs.writeFileSync(path.join(root, 'include', 'linux', 'wide.h'), 'struct pair {\n\tunsigned long long a;\n\tunsigned long long b;\n};\n');
    const pair = (h: string) => `#include <linux/percpu.h>\n#include <linux/${h}.h>\n\nDEFINE_PER_CPU(struct pair, pair_var);\n`;
    fs.writeFileSync(path.join(root, 'kernel', 'pair.c'), pair('narrow'));
    fs.appendFileSync(path.join(root, 'kernel', 'Makefile'), 'obj-y\t\t\t+= pair.o\n');
    age(root);
    assert.strictEqual(size(await estimate(opts()), 'pair_var'), 8);
    fs.writeFileSync(path.join(root, 'kernel', 'pair.c'), pair('wide'));
    age(path.join(root, 'kernel', 'pair.c'));
    const r = await afterEdit();
    assert.strictEqual(r.stats.partsReused?.changed, 1, JSON.stringify(r.stats));
    assert.strictEqual(size(r, 'pair_var'), 16);
  });

  it('a header whose edit keeps its saved shape (a member added): only the work that read its struct is redone, not every includer', async () => {
    tree(path.join(repo, 'test', 'fixtures', 'diff', 'base'));
    // drivers/foo.c includes linux/counters.h too, and takes nothing from it
    const foo = path.join(root, 'drivers', 'foo.c');
    fs.writeFileSync(foo, fs.readFileSync(foo, 'utf8').replace('#include <linux/percpu.h>\n', '#include <linux/percpu.h>\n#include <linux/counters.h>\n'));
    age(foo);
    await estimate(opts());
    patch('stats-type.patch');
    const r = await afterEdit();
    assert.deepStrictEqual([size(r, 'rx_stats'), size(r, 'tx_stats')], [32, 32]);
    // kernel/counters.c's per-CPU variables and rules; drivers/foo.c's taken as saved
    assert.deepStrictEqual(r.stats.partsReused, { changed: 1, redone: 1 }, JSON.stringify(r.stats));
    // a function added outside the struct: another shape, every includer redone
    const h = path.join(root, 'include', 'linux', 'counters.h');
    fs.writeFileSync(h, fs.readFileSync(h, 'utf8').replace('#endif', 'static inline int counters_on(void) { return 1; }\n#endif'));
    age(h);
    const again = await afterEdit();
    assert.deepStrictEqual(again.stats.partsReused, { changed: 1, redone: 2 }, JSON.stringify(again.stats));
  });

  it('a header added or removed where no lookup or #include of the saved run reaches is a changed file; beside a file read, named by an #include, or included: whole', async () => {
    tree(path.join(repo, 'test', 'fixtures', 'diff', 'base'));
    // net/dev.c names a header that does not exist yet (an #include that resolves nowhere)
    const dev = path.join(root, 'net', 'dev.c');
    fs.writeFileSync(dev, fs.readFileSync(dev, 'utf8').replace('#include <linux/percpu.h>\n', '#include <linux/percpu.h>\n#include "later.h"\n'));
    age(dev);
    const before = await estimate(opts());
    // a new driver's own header, in a folder of its own: its per-CPU declaration is listed, nothing else moves
    const dir = path.join(root, 'drivers', 'newdrv');
    fs.mkdirSync(dir);
    const h = path.join(dir, 'newdrv.h');
    fs.writeFileSync(h, '#include <linux/percpu.h>\nstruct newdrv_stats { long rx; };\nDECLARE_PER_CPU(struct newdrv_stats, newdrv_stats);\n');
    age(h, dir);
    const added = await afterEdit();
    assert.deepStrictEqual(added.stats.partsReused, { changed: 1, redone: 1 }, JSON.stringify(added.stats));
    fs.rmSync(dir, { recursive: true });
    const removed = await afterEdit();
    assert.deepStrictEqual(removed.stats.partsReused, { changed: 1, redone: 0 }, JSON.stringify(removed.stats));
    assert.deepStrictEqual(answers(removed), answers(before));
    // beside kernel/counters.c (lookups from it read its folder), and a header of the name net/dev.c #includes
    for (const [f, why] of [['kernel/extra.h', /beside files the estimate read/], ['sound/later.h', /net\/dev\.c #includes a file of the name/]] as const) {
      const p = path.join(root, f);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, 'struct extra { long a; };\n');
      age(p);
      const w = await afterEdit(); assert.match(w.stats.partsNotReused ?? JSON.stringify(w.stats), why);
      fs.rmSync(p);
      await estimate(opts());
    }
    // a header the saved run included, removed
    fs.rmSync(path.join(root, 'include', 'linux', 'counters.h'));
    assert.match((await estimate(opts())).stats.partsNotReused ?? '', /under the include dirs/);
  });

  it('a per-CPU variable moved to DEFINE_PER_CPU_SHARED_ALIGNED in a .c file, then the file only touched', async () => {
    tree(path.join(repo, 'test', 'fixtures', 'diff', 'base'));
    await estimate(opts());
    patch('shared-aligned.patch');
    const r = await afterEdit();
    const v = r.static.variables.find((x) => x.name === 'irq_count');
    // the kernel's ____cacheline_aligned_in_smp on x86_64: L1_CACHE_BYTES 64, INTERNODE_CACHE_SHIFT for the section
    assert.ok(v && /shared_aligned/.test(v.section), JSON.stringify(v));
    assert.deepStrictEqual([r.stats.partsReused?.changed, r.stats.partsReused?.redone], [1, 1]);
    // mtime only: the file is redone, nothing differs
    const c = path.join(root, 'kernel', 'counters.c');
    age(c);
    const t = await afterEdit();
    assert.strictEqual(t.stats.partsReused?.changed, 1);
    assert.deepStrictEqual(answers(t), answers(r));
  });

  it('an alloc_percpu call added: priced as sizeof its type (struct pcpu_stats, 24 bytes)', async () => {
    tree(path.join(repo, 'test', 'fixtures', 'diff', 'base'));
    const before = await estimate(opts());
    const f = path.join(root, 'kernel', 'counters.c');
    fs.appendFileSync(f, '\nstruct pcpu_stats __percpu *edit_stats;\nvoid edit_init(void)\n{\n\tedit_stats = alloc_percpu(struct pcpu_stats);\n}\n');
    age(f);
    const r = await afterEdit();
    assert.ok(r.stats.partsReused, r.stats.partsNotReused);
    const site = r.dynamic.callsites.find((c) => c.file === 'kernel/counters.c');
    assert.strictEqual(site?.size, 24, JSON.stringify(site));
    assert.strictEqual(r.dynamic.callsites.length, before.dynamic.callsites.length + 1);
  });

  it('a .c file no Makefile builds added, then removed: the parts serve; a header added, a .c file built or included: whole', async () => {
    tree(path.join(repo, 'test', 'fixtures', 'diff', 'base'));
    const before = await estimate(opts());
    const extra = path.join(root, 'kernel', 'extra.c');
    fs.writeFileSync(extra, '#include <linux/percpu.h>\nDEFINE_PER_CPU(long, extra_count);\n');
    age(extra);
    const added = await afterEdit();
    assert.deepStrictEqual(added.stats.partsReused, { changed: 1, redone: 1 }, JSON.stringify(added.stats));
    assert.ok(added.notBuilt.some((n) => n.file === 'kernel/extra.c'), 'listed as not built');
    fs.rmSync(extra);
    const removed = await afterEdit();
    assert.deepStrictEqual(removed.stats.partsReused, { changed: 1, redone: 0 }, JSON.stringify(removed.stats));
    assert.deepStrictEqual(answers(removed), answers(before));
    // a header added may answer lookups
    const h = path.join(root, 'include', 'linux', 'extra.h');
    fs.writeFileSync(h, 'struct extra { long a; };\n');
    age(h);
    assert.match((await afterEdit()).stats.partsNotReused ?? '', /added \(include\/linux\/extra\.h\)/);
    // a .c file a Makefile lists
    fs.writeFileSync(extra, '#include <linux/percpu.h>\nDEFINE_PER_CPU(long, extra_count);\n');
    const mk = path.join(root, 'kernel', 'Makefile');
    fs.appendFileSync(mk, 'obj-y\t+= extra.o\n');
    age(extra, mk);
    const built = await afterEdit();
    assert.match(built.stats.partsNotReused ?? '', /changes what Kbuild builds/);
    assert.ok(built.static.variables.some((v) => v.name === 'extra_count'));
    // a .c file a file of the include graph names: counters.h (read for counters.c) includes it
    const counters = path.join(root, 'include', 'linux', 'counters.h');
    fs.writeFileSync(counters, fs.readFileSync(counters, 'utf8').replace('#endif', '#include <linux/table.c>\n#endif'));
    age(counters);
    await afterEdit();
    const table = path.join(root, 'include', 'linux', 'table.c');
    fs.writeFileSync(table, '/* a table */\n');
    age(table);
    assert.match((await afterEdit()).stats.partsNotReused ?? '', /^include\/linux\/counters\.h #includes a file of the name of one added$/);
    fs.rmSync(table);
    assert.match((await afterEdit()).stats.partsNotReused ?? '', /^include\/linux\/table\.c was #included$/);
    // a build file that changes what is built (kernel/ no longer descended into)
    const kb = path.join(root, 'Kbuild');
    fs.writeFileSync(kb, fs.readFileSync(kb, 'utf8').replace('obj-y\t+= kernel/\n', ''));
    age(kb);
    assert.match((await afterEdit()).stats.partsNotReused ?? '', /^Kbuild changes what Kbuild builds$/);
  });

  it('a .c file no Makefile builds, calling a function priced at its callers, edited: only its own work is redone', async () => {
    tree(path.join(repo, 'test', 'fixtures', 'diff', 'base'));
    const mod = path.join(root, 'kernel', 'module.c');
    fs.appendFileSync(mod, '\nvoid *pool_alloc(unsigned long size)\n{\n\treturn __alloc_percpu(size, 8);\n}\n\nvoid *pool_user(void)\n{\n\treturn pool_alloc(16);\n}\n');
    const lone = path.join(root, 'kernel', 'lone.c'); // no Makefile lists it
    fs.writeFileSync(lone, '#include <linux/percpu.h>\nvoid *pool_alloc(unsigned long size);\nvoid *lone_user(void)\n{\n\treturn pool_alloc(32);\n}\n');
    age(root);
    const before = await estimate(opts());
    const priced = (r: EstimateResult) => r.dynamic.callsites.filter((c) => c.callee?.func === 'pool_alloc').map((c) => [c.file, c.size]);
    assert.deepStrictEqual(priced(before), [['kernel/module.c', 16]], 'only the built caller counts');
    fs.writeFileSync(lone, fs.readFileSync(lone, 'utf8').replace('pool_alloc(32)', 'pool_alloc(64)'));
    age(lone);
    const r = await afterEdit();
    // lone.c holds no finding: nothing of its own; the built caller's segment is not redone either
    assert.deepStrictEqual(r.stats.partsReused, { changed: 1, redone: 0 }, JSON.stringify(r.stats));
    assert.deepStrictEqual(priced(r), [['kernel/module.c', 16]]);
    // a header no file reads added in a folder of its own: its earlier text is known (none), so the
    // built caller's segment stays; one that names the function redoes it
    const h = path.join(root, 'sound', 'pool.h');
    fs.mkdirSync(path.dirname(h));
    fs.writeFileSync(h, 'struct pool_stats { long n; };\n');
    age(h);
    assert.deepStrictEqual((await afterEdit()).stats.partsReused, { changed: 1, redone: 0 });
    fs.writeFileSync(h, 'void *pool_alloc(unsigned long size);\n');
    age(h);
    assert.deepStrictEqual((await afterEdit()).stats.partsReused, { changed: 1, redone: 1 });
  });

  it('a .c file that #includes a local header Kbuild builds with it, edited: its objects redone, the rest taken; a new local #include runs whole', async () => {
    tree(path.join(repo, 'test', 'fixtures', 'diff', 'base'));
    const c = path.join(root, 'kernel', 'counters.c');
    fs.writeFileSync(path.join(root, 'kernel', 'local.h'), '/* built into counters.o */\nDEFINE_PER_CPU(long, local_hits);\n');
    fs.writeFileSync(path.join(root, 'kernel', 'more.h'), 'DEFINE_PER_CPU(int, more_hits);\n');
    fs.writeFileSync(path.join(root, 'net', 'extra.c'), 'DEFINE_PER_CPU(int, extra_hits);\n'); // no Makefile builds it
    fs.writeFileSync(path.join(root, 'kernel', 'solo.h'), 'DEFINE_PER_CPU(int, solo_hits);\n'); // nor #includes
    fs.writeFileSync(c, fs.readFileSync(c, 'utf8').replace('#include <linux/counters.h>\n', '#include <linux/counters.h>\n#include "local.h"\n'));
    age(root);
    const before = await estimate(opts());
    const vars = (r: EstimateResult) => r.static.variables.map((v) => v.name).sort();
    assert.ok(vars(before).includes('local_hits') && !vars(before).includes('more_hits') && !vars(before).includes('extra_hits'), vars(before).join(' '));
    fs.appendFileSync(c, '\nvoid count_more(void)\n{\n\tthis_cpu_inc(local_hits);\n}\n');
    age(c);
    const r = await afterEdit();
    // counters.c and the local.h built into it; drivers/, net/ and module.c taken as saved
    assert.deepStrictEqual(r.stats.partsReused, { changed: 1, redone: 2 }, r.stats.partsNotReused ?? JSON.stringify(r.stats));
    assert.strictEqual(r.static.variables.find((v) => v.name === 'local_hits')?.size, 8);
    // another local header #included: Kbuild builds more into counters.o
    fs.writeFileSync(c, fs.readFileSync(c, 'utf8').replace('#include "local.h"\n', '#include "local.h"\n#include "more.h"\n'));
    age(c);
    const w = await afterEdit();
    assert.strictEqual(w.stats.partsNotReused, 'kernel/counters.c changes what Kbuild builds with it');
    assert.ok(vars(w).includes('more_hits'), vars(w).join(' '));
    // a built file that had no local #include gains one: whole, and the included file's variable is built
    const gains = async (file: string, include: string, name: string) => {
      fs.appendFileSync(path.join(root, file), `\n#include "${include}"\n`);
      age(path.join(root, file));
      const g = await afterEdit();
      assert.strictEqual(g.stats.partsNotReused, `${file} changes what Kbuild builds with it`);
      assert.ok(vars(g).includes(name), vars(g).join(' '));
    };
    await gains('net/dev.c', 'extra.c', 'extra_hits');
    await gains('kernel/module.c', 'solo.h', 'solo_hits'); // a header, into kernel/module.o
    const dev = path.join(root, 'net', 'dev.c');
    // then a body edited, the #include kept: the parts serve
    fs.appendFileSync(dev, '\nint dev_more(void)\n{\n\treturn 1;\n}\n');
    age(dev);
    assert.deepStrictEqual((await afterEdit()).stats.partsReused, { changed: 1, redone: 2 });
  });

  it('a .c file using a per-CPU wrapper macro (DEFINE_SRCU), edited: its uses read again under the saved wrapper names; one defining a wrapper runs whole', async () => {
    tree(path.join(repo, 'test', 'fixtures', 'realtree'));
    const f = path.join(root, 'kernel', 'srcu_user.c');
    const before = await estimate(opts());
    const srcu = (r: EstimateResult) => r.static.variables.filter((v) => v.name.endsWith('_srcu_data')).map((v) => `${v.name}:${v.size}`).sort();
    // struct srcu_data: 4 longs and an int, cache-line aligned: 64 B
    assert.deepStrictEqual(srcu(before), ['local_srcu_srcu_data:64', 'tree_srcu_srcu_data:64']);
    const text = fs.readFileSync(f, 'utf8');
    fs.writeFileSync(f, text.replace('DEFINE_SRCU(tree_srcu);\n', 'DEFINE_SRCU(tree_srcu);\nDEFINE_SRCU(more_srcu);\n'));
    age(f);
    const r = await afterEdit();
    assert.deepStrictEqual(r.stats.partsReused, { changed: 1, redone: 1 }, r.stats.partsNotReused ?? JSON.stringify(r.stats));
    assert.deepStrictEqual(srcu(r), ['local_srcu_srcu_data:64', 'more_srcu_srcu_data:64', 'tree_srcu_srcu_data:64']);
    // a helper macro of its own around a wrapper: the wrapper names may change, so whole
    fs.writeFileSync(f, text.replace('DEFINE_SRCU(tree_srcu);\n', '#define MY_SRCU(n) DEFINE_SRCU(n)\nMY_SRCU(tree_srcu);\n'));
    age(f);
    const w = await afterEdit();
    assert.strictEqual(w.stats.partsNotReused, 'kernel/srcu_user.c uses a per-CPU wrapper macro');
    assert.deepStrictEqual(srcu(w), ['local_srcu_srcu_data:64', 'tree_srcu_srcu_data:64']);
  });

  it('a member added to a header whose macros call a function priced at its callers (percpu_counter.h): the parts serve; a macro changed there runs whole', async () => {
    tree(path.join(repo, 'test', 'fixtures', 'interproc'));
    const counters = (r: EstimateResult) => r.dynamic.callsites.filter((c) => c.callee?.func === '__percpu_counter_init_many').map((c) => `${c.file}:${c.size}`).sort();
    const before = await estimate(opts());
    // kernel/stats.c: NR_STAT_ITEMS (3) counters and 1 counter of s32 (4 B each)
    assert.deepStrictEqual(counters(before), ['kernel/stats.c:12', 'kernel/stats.c:4']);
    const h = path.join(root, 'include', 'linux', 'percpu_counter.h');
    const text = fs.readFileSync(h, 'utf8');
    fs.writeFileSync(h, text.replace('\ts32 __percpu *counters;\n', '\ts32 __percpu *counters;\n\tlong edit_pad;\n'));
    age(h);
    const r = await afterEdit();
    assert.ok(r.stats.partsReused, r.stats.partsNotReused ?? JSON.stringify(r.stats));
    assert.deepStrictEqual(counters(r), ['kernel/stats.c:12', 'kernel/stats.c:4']);
    // percpu_counter_init() now asks for 2 counters: its earlier text is gone, so whole
    fs.writeFileSync(h, text.replace('percpu_counter_init_many(fbc, value, gfp, 1)', 'percpu_counter_init_many(fbc, value, gfp, 2)'));
    age(h);
    const w = await afterEdit();
    assert.match(w.stats.partsNotReused ?? '', /^include\/linux\/percpu_counter\.h defines a macro calling a function priced at its callers$/);
    assert.deepStrictEqual(counters(w), ['kernel/stats.c:12', 'kernel/stats.c:8']);
  });

  it('a Makefile edited, or one added, without changing what Kbuild builds: the parts serve; the top Makefile runs whole', async () => {
    tree(path.join(repo, 'test', 'fixtures', 'diff', 'base'));
    const before = await estimate(opts());
    // a comment and an object of an option the config leaves out; a Makefile in a folder nothing descends into
    const mk = path.join(root, 'kernel', 'Makefile');
    fs.appendFileSync(mk, '# more\nobj-$(CONFIG_NOT_SET)\t+= absent.o\n');
    const lone = path.join(root, 'kernel', 'lone', 'Makefile');
    fs.mkdirSync(path.dirname(lone));
    fs.writeFileSync(lone, 'obj-y += lone.o\n');
    age(mk, lone);
    const r = await afterEdit();
    assert.deepStrictEqual(r.stats.partsReused, { changed: 0, redone: 0 }, JSON.stringify(r.stats));
    assert.deepStrictEqual(answers(r), answers(before));
    // counters.o built only as a module now: Kbuild's answer differs
    fs.writeFileSync(mk, fs.readFileSync(mk, 'utf8').replace('obj-$(CONFIG_COUNTERS)\t+= counters.o', 'obj-m\t+= counters.o'));
    age(mk);
    const moved = await afterEdit();
    assert.match(moved.stats.partsNotReused ?? '', /^kernel\/Makefile changes what Kbuild builds$/);
    assert.ok(moved.static.variables.every((v) => v.file !== 'kernel/counters.c'), 'counters.c is a module now');
    const top = path.join(root, 'Makefile');
    fs.writeFileSync(top, 'VERSION = 6\nPATCHLEVEL = 12\n');
    age(top);
    assert.match((await afterEdit()).stats.partsNotReused ?? '', /^Makefile \(the kernel version/);
  });

  it('files no stage reads (Kconfig, documentation, device trees) changed, added or removed: the parts serve; one a C file includes counts', async () => {
    tree(path.join(repo, 'test', 'fixtures', 'diff', 'base'));
    // a C file with findings includes a file of another kind: the include graph reaches it
    const counters = path.join(root, 'kernel', 'counters.c');
    const table = path.join(root, 'kernel', 'limits.txt');
    fs.writeFileSync(table, '/* limits */\n');
    fs.writeFileSync(counters, `${fs.readFileSync(counters, 'utf8')}\n#include "limits.txt"\n`);
    const yaml = path.join(root, 'kernel', 'binding.yaml');
    fs.writeFileSync(yaml, 'title: a device\n');
    age(root);
    const before = await estimate(opts());
    const kconfig = path.join(root, 'kernel', 'Kconfig');
    fs.writeFileSync(kconfig, 'config COUNTERS\n\tbool "counters"\n');
    const doc = path.join(root, 'kernel', 'counters.rst');
    fs.writeFileSync(doc, 'Counters\n========\n');
    fs.rmSync(yaml);
    age(kconfig, doc);
    const r = await afterEdit();
    assert.deepStrictEqual(r.stats.partsReused, { changed: 0, redone: 0 }, JSON.stringify(r.stats));
    assert.deepStrictEqual(answers(r), answers(before));
    assert.strictEqual((await estimate(opts())).stats.resultCached, true);
    // the included file is one gcc reads: a change there runs whole
    fs.writeFileSync(table, '/* limits, again */\n');
    age(table);
    assert.match((await afterEdit()).stats.partsNotReused ?? '', /kernel\/limits\.txt is not a \.c or \.h file/);
  });

  it('parts that cannot answer fall back to the whole run: irq_alloc_matrix stops being priced at its callers', async () => {
    tree(path.join(repo, 'test', 'fixtures', 'interproc'));
    const before = await estimate(opts({ rules: false }));
    const m = path.join(root, 'kernel', 'matrix.c');
    const t = fs.readFileSync(m, 'utf8');
    fs.writeFileSync(m, t.replace('matrix_size = BITS_TO_LONGS(matrix_bits)', 'matrix_size = BITS_TO_LONGS(256)'));
    age(m);
    const r = await estimate(opts({ rules: false }));
    assert.deepStrictEqual(answers(r), answers(await estimate(opts({ rules: false, resultCache: false }))));
    assert.strictEqual(r.stats.partsReused, undefined);
    assert.match(r.stats.partsNotReused ?? '', /parts not re-usable: the functions priced at their callers changed/);
    // struct cpumap is 32 bytes (4 unsigned int, 2 bool, padding, a pointer) + 2 × BITS_TO_LONGS(256) longs: 96
    const site = r.dynamic.callsites.find((c) => c.file === 'kernel/matrix.c');
    assert.strictEqual(site?.size, 96, JSON.stringify(site));
    assert.notDeepStrictEqual(answers(r), answers(before));
  });

  it('changed files: another stat, a stat within the racy window of the snapshot, added and removed', () => {
    const k = (mtime: number) => [10, mtime, mtime, 7].join(',');
    const before = statsText(new Map([['a.c', k(1000)], ['b.h', k(1000)], ['c.c', k(9000)], ['gone.c', k(1000)]]));
    const now = new Map([['a.c', k(1000)], ['b.h', k(1500)], ['c.c', k(9000)], ['new.c', k(1000)]]);
    assert.deepStrictEqual(changedFiles(before, 10000, now), { changed: ['b.h', 'c.c'], added: ['new.c'], removed: ['gone.c'] });
    // out of step from the second file on (one added before it, one gone after it), and a path that
    // begins another (a.c, a.cc): by path from there
    const later = new Map([['a.c', k(1000)], ['a.cc', k(1000)], ['b.h', k(1000)], ['c.c', k(2000)], ['gone.c', k(1000)], ['z.c', k(1000)]]);
    assert.deepStrictEqual(changedFiles(statsText(new Map([['a.c', k(1000)], ['b.h', k(1000)], ['c.c', k(1000)], ['gone.c', k(1000)], ['y.c', k(1000)]])), 10000, later),
      { changed: ['c.c'], added: ['a.cc', 'z.c'], removed: ['y.c'] });
    // the same tree: nothing
    assert.deepStrictEqual(changedFiles(statsText(later), 10000, later), { changed: [], added: [], removed: [] });
  });
});

describe('the editor\'s estimate after an edit', function () {
  this.timeout(300000);
  it('runs the same core: the saved run is re-used, the view equals a run with no cache', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-edit-editor-'));
    try {
      const root = path.join(tmp, 'tree');
      fs.cpSync(path.join(repo, 'test', 'fixtures', 'diff', 'base'), root, { recursive: true, dereference: true });
      age(root);
      const settings = { ...parseSettings(() => undefined).settings, configPath: '.config', possibleCpus: 8 };
      const core = new RealCore({ cacheDir: path.join(tmp, 'cache') });
      const ac = new AbortController();
      await core.estimate(root, settings, ac.signal, () => undefined);
      execFileSync('git', ['apply', path.join(patches, 'stats-type.patch')], { cwd: root, stdio: 'pipe' });
      age(path.join(root, 'include', 'linux', 'counters.h'));
      const messages: string[] = [];
      const view = await core.estimate(root, settings, ac.signal, (_d, _t, m) => { messages.push(m ?? ''); });
      assert.ok(messages.includes('re-using the last estimate: 1 file(s) changed since'), messages.join(' | '));
      const fresh = await new RealCore().estimate(root, settings, ac.signal, () => undefined);
      assert.deepStrictEqual(JSON.parse(JSON.stringify(view)), JSON.parse(JSON.stringify(fresh)));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
