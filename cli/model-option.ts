import type { ResetMode } from '../models/graph/model.js';
import type { LoadModelOptions } from '../models/load-model.js';
import { UsageError } from './failure.js';
import { integerIn, MAX_TIMESTEPS, numberIn } from './arguments.js';

/** Options for reading a NIR file, shared by every command that loads a model. */
export const NIR_OPTIONS = {
  'nir-dt': { type: 'number', coerce: numberIn('nir-dt', 0, 1, true), describe: "NIR files: seconds per step (default: what the file's writer implies, else 1e-4)" },
  'nir-reset': { choices: ['zero', 'subtract'] as const, describe: "NIR files: reset to zero (NIR's semantics, default) or by subtraction" },
  timesteps: {
    type: 'number',
    coerce: integerIn('timesteps', 1, MAX_TIMESTEPS),
    describe: "NIR files: time steps per sample (NIR has none; default 10); presets: instead of their codebase's default",
  },
  'input-shape': { type: 'string', coerce: parseInputShape, describe: "presets: the input as C,H,W (or CxHxW) instead of their dataset's default, e.g. 3,64,64" },
} as const;

/** `3,64,64` or `3x64x64` as [3, 64, 64]. */
export function parseInputShape(raw: unknown): number[] {
  if (Array.isArray(raw)) throw new UsageError(`--input-shape is given ${raw.length} times; give it once`);
  const text = String(raw);
  const dims = text.split(/[x,]/).map((d) => (/^\s*\d{1,5}\s*$/.test(d) ? Number(d) : NaN));
  if (dims.length !== 3 || !dims.every((d) => d >= 1 && d <= 65_536)) {
    throw new UsageError(`--input-shape must be C,H,W with each from 1 to 65536 (e.g. 3,64,64), got ${JSON.stringify(text)}`);
  }
  return dims;
}

interface ModelArgs {
  arch?: string | undefined;
  preset?: string | undefined;
  'nir-dt'?: number | undefined;
  'nir-reset'?: ResetMode | undefined;
  timesteps?: number | undefined;
  'input-shape'?: number[] | undefined;
}

/** `--arch` / `--preset`, the NIR and preset options as loadModel takes them (absent flags left out). */
export function topologyOptions(args: ModelArgs): LoadModelOptions {
  return {
    ...(args.arch ? { arch: args.arch } : {}),
    ...(args.preset ? { preset: args.preset } : {}),
    ...(args['nir-dt'] !== undefined ? { nirDt: args['nir-dt'] } : {}),
    ...(args['nir-reset'] ? { nirReset: args['nir-reset'] } : {}),
    ...(args.timesteps !== undefined ? { timesteps: args.timesteps } : {}),
    ...(args['input-shape'] ? { inputShape: args['input-shape'] } : {}),
  };
}
