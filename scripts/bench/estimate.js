// Whole-tree speed: `grep -rlE` over the trigger words against our full `estimate`, measured in the
// same run on the same files (*.c, *.h), page cache warmed by a first grep. Prints the ratio, what
// the prefilter kept, and the estimate's peak RSS against the goals (issue 8). Reports, never asserts.
// Usage: node scripts/bench/estimate.js [DIR] [--config FILE|debian:FLAVOUR]... [--cpus N]
// (DIR: the bundled samples/kernel). Each --config is measured in turn against the same grep;
// `debian:amd64` is Debian's own .config for that flavour (scripts/debian-config.sh fetches it).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { runNode } = require('./lib/run');
const { benchArgs, configFile } = require('./lib/args');
const { grep } = require('./lib/grep');

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const GOAL_RATIO = 2; // warm cache
const GOAL_RATIO_COLD = 2.5;
const MOONSHOT_RATIO = 1.2;
const GOAL_RSS = 300 * 1024 * 1024;

const mb = (b) => (b >= 1 << 20 ? (b / 1024 / 1024).toFixed(1) + ' MB' : (b / 1024).toFixed(1) + ' kB');
const sec = (ms) => (ms / 1000).toFixed(2) + ' s';
const mark = (ok) => (ok ? 'met' : 'NOT met');

function estimate(o, extra = []) {
  const args = ['estimate', o.dir, '--json', '--cpus', o.cpus, ...(o.config ? ['--config', o.config] : []), ...extra];
  const r = runNode(CLI, args);
  if (r.status !== 0) throw new Error(`estimate exited ${r.status ?? r.signal}: ${r.stderr.slice(0, 2000)}`);
  return { ms: r.ms, maxRss: r.maxRss, json: JSON.parse(r.stdout) };
}

function main() {
  const args = benchArgs();
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` (npm run bench does)');
  console.log(`tree: ${args.dir}`);
  const g = grep(args.dir);
  console.log(`grep -rlE (warm)      ${sec(g.ms).padStart(9)}   ${g.files} files match`);
  for (const c of args.configs) {
    const o = { ...args, config: configFile(c) };
    console.log(`\nconfig: ${c ?? 'none (the arch profile alone)'}${o.config && o.config !== c ? ` (${o.config})` : ''}`);
    one(o, g);
  }
}

function one(o, g) {
  const e = estimate(o, ['--no-cache']);
  const s = e.json.stats.scan ?? {};
  console.log(`files                 ${s.filesSeen} seen, ${s.filesParsed} past the byte prefilter, ${s.filesTreeSitter} parsed by tree-sitter`);
  console.log(`bytes                 ${mb(s.bytesSeen)} read, ${mb(s.bytesParsed)} past the prefilter, ${mb(s.bytesTreeSitter)} parsed`);
  row('estimate, no cache', e, g, `scan ${sec(s.ms ?? NaN)}, rest ${sec(e.json.stats.ms - (s.ms ?? 0))} (in-process)`);
  cache(o, g);
}

/** One estimate run: time, ratio to grep and peak RSS, against the goals. */
function row(label, r, g, note, goal = GOAL_RATIO_COLD) {
  const ratio = r.ms / g.ms;
  const goals = `ratio ${mark(ratio <= goal)} (<= ${goal}; moonshot <= ${MOONSHOT_RATIO}: ${mark(ratio <= MOONSHOT_RATIO)}), RSS ${r.maxRss ? mark(r.maxRss <= GOAL_RSS) : '?'} (<= ${mb(GOAL_RSS)})`;
  console.log(`${label.padEnd(22)}${sec(r.ms).padStart(9)}   ratio ${ratio.toFixed(2)}   peak RSS ${r.maxRss ? mb(r.maxRss) : 'unknown'}   ${note}`);
  console.log(`${''.padEnd(34)}goals: ${goals}`);
  const ph = r.json.stats.phases;
  if (ph) console.log(`${''.padEnd(34)}phases: ${Object.entries(ph).map(([k, v]) => `${k} ${sec(v)}`).join(', ')}`);
}

/**
 * The caches: a first run into an empty cache folder, then a second run reading it. The second
 * run is the issue's "warm cache": on an unchanged tree the saved result answers; the third runs
 * every stage with the same caches (as after an edit): unchanged files are answered by the stat
 * index without being read, changed ones by content hash.
 */
function cache(o, g) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-bench-cache-'));
  try {
    const cold = estimate(o, ['--cache-dir', dir]);
    row('estimate, cache cold', cold, g, 'fills the cache');
    const warm = estimate(o, ['--cache-dir', dir]);
    const st = warm.json.stats.scan ?? {};
    row('estimate, cache warm', warm, g, warm.json.stats.resultCached ? 'the saved result: tree and options unchanged' : `${st.filesUnchanged ?? 0} files unchanged (not read), ${st.filesCached ?? 0} from the content cache`, GOAL_RATIO);
    // what a warm run costs when the tree changed (an edit anywhere misses the saved result): every stage, the other caches serving
    const rerun = estimate(o, ['--cache-dir', dir, '--no-result-cache']);
    const sr = rerun.json.stats.scan ?? {};
    row('warm, result not saved', rerun, g, `every stage again: ${sr.filesUnchanged ?? 0} files unchanged (not read), ${sr.filesCached ?? 0} from the content cache`, GOAL_RATIO);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

try {
  main();
} catch (err) {
  console.error(`bench estimate: ${err.message}`);
  process.exit(1);
}
