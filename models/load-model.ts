import type { ArchSpec } from './arch/arch-spec.js';
import { detectPreset, PRESETS } from './arch/presets.js';
import { readArchFile } from './arch/read-arch.js';
import { ModelError } from './errors.js';
import { isModelFile, deserializeModel } from './format/model-file.js';
import type { Model, ResetMode } from './graph/model.js';
import { readFileWithinBudget } from './memory-budget.js';
import { isHdf5 } from './nir/hdf5.js';
import { readNirModel } from './nir/read-nir.js';
import { buildModel } from './import/build-model.js';
import { readStateDict } from './pth/read-pth.js';

export interface LoadModelOptions {
  /** An `snn-arch/1` file describing the checkpoint's topology. */
  readonly arch?: string;
  /** A preset name from the seed code's zoo, used instead of an arch file. */
  readonly preset?: string;
  /** NIR files: seconds per step, overriding what the file's writer implies (models/nir/discretise.ts). */
  readonly nirDt?: number;
  /** NIR files: reset to zero (NIR's semantics, the default) or by subtraction. */
  readonly nirReset?: ResetMode;
  /** NIR files: the number of time steps (NIR has none); presets: instead of their codebase's default. */
  readonly timesteps?: number;
  /** Presets: the input [C, H, W] instead of their dataset's default (refused where the classifier fixes it). */
  readonly inputShape?: readonly number[];
}

export interface LoadedModel {
  readonly model: Model;
  /** How the topology was found: the model file itself, an arch file, or a preset. */
  readonly topology: 'model-file' | 'arch' | 'preset' | 'nir';
  readonly presetName?: string;
}

/**
 * Loads a canonical model file, a NIR graph (`.nir`, HDF5), or a PyTorch checkpoint with its arch.json (or a
 * preset the tensors match).
 */
export function loadModel(path: string, options: LoadModelOptions = {}): LoadedModel {
  let bytes: Uint8Array;
  try {
    bytes = readFileWithinBudget(path);
  } catch (err) {
    if (err instanceof ModelError) throw err;
    throw new ModelError(path, `cannot read the model (${(err as Error).message})`);
  }
  if (isModelFile(bytes)) return { model: deserializeModel(bytes, path), topology: 'model-file' };
  if (isHdf5(bytes) || path.endsWith('.nir')) {
    const nir = {
      ...(options.nirDt !== undefined ? { dt: options.nirDt } : {}),
      ...(options.nirReset ? { reset: options.nirReset } : {}),
      ...(options.timesteps !== undefined ? { timesteps: options.timesteps } : {}),
    };
    return { model: readNirModel(bytes, path, nir), topology: 'nir' };
  }
  if (!isZip(bytes)) {
    throw new ModelError(path, 'neither a spikechip model file, a NIR file (HDF5) nor a PyTorch checkpoint (.pth zip archive)');
  }
  if (options.arch) {
    const arch = readArchFile(options.arch);
    const stateDict = readStateDict(bytes, path, arch.stateDictKey ?? undefined);
    return { model: buildModel(arch, stateDict, path), topology: 'arch' };
  }
  const stateDict = readStateDict(bytes, path);
  const shapes = new Map([...stateDict].map(([k, t]) => [k, t.shape] as const));
  const preset = options.preset ? PRESETS.get(options.preset) : detectPreset(shapes, path);
  if (!preset) {
    const known = [...PRESETS.keys()].join(', ');
    throw new ModelError(
      path,
      options.preset ? `unknown preset '${options.preset}' (known: ${known})` : `no arch.json given and the checkpoint matches no preset (${known}): pass --arch <arch.json>`,
    );
  }
  const presetOptions = { ...(options.timesteps !== undefined ? { timesteps: options.timesteps } : {}), ...(options.inputShape ? { inputShape: options.inputShape } : {}) };
  const arch: ArchSpec = preset.build(shapes, path, presetOptions);
  const model = buildModel(arch, stateDict, path);
  const noted: Model = arch.notes ? { ...model, notes: [...(model.notes ?? []), ...arch.notes] } : model;
  return { model: noted, topology: 'preset', presetName: preset.name };
}

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}
