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

  it('the layout engine answers unknown, with a reason', async () => {
    const e = await LayoutEngine.create({ arch: ARCHES.x86_64, config: defaultConfig('x86_64') });
    for (const text of ['sizeof(', '2 * (']) {
      const r = e.evalInt(text);
      assert.ok(isUnknown(r), `${text}: ${String(r)}`);
      assert.match(r.error, /unbalanced parentheses|end of expression/);
    }
  });
});
