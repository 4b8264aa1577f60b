import { readFileSync, statSync } from 'node:fs';
import { ModelError } from '../errors.js';
import { MODEL_LIMITS } from '../graph/model-limits.js';
import { refuseDeepJson } from '../json-nesting.js';
import { MemoryLedger } from '../memory-budget.js';
import type { ArchSpec } from './arch-spec.js';

/** JSON.parse turns a 3-byte `{},` into an object of about 60 bytes: the worst case of a document, rounded up. */
const PARSED_BYTES_PER_JSON_BYTE = 32;

/** An arch file's text, once its size as parsed JSON is known to fit the memory budget and its nesting to be sane. */
export function readArchText(path: string): string {
  const size = statSync(path).size;
  new MemoryLedger(path).charge(size * PARSED_BYTES_PER_JSON_BYTE, `the arch file's ${size} bytes of JSON (parsed)`);
  const text = readFileSync(path, 'utf8');
  refuseDeepJson(text, path, 'the arch file');
  return text;
}

/**
 * The sizes an arch file states, against MODEL_LIMITS, before any weight is read: the error names the arch file
 * and the JSON path. The model built from it is checked again as a whole (models/graph/validate-model.ts).
 * Returns the arch unchanged.
 */
export function checkArchLimits(arch: ArchSpec, file: string): ArchSpec {
  const within = (path: string, value: number, min: number, max: number): void => {
    if (!(Number.isInteger(value) && value >= min && value <= max)) {
      throw new ModelError(file, `${path} is ${value}, outside the limit ${min}..${max}`);
    }
  };
  within('$.timesteps', arch.timesteps, 1, MODEL_LIMITS.timesteps);
  within('$.layers (count)', arch.layers.length, 1, MODEL_LIMITS.nodes);
  arch.input.shape.forEach((extent, d) => within(`$.input.shape[${d}]`, extent, 1, MODEL_LIMITS.layerValues));
  within(
    '$.input.shape (values per sample)',
    arch.input.shape.reduce((n, extent) => n * extent, 1),
    1,
    MODEL_LIMITS.layerValues,
  );
  const sides = (path: string, value: number | readonly number[] | undefined, min: number): void => {
    if (value === undefined) return;
    if (typeof value === 'number') within(path, value, min, MODEL_LIMITS.window);
    else value.forEach((side, d) => within(`${path}[${d}]`, side, min, MODEL_LIMITS.window));
  };
  arch.layers.forEach((layer, i) => {
    const at = `$.layers[${i}]`;
    switch (layer.op) {
      case 'conv2d':
        sides(`${at}.stride`, layer.stride, 1);
        sides(`${at}.padding`, layer.padding, 0);
        return;
      case 'avgpool2d':
      case 'maxpool2d':
        sides(`${at}.kernel`, layer.kernel, 1);
        sides(`${at}.stride`, layer.stride, 1);
        sides(`${at}.padding`, (layer as { readonly padding?: number }).padding, 0);
        return;
      case 'adaptiveavgpool2d':
        sides(`${at}.output`, layer.output, 1);
        return;
      default:
        return;
    }
  });
  return arch;
}
