// First-chunk arithmetic against the worked examples of pcpu_build_alloc_info (docs/allocator.md §1.2)
// and the kernel's rules; boot lines of real machines are in bootLines.test.ts.
import * as assert from 'assert';
import { ARCHES } from '../../../src/core/config/arch';
import { buildFirstChunk, groupCpus, eraConstants } from '../../../src/core/sim';

const x86 = ARCHES.x86_64;

describe('sim: first chunk', () => {
  // atom 2 MiB, r 8192, dyn 28672, s 221184 → size_sum 258048 (63 pages), max_upa 8
  for (const [cpus, unit, nrUnits] of [[1, 2097152, 1], [2, 1048576, 2], [3, 524288, 4], [4, 524288, 4], [6, 262144, 8], [8, 262144, 8]]) {
    it(`x86_64 s=221184, ${cpus} CPUs → u=${unit}, ${nrUnits} units`, () => {
      const f = buildFirstChunk({ arch: x86, static: 221184, cpus });
      assert.strictEqual(f.sizeSum, 258048);
      assert.strictEqual(f.pagesPerCpu, 63);
      assert.strictEqual(f.unitSize, unit);
      assert.strictEqual(f.nrUnits, nrUnits);
      assert.strictEqual(f.allocSize, 2097152);
    });
  }
  it('2 nodes × 4 CPUs → u=524288 in 2 groups', () => {
    const f = buildFirstChunk({ arch: x86, static: 221184, groups: [[0, 1, 2, 3], [4, 5, 6, 7]] });
    assert.strictEqual(f.unitSize, 524288);
    assert.deepStrictEqual(f.groups.map((g) => [g.cpus, g.nrUnits, g.baseOffset]), [[[0, 1, 2, 3], 4, 0], [[4, 5, 6, 7], 4, 4 * 524288]]);
  });
  it('6 CPUs pad their group to 8 units; the dump shows the empty units as dashes', () => {
    const f = buildFirstChunk({ arch: x86, static: 221184, cpus: 6 });
    assert.deepStrictEqual(f.unitMaps, [[0, 1, 2, 3, 4, 5, -1, -1]]);
    assert.strictEqual(f.bootLines[f.bootLines.length - 1], 'pcpu-alloc: [0] 0 1 2 3 4 5 - -');
  });
  it('groups are numbered from the lowest CPU, not in the order given', () => {
    const f = buildFirstChunk({ arch: x86, static: 221184, groups: [[4, 5, 6, 7], [0, 1, 2, 3]] });
    assert.deepStrictEqual(f.groups.map((g) => g.cpus), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  });
  it('the waste rule: wasted units must not exceed num_possible_cpus/3 (integer division)', () => {
    // s=80512 (20K era): 8 CPUs as nodes {0,1,4,5,6,7} and {2,3}: upa 4 wastes 2+2 > 8/3=2 → upa 2
    const f = buildFirstChunk({ arch: x86, kernel: '3.10', static: 80512, groups: [[0, 1, 4, 5, 6, 7], [2, 3]] });
    assert.strictEqual(f.unitsPerAlloc, 2);
    assert.strictEqual(f.unitSize, 1048576);
  });
  it('cpumask grouping vs the older first-fit grouping differ on non-transitive distances', () => {
    // nodes 0,1,2: 0~1 local, 1~2 local, 0~2 remote
    const dist = [[10, 10, 20], [10, 10, 10], [20, 10, 10]];
    const nodeOf = new Map([[0, 0], [1, 1], [2, 2]]);
    assert.deepStrictEqual(groupCpus([0, 1, 2], nodeOf, dist, 'cpumask'), [[0, 1], [2]]);
    // first-fit: CPU 2 conflicts with CPU 0 in group 0 → group 1
    assert.deepStrictEqual(groupCpus([0, 1, 2], nodeOf, dist, 'first-fit'), [[0, 1], [2]]);
    const nodeOf2 = new Map([[0, 1], [1, 0], [2, 2]]);
    // cpumask: CPU 0 (node 1) takes CPU 1 (node 0) and CPU 2 (node 2): both local to node 1
    assert.deepStrictEqual(groupCpus([0, 1, 2], nodeOf2, dist, 'cpumask'), [[0, 1, 2]]);
    // first-fit: CPU 2 meets CPU 1 (node 0, remote to node 2) in group 0 → new group
    assert.deepStrictEqual(groupCpus([0, 1, 2], nodeOf2, dist, 'first-fit'), [[0, 1], [2]]);
  });
  it('page helper: unit = max(size_sum, 32K), one unit per CPU, "N 4K pages/cpu"', () => {
    const f = buildFirstChunk({ arch: ARCHES.arm64, static: 10000, cpus: 2, helper: 'page' });
    // size_sum = PFN_ALIGN(10000 + 8192 + 20480) = 40960
    assert.strictEqual(f.unitSize, 40960);
    assert.strictEqual(f.bootLine, 'percpu: 10 4K pages/cpu s10000 r8192 d22768');
    const g = buildFirstChunk({ arch: ARCHES.arm64, static: 1000, cpus: 2, helper: 'page' });
    assert.strictEqual(g.unitSize, 32768);
    // PFN_ALIGN(1000 + 8192 + 20480) = 32768 = PCPU_MIN_UNIT_SIZE
    assert.strictEqual(g.bootLine, 'percpu: 8 4K pages/cpu s1000 r8192 d23576');
  });
  it('64K pages: PCPU_MIN_UNIT_SIZE = PFN_ALIGN(32K) = 64K and the page line says 64K', () => {
    const f = buildFirstChunk({ arch: ARCHES.ppc64, static: 38584, cpus: 2, pageSize: 65536, helper: 'page' });
    // the page helper asks for dyn 0, floored at EARLY_SIZE: PFN_ALIGN(38584 + 20480) = 64K
    assert.strictEqual(f.unitSize, 65536);
    assert.strictEqual(f.bootLine, 'percpu: 1 64K pages/cpu s38584 r0 d26952');
  });
  it('x86_32 before 3.4 used PMD_SIZE (4 MiB) atoms; later kernels use pages', () => {
    assert.strictEqual(buildFirstChunk({ arch: ARCHES.i386, kernel: '2.6.32', static: 36056, cpus: 4 }).allocSize, 4 << 20);
    // Ubuntu 3.0.0-16 i386 (code index id 56911177292): "pcpu-alloc: s26240 r0 d22912 u1048576 alloc=1*4194304", 4 CPUs
    assert.strictEqual(buildFirstChunk({ arch: ARCHES.i386, kernel: '3.0', static: 26240, cpus: 4 }).unitSize, 1048576);
    assert.strictEqual(buildFirstChunk({ arch: ARCHES.i386, kernel: '3.10', static: 36056, cpus: 4 }).atomSize, 4096);
  });
  it('era constants: 20K/12K reserves before 3.18, 28K/20K after; EARLY_SIZE 12K → 20K in 6.2', () => {
    assert.strictEqual(eraConstants('3.17', 64).dynamicReserve, 20 << 10);
    assert.strictEqual(eraConstants('3.17', 32).dynamicReserve, 12 << 10);
    assert.strictEqual(eraConstants('3.18', 64).dynamicReserve, 28 << 10);
    assert.strictEqual(eraConstants('6.1', 64).earlySize, 12 << 10);
    assert.strictEqual(eraConstants('6.2', 64).earlySize, 20 << 10);
    assert.strictEqual(eraConstants('6.6', 64, { randomKmallocCaches: true }).dynamicReserve, 28 << 12);
    assert.strictEqual(eraConstants('6.10', 64, { memAllocProfiling: true }).moduleReserve, 8 << 13);
    assert.strictEqual(eraConstants('6.15', 64, { memAllocProfiling: true }).moduleReserve, 8 << 10);
  });
  it('older boot line formats (2.6.30, 2.6.31)', () => {
    const f31 = buildFirstChunk({ arch: x86, kernel: '2.6.31', static: 100000, cpus: 2, baseAddress: 0xffff880001c00000n });
    // size_sum = PFN_ALIGN(100000 + 8192 + 20480) = 131072; unit = max(size_sum, 64K)
    assert.strictEqual(f31.bootLines.find((l) => l.includes('Embedded')), 'PERCPU: Embedded 32 pages/cpu @ffff880001c00000 s100000 r8192 d22880 u131072');
    assert.ok(!f31.bootLines.some((l) => l.startsWith('pcpu-alloc')));
    const f30 = buildFirstChunk({ arch: x86, kernel: '2.6.30', static: 100000, cpus: 2, baseAddress: 0xffff880001c00000n });
    assert.strictEqual(f30.bootLine, 'PERCPU: Embedded 32 pages at ffff880001c00000, static data 100000 bytes');
  });
  it('an 8192-CPU machine in 16 nodes', () => {
    const groups = Array.from({ length: 16 }, (_, n) => Array.from({ length: 512 }, (__, i) => n * 512 + i));
    const f = buildFirstChunk({ arch: x86, static: 233472, groups, nrCpus: 8192 });
    assert.strictEqual(f.nrUnits, 8192);
    assert.strictEqual(f.groups.length, 16);
    assert.ok(f.bootLines[3].startsWith('pcpu-alloc: [00] 0000 0001 0002 0003 [00] 0004'), f.bootLines[3]);
  });
  describe('impossible input throws a clear Error', () => {
    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
      ['no CPUs', { cpus: 0 }, /cpus must be an integer between 1 and 8192/],
      ['negative static', { static: -1 }, /static size/],
      ['too many CPUs', { cpus: 8193 }, /cpus/],
      ['NR_CPUS 0', { nrCpus: 0 }, /NR_CPUS/],
      ['NR_CPUS below the CPU ids', { cpus: 8, nrCpus: 4 }, /NR_CPUS=4 is smaller/],
      ['reserved not a multiple of 4', { reserved: 8190 }, /multiple of 4/],
      ['page size not a power of two', { pageSize: 5000 }, /page size/],
      ['atom smaller than a page', { atomSize: 1024 }, /atom size/],
      ['CPU in two groups', { groups: [[0, 1], [1, 2]] }, /more than one group/],
      ['bad kernel', { kernel: 'abc' }, /kernel version/],
      ['kernel before the allocator', { kernel: '2.6.28' }, /not modelled before 2.6.30/],
      ['non-integer static', { static: 1.5 }, /static size/],
    ];
    for (const [name, extra, re] of bad) {
      it(name, () => assert.throws(() => buildFirstChunk({ arch: x86, static: 1000, cpus: 2, ...extra } as never), re));
    }
  });
});
