import { meanAndUnbiasedStd, sampleSums, sumInOrder } from './kernels/lif.js';

/** OTS's batch statistics of a layer's membrane potential: mean and unbiased std over every sample and neuron. */
export interface BatchStatistics {
  /** Over the `samples` x `size` values of `u` (this executor's samples), and those of the other parts of the batch. */
  meanAndStd(u: Float32Array, samples: number, size: number): { mean: number; std: number };
}

/** The whole batch in this executor. */
export function localStatistics(): BatchStatistics {
  let partials = new Float64Array(0);
  return {
    meanAndStd(u, samples, size) {
      if (partials.length < samples) partials = new Float64Array(samples);
      return meanAndUnbiasedStd(u, samples, size, partials);
    },
  };
}

/** Shared memory for `parties` executors holding parts of one batch of `samples`: per-sample sums and a barrier. */
export function sharedStatisticsBuffer(samples: number): SharedArrayBuffer {
  return new SharedArrayBuffer(16 + 2 * 8 * samples);
}

/**
 * One part of a batch split over threads (samples [first, first + own) of `total`): each statistic is reduced as
 * meanAndUnbiasedStd reduces one batch, the per-sample sums of every part side by side in shared memory and added
 * in sample order by every party alike, so each thread gets the float64 values a single executor would.
 * Every party must ask for the same statistics in the same order (the same model, steps and mode).
 */
export function sharedStatistics(buffer: SharedArrayBuffer, parties: number, first: number, total: number): BatchStatistics {
  // [arrivals, generation], then the per-sample sums of two alternating phases (a party may be adding up one
  // phase's sums while a faster one writes the next phase's; the barrier between keeps it from running further).
  const barrierWords = new Int32Array(buffer, 0, 2);
  const phases = [new Float64Array(buffer, 16, total), new Float64Array(buffer, 16 + 8 * total, total)] as const;
  const barrier = () => {
    const generation = Atomics.load(barrierWords, 1);
    if (Atomics.add(barrierWords, 0, 1) === parties - 1) {
      Atomics.store(barrierWords, 0, 0);
      Atomics.add(barrierWords, 1, 1);
      Atomics.notify(barrierWords, 1);
    } else {
      while (Atomics.load(barrierWords, 1) === generation) Atomics.wait(barrierWords, 1, generation);
    }
  };
  const reduce = (phase: 0 | 1, u: Float32Array, samples: number, size: number, mean: number | null) => {
    sampleSums(u, samples, size, mean, phases[phase], first);
    barrier();
    return sumInOrder(phases[phase], total);
  };
  return {
    meanAndStd(u, samples, size) {
      const count = total * size;
      const mean = reduce(0, u, samples, size, null) / count;
      return { mean, std: Math.sqrt(reduce(1, u, samples, size, mean) / (count - 1)) };
    },
  };
}
