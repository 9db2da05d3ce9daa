// Runs a command as a child and reports wall time, exit status, output and (for node children
// preloaded with maxrss.js) the child's peak RSS in bytes and CPU time in ms.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const now = () => Number(process.hrtime.bigint()) / 1e6;

function runTimed(cmd, args, opts = {}) {
  const t0 = now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  return { ms: now() - t0, status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

/** Runs `node [nodeArgs] script args` with the peak-RSS hook. */
function runNode(script, args, { nodeArgs = [], env = {} } = {}) {
  const rssFile = path.join(os.tmpdir(), `percpu-bench-rss-${process.pid}-${Date.now()}`);
  const r = runTimed(process.execPath, ['-r', path.join(__dirname, 'maxrss.js'), ...nodeArgs, script, ...args], {
    env: { ...process.env, ...env, PERCPU_BENCH_RSS_FILE: rssFile },
  });
  try {
    const [rss, cpu] = fs.readFileSync(rssFile, 'utf8').split(' ').map(Number);
    fs.rmSync(rssFile);
    r.maxRss = rss;
    r.cpuMs = Number.isFinite(cpu) ? cpu : undefined;
  } catch {
    r.maxRss = undefined;
  }
  return r;
}

module.exports = { now, runTimed, runNode };
