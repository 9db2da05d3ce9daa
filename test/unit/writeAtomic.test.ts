// Cache files are written whole, in small pieces (writeAtomic) and source files read in pieces
// (readText): the same bytes and texts as one fs call, with no block the size of the file.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeAtomic } from '../../src/core/writeAtomic';
import { readText } from '../../src/core/readText';

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
