// Folding `if (IS_ENABLED(CONFIG_X))` the way gcc's constant folding does, and the reachability
// of a file's statics from its non-static items.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { deadStatics, defineLines, foldIsEnabled } from '../../src/core/estimate/deadStatics';
import { stripComments } from '../../src/core/config/lex';
import { functionBodies } from '../../src/core/estimate/constPredicates';
import { compilerWorks } from './support/gccTruth';

const on = (s: string) => s === 'CONFIG_ON';
const squash = (t: string) => t.replace(/\s+/g, ' ').trim();
/** deadStatics of `src` with `header`'s functions as the predicates' bodies, and the names it asked for */
function withHeader(src: string, statics: Map<number, string>, header: string): { dead: Set<string>; asked: string[] } {
  const asked: string[] = [];
  const bodies = functionBodies(header);
  return { dead: deadStatics(src, src, statics, on, (n) => { asked.push(n); return bodies.get(n); }), asked };
}

describe('dead static per-CPU variables', () => {
  it('blanks the dead branch of IS_ENABLED tests and keeps the live one', () => {
    const src = 'void f(void) { if (IS_ENABLED(CONFIG_OFF)) a(); else b(); if (!IS_ENABLED(CONFIG_OFF)) { c(); } else { d(); }' +
      ' if (IS_ENABLED(CONFIG_OFF) && x) e(); if (IS_ENABLED(CONFIG_ON) && x) g(); if (!IS_ENABLED(CONFIG_ON)) h(); }';
    assert.strictEqual(squash(foldIsEnabled(src, on)), 'void f(void) { if (IS_ENABLED(CONFIG_OFF)) else b(); if (!IS_ENABLED(CONFIG_OFF)) { c(); } ' +
      'if (IS_ENABLED(CONFIG_OFF) && x) if (IS_ENABLED(CONFIG_ON) && x) g(); if (!IS_ENABLED(CONFIG_ON)) }');
  });

  it('a static reached only from dead code is dead, one reached from a root or a #define is not', () => {
    const src = [
      'static DEFINE_PER_CPU(int, a);',
      'static DEFINE_PER_CPU(int, b);',
      'static DEFINE_PER_CPU(int, c);',
      'static void helper(void) { a = 1; }',
      'void root(void) { if (IS_ENABLED(CONFIG_OFF)) helper(); b++; }',
      'int more(void) { return C_PTR(); }',
    ].join('\n');
    const raw = `${src}\n#define C_PTR() \\\n\t(&c)\n`;
    const dead = deadStatics(src, raw, new Map([[1, 'a'], [2, 'b'], [3, 'c']]), on);
    assert.deepStrictEqual([...dead], ['a']);
  });

  it('asks about a header predicate only where its branch can reach a static per-CPU variable', () => {
    const src = [
      'static DEFINE_PER_CPU(int, a);',
      'static void helper(void) { a = 1; }',
      'void root(void) { if (cap_a()) helper(); if (cap_b()) other(); if (cap_c()) { int a; a = 2; } }',
    ].join('\n');
    const { dead, asked } = withHeader(src, new Map([[1, 'a']]), 'static inline bool cap_a(void) { return false; }\nstatic inline bool cap_b(void) { return false; }\nstatic inline bool cap_c(void) { return false; }\n');
    assert.deepStrictEqual([...dead], ['a']);
    // cap_b's branch names nothing that reaches `a`; cap_c's names the word (a local), which may: asked
    assert.deepStrictEqual(asked, ['cap_a', 'cap_c']);
  });

  it('looks for a predicate\'s body only when its arguments are constants (a miss walks every header the file includes)', () => {
    const src = [
      'static DEFINE_PER_CPU(int, a);',
      'static DEFINE_PER_CPU(int, b);',
      'void root(int cpu) { if (cap_on(cpu)) a = 1; if (cap_off(CAP_X)) b = 1; }',
    ].join('\n');
    const { dead, asked } = withHeader(src, new Map([[1, 'a'], [2, 'b']]), 'static inline bool cap_on(int c) { return false; }\nstatic inline bool cap_off(int c) { return false; }\n');
    // cap_on(cpu) has no value here whatever its body says: `a` stays live and its body is never looked for
    assert.deepStrictEqual([...dead], ['b']);
    assert.deepStrictEqual(asked, ['cap_off']);
  });

  it('a header predicate that folds to false through a switch on a constant cap kills its branch (test/fixtures/dead/cap.c, gcc 12)', function () {
    const dir = path.join(__dirname, '../../../test/fixtures/dead');
    const src = fs.readFileSync(path.join(dir, 'cap.c'), 'utf8');
    const header = fs.readFileSync(path.join(dir, 'include/linux/caps.h'), 'utf8');
    const statics = new Map(src.split('\n').flatMap((l, i) => [...l.matchAll(/^static P int (\w+);/g)].map((m) => [i + 1, m[1]] as [number, string])));
    const bodies = functionBodies(header);
    const ours = [...statics.values()].filter((n) => !deadStatics(src, src, statics, (c) => c === 'CONFIG_FEAT_A', (n) => bodies.get(n)).has(n));
    let compared = 0;
    for (const cc of ['aarch64-linux-gnu-gcc', 'powerpc64le-linux-gnu-gcc', 'arm-linux-gnueabihf-gcc']) {
      if (compilerWorks(cc, ['-O2'], 'readelf')) continue;
      const o = path.join(os.tmpdir(), `percpu-lens-cap-${process.pid}-${cc}.o`);
      execFileSync(cc, ['-O2', '-DCONFIG_FEAT_A=1', '-I', path.join(dir, 'include'), '-c', path.join(dir, 'cap.c'), '-o', o]);
      const kept = execFileSync('readelf', ['-sW', o], { encoding: 'utf8' }).split('\n').map((l) => l.trim().split(/\s+/))
        .filter((p) => p.length >= 8 && p[3] === 'OBJECT' && [...statics.values()].includes(p[7])).map((p) => p[7]).sort();
      fs.rmSync(o, { force: true });
      assert.deepStrictEqual(ours.slice().sort(), kept, cc);
      compared++;
    }
    if (!compared) this.skip();
  });

  it('finds the #define lines as splitting the comment-free, joined text at each newline would', () => {
    const byLines = (raw: string) => stripComments(raw).replace(/\\\r?\n/g, ' ').split('\n').filter((l) => /^\s*#\s*define\b/.test(l)).join('\n');
    const raw = '#define A 1\n/* #define HIDDEN 2 */\nint undefined_x; // define\n  #  define B(x) \\\n\t(x + 1)\r\n#defined_not\n#define C define\n#undef A\n#define';
    assert.strictEqual(defineLines(raw), '#define A 1\n  #  define B(x)  \t(x + 1)\r\n#define C define\n#define');
    assert.strictEqual(defineLines(raw), byLines(raw));
    assert.strictEqual(defineLines('int x;\n'), '');
    const piece = fc.constantFrom('#define X 1', 'define', '#', ' ', '\t', '\n', '\r\n', '\\\n', '/*', '*/', '//', '"', 'x', '#  define Y(a) a', 'undefined');
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), (ps) => defineLines(ps.join('')) === byLines(ps.join(''))), { numRuns: 2000 });
  });

});
