import { ArchBuilder } from './arch-builder.js';
import { PAPER_A, PAPER_A_IMAGENET, presetArchSpec } from './codebases.js';
import type { Preset, TensorShapes } from './preset.js';
import { preactivationResNet } from './preactivation-resnet.js';
import { hasAll, StateDictShapes } from './state-dict-shapes.js';

const NAME = 'online_spiking_resnet_nf';
const MODULE = 'models/spiking_resnet_NF.py';

/**
 * Paper A's NF OnlineSpikingResNet (models/spiking_resnet_NF.py): pre-activation blocks on a real-valued
 * stream. Stem conv7x7 s2 p3 + MySyncBN + MaxPool(3, 2, 1), no neuron; a block is
 * `bn2(conv2(sn2(bn1(conv1(sn1(x)))))) + (x | downsample.1(downsample.0(x)))` (Bottleneck: three such
 * stages); the downsample conv and the head (AdaptiveAvgPool 1 + fc) read the real-valued x. ImageNet input
 * unless given.
 */
export const ONLINE_SPIKING_RESNET_NF: Preset = {
  name: NAME,
  module: `${PAPER_A.repository} ${MODULE}`,
  description: `paper A NF-ResNet (online_spiking_resnet18/34/50 and any depth): pre-activation blocks, real-valued shortcut, BasicBlock or Bottleneck from the keys; ImageNet 3x224x224, T ${PAPER_A_IMAGENET.timesteps}`,
  matches: (shapes: TensorShapes) => hasAll(shapes, ['conv1.weight', 'bn1.gamma', 'layer1.0.conv1.weight', 'layer1.0.bn1.gamma', 'fc.weight']) && !shapes.has('fc1.0.weight'),
  build(shapes, file, options) {
    const keys = new StateDictShapes(shapes, file, NAME);
    const g = new ArchBuilder(keys);
    const { layers, name } = preactivationResNet(keys, g, 'osr', 'OnlineSpikingResNet', {
      basic: { '[2, 2, 2, 2]': 'online_spiking_resnet18', '[3, 4, 6, 3]': 'online_spiking_resnet34' },
      bottleneck: { '[3, 4, 6, 3]': 'online_spiking_resnet50' },
    });
    return presetArchSpec(
      { codebase: PAPER_A, preset: NAME, name, module: MODULE, defaults: PAPER_A_IMAGENET, inChannels: keys.shape('conv1.weight', 4)[1]!, layers },
      keys,
      options,
    );
  },
};
