import { parentPort, workerData } from 'node:worker_threads';
import { arriveAndWait } from './barrier.js';
import { FreeRunShare, type FreeRunLayout } from './free-run-wasm.js';

/** One share of a threaded free run (simulator/wasm/free-run-threads.ts): its steps between the common barriers. */
const { memory, layout, share } = workerData as { memory: WebAssembly.Memory; layout: FreeRunLayout; share: number };
const runner = new FreeRunShare(memory, layout, share);
const sync = new Int32Array(memory.buffer, layout.barrier, 2);
const parties = layout.shares.length;
parentPort!.postMessage({ ready: true });
arriveAndWait(sync, parties);
for (let t = 0; t < layout.steps; t++) {
  runner.step(t);
  arriveAndWait(sync, parties);
}
parentPort!.postMessage({ events: runner.events });
