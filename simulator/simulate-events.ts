import { ChipSimulator } from './engine.js';
import { SimulationError } from './errors.js';
import { EVENT_FIELDS, eventFrames, eventGrid, type EventSamples } from './event-input.js';
import { finishRun, type InferredRun, type SimulationRun } from './simulate.js';
import type { ProgramRuntime } from './runtime.js';
import { RasterRecorder } from './raster.js';

/**
 * Runs event-camera samples through the chip, one inference each (see eventFrames for the binning). `raster` names
 * layers (or `all`) whose spikes to record in sample 0, when `holdsFirst` says this share starts the whole set.
 */
export function simulateEvents(runtime: ProgramRuntime, samples: EventSamples, onSample?: (done: number) => void, raster?: readonly string[], holdsFirst = true): SimulationRun {
  const { simulator, answers, recorder } = inferEvents(runtime, samples, onSample, raster, holdsFirst);
  return finishRun(runtime, simulator, answers, recorder);
}

/** simulateEvents up to its last inference (finishRun or finishPackedRun forms its counts). */
export function inferEvents(runtime: ProgramRuntime, samples: EventSamples, onSample?: (done: number) => void, raster?: readonly string[], holdsFirst = true): InferredRun {
  const { program } = runtime;
  if (samples.offsets.length !== samples.count + 1 || samples.events.length < samples.offsets[samples.count]! * EVENT_FIELDS) {
    throw new SimulationError(
      'events',
      `${samples.count} samples need ${samples.count + 1} offsets and the events they point to; got ${samples.offsets.length} offsets and ${samples.events.length / EVENT_FIELDS} events`,
    );
  }
  const grid = eventGrid(program.input, program.timesteps, program.chipName);
  const counts = new Int32Array(grid.timesteps * runtime.inputSize);
  const simulator = new ChipSimulator(runtime);
  const classes = runtime.layers[runtime.layers.length - 1]!.neurons;
  const predictions = new Uint8Array(samples.count);
  const outputs = new Float64Array(samples.count * classes);
  let correct = 0;
  const recorder = raster?.length && holdsFirst && samples.count > 0 ? new RasterRecorder(runtime, raster, 0) : null;
  for (let i = 0; i < samples.count; i++) {
    simulator.spikeSink = i === 0 ? recorder : null;
    const result = simulator.infer(eventFrames(samples, i, grid, counts));
    predictions[i] = result.prediction;
    outputs.set(result.outputs, i * classes);
    if (samples.labels && result.prediction === samples.labels[i]) correct++;
    onSample?.(i + 1);
  }
  return { simulator, answers: { samples: samples.count, correct, predictions, outputs }, recorder };
}

/** Samples first .. first+count-1 as their own EventSamples (offsets rebased), for one worker thread. */
export function sliceEventSamples(samples: EventSamples, first: number, count: number): EventSamples {
  const begin = samples.offsets[first]!;
  const end = samples.offsets[first + count]!;
  return {
    events: samples.events.subarray(begin * EVENT_FIELDS, end * EVENT_FIELDS),
    offsets: Int32Array.from(samples.offsets.subarray(first, first + count + 1), (o) => o - begin),
    labels: samples.labels ? samples.labels.subarray(first, first + count) : null,
    count,
    sensorWidth: samples.sensorWidth,
    sensorHeight: samples.sensorHeight,
  };
}
