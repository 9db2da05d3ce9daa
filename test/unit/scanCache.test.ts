import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { scanTree } from '../../src/core/parse';
import { DirStore, decodeEntry, defaultCacheDir, encodeEntry } from '../../src/core/parse/cache';
import type { ScanResult } from '../../src/core/parse';

const sample = path.join(__dirname, '..', '..', '..', 'samples', 'kernel');
const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');

const listFiles = (d: string): string[] =>
  fs.existsSync(d) ? fs.readdirSync(d, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)) : [];

describe('scan cache keyed by file content', function () {
  this.timeout(120000);
  let tmp: string;
  let tree: string;
  let cache: string;
  const scan = (): Promise<ScanResult> => scanTree(tree, { workers: 0, cacheDir: cache });
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-cache-'));
    tree = path.join(tmp, 'tree');
    cache = path.join(tmp, 'cache');
    fs.cpSync(sample, tree, { recursive: true });
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a second scan takes every file past the prefilter from the cache, with the same findings', async () => {
    const cold = await scan();
    assert.strictEqual(cold.stats.filesCached, 0);
    assert.ok(cold.findings.length > 10);
    const warm = await scan();
    assert.strictEqual(warm.stats.filesCached, cold.stats.filesParsed);
    assert.deepStrictEqual(warm.findings, cold.findings);
    assert.strictEqual(warm.stats.bytesTreeSitter, cold.stats.bytesTreeSitter);
  });

  it('worker threads read and write the same cache', async () => {
    const gen = path.join(tmp, 'gen');
    for (let i = 0; i < 120; i++) {
      fs.mkdirSync(path.join(gen, `d${i % 6}`), { recursive: true });
      fs.writeFileSync(path.join(gen, `d${i % 6}`, `f${i}.c`), `DEFINE_PER_CPU(int, v${i});\nstatic int n${i};\n`);
    }
    const cold = await scanTree(gen, { workers: 2, cacheDir: cache });
    assert.strictEqual(cold.stats.filesCached, 0);
    assert.strictEqual(cold.findings.length, 120);
    const warm = await scanTree(gen, { workers: 2, cacheDir: cache });
    assert.strictEqual(warm.stats.filesCached, 120);
    assert.deepStrictEqual(warm.findings, cold.findings);
  });

  it('an edited file misses and gives its new findings; a copy elsewhere hits, under its own name', async () => {
    await scan();
    const f = path.join(tree, 'kernel', 'stats.c');
    fs.appendFileSync(f, '\nDEFINE_PER_CPU(long, added_by_test);\n');
    fs.copyFileSync(path.join(tree, 'mm', 'vmstat.c'), path.join(tree, 'mm', 'vmstat_copy.c'));
    const r = await scan();
    assert.ok(r.findings.some((x) => x.name === 'added_by_test' && x.file === 'kernel/stats.c'));
    const orig = r.findings.filter((x) => x.file === 'mm/vmstat.c').map(({ file: _f, ...rest }) => rest);
    const copy = r.findings.filter((x) => x.file === 'mm/vmstat_copy.c').map(({ file: _f, ...rest }) => rest);
    assert.ok(orig.length > 0);
    assert.deepStrictEqual(copy, orig);
    // stats.c changed, so it is the one file scanned again (the copy hits vmstat.c's entry)
    assert.strictEqual(r.stats.filesCached, r.stats.filesParsed - 1);
  });

  it('a file first seen is looked up by content only in a store that held entries when the scan began', async () => {
    // a.c is new (kept by content), b.c an old copy of it seen for the first time (looked up, never written)
    const mk = (d: string) => {
      fs.mkdirSync(d, { recursive: true });
      const text = 'DEFINE_PER_CPU(int, same_bytes);\n';
      fs.writeFileSync(path.join(d, 'a.c'), text);
      fs.writeFileSync(path.join(d, 'b.c'), text);
      const old = new Date(Date.now() - 3600e3);
      fs.utimesSync(path.join(d, 'b.c'), old, old);
    };
    mk(path.join(tmp, 'first'));
    // the store is empty as the scan begins: a.c's entry, written during the scan, does not serve b.c
    const first = await scanTree(path.join(tmp, 'first'), { workers: 0, cacheDir: cache });
    assert.strictEqual(first.stats.filesCached, 0);
    assert.ok(listFiles(cache).some((f) => /[\\/][0-9a-f]{2}[\\/][0-9a-f]{40}$/.test(f)), 'a.c is kept by content');
    // another tree like it, the store now holding a.c's entry: both files are answered from it
    mk(path.join(tmp, 'second'));
    const second = await scanTree(path.join(tmp, 'second'), { workers: 0, cacheDir: cache });
    assert.strictEqual(second.stats.filesCached, 2);
    assert.deepStrictEqual(second.findings.map((f) => [f.file, f.name]), first.findings.map((f) => [f.file, f.name]));
  });

  it('corrupt, truncated and foreign entries are ignored and rewritten, never fatal', async () => {
    const cold = await scan();
    const entries = listFiles(cache).filter((e) => !e.includes(`${path.sep}trees${path.sep}`)); // not the stat index
    assert.strictEqual(entries.length, cold.stats.filesParsed);
    const garbage = ['', '{', 'null', '\x00\xff\xfe', JSON.stringify({ schema: 'other', findings: [], bytesTreeSitter: 0 }),
      JSON.stringify({ schema: 'percpu-lens-scan-1', bytesTreeSitter: 0, findings: [{ kind: 'nope', line: 1 }] })];
    entries.forEach((e, i) => { if (i < garbage.length) fs.writeFileSync(e, garbage[i]); });
    const r = await scan();
    assert.deepStrictEqual(r.findings, cold.findings);
    assert.strictEqual(r.stats.filesCached, cold.stats.filesParsed - garbage.length);
    assert.deepStrictEqual(r.errors, cold.errors);
    const again = await scan();
    assert.strictEqual(again.stats.filesCached, cold.stats.filesParsed);
  });

  it('an unusable cache folder costs only speed', async () => {
    fs.writeFileSync(cache, 'a file where the folder should be');
    const r = await scan();
    assert.ok(r.findings.length > 10);
    assert.strictEqual(r.stats.filesCached, 0);
    new DirStore(path.join(cache, 'sub')).set('ab12', 'x'); // does not throw
  });

  it('entries round-trip and carry no path', () => {
    const f = { kind: 'static' as const, file: 'a/b.c', line: 3, column: 1, endLine: 3, endColumn: 20, name: 'x', type: 'int', macro: 'DEFINE_PER_CPU' };
    const text = encodeEntry({ findings: [f], bytesTreeSitter: 20 });
    assert.doesNotMatch(text, /a\/b\.c/);
    assert.deepStrictEqual(decodeEntry(text, 'c/d.c'), { findings: [{ ...f, file: 'c/d.c' }], bytesTreeSitter: 20 });
  });

  it('the default folder follows XDG_CACHE_HOME, else ~/.cache', () => {
    assert.strictEqual(defaultCacheDir({ XDG_CACHE_HOME: '/x/y' }), path.join('/x/y', 'percpu-lens', 'scan'));
    assert.strictEqual(defaultCacheDir({}), path.join(os.homedir(), '.cache', 'percpu-lens', 'scan'));
    assert.strictEqual(defaultCacheDir({ XDG_CACHE_HOME: 'relative' }), path.join(os.homedir(), '.cache', 'percpu-lens', 'scan'));
  });

  it('CLI: the cache is on by default, --cache-dir moves it, --no-cache writes nothing', () => {
    const env = { ...process.env, XDG_CACHE_HOME: path.join(tmp, 'xdg') };
    const run = (args: string[]) => spawnSync(process.execPath, [cli, 'estimate', tree, '--json', '--cpus', '2', ...args], { encoding: 'utf8', env, timeout: 60000 });
    const off = run(['--no-cache']);
    assert.strictEqual(off.status, 0, off.stderr);
    assert.deepStrictEqual(listFiles(path.join(tmp, 'xdg')), []);
    const on = run([]);
    assert.strictEqual(on.status, 0, on.stderr);
    // the scan's stat index is written every time; how many other entries there are depends on
    // how long ago the tree was copied (files modified within 2 s go to the content cache instead)
    const hasIndex = (d: string) => listFiles(d).some((f) => /[\\/]trees[\\/][0-9a-f]{40}\.json$/.test(f));
    assert.ok(hasIndex(path.join(tmp, 'xdg', 'percpu-lens', 'scan')), listFiles(path.join(tmp, 'xdg')).join(' '));
    const before = listFiles(path.join(tmp, 'xdg')).sort();
    const moved = run(['--cache-dir', path.join(tmp, 'elsewhere')]);
    assert.strictEqual(moved.status, 0, moved.stderr);
    assert.ok(hasIndex(path.join(tmp, 'elsewhere')), listFiles(path.join(tmp, 'elsewhere')).join(' '));
    assert.deepStrictEqual(listFiles(path.join(tmp, 'xdg')).sort(), before); // nothing written in the default place
    const a = JSON.parse(off.stdout), b = JSON.parse(on.stdout), c = JSON.parse(moved.stdout);
    for (const j of [a, b, c]) delete j.stats;
    assert.deepStrictEqual(b, a);
    assert.deepStrictEqual(c, a);
  });
});
