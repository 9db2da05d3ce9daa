// The lexer's exact output: comment blanking keeps offsets, newlines and backslashes; tokens keep lines.
import * as assert from 'assert';
import { stripComments, tokenize } from '../../src/core/config/lex';
import { parseDefine } from '../../src/core/config/macros';
import { flat } from '../../src/core/flat';

describe('lexer', () => {
  it('blanks comments to spaces, keeping newlines and every backslash inside them', () => {
    assert.strictEqual(stripComments('a /* x\\y\n z */ b // c'), 'a     \\ \n      b     ');
    assert.strictEqual(stripComments('s = "/* no */"; c = \'/\';'), 's = "/* no */"; c = \'/\';');
    assert.strictEqual(stripComments('x /* open'), 'x        ');
    // a comment over several lines, empty lines and one longer than any blank made before
    const long = 'w'.repeat(9000);
    assert.strictEqual(stripComments(`a /* x\n\n yy\n${long} */ b\n// ${long}\nc`), `a     \n\n   \n${' '.repeat(9003)} b\n${' '.repeat(9003)}\nc`);
  });

  it('tokenizes numbers with exponents, multi-character punctuators and line numbers', () => {
    const t = tokenize('a->b <<= 1.5e+3;\n#x ## y\\\nz .5 \'c\'', 2);
    assert.deepStrictEqual(t.map((x) => [x.k, x.t, x.line]), [
      ['id', 'a', 2], ['punct', '->', 2], ['id', 'b', 2], ['punct', '<<=', 2], ['num', '1.5e+3', 2], ['punct', ';', 2],
      ['punct', '#', 3], ['id', 'x', 3], ['punct', '##', 3], ['id', 'y', 3], ['id', 'z', 4], ['num', '.5', 4], ['chr', "'c'", 4],
    ]);
  });
});

describe('flat copies and lazily tokenized macro bodies', () => {
  it('flat() returns an equal string for any input', () => {
    for (const s of ['', 'PAGE_SHIFT', 'a "quoted" \\ back\nslash', '\ud800 lone', 'é\u2028']) assert.strictEqual(flat(s), s);
  });

  it('a parsed #define has the same body tokens as tokenizing its text', () => {
    const d = parseDefine('__DEFINE_SRCU(name, is_static) static DEFINE_PER_CPU(struct srcu_data, name##_srcu_data)', 'h')!;
    assert.deepStrictEqual(d.params, ['name', 'is_static']);
    assert.deepStrictEqual(d.body, tokenize(' static DEFINE_PER_CPU(struct srcu_data, name##_srcu_data)'));
    assert.strictEqual(d.body, d.body); // tokenized once
  });
});
