// Worker thread entry: the include dirs' raw index and wrapper graph (headerIndex, WrapperGraph),
// built while the estimate's thread reads Kbuild. The build's -I dirs come as Kbuild finds them
// ({ dirs }: indexed after the arch's own, in their order, while this thread would otherwise wait);
// { done } asks for the one reply, then the thread ends.
import * as path from 'path';
import { parentPort, workerData } from 'worker_threads';
import type { ArchName } from '../config/arch';
import { headerIndex, type TypeIndex } from '../layout/typeIndex';
import { SNAPSHOT_ARRAYS } from '../layout/nameIndex';
import { WrapperGraph } from './wrappers';

const { arch, root } = workerData as { arch: ArchName; root: string };
const graph = new WrapperGraph();
const observe = (f: string, text: string) => graph.add(text, f);
let index: TypeIndex | undefined;
let failed: string | undefined;
try {
  index = headerIndex(arch, root, observe);
} catch (e) {
  failed = String((e as Error)?.message ?? e);
}

function reply(): void {
  let m: object;
  const transfer: ArrayBuffer[] = [];
  try {
    const raw = failed === undefined ? index?.exportRaw() : undefined;
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
    m = raw ? { raw, extra: graph.toJSON() } : { error: failed ?? 'no raw index' };
  } catch (e) {
    m = { error: String((e as Error)?.message ?? e) };
    transfer.length = 0;
  }
  parentPort!.postMessage(m, transfer);
  parentPort!.off('message', onMessage); // nothing keeps the thread then: it ends
}

function onMessage(m: { dirs?: string[]; done?: boolean }): void {
  if (m.dirs && index && failed === undefined) {
    try {
      index.addIncludeDirs(m.dirs.map((d) => path.resolve(root, d)), observe);
    } catch (e) {
      failed = String((e as Error)?.message ?? e);
    }
  }
  if (m.done) reply();
}
parentPort!.on('message', onMessage);
