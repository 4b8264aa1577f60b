import { ArchBuilder } from './arch-builder.js';
import { PAPER_A, PAPER_A_CIFAR, presetArchSpec, squareSide } from './codebases.js';
import type { Preset, TensorShapes } from './preset.js';
import { blocksOf, readStages } from './resnet-stages.js';
import { hasAll, StateDictShapes } from './state-dict-shapes.js';

const MODULE = 'models/spiking_resnet.py';

/**
 * Paper A's OnlineSpikingResNet17/19 (models/spiking_resnet.py), CIFAR networks: conv3x3 + MySyncBN + LIF stem;
 * BasicBlock `sn2(bn2(conv2(sn1(bn1(conv1(x)))) + shortcut))` (the norm sits after the add, so it scales the
 * shortcut too: the block input, or downsample = conv1x1 + MySyncBN); AvgPool2d(2), `fc1` = Linear + MySyncBN
 * (called without `init`, so its statistics stay 0/1 and eval applies gamma*x/sqrt(1+1e-4)+beta: the state
 * dict's values are used as they are), `fc2` Linear with no neuron. ResNet-17 has two stages, both stride 2;
 * ResNet-19 three, strides 1, 2, 2. The input side is the one `W = 32 // 2**3` in the code implies, read back
 * from fc1's width.
 */
function onlineSpikingResNet(name: 'online_spiking_resnet17' | 'online_spiking_resnet19', strides: readonly number[]): Preset {
  const lastStage = `layer${strides.length}`;
  return {
    name,
    module: `${PAPER_A.repository} ${MODULE}`,
    description: `paper A ${name}: conv3x3 stem, ${strides.length} stages of BasicBlocks with the norm after the add, fc1 (Linear + norm) and fc2; CIFAR 3x32x32 (side from fc1's width), T ${PAPER_A_CIFAR.timesteps}`,
    matches: (shapes: TensorShapes) =>
      hasAll(shapes, ['conv1.weight', 'bn1.gamma', 'layer1.0.conv1.weight', 'layer1.0.bn2.gamma', `${lastStage}.0.conv1.weight`, 'fc1.0.weight', 'fc1.1.gamma', 'fc2.weight']) &&
      !shapes.has(`layer${strides.length + 1}.0.conv1.weight`),
    build(shapes, file, options) {
      const keys = new StateDictShapes(shapes, file, name);
      const stages = readStages(keys, strides);
      const g = new ArchBuilder(keys);
      g.conv('conv1', 3, 1, 1);
      g.norm('bn1', 'osr');
      g.lif('sn1');
      let channels = keys.convOut('conv1.weight', 3);
      for (const { path, stride } of blocksOf(stages)) {
        const x = g.current;
        g.conv(`${path}.conv1`, 3, stride, 1);
        g.norm(`${path}.bn1`, 'osr');
        g.lif(`${path}.sn1`);
        const branch = g.conv(`${path}.conv2`, 3, 1, 1);
        let shortcut = x;
        if (keys.has(`${path}.downsample.0.weight`)) {
          g.conv(`${path}.downsample.0`, 1, stride, 0, x);
          shortcut = g.norm(`${path}.downsample.1`, 'osr');
        }
        g.add(`${path}.add`, branch, shortcut);
        g.norm(`${path}.bn2`, 'osr');
        g.lif(`${path}.sn2`);
        channels = keys.convOut(`${path}.conv2.weight`, 3);
      }
      g.pool('avgpool', 'avgpool2d', { kernel: 2 });
      g.flatten('flatten');
      g.linear('fc1.0');
      g.norm('fc1.1', 'osr');
      g.linear('fc2');
      const features = keys.shape('fc1.0.weight', 2)[1]!;
      const pooled = squareSide(features, channels) ?? keys.fail(`fc1.0 reads ${features} features, not ${channels}*W*W`);
      const downsampling = 2 * strides.reduce((a, b) => a * b, 1);
      return presetArchSpec(
        {
          codebase: PAPER_A,
          preset: name,
          name,
          module: MODULE,
          defaults: PAPER_A_CIFAR,
          inChannels: keys.shape('conv1.weight', 4)[1]!,
          sideFromClassifier: pooled * downsampling,
          layers: g.layers,
        },
        keys,
        options,
      );
    },
  };
}

export const ONLINE_SPIKING_RESNET17 = onlineSpikingResNet('online_spiking_resnet17', [2, 2]);
export const ONLINE_SPIKING_RESNET19 = onlineSpikingResNet('online_spiking_resnet19', [1, 2, 2]);
