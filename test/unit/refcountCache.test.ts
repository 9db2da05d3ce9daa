// PCPU002's reading kept in the cache folder by file stat (estimate/refcountCache.ts): a run with no
// saved parts to take it from (every stage again, another .config) takes each unchanged file's
// reading from there and reads the changed ones. The call counts are the fixture's text's: 15
// functions each calling two helpers of a refcount = 30 call sites, 12 = 24.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ARCHES } from '../../src/core/config/arch';
import { parseDotConfig } from '../../src/core/config/kconfig';
import { estimate, type EstimateResult } from '../../src/core/estimate';
import { RefcountCache } from '../../src/core/estimate/refcountCache';
import { age } from './support/tempTree';

const repo = path.join(__dirname, '..', '..', '..');


describe('PCPU002\'s reading kept in the cache folder', function () {
  this.timeout(120000);
  let tmp: string;
  let root: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-refc-'));
    root = path.join(tmp, 'tree');
    fs.cpSync(path.join(repo, 'test', 'fixtures', 'diff', 'base'), root, { recursive: true, dereference: true });
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const user = (n: number) => '#include <linux/hot.h>\n\nDEFINE_PER_CPU(int, hot_uses);\n\n' + Array.from({ length: n }, (_, i) => `void hot_use${i}(struct hot_obj *o)\n{\n\thot_get(o);\n\thot_put(o);\n}\n`).join('\n');
  const hot = (r: EstimateResult) => r.diagnostics.filter((d) => d.code === 'PCPU002').map((d) => /from \d+ call sites \([^)]*\)/.exec(d.message)?.[0]);
  const run = (cacheDir: string) => {
    const cfg = path.join(root, '.config');
    return estimate({ root, arch: ARCHES.x86_64, config: parseDotConfig(fs.readFileSync(cfg, 'utf8'), cfg), cpus: 8, cacheDir, resultCache: false });
  };

  it('every stage again takes an unchanged file\'s reading from the cache folder and reads an edited file again', async () => {
    fs.writeFileSync(path.join(root, 'include', 'linux', 'hot.h'), 'struct hot_obj {\n\tint __percpu *stats;\n\tatomic_t refcnt;\n};\n\n'
      + 'static inline void hot_get(struct hot_obj *o)\n{\n\tatomic_inc(&o->refcnt);\n}\n\nstatic inline void hot_put(struct hot_obj *o)\n{\n\tatomic_dec(&o->refcnt);\n}\n');
    fs.writeFileSync(path.join(root, 'net', 'hot.c'), user(15));
    fs.appendFileSync(path.join(root, 'net', 'Makefile'), 'obj-y\t+= hot.o\n');
    age(root);
    const cacheDir = path.join(tmp, 'cache');
    assert.deepStrictEqual(hot(await run(cacheDir)), ['from 30 call sites (hot_get ×15, hot_put ×15)']);
    // the saved counts of net/hot.c changed by hand (its stat kept): the next run shows they are taken
    const dir = path.join(cacheDir, 'refcounts');
    const file = path.join(dir, fs.readdirSync(dir)[0]);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    const names: string[] = saved.reading.calls.names;
    const counts = saved.reading.calls.counts.find(([f]: [string]) => f === 'net/hot.c');
    counts[1] = names.map((n) => (n === 'hot_get' ? 20 : n === 'hot_put' ? 21 : 0));
    fs.writeFileSync(file, JSON.stringify(saved));
    assert.deepStrictEqual(hot(await run(cacheDir)), ['from 41 call sites (hot_put ×21, hot_get ×20)']);
    // an edit of net/hot.c: read again, whatever the cache says of it; as a run with no cache folder
    fs.writeFileSync(path.join(root, 'net', 'hot.c'), user(12));
    age(path.join(root, 'net', 'hot.c'));
    const edited = await run(cacheDir);
    assert.deepStrictEqual(hot(edited), ['from 24 call sites (hot_get ×12, hot_put ×12)']);
    assert.deepStrictEqual({ ...edited, stats: undefined }, { ...(await run(path.join(tmp, 'fresh'))), stats: undefined });
  });

  it('a file stat\'ed before the save is the same while its stat is; a changed, gone or never saved file is not; a damaged cache is none', () => {
    const cacheDir = path.join(tmp, 'cache');
    const files = ['kernel/counters.c', 'net/dev.c', 'drivers/foo.c'];
    age(...files.map((f) => path.join(root, f)));
    const reading = { ops: files.map((f): [string, []] => [f, []]), percpu: [] };
    new RefcountCache(cacheDir, root, files).save(reading);
    fs.appendFileSync(path.join(root, 'net', 'dev.c'), '\n');
    age(path.join(root, 'net', 'dev.c'));
    fs.rmSync(path.join(root, 'drivers', 'foo.c'));
    const r = new RefcountCache(cacheDir, root, files).reading()!;
    assert.deepStrictEqual([...files, 'include/linux/counters.h'].map(r.same), [true, false, false, false]);
    assert.deepStrictEqual(r.saved.ops.map(([f]) => f), files);
    const dir = path.join(cacheDir, 'refcounts');
    fs.writeFileSync(path.join(dir, fs.readdirSync(dir)[0]), '{"schema":');
    assert.strictEqual(new RefcountCache(cacheDir, root, files).reading(), undefined);
  });
});
