import { ArchBuilder } from './arch-builder.js';
import { PAPER_B, PAPER_B_IMAGENET, presetArchSpec } from './codebases.js';
import { preactivationResNet } from './preactivation-resnet.js';
import type { Preset, TensorShapes } from './preset.js';
import { hasAll, StateDictShapes } from './state-dict-shapes.js';

const NAME = 'preact_resnet34';
const MODULE = 'model/preact_resnet.py';

/**
 * Paper B's PreactSpikingResNet (model/preact_resnet.py): the pre-activation layout of paper A's NF ResNet
 * with BatchNorm2d (eps 1e-5): stem conv7x7 s2 + bn1 + maxpool with no neuron, blocks `bn2(conv2(sn2(bn1(
 * conv1(sn1(x)))))) + (x | downsample(x))` on a real-valued stream. ImageNet config: 224, T 4.
 */
export const PREACT_RESNET34: Preset = {
  name: NAME,
  module: `${PAPER_B.repository} ${MODULE}`,
  description: `paper B preact_resnet34 (PreactSpikingResNet, any depth): pre-activation blocks, real-valued shortcut; ImageNet 3x224x224, T ${PAPER_B_IMAGENET.timesteps}`,
  matches: (shapes: TensorShapes) => hasAll(shapes, ['conv1.weight', 'bn1.running_mean', 'layer1.0.conv1.weight', 'layer1.0.bn1.running_mean', 'fc.weight']),
  build(shapes, file, options) {
    const keys = new StateDictShapes(shapes, file, NAME);
    if (keys.has('layer1.0.conv3.weight')) keys.fail("model/preact_resnet.py has only a BasicBlock, but 'layer1.0.conv3.weight' is a Bottleneck's");
    const g = new ArchBuilder(keys);
    const { layers, name } = preactivationResNet(keys, g, 'batchnorm', 'PreactSpikingResNet', { basic: { '[3, 4, 6, 3]': 'preact_resnet34' }, bottleneck: {} });
    return presetArchSpec(
      { codebase: PAPER_B, preset: NAME, name, module: MODULE, defaults: PAPER_B_IMAGENET, inChannels: keys.shape('conv1.weight', 4)[1]!, layers },
      keys,
      options,
    );
  },
};
