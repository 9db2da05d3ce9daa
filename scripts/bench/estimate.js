// Whole-tree speed: `grep -rlE` over the trigger words against our full `estimate`, measured in the
// same run on the same files (*.c, *.h), page cache warmed by a first grep. Each estimate run is
// paired with a grep run just before it (a shared machine's speed drifts over the minutes a bench
// takes): its ratio is to that grep. Prints the ratio, what the prefilter kept, and the estimate's
// peak RSS against the goals (issue 16); with --repeat N every row N times and the medians at the end.
// Reports, never asserts.
// Usage: node scripts/bench/estimate.js [DIR] [--config FILE|debian:FLAVOUR|defconfig:ARCH]... [--cpus N] [--edit] [--repeat N]
// (--edit: the "after an edit" row edits one file of DIR in place and puts it back; use a private tree)
// (DIR: the bundled samples/kernel). Each --config is measured in turn against the same grep;
// `debian:amd64` is Debian's own .config for that flavour (scripts/debian-config.sh fetches it),
// `defconfig:x86_64` DIR's own defconfig (scripts/defconfig.sh); a kernel tree without --config is
// measured on both.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { runNode } = require('./lib/run');
const { benchArgs, configFile } = require('./lib/args');
const { grep, grepOnce } = require('./lib/grep');
const { pct } = require('./lib/latency');
const { EDITS } = require('../lib/edits');

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const LAUNCH = require('../../src/core/launch.json');
const GOAL_RATIO = 2; // warm cache
const GOAL_RATIO_COLD = 2.5;
const MOONSHOT_RATIO = 1.2;
const GOAL_RSS = 300 * 1024 * 1024;

const mb = (b) => (b >= 1 << 20 ? (b / 1024 / 1024).toFixed(1) + ' MB' : (b / 1024).toFixed(1) + ' kB');
const sec = (ms) => (ms / 1000).toFixed(2) + ' s';
const mark = (ok) => (ok ? 'met' : 'NOT met');
const CORES = os.availableParallelism?.() ?? os.cpus().length;
/**
 * The ratio no schedule of the same work could beat on this machine: the run's CPU time spread
 * evenly over every core, against the same grep. A row whose floor is above its goal needs less
 * work, not more parallelism.
 */
const floorOf = (r) => (r.cpuMs === undefined ? undefined : r.cpuMs / CORES / r.grepMs);

/** One estimate run, and the grep run just before it (`grepMs`: the row's yardstick). */
function estimate(o, extra = []) {
  const grepMs = grepOnce(o.dir).ms;
  const args = ['estimate', o.dir, '--json', '--cpus', o.cpus, ...(o.config ? ['--config', o.config] : []), ...extra];
  const r = runNode(CLI, args, { env: LAUNCH.env, nodeArgs: LAUNCH.nodeArgs }); // as the percpu-lens command starts (esbuild.js)
  if (r.status !== 0) throw new Error(`estimate exited ${r.status ?? r.signal}: ${r.stderr.slice(0, 2000)}`);
  return { ms: r.ms, maxRss: r.maxRss, cpuMs: r.cpuMs, grepMs, json: JSON.parse(r.stdout) };
}

/** every row measured: config, label, ratio, peak RSS (for the medians of --repeat) */
const measured = [];
const median = (xs) => pct(xs, 50);

function main() {
  const args = benchArgs();
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` (npm run bench does)');
  console.log(`tree: ${args.dir}`);
  const g = grep(args.dir);
  console.log(`grep -rlE (warm)      ${sec(g.ms).padStart(9)}   ${g.files} files match`);
  console.log(`CPU yardstick         ${sec(spin()).padStart(9)}   (a fixed loop on one core: the machine's speed now; again at the end)`);
  const configs = args.configs.map((c) => ({ c, file: configFile(c, args.dir) }));
  for (let i = 0; i < args.repeat; i++) {
    for (const { c, file } of configs) {
      const o = { ...args, config: file, label: c ?? 'none' };
      console.log(`\nconfig: ${c ?? 'none (the arch profile alone)'}${o.config && o.config !== c ? ` (${o.config})` : ''}${args.repeat > 1 ? `, run ${i + 1} of ${args.repeat}` : ''}`);
      one(o);
    }
  }
  if (args.repeat > 1) summary(configs.map((x) => x.c ?? 'none'), args.repeat);
  console.log(`\nCPU yardstick         ${sec(spin()).padStart(9)}   (at the end)`);
}

/**
 * ms of a fixed loop on one core. grep is mostly reading the page cache, the estimate mostly CPU on
 * two cores: on a shared machine the two can slow down apart, and this tells when the CPU did.
 */
function spin() {
  const t = performance.now();
  let x = 0;
  for (let j = 0; j < 5; j++) for (let i = 0; i < 1e9; i++) x = (x + (i & 7)) | 0;
  if (x === 0.5) console.log(''); // keeps the loop from being optimized away
  return performance.now() - t;
}

/** Per config and row: the median ratio to grep over the runs (min-max) and the median peak RSS. */
function summary(configs, n) {
  console.log(`\nmedians of ${n} runs (each ratio to the grep just before it):`);
  for (const c of configs) {
    console.log(`config: ${c}`);
    const rows = measured.filter((m) => m.config === c);
    for (const label of [...new Set(rows.map((m) => m.label))]) {
      const ms = rows.filter((m) => m.label === label);
      const ratios = ms.map((m) => m.ratio);
      const rss = ms.map((m) => m.maxRss).filter(Boolean);
      const floors = ms.map((m) => m.floor).filter((x) => x !== undefined);
      const med = median(ratios);
      console.log(`  ${label.padEnd(34)}ratio ${med.toFixed(2)} (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})   peak RSS ${rss.length ? mb(median(rss)) : 'unknown'}   goal <= ${ms[0].goal}: ${mark(med <= ms[0].goal)}${floors.length ? `   CPU floor ${median(floors).toFixed(2)}` : ''}`);
    }
  }
}

function one(o) {
  const e = estimate(o, ['--no-cache']);
  const s = e.json.stats.scan ?? {};
  console.log(`files                 ${s.filesSeen} seen, ${s.filesParsed} past the byte prefilter, ${s.filesTreeSitter} parsed by tree-sitter`);
  console.log(`bytes                 ${mb(s.bytesSeen)} read, ${mb(s.bytesParsed)} past the prefilter, ${mb(s.bytesTreeSitter)} parsed`);
  row('estimate, no cache', e, o, `scan ${sec(s.ms ?? NaN)}, rest ${sec(e.json.stats.ms - (s.ms ?? 0))} (in-process)`);
  cache(o);
}

/** One estimate run: time, ratio to the grep run before it and peak RSS, against the goals. */
function row(label, r, o, note, goal = GOAL_RATIO_COLD) {
  const ratio = r.ms / r.grepMs;
  const floor = floorOf(r);
  measured.push({ config: o.label, label, ratio, maxRss: r.maxRss, floor, goal });
  const goals = `ratio ${mark(ratio <= goal)} (<= ${goal}; moonshot <= ${MOONSHOT_RATIO}: ${mark(ratio <= MOONSHOT_RATIO)}), RSS ${r.maxRss ? mark(r.maxRss <= GOAL_RSS) : '?'} (<= ${mb(GOAL_RSS)})`;
  console.log(`${label.padEnd(22)}${sec(r.ms).padStart(9)}   ratio ${ratio.toFixed(2)} (grep ${sec(r.grepMs)})   peak RSS ${r.maxRss ? mb(r.maxRss) : 'unknown'}   ${note}`);
  console.log(`${''.padEnd(34)}goals: ${goals}`);
  if (floor !== undefined) console.log(`${''.padEnd(34)}CPU ${sec(r.cpuMs)}: on ${CORES} core(s) no schedule of this work beats ratio ${floor.toFixed(2)}`);
  const ph = r.json.stats.phases;
  if (ph) console.log(`${''.padEnd(34)}phases: ${Object.entries(ph).map(([k, v]) => `${k} ${sec(v)}`).join(', ')}`);
}

/**
 * The caches: a first run into an empty cache folder, then a second run reading it. The second
 * run is the issue's "warm cache": on an unchanged tree the saved result answers; the third runs
 * every stage with the same caches (as after an edit): unchanged files are answered by the stat
 * index without being read, changed ones by content hash.
 */
function cache(o) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'percpu-bench-cache-'));
  try {
    const cold = estimate(o, ['--cache-dir', dir]);
    row('estimate, cache cold', cold, o, 'fills the cache');
    const warm = estimate(o, ['--cache-dir', dir]);
    const st = warm.json.stats.scan ?? {};
    row('estimate, cache warm', warm, o, warm.json.stats.resultCached ? 'the saved result: tree and options unchanged' : `${st.filesUnchanged ?? 0} files unchanged (not read), ${st.filesCached ?? 0} from the content cache`, GOAL_RATIO);
    // other CPU counts on the unchanged tree (what a user asks next): the saved run's parts serve, the
    // NR_CPUS arrays, the simulation and the rules are redone (resultCache.ts Siblings)
    const counts = ['--cpus', String(Number(o.cpus) * 4), '--nr-cpus', '4096'];
    const other = estimate(o, ['--cache-dir', dir, ...counts]);
    const op = other.json.stats.partsReused;
    row('other CPU counts', other, o, `${counts.join(' ')}: ${op ? `the saved run's parts serve (${op.redone} files redone)` : `run whole: ${other.json.stats.partsNotReused ?? '?'}`}`, GOAL_RATIO);
    // one file edited since the saved run: its parts serve for what the edit cannot reach (editReuse.ts)
    if (o.edit) afterEdit(o, dir, warm.json);
    else console.log(`${'after an edit'.padEnd(22)}  skipped: pass --edit to let the bench edit one file of the tree in place (put back after)`);
    // every stage, the other caches serving (what an edit cost before the parts were re-used)
    const rerun = estimate(o, ['--cache-dir', dir, '--no-result-cache']);
    const sr = rerun.json.stats.scan ?? {};
    row('warm, result not saved', rerun, o, `every stage again: ${sr.filesUnchanged ?? 0} files unchanged (not read), ${sr.filesCached ?? 0} from the content cache`, GOAL_RATIO);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The edit: a per-CPU variable's type in kernel/softirq.c (scripts/lib/edits.js), else a comment added to the file of the first static per-CPU variable. */
function editOnce(dir, r) {
  try { return { what: 'kernel/softirq.c: DEFINE_PER_CPU(int -> long, hardirq_context)', undo: EDITS['percpu-type'](dir) }; } catch { /* not that kernel */ }
  const f = r.static.variables[0]?.file;
  if (!f) throw new Error('no per-CPU variable to edit beside');
  const p = path.join(dir, f);
  const was = fs.readFileSync(p);
  fs.appendFileSync(p, '\n/* bench edit */\n');
  return { what: `${f}: a comment added`, undo: () => fs.writeFileSync(p, was) };
}

/** The "after an edit" rows: one file edited (a human's edit is seconds before the run, outside the stat caches' racy window), then put back. */
function afterEdit(o, dir, warm) {
  editRows(o, dir, editOnce(o.dir, warm), 'after an edit');
  // a header most drivers include (a pull or a checkout changes such headers too): the saved header
  // index takes it read again, the parts serve for the files it cannot reach (editReuse.ts)
  let header;
  try { header = { what: 'include/linux/u64_stats_sync.h: a member added to struct u64_stats_sync', undo: EDITS['wide-header'](o.dir) }; } catch { return; } // not that kernel
  editRows(o, dir, header, 'after a header edit');
}

function editRows(o, dir, e, label) {
  const settle = () => require('child_process').execFileSync('sleep', ['2.2']);
  let edited;
  try {
    settle();
    edited = estimate(o, ['--cache-dir', dir]);
  } finally {
    e.undo();
  }
  const note = (r) => { const p = r.json.stats.partsReused; return p ? `parts reused: ${p.changed} file(s) changed, ${p.redone} redone` : `run whole: ${r.json.stats.partsNotReused ?? '?'}`; };
  row(label, edited, o, `${e.what}; ${note(edited)}`, GOAL_RATIO);
  settle();
  const back = estimate(o, ['--cache-dir', dir]);
  row(`${label}: put back`, back, o, note(back), GOAL_RATIO);
}

try {
  main();
} catch (err) {
  console.error(`bench estimate: ${err.message}`);
  process.exit(1);
}
