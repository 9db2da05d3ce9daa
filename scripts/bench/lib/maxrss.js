// Preloaded with `node -r` into a benchmarked child: on exit, writes the process's peak RSS in bytes
// and its CPU time in ms (user + system; worker threads included, they share the process) to the
// file named by PERCPU_BENCH_RSS_FILE.
const fs = require('fs');
const { isMainThread } = require('worker_threads');

const out = process.env.PERCPU_BENCH_RSS_FILE;
if (out && isMainThread) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    fs.writeFileSync(out, `${u.maxRSS * 1024} ${(u.userCPUTime + u.systemCPUTime) / 1000}`);
  });
}
