// Worker thread entry: scans the batches of files the pool sends, one reply per batch.
import { parentPort, workerData } from 'worker_threads';
import { scanFile, FileScanOptions } from './scanFile';

interface Init { root: string; opts: FileScanOptions }
const init = workerData as Init;

// The pool queues several batches ahead: they run one after another, in the order sent (a crash
// then belongs to the first batch not answered).
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (msg: { id: number; files: string[]; firstSeen?: boolean[] }) => {
  queue = queue.then(async () => {
    const results = [];
    for (let i = 0; i < msg.files.length; i++) results.push(await scanFile(init.root, msg.files[i], init.opts, msg.firstSeen?.[i]));
    parentPort!.postMessage({ id: msg.id, results });
  });
});
