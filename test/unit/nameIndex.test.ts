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

  it('drops files from every list (a name left with none is unknown) and orders lists by a rank', () => {
    const files = new FileTable();
    const ix = new NameIndex(files);
    ix.add('ONE', '/a.h');
    ix.add('TWO', '/a.h');
    ix.add('TWO', '/b.h');
    ix.add('\u0101WIDE', '/a.h'); // kept outside the byte table
    ix.dropFiles(new Set([files.id('/a.h')]));
    assert.strictEqual(ix.get('ONE'), undefined);
    assert.strictEqual(ix.count('ONE'), 0);
    assert.strictEqual(ix.get('\u0101WIDE'), undefined);
    assert.deepStrictEqual(ix.get('TWO'), ['/b.h']);
    ix.add('ONE', '/c.h'); // a name dropped to none takes files again
    ix.add('TWO', '/a.h');
    ix.add('TWO', '/c.h');
    assert.deepStrictEqual(ix.get('ONE'), ['/c.h']);
    const rank = new Map([['/c.h', 0], ['/a.h', 1], ['/b.h', 2]]);
    ix.orderLists((id) => rank.get(files.paths[id])!);
    assert.deepStrictEqual(ix.get('TWO'), ['/c.h', '/a.h', '/b.h']);
  });

  it('agrees with a plain Map model over many names, through growth and rehashing', () => {
    const files = new FileTable();
    const ix = new NameIndex(files);
    const model = new Map<string, string[]>();
    let seed = 7;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
    for (let i = 0; i < 60000; i++) {
      // short names collide in length often; some repeat, some are prefixes of others
      const name = rnd(5) === 0 ? `N${rnd(50)}` : `CONFIG_X_${rnd(40000)}${rnd(3) ? '' : '_SUFFIX'}`;
      const file = `/h${rnd(4)}.h`;
      ix.add(name, file);
      const l = model.get(name);
      if (!l) model.set(name, [file]);
      else if (l[l.length - 1] !== file) l.push(file);
    }
    for (const [name, l] of model) {
      assert.deepStrictEqual(ix.get(name), l, name);
      assert.strictEqual(ix.count(name), l.length);
    }
    assert.strictEqual(ix.get('CONFIG_X_'), undefined);
    assert.strictEqual(ix.get('N'), undefined);
    assert.strictEqual(ix.get(''), undefined);
  });

  it('keeps names outside latin1 too, and names longer than a 16-bit length', () => {
    const ix = new NameIndex(new FileTable());
    const long = 'L'.repeat(70000);
    ix.add(long, '/a.h');
    ix.add(long.slice(0, 65535), '/b.h');
    assert.deepStrictEqual([ix.get(long), ix.get(long.slice(0, 65535)), ix.get(long.slice(0, 70000 - 65536))], [['/a.h'], ['/b.h'], undefined]);
    ix.add('\u0394x', '/a.h');
    ix.add('\u0394x', '/b.h');
    ix.add('x', '/c.h');
    assert.deepStrictEqual(ix.get('\u0394x'), ['/a.h', '/b.h']);
    assert.deepStrictEqual(ix.get('x'), ['/c.h']);
    assert.strictEqual(ix.count('\u0395x'), 0);
  });
});
