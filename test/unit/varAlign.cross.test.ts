// A per-CPU variable's alignment as gcc places it, for every arch with a compiler here: each case is
// a static variable alone in its own section (readelf -SW gives its alignment), its type's size and
// __alignof__ read from symbol sizes; -O2 and -Os (arm and arm64 raise aggregates only at -O2).
// The expected figures are gcc's; what is checked is variableAlignment's rule table (ArchProfile.dataAlign).
import * as assert from 'assert';
import { ARCHES } from '../../src/core/config/arch';
import { variableAlignment } from '../../src/core/estimate/varAlign';
import { compileSections, compilerWorks } from './support/gccTruth';
import { CROSS_TARGETS, HOST_TARGETS } from './support/crossTargets';

/** name, C type, our kind, an array's element size (arch-independent here), an aligned attribute on the variable */
const CASES: Array<[string, string, string, number?, number?]> = [
  ['c1', 'char', 'int'], ['l1', 'long', 'int'], ['p1', 'void *', 'ptr'],
  ['c3', 'char[3]', 'array', 1], ['c16', 'char[16]', 'array', 1], ['c32', 'char[32]', 'array', 1], ['c64', 'char[64]', 'array', 1],
  ['b3', '_Bool[3]', 'array', 1], ['cc21', 'char[2][1]', 'array', 1], ['cc23', 'char[2][3]', 'array', 3], ['s1a', 'struct s1[5]', 'array', 1],
  ['h3', 'short[3]', 'array', 2], ['i1', 'int[1]', 'array', 4], ['i3', 'int[3]', 'array', 4], ['i8', 'int[8]', 'array', 4],
  ['s1', 'struct s1', 'record'], ['s2', 'struct s2', 'record'], ['s4', 'struct s4', 'record'], ['s5', 'struct s5', 'record'],
  ['s12', 'struct s12', 'record'], ['s16', 'struct s16', 'record'], ['s32', 'struct s32', 'record'], ['u4', 'union u4', 'record'],
  ['ua2', 'ua2_t', 'record'], ['s4d', 'struct s4', 'record', undefined, 4], ['c3d', 'char[3]', 'array', 1, 2],
];

const SOURCE = [
  'struct s1 { char c; }; struct s2 { short a; }; struct s4 { int v; }; struct s5 { char a[5]; };',
  'struct s12 { int a, b, c; }; struct s16 { char a[16]; }; struct s32 { char a[32]; };',
  'union u4 { int a; short b; }; typedef struct __attribute__((aligned(2))) { char c[2]; } ua2_t;',
  ...CASES.map(([n, t, , , at]) => {
    const decl = t.replace(/^([^[]+?)\s*(\[.*\])?$/, (_m, base: string, dims?: string) => `${base} v_${n}${dims ?? ''}`);
    return `static ${decl} __attribute__((section(".data..percpu.${n}"), used${at ? `, aligned(${at})` : ''}));\n` +
      `char sz_${n}[sizeof(${t})]; char al_${n}[__alignof__(${t})];`;
  }),
].join('\n');

const TARGETS = [...HOST_TARGETS, ...CROSS_TARGETS];

describe('per-CPU variable alignment matches each gcc (DATA_ALIGNMENT)', function () {
  this.timeout(60_000);
  it('the table uses exactly the rule kinds the cases were written for (a new kind needs cases here)', () => {
    const kinds = new Set(Object.values(ARCHES).flatMap((a) => (a.dataAlign ?? []).map((r) => r.types)));
    assert.deepStrictEqual([...kinds].sort(), ['aggregates', 'any', 'byteArrays']);
  });
  for (const t of TARGETS) {
    it(`${t.arch} (${t.cc} ${t.flags.join(' ')})`, function () {
      const broken = compilerWorks(t.cc, t.flags, 'readelf');
      if (broken) {
        this.test!.title += ` — SKIPPED: ${t.cc} not installed (apt-get install ${t.pkg})`;
        this.skip();
        return;
      }
      for (const os of [false, true]) {
        const { align, sizes } = compileSections(t.cc, [...t.flags, os ? '-Os' : '-O2', '-fno-common'], SOURCE);
        const gcc: Record<string, number> = {};
        const ours: Record<string, number> = {};
        for (const [n, , kind, elem, at] of CASES) {
          gcc[n] = align.get(`.data..percpu.${n}`) ?? -1;
          const size = sizes.get(`sz_${n}`) ?? -1;
          const typeAlign = sizes.get(`al_${n}`) ?? -1;
          ours[n] = variableAlignment(ARCHES[t.arch], kind, size, typeAlign, at ?? 0, elem, os);
        }
        assert.deepStrictEqual(ours, gcc, `${t.arch} ${os ? '-Os' : '-O2'}`);
      }
    });
  }
});
