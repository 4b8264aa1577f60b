import { parentPort, workerData } from 'node:worker_threads';
import { CONTROL } from './shared-sync.js';
import { ShardRunner, type ShardSetup } from './shard-runner.js';

/**
 * A training thread: runs its shard of every batch in lockstep with the main thread until told to stop. On an
 * error it marks the run failed and releases the barrier, so the main thread stops instead of waiting forever.
 */
const runner = new ShardRunner(workerData as ShardSetup);
try {
  for (;;) {
    runner.barrier.wait();
    if (Atomics.load(runner.control, CONTROL.stop) !== 0) break;
    runner.runBatch();
    runner.barrier.wait();
  }
} catch (error) {
  Atomics.store(runner.control, CONTROL.stop, 2);
  Atomics.add(runner.control, CONTROL.generation, 1);
  Atomics.notify(runner.control, CONTROL.generation);
  throw error;
}
parentPort?.postMessage('done');
