import { ModelError } from '../../errors.js';
import type { ArchLayer } from '../arch-spec.js';
import { PAPER_A, PAPER_A_CIFAR } from './codebases.js';
import type { Preset, PresetOptions } from './preset.js';
import { hasAll } from './state-dict-shapes.js';

const VGG11_CFG: readonly (number | 'M')[] = [64, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512];

/**
 * Paper A's VGGSNN (models/spiking_vgg.py cfg 'A', SynapseNeuron = conv + OSR + LIF, 'M' = AvgPool2d(2), light
 * classifier = AdaptiveAvgPool2d(fc_hw) + Linear(512*fc_hw^2, classes)), CIFAR input 3x32x32 unless given.
 */
export const ONLINE_SPIKING_VGG11_WS: Preset = {
  name: 'online_spiking_vgg11_ws',
  module: `${PAPER_A.repository} models/spiking_vgg.py`,
  description: 'VGGSNN of paper A (OSR + OTS): 8 conv + OSR + LIF layers, avgpool, light linear classifier; CIFAR input 3x32x32',
  matches: (shapes) => hasAll(shapes, ['features.0.synapse.weight', 'features.0.bn.run_mean', 'features.10.synapse.weight']),
  build(shapes, file, options = {}) {
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
      timesteps: options.timesteps ?? PAPER_A_CIFAR.timesteps,
      input: { shape: [...inputShape(options, inChannels, file)], scale: 1, encoding: 'direct' },
      neuron: { model: 'lif', decay: 0.5, threshold: 1, reset: 'subtract', ots: true },
      layers,
      output: 'mean-over-time',
      preset: 'online_spiking_vgg11_ws',
    };
  },
};

function inputShape(options: PresetOptions, inChannels: number, file: string): readonly number[] {
  const given = options.inputShape;
  if (!given) return [inChannels, PAPER_A_CIFAR.side, PAPER_A_CIFAR.side];
  if (given.length !== 3 || given[0] !== inChannels) {
    throw new ModelError(file, `preset online_spiking_vgg11_ws: the input shape must be [${inChannels}, H, W] (the first conv reads ${inChannels} channels), got [${given.join(', ')}]`);
  }
  return given;
}
