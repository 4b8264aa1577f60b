import { EVENT_KINDS, type CoreCounters, type EventKind } from './counters.js';
import type { EventCounts } from './ledger.js';
import type { ProgramRuntime } from './runtime.js';
import { countsBesideSums, mergedAnswers, mergedBesideSums, runWith, withSums, type CountsBesideSums, type InferredRun, type SimulationRun } from './simulate.js';

/**
 * A run's counts as a worker thread posts them: every per-core sum (the totals, each step's counts, each step's
 * firing-step counts) in one Float64Array, [set][event kind][core]. Its buffer moves to the main thread whole; as
 * plain arrays, ResNet-19's 12.3 M numbers took each of two workers 0.46 s to form and 0.3 s to serialize, and the
 * main thread 0.2 to 0.5 s per worker to read, one after the other (1.3 to 1.9 s from the last image to the result;
 * 0.65 to 0.7 s packed, with the program decoded for simulation: simulation-program.ts).
 */
export interface PackedCounts extends CountsBesideSums {
  readonly sums: Float64Array<ArrayBuffer>;
}

export interface PackedRun extends Omit<SimulationRun, 'counts'> {
  readonly counts: PackedCounts;
}

/** finishRun for a worker thread: the same run with its counts packed. */
export function finishPackedRun(runtime: ProgramRuntime, { simulator, answers, recorder }: InferredRun): PackedRun {
  const sums = packedSums(simulator.stepParts(), simulator.firingStepParts(), runtime.program.cores.length);
  return runWith(simulator, answers, { ...countsBesideSums(runtime, simulator), sums }, recorder);
}

/**
 * mergeRuns of packed runs: the same result as merging them unpacked, each plain array formed once, from the sums
 * of every run's packed values.
 */
export function mergePackedRuns(runs: readonly PackedRun[]): SimulationRun {
  let counts = unpackedCounts(
    runs[0]!.counts,
    runs.map((r) => r.counts.sums),
  );
  for (const run of runs.slice(1)) counts = mergedBesideSums(counts, run.counts);
  return mergedAnswers(runs, counts);
}

/**
 * The counts' sums packed: set 0 the totals, then one set per step (the sum of its parts), then one per step by
 * firing step, each [event kind][core]. One event kind at a time, so that a kind's steps are still in the cache
 * when the totals add them up. Counts are integers below 2^53: the totals added step by step are the ones plainSums
 * adds part by part.
 */
export function packedSums(stepParts: readonly (readonly CoreCounters[])[], firingStepParts: readonly (readonly CoreCounters[])[], cores: number): Float64Array<ArrayBuffer> {
  const kinds = EVENT_KINDS.length;
  const steps = stepParts.length;
  const sums = new Float64Array((1 + 2 * steps) * kinds * cores);
  const slot = (set: number, kind: number) => (set * kinds + kind) * cores;
  EVENT_KINDS.forEach((kind, k) => {
    for (let g = 0; g < steps; g++) {
      for (const part of stepParts[g]!) addAt(sums, slot(1 + g, k), part[kind], 0, cores);
      for (const part of firingStepParts[g]!) addAt(sums, slot(1 + steps + g, k), part[kind], 0, cores);
      addAt(sums, slot(0, k), sums, slot(1 + g, k), cores);
    }
  });
  return sums;
}

/** The counts of packed runs as a SimulationRun holds them, every sum added over the runs' `sums`. */
export function unpackedCounts(beside: CountsBesideSums, sums: readonly Float64Array[]): EventCounts {
  const cores = beside.coreIds.length;
  const sets = sums[0]!.length / (EVENT_KINDS.length * cores);
  const steps = (sets - 1) / 2;
  const set = (s: number) => plainKinds(sums, s * EVENT_KINDS.length * cores, cores);
  return withSums(
    beside,
    set(0),
    Array.from({ length: steps }, (_, t) => set(1 + t)),
    Array.from({ length: steps }, (_, t) => set(1 + steps + t)),
  );
}

/** Pushed, not preallocated: a holey array is slower to clone and to read. */
function plainKinds(sums: readonly Float64Array[], at: number, cores: number): Record<EventKind, number[]> {
  const kinds = {} as Record<EventKind, number[]>;
  for (const kind of EVENT_KINDS) {
    const values: number[] = [];
    if (sums.length === 2) {
      const [a, b] = sums as [Float64Array, Float64Array];
      for (let i = at, end = at + cores; i < end; i++) values.push(a[i]! + b[i]!);
    } else {
      for (let i = at, end = at + cores; i < end; i++) {
        let value = 0;
        for (const s of sums) value += s[i]!;
        values.push(value);
      }
    }
    kinds[kind] = values;
    at += cores;
  }
  return kinds;
}

/** into[at + i] += from[from0 + i] for i < count. */
function addAt(into: Float64Array, at: number, from: Float64Array, from0: number, count: number): void {
  for (let i = 0; i < count; i++) into[at + i] = into[at + i]! + from[from0 + i]!;
}
