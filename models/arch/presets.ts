import { ModelError } from '../errors.js';
import type { ArchLayer, ArchSpec } from './arch-spec.js';
import { ONLINE_SPIKING_RESNET_NF } from './presets/osr-nf-resnet.js';
import { ONLINE_SPIKING_RESNET17, ONLINE_SPIKING_RESNET19 } from './presets/osr-resnet.js';
import { ONLINE_SPIKING_RESNET_SEW } from './presets/osr-sew-resnet.js';
import { ONLINE_SPIKING_VGG11_WS } from './presets/osr-vgg.js';
import type { Preset, PresetOptions, TensorShapes } from './presets/preset.js';
import { PREACT_RESNET34 } from './presets/ratebp-preact-resnet.js';
import { RESNET18, RESNET19 } from './presets/ratebp-resnet.js';
import { SEW_RESNET34 } from './presets/ratebp-sew-resnet.js';
import { RATEBP_VGGS } from './presets/ratebp-vgg.js';

export type { Preset, PresetOptions, TensorShapes } from './presets/preset.js';

/**
 * The architectures of both seed codebases' model zoos, so their checkpoints need no arch.json: paper A
 * (zhuyaoyu/SNN-online-normalization) and paper B (Tab-ct/rate-based-backpropagation). Each recognises its
 * checkpoints by tensor names and reads depth and width from the keys (presets/*.ts).
 */
const ZOO: readonly Preset[] = [
  ONLINE_SPIKING_VGG11_WS,
  ONLINE_SPIKING_RESNET17,
  ONLINE_SPIKING_RESNET19,
  ONLINE_SPIKING_RESNET_SEW,
  ONLINE_SPIKING_RESNET_NF,
  ...RATEBP_VGGS,
  RESNET18,
  RESNET19,
  SEW_RESNET34,
  PREACT_RESNET34,
];

export const PRESETS: ReadonlyMap<string, Preset> = new Map(ZOO.map((p) => [p.name, everyKeyPlaced(p)]));

/**
 * The preset whose tensor names a state dict carries; undefined when none does. Two that both match are
 * refused, naming both: guessing between architectures would run the wrong network.
 */
export function detectPreset(shapes: TensorShapes, file: string): Preset | undefined {
  const matching = [...PRESETS.values()].filter((p) => p.matches(shapes));
  if (matching.length > 1) {
    throw new ModelError(
      file,
      `the state dict's tensor names match several presets (${matching.map((p) => `${p.name} from ${p.module}`).join('; ')}): pass --preset <name> or --arch <arch.json>`,
    );
  }
  return matching[0];
}

// A stage or block the preset did not lay out (a depth it misread, a layer the seed code does not have) would
// otherwise be dropped without a word, and the network would run without it.
const IGNORED_KEY = /(^|\.)num_batches_tracked$/;

function everyKeyPlaced(preset: Preset): Preset {
  return {
    ...preset,
    build(shapes: TensorShapes, file: string, options?: PresetOptions): ArchSpec {
      const arch = preset.build(shapes, file, options);
      const placed = new Set(arch.layers.flatMap(keysOf));
      const unplaced = [...shapes.keys()].filter((k) => !placed.has(k) && !IGNORED_KEY.test(k));
      if (unplaced.length > 0) {
        const shown = unplaced
          .slice(0, 5)
          .map((k) => `'${k}'`)
          .join(', ');
        throw new ModelError(
          file,
          `preset ${preset.name}: the state dict holds ${unplaced.length} tensor(s) the architecture has no place for (${shown}${unplaced.length > 5 ? ', ...' : ''})`,
        );
      }
      return arch;
    },
  };
}

function keysOf(layer: ArchLayer): string[] {
  switch (layer.op) {
    case 'conv2d':
    case 'linear':
      return layer.bias === null ? [layer.weight] : [layer.weight, layer.bias];
    case 'norm':
      return (layer.kind === 'osr' ? ['gamma', 'beta', 'run_mean', 'run_var'] : ['weight', 'bias', 'running_mean', 'running_var']).map((k) => `${layer.prefix}.${k}`);
    default:
      return [];
  }
}
