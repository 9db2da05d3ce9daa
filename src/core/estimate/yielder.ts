// Long synchronous loops (sizing thousands of findings, the rules) would hold the event loop for
// seconds; the editor's cancel request and progress need it back every few tens of milliseconds.

/** A function to await inside loops: yields to the event loop when `everyMs` has passed, and throws once `signal` is aborted. */
export function yielder(signal?: AbortSignal, everyMs = 30): () => Promise<void> {
  let last = Date.now();
  return async () => {
    if (Date.now() - last >= everyMs) {
      await new Promise<void>((r) => setImmediate(r));
      last = Date.now();
    }
    if (signal?.aborted) throw new Error('cancelled');
  };
}
