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

const fixture = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'realtree');
const BUILTIN = ['kernel/srcu_user.c'];

/** `paths` (and everything under a folder among them) dated an hour ago, older than the racy window */
function age(...paths: string[]): void {
  const t = new Date(Date.now() - 3600 * 1000 - Math.random() * 1000);
  for (const p of paths) {
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p, { recursive: true, withFileTypes: true })) fs.utimesSync(path.join(e.parentPath, e.name), t, t);
    fs.utimesSync(p, t, t);
  }
}

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

  it('a damaged cache file is a miss, never an error', async () => {
    const cold = await run();
    const f = path.join(cacheDir, 'headers', cacheFiles()[0]);
    fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 100));
    assert.deepStrictEqual(numbers(await run()), numbers(cold));
    fs.writeFileSync(f, 'not a cache file');
    assert.deepStrictEqual(numbers(await run()), numbers(cold));
  });
});
