// The editor's warm-up (realCore.warm): the include dirs' name table, saved in the cache folder by
// the estimate process (saveNameTable), taken back by the next session; analyses do not change.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RealCore } from '../../src/vscode/realCore';
import { parseSettings } from '../../src/vscode/settings';

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
    // a header changed: the saved table is stale, warm() drops it, the next save writes it again
    const h = path.join(dir, 'editor', 'headers', saved[0]);
    const hdr = path.join(FIX, 'include/linux/foo.h');
    const t = new Date(Date.now() + 5000);
    const old = fs.statSync(hdr);
    try {
      fs.utimesSync(hdr, t, t);
      await new RealCore({ cacheDir: dir }).warm(FIX, s);
      assert.ok(!fs.existsSync(h), 'stale table kept');
      await new RealCore({ cacheDir: dir }).saveNameTable(FIX, s);
      assert.ok(fs.existsSync(h));
    } finally { fs.utimesSync(hdr, old.atime, old.mtime); }
  });
});
