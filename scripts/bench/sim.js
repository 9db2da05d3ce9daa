// Simulator throughput: alloc/free operations per second on a steady-state workload, and the time to
// build first chunks up to 8192 CPUs. Bundles src/core/sim in memory with esbuild so it measures the
// current source. Targets: 1M ops < 1 s; an 8192-CPU first chunk < 10 ms. Reports, never asserts.
const { loadBundle } = require('./lib/bundle');

function loadSim() {
  return loadBundle("export * from './src/core/sim'; export { findArch } from './src/core/config/arch';", 'sim-bench.js');
}

const sim = loadSim();
const x86 = sim.findArch('x86_64');
const now = () => Number(process.hrtime.bigint()) / 1e6;

// deterministic PRNG (mulberry32)
function rng(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function allocFree(ops, live, cpus) {
  const fc = sim.buildFirstChunk({ arch: x86, static: 178584, cpus });
  const a = new sim.PercpuAllocator(fc, { arch: x86 });
  const r = rng(42);
  const ptrs = [];
  const sizes = [4, 8, 8, 16, 16, 24, 32, 64, 128, 256, 1024, 4096];
  const t0 = now();
  let done = 0;
  while (done < ops) {
    if (ptrs.length < live && (ptrs.length === 0 || r() < 0.5 + (live - ptrs.length) / (2 * live))) {
      const res = a.alloc(sizes[Math.floor(r() * sizes.length)], 1 << Math.floor(r() * 4) * 2);
      if (res.ok) ptrs.push(res.ptr);
    } else {
      const i = Math.floor(r() * ptrs.length);
      const p = ptrs[i];
      ptrs[i] = ptrs[ptrs.length - 1];
      ptrs.pop();
      a.free(p);
    }
    done++;
  }
  const ms = now() - t0;
  return { ms, chunks: a.g.nr_chunks, maxChunks: a.g.nr_max_chunks, kb: a.meminfoPercpuKb() };
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function firstChunk(label, input, reps = 15) {
  sim.buildFirstChunk(input); // warm up
  const t = [];
  for (let i = 0; i < reps; i++) {
    const t0 = now();
    sim.buildFirstChunk(input);
    t.push(now() - t0);
  }
  console.log(`first chunk ${label.padEnd(44)} median ${median(t).toFixed(2)} ms  (max ${Math.max(...t).toFixed(2)} ms)`);
}

console.log('percpu simulator benchmark (node ' + process.version + ')');
for (const [ops, live] of [[1e6, 2000], [1e6, 20000]]) {
  const r = allocFree(ops, live, 8);
  console.log(`alloc/free ${String(ops).padStart(8)} ops, ~${String(live).padStart(5)} live: ${r.ms.toFixed(0)} ms ` +
    `(${(ops / r.ms * 1000 / 1e6).toFixed(2)} M ops/s), chunks ${r.chunks} (max ${r.maxChunks}), Percpu: ${r.kb} kB`);
}
const nodes16 = Array.from({ length: 16 }, (_, n) => Array.from({ length: 512 }, (__, i) => n * 512 + i));
const interleaved = Array.from({ length: 2 }, (_, n) => Array.from({ length: 4096 }, (__, i) => i * 2 + n));
firstChunk('8192 CPUs, 1 node (6.12)', { arch: x86, static: 233472, cpus: 8192, nrCpus: 8192 });
firstChunk('8192 CPUs, 16 nodes (6.12 cpumask grouping)', { arch: x86, static: 233472, groups: nodes16, nrCpus: 8192 });
firstChunk('8192 CPUs, 16 nodes (4.19 first-fit grouping)', { arch: x86, kernel: '4.19', static: 233472, groups: nodes16, nrCpus: 8192 });
firstChunk('8192 CPUs, 2 interleaved nodes (6.12)', { arch: x86, static: 233472, groups: interleaved, nrCpus: 8192 });
