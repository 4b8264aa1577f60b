import type { ResetMode } from '../models/graph/model.js';
import type { LoadModelOptions } from '../models/load-model.js';

/** Options for reading a NIR file, shared by every command that loads a model. */
export const NIR_OPTIONS = {
  'nir-dt': { type: 'number', describe: "NIR files: seconds per step (default: what the file's writer implies, else 1e-4)" },
  'nir-reset': { choices: ['zero', 'subtract'] as const, describe: "NIR files: reset to zero (NIR's semantics, default) or by subtraction" },
  timesteps: { type: 'number', describe: 'NIR files: time steps per sample (NIR has none; default 10)' },
} as const;

interface ModelArgs {
  arch?: string | undefined;
  preset?: string | undefined;
  'nir-dt'?: number | undefined;
  'nir-reset'?: ResetMode | undefined;
  timesteps?: number | undefined;
}

/** `--arch` / `--preset` and the NIR options as loadModel takes them (absent flags left out). */
export function topologyOptions(args: ModelArgs): LoadModelOptions {
  return {
    ...(args.arch ? { arch: args.arch } : {}),
    ...(args.preset ? { preset: args.preset } : {}),
    ...(args['nir-dt'] !== undefined ? { nirDt: args['nir-dt'] } : {}),
    ...(args['nir-reset'] ? { nirReset: args['nir-reset'] } : {}),
    ...(args.timesteps !== undefined ? { timesteps: args.timesteps } : {}),
  };
}
