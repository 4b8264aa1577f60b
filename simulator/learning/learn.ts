// Reference: DESIGN.md section 5 (on-chip learning emulation; learning costs energy and cycles like everything else).
import type { ChipProgram } from '../../chips/ir/chip-program.js';
import { ChipSimulator } from '../engine.js';
import { SimulationError } from '../errors.js';
import { directPixels } from '../inputs.js';
import type { EventCounts } from '../ledger.js';
import type { ProgramRuntime } from '../runtime.js';
import { eventCounts, type ImageBatch } from '../simulate.js';
import { LearningEngine } from './learning-engine.js';

export interface LearningRun {
  readonly samples: number;
  /** Training samples the chip classified right while it learned (before each sample's update). */
  readonly correctWhileLearning: number;
  readonly synapticUpdates: number;
  /** Every event of the training run (inference and learning), per core, for the energy ledger. */
  readonly counts: EventCounts;
}

/** Zeroes the learning layers' weights and biases in the runtime's synapse tables (learning from scratch). */
export function resetLearningLayers(runtime: ProgramRuntime): void {
  for (const index of runtime.program.learning.layers) {
    const layer = runtime.layers[index]!;
    if (layer.synapses.kind !== 'dense') throw new SimulationError(layer.name, 'only dense layers learn on chip');
    layer.synapses.weights.fill(0);
    layer.biasMantissa.fill(0);
  }
}

/**
 * Learns on chip: each image runs once through the chip (direct input) with the learning phase on, in order,
 * one sample after the other, as a chip learning online does. The weights change in the runtime's tables.
 */
export function learnImages(runtime: ProgramRuntime, batch: ImageBatch, seed: number, onImage?: (done: number) => void): LearningRun {
  const size = runtime.inputSize;
  if (batch.images.length < batch.count * size) throw new SimulationError('input', `${batch.images.length} bytes hold fewer than ${batch.count} inputs of ${size} values`);
  const simulator = new ChipSimulator(runtime);
  const engine = new LearningEngine(runtime, seed);
  simulator.learning = engine;
  const analog = new Float32Array(size);
  let correct = 0;
  for (let i = 0; i < batch.count; i++) {
    const label = batch.labels[i]!;
    engine.beginSample(label);
    const result = simulator.infer(directPixels(batch.images, i * size, size, analog));
    if (result.prediction === label) correct++;
    onImage?.(i + 1);
  }
  return { samples: batch.count, correctWhileLearning: correct, synapticUpdates: engine.synapticUpdates, counts: eventCounts(runtime, simulator) };
}

/** The program with the learned weights and biases of the learning layers written back from the runtime. */
export function learnedProgram(runtime: ProgramRuntime): ChipProgram {
  const program = runtime.program;
  const layers = program.layers.map((layer, index) => {
    if (!program.learning.layers.includes(index)) return layer;
    const table = runtime.layers[index]!.synapses;
    const dense = layer.connection.dense;
    if (table.kind !== 'dense' || !dense) return layer;
    const weights = new Int32Array(dense.weights.length);
    for (let o = 0; o < dense.outFeatures; o++) for (let i = 0; i < dense.inFeatures; i++) weights[o * dense.inFeatures + i] = table.weights[i * dense.outFeatures + o]!;
    // A dense layer's bias is per neuron, as the runtime holds it.
    const bias = Int32Array.from(runtime.layers[index]!.biasMantissa.subarray(0, layer.neuron.biasMantissa.length));
    return { ...layer, connection: { ...layer.connection, dense: { ...dense, weights } }, neuron: { ...layer.neuron, biasMantissa: bias } };
  });
  return { ...program, layers };
}
