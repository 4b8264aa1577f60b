import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { arriveAndWait } from './barrier.js';
import { countIndex, FreeRunShare, type FreeRunMemory } from './free-run-wasm.js';

/**
 * The shares of a free run in parallel: share 0 in this thread, each other share in a worker thread, meeting at a
 * barrier after every step. Timed from the first common barrier to the last (worker start-up excluded, as the
 * C baseline excludes building its network). Only from the compiled package: the worker is a .js file.
 */
export async function runSharesInThreads(run: FreeRunMemory): Promise<{ spikes: number; events: number; seconds: number }> {
  const { memory, layout } = run;
  const parties = layout.shares.length;
  const workerFile = fileURLToPath(new URL('./free-run-worker.js', import.meta.url));
  const workers = Array.from({ length: parties - 1 }, (_, k) => new Worker(workerFile, { workerData: { memory, layout, share: k + 1 } }));
  const finished = workers.map(
    (w) =>
      new Promise<number>((resolve, reject) => {
        w.on('message', (message: { events?: number }) => message.events !== undefined && resolve(message.events));
        w.on('error', reject);
      }),
  );
  await Promise.all(workers.map((w) => once(w, 'online')));
  const mine = new FreeRunShare(memory, layout, 0);
  const sync = new Int32Array(memory.buffer, layout.barrier, 2);
  const counts = new Int32Array(memory.buffer, layout.counts, countIndex(2, 0, parties));
  arriveAndWait(sync, parties);
  const started = performance.now();
  let spikes = 0;
  for (let t = 0; t < layout.steps; t++) {
    mine.step(t);
    arriveAndWait(sync, parties);
    for (let j = 0; j < parties; j++) spikes += counts[countIndex(t & 1, j, parties)]!;
  }
  const seconds = (performance.now() - started) / 1000;
  const events = (await Promise.all(finished)).reduce((sum, e) => sum + e, mine.events);
  await Promise.all(workers.map((w) => w.terminate()));
  return { spikes, events, seconds };
}
