// The stat index in front of the content cache: unchanged files (same size, mtime, ctime, inode)
// are not read again; anything else, including a racily recent file, is read and scanned.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { scanTree } from '../../src/core/parse';
import type { ScanResult } from '../../src/core/parse';

const sample = path.join(__dirname, '..', '..', '..', 'samples', 'kernel');

/** every file under `dir`, dated an hour ago (older than the index's racy window) */
function age(dir: string): void {
  const t = new Date(Date.now() - 3600 * 1000);
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) if (e.isFile()) fs.utimesSync(path.join(e.parentPath, e.name), t, t);
}

describe('stat index of a scanned tree', function () {
  this.timeout(120000);
  let tmp: string;
  let tree: string;
  let cache: string;
  const scan = (workers = 0): Promise<ScanResult> => scanTree(tree, { workers, cacheDir: cache });
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-stat-'));
    tree = path.join(tmp, 'tree');
    cache = path.join(tmp, 'cache');
    fs.cpSync(sample, tree, { recursive: true });
    age(tree);
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a second scan reads no file and gives the same result', async () => {
    const cold = await scan();
    assert.strictEqual(cold.stats.filesUnchanged, 0);
    const warm = await scan();
    assert.strictEqual(warm.stats.filesUnchanged, cold.stats.filesSeen);
    assert.deepStrictEqual(warm.findings, cold.findings);
    assert.deepStrictEqual(warm.accessorFiles, cold.accessorFiles);
    assert.deepStrictEqual({ ...warm.stats, ms: 0, filesUnchanged: 0 }, { ...cold.stats, ms: 0 });
  });

  it('an edited file is read again, even with its old size and mtime put back (ctime)', async () => {
    const cold = await scan();
    const f = path.join(tree, 'kernel', 'sched.c');
    const st = fs.statSync(f);
    const text = fs.readFileSync(f, 'latin1');
    const m = /DEFINE_PER_CPU\(([^,]+), (\w+)\)/.exec(text)!;
    const renamed = m[2].slice(0, -1) + (m[2].endsWith('x') ? 'y' : 'x'); // same length
    fs.writeFileSync(f, text.replace(m[0], m[0].replace(m[2], renamed)), 'latin1');
    fs.utimesSync(f, st.atime, st.mtime);
    assert.strictEqual(fs.statSync(f).size, st.size);
    const r = await scan();
    assert.strictEqual(r.stats.filesUnchanged, cold.stats.filesSeen - 1);
    assert.ok(r.findings.some((x) => x.file === 'kernel/sched.c' && x.name === renamed));
    assert.ok(!r.findings.some((x) => x.file === 'kernel/sched.c' && x.name === m[2]));
  });

  it('stats the tree\'s stamp took answer for the files they name: an unchanged one is not stat\'ed, a changed one is read', async () => {
    const cold = await scan();
    const known = new Map<string, [number, number, number, number]>();
    for (const f of fs.readdirSync(tree, { recursive: true, withFileTypes: true })) {
      if (!f.isFile()) continue;
      const abs = path.join(f.parentPath, f.name);
      const st = fs.statSync(abs);
      known.set(path.relative(tree, abs).split(path.sep).join('/'), [st.size, st.mtimeMs, st.ctimeMs, st.ino]);
    }
    // the stamp saw kernel/sched.c with another inode: to the run it changed (the file itself did not)
    const k = known.get('kernel/sched.c')!;
    known.set('kernel/sched.c', [k[0], k[1], k[2], k[3] + 1]);
    const nodeFs = require('fs') as { statSync: typeof fs.statSync };
    const real = nodeFs.statSync;
    let stats = 0;
    nodeFs.statSync = ((...a: Parameters<typeof real>) => { if (String(a[0]) !== tree) stats++; return real(...a); }) as typeof real; // the root itself is checked once
    try {
      const r = await scanTree(tree, { workers: 0, cacheDir: cache, knownStats: (rel) => known.get(rel) });
      assert.strictEqual(r.stats.filesUnchanged, cold.stats.filesSeen - 1);
      assert.deepStrictEqual(r.findings, cold.findings);
      assert.strictEqual(stats, 0); // no stat of a file the stamp named (the changed one is read, with fstat)
    } finally {
      nodeFs.statSync = real;
    }
  });

  it('a scan that read no file leaves the index as it is; one that read a file writes it', async () => {
    await scan();
    const dir = path.join(cache, 'trees');
    const written = () => fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => fs.statSync(path.join(dir, f)).ino);
    const first = written();
    assert.strictEqual(first.length, 1);
    await scan(); // every file looked up: the same index, not rewritten (a new file would be renamed in: another inode)
    assert.deepStrictEqual(written(), first);
    fs.appendFileSync(path.join(tree, 'mm', 'vmstat.c'), '\n');
    const r = await scan();
    assert.strictEqual(r.stats.filesUnchanged, r.stats.filesSeen - 1);
    assert.notDeepStrictEqual(written(), first);
  });

  it('files changed just before the index was written are not trusted (racy), then are', async () => {
    fs.appendFileSync(path.join(tree, 'mm', 'vmstat.c'), '\nDEFINE_PER_CPU(long, fresh);\n'); // mtime: now
    const cold = await scan();
    const warm = await scan();
    assert.strictEqual(warm.stats.filesUnchanged, cold.stats.filesSeen - 1);
    assert.deepStrictEqual(warm.findings, cold.findings);
  });

  it('new and deleted files; worker threads record into the same index', async () => {
    const gen = path.join(tree, 'gen');
    for (let i = 0; i < 120; i++) fs.mkdirSync(gen, { recursive: true }), fs.writeFileSync(path.join(gen, `f${i}.c`), `DEFINE_PER_CPU(int, v${i});\n`);
    age(tree);
    const cold = await scan(2);
    fs.rmSync(path.join(gen, 'f0.c'));
    const warm = await scan(2);
    assert.strictEqual(warm.stats.filesUnchanged, cold.stats.filesSeen - 1);
    assert.deepStrictEqual(warm.findings, cold.findings.filter((f) => f.file !== 'gen/f0.c'));
  });

  it('a file the index never saw goes into the index alone; one seen changing is kept by content too', async () => {
    const entries = () => fs.readdirSync(cache, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.parentPath.endsWith('trees')).length;
    const gen = path.join(tree, 'gen');
    for (let i = 0; i < 120; i++) fs.mkdirSync(gen, { recursive: true }), fs.writeFileSync(path.join(gen, `f${i}.c`), `DEFINE_PER_CPU(int, v${i});\n`);
    fs.writeFileSync(path.join(tree, 'fresh.c'), 'DEFINE_PER_CPU(int, fresh);\n'); // mtime now: the index will not vouch for it
    age(gen);
    const cold = await scan(2);
    assert.ok(cold.stats.filesParsed > 120);
    assert.strictEqual(entries(), 1); // fresh.c
    // an edit dated in the past: the index knew the file, so its new version is kept by content
    const f = path.join(gen, 'f7.c');
    fs.writeFileSync(f, 'DEFINE_PER_CPU(long, edited);\n');
    fs.utimesSync(f, new Date(Date.now() - 1800 * 1000), new Date(Date.now() - 1800 * 1000));
    const r = await scan(2);
    assert.strictEqual(r.stats.filesUnchanged, cold.stats.filesSeen - 2); // f7.c, and fresh.c (racy then)
    assert.strictEqual(entries(), 2);
    assert.ok(r.findings.some((x) => x.file === 'gen/f7.c' && x.name === 'edited'));
    // the same with one scanning thread
    fs.rmSync(cache, { recursive: true });
    fs.utimesSync(path.join(tree, 'fresh.c'), new Date(), new Date());
    await scan(0);
    assert.strictEqual(entries(), 1);
  });

  it('an empty index hands the thread back only once the workers have the files (the estimate reads Kbuild then, for seconds)', async () => {
    // past the 2,048 files after which the check used to yield by count, whatever it found
    const big = path.join(tmp, 'big');
    fs.mkdirSync(big);
    for (let i = 0; i < 2100; i++) fs.writeFileSync(path.join(big, `f${i}.c`), i === 2099 ? 'DEFINE_PER_CPU(int, last_one);\n' : `int v${i};\n`);
    const stages: (string | undefined)[] = [];
    let listed = () => {};
    const onListed = new Promise<void>((r) => { listed = r; });
    const scanning = scanTree(big, { workers: 2, cacheDir: cache, onListed: () => listed(), onProgress: (_d, _t, stage) => stages.push(stage) });
    await onListed;
    // what the caller does next (a synchronous Kbuild walk) happens after the cache check: nothing
    // of it was reported yet, so the check did not stop halfway to hand this thread over
    assert.deepStrictEqual(stages.filter((x) => x === 'checking the scan cache'), []);
    const r = await scanning;
    assert.strictEqual(r.stats.filesSeen, 2100);
    assert.deepStrictEqual(r.findings.map((f) => f.name), ['last_one']);
  });

  it('a corrupt or foreign index is an empty one, never an error', async () => {
    const cold = await scan();
    const dir = path.join(cache, 'trees');
    const [idx] = fs.readdirSync(dir);
    for (const bad of ['', '{', 'null', '[]', JSON.stringify({ schema: 'percpu-lens-stat-1', writtenAt: Date.now(), files: { 'kernel/stats.c': [1, 2, 3] } }),
      JSON.stringify({ schema: 'percpu-lens-stat-1', writtenAt: Date.now() + 1e7, files: { 'kernel/stats.c': [0, 0, 0, 0, 1, 0, [{ kind: 'bogus' }]] } })]) {
      fs.writeFileSync(path.join(dir, idx), bad);
      const r = await scan();
      assert.strictEqual(r.stats.filesUnchanged, 0, bad);
      assert.deepStrictEqual(r.findings, cold.findings);
      assert.deepStrictEqual(r.errors, cold.errors);
    }
  });

  it('indexes not written for a month are deleted; recent ones and other files are kept', async () => {
    const dir = path.join(cache, 'trees');
    fs.mkdirSync(dir, { recursive: true });
    const month = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    const stale = path.join(dir, `${'a'.repeat(40)}.json`);
    const recent = path.join(dir, `${'b'.repeat(40)}.json`);
    const other = path.join(dir, 'notes.txt');
    for (const f of [stale, recent, other]) fs.writeFileSync(f, '{}');
    for (const f of [stale, other]) fs.utimesSync(f, month, month);
    await scan();
    assert.ok(!fs.existsSync(stale));
    assert.ok(fs.existsSync(recent));
    assert.ok(fs.existsSync(other));
    assert.strictEqual(fs.readdirSync(dir).length, 3); // recent, other and this tree's own
  });
});
