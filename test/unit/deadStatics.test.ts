// Folding `if (IS_ENABLED(CONFIG_X))` the way gcc's constant folding does, and the reachability
// of a file's statics from its non-static items.
import * as assert from 'assert';
import { deadStatics, foldIsEnabled } from '../../src/core/estimate/deadStatics';

const on = (s: string) => s === 'CONFIG_ON';
const squash = (t: string) => t.replace(/\s+/g, ' ').trim();

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
});
