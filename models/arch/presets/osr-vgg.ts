import type { ArchLayer } from '../arch-spec.js';
import { choiceNotes, PAPER_A, PAPER_A_CIFAR, PAPER_A_CIFAR10_DVS, squareSide } from './codebases.js';
import type { Preset, PresetOptions } from './preset.js';
import { hasAll, StateDictShapes } from './state-dict-shapes.js';

const NAME = 'online_spiking_vgg11_ws';

/** cfgs['A'] of models/spiking_vgg.py: a number is a SynapseNeuron's width (read from the keys), 'M' AvgPool2d(2). */
const VGG11_CFG: readonly (number | 'M')[] = [64, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512];

/**
 * Paper A's VGGSNN (models/spiking_vgg.py cfg 'A' with `BN: True`): SynapseNeuron = conv3x3 + MySyncBN + LIF
 * (`features.N.synapse/.bn/.neuron`), 'M' = AvgPool2d(2); the light classifier AdaptiveAvgPool2d(fc_hw) +
 * Linear(C*fc_hw^2, classes), fc_hw read from the Linear's width. train.py passes c_in = 2 for the event
 * datasets: a 2-channel checkpoint gets CIFAR10-DVS's 2x48x48 and T 10 (DVS128 Gesture's yaml uses the heavy
 * classifier, which this preset does not lay out), a 3-channel one CIFAR's 3x32x32 and T 4.
 */
export const ONLINE_SPIKING_VGG11_WS: Preset = {
  name: NAME,
  module: `${PAPER_A.repository} models/spiking_vgg.py`,
  description: `paper A VGGSNN (cfg 'A'): 8 conv + OSR + LIF layers, avgpools, light linear classifier; CIFAR 3x32x32 T ${PAPER_A_CIFAR.timesteps}, or CIFAR10-DVS 2x48x48 T ${PAPER_A_CIFAR10_DVS.timesteps} when c_in is 2`,
  matches: (shapes) => hasAll(shapes, ['features.0.synapse.weight', 'features.0.bn.run_mean', 'features.10.synapse.weight']),
  build(shapes, file, options = {}) {
    const keys = new StateDictShapes(shapes, file, NAME);
    const layers: ArchLayer[] = [];
    let channels = 0;
    VGG11_CFG.forEach((entry, index) => {
      if (entry === 'M') {
        layers.push({ op: 'avgpool2d', kernel: 2 });
        return;
      }
      const prefix = `features.${index}`;
      const weight = `${prefix}.synapse.weight`;
      channels = keys.convOut(weight, 3);
      layers.push(
        { op: 'conv2d', weight, bias: keys.has(`${prefix}.synapse.bias`) ? `${prefix}.synapse.bias` : null, stride: 1, padding: 1 },
        { op: 'norm', kind: 'osr', prefix: `${prefix}.bn`, eps: 1e-4 },
        { op: 'lif', prefix: `${prefix}.neuron` },
      );
    });
    const features = keys.shape('classifier.0.weight', 2)[1]!;
    const fcHw = squareSide(features, channels) ?? keys.fail(`classifier.0 reads ${features} features, not ${channels}*k^2`);
    layers.push(
      { op: 'adaptiveavgpool2d', output: fcHw },
      { op: 'flatten' },
      { op: 'linear', weight: 'classifier.0.weight', bias: keys.has('classifier.0.bias') ? 'classifier.0.bias' : null },
    );
    const inChannels = keys.shape('features.0.synapse.weight', 4)[1]!;
    const dataset = inChannels === 2 ? PAPER_A_CIFAR10_DVS : PAPER_A_CIFAR;
    const shape = inputShape(keys, options, inChannels, dataset.side);
    const notes = choiceNotes(PAPER_A, dataset, shape, options, false);
    return {
      format: 'snn-arch/1',
      name: NAME,
      source: PAPER_A.source,
      stateDictKey: PAPER_A.stateDictKey,
      timesteps: options.timesteps ?? dataset.timesteps,
      input: { shape, scale: 1, encoding: 'direct' },
      neuron: PAPER_A.neuron,
      layers,
      output: 'mean-over-time',
      preset: NAME,
      presetModule: 'models/spiking_vgg.py',
      ...(notes.length > 0 ? { notes } : {}),
    };
  },
};

function inputShape(keys: StateDictShapes, options: PresetOptions, inChannels: number, side: number): number[] {
  const given = options.inputShape;
  if (!given) return [inChannels, side, side];
  if (given.length !== 3 || given[0] !== inChannels) {
    keys.fail(`the input shape must be [${inChannels}, H, W] (the first conv reads ${inChannels} channels), got [${given.join(', ')}]`);
  }
  return [...given];
}
