import type { ChipProgram } from '../chips/ir/chip-program.js';
import { SOURCE_KIND_TEXT } from '../chips/ir/ir-enum-text.js';
import type { ImageSet } from '../models/datasets/fashion-mnist.js';
import { openDataset, type OpenedDataset } from '../models/datasets/open-dataset.js';
import type { Model, ModelSource } from '../models/graph/model.js';
import { formatShape, sameShape } from '../models/graph/tensor.js';
import { SimulationError } from '../simulator/errors.js';

/** What a chip run reads: 8-bit images for a pixel program, real values (model units) for a real-valued one. */
export interface SimulationInput {
  readonly images: Uint8Array;
  readonly values: Float32Array | null;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly source: string;
  readonly labelled: boolean;
  readonly dataset: OpenedDataset;
  /** `values` holds one frame per time step of each sample (event recordings). */
  readonly framesPerStep: boolean;
}

/** True when the program takes pixels as their 8-bit value (its input scale is 1/255). */
export function takesPixels(program: ChipProgram): boolean {
  return Math.abs(program.input.valueScale * 255 - 1) < 1e-9;
}

/**
 * The model side a dataset reader needs, from the program alone: its input shape, and the codebase whose
 * normalisation 8-bit colour images get (the program records the source model's kind).
 */
export function programAsModel(program: ChipProgram): Model {
  const kinds: readonly ModelSource[] = ['osr-ots', 'rate-bp', 'nir', 'other'];
  const kind = SOURCE_KIND_TEXT[program.source.kind] as ModelSource;
  const source = kinds.includes(kind) ? kind : 'other';
  return {
    name: program.source.name,
    source,
    timesteps: program.timesteps,
    input: { shape: [...program.input.shape], scale: takesPixels(program) ? 1 / 255 : 1, encoding: 'direct' },
    nodes: [],
    output: 'mean-over-time',
  };
}

/** Opens `--data` (any format openDataset knows) for a chip program's test split. */
export function simulationInput(program: ChipProgram, data: string, limit: number | undefined): SimulationInput {
  const dataset = openDataset(data, { model: programAsModel(program), split: 'test', ...(limit !== undefined ? { limit } : {}) });
  const framesPerStep = dataset.framesPerStep === true && dataset.inputShape[0] === program.timesteps && sameShape(dataset.inputShape.slice(1), program.input.shape);
  if (!sameShape(dataset.inputShape, program.input.shape) && !framesPerStep) {
    throw new SimulationError(
      dataset.source,
      `samples are ${formatShape(dataset.inputShape)}, the program expects input ${formatShape(program.input.shape)} (or ${program.timesteps} frames of it)`,
    );
  }
  const base = { labels: dataset.labels, count: dataset.count, source: dataset.source, labelled: dataset.labelled, dataset, framesPerStep };
  if (takesPixels(program)) {
    if (!dataset.pixels)
      throw new SimulationError(dataset.source, `the program takes 8-bit pixels (scaled 1/255); ${dataset.transform} gives real values: compile the model for real-valued input`);
    return { ...base, images: dataset.pixels.images, values: null };
  }
  const values = new Float32Array(dataset.count * dataset.inputShape.reduce((a, b) => a * b, 1));
  dataset.toInput(0, dataset.count, values);
  return { ...base, images: new Uint8Array(0), values };
}

/**
 * 8-bit images for a pixel program from any `--data` openDataset reads (Fashion-MNIST idx through its own reader,
 * CIFAR and .npy/.npz of uint8 images through openDataset), as the ImageSet on-chip learning and the queue take.
 */
export function pixelImages(program: ChipProgram, data: string, split: 'train' | 'test', limit: number | undefined): ImageSet {
  const dataset = openDataset(data, { model: programAsModel(program), split, ...(limit !== undefined ? { limit } : {}) });
  if (!takesPixels(program) || !dataset.pixels) {
    throw new SimulationError(
      dataset.source,
      `on-chip learning feeds 8-bit images to a program that takes pixels (scaled 1/255); ${takesPixels(program) ? `${dataset.transform} gives real values` : 'this program takes real values'}`,
    );
  }
  const [c, h, w] = dataset.pixels.shape as [number, number, number];
  return { images: dataset.pixels.images, labels: dataset.labels, count: dataset.count, shape: [c, h, w], source: dataset.source };
}
