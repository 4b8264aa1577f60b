import { parentPort, workerData } from 'node:worker_threads';
import type { FreeRunLayout } from './free-run-layout.js';
import { followLimit } from './free-run-share-loop.js';

/** One share of a paced free run (simulator/free-run/free-run-threads.ts): runs up to the limit word until it says finished. */
const { memory, module, layout, share, limit } = workerData as {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  layout: FreeRunLayout;
  share: number;
  limit: number;
};
parentPort!.postMessage({ ready: true });
followLimit(memory, layout, share, limit, module);
