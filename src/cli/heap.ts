// Garbage collection between the estimate's phases (EstimateOptions.compact). Reading a kernel
// tree's headers leaves hundreds of MB of dead strings that V8 keeps as heap rather than collect
// early; the live data is ~70-130 MB. A full collection when the heap has grown by GROWTH since the
// last one keeps the peak RSS near the live size, for ~50 ms each time. CLI only: in the shared
// extension host the flag and the pauses would be imposed on every other extension.
import * as v8 from 'v8';
import * as vm from 'vm';

const GROWTH = 48 * 1024 * 1024;

/** A compactor, or undefined where V8 does not offer gc() (the estimate then runs as before). */
export function heapCompactor(): (() => void) | undefined {
  let gc: (() => void) | undefined;
  try {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
  if (typeof gc !== 'function') return undefined;
  const used = () => v8.getHeapStatistics().used_heap_size;
  let after = used();
  return () => {
    if (used() - after < GROWTH) return;
    gc!();
    after = used();
  };
}
