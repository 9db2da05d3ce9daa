// Cache files are written whole, in small pieces (writeAtomic) and source files read in pieces
// (readText): the same bytes and texts as one fs call, with no block the size of the file.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeAtomic } from '../../src/core/writeAtomic';
import { readText } from '../../src/core/readText';
import { JsonEntries, jsonPieces } from '../../src/core/jsonPieces';

describe('cache writes and source reads in pieces', () => {
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-write-')); });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes strings (a surrogate pair across a piece boundary too) and bytes in order, creating the folder', () => {
    const s = 'a'.repeat(32 * 1024 - 1) + '😀' + 'é€'.repeat(50000); // the pair straddles the first 32 KiB-character piece
    const f = path.join(tmp, 'sub', 'x.json');
    assert.strictEqual(writeAtomic(f, [s, new Uint8Array([0, 255]), '']), true);
    assert.deepStrictEqual(fs.readFileSync(f), Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0, 255])]));
    assert.deepStrictEqual(fs.readdirSync(path.dirname(f)), ['x.json']); // no temporary left
  });

  it('a failure (a file where the folder should be, a throwing producer) returns false and leaves nothing', () => {
    fs.writeFileSync(path.join(tmp, 'f'), 'x');
    assert.strictEqual(writeAtomic(path.join(tmp, 'f', 'y.json'), ['z']), false);
    assert.strictEqual(writeAtomic(path.join(tmp, 'z.json'), () => { throw new RangeError('Invalid string length'); }), false);
    assert.deepStrictEqual(fs.readdirSync(tmp), ['f']);
  });

  it('a value written member by member (jsonPieces) is the text JSON.stringify gives, read back equal', () => {
    const v = {
      schema: 'x', n: -0.5, big: 1e21, s: 'é€😀"\\\n\u2028', none: null, gone: undefined, fn: () => 1,
      list: [1, undefined, () => 2, 'a', [[{ deep: [1, { deeper: 'y' }] }]], { u: undefined }, new Date(0)],
      files: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`dir${i % 7}/f${i}.c`, [[i, i * 1.5], i % 2 ? 0 : ['#include "x.h"'], 'z'.repeat(i % 50)]])),
      bare: Object.assign(Object.create(null), { k: 1 }), empty: {}, none2: [],
      // a long last-level array (a name table), written in runs: holes and functions as null, runs joined by commas
      names: Array.from({ length: 2500 }, (_, i) => (i % 997 === 0 ? undefined : i % 1000 === 1 ? () => 3 : i % 3 ? `n${i}` : i)),
    };
    const want = JSON.stringify(v);
    for (const depth of [0, 1, 2, 3, 6]) assert.strictEqual([...jsonPieces(v, depth)].join(''), want, `depth ${depth}`);
    // a Map and lazily made entries are written as the object Object.fromEntries would make of them
    const m = new Map(Object.entries(v.files));
    assert.strictEqual([...jsonPieces({ files: m, more: new JsonEntries([['a', 1], ['b', undefined], ['c', [2]]]) }, 2)].join(''),
      JSON.stringify({ files: v.files, more: { a: 1, c: [2] } }));
    const f = path.join(tmp, 'p.json');
    assert.strictEqual(writeAtomic(f, () => jsonPieces({ files: m }, 3)), true);
    assert.strictEqual(fs.readFileSync(f, 'utf8'), JSON.stringify({ files: v.files }));
    // a producer that throws midway leaves nothing
    function* failing(): Generator<string> { yield '{"a":'; throw new Error('no'); }
    assert.strictEqual(writeAtomic(path.join(tmp, 'q.json'), () => failing()), false);
    assert.deepStrictEqual(fs.readdirSync(tmp), ['p.json']);
  });

  it('readText gives what readFileSync gives, for files over its 1 MiB piece with split UTF-8 sequences and bad bytes', () => {
    const texts = [
      Buffer.from('é€😀abc\xff'.repeat(300000), 'utf8'),
      Buffer.concat([Buffer.alloc(1024 * 1024 - 1, 97), Buffer.from([0xe2, 0x82]), Buffer.from('zz'), Buffer.from([0xf0, 0x9f])]),
      Buffer.alloc(1024 * 1024, 98), Buffer.alloc(0), Buffer.from('int x;\n'),
    ];
    texts.forEach((b, i) => {
      const f = path.join(tmp, `t${i}`);
      fs.writeFileSync(f, b);
      for (const enc of ['utf8', 'latin1'] as const) assert.strictEqual(readText(f, enc), fs.readFileSync(f, enc), `${i} ${enc}`);
    });
    assert.throws(() => readText(path.join(tmp, 'missing'), 'utf8'), /ENOENT/);
  });
});
