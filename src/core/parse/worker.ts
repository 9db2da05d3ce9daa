// Worker thread entry: scans the batches of files the pool sends, one reply per batch.
import { parentPort, workerData } from 'worker_threads';
import { scanFile, FileScanOptions } from './scanFile';

interface Init { root: string; opts: FileScanOptions }
const init = workerData as Init;

// The pool queues several batches ahead: they run one after another, in the order sent (a crash
// then belongs to the first batch not answered).
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (msg: { id: number; files: string[] }) => {
  queue = queue.then(async () => {
    const results = [];
    for (const f of msg.files) results.push(await scanFile(init.root, f, init.opts));
    parentPort!.postMessage({ id: msg.id, results });
  });
});
