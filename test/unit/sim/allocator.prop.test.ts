// Property tests of the bitmap allocator: random alloc/free sequences against brute-force
// recomputation from the allocation map (fixed seed, reproducible).
import * as assert from 'assert';
import fc from 'fast-check';
import { ARCHES } from '../../../src/core/config/arch';
import { buildFirstChunk, PercpuAllocator } from '../../../src/core/sim';
import type { Chunk } from '../../../src/core/sim/chunk';
import { testBit } from '../../../src/core/sim/bitmap';

const SEED = 20091107;

/** longest run of clear bits in [from, to) and the first clear bit */
function bruteRuns(ch: Chunk, from: number, to: number): { longest: number; first: number; left: number; right: number } {
  let longest = 0, run = 0, first = -1, left = -1;
  for (let b = from; b < to; b++) {
    if (!testBit(ch.alloc, b)) {
      if (first < 0) first = b - from;
      run++;
      longest = Math.max(longest, run);
    } else {
      if (left < 0) left = b - from;
      run = 0;
    }
  }
  return { longest, first: first < 0 ? to - from : first, left: left < 0 ? to - from : left, right: run };
}

function checkChunk(a: PercpuAllocator, ch: Chunk): void {
  const BB = ch.blockBits;
  // live areas: disjoint, inside the usable region, used + free = size
  const lo = ch.startOffset / 4, hi = ch.mapBits - ch.endOffset / 4;
  const areas = [...ch.tags.keys()].sort((x, y) => x - y).map((bit) => {
    let end = bit + 1;
    while (end < ch.mapBits && !ch.isBound(end)) end++;
    return [bit, end] as const;
  });
  let used = 0;
  for (let i = 0; i < areas.length; i++) {
    const [s, e] = areas[i];
    assert.ok(s >= lo && e <= hi, `area [${s},${e}) outside chunk [${lo},${hi})`);
    if (i) assert.ok(areas[i - 1][1] <= s, `areas overlap at bit ${s}`);
    for (let b = s; b < e; b++) assert.ok(testBit(ch.alloc, b), 'live area bit clear');
    used += (e - s) * 4;
  }
  const usable = (hi - lo) * 4;
  assert.strictEqual(ch.freeBytes + used, usable, 'free + used != chunk size');
  let clear = 0;
  for (let b = lo; b < hi; b++) if (!testBit(ch.alloc, b)) clear++;
  assert.strictEqual(clear * 4, ch.freeBytes, 'free_bytes != clear bits');

  // block hints are exact; the scan hint, when set, is a free run before the contig hint
  let emptyPop = 0;
  for (let i = 0; i < ch.nrBlocks; i++) {
    const r = bruteRuns(ch, i * BB, (i + 1) * BB);
    assert.strictEqual(ch.md.contigHint[i], r.longest, `block ${i} contig_hint`);
    assert.strictEqual(ch.md.leftFree[i], r.left, `block ${i} left_free`);
    assert.strictEqual(ch.md.rightFree[i], r.right, `block ${i} right_free`);
    if (r.longest) assert.strictEqual(ch.md.firstFree[i], r.first, `block ${i} first_free`);
    const cs = ch.md.contigHintStart[i];
    for (let b = cs; b < cs + ch.md.contigHint[i]; b++) assert.ok(!testBit(ch.alloc, i * BB + b), `block ${i} contig hint not free`);
    const sh = ch.md.scanHint[i], ss = ch.md.scanHintStart[i];
    if (sh) {
      assert.ok(ss < cs || sh === ch.md.contigHint[i], `block ${i} scan_hint_start ${ss} ≥ contig start ${cs}`);
      for (let b = ss; b < ss + sh; b++) assert.ok(!testBit(ch.alloc, i * BB + b), `block ${i} scan hint not free`);
    }
    if (r.longest === BB && ch.populated[i]) emptyPop++;
  }
  assert.strictEqual(ch.nrEmptyPopPages, emptyPop, 'nr_empty_pop_pages');
  // chunk hint: exact first free bit; contig hint names a free run and may trail the truth by less than
  // a page (upstream: "may be off by up to a page"), never promising space that is not there
  const whole = bruteRuns(ch, 0, ch.mapBits);
  assert.strictEqual(ch.cmd.firstFree[0], whole.first, 'chunk first_free');
  const c = ch.cmd.contigHint[0], cs = ch.cmd.contigHintStart[0];
  assert.ok(c <= whole.longest, `chunk contig ${c} > true ${whole.longest}`);
  assert.ok(whole.longest - c < BB, `chunk contig ${c} trails true ${whole.longest} by a page or more`);
  for (let b = cs; b < cs + c; b++) assert.ok(!testBit(ch.alloc, b), 'chunk contig hint not free');
}

function checkAll(a: PercpuAllocator): void {
  let empty = 0;
  for (const ch of a.chunks.values()) {
    checkChunk(a, ch);
    if (ch !== a.reservedChunk && !ch.isolated) empty += ch.nrEmptyPopPages;
  }
  assert.strictEqual(a.nrEmptyPopPages, empty, 'global empty_pop_pages');
}

const op = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('alloc' as const), size: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 9000 })), alignShift: fc.integer({ min: 0, max: 12 }), atomic: fc.boolean(), reserved: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
);

describe('sim: allocator properties (fast-check, fixed seed)', function () {
  this.timeout(120000);
  for (const [name, arch, s, cpus] of [['x86_64', ARCHES.x86_64, 178584, 8], ['i386 (no reserved chunk)', ARCHES.i386, 35916, 2], ['arm64 64K pages', ARCHES.arm64, 87448, 4]] as const) {
    it(`${name}: no overlap, size conservation, hints consistent with the bitmap`, () => {
      const pageSize = name.includes('64K') ? 65536 : undefined;
      fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 120 }), (ops) => {
        const a = new PercpuAllocator(buildFirstChunk({ arch, static: s, cpus, pageSize }), { arch });
        const live: number[] = [];
        for (const o of ops) {
          if (o.kind === 'alloc') {
            const r = a.alloc(o.size, 1 << o.alignShift, { atomic: o.atomic, reserved: o.reserved });
            if (r.ok) live.push(r.ptr);
          } else if (live.length) {
            const [p] = live.splice(o.pick % live.length, 1);
            a.free(p);
          }
        }
        checkAll(a);
        for (const p of live) a.free(p);
        checkAll(a);
        assert.strictEqual(a.g.nr_cur_alloc, 0);
      }), { seed: SEED, numRuns: 60 });
    });
  }
});
