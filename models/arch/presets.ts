import { ModelError } from '../errors.js';
import type { ArchLayer, ArchSpec } from './arch-spec.js';

/**
 * Architectures of the seed code's own model zoo, so its checkpoints need no arch.json.
 * Reference: zhuyaoyu/SNN-online-normalization models/spiking_vgg.py (cfg 'A', SynapseNeuron = conv + OSR + LIF,
 * 'M' = AvgPool2d(2), light classifier = AdaptiveAvgPool2d(fc_hw) + Linear(512*fc_hw^2, classes)).
 */
export interface Preset {
  readonly name: string;
  readonly description: string;
  /** Builds the arch from the checkpoint's tensor shapes (channel counts, classes, classifier width). */
  build(shapes: ReadonlyMap<string, readonly number[]>, file: string): ArchSpec;
}

const VGG11_CFG: readonly (number | 'M')[] = [64, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512];

function onlineSpikingVgg11(): Preset {
  return {
    name: 'online_spiking_vgg11_ws',
    description: 'VGGSNN of paper A (OSR + OTS): 8 conv + OSR + LIF layers, avgpool, light linear classifier; CIFAR input 3x32x32',
    build(shapes, file) {
      const layers: ArchLayer[] = [];
      let index = 0;
      for (const entry of VGG11_CFG) {
        if (entry === 'M') {
          layers.push({ op: 'avgpool2d', kernel: 2 });
        } else {
          const prefix = `features.${index}`;
          const weight = `${prefix}.synapse.weight`;
          const shape = shapes.get(weight);
          if (!shape) throw new ModelError(file, `preset online_spiking_vgg11_ws expects the key '${weight}', which the state dict lacks`);
          if (shape[0] !== entry) {
            throw new ModelError(file, `preset online_spiking_vgg11_ws expects ${entry} output channels in '${weight}', found [${shape.join(', ')}]`);
          }
          layers.push(
            { op: 'conv2d', weight, bias: shapes.has(`${prefix}.synapse.bias`) ? `${prefix}.synapse.bias` : null, stride: 1, padding: 1 },
            { op: 'norm', kind: 'osr', prefix: `${prefix}.bn`, eps: 1e-4 },
            { op: 'lif', prefix: `${prefix}.neuron` },
          );
        }
        index += 1;
      }
      const classifier = shapes.get('classifier.0.weight');
      if (!classifier || classifier.length !== 2) {
        throw new ModelError(file, "preset online_spiking_vgg11_ws expects a 2-D 'classifier.0.weight'");
      }
      const fcHw = Math.round(Math.sqrt(classifier[1]! / 512));
      if (fcHw * fcHw * 512 !== classifier[1]) {
        throw new ModelError(file, `preset online_spiking_vgg11_ws: classifier input ${classifier[1]} is not 512*k^2`);
      }
      layers.push(
        { op: 'adaptiveavgpool2d', output: fcHw },
        { op: 'flatten' },
        { op: 'linear', weight: 'classifier.0.weight', bias: shapes.has('classifier.0.bias') ? 'classifier.0.bias' : null },
      );
      const inChannels = shapes.get('features.0.synapse.weight')?.[1] ?? 3;
      return {
        format: 'snn-arch/1',
        name: 'online_spiking_vgg11_ws',
        source: 'osr-ots',
        stateDictKey: 'net',
        timesteps: 4,
        input: { shape: [inChannels, 32, 32], scale: 1, encoding: 'direct' },
        neuron: { model: 'lif', decay: 0.5, threshold: 1, reset: 'subtract', ots: true },
        layers,
        output: 'mean-over-time',
        preset: 'online_spiking_vgg11_ws',
      };
    },
  };
}

export const PRESETS: ReadonlyMap<string, Preset> = new Map([['online_spiking_vgg11_ws', onlineSpikingVgg11()]]);

/** The preset whose tensor names a state dict carries, if exactly one matches. */
export function detectPreset(shapes: ReadonlyMap<string, readonly number[]>): Preset | undefined {
  if (shapes.has('features.0.synapse.weight') && shapes.has('features.0.bn.run_mean') && shapes.has('features.10.synapse.weight')) {
    return PRESETS.get('online_spiking_vgg11_ws');
  }
  return undefined;
}
