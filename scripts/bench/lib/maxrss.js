// Preloaded with `node -r` into a benchmarked child: on exit, writes the process's peak RSS (worker
// threads included, they share the process) to the file named by PERCPU_BENCH_RSS_FILE.
const fs = require('fs');
const { isMainThread } = require('worker_threads');

const out = process.env.PERCPU_BENCH_RSS_FILE;
if (out && isMainThread) {
  process.on('exit', () => fs.writeFileSync(out, String(process.resourceUsage().maxRSS * 1024)));
}
