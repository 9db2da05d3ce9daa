// grep over the files the estimate reads, the bench's yardstick (estimate.js, diff.js): `grep -rlE`
// over the trigger words on *.c and *.h outside the default-excluded folders, page cache warmed by a first run.
const fs = require('fs');
const path = require('path');
const { runTimed } = require('./run');

const ROOT = path.join(__dirname, '..', '..', '..');

/** TRIGGER_RE of src/core/parse/triggers.ts as a POSIX ERE (read from the source so they cannot drift). */
function triggerEre() {
  const src = fs.readFileSync(path.join(ROOT, 'src', 'core', 'parse', 'triggers.ts'), 'utf8');
  const m = /export const TRIGGER_RE =\s*\/(.+)\/g;/.exec(src);
  if (!m) throw new Error('TRIGGER_RE not found in triggers.ts');
  return m[1].replace(/\(\?:/g, '(');
}

/** Top-level folders the estimate skips by default (DEFAULT_EXCLUDE's `name/**` globs), so grep reads the same files. */
function defaultExcludedDirs() {
  const src = fs.readFileSync(path.join(ROOT, 'src', 'core', 'estimate', 'index.ts'), 'utf8');
  const m = /DEFAULT_EXCLUDE[^=]*=\s*\[([^\]]*)\]/.exec(src);
  return new Set(m ? [...m[1].matchAll(/'([^'/*]+)\/\*\*'/g)].map((x) => x[1]) : []);
}

function grepArgs(dir) {
  const skip = defaultExcludedDirs();
  const tops = fs.readdirSync(dir).filter((e) => !skip.has(e)).map((e) => path.join(dir, e));
  return ['-rlE', '--include=*.c', '--include=*.h', triggerEre(), ...tops];
}

/** One timed grep over `dir` (the page cache as it is). */
function grepOnce(dir) {
  const r = runTimed('grep', grepArgs(dir));
  if (r.error || (r.status !== 0 && r.status !== 1)) throw new Error(`grep failed: ${r.error?.message ?? r.stderr}`);
  return { ms: r.ms, files: r.stdout.split('\n').filter(Boolean).length };
}

/** grep over `dir` after a first run that warms the page cache. */
function grep(dir) {
  grepOnce(dir);
  return grepOnce(dir);
}

module.exports = { grep, grepOnce };
