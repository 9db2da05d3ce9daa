// Integer constant expressions cut short (a macro body ended by a stray comment, found by the fuzz
// test: seed 8447): no constant, said so, never a crash in the type-name check.
import * as assert from 'assert';
import { ARCHES } from '../../src/core/config/arch';
import { evalTokens, ExprError } from '../../src/core/config/intExpr';
import { defaultConfig } from '../../src/core/config/kconfig';
import { tokenize } from '../../src/core/config/lex';
import { LayoutEngine, isUnknown } from '../../src/core/layout';

describe('integer expressions cut short', () => {
  // the layout's hook reads the token it is given, as any hook may
  const hooks = { isTypeStart: (t: { k: string; t: string }) => t.k === 'id' && t.t === 'int', sizeofType: () => 4n };

  for (const text of ['1 + (', 'sizeof (', '(', '__alignof__ (']) {
    it(`\`${text}\` is no constant (an expression error, not a crash)`, () => {
      assert.throws(() => evalTokens(tokenize(text), hooks), ExprError);
    });
  }

  it('whole expressions still read their casts and sizeof(type)', () => {
    assert.strictEqual(evalTokens(tokenize('sizeof (int) * 2 + (int)3'), hooks).v, 11n);
  });

  it('character constants: gcc\'s values for several characters, no constant for empty or cut ones (fuzz seed 23572)', () => {
    // printf("%d", ...) of each, host gcc 12 (-w): 'ab' is 0x6162, a fifth character drops the first
    const got = ["'a'", "'ab'", "'abcd'", "'abcde'"].map((c) => evalTokens(tokenize(c)).v);
    assert.deepStrictEqual(got, [97n, 24930n, 1633837924n, 1650680933n]);
    // gcc: "empty character constant"; a literal cut at the line's end has no closing quote
    for (const bad of ["''", "'x", "1 + '"]) assert.throws(() => evalTokens(tokenize(bad)), ExprError, bad);
  });

  it('the layout engine answers unknown, with a reason', async () => {
    const e = await LayoutEngine.create({ arch: ARCHES.x86_64, config: defaultConfig('x86_64') });
    for (const text of ['sizeof(', '2 * (']) {
      const r = e.evalInt(text);
      assert.ok(isUnknown(r), `${text}: ${String(r)}`);
      assert.match(r.error, /unbalanced parentheses|end of expression/);
    }
  });
});
