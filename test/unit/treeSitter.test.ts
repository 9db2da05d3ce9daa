import * as assert from 'assert';
import { newParser } from '../../src/core/parse/treeSitter';

describe('tree-sitter loading', () => {
  it('parses C with the grammar shipped in tree-sitter-c', async () => {
    const p = await newParser();
    const tree = p.parse('struct s { int a; };')!;
    assert.strictEqual(tree.rootNode.type, 'translation_unit');
    assert.strictEqual(tree.rootNode.child(0)!.type, 'struct_specifier');
  });
});
