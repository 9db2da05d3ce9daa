// Peak-memory settings for whole-tree runs in a process of their own: the CLI's, and the editor's
// estimate process (vscode/estimateWorker.ts). Never in the extension host or the editor's analysis
// server: these process-wide V8 settings and pauses would be imposed on everything else there.
import * as v8 from 'v8';
import * as vm from 'vm';

/**
 * Keeps tree-sitter's WebAssembly on V8's baseline compiler. Tiering it up compiles in background
 * threads whose scratch memory (~40 MB, heaptrack) stays in glibc's per-thread arenas after use;
 * the scan hands tree-sitter ~2 MB of a kernel tree, so the faster code would not pay for itself.
 * Must run before the grammar is compiled; the scan's worker threads share the setting.
 */
export function baselineWasm(): void {
  try {
    v8.setFlagsFromString('--liftoff-only');
  } catch {
    // an engine without the flag: only memory is lost
  }
}

/**
 * Gives the scan's worker threads the young generation their resourceLimits ask (scanTree.ts):
 * the command line's --max-semi-space-size (launch.json) is a V8 flag of the whole process and
 * gave each worker the main thread's 2 x 8 MB. V8 reads it when it makes an isolate, so cleared
 * once the main thread's heap is set up, it no longer reaches the workers (Debian amd64 cold and
 * --no-cache runs: ~20 MB less while the scan runs beside the main thread).
 */
export function workerYoungGeneration(): void {
  try {
    v8.setFlagsFromString('--max-semi-space-size=0');
  } catch {
    // an engine without the flag: the workers keep what it gives them
  }
}

/** V8's interrupt budget for whole-tree runs, three times its default of 67584 (tierUpLater). */
const INTERRUPT_BUDGET = 200000;

/**
 * Lets V8 optimize a function once about three times as much of its bytecode has run: a cold
 * distro-config run spent ~3.7 s of its ~28 s of CPU in TurboFan, each of its isolates optimizing
 * its own hot functions and optimizing again those that deoptimized on type feedback they had not
 * seen yet (README, Memory). Set here, not on the command line, and only on V8 11 (node 20), where
 * it was measured: node 24's V8 has no such flag, refuses to start with it and prints an error when
 * it is set. Before the workers start (they share the process's flags). Whether it was set.
 */
export function tierUpLater(v8version = process.versions.v8): boolean {
  if (Number(v8version.split('.')[0]) !== 11) return false;
  try {
    v8.setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
    return true;
  } catch {
    return false;
  }
}

/** The settings every whole-tree command (estimate, scan, diff) makes before its first file: the three above. */
export function wholeTreeRun(): void {
  baselineWasm();
  workerYoungGeneration();
  tierUpLater();
}

/** heap growth since the last collection that triggers the next one */
const GROWTH = 48 * 1024 * 1024;
/**
 * ... while what is in use stays under CAP; past it the growth allowed shrinks to MIN_GROWTH. A
 * distro config holds ~150 MB live at the end of sizing: there a 48 MB wait set the run's peak
 * (Debian amd64, every stage: 331 -> 305 MiB, CPU +1%, paired runs). Early in a run, and on
 * smaller configs (x86_64 defconfig stays under CAP - GROWTH), nothing changes.
 */
const CAP = 160 * 1024 * 1024;
const MIN_GROWTH = 16 * 1024 * 1024;
/**
 * The same for a short run (diff's NEW re-using saved parts, ~1 s): its garbage is what a few files
 * and their headers leave; collecting at every 48 MB cost ~0.25 s of its CPU for ~80 MB less peak.
 * It holds OLD's state beside it, so it is past RSS_SOFT: given with no cap and no RSS limit.
 */
export const SHORT_GROWTH = 128 * 1024 * 1024;

/** The growth to wait for after a collection left `after` bytes in use. */
export function growthAllowed(after: number, growth = GROWTH, cap = CAP): number {
  return Math.max(Math.min(growth, MIN_GROWTH), Math.min(growth, cap - after));
}

/**
 * Past this resident size the growth allowed is MIN_GROWTH whatever the heap holds: the process
 * holds more than V8's heap (the scan's workers, WebAssembly, buffers), and on a distro config a
 * 36 MB wait on top of ~260 MB set the cold run's peak in the rules' cross-file passes (Debian amd64:
 * ~296 MiB; the every-stage run stays under it and collects as before).
 */
const RSS_SOFT = 256 * 1024 * 1024;
/**
 * Far under the resident limit (more than RSS_MARGIN), the RSS is read again only this many ms
 * after the last read: it is a /proc read, and once the heap had grown 16 MB each pause read it
 * (the rules' cross-file pass of a run after an edit, ~180 MB resident, pauses once per file: ~30
 * ms of a 2.4 s run). Nearer the limit, at every pause as before: throttled there too, Debian
 * amd64's every-stage run (~256 MB at its end) peaked ~10 MiB higher.
 */
export const RSS_EVERY_MS = 10;
const RSS_MARGIN = 32 * 1024 * 1024;

/** Whether to collect now: the heap grew by `wait` since the last collection, or by MIN_GROWTH with the process past `soft` bytes resident. */
export function collectNow(grown: number, wait: number, rss: () => number, soft = RSS_SOFT): boolean {
  // without a resident limit (diff's short runs) the RSS is not read: a read is a /proc read, and a
  // run waiting for 128 MB of growth asked it at every pause past 16 MB (~55 ms of a diff)
  return grown >= wait || (soft < Infinity && grown >= Math.min(wait, MIN_GROWTH) && rss() > soft);
}

/**
 * Bytes in use outside the young generation. The young generation is bounded (launch.json's
 * semi-space) and emptied by every scavenge: counted in the growth, its churn alone called full
 * collections (a cold Debian amd64 run: 15 forced ones instead of 10; paired, CPU 0.95x, peak +5 MiB).
 */
function oldGenerationUsed(): number {
  let n = 0;
  for (const s of v8.getHeapSpaceStatistics()) if (!s.space_name.startsWith('new_')) n += s.space_used_size;
  return n;
}

/**
 * `read` (the RSS) for collectNow: after a read more than RSS_MARGIN under `soft`, not again for
 * RSS_EVERY_MS of `clock`, answering 0 meanwhile; else at every call. reset() after a collection.
 */
export function throttledRss(read: () => number, soft: number, clock: () => number = () => performance.now()): { get: () => number; reset: () => void } {
  let next = -Infinity; // when the RSS is read again
  return {
    get: () => {
      const t = clock();
      if (t < next) return 0;
      const r = read();
      next = r < soft - RSS_MARGIN ? t + RSS_EVERY_MS : -Infinity;
      return r;
    },
    reset: () => { next = -Infinity; },
  };
}

/**
 * A compactor for EstimateOptions.compact, or undefined where V8 does not offer gc(). Reading a
 * kernel tree's headers leaves hundreds of MB of dead strings that V8 keeps as heap rather than
 * collect early, while the live data is ~70-150 MB: a full collection when the old generation has
 * grown by GROWTH (growthAllowed) keeps the peak RSS near the live size, for ~50-120 ms each time.
 */
export function heapCompactor(growth = GROWTH, cap = CAP, soft = RSS_SOFT): ((now?: boolean) => void) | undefined {
  let gc: (() => void) | undefined;
  try {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
  if (typeof gc !== 'function') return undefined;
  const used = oldGenerationUsed;
  let after = used();
  let wait = growthAllowed(after, growth, cap);
  const rss = throttledRss(() => process.memoryUsage.rss(), soft);
  return (now = false) => {
    if (!now && !collectNow(used() - after, wait, rss.get, soft)) return;
    gc!();
    after = used();
    wait = growthAllowed(after, growth, cap);
    rss.reset();
  };
}
