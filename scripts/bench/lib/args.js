// The bench's command line, shared by every scripts/bench/*.js (bench.js passes its argv to each):
// [DIR] [--config FILE|debian:FLAVOUR|defconfig:ARCH]... [--cpus N] [--file PATH]... [--edit] [--repeat N]
// (a kernel tree without --config: defconfig:x86_64 and debian:amd64)
// --edit: DIR may be edited in place (one file, restored after) for estimate's "after an edit" row.
// --repeat N: estimate.js measures every row N times (medians of the ratios at the end).
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { argv } = require('../../lib/argv');

const ROOT = path.join(__dirname, '..', '..', '..');

function benchArgs() {
  const { values: v, positionals } = argv({
    options: { config: { type: 'string', multiple: true }, cpus: { type: 'string' }, file: { type: 'string', multiple: true }, edit: { type: 'boolean' }, repeat: { type: 'string' } },
    allowPositionals: true,
  });
  const dir = path.resolve(positionals[0] ?? path.join(ROOT, 'samples', 'kernel'));
  return {
    dir,
    // a kernel tree is measured on the configs issue 16 names: its x86_64 defconfig and Debian's amd64 .config
    configs: v.config?.length ? v.config : isKernelTree(dir) ? ['defconfig:x86_64', 'debian:amd64'] : [undefined],
    cpus: v.cpus ?? '8',
    files: v.file ?? [],
    edit: v.edit === true,
    // estimate.js: every row this many times, each against its own grep, medians at the end
    repeat: Math.max(1, Number.parseInt(v.repeat ?? '1', 10) || 1),
  };
}

/** A tree with Kbuild's top files and the x86 defconfig (the bundled samples have none). */
const isKernelTree = (dir) => ['Makefile', 'Kbuild', 'arch/x86/configs/x86_64_defconfig'].every((f) => fs.existsSync(path.join(dir, f)));

/**
 * A config argument as a file: `debian:FLAVOUR` is fetched (and cached) by scripts/debian-config.sh,
 * `defconfig:ARCH` made from `dir`'s own defconfig by scripts/defconfig.sh (cached; nothing written in the tree).
 */
function configFile(c, dir) {
  const [kind, arg] = c ? c.split(/:(.*)/) : [];
  const script = kind === 'debian' ? ['debian-config.sh', arg] : kind === 'defconfig' ? ['defconfig.sh', dir, arg] : undefined;
  if (!script) return c;
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', script[0]), ...script.slice(1)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`could not make ${c}`);
  return r.stdout.trim();
}

module.exports = { benchArgs, configFile, ROOT };
