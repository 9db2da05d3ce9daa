// After sizing, the estimate lets go of the asking .c files' active texts (TypeIndex.releaseSourceTexts):
// what the rules ask next must come out as before, from the macros and definitions kept.
import * as assert from 'assert';
import * as path from 'path';
import { ARCHES } from '../../src/core/config/arch';
import { defaultConfig } from '../../src/core/config/kconfig';
import { LayoutEngine, isUnknown } from '../../src/core/layout';
import { compileSizes } from './support/gccTruth';
import { removeTree, tempTree } from './support/tempTree';

const HEADER = '#define N 3\nstruct from_h { int x[N]; };\n';
const SOURCE = '#include <linux/foo.h>\n#define LOCAL_N (N + 2)\nstruct in_c { long a; char b[LOCAL_N]; struct from_h h; };\nint f(void) { return LOCAL_N; }\n';

describe('layout: a .c file\'s active text released after sizing', function () {
  this.timeout(60000);
  let root: string;
  before(() => { root = tempTree('release', { 'include/linux/foo.h': HEADER, 'kernel/a.c': SOURCE }); });
  after(() => removeTree(root));

  it('sizes the file\'s own struct and macros as gcc does, before and after, and reads the text again when asked', async () => {
    const gcc = compileSizes('gcc', ['-m64'], `${HEADER}${SOURCE.split('\n').slice(1).join('\n')}char p1[sizeof(struct in_c)]; char p2[sizeof(char[LOCAL_N * 2])];\n`);
    assert.deepStrictEqual([gcc.get('p1'), gcc.get('p2')], [32, 10]);
    const file = path.join(root, 'kernel', 'a.c');
    const engine = await LayoutEngine.create({ arch: ARCHES.x86_64, config: defaultConfig('x86_64'), root });
    const size = (t: string) => { const r = engine.sizeOf(t, file); return isUnknown(r) ? r.error : r.size; };
    assert.strictEqual(size('struct in_c'), gcc.get('p1'));
    const lf = engine.index.loaded(file)!;
    const before = lf.scan.active;
    const site = lf.defs.records.get('struct in_c')!;
    engine.index.releaseSourceTexts();
    // the site keeps its own range: the file's text is not held by it
    assert.ok((site as unknown as { text: string }).text.length < before.length);
    assert.strictEqual(site.toks.map((t) => t.t).join(' '), 'struct in_c { long a ; char b [ LOCAL_N ] ; struct from_h h ; }');
    // questions not asked before: the file's macro, its struct through a new type text
    assert.strictEqual(size('char[LOCAL_N * 2]'), gcc.get('p2'));
    assert.strictEqual(size('struct in_c[2]'), 2 * gcc.get('p1')!);
    // a reader of the active text gets it again, the same
    assert.strictEqual(engine.index.loaded(file)!.scan.active, before);
  });
});
