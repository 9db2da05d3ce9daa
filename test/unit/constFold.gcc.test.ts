// Sizes at an allocation site folded as gcc folds them: sizeof(*pc) and typeof(*chan->p) from the
// declared types the line sees, struct_size() with a constant and with a local's value, a local
// assigned once, 6.12's statement-expression min(), an x-macro enum, __builtin_offsetof in an array
// bound, a string literal's sizeof, unsigned long wrapping at the target's width. The truth is the
// fixture compiled and run by the host gcc (x86_64), and for 32-bit arm the file-scope constants
// read back from an object file of arm-linux-gnueabihf-gcc.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ARCHES } from '../../src/core/config/arch';
import { defaultConfig } from '../../src/core/config/kconfig';
import { LayoutEngine, isUnknown } from '../../src/core/layout';
import { siteScope } from '../../src/core/estimate/siteScope';
import { compileSizes, compilerWorks } from './support/gccTruth';

const FILE = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'fold', 'fold.c');
const SRC = fs.readFileSync(FILE, 'utf8');
const V = '/virtual/fold.c';

/** the PRINT(...) lines of the fixture: 1-based line and argument text */
function prints(): Array<{ line: number; expr: string }> {
  return SRC.split('\n').flatMap((l, i) => {
    const m = /^\s*PRINT\((.*)\);\s*$/.exec(l);
    return m ? [{ line: i + 1, expr: m[1] }] : [];
  });
}

describe('constant folding at allocation sites matches gcc', function () {
  this.timeout(60_000);

  it('x86_64: every PRINT of the fixture, with the variables of its line, equals the value gcc computes', async function () {
    const broken = compilerWorks('gcc', ['-m64']);
    if (broken) assert.fail(`gcc does not work here: ${broken}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-lens-fold-'));
    let want: number[];
    try {
      execFileSync('gcc', ['-m64', '-O2', '-w', FILE, '-o', path.join(dir, 'fold')]);
      want = execFileSync(path.join(dir, 'fold'), { encoding: 'utf8' }).trim().split('\n').map(Number);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
    const e = await LayoutEngine.create({ arch: ARCHES.x86_64, config: defaultConfig('x86_64') });
    e.addSource(V, SRC);
    const ps = prints();
    assert.strictEqual(ps.length, want.length);
    const got: Array<number | string> = [];
    for (const p of ps) {
      const r = e.evalInt(p.expr, V, await siteScope(SRC, p.line, 'fold.c'));
      got.push(isUnknown(r) ? `${p.expr}: ${r.error}` : r);
    }
    assert.deepStrictEqual(got, want);
  });

  it('a variable only the run knows is named with its reason', async function () {
    const e = await LayoutEngine.create({ arch: ARCHES.x86_64, config: defaultConfig('x86_64') });
    e.addSource(V, SRC);
    const line = prints()[0].line;
    const scope = await siteScope(SRC, line, 'fold.c');
    const r = e.evalInt('sizeof(struct inner) * chan->n', V, scope);
    assert.ok(isUnknown(r) && /known only at run time: chan->n is read from memory when the code runs/.test(r.error), JSON.stringify(r));
    const q = e.evalInt('struct_size(q, items, q->n)', V, scope);
    assert.ok(isUnknown(q) && /known only at run time/.test(q.error), JSON.stringify(q));
  });

  it('arm (32-bit): the file-scope constants equal arm-linux-gnueabihf-gcc\'s', async function () {
    const cc = 'arm-linux-gnueabihf-gcc';
    if (compilerWorks(cc, [], 'readelf')) { this.test!.title += ` — SKIPPED: ${cc} not installed (apt-get install gcc-arm-linux-gnueabihf)`; this.skip(); return; }
    const exprs = ['sizeof(struct bounded)', 'X_NR', 'GENMASK(7, 0) + ~0U / 65536', 'GENMASK(31, 4) >> 8', 'sizeof(NOTE_NAME)',
      'struct_size(global_flex, items, 5)', 'sizeof(*global_holder.arr[0])', '(~0UL >> 20) + (unsigned long)-1 / 1048576'];
    const decls = SRC.slice(0, SRC.indexOf('int user('));
    const probes = exprs.map((x, i) => `char probe_${i}[(${x}) + 1];`).join('\n');
    const truth = compileSizes(cc, ['-O2'], `${decls}\n${probes}\n`, 'readelf');
    const e = await LayoutEngine.create({ arch: ARCHES.arm, config: defaultConfig('arm') });
    e.addSource(V, SRC);
    const scope = await siteScope(SRC, prints()[0].line, 'fold.c');
    const got = exprs.map((x) => { const r = e.evalInt(x, V, scope); return isUnknown(r) ? `${x}: ${r.error}` : r + 1; });
    assert.deepStrictEqual(got, exprs.map((_, i) => truth.get(`probe_${i}`)));
  });
});
