// Worker thread entry: scans the batches of files the pool sends, one reply per batch.
import { parentPort, workerData } from 'worker_threads';
import { scanFile, FileScanOptions } from './scanFile';

interface Init { root: string; opts: FileScanOptions }
const init = workerData as Init;

parentPort!.on('message', async (msg: { id: number; files: string[] }) => {
  const results = [];
  for (const f of msg.files) results.push(await scanFile(init.root, f, init.opts));
  parentPort!.postMessage({ id: msg.id, results });
});
