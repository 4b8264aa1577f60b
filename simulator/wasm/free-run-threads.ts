import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { publish } from './barrier.js';
import type { FreeRunMemory } from './free-run-layout.js';
import { runShareLoop } from './free-run-share-loop.js';
import { compiledKernels } from './kernels.js';

/**
 * The shares of a free run in parallel: share 0 in this thread, each other share in a worker thread, every one
 * waiting only for the others' previous step. Timed from the common start (after the workers have loaded, as the
 * C baseline excludes building its network) to this thread's last step and the workers' reports. Only from the
 * compiled package: the worker is a .js file.
 */
export async function runSharesInThreads(run: FreeRunMemory): Promise<{ spikes: number; events: number; seconds: number }> {
  const { memory, layout } = run;
  const parties = layout.shares.length;
  const gate = run.arena.int32OwnLines(1);
  const workerFile = fileURLToPath(new URL('./free-run-worker.js', import.meta.url));
  const module = compiledKernels();
  const workers = Array.from({ length: parties - 1 }, (_, k) => new Worker(workerFile, { workerData: { memory, module, layout, share: k + 1, start: gate.byteOffset } }));
  const ready = workers.map((w) => new Promise<void>((resolve, reject) => {
    w.once('message', () => resolve());
    w.once('error', reject);
  }));
  const finished = workers.map(
    (w) =>
      new Promise<{ events: number; spikes: number }>((resolve, reject) => {
        w.on('message', (message: { events?: number; spikes?: number }) => {
          if (message.events !== undefined) resolve({ events: message.events, spikes: message.spikes ?? 0 });
        });
        w.on('error', reject);
      }),
  );
  // Awaited below once this thread's share is done; a worker failing before then must not count as unhandled.
  for (const f of finished) f.catch(() => undefined);
  try {
    await Promise.all(ready);
    const started = performance.now();
    publish(gate, 0, 1);
    const mine = runShareLoop(memory, layout, 0);
    const reports = await Promise.all(finished);
    const seconds = (performance.now() - started) / 1000;
    return {
      spikes: reports.reduce((sum, r) => sum + r.spikes, mine.spikes),
      events: reports.reduce((sum, r) => sum + r.events, mine.events),
      seconds,
    };
  } finally {
    // A share that failed has released the others (free-run-share-loop.ts); stop whatever still runs.
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
