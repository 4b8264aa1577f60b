import { ArchBuilder } from './arch-builder.js';
import { PAPER_A, PAPER_A_IMAGENET, presetArchSpec } from './codebases.js';
import type { Preset, TensorShapes } from './preset.js';
import { blocksOf, readStages, variantName } from './resnet-stages.js';
import { hasAll, StateDictShapes } from './state-dict-shapes.js';

const NAME = 'online_spiking_resnet_sew';
const MODULE = 'models/spiking_resnet_SEW.py';

/**
 * Paper A's SEW OnlineSpikingResNet (models/spiking_resnet_SEW.py, yamls' `BN: True`): every conv is a
 * SynapseNeuron (`synapse` conv, `bn` MySyncBN, `neuron` LIF). Stem conv7x7 s2 p3 + MaxPool(3, 2, 1) on its
 * spikes; a block outputs its last SynapseNeuron's spikes plus the identity (the block input, or the
 * `downsample` SynapseNeuron's spikes, conv1x1 with the block's stride): a sum of spike trains (0, 1, 2, ...)
 * that the next block's convs read as it is. BasicBlock (two 3x3) or Bottleneck (1x1, 3x3 with the stride,
 * 1x1). The class hard-codes 3 input channels and the ImageNet head (AdaptiveAvgPool 1 + fc), so the image
 * side is the ImageNet crop unless given.
 */
export const ONLINE_SPIKING_RESNET_SEW: Preset = {
  name: NAME,
  module: `${PAPER_A.repository} ${MODULE}`,
  description: `paper A SEW-ResNet (online_spiking_resnet18/34/50 and any depth): SynapseNeuron stem 7x7 s2 + maxpool, spike-sum shortcuts, BasicBlock or Bottleneck from the keys; ImageNet 3x224x224, T ${PAPER_A_IMAGENET.timesteps}`,
  matches: (shapes: TensorShapes) => hasAll(shapes, ['convNeuron1.synapse.weight', 'convNeuron1.bn.gamma', 'layer1.0.convNeuron1.synapse.weight', 'fc.weight']),
  build(shapes, file, options) {
    const keys = new StateDictShapes(shapes, file, NAME);
    const stages = readStages(keys, [1, 2, 2, 2]);
    const bottleneck = keys.has('layer1.0.convNeuron3.synapse.weight');
    const g = new ArchBuilder(keys);
    const synapseNeuron = (path: string, kernel: number, stride: number, from?: string): string => {
      g.conv(`${path}.synapse`, kernel, stride, (kernel - 1) / 2, from);
      g.norm(`${path}.bn`, 'osr');
      return g.lif(`${path}.neuron`);
    };
    synapseNeuron('convNeuron1', 7, 2);
    g.pool('maxpool', 'maxpool2d', { kernel: 3, stride: 2, padding: 1 });
    for (const { path, stride } of blocksOf(stages)) {
      const x = g.current;
      let spikes: string;
      if (bottleneck) {
        synapseNeuron(`${path}.convNeuron1`, 1, 1);
        synapseNeuron(`${path}.convNeuron2`, 3, stride);
        spikes = synapseNeuron(`${path}.convNeuron3`, 1, 1);
      } else {
        synapseNeuron(`${path}.convNeuron1`, 3, stride);
        spikes = synapseNeuron(`${path}.convNeuron2`, 3, 1);
      }
      const identity = keys.has(`${path}.downsample.synapse.weight`) ? synapseNeuron(`${path}.downsample`, 1, stride, x) : x;
      g.add(`${path}.add`, spikes, identity);
    }
    g.adaptiveAvgPool('avgpool', 1);
    g.flatten('flatten');
    g.linear('fc');
    const block = bottleneck ? 'Bottleneck' : 'BasicBlock';
    const named: Readonly<Record<string, string>> = bottleneck
      ? { '[3, 4, 6, 3]': 'online_spiking_resnet50' }
      : { '[2, 2, 2, 2]': 'online_spiking_resnet18', '[3, 4, 6, 3]': 'online_spiking_resnet34' };
    return presetArchSpec(
      {
        codebase: PAPER_A,
        preset: NAME,
        name: variantName(stages, named, `OnlineSpikingResNet(${block}`),
        module: MODULE,
        defaults: PAPER_A_IMAGENET,
        inChannels: keys.shape('convNeuron1.synapse.weight', 4)[1]!,
        layers: g.layers,
      },
      keys,
      options,
    );
  },
};
