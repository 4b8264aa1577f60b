import { parentPort, workerData } from 'node:worker_threads';
import type { FreeRunLayout } from './free-run-layout.js';
import { runShareLoop } from './free-run-share-loop.js';

/** One share of a threaded free run (simulator/wasm/free-run-threads.ts), started when the parent says go. */
const { memory, module, layout, share, start } = workerData as {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  layout: FreeRunLayout;
  share: number;
  start: number;
};
const gate = new Int32Array(memory.buffer, start, 1);
parentPort!.postMessage({ ready: true });
while (Atomics.load(gate, 0) === 0) Atomics.wait(gate, 0, 0);
const runner = runShareLoop(memory, layout, share, module);
parentPort!.postMessage({ events: runner.events, spikes: runner.spikes });
