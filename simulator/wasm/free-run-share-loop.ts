import { publish } from './barrier.js';
import { PROGRESS_STRIDE, type FreeRunLayout } from './free-run-layout.js';
import { FreeRunShare } from './free-run-wasm.js';

/**
 * One share's steps in a thread of its own, in one WebAssembly call: before step t it waits for every other share
 * to have published its spikes of step t - 1, after it publishes its own progress.
 */
export function runShareLoop(memory: WebAssembly.Memory, layout: FreeRunLayout, share: number, module?: WebAssembly.Module): FreeRunShare {
  try {
    const runner = new FreeRunShare(memory, layout, share, module);
    runner.run(0, layout.steps);
    return runner;
  } catch (error) {
    // Release the others (they would wait for this share forever), then fail: the run's result is void.
    const progress = new Int32Array(memory.buffer, layout.progress, layout.shares.length * PROGRESS_STRIDE);
    publish(progress, share * PROGRESS_STRIDE, ABANDONED);
    throw error;
  }
}

/** The progress a failed share publishes: past any step, so no other share waits for it. */
const ABANDONED = 2 ** 31 - 1;
