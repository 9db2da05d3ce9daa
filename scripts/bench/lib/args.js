// The bench's command line, shared by every scripts/bench/*.js (bench.js passes its argv to each):
// [DIR] [--config FILE|debian:FLAVOUR]... [--cpus N] [--file PATH]... [--edit]
// --edit: DIR may be edited in place (one file, restored after) for estimate's "after an edit" row.
const path = require('path');
const { spawnSync } = require('child_process');
const { argv } = require('../../lib/argv');

const ROOT = path.join(__dirname, '..', '..', '..');

function benchArgs() {
  const { values: v, positionals } = argv({
    options: { config: { type: 'string', multiple: true }, cpus: { type: 'string' }, file: { type: 'string', multiple: true }, edit: { type: 'boolean' } },
    allowPositionals: true,
  });
  return {
    dir: path.resolve(positionals[0] ?? path.join(ROOT, 'samples', 'kernel')),
    configs: v.config?.length ? v.config : [undefined],
    cpus: v.cpus ?? '8',
    files: v.file ?? [],
    edit: v.edit === true,
  };
}

/** A config argument as a file: `debian:FLAVOUR` is fetched (and cached) by scripts/debian-config.sh. */
function configFile(c) {
  if (!c || !c.startsWith('debian:')) return c;
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'debian-config.sh'), c.slice(7)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`could not fetch ${c}`);
  return r.stdout.trim();
}

module.exports = { benchArgs, configFile, ROOT };
