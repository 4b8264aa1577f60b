import { ModelError } from '../errors.js';
import type { Tensor } from '../graph/tensor.js';
import { readTorchZip } from './read-zip.js';
import { isPthTensor, unpickle, type PthTensor } from './unpickle.js';

export type { PthDtype, PthTensor } from './unpickle.js';
export { isPthTensor } from './unpickle.js';

/**
 * The most memory one pickle byte can become: a one-byte EMPTY_DICT builds a Map of about 195 bytes (measured
 * with a pickle of a million of them; lists and tuples take 43, None and small integers 5 to 11).
 */
const UNPICKLED_BYTES_PER_PICKLE_BYTE = 256;

/** Where training scripts commonly keep the model's state dict inside a checkpoint dict, in lookup order. */
const STATE_DICT_KEYS = ['net', 'best_net', 'state_dict', 'model'] as const;

/**
 * Reads a `torch.save` checkpoint (zip format, torch 1.6 and later) without executing any of it.
 *
 * Returns the unpickled root: every dict and OrderedDict is a `Map` (keys as pickled: strings, numbers, ...),
 * lists and tuples are arrays, tensors are `PthTensor` (test with `isPthTensor`), None is null, bytes are
 * Uint8Array. Throws ModelError naming `file` for anything unreadable or unsafe.
 */
export function readPth(bytes: Uint8Array, file: string): unknown {
  const archive = readTorchZip(bytes, file);
  archive.ledger.charge(archive.pickle.length * UNPICKLED_BYTES_PER_PICKLE_BYTE, `data.pkl of ${archive.pickle.length} bytes (unpickled)`);
  return unpickle(archive.pickle, file, archive);
}

/**
 * The model weights in a checkpoint: the tensors of the state dict under `key` if given, else under the
 * first of net, best_net, state_dict, model that holds tensors, else the root itself when it is a state dict.
 * Entries that are not tensors are left out.
 */
export function readStateDict(bytes: Uint8Array, file: string, key?: string): Map<string, PthTensor> {
  const root = readPth(bytes, file);
  if (!(root instanceof Map)) {
    throw new ModelError(file, 'the checkpoint is not a dict, so it holds no state dict');
  }
  const topLevelKeys = [...root.keys()].map(describeKey).join(', ');

  if (key !== undefined) {
    if (!root.has(key)) {
      throw new ModelError(file, `the checkpoint has no key '${key}'; its top-level keys are ${topLevelKeys || '(none)'}`);
    }
    const tensors = tensorEntries(root.get(key));
    if (tensors === undefined || tensors.size === 0) {
      throw new ModelError(file, `the checkpoint's '${key}' entry is not a state dict of tensors`);
    }
    return tensors;
  }

  for (const candidate of STATE_DICT_KEYS) {
    const tensors = tensorEntries(root.get(candidate));
    if (tensors !== undefined && tensors.size > 0) return tensors;
  }
  const rootTensors = tensorEntries(root);
  if (rootTensors !== undefined && rootTensors.size > 0) return rootTensors;
  throw new ModelError(
    file,
    `found no state dict: none of ${STATE_DICT_KEYS.join(', ')} holds tensors, and neither does the top level ` +
      `(keys ${topLevelKeys || '(none)'}); name the key that holds the weights`,
  );
}

function describeKey(key: unknown): string {
  if (typeof key === 'string') return `'${key.length > 60 ? `${key.slice(0, 60)}...` : key}'`;
  if (typeof key === 'number' || typeof key === 'boolean') return String(key);
  return `<${typeof key} key>`;
}

function tensorEntries(stateDict: unknown): Map<string, PthTensor> | undefined {
  if (!(stateDict instanceof Map)) return undefined;
  const tensors = new Map<string, PthTensor>();
  for (const [name, value] of stateDict as Map<unknown, unknown>) {
    if (typeof name === 'string' && isPthTensor(value)) tensors.set(name, value);
  }
  return tensors;
}

/** Converts to the float32 tensors the compiler works with, refusing NaN and infinities (trained-out weights). */
export function toFloat32(t: PthTensor, name: string, file: string): Tensor {
  const data = new Float32Array(t.values);
  for (let i = 0; i < data.length; i += 1) {
    const value = data[i]!;
    if (Number.isFinite(value)) continue;
    const original = t.values[i]!;
    const what = Number.isFinite(original) ? `${original}, which overflows float32` : String(original);
    throw new ModelError(file, `tensor '${name}' holds ${what} at flat index ${i}; weights must be finite`);
  }
  return { shape: [...t.shape], data };
}
