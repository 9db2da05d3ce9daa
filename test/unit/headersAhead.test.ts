// The include dirs' raw index and wrapper graph read on a worker thread (estimate/wrapped.ts
// headersAhead) while the estimate reads Kbuild, then finished on the estimate's thread with the
// build's -I dirs (TypeIndex.importRawAhead): the same index and graph as reading every header
// on one thread, and the same estimate.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ARCHES } from '../../src/core/config/arch';
import { parseDotConfig } from '../../src/core/config/kconfig';
import { LayoutEngine, initLayout } from '../../src/core/layout';
import { headerIndex } from '../../src/core/layout/typeIndex';
import { headerGraph, headersAhead } from '../../src/core/estimate/wrapped';
import { estimate } from '../../src/core/estimate';
import { withOverlay } from '../../src/core/overlay';
import { gccTruth } from './support/linkTruth';

const fixture = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'realtree');

describe('header index read ahead on a worker', function () {
  this.timeout(60000);
  let tmp: string;
  let root: string;
  let flat: string;
  const config = () => parseDotConfig(fs.readFileSync(path.join(root, '.config'), 'utf8'), '.config');
  const engine = () => {
    const layout = new LayoutEngine({ arch: ARCHES.x86_64, config: config(), root });
    layout.index.addIncludeDir(flat); // a directory's ccflags -I, after the arch's dirs (Kbuild)
    return layout;
  };

  before(async () => {
    await initLayout();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-ahead-'));
    root = path.join(tmp, 'tree');
    fs.cpSync(fixture, root, { recursive: true });
    flat = path.join(root, 'drivers', 'own');
    fs.mkdirSync(flat, { recursive: true });
    // a driver's own header: a define the index must list last, and a wrapper the graph must hold
    fs.writeFileSync(path.join(flat, 'own.h'), '#define L1_CACHE_SHIFT 7\n#define DEFINE_OWN_STAT(n) DEFINE_PER_CPU(long, n##_stat)\nstruct own_stat { long v; };\n');
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('gives the index and the graph that reading every header here gives', async () => {
    const here = engine();
    const g1 = headerGraph(here);
    const ahead = headersAhead('x86_64', root);
    const facts = await ahead.take();
    assert.ok(facts, 'the worker answered (its script is built beside the module)');
    assert.strictEqual(await ahead.take(), undefined, 'the answer is given once');
    const there = engine();
    const g2 = headerGraph(there, undefined, facts);
    assert.deepStrictEqual(there.index.exportRaw(), here.index.exportRaw());
    assert.deepStrictEqual(g2.toJSON(), g1.toJSON());
    // the flat dir's header was read here after the import: its define and its wrapper are in
    assert.deepStrictEqual(there.index.exportRaw()!.table.slice(-1), [path.join(flat, 'own.h')]);
    assert.ok(g2.names(true).has('DEFINE_OWN_STAT'));
    assert.ok(g1.names(true).has('DEFINE_OWN_STAT'));
  });

  it('indexes the -I dirs Kbuild tells it on the worker, after the arch\'s own: the index and graph of reading every header here', async () => {
    const here = engine();
    const g1 = headerGraph(here);
    const ahead = headersAhead('x86_64', root);
    ahead.more([path.relative(root, flat)]);
    const facts = await ahead.take();
    assert.ok(facts);
    // the flat dir came indexed from the worker: its header is in the snapshot, last
    assert.deepStrictEqual(facts.raw.dirs.slice(-1), [flat]);
    assert.deepStrictEqual(facts.raw.table.slice(-1), [path.join(flat, 'own.h')]);
    const there = engine();
    const g2 = headerGraph(there, undefined, facts);
    assert.deepStrictEqual(there.index.exportRaw(), here.index.exportRaw());
    assert.deepStrictEqual(g2.toJSON(), g1.toJSON());
    assert.ok(g2.names(true).has('DEFINE_OWN_STAT'));
  });

  it('refuses a raw index of other dirs, and one imported after the index was built', () => {
    const other = headerIndex('arm64', root, () => undefined).exportRaw()!;
    assert.ok(other.dirs.some((d) => d.endsWith(path.join('arch', 'arm64', 'include'))));
    assert.strictEqual(engine().index.importRawAhead(other, () => undefined), false);
    const mine = headerIndex('x86_64', root, () => undefined).exportRaw()!;
    const built = engine();
    built.index.forEachHeader(() => undefined);
    assert.strictEqual(built.index.importRawAhead(mine, () => undefined), false);
    assert.strictEqual(engine().index.importRawAhead(mine, () => undefined), true);
  });

  it('through an overlay (diff\'s NEW side) the headers are read on this thread, which sees the overlay', async () => {
    const tree = path.join(tmp, 'overlaid');
    fs.cpSync(root, tree, { recursive: true });
    const c = path.join(tree, 'kernel', 'srcu_user.c');
    fs.writeFileSync(c, `${fs.readFileSync(c, 'utf8')}\nDEFINE_OVERLAY_STAT(x);\n`);
    const h = path.join(tmp, 'srcu.h'); // the header as the patch leaves it: a wrapper the disk's copy lacks
    fs.writeFileSync(h, `${fs.readFileSync(path.join(tree, 'include', 'linux', 'srcu.h'), 'utf8')}\n#define DEFINE_OVERLAY_STAT(n) DEFINE_PER_CPU(long, n##_ostat)\n`);
    const r = await withOverlay({ root: tree, files: new Map([['include/linux/srcu.h', h]]) }, () =>
      estimate({ root: tree, arch: ARCHES.x86_64, config: config(), cpus: 4, resultCache: false }));
    assert.strictEqual(r.static.variables.find((v) => v.name === 'x_ostat')?.size, 8);
  });

  it('a header that cannot be read (a dangling symlink) is an error of the run, not its end, on either thread', async () => {
    const tree = path.join(tmp, 'broken');
    fs.cpSync(root, tree, { recursive: true });
    const run = (cacheDir: string) => estimate({ root: tree, arch: ARCHES.x86_64, config: config(), cpus: 4, resultCache: false, cacheDir });
    const before = await run(path.join(tmp, 'broken-cache-0'));
    fs.symlinkSync('nowhere.h', path.join(tree, 'include', 'linux', 'broken.h'));
    const own = path.join(tmp, 'broken-cache-1');
    fs.mkdirSync(path.join(own, 'headers'), { recursive: true });
    fs.writeFileSync(path.join(own, 'headers', 'other.bin'), 'not a header index');
    for (const r of [await run(path.join(tmp, 'broken-cache-2')), await run(own)]) { // the worker's index, then this thread's
      assert.ok(r.errors.some((e) => e.file === 'include/linux/broken.h'), JSON.stringify(r.errors));
      assert.deepStrictEqual({ ...r, stats: undefined, errors: undefined }, { ...before, stats: undefined, errors: undefined });
    }
  });

  it('an estimate with the worker gives the numbers of one without it', async () => {
    const run = (cacheDir: string) => estimate({ root, arch: ARCHES.x86_64, config: config(), cpus: 4, resultCache: false, cacheDir });
    // a cache folder holding some header facts (of no use here) starts no worker: the headers are read on this thread
    const own = path.join(tmp, 'own-cache');
    fs.mkdirSync(path.join(own, 'headers'), { recursive: true });
    fs.writeFileSync(path.join(own, 'headers', 'other.bin'), 'not a header index');
    const without = await run(own);
    const withWorker = await run(path.join(tmp, 'new-cache'));
    assert.deepStrictEqual({ ...withWorker, stats: undefined }, { ...without, stats: undefined });
    // the header wrapper DEFINE_STATIC_SRCU came through, at gcc's size for the same tree
    const truth = gccTruth(root, ['kernel/srcu_user.c'], {}, ['-O2']).symbols.get('tree_srcu_srcu_data')?.size;
    assert.strictEqual(truth, 64);
    assert.strictEqual(withWorker.static.variables.find((v) => v.name === 'tree_srcu_srcu_data')?.size, truth);
  });
});
