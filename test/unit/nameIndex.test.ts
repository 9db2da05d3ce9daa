// The raw index's name → files lists: same order and the same repeat rule as plain arrays had.
import * as assert from 'assert';
import { FileTable, NameIndex } from '../../src/core/layout/nameIndex';

describe('name index', () => {
  it('keeps files in insertion order, skipping a file only when it is already the last entry', () => {
    const files = new FileTable();
    const ix = new NameIndex(files);
    const text = '#define PAGE_SHIFT_FOR_THIS_ARCH 12';
    const name = /\w+$/.exec(text.replace(/ 12$/, ''))![0];
    ix.add(name, '/a.h');
    ix.add(name, '/a.h');
    assert.deepStrictEqual(ix.get(name), ['/a.h']);
    assert.strictEqual(ix.count(name), 1);
    ix.add(name, '/b.h');
    ix.add(name, '/a.h'); // a header indexed again later (a nested include dir) is listed again, as before
    assert.deepStrictEqual(ix.get(name), ['/a.h', '/b.h', '/a.h']);
    assert.strictEqual(ix.count(name), 3);
    assert.strictEqual(ix.get('OTHER'), undefined);
    assert.strictEqual(ix.count('OTHER'), 0);
    // the file table is shared: ids are per path, not per index
    const other = new NameIndex(files);
    other.add('struct page', '/b.h');
    assert.deepStrictEqual(other.get('struct page'), ['/b.h']);
  });
});
