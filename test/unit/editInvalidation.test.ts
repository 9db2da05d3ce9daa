// An editor's edit of a .c file (LayoutEngine.addSource while the index records what each answer
// read): the answers that read the file are redone, the others are kept; a name the file adds or
// drops, a header, or an engine not recording redo everything. Sizes are C's rules on x86_64
// (int 4, long 8, char 1; a struct rounds to its widest member).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ARCHES } from '../../src/core/config/arch';
import { parseDotConfig } from '../../src/core/config/kconfig';
import { LayoutEngine, isUnknown } from '../../src/core/layout';

const HEADER = 'struct hdr { long a; long b; };\n';

describe('an edit of a .c file drops only the layout answers that read it', function () {
  this.timeout(60_000);
  let root: string;
  let file: string;
  const cfg = parseDotConfig('CONFIG_SMP=y\n', 'test .config');

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-edit-'));
    fs.mkdirSync(path.join(root, 'include', 'linux'), { recursive: true });
    fs.mkdirSync(path.join(root, 'kernel'));
    fs.writeFileSync(path.join(root, 'include', 'linux', 'hdr.h'), HEADER);
    file = path.join(root, 'kernel', 'k.c');
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  async function engine(record: boolean, text: string) {
    const e = await LayoutEngine.create({ arch: ARCHES.x86_64, config: cfg, root });
    if (record) e.index.recordDeps(true);
    e.addSource(file, text);
    // counts the definitions laid out afresh: a kept one is taken from the engine's cache
    let made = 0;
    const x = e as unknown as { fromSite: (...a: unknown[]) => unknown };
    const fromSite = x.fromSite.bind(e);
    x.fromSite = (...a: unknown[]) => { made++; return fromSite(...a); };
    return { e, made: () => { const n = made; made = 0; return n; } };
  }
  const size = (e: LayoutEngine, t: string) => { const r = e.sizeOf(t, file); return isUnknown(r) ? r.error : r.size; };
  const src = (n: number, member = '') => `#include <linux/hdr.h>\n#define N ${n}\nstruct mine { int x[N];${member} };\nstatic int f(void) { return 0; }\n`;

  it('a body edit redoes the file\'s own types and keeps the header\'s', async () => {
    const { e, made } = await engine(true, src(4));
    assert.strictEqual(size(e, 'struct mine'), 16);
    assert.strictEqual(size(e, 'struct hdr'), 16);
    made();
    e.addSource(file, src(4, ' long y;')); // a member added: same names
    assert.strictEqual(size(e, 'struct hdr'), 16);
    assert.strictEqual(made(), 0, 'struct hdr\'s layout is taken from the cache');
    assert.strictEqual(size(e, 'struct mine'), 24);
    assert.strictEqual(made(), 1, 'struct mine is laid out again');
    e.addSource(file, src(8, ' long y;')); // the file's macro changes value: what used it is redone
    assert.strictEqual(size(e, 'struct mine'), 40);
  });

  it('a name the file adds that shadows a header\'s redoes everything', async () => {
    const { e } = await engine(true, src(4));
    assert.strictEqual(size(e, 'struct hdr'), 16);
    // the asking file's own definition comes first (as gcc sees the one in scope)
    e.addSource(file, `${src(4)}struct hdr { char c; };\n`);
    assert.strictEqual(size(e, 'struct hdr'), 1);
  });

  it('an engine that does not record, or a header, redoes everything', async () => {
    const { e, made } = await engine(false, src(4));
    assert.strictEqual(size(e, 'struct hdr'), 16);
    made();
    e.addSource(file, src(4, ' long y;'));
    assert.strictEqual(size(e, 'struct hdr'), 16);
    assert.ok(made() > 0, 'not recording: struct hdr is looked up again');
    const h = await engine(true, src(4));
    const hdr = path.join(root, 'include', 'linux', 'hdr.h');
    h.e.addSource(hdr, HEADER);
    assert.strictEqual(size(h.e, 'struct hdr'), 16);
    h.made();
    h.e.addSource(hdr, 'struct hdr { long a; };\n');
    assert.strictEqual(size(h.e, 'struct hdr'), 8);
    assert.ok(h.made() > 0);
  });

  it('after random edits, every answer equals a fresh engine\'s', async () => {
    // a .c file whose types use its own macros, a header's types and each other; each edit changes
    // a value, a member, a name or an #if, and the probes are asked again of both engines
    const H = 'include/linux/big.h';
    // CN is the .c file's: an open file's macros are candidates for every lookup (TypeIndex.candidates)
    fs.writeFileSync(path.join(root, H), '#define HN 3\nstruct big { long v[HN]; };\ntypedef struct big big_t;\nstruct usescn { char c[CN]; };\n');
    let seed = 20261205;
    const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 16) % n; };
    const make = (v: number[]) => [
      '#include <linux/hdr.h>', `#define CN ${v[7]}`, '#include <linux/big.h>', `#define N ${v[0]}`, `#define M (N + ${v[1]})`,
      v[2] ? '#define WIDE 1' : '', '#ifdef WIDE', 'typedef long word_t;', '#else', 'typedef int word_t;', '#endif',
      `struct a { word_t x[N]; ${v[3] ? 'char pad;' : ''} };`, `struct b { struct a a[M]; big_t g; ${v[4] ? 'struct hdr h;' : ''} };`,
      v[5] ? 'struct extra { char c; };' : '', `enum e { E0, E1 = ${v[6]}, E2 };`, 'struct c { char s[E2]; };',
      'static int f(void) { return 0; }', '',
    ].join('\n');
    const probes = ['struct a', 'struct b', 'struct c', 'word_t', 'struct hdr', 'big_t', 'struct big', 'struct extra', 'int[M]', 'struct usescn'];
    let v = [4, 1, 0, 0, 0, 0, 5, 2];
    const { e } = await engine(true, make(v));
    for (const p of probes) size(e, p);
    for (let i = 0; i < 40; i++) {
      const k = rnd(v.length);
      v = v.map((x, j) => (j !== k ? x : k <= 1 || k >= 6 ? 1 + rnd(9) : 1 - x));
      const text = make(v);
      e.addSource(file, text);
      const fresh = (await engine(true, text)).e;
      for (const p of probes) assert.strictEqual(size(e, p), size(fresh, p), `${p} after edit ${i} (${v.join(',')})`);
    }
  });
});
