import { ArchBuilder } from './arch-builder.js';
import { PAPER_B, PAPER_B_IMAGENET, presetArchSpec } from './codebases.js';
import type { Preset, TensorShapes } from './preset.js';
import { blocksOf, readStages, variantName } from './resnet-stages.js';
import { hasAll, StateDictShapes } from './state-dict-shapes.js';

const NAME = 'sew_resnet34';
const MODULE = 'model/sew_resnet.py';

/**
 * Paper B's SewSpikingResNet (model/sew_resnet.py): every conv is nn.Sequential(conv, BatchNorm2d, LIFLayer)
 * (`.0/.1/.2`); stem conv7x7 s2 p3 (3 channels hard-coded) + MaxPool(3, 2, 1) on its spikes; BasicBlock
 * output = convNeuron2's spikes + identity (block input or the `downsample` conv1x1 + BN + LIF spikes), an
 * integer spike sum the next block reads; AdaptiveAvgPool 1, flatten, `fc`. ImageNet config: 224, T 4.
 */
export const SEW_RESNET34: Preset = {
  name: NAME,
  module: `${PAPER_B.repository} ${MODULE}`,
  description: `paper B sew_resnet34 (SewSpikingResNet, any depth): conv+BN+LIF stem 7x7 s2 + maxpool, spike-sum shortcuts; ImageNet 3x224x224, T ${PAPER_B_IMAGENET.timesteps}`,
  matches: (shapes: TensorShapes) => hasAll(shapes, ['convNeuron1.0.weight', 'convNeuron1.1.running_mean', 'layer1.0.convNeuron1.0.weight', 'fc.weight']),
  build(shapes, file, options) {
    const keys = new StateDictShapes(shapes, file, NAME);
    const stages = readStages(keys, [1, 2, 2, 2]);
    const g = new ArchBuilder(keys);
    const convNeuron = (path: string, kernel: number, stride: number, from?: string): string => {
      g.conv(`${path}.0`, kernel, stride, (kernel - 1) / 2, from);
      g.norm(`${path}.1`, 'batchnorm');
      return g.lif(`${path}.2`);
    };
    convNeuron('convNeuron1', 7, 2);
    g.pool('maxpool', 'maxpool2d', { kernel: 3, stride: 2, padding: 1 });
    for (const { path, stride } of blocksOf(stages)) {
      const x = g.current;
      convNeuron(`${path}.convNeuron1`, 3, stride);
      const spikes = convNeuron(`${path}.convNeuron2`, 3, 1);
      const identity = keys.has(`${path}.downsample.0.weight`) ? convNeuron(`${path}.downsample`, 1, stride, x) : x;
      g.add(`${path}.add`, spikes, identity);
    }
    g.adaptiveAvgPool('avgpool', 1);
    g.flatten('flatten');
    g.linear('fc');
    return presetArchSpec(
      {
        codebase: PAPER_B,
        preset: NAME,
        name: variantName(stages, { '[3, 4, 6, 3]': 'sew_resnet34' }, 'SewSpikingResNet(BasicBlock'),
        module: MODULE,
        defaults: PAPER_B_IMAGENET,
        inChannels: keys.shape('convNeuron1.0.weight', 4)[1]!,
        layers: g.layers,
      },
      keys,
      options,
    );
  },
};
