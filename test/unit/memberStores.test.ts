// The file's stores of a member, as memberStores.ts reads them for a size a function reads from a
// struct it did not fill itself (drivers/iommu/dma-iommu.c's cookie->options.fq_size).
import * as assert from 'assert';
import { blockAround, callGuard, declaredHere, memberStores, storedConstant } from '../../src/core/estimate/memberStores';

const src = `struct opts { int qt; unsigned long n; };
struct other { long m; };

static void set(struct opts *o, int big)
{
	if (big) {
		o->qt = 1;
		o->n = 4096;
	} else {
		o->qt = 2;
		o->n = 64;
	}
}

static int use(struct opts *o) { return o->n; }

int init(struct opts *o, int big)
{
	set(o, big);
	if (o->qt != 2)
		return 0;
	else
		return use(o);
}
`;
const consts: Record<string, number> = { 1: 1, 2: 2, 4096: 4096, 64: 64 };
const ev = (e: string) => consts[e.trim()];

describe('memberStores: a member\'s value from the stores of the file that defines its struct', () => {
  it('lists plain stores and designated initializers; a compound store, ++ or & gives up', () => {
    assert.deepStrictEqual(memberStores(src, 'n')?.map((s) => s.rhs), ['4096', '64']);
    assert.deepStrictEqual(memberStores('static struct opts d = { .qt = 2, .n = 64 };', 'n')?.map((s) => s.rhs), ['64']);
    assert.strictEqual(memberStores(`${src}\nvoid g(struct opts *o) { o->n += 1; }`, 'n'), undefined);
    assert.strictEqual(memberStores(`${src}\nvoid g(struct opts *o) { o->n++; }`, 'n'), undefined);
    assert.strictEqual(memberStores(`${src}\nvoid g(struct opts *o) { h(&o->n); }`, 'n'), undefined);
  });

  it('finds the braces around a store and the structs the file defines', () => {
    assert.strictEqual(blockAround(src, src.indexOf('o->n = 64')), '{\n\t\to->qt = 2;\n\t\to->n = 64;\n\t}');
    assert.deepStrictEqual([declaredHere(src, 'n'), declaredHere(src, 'm'), declaredHere(src, 'big')], [true, true, false]);
  });

  it('reads the test deciding the only call of a function, and which branch calls it', async () => {
    assert.deepStrictEqual(await callGuard(src, 'use'), { member: 'qt', op: '!=', value: '2', taken: false });
    // called twice: no single test decides it
    assert.strictEqual(await callGuard(`${src}\nint again(struct opts *o) { return use(o); }`, 'use'), undefined);
  });

  it('narrows two stored values to the one beside the member the caller tests', async () => {
    // use() runs where !(qt != 2), i.e. qt == 2: beside it n = 64
    assert.strictEqual((await storedConstant(src, 'use', 'n', ev))?.rhs, '64');
    // a member no struct of the file declares: stores elsewhere are not seen, so nothing is taken
    assert.strictEqual(await storedConstant(src.replace('unsigned long n;', ''), 'use', 'n', ev), undefined);
    // a store that is no constant
    assert.strictEqual(await storedConstant(src.replace('o->n = 64', 'o->n = big'), 'use', 'n', ev), undefined);
  });
});
