// Benchmark runner: runs every scripts/bench/*.js in name order, passing our argv through
// (`npm run bench -- DIR`). It builds nothing; `npm run bench` builds first.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const dir = path.join(__dirname, 'bench');
const only = process.env.BENCH_ONLY; // e.g. BENCH_ONLY=sim
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.js') && (!only || f === `${only}.js`)).sort();
if (!files.length) {
  console.log('bench: no benchmarks in scripts/bench');
  process.exit(0);
}
let failed = 0;
for (const f of files) {
  console.log(`\n== ${f}`);
  const r = spawnSync(process.execPath, [path.join(dir, f), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.log(`bench: ${f} exited with ${r.status ?? r.signal}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
