// A real boot's percpu:* trace replayed through the allocator model (sim/trace.ts): Debian's 6.12
// amd64 kernel under QEMU at 4 CPUs (scripts/real-boot.js --with-trace; test/fixtures/boots/amd64-4.trace).
// Expected numbers are the boot's own: its boot line, every traced offset, /proc/meminfo's Percpu:.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ARCHES } from '../../src/core/config/arch';
import { buildFirstChunk, PercpuAllocator } from '../../src/core/sim';
import { parsePercpuTrace, replayTrace } from '../../src/core/sim/trace';
import { parseTrace } from '../../src/core/estimate/counts';
import { FLAVOURS } from './support/debianFlavours';

const LOG = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'boots', 'amd64-4.trace'), 'utf8');

describe('trace replay of a real boot', () => {
  const line = /percpu: Embedded \d+ pages\/cpu s(\d+) r\d+ d\d+ u\d+/.exec(LOG)!;
  const meminfo = Number(/^Percpu:\s+(\d+) kB/m.exec(LOG)![1]);
  const count = (re: RegExp) => LOG.split('\n').filter((l) => re.test(l)).length;
  const fresh = () => {
    const fc = buildFirstChunk({ arch: ARCHES.x86_64, kernel: '6.12', static: Number(line[1]), cpus: 4, nrCpus: 8192, pageSize: 4096 });
    assert.strictEqual(fc.bootLine, line[0]);
    return new PercpuAllocator(fc, { arch: ARCHES.x86_64, kernel: '6.12' });
  };

  it('reads every percpu:* event in order: allocations, frees, the chunk the kernel created', () => {
    const { ops, warnings } = parsePercpuTrace(LOG);
    assert.deepStrictEqual(warnings, []);
    assert.strictEqual(ops.filter((o) => o.kind === 'alloc').length, count(/percpu_alloc_percpu:/));
    assert.strictEqual(ops.filter((o) => o.kind === 'free').length, count(/percpu_free_percpu:/));
    assert.strictEqual(ops.filter((o) => o.kind === 'create').length, count(/percpu_create_chunk:/));
    // the estimate's call-site attribution reads the same parse
    assert.strictEqual(parseTrace(LOG).events.length, count(/percpu_alloc_percpu:/));
  });

  it('places every traced allocation at the kernel\'s offset and ends with the boot\'s /proc/meminfo Percpu:', () => {
    const { ops } = parsePercpuTrace(LOG);
    const r = replayTrace(fresh(), ops);
    const firstOff = Number(/percpu_alloc_percpu: .*? off=(\d+)/.exec(LOG)![1]);
    assert.strictEqual(r.earlyBytes, firstOff); // s and r end on a page boundary: the chunk's first offset is 0
    assert.strictEqual(r.allocs, count(/percpu_alloc_percpu:/));
    assert.strictEqual(r.sameOffset, r.allocs);
    assert.strictEqual(r.firstChunkAllocs, r.allocs);
    assert.deepStrictEqual(r.inferredEarly, []); // SLUB's early slabs left no hole here
    assert.strictEqual(r.frees, count(/percpu_free_percpu:/));
    assert.deepStrictEqual(r.failures, []);
    assert.strictEqual(r.meminfoPercpuKb, meminfo);
    assert.strictEqual(meminfo, 1104);
  });

  it('without the frees the model ends elsewhere: the replay is not a constant', () => {
    const { ops } = parsePercpuTrace(LOG);
    const r = replayTrace(fresh(), ops.filter((o) => o.kind !== 'free'));
    assert.strictEqual(r.frees, 0);
    assert.notStrictEqual(r.sameOffset, r.allocs);
  });
});

// The same amd64 kernel booted at 2 CPUs (scripts/real-boot.js amd64 --cpus 2 --with-trace, recorded
// 2026-12-06; test/fixtures/boots/amd64-2.trace): two 1 MiB units share a 2 MiB atom (u1048576), so
// the same allocations populate pages of half as many units.
describe('trace replay of a real amd64 boot at 2 CPUs', () => {
  const TWO = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'boots', 'amd64-2.trace'), 'utf8');
  const line = /percpu: Embedded \d+ pages\/cpu s(\d+) r\d+ d\d+ u\d+/.exec(TWO)!;
  const count = (re: RegExp) => TWO.split('\n').filter((l) => re.test(l)).length;

  it("places every traced allocation at the kernel's offset and ends with the boot's Percpu: (552 kB)", () => {
    const fc = buildFirstChunk({ arch: ARCHES.x86_64, kernel: '6.12', static: Number(line[1]), cpus: 2, nrCpus: 8192, pageSize: 4096 });
    assert.strictEqual(fc.bootLine, line[0]);
    assert.strictEqual(fc.bootLine, 'percpu: Embedded 66 pages/cpu s233472 r8192 d28672 u1048576');
    const { ops, warnings } = parsePercpuTrace(TWO);
    assert.deepStrictEqual(warnings, []);
    const r = replayTrace(new PercpuAllocator(fc, { arch: ARCHES.x86_64, kernel: '6.12' }), ops);
    assert.deepStrictEqual(r.failures, []);
    assert.strictEqual(r.allocs, count(/percpu_alloc_percpu:/));
    assert.strictEqual(r.sameOffset, r.allocs);
    assert.strictEqual(r.frees, count(/percpu_free_percpu:/));
    assert.strictEqual(r.earlyBytes, Number(/percpu_alloc_percpu: .*? off=(\d+)/.exec(TWO)![1]));
    assert.strictEqual(r.meminfoPercpuKb, Number(/^Percpu:\s+(\d+) kB/m.exec(TWO)![1]));
    assert.strictEqual(r.meminfoPercpuKb, 552);
  });
});

// Debian's 6.12 arm64 kernel under QEMU (-M virt -cpu max) at 4 CPUs, CONFIG_NR_CPUS=512 (scripts/real-boot.js
// arm64 --cpus 4 --with-trace): the first chunk's dynamic area starts 3160 B into a page.
describe('trace replay of a real arm64 boot', () => {
  const ARM = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'boots', 'arm64-4.trace'), 'utf8');
  const line = /percpu: Embedded \d+ pages\/cpu s(\d+) r\d+ d\d+ u\d+/.exec(ARM)!;

  it('ends with the boot\'s /proc/meminfo Percpu: (640 kB)', () => {
    const fc = buildFirstChunk({ arch: ARCHES.arm64, kernel: '6.12', static: Number(line[1]), cpus: 4, nrCpus: 512, pageSize: 4096 });
    assert.strictEqual(fc.bootLine, line[0]);
    const { ops, warnings } = parsePercpuTrace(ARM);
    assert.deepStrictEqual(warnings, []);
    const r = replayTrace(new PercpuAllocator(fc, { arch: ARCHES.arm64, kernel: '6.12' }), ops);
    assert.deepStrictEqual(r.failures, []);
    assert.strictEqual(r.meminfoPercpuKb, Number(/^Percpu:\s+(\d+) kB/m.exec(ARM)![1]));
    assert.strictEqual(r.meminfoPercpuKb, 640);
  });

  it('places every first-chunk allocation at the kernel\'s offset once the early hole is inferred', () => {
    const fc = buildFirstChunk({ arch: ARCHES.arm64, kernel: '6.12', static: Number(line[1]), cpus: 4, nrCpus: 512, pageSize: 4096 });
    const { ops } = parsePercpuTrace(ARM);
    const r = replayTrace(new PercpuAllocator(fc, { arch: ARCHES.arm64, kernel: '6.12' }), ops);
    const allocs = [...ARM.matchAll(/percpu_alloc_percpu: .*? base_addr=(\w+) off=(\d+)/g)];
    const inFirst = allocs.filter((m) => m[1] === allocs[0][1]);
    assert.strictEqual(r.firstChunkAllocs, inFirst.length);
    assert.strictEqual(r.sameOffset, inFirst.length);
    // gic_init_bases' 4 B at 5512 and 5516 fill a hole of the untraced allocations; its 8 B go to 5584:
    // 5520..5584 was taken before tracing began
    assert.deepStrictEqual(inFirst.slice(0, 3).map((m) => Number(m[2])), [5512, 5516, 5584]);
    assert.deepStrictEqual(r.inferredEarly, [{ off: 5520, size: 64 }]);
  });
});

// The same replay on the other arches and page sizes Debian ships, each booted at 4 CPUs
// (scripts/real-boot.js FLAVOUR --cpus 4 --with-trace); the Percpu: values are the boots' /proc/meminfo.
describe('trace replay of real boots on every arch', () => {
  const MEMINFO: Record<string, number> = { powerpc64le: 624, 'powerpc64le-64k': 3584, armmp: 368, 'arm64-16k': 1152 };
  for (const [flavour, kb] of Object.entries(MEMINFO)) {
    it(`${flavour}: every first-chunk allocation at the kernel's offset, /proc/meminfo Percpu: ${kb} kB`, () => {
      const log = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'boots', `${flavour}-4.trace`), 'utf8');
      const fl = FLAVOURS[flavour];
      const line = /percpu: Embedded \d+ pages\/cpu s(\d+) r\d+ d\d+ u\d+/.exec(log)!;
      const fc = buildFirstChunk({ arch: fl.arch, kernel: '6.12', static: Number(line[1]), cpus: 4, nrCpus: fl.nrCpus, pageSize: fl.pageSize });
      assert.strictEqual(fc.bootLine, line[0]);
      const { ops, warnings } = parsePercpuTrace(log);
      assert.deepStrictEqual(warnings, []);
      const r = replayTrace(new PercpuAllocator(fc, { arch: fl.arch, kernel: '6.12' }), ops);
      assert.deepStrictEqual(r.failures, []);
      const allocs = [...log.matchAll(/percpu_alloc_percpu: .*? base_addr=(\w+) off=(\d+)/g)];
      const inFirst = allocs.filter((m) => m[1] === allocs[0][1]);
      assert.ok(inFirst.length > 300, `${inFirst.length} first-chunk allocations`);
      assert.strictEqual(r.firstChunkAllocs, inFirst.length);
      assert.strictEqual(r.sameOffset, inFirst.length);
      assert.strictEqual(Number(/^Percpu:\s+(\d+) kB/m.exec(log)![1]), kb);
      assert.strictEqual(r.meminfoPercpuKb, kb);
    });
  }
});
