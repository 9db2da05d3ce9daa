import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { DocScan, diffEdit, scanText, TextEdit } from '../../src/core/parse';
import { kernelStyleFile, prng, randomLineEdit } from './support/kernelGen';

const sample = path.join(__dirname, '..', '..', '..', 'samples', 'kernel');

// Insertions that move chunk boundaries, comments, strings, #if state and triggers around.
const PIECES = ['{', '}', ';', '/*', '*/', '"', '\n', '\r\n', '#ifdef CONFIG_SMP\n', '#endif\n', '\\\n', '(', ')', '[', ']',
  'DEFINE_PER_CPU(int, ins);\n', 'atomic_t refcnt;', 'alloc_percpu(struct x)', 'NR_CPUS', 'free_percpu(p);', ' __percpu ', 'x', ''];

const editArb = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  del: fc.nat({ max: 40 }),
  ins: fc.array(fc.constantFrom(...PIECES), { maxLength: 3 }).map((a) => a.join('')),
});

describe('incremental re-scan (DocScan)', function () {
  this.timeout(120000);
  const base = fs.readFileSync(path.join(sample, 'kernel', 'sched.c'), 'latin1') + kernelStyleFile(300, prng(7));

  it('the first scan equals scanText', async () => {
    const { doc, result } = await DocScan.open('a.c', base);
    try {
      assert.ok(result.findings.length > 20);
      assert.deepStrictEqual(result.findings, (await scanText(base, 'a.c')).findings);
    } finally {
      doc.close();
    }
  });

  it('after random edits, the findings equal a fresh scan of the final text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(editArb, { minLength: 1, maxLength: 8 }), async (edits) => {
        const { doc } = await DocScan.open('a.c', base);
        try {
          let last;
          for (const e of edits) {
            const t = doc.text;
            const start = Math.floor(e.at * t.length);
            last = await doc.edit({ start, end: start + e.del, text: e.ins });
          }
          const fresh = await scanText(doc.text, 'a.c');
          assert.deepStrictEqual(last!.findings, fresh.findings);
          assert.deepStrictEqual(last!.errors, fresh.errors);
        } finally {
          doc.close();
        }
      }),
      { numRuns: 40, seed: 42 },
    );
  });

  it('single-line edits of a 5k-line file, several per call, agree with scanText', async () => {
    const rnd = prng(11);
    const text = kernelStyleFile(5000, rnd);
    const { doc } = await DocScan.open('big.c', text);
    try {
      for (let i = 0; i < 30; i++) {
        // two edits in one call: the second is against the text the first leaves
        const e1 = randomLineEdit(doc.text, rnd);
        const mid = doc.text.slice(0, e1.start) + e1.text + doc.text.slice(e1.end);
        const e2: TextEdit = randomLineEdit(mid, rnd);
        const r = await doc.edit(e1, e2);
        const want = mid.slice(0, e2.start) + e2.text + mid.slice(e2.end);
        assert.strictEqual(doc.text, want);
        assert.deepStrictEqual(r.findings, (await scanText(want, 'big.c')).findings);
      }
    } finally {
      doc.close();
    }
  });

  it('setText finds the changed span; a closed document refuses edits', async () => {
    assert.deepStrictEqual(diffEdit('abcdef', 'abXYef'), { start: 2, end: 4, text: 'XY' });
    assert.deepStrictEqual(diffEdit('aaa', 'aaaa'), { start: 3, end: 3, text: 'a' });
    // texts longer than the blocks compared whole: a change inside a block, at a block's edge, and
    // an insertion into a run where prefix and suffix could overlap
    const long = Array.from({ length: 5000 }, (_, i) => String.fromCharCode(97 + ((i * 7) % 26))).join('');
    assert.deepStrictEqual(diffEdit(long, long.slice(0, 3000) + 'XY' + long.slice(3001)), { start: 3000, end: 3001, text: 'XY' });
    assert.deepStrictEqual(diffEdit(long, long.slice(0, 1024) + long.slice(2048)), { start: 1024, end: 2048, text: '' });
    assert.deepStrictEqual(diffEdit('a'.repeat(3000), 'a'.repeat(3001)), { start: 3000, end: 3000, text: 'a' });
    assert.deepStrictEqual(diffEdit(long, long), { start: 5000, end: 5000, text: '' });
    const { doc } = await DocScan.open('s.c', 'int x;\n');
    const r = await doc.setText('int x;\nDEFINE_PER_CPU(int, y);\n');
    assert.deepStrictEqual(r.findings.map((f) => [f.kind, f.name, f.line]), [['static', 'y', 2]]);
    doc.close();
    await assert.rejects(doc.edit({ start: 0, end: 0, text: 'x' }), /closed/);
  });

  it('re-reading only an edit\'s region gives the findings of re-reading the whole file, edit after edit', async () => {
    // the same tree either way: what is compared is the region logic alone (tree-sitter's
    // incremental parse can differ from a fresh one in rare error-recovery cases)
    const rnd = prng(5);
    const pieces = ['{', '}', '/*', '*/', '#ifdef CONFIG_SMP\n', '#endif\n', '(', ')', 'DEFINE_PER_CPU(int, ins);\n', 'atomic_t refcnt;', 'alloc_percpu(struct x)', 'NR_CPUS', ' __percpu ', '', 'static ', 'struct s { atomic_t refcnt; };'];
    for (const density of [0.6, 1 / 12]) {
      const text = kernelStyleFile(1500, rnd, density);
      const a = (await DocScan.open('r.c', text)).doc;
      const b = (await DocScan.open('r.c', text, {}, false)).doc;
      try {
        for (let i = 0; i < 150; i++) {
          const t = a.text;
          const s = Math.floor(rnd() * t.length);
          const e: TextEdit = rnd() < 0.5 ? randomLineEdit(t, rnd) : { start: s, end: Math.min(t.length, s + Math.floor(rnd() * 40)), text: pieces[Math.floor(rnd() * pieces.length)] };
          assert.deepStrictEqual(await a.edit(e), await b.edit(e), `edit ${i}: ${JSON.stringify(e)}`);
        }
      } finally {
        a.close();
        b.close();
      }
    }
  });

  it('an edit moves the window a stray field counts braces in: that field is read again', async () => {
    // a recorded random run (seed 3 of the by-hand check) whose edit 205 changes the 20,000
    // characters a stray refcount field further on counts braces in: without reading that field
    // again (regionOf's brace readers) the kept finding is stale
    const rnd = prng(3 * 7919);
    const text = kernelStyleFile(1200, rnd, 0.9);
    const a = (await DocScan.open('w.c', text)).doc;
    const b = (await DocScan.open('w.c', text, {}, false)).doc;
    const pieces = ['{', '}', ';', '/*', '*/', '"', "'", '\n', '#ifdef CONFIG_SMP\n', '#endif\n', '#else\n', '\\\n', '(', ')', '[', ']', 'DEFINE_PER_CPU(int, ins);\n', 'atomic_t refcnt;', 'alloc_percpu(struct x)', 'NR_CPUS', 'free_percpu(p);', ' __percpu ', 'x', '', 'static ', 'struct s { atomic_t refcnt; };', '// c\n'];
    try {
      for (let i = 0; i < 206; i++) {
        let e: TextEdit[];
        const r0 = rnd();
        if (r0 < 0.4) e = [randomLineEdit(a.text, rnd)];
        else if (r0 < 0.9) { const t = a.text; const s = Math.floor(rnd() * t.length); e = [{ start: s, end: Math.min(t.length, s + Math.floor(rnd() * 40)), text: pieces[Math.floor(rnd() * pieces.length)] }]; }
        else { const e1 = randomLineEdit(a.text, rnd); const mid = a.text.slice(0, e1.start) + e1.text + a.text.slice(e1.end); e = [e1, randomLineEdit(mid, rnd)]; }
        assert.deepStrictEqual(await a.edit(...e), await b.edit(...e), `edit ${i}`);
      }
    } finally {
      a.close();
      b.close();
    }
  });

  // An edit re-reads only the region it can reach (incremental.ts regionOf); each case puts what
  // decides a finding far (over 1 KiB) from the finding, so a region of the edit's own lines alone
  // would keep a stale finding. Expected: a fresh scan of the final text.
  describe('findings far from the edit that it changes', () => {
    const filler = (n: number) => Array.from({ length: n }, (_, i) => `\tret += helper_${i}(dev, ${i});\n`).join('');
    const cases: [string, string, string, string][] = [
      ['a function renamed: its calls far below name it', `static int old_name(struct dev *dev)\n{\n\tint ret = 0;\n${filler(80)}\tdev->stats = alloc_percpu(struct stats);\n\treturn ret;\n}\n`, 'old_name', 'new_name'],
      ['a struct renamed: its refcount field far below is its field', `struct old_s {\n${Array.from({ length: 80 }, (_, i) => `\tint pad_${i};\n`).join('')}\tatomic_t refcnt;\n};\n`, 'old_s', 'new_s'],
      ['a typedef name after a long anonymous struct', `typedef struct {\n\tatomic_t refcnt;\n${Array.from({ length: 80 }, (_, i) => `\tint pad_${i};\n`).join('')}} old_t;\n`, 'old_t', 'new_t'],
      ['a comment opened far above hides them', `int a;\n/* first */\n${filler(80)}DEFINE_PER_CPU(int, x);\nint b; /* last */\n`, '/* first */', '/* first'],
      ['an #ifdef opened far above conditions them', `int a;\n#ifdef CONFIG_X\n#endif\n${filler(80)}DEFINE_PER_CPU(int, x);\n`, '#endif\n', ''],
      ['an argument list closed far below', `void f(void)\n{\n\tp = alloc_percpu(struct s;\n${Array.from({ length: 300 }, (_, i) => `\tret += ${i};\n`).join('')}\tq = 1;\n`, '\tq = 1;', '\tq = 1);'],
      ['static dropped before a macro', `static\n${' '.repeat(1200)}\nDEFINE_PER_CPU(int, x);\n`, 'static', 'extern'],
    ];
    for (const [name, text, from, to] of cases) {
      it(name, async () => {
        const { doc, result } = await DocScan.open('far.c', text);
        try {
          const at = text.lastIndexOf(from);
          const r = await doc.edit({ start: at, end: at + from.length, text: to });
          const fresh = await scanText(doc.text, 'far.c');
          assert.deepStrictEqual(r.findings, fresh.findings);
          assert.notDeepStrictEqual(fresh.findings, result.findings, 'the edit changes a finding');
        } finally {
          doc.close();
        }
      });
    }
  });
});
