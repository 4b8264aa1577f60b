import type { ChipProgram } from '../chips/ir/chip-program.js';
import { dataFileRef, type DataFileRef } from '../cluster/dataset-ref.js';
import { programAsModel, takesPixels } from './simulation-input.js';

/**
 * Samples read from `data` by openDataset for `program` (CIFAR, .npy/.npz/.f32, DVS recordings), named for the
 * queue's workers: the path, how the program has them read, and the hash of what this run read.
 */
export function dataQueueRef(program: ChipProgram, data: string, samples: { images: Uint8Array; values: Float32Array | null; labels: Uint8Array; count: number }): DataFileRef {
  const reader = { inputShape: [...program.input.shape], source: programAsModel(program).source, timesteps: program.timesteps, pixels: takesPixels(program) };
  return dataFileRef(data, reader, samples);
}
