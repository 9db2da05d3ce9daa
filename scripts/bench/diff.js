// Patch review speed (issue 18): `diff --patch` of the five-file patch of scripts/diff-check.js
// (a .c type change, an NR_CPUS array, an alloc_percpu, a variable made shared-aligned, a struct
// grown in a header) with the cache warm: OLD from the saved result, NEW re-using OLD's per-file
// results (src/core/estimate/reuse.ts). grep is measured in the same run as the yardstick. Median
// of RUNS runs, peak RSS, the files NEW redid. Reports, never asserts. Needs a linux 6.12 tree:
// node scripts/bench/diff.js [DIR] [--config FILE|debian:FLAVOUR]... [--cpus N] (skipped on other trees).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { runNode } = require('./lib/run');
const { benchArgs, configFile } = require('./lib/args');
const { grep } = require('./lib/grep');
const { PATCHES, makePatch } = require('../lib/diffPatches');

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const LAUNCH = require('../../src/core/launch.json');
const GOAL_MS = 2000;
const RUNS = Number(process.env.BENCH_DIFF_RUNS ?? 5);
const sec = (ms) => (ms / 1000).toFixed(2) + ' s';
const mb = (b) => (b / 1024 / 1024).toFixed(0) + ' MB';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function cli(args) {
  const r = runNode(CLI, args, { env: LAUNCH.env, nodeArgs: LAUNCH.nodeArgs }); // as the percpu-lens command starts (esbuild.js)
  if (r.status !== 0) throw new Error(`${args[0]} exited ${r.status ?? r.signal}: ${r.stderr.slice(0, 2000)}`);
  return { ms: r.ms, maxRss: r.maxRss, json: JSON.parse(r.stdout) };
}

function main() {
  const args = benchArgs();
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` (npm run bench does)');
  let work;
  try {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-bench-diff-'));
    const { patch } = makePatch(args.dir, work, 'five-files', PATCHES['five-files']);
    console.log(`tree: ${args.dir}; patch: five files (${PATCHES['five-files'].map((e) => e[0]).join(', ')})`);
    const g = grep(args.dir);
    console.log(`grep -rlE (warm)      ${sec(g.ms).padStart(9)}`);
    for (const c of args.configs) {
      const config = configFile(c, args.dir);
      const common = ['--json', '--cpus', args.cpus, ...(config ? ['--config', config] : [])];
      console.log(`\nconfig: ${c ?? 'none (the arch profile alone)'}`);
      cli(['estimate', args.dir, ...common]); // OLD saved (and the caches warm)
      cli(['diff', '--patch', patch, args.dir, ...common]); // warm-up
      const runs = Array.from({ length: RUNS }, () => cli(['diff', '--patch', patch, args.dir, ...common]));
      const ms = median(runs.map((r) => r.ms));
      const st = runs[0].json.stats;
      console.log(`diff --patch, warm    ${sec(ms).padStart(9)}   ratio to grep ${(ms / g.ms).toFixed(2)}   goal <= ${sec(GOAL_MS)}: ${ms <= GOAL_MS ? 'met' : 'NOT met'}   (median of ${RUNS}, min ${sec(Math.min(...runs.map((r) => r.ms)))})`);
      console.log(`${''.padEnd(22)}peak RSS ${mb(Math.max(...runs.map((r) => r.maxRss ?? 0)))}; OLD ${st.oldCached ? 'from the saved result' : 'estimated'} ${sec(st.msOld)}, NEW ${sec(st.msNew)}, ${st.filesRedone ?? 'all'} file(s) redone${st.notShared ? `; not shared: ${st.notShared}` : ''}`);
      // the steps (stats.phases, median per step; `stamp`: what was left of the tree's walk once NEW was done)
      const steps = Object.keys(st.phases ?? {});
      if (steps.length) console.log(`${''.padEnd(22)}steps (ms): ${steps.map((k) => `${k} ${median(runs.map((r) => r.json.stats.phases?.[k] ?? 0))}`).join(', ')}`);
    }
  } finally {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (err) {
  if (/does not contain the text to replace|ENOENT/.test(err.message)) {
    console.log(`bench diff: skipped, not a linux 6.12 tree (${err.message.split('\n')[0]})`);
  } else {
    console.error(`bench diff: ${err.message}`);
    process.exit(1);
  }
}
