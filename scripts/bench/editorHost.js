// The extension host's side of the editor, driven without VS Code: the same src/vscode modules the
// extension bundles (profile.ts, forkedCore.ts, realCore.ts), run in this process as if it were the
// host. Reports this process's RSS (baseline, peak during a whole-tree estimate, settled after),
// the estimate child's peak RSS, the progress messages per phase, how fast a cancel settles, and
// the time to the first analysis (what the first inlay hint waits for) of big files.
// Usage: node --expose-gc scripts/bench/editorHost.js [TREE] [--config FILE|debian:FLAVOUR] [--file REL]...
// (after npm run build; `npm run bench` passes its own arguments)
const { loadBundle } = require('./lib/bundle');
const { GOAL_P95_MS, pct } = require('./lib/latency');
const fs = require('fs');
const path = require('path');

const { benchArgs, configFile, ROOT } = require('./lib/args');

/** the biggest .c file under `tree`, as a path relative to it */
function biggestC(tree) {
  let best;
  for (const e of fs.readdirSync(tree, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.c')) continue;
    const f = path.join(e.parentPath, e.name);
    const size = fs.statSync(f).size;
    if (!best || size > best.size) best = { f, size };
  }
  return best ? [path.relative(tree, best.f)] : [];
}

function load() {
  // compiled as if it sat in dist/: it forks dist/estimateWorker.js as the extension does
  return loadBundle("export { ForkedCore } from './src/vscode/forkedCore'; export { resolveProfile } from './src/vscode/profile'; export { parseSettings } from './src/vscode/settings';",
    'dist/editor-host-bench.js');
}

const mb = (b) => Math.round(b / 1048576);
const rssOf = (pid) => {
  try { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024; } catch { return 0; }
};
const children = () => {
  try {
    return fs.readdirSync('/proc/self/task').flatMap((t) => fs.readFileSync(`/proc/self/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  } catch { return []; }
};
const gc = () => { if (global.gc) { global.gc(); global.gc(); } };


/**
 * Re-analysis after edits of an open file, as the editor runs it after a typing pause: a member
 * added to the file's first struct and taken out again (edits the layout sees), and a statement
 * added inside a function and taken out (edits it does not): 40 analyses of each (20 in, 20 out) after 8 to warm up.
 */
async function edits(core, f, rel, settings, tree) {
  const text = fs.readFileSync(f, 'utf8');
  const s = /^struct \w+ \{\n/m.exec(text);
  const b = /^\)?\s*\{\n/m.exec(text.slice(s ? s.index + s[0].length : 0));
  if (!s || !b) return;
  const at = { types: s.index + s[0].length, body: s.index + s[0].length + b.index + b[0].length };
  const line = { types: '\tint percpu_lens_bench;\n', body: '\tbarrier();\n' };
  for (const kind of ['types', 'body']) {
    const ms = [];
    for (let i = 0; i < 48; i++) {
      const t = i % 2 === 0 ? text.slice(0, at[kind]) + line[kind] + text.slice(at[kind]) : text;
      const t0 = performance.now();
      await core.analyzeFile(f, t, settings, tree);
      if (i >= 8) ms.push(performance.now() - t0);
    }
    const p95 = pct(ms, 95);
    console.log(`  ${rel}, ${kind === 'types' ? 'a struct member added/removed' : 'a statement added/removed in a function'}: p50 ${pct(ms, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (goal p95 <= ${GOAL_P95_MS} ms: ${p95 <= GOAL_P95_MS ? 'met' : 'NOT met'})`);
  }
}

async function main() {
  const args = benchArgs();
  const tree = args.dir;
  // the first --config (the bench's lightest); none: the profile's defaults
  const config = configFile(args.configs[0], args.dir) ?? '';
  const m = load();
  const { settings, profile } = m.resolveProfile(m.parseSettings((k) => ({ configPath: config, possibleCpus: 0 })[k]), (f) => fs.readFileSync(f, 'utf8'), tree);
  console.log(`profile: ${profile.arch}, NR_CPUS ${profile.nrCpus} (${profile.nrCpusFrom}), possible ${profile.possibleCpus}, page ${profile.pageSize}, ${profile.configPath}${profile.problems.length ? `; ${profile.problems.join('; ')}` : ''}`);
  const cacheDir = process.env.PERCPU_LENS_CACHE ? path.join(process.env.PERCPU_LENS_CACHE, 'scan') : undefined;
  const core = new m.ForkedCore({ cacheDir });
  gc();
  console.log(`host RSS after load: ${mb(process.memoryUsage().rss)} MB`);

  // two 12k-line files of a kernel tree; elsewhere (the sample tree) its biggest .c file
  let files = args.files.length ? args.files : ['kernel/sched/core.c', 'net/core/dev.c'].filter((f) => fs.existsSync(path.join(tree, f)));
  if (!files.length) files = biggestC(tree);
  for (const rel of files) {
    const f = path.join(tree, rel);
    const text = fs.readFileSync(f, 'utf8');
    const t0 = performance.now();
    const a = await core.analyzeFile(f, text, settings, tree);
    const ms = performance.now() - t0;
    const sized = a.items.filter((i) => i.bytesPerCpu !== undefined).length;
    console.log(`first analysis of ${rel} (${text.split('\n').length} lines): ${Math.round(ms)} ms, ${a.items.length} items (${sized} sized), ${a.diagnostics.length} diagnostics`);
  }
  for (const rel of files) await edits(core, path.join(tree, rel), rel, settings, tree);
  gc();
  console.log(`host RSS after opening the files: ${mb(process.memoryUsage().rss)} MB`);

  let peak = 0;
  let childPeak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    for (const c of children()) childPeak = Math.max(childPeak, rssOf(c));
  }, 50);
  const phases = [];
  let lastMsg = performance.now();
  let maxGap = 0;
  const t0 = performance.now();
  const view = await core.estimate(tree, settings, new AbortController().signal, (done, total, phase) => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - lastMsg);
    lastMsg = now;
    const p = phases[phases.length - 1];
    if (!p || p.phase !== phase) phases.push({ phase, at: now - t0, msgs: 1, last: `${done}/${total}` });
    else { p.msgs++; p.last = `${done}/${total}`; }
  });
  const ms = performance.now() - t0;
  clearInterval(sampler);
  console.log(`estimate: ${Math.round(ms)} ms, ${view.filesScanned} files, ${view.static.length} statics, ${view.dynamic.callsites.length} call sites, NR_CPUS ${view.nrCpus}, possible ${view.possibleCpus}, ${view.configPath}`);
  for (const p of phases) console.log(`  ${String(Math.round(p.at)).padStart(6)} ms  ${p.phase.padEnd(14)} ${String(p.msgs).padStart(4)} messages, last ${p.last}`);
  console.log(`  longest time without a progress message: ${Math.round(maxGap)} ms`);
  console.log(`host RSS peak during the estimate: ${mb(peak)} MB; estimate process peak: ${mb(childPeak)} MB`);
  await new Promise((r) => setTimeout(r, 2000));
  gc();
  console.log(`host RSS settled after the estimate: ${mb(process.memoryUsage().rss)} MB`);

  for (const after of [500, 3000, 8000]) {
    const ac = new AbortController();
    const run = core.estimate(tree, settings, ac.signal, () => {});
    await new Promise((r) => setTimeout(r, after));
    const c0 = performance.now();
    ac.abort();
    const how = await run.then(() => 'finished', (e) => e.message);
    const kids = children();
    console.log(`cancel after ${after} ms: settled in ${(performance.now() - c0).toFixed(1)} ms (${how}); child processes left: ${kids.length}`);
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
