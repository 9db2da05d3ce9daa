// The lexer's exact output: comment blanking keeps offsets, newlines and backslashes; tokens keep lines.
import * as assert from 'assert';
import { stripComments, tokenize } from '../../src/core/config/lex';

describe('lexer', () => {
  it('blanks comments to spaces, keeping newlines and every backslash inside them', () => {
    assert.strictEqual(stripComments('a /* x\\y\n z */ b // c'), 'a     \\ \n      b     ');
    assert.strictEqual(stripComments('s = "/* no */"; c = \'/\';'), 's = "/* no */"; c = \'/\';');
    assert.strictEqual(stripComments('x /* open'), 'x        ');
  });

  it('tokenizes numbers with exponents, multi-character punctuators and line numbers', () => {
    const t = tokenize('a->b <<= 1.5e+3;\n#x ## y\\\nz .5 \'c\'', 2);
    assert.deepStrictEqual(t.map((x) => [x.k, x.t, x.line]), [
      ['id', 'a', 2], ['punct', '->', 2], ['id', 'b', 2], ['punct', '<<=', 2], ['num', '1.5e+3', 2], ['punct', ';', 2],
      ['punct', '#', 3], ['id', 'x', 3], ['punct', '##', 3], ['id', 'y', 3], ['id', 'z', 4], ['num', '.5', 4], ['chr', "'c'", 4],
    ]);
  });
});
