import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { publish, waitUntilAtLeast } from './barrier.js';
import { PROGRESS_STRIDE, type FreeRunMemory } from './free-run-layout.js';
import { ABANDONED, FINISHED } from './free-run-share-loop.js';
import { FreeRunShare } from './free-run-wasm.js';
import { compiledKernels } from '../wasm/kernels.js';
import { SharePacer, type PaceMode } from './share-pacer.js';

export interface ThreadedTotals {
  readonly spikes: number;
  readonly events: number;
  readonly seconds: number;
  /** Steps this thread ran alone, every share one after the other (the machine had no core to spare then). */
  readonly inlineSteps: number;
}

/**
 * The shares of a free run in parallel: share 0 in this thread, each other share in a worker thread, every one
 * waiting only for the others' previous step; or, chunk by chunk, every share in this thread when that runs faster
 * (a SharePacer decides: on a machine where another process takes a core, threads that meet every step lose to
 * one). Both ways give the same integers: each share's step runs once, after every share's previous step. Timed
 * from the common start (after the workers have loaded, as the C baseline excludes building its network) to the
 * last share's last step. Only from the compiled package: the worker is a .js file.
 */
export async function runSharesInThreads(run: FreeRunMemory, pacer = new SharePacer()): Promise<ThreadedTotals> {
  const { memory, layout } = run;
  const parties = layout.shares.length;
  // How far the workers may run; this thread moves it on for each threaded chunk.
  const limit = run.arena.int32OwnLines(1);
  const progress = new Int32Array(memory.buffer, layout.progress, parties * PROGRESS_STRIDE);
  const sleepers = new Int32Array(memory.buffer, layout.sleepers, 1);
  const workerFile = fileURLToPath(new URL('./free-run-worker.js', import.meta.url));
  const module = compiledKernels();
  const workers = Array.from({ length: parties - 1 }, (_, k) => new Worker(workerFile, { workerData: { memory, module, layout, share: k + 1, limit: limit.byteOffset } }));
  const ready = workers.map(
    (w) =>
      new Promise<void>((resolve, reject) => {
        w.once('message', () => resolve());
        w.once('error', reject);
      }),
  );
  const failed = Promise.race(workers.map((w) => new Promise<never>((_, reject) => w.on('error', reject))));
  // Awaited only once a share has published ABANDONED; a failure before then must not count as unhandled.
  failed.catch(() => undefined);
  const shares = layout.shares.map((_, k) => new FreeRunShare(memory, layout, k, module));
  const abandoned = () => layout.shares.some((_, k) => Atomics.load(progress, k * PROGRESS_STRIDE) === ABANDONED);
  const allReach = (step: number) => {
    for (let k = 1; k < parties; k++) waitUntilAtLeast(progress, k * PROGRESS_STRIDE, step, sleepers);
  };
  const runChunk = (mode: PaceMode, from: number, to: number) => {
    if (mode === 'threads') {
      publish(limit, 0, to);
      shares[0]!.run(from, to);
    } else {
      for (let t = from; t < to; t++) for (const share of shares) share.run(t, t + 1);
    }
  };
  try {
    await Promise.all(ready);
    const started = performance.now();
    let inlineSteps = 0;
    // A chunk is timed until the next one starts: a threaded chunk followed by an inline one includes the wait for
    // the workers to finish it (this thread is then about to run their shares). So the pacer hears of a chunk only
    // after it has chosen the next one.
    let previous: { mode: PaceMode; steps: number; started: number } | null = null;
    for (let t = 0; t < layout.steps && !abandoned();) {
      const mode = pacer.next();
      if (mode === 'inline' && previous?.mode === 'threads') allReach(t);
      const chunkStarted = performance.now();
      if (previous) pacer.record(previous.mode, previous.steps, (chunkStarted - previous.started) / 1000);
      const to = Math.min(layout.steps, t + pacer.chunkSteps());
      runChunk(mode, t, to);
      if (mode === 'inline') inlineSteps += to - t;
      previous = { mode, steps: to - t, started: chunkStarted };
      t = to;
    }
    allReach(layout.steps);
    const seconds = (performance.now() - started) / 1000;
    if (abandoned()) await failed;
    return {
      spikes: shares.reduce((sum, s) => sum + s.spikes, 0),
      events: shares.reduce((sum, s) => sum + s.events, 0),
      seconds,
      inlineSteps,
    };
  } finally {
    publish(limit, 0, FINISHED);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
