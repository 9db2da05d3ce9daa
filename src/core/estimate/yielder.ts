// Long synchronous loops (sizing thousands of findings, the rules) would hold the event loop for
// seconds; the editor's cancel request and progress need it back every few tens of milliseconds.

/**
 * A function to await inside loops: yields to the event loop when `everyMs` has passed, and throws
 * once `signal` is aborted. `onYield` runs at each yield (EstimateOptions.compact).
 */
export function yielder(signal?: AbortSignal, everyMs = 30, onYield?: () => void): () => Promise<void> {
  let last = Date.now();
  return async () => {
    if (Date.now() - last >= everyMs) {
      onYield?.();
      await new Promise<void>((r) => setImmediate(r));
      last = Date.now();
    }
    if (signal?.aborted) throw new Error('cancelled');
  };
}
