import { publish, waitUntilAtLeast } from './barrier.js';
import { FreeRunShare, PROGRESS_STRIDE, type FreeRunLayout } from './free-run-wasm.js';

/**
 * One share's steps in a thread of its own: before step t it waits for every other share to have finished step
 * t - 1 (its spikes delivered into its accumulators), after it publishes its own progress. Step 0 needs nobody.
 */
export function runShareLoop(memory: WebAssembly.Memory, layout: FreeRunLayout, share: number, module?: WebAssembly.Module): FreeRunShare {
  const progress = new Int32Array(memory.buffer, layout.progress, layout.shares.length * PROGRESS_STRIDE);
  try {
    const runner = new FreeRunShare(memory, layout, share, module);
    for (let t = 0; t < layout.steps; t++) {
      for (let j = 0; j < layout.shares.length; j++) if (j !== share) waitUntilAtLeast(progress, j * PROGRESS_STRIDE, t);
      runner.step(t);
      publish(progress, share * PROGRESS_STRIDE, t + 1);
    }
    return runner;
  } catch (error) {
    // Release the others (they would wait for this share forever), then fail: the run's result is void.
    publish(progress, share * PROGRESS_STRIDE, ABANDONED);
    throw error;
  }
}

/** The progress a failed share publishes: past any step, so no other share waits for it. */
const ABANDONED = 2 ** 31 - 1;
