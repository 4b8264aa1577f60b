import type { Model } from '../graph/model.js';
import { validateModel } from '../graph/validate-model.js';
import { readHdf5 } from './hdf5.js';
import type { NirFile } from './nir-graph.js';
import { nirToModel, type NirImportOptions } from './nir-to-model.js';
import { parseNir } from './parse-nir.js';

/** The NIR graph of a `.nir` file's bytes, every edge checked against its graph's nodes. */
export function readNirGraph(bytes: Uint8Array, file: string): NirFile {
  return parseNir(readHdf5(bytes, file), file);
}

/** A `.nir` file's bytes as a spikechip Model, checked as every model is (models/graph/validate-model.ts). */
export function readNirModel(bytes: Uint8Array, file: string, options: NirImportOptions = {}): Model {
  const model = nirToModel(readNirGraph(bytes, file), file, options);
  validateModel(model, file);
  return model;
}
