// The saved header index (estimate/headerCache.ts): a warm estimate takes the include dirs' raw
// index and wrapper graph from the cache and gives the same result; any header edited, added or
// removed, or a damaged cache file, makes it read the headers again. Sizes after an edit are gcc's.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { estimate, EstimateResult } from '../../src/core/estimate';
import { ARCHES } from '../../src/core/config/arch';
import { parseDotConfig } from '../../src/core/config/kconfig';
import { gccTruth } from './support/linkTruth';
import { LayoutEngine, initLayout } from '../../src/core/layout';
import { headerGraph } from '../../src/core/estimate/wrapped';
import { headerCacheFile, loadHeaderFacts } from '../../src/core/estimate/headerCache';
import { statKey, type StatKey } from '../../src/core/parse/statIndex';
import type { NameIndexSnapshot } from '../../src/core/layout/nameIndex';
import { headerShapeOf, type RawSnapshot } from '../../src/core/layout/typeIndex';
import { age } from './support/tempTree';

const fixture = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'realtree');
const BUILTIN = ['kernel/srcu_user.c'];


const numbers = (r: EstimateResult) => ({ ...r, stats: undefined });

describe('saved header index of the estimate', function () {
  this.timeout(120000);
  let tmp: string;
  let root: string;
  let cacheDir: string;
  const run = (withCache = true) => estimate({
    root, arch: ARCHES.x86_64, config: parseDotConfig(fs.readFileSync(path.join(root, '.config'), 'utf8'), '.config'), cpus: 4,
    ...(withCache ? { cacheDir } : {}), resultCache: false, // the header index itself is under test
  });
  const cacheFiles = () => { try { return fs.readdirSync(path.join(cacheDir, 'headers')); } catch { return []; } };
  const srcuSize = (r: EstimateResult) => r.static.variables.find((v) => v.name === 'tree_srcu_srcu_data')?.size;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-headers-'));
    root = path.join(tmp, 'tree');
    cacheDir = path.join(tmp, 'cache');
    fs.cpSync(fixture, root, { recursive: true });
    age(root);
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a warm run reads the index from the cache and gives the cold run\'s numbers', async () => {
    const none = await run(false);
    const cold = await run();
    assert.strictEqual(cacheFiles().length, 1);
    const saved = fs.statSync(path.join(cacheDir, 'headers', cacheFiles()[0])).mtimeMs;
    const warm = await run();
    assert.deepStrictEqual(numbers(cold), numbers(none));
    assert.deepStrictEqual(numbers(warm), numbers(cold));
    // the header-defined wrapper (DEFINE_STATIC_SRCU in include/linux/srcu.h) came through the saved graph
    assert.strictEqual(srcuSize(warm), 64);
    assert.strictEqual(fs.statSync(path.join(cacheDir, 'headers', cacheFiles()[0])).mtimeMs, saved, 'a hit does not rewrite the file');
  });

  it('an edited header is read again: the struct it defines has gcc\'s new size', async () => {
    await run();
    const before = fs.readFileSync(path.join(cacheDir, 'headers', cacheFiles()[0]));
    const h = path.join(root, 'include', 'linux', 'srcu.h');
    fs.writeFileSync(h, fs.readFileSync(h, 'utf8').replace('\tint\t\tcpu;', '\tint\t\tcpu;\n\tint\t\tgrown[20];'));
    age(h); // only the edited file: the others keep the stat the cache recorded
    const r = await run();
    const truth = gccTruth(root, BUILTIN, {}, ['-O2']);
    assert.strictEqual(srcuSize(r), truth.symbols.get('tree_srcu_srcu_data')?.size);
    assert.strictEqual(srcuSize(r), 128); // 36 + 80 bytes, to the 64-byte line
    assert.notDeepStrictEqual(fs.readFileSync(path.join(cacheDir, 'headers', cacheFiles()[0])), before, 'the index was built and saved again');
  });

  it('a header added in a new folder is seen: its wrapper macro defines a per-CPU variable', async () => {
    await run();
    fs.mkdirSync(path.join(root, 'include', 'linux', 'extra'));
    fs.writeFileSync(path.join(root, 'include', 'linux', 'extra', 'wrap.h'),
      '#include <linux/percpu-defs.h>\n#define DEFINE_EXTRA_COUNTER(n) DEFINE_PER_CPU(long, n##_counter)\n');
    const c = path.join(root, 'kernel', 'srcu_user.c');
    fs.writeFileSync(c, fs.readFileSync(c, 'utf8') + '\n#include <linux/extra/wrap.h>\nDEFINE_EXTRA_COUNTER(extra);\n');
    // every header the cache knows keeps its stat: only include/linux's mtime tells of the new folder
    age(path.join(root, 'include', 'linux', 'extra'), c);
    const t = new Date(Date.now() - 7200 * 1000);
    fs.utimesSync(path.join(root, 'include', 'linux'), t, t);
    const r = await run();
    assert.strictEqual(r.static.variables.find((v) => v.name === 'extra_counter')?.size, 8);
  });

  it("a header's stat comes from the tree's stamp when the run has it: a header the stamp saw unchanged is not read again", async () => {
    await initLayout();
    const engine = () => new LayoutEngine({ arch: ARCHES.x86_64, config: parseDotConfig(fs.readFileSync(path.join(root, '.config'), 'utf8'), '.config'), root });
    headerGraph(engine(), cacheDir);
    const dirs = engine().index.dirs;
    const srcu = path.join(root, 'include', 'linux', 'srcu.h');
    const stat = (f: string) => statKey(fs.statSync(f));
    const before = stat(srcu);
    age(srcu); // another mtime: a stat of it now differs from the saved one
    assert.deepStrictEqual(loadHeaderFacts(headerCacheFile(cacheDir, dirs), dirs, { changed: true })?.changes?.reread, [srcu]);
    // the stamp (taken before) answers for every header: none is read again, and none is stat'ed
    const known = (f: string) => (f === srcu ? before : stat(f));
    assert.strictEqual(loadHeaderFacts(headerCacheFile(cacheDir, dirs), dirs, { changed: true, known })?.changes, undefined);
    // another header the stamp saw changed: that one alone is read again (srcu.h's stat is still the stamp's)
    const other = path.join(root, 'include', 'linux', 'cache.h');
    const changed = (f: string): StatKey => (f === other ? [1, 2, 3, 4] : known(f));
    assert.deepStrictEqual(loadHeaderFacts(headerCacheFile(cacheDir, dirs), dirs, { changed: true, known: changed })?.changes?.reread, [other]);
  });

  it('after headers changed, added and removed, only those are read again: the index and graph of reading every header', async () => {
    await initLayout();
    const flatDir = path.join(root, 'drivers', 'own'); // a directory's ccflags -I, indexed without subfolders
    fs.mkdirSync(flatDir, { recursive: true });
    fs.writeFileSync(path.join(flatDir, 'own.h'), '#define OWN_SHIFT 7\nstruct own_stat { long v; };\n');
    fs.writeFileSync(path.join(root, 'include', 'linux', 'gone.h'), '#define GONE_ONLY 1\n#define L1_CACHE_SHIFT 6\n#define DEFINE_GONE(n) DEFINE_PER_CPU(int, n)\n');
    age(root);
    const engine = () => {
      const layout = new LayoutEngine({ arch: ARCHES.x86_64, config: parseDotConfig(fs.readFileSync(path.join(root, '.config'), 'utf8'), '.config'), root });
      layout.index.addIncludeDir(flatDir);
      return layout;
    };
    headerGraph(engine(), cacheDir); // built and saved
    const saved = () => path.join(cacheDir, 'headers', cacheFiles()[0]);
    const dirs = engine().index.dirs;
    assert.strictEqual(saved(), headerCacheFile(cacheDir, dirs));
    const inc = path.join(root, 'include');
    const changes = [
      () => {
        // a define gone and one added, a new struct and a new wrapper in an existing header; a
        // header removed; one added beside it and one in a new folder; the -I dir's header edited
        const srcu = path.join(inc, 'linux', 'srcu.h');
        fs.writeFileSync(srcu, `${fs.readFileSync(srcu, 'utf8').replace(/^#define\s+\w+.*$/m, '')}\nstruct srcu_new { int a; };\n#define DEFINE_SRCU_NEW(n) DEFINE_PER_CPU(struct srcu_new, n)\n#define GONE_ONLY 2\n`);
        fs.rmSync(path.join(inc, 'linux', 'gone.h'));
        fs.writeFileSync(path.join(inc, 'linux', 'added.h'), '#define L1_CACHE_SHIFT 7\ntypedef struct { int x; } added_t;\nenum { ADDED_A, ADDED_B };\n#define alloc_added(t) __alloc_percpu(sizeof(t), 8)\n');
        fs.mkdirSync(path.join(inc, 'linux', 'sub'));
        fs.writeFileSync(path.join(inc, 'linux', 'sub', 'deep.h'), '#define DEEP 1\nunion deep_u { int a; long b; };\n');
        fs.writeFileSync(path.join(flatDir, 'own.h'), '#define OWN_SHIFT 8\n#define DEFINE_OWN(n) DEFINE_PER_CPU(long, n)\n');
        fs.mkdirSync(path.join(flatDir, 'sub')); // not indexed: the -I dir is flat
        fs.writeFileSync(path.join(flatDir, 'sub', 'no.h'), '#define NOT_INDEXED 1\n');
        return [srcu, path.join(inc, 'linux', 'added.h'), path.join(inc, 'linux', 'sub', 'deep.h'), path.join(flatDir, 'own.h')];
      },
      () => {
        // then the added header edited and the new folder removed, on top of the updated index
        fs.writeFileSync(path.join(inc, 'linux', 'added.h'), '#define ADDED_AGAIN 1\n');
        fs.rmSync(path.join(inc, 'linux', 'sub'), { recursive: true });
        return [path.join(inc, 'linux', 'added.h')];
      },
    ];
    for (const change of changes) {
      const reread = change();
      age(...reread); // the others keep the stat the cache recorded
      const facts = loadHeaderFacts(saved(), dirs, { changed: true });
      assert.deepStrictEqual(facts?.changes?.reread.sort(), reread.sort(), 'only the changed and new headers are read');
      const updated = engine();
      const g1 = headerGraph(updated, cacheDir);
      const fresh = engine();
      const g2 = headerGraph(fresh);
      assert.deepStrictEqual(names(updated.index.exportRaw()!), names(fresh.index.exportRaw()!));
      assert.deepStrictEqual(updated.index.exportRaw()!.files, fresh.index.exportRaw()!.files);
      // each header's shape (editReuse.ts reads it from the parts): a changed one's is its new text's, a removed one's gone
      assert.deepStrictEqual(updated.index.exportRaw()!.shapes, fresh.index.exportRaw()!.shapes);
      for (const f of reread) assert.strictEqual(updated.index.shapeOf(f), headerShapeOf(fs.readFileSync(f, 'latin1')), f);
      assert.strictEqual(updated.index.shapeOf(path.join(inc, 'linux', 'gone.h')), undefined);
      assert.deepStrictEqual(g1.toJSON(), g2.toJSON());
      assert.deepStrictEqual(g1.names(), g2.names());
      // saved: nothing left to read again (a folder's mtime may still be racy: walked, nothing read)
      assert.deepStrictEqual(loadHeaderFacts(saved(), dirs, { changed: true })!.changes?.reread ?? [], [], 'the updated index was saved');
      assert.deepStrictEqual(loadHeaderFacts(saved(), dirs, { changed: true })!.raw.shapes, updated.index.exportRaw()!.shapes, 'with the shapes');
    }
    // names left with no header pile up over updates: past 1 in 20 of them, every header is read again
    const many = path.join(inc, 'linux', 'many.h');
    fs.writeFileSync(many, Array.from({ length: 400 }, (_, i) => `#define MANY_${i} ${i}\n`).join(''));
    age(many);
    headerGraph(engine(), cacheDir);
    fs.rmSync(many);
    const dropped = loadHeaderFacts(saved(), dirs, { changed: true })!;
    assert.ok(engine().index.importRawChanged(dropped.raw, dropped.changes!), 'one update with many names gone is taken');
    headerGraph(engine(), cacheDir); // saved with the 400 names left empty
    fs.writeFileSync(path.join(inc, 'linux', 'added.h'), '#define ADDED_AGAIN 2\n');
    age(path.join(inc, 'linux', 'added.h'));
    const next = loadHeaderFacts(saved(), dirs, { changed: true })!;
    assert.ok(next.changes, 'a header changed since');
    assert.strictEqual(engine().index.importRawChanged(next.raw, next.changes!), false, 'the next one is refused');
    const rebuilt = engine();
    headerGraph(rebuilt, cacheDir);
    const fresh = engine();
    headerGraph(fresh);
    assert.deepStrictEqual(names(rebuilt.index.exportRaw()!), names(fresh.index.exportRaw()!));
    const empty = (r: RawSnapshot) => Object.values(r.index).reduce((a, ix) => a + ix.lists.filter((l) => !l.length).length, 0);
    assert.strictEqual(empty(loadHeaderFacts(saved(), dirs, { changed: true })!.raw), 0, 'read again and saved without them');
    // what the changes did, read from the index: the wrappers and names in and out
    const ix = engine();
    const g = headerGraph(ix, cacheDir);
    const all = names(ix.index.exportRaw()!);
    assert.ok(g.names().has('DEFINE_SRCU_NEW') && g.names().has('DEFINE_OWN') && !g.names().has('DEFINE_GONE'));
    assert.deepStrictEqual(all.defines.get('GONE_ONLY'), [path.join(inc, 'linux', 'srcu.h')]);
    assert.deepStrictEqual(all.defines.get('ADDED_AGAIN'), [path.join(inc, 'linux', 'added.h')]);
    assert.ok(!all.records.has('union deep_u') && !all.defines.has('NOT_INDEXED') && !all.typedefs.has('added_t'));
    assert.deepStrictEqual(all.records.get('struct srcu_new'), [path.join(inc, 'linux', 'srcu.h')]);
  });

  it('a damaged cache file is a miss, never an error', async () => {
    const cold = await run();
    const f = path.join(cacheDir, 'headers', cacheFiles()[0]);
    fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 100));
    assert.deepStrictEqual(numbers(await run()), numbers(cold));
    fs.writeFileSync(f, 'not a cache file');
    assert.deepStrictEqual(numbers(await run()), numbers(cold));
  });
});

/** Each kind of a raw index as name -> files in list order (names with none left out), read from its arrays. */
function names(raw: RawSnapshot): Record<keyof RawSnapshot['index'], Map<string, string[]>> {
  const read = (s: NameIndexSnapshot) => {
    const m = new Map<string, string[]>();
    for (let e = 0; e < s.n; e++) {
      const name = Buffer.from(s.chars.subarray(s.keyOff[e], s.keyOff[e] + s.keyLen[e])).toString('latin1');
      const ids = s.val[e] >= 0 ? [s.val[e]] : s.lists[-s.val[e] - 1];
      if (ids.length) m.set(name, ids.map((i) => raw.table[i]));
    }
    for (const [name, ids] of s.other) if (ids.length) m.set(name, ids.map((i) => raw.table[i]));
    return new Map([...m].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  };
  return { defines: read(raw.index.defines), records: read(raw.index.records), typedefs: read(raw.index.typedefs), consts: read(raw.index.consts) };
}
