// Which one-file edits an estimate can answer from its saved parts, and why the others run every
// stage: the tree is estimated once (its parts saved), then editReuseFor (src/core/estimate/
// editReuse.ts) is asked for every built file and every header of the saved include graph as if it
// had been edited in place (its text as it is: a header keeps its saved shape, so this counts a
// members-only header edit). A report run by hand (~10 min under a distro config), not a test.
// Usage: npm run edit-survey -- TREE [--config FILE] [--cpus N] [--cache-dir DIR]
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { argv } = require('./lib/argv');

const { values: v, positionals: args } = argv({
  options: { cpus: { type: 'string', default: '8' }, config: { type: 'string' }, 'cache-dir': { type: 'string' } },
  allowPositionals: true,
});
const tree = path.resolve(args[0] ?? '/work/kernel/linux-source-6.12');
const out = path.join(__dirname, '..', 'out', 'src', 'core');
if (!fs.existsSync(path.join(out, 'estimate', 'editReuse.js'))) {
  console.error('edit-survey: run `npx tsc -p tsconfig.test.json` first (npm run edit-survey does)');
  process.exit(2);
}
const { editReuseFor } = require(path.join(out, 'estimate', 'editReuse.js'));
const { includedObjects, kbuildCond, localIncludeDirectives } = require(path.join(out, 'config', 'kbuild.js'));
const { parseDotConfig } = require(path.join(out, 'config', 'kconfig.js'));

const cacheDir = v['cache-dir'] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pcpu-survey-'));
const started = Date.now();
execFileSync(process.execPath, [path.join(__dirname, '..', 'dist', 'cli.js'), 'estimate', tree, '--cpus', v.cpus, '--json', '--cache-dir', cacheDir, ...(v.config ? ['--config', v.config] : [])], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 30 });
// the parts the run just saved (or took: the newest of this cache)
const results = path.join(cacheDir, 'results');
const saved = fs.readdirSync(results).filter((f) => f.endsWith('.parts.json')).map((f) => path.join(results, f)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
if (!saved) { console.error(`edit-survey: no parts saved in ${results} (a tree edited within the last seconds keeps none: run again)`); process.exit(1); }
const parts = JSON.parse(fs.readFileSync(saved, 'utf8')).parts;
const cfgFile = v.config ?? path.join(tree, '.config');
const cond = fs.existsSync(cfgFile) ? kbuildCond(parseDotConfig(fs.readFileSync(cfgFile, 'utf8'), cfgFile)) : () => true;
// as the estimate's runner gives it (index.ts afterEdit)
const localObjects = (file, text, taken) => { const d = localIncludeDirectives(text); return d ? includedObjects(file, d, cond, (rel) => fs.existsSync(path.join(tree, rel)), taken) : []; };
const read = (enc) => (f) => { try { return fs.readFileSync(path.join(tree, f), enc); } catch { return undefined; } };
const files = [...new Set([...parts.kb.objects.map((o) => o.file), ...parts.includes.files.filter((f) => !path.isAbsolute(f) && f.endsWith('.h'))])].filter((f) => /\.[ch]$/.test(f));
const why = new Map();
for (const f of files) {
  const r = editReuseFor(parts, [f], read('utf8'), false, read('latin1'), new Set(), localObjects);
  if (typeof r !== 'string') continue;
  const k = r.split(f).join('FILE');
  const e = why.get(k) ?? { n: 0, files: [] };
  e.n++;
  if (e.files.length < 4) e.files.push(f);
  why.set(k, e);
}
const whole = [...why.values()].reduce((a, e) => a + e.n, 0);
console.log(`${files.length} built files and headers of the saved include graph; ${whole} would run every stage if edited (${((Date.now() - started) / 1000).toFixed(0)} s)`);
for (const [k, e] of [...why].sort((a, b) => b[1].n - a[1].n)) console.log(`${String(e.n).padStart(6)}  ${k}  (${e.files.join(', ')}${e.n > e.files.length ? ', ...' : ''})`);
if (!v['cache-dir']) fs.rmSync(cacheDir, { recursive: true, force: true });
