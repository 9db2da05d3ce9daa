// The editor's warm-up (realCore.warm): the include dirs' name table, saved in the cache folder by
// the estimate process (saveNameTable), taken back by the next session; analyses do not change.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RealCore } from '../../src/vscode/realCore';
import { parseSettings } from '../../src/vscode/settings';
import { loadHeaderFacts } from '../../src/core/estimate/headerCache';

/** The include dirs a saved table was made for (its header names them). */
const dirsOf = (f: string): string[] => { const b = fs.readFileSync(f); return JSON.parse(b.toString('utf8', 4, 4 + b.readUInt32LE(0))).dirs; };

const FIX = path.resolve(__dirname, '../../../test/fixtures/e2e-kernel');
const s = parseSettings(() => undefined).settings;

describe('editor warm-up', function () {
  this.timeout(60000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-lens-warm-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the estimate process saves the name table, a second session takes it back, analyses do not change', async () => {
    const file = path.join(FIX, 'kernel/sched_stats.c');
    const text = fs.readFileSync(file, 'utf8');
    const cold = await new RealCore().analyzeFile(file, text, s, FIX);
    const first = new RealCore({ cacheDir: dir });
    await first.warm(FIX, s);
    assert.ok(!fs.existsSync(path.join(dir, 'editor')), 'the host saves nothing');
    assert.deepStrictEqual(await first.analyzeFile(file, text, s, FIX), cold);
    await new RealCore({ cacheDir: dir }).saveNameTable(FIX, s);
    const saved = fs.readdirSync(path.join(dir, 'editor', 'headers'));
    assert.strictEqual(saved.length, 1);
    const second = new RealCore({ cacheDir: dir });
    await second.warm(FIX, s);
    assert.deepStrictEqual(fs.readdirSync(path.join(dir, 'editor', 'headers')), saved);
    assert.deepStrictEqual(await second.analyzeFile(file, text, s, FIX), cold);
    // a header changed: warm() takes the table with that header read again, analyses do not
    // change; the next save writes it anew, and it is up to date again
    const h = path.join(dir, 'editor', 'headers', saved[0]);
    const hdr = path.join(FIX, 'include/linux/foo.h');
    const t = new Date(Date.now() - 3600 * 1000); // another stat, outside the racy window
    const old = fs.statSync(hdr);
    try {
      fs.utimesSync(hdr, t, t);
      assert.strictEqual(loadHeaderFacts(h, dirsOf(h)), undefined, 'stale: not taken as it is');
      assert.deepStrictEqual(loadHeaderFacts(h, dirsOf(h), { changed: true })?.changes?.reread, [hdr]);
      const third = new RealCore({ cacheDir: dir });
      await third.warm(FIX, s);
      assert.ok(fs.existsSync(h), 'the table is kept');
      assert.ok(fs.existsSync(`${h}.stale`), 'and marked for the next estimate');
      assert.deepStrictEqual(await third.analyzeFile(file, text, s, FIX), cold);
      await new RealCore({ cacheDir: dir }).saveNameTable(FIX, s);
      assert.deepStrictEqual(loadHeaderFacts(h, dirsOf(h), { changed: true })?.changes, undefined, 'saved anew');
      assert.ok(!fs.existsSync(`${h}.stale`));
    } finally { fs.utimesSync(hdr, old.atime, old.mtime); }
  });
});
