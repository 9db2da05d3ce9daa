// The editor's latency goal (issue 16: incremental re-analysis p95 <= 30 ms) and the percentile the
// benches report it with (incremental.js, editorHost.js; estimate.js's medians too).
const GOAL_P95_MS = 30;

/** The p-th percentile of xs (nearest rank). */
function pct(xs, p) {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

module.exports = { GOAL_P95_MS, pct };
