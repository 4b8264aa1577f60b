import type { LoadModelOptions } from '../models/load-model.js';

/** `--arch` / `--preset` as loadModel takes them (absent flags left out, as exactOptionalPropertyTypes wants). */
export function topologyOptions(args: { arch?: string | undefined; preset?: string | undefined }): LoadModelOptions {
  return { ...(args.arch ? { arch: args.arch } : {}), ...(args.preset ? { preset: args.preset } : {}) };
}
