// Cancellation: how long scanTree takes to settle after its AbortSignal fires mid-scan (the
// extension's Cancel button), against the 200 ms goal of issue 8. Scans DIR (default: a generated
// tree of 3000 files) with worker threads from dist/, aborting at several points. Reports only.
// Usage: node scripts/bench/cancel.js [DIR]
const { loadBundle } = require('./lib/bundle');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const GOAL_MS = 200;

function load() {
  // compiled as if it sat in dist/, so it finds the worker bundle and the .wasm files there
  return loadBundle("export { scanTree } from './src/core/parse'; export * from './test/unit/support/kernelGen';", 'dist/cancel-bench.js');
}

function generatedTree(m) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-bench-cancel-'));
  const r = m.prng(5);
  for (let i = 0; i < 3000; i++) {
    const d = path.join(dir, `d${i % 30}`);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, `f${i}.c`), m.kernelStyleFile(400, r, 0.3));
  }
  return dir;
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'worker.js'))) throw new Error('dist/ is missing: run `npm run build` (npm run bench does)');
  const m = load();
  const arg = process.argv.slice(2).find((a) => !a.startsWith('-') && fs.existsSync(a) && fs.statSync(a).isDirectory() && !a.endsWith('samples/kernel'));
  const dir = arg ? path.resolve(arg) : generatedTree(m);
  try {
    const lat = [];
    for (const afterMs of [50, 150, 800, 1500]) {
      const ac = new AbortController();
      let abortedAt = 0;
      // latency counts from when the user asked, not from when a blocked event loop let the timer run
      const asked = performance.now() + afterMs;
      const t = setTimeout(() => { abortedAt = asked; ac.abort(); }, afterMs);
      const r = await m.scanTree(dir, { signal: ac.signal });
      const settled = performance.now();
      clearTimeout(t);
      if (!abortedAt) { console.log(`abort after ${afterMs} ms: the scan had already finished`); continue; }
      const ms = settled - abortedAt;
      lat.push(ms);
      const note = r.errors.find((e) => /cancelled/.test(e.message))?.message ?? '';
      console.log(`abort after ${String(afterMs).padStart(4)} ms: settled ${ms.toFixed(1).padStart(6)} ms later  (${note})`);
    }
    if (lat.length) console.log(`cancel latency max ${Math.max(...lat).toFixed(1)} ms   goal <= ${GOAL_MS} ms: ${Math.max(...lat) <= GOAL_MS ? 'met' : 'NOT met'}`);
  } finally {
    if (!arg) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench cancel: ${e.stack ?? e.message}`);
  process.exit(1);
});
