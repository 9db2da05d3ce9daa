// Worker thread entry: the include dirs' raw index and wrapper graph (headerRaw, WrapperGraph),
// built while the estimate's thread reads Kbuild; one reply, then the thread ends.
import { parentPort, workerData } from 'worker_threads';
import type { ArchName } from '../config/arch';
import { headerRaw } from '../layout/typeIndex';
import { SNAPSHOT_ARRAYS } from '../layout/nameIndex';
import { WrapperGraph } from './wrappers';

const { arch, root } = workerData as { arch: ArchName; root: string };
let reply: object;
const transfer: ArrayBuffer[] = [];
try {
  const graph = new WrapperGraph();
  const raw = headerRaw(arch, root, (f, text) => graph.add(text, f));
  if (raw) {
    // each array as its own exact buffer, moved, not copied: the index's are views of buffers up to
    // twice their size, which a structured clone would copy whole (~20 MB more on the estimate's thread)
    for (const ix of Object.values(raw.index)) {
      for (const k of SNAPSHOT_ARRAYS) {
        const a = ix[k].slice();
        (ix as unknown as Record<string, unknown>)[k] = a;
        transfer.push(a.buffer);
      }
    }
  }
  reply = raw ? { raw, extra: graph.toJSON() } : { error: 'no raw index' };
} catch (e) {
  reply = { error: String((e as Error)?.message ?? e) };
  transfer.length = 0;
}
parentPort!.postMessage(reply, transfer);
