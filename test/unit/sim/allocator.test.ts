// The allocator after boot, with expectations worked out by hand from mm/percpu.c's rules.
import * as assert from 'assert';
import { ARCHES } from '../../../src/core/config/arch';
import { buildFirstChunk, PercpuAllocator, moduleRefCost, perCpuObjectCost, refScheme } from '../../../src/core/sim';

const x86 = ARCHES.x86_64;
// samples/boot-lines.jsonl #1: 32 CPUs, s178584 r8192 d30312 u262144
const boot32 = (): PercpuAllocator => new PercpuAllocator(buildFirstChunk({ arch: x86, static: 178584, cpus: 32 }), { arch: x86 });

const row = (k: string, v: number): string => `  ${k.padEnd(20)}: ${String(v).padStart(12)}`;

describe('sim: allocator', () => {
  it('percpu_stats right after boot', () => {
    // reserved region at 178584: page 43 + 2456, 3 pages, end_offset 12288-2456-8192 = 1640;
    // the hidden head and tail make blocks 0 and 2 non-empty → 1 empty populated page.
    // first chunk at 186776: page 45 + 2456, dyn' = 30312 → 8 pages, end_offset 0, 7 empty pages.
    const chunk = (title: string, empty: number, first: number, free: number): string[] => [
      title, row('nr_alloc', 0), row('max_alloc_size', 0), row('empty_pop_pages', empty), row('first_bit', first),
      row('free_bytes', free), row('contig_bytes', free), row('sum_frag', 0), row('max_frag', 0),
      row('cur_min_alloc', 0), row('cur_med_alloc', 0), row('cur_max_alloc', 0), '',
    ];
    const expected = [
      'Percpu Memory Statistics', 'Allocation Info:', '----------------------------------------',
      row('unit_size', 262144), row('static_size', 178584), row('reserved_size', 8192), row('dyn_size', 30312),
      row('atom_size', 2097152), row('alloc_size', 2097152), '',
      'Global Stats:', '----------------------------------------',
      row('nr_alloc', 0), row('nr_dealloc', 0), row('nr_cur_alloc', 0), row('nr_max_alloc', 0), row('nr_chunks', 1),
      row('nr_max_chunks', 1), row('min_alloc_size', 262144), row('max_alloc_size', 0), row('empty_pop_pages', 7), '',
      'Per Chunk Stats:', '----------------------------------------',
      ...chunk('Chunk: <- Reserved Chunk', 1, 614, 8192),
      ...chunk('Chunk: <- First Chunk', 7, 614, 30312),
    ].join('\n') + '\n';
    assert.strictEqual(boot32().statsText(), expected);
  });

  it('/proc/meminfo Percpu: populated pages × units (padding units included) in kB', () => {
    assert.strictEqual(boot32().meminfoPercpuKb(), 53 * 32 * 4);
    // 6 CPUs, u=256K → 8 units; s=221184: 63 pages
    const a = new PercpuAllocator(buildFirstChunk({ arch: x86, static: 221184, cpus: 6 }), { arch: x86 });
    assert.strictEqual(a.meminfoPercpuKb(), 63 * 8 * 4);
  });

  it('first fit in the first chunk, sizes rounded to 4, alignment honoured, stats counted', () => {
    const a = boot32();
    const p1 = a.alloc(6, 2);
    const p2 = a.alloc(4, 64);
    assert.ok(p1.ok && p2.ok);
    // first chunk usable area starts at unit offset 186776
    assert.strictEqual(p1.offset, 186776);
    assert.strictEqual(p2.offset, 186816); // next 64-aligned offset of the unit
    const st = a.stats();
    assert.strictEqual(st.global.nr_alloc, 2);
    assert.strictEqual(st.global.min_alloc_size, 4);
    assert.strictEqual(st.global.max_alloc_size, 8);
    const first = st.chunks.find((c) => c.title === 'Chunk: <- First Chunk')!;
    assert.strictEqual(first.free_bytes, 30312 - 12);
    // fragments: the 32-byte alignment hole between the two areas
    assert.strictEqual(first.sum_frag, 32);
    assert.deepStrictEqual([first.cur_min_alloc, first.cur_med_alloc, first.cur_max_alloc], [4, 4, 8]);
    a.free(p1.ptr);
    assert.strictEqual(a.stats().global.nr_cur_alloc, 1);
    assert.throws(() => a.free(p1.ptr), /not a live percpu allocation/);
  });

  it('illegal sizes and alignments are refused with the kernel warning', () => {
    const a = boot32();
    assert.deepStrictEqual(a.alloc(32772, 4), { ok: false, message: 'percpu: illegal size (32772) or align (4) for percpu allocation' });
    assert.deepStrictEqual(a.alloc(8, 8192), { ok: false, message: 'percpu: illegal size (8) or align (8192) for percpu allocation' });
    assert.deepStrictEqual(a.alloc(0, 4), { ok: false, message: 'percpu: illegal size (0) or align (4) for percpu allocation' });
    assert.strictEqual(a.alloc(32768, 4096).ok, true);
  });

  it('a full first chunk leads to a new chunk, populated page by page', () => {
    const a = boot32();
    const before = a.meminfoPercpuKb();
    const ptrs: number[] = [];
    for (let i = 0; i < 4; i++) ptrs.push((a.alloc(8192, 8) as { ptr: number }).ptr);
    assert.ok(a.g.nr_chunks >= 2);
    assert.ok(a.meminfoPercpuKb() > before);
    for (const p of ptrs) a.free(p);
    assert.strictEqual(a.g.nr_cur_alloc, 0);
    // the balance work keeps at most one fully free chunk besides the first
    assert.ok(a.g.nr_chunks <= 2, `nr_chunks ${a.g.nr_chunks}`);
    assert.strictEqual(a.g.nr_max_chunks >= 2, true);
  });

  it('modules: served from the 8K reserved chunk; when it runs out loading fails as the kernel reports', () => {
    const a = boot32();
    assert.strictEqual(a.loadModule('nf_conntrack', 4104, 8).ok, true);
    const r = a.loadModule('scsi_mod', 4104, 8);
    assert.deepStrictEqual(r, {
      ok: false,
      messages: [
        'percpu: allocation failed, size=4104 align=8 atomic=0, alloc from reserved chunk failed',
        'scsi_mod: Could not allocate 4104 bytes percpu data',
      ],
    });
    // the dynamic chunks are not tried for module data
    assert.strictEqual(a.stats().chunks.find((c) => c.title.includes('First'))!.nr_alloc, 0);
    assert.deepStrictEqual(a.loadModule('empty', 0, 1), { ok: true, ptr: 0 });
    const w = a.loadModule('aligned', 16, 8192);
    assert.ok(w.ok);
    assert.ok(a.log.includes('aligned: per-cpu alignment 8192 > 4096'));
  });

  it('arches without a reserved chunk (i386, ppc64) serve module data from dynamic chunks', () => {
    const i386 = ARCHES.i386;
    const a = new PercpuAllocator(buildFirstChunk({ arch: i386, static: 35916, cpus: 2 }), { arch: i386 });
    assert.strictEqual(a.reservedChunk, null);
    for (let i = 0; i < 4; i++) assert.strictEqual(a.loadModule(`m${i}`, 9000, 8).ok, true);
    assert.ok(a.g.nr_chunks >= 2);
  });

  it('atomic allocations take only populated pages; the balance work then populates 4 pages of a new chunk', () => {
    const a = new PercpuAllocator(buildFirstChunk({ arch: x86, static: 178584, cpus: 32 }), { arch: x86, balance: 'manual' });
    // the first chunk's dynamic area spans chunk pages 0..7 with page 0 partly hidden: 7 whole pages
    for (let i = 0; i < 7; i++) assert.strictEqual(a.alloc(4096, 4096, { atomic: true }).ok, true);
    assert.deepStrictEqual(a.alloc(4096, 4096, { atomic: true }),
      { ok: false, message: 'percpu: allocation failed, size=4096 align=4096 atomic=1, atomic alloc failed, no space left' });
    const kb = a.meminfoPercpuKb();
    a.runBalance();
    assert.strictEqual(a.g.nr_chunks, 2);
    assert.strictEqual(a.meminfoPercpuKb(), kb + 4 * 32 * 4); // PCPU_EMPTY_POP_PAGES_HIGH pages × 32 units
    assert.strictEqual(a.alloc(4096, 4096, { atomic: true }).ok, true);
  });

  it('snapshot: unit-relative blocks; static block from 0; blocks tile each chunk', () => {
    const a = boot32();
    const r = a.alloc(64, 8, { tag: { label: 'foo_stats', file: 'net/foo.c', line: 42 } });
    assert.ok(r.ok);
    const s = a.snapshot();
    assert.strictEqual(s.nrUnits, 32);
    assert.strictEqual(s.firstChunk.bootLine, 'percpu: Embedded 53 pages/cpu s178584 r8192 d30312 u262144');
    const first = s.chunks.find((c) => c.kind === 'first')!;
    assert.deepStrictEqual(first.blocks[0], { offset: 0, size: 178584, kind: 'static', label: 'static per-CPU data (vmlinux .data..percpu)' });
    const mine = first.blocks.find((b) => b.kind === 'alloc')!;
    assert.deepStrictEqual(mine, { offset: 186776, size: 64, kind: 'alloc', label: 'foo_stats', file: 'net/foo.c', line: 42 });
    for (const c of s.chunks) {
      const inner = c.blocks.filter((b) => b.offset >= c.startOffset && b.offset < c.endOffset);
      let at = c.startOffset;
      for (const b of inner) { assert.strictEqual(b.offset, at); at += b.size; }
      assert.strictEqual(at, c.endOffset);
      assert.strictEqual(c.size, c.endOffset - c.startOffset);
    }
    const reserved = s.chunks.find((c) => c.kind === 'reserved')!;
    assert.deepStrictEqual([reserved.startOffset, reserved.endOffset], [178584, 186776]);
  });
});

describe('sim: historical module refcounts and per-device counters (seed figures)', () => {
  it('ref[NR_CPUS] of 128-byte lines: NR_CPUS=8 → 1 KiB per module, ~2 MB for 2000 modules', () => {
    const c = moduleRefCost({ kernel: '2.6.28', nrCpus: 8, cacheLine: 128, bits: 64, modules: 2000 });
    assert.strictEqual(c.scheme, 'nr_cpus_array');
    assert.strictEqual(c.perModule, 1024);
    assert.strictEqual(c.total, 2048000);
  });
  it('NR_CPUS=4096 × 128 B × 2000 modules ≈ 1 GB', () => {
    const c = moduleRefCost({ scheme: 'nr_cpus_array', nrCpus: 4096, cacheLine: 128, bits: 64, modules: 2000 });
    assert.strictEqual(c.total, 4096 * 128 * 2000);
    assert.ok(Math.abs(c.total / 1e9 - 1) < 0.05);
  });
  it('per-CPU counters cost per possible CPU, not per NR_CPUS', () => {
    assert.strictEqual(moduleRefCost({ kernel: '2.6.30', nrCpus: 4096, possibleCpus: 8, cacheLine: 128, bits: 64 }).perModule, 8 * 8);
    assert.strictEqual(moduleRefCost({ kernel: '3.10', nrCpus: 4096, possibleCpus: 8, cacheLine: 128, bits: 64 }).perModule, 16 * 8);
    assert.strictEqual(refScheme('4.19'), 'atomic');
  });
  it('64 CPUs × sizeof(int) = 256 B per device, also as the allocator takes it', () => {
    assert.strictEqual(perCpuObjectCost(4, 64), 256);
    const a = new PercpuAllocator(buildFirstChunk({ arch: x86, static: 178584, cpus: 64 }), { arch: x86 });
    const before = a.stats().chunks.find((c) => c.title.includes('First'))!.free_bytes;
    assert.ok(a.alloc(4, 4).ok);
    const after = a.stats().chunks.find((c) => c.title.includes('First'))!.free_bytes;
    assert.strictEqual((before - after) * a.fc.nrPossibleCpus, 256);
  });
});
