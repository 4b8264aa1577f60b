import { ArchBuilder } from './arch-builder.js';
import { PAPER_B, paperBDataset, presetArchSpec } from './codebases.js';
import type { Preset, TensorShapes } from './preset.js';
import { blocksOf, readStages, variantName } from './resnet-stages.js';
import { hasAll, StateDictShapes } from './state-dict-shapes.js';

const MODULE = 'model/resnet.py';

/**
 * Paper B's ResNet and ResNet19 classes (model/resnet.py): stem `conv0` = conv3x3 (no bias) + BatchNorm2d +
 * LIF; BasicBlock `spike2(bn2(conv2(spike1(bn1(conv1(x))))) + shortcut(x))`, shortcut = conv1x1 + BatchNorm2d
 * (`shortcut.0/.1`) where the stride or width changes, else the block input; AdaptiveAvgPool 1 (`avg_pool`,
 * id 'avgpool' as the fixtures write it), flatten, `classifier`: one Linear (ResNet), or Linear + LIF +
 * Linear (ResNet19). ResNet has four stages (strides 1, 2, 2, 2), ResNet19 three (1, 2, 2). The input side
 * is the dataset's (the head adapts to any), chosen by in_channel: 2 is the dvs main's, 3 the cifar main's.
 */
function ratebpResNet(name: 'resnet18' | 'resnet19', strides: readonly number[]): Preset {
  const nineteen = name === 'resnet19';
  const constructor = nineteen ? 'ResNet19(BasicBlock' : 'ResNet(BasicBlock';
  const named: Record<string, string> = nineteen ? { '[3, 3, 2]': 'resnet19' } : { '[2, 2, 2, 2]': 'resnet18' };
  return {
    name,
    module: `${PAPER_B.repository} ${MODULE}`,
    description: `paper B ${name} (${constructor.replace('(BasicBlock', '')} class, any depth): conv0 stem, ${strides.length} stages of BasicBlocks, ${nineteen ? 'Linear + LIF + Linear' : 'Linear'} head; CIFAR 3x32x32 T 2, or CIFAR10-DVS 2x48x48 T 10 when in_channel is 2`,
    matches: (shapes: TensorShapes) =>
      hasAll(shapes, ['conv0.0.weight', 'conv0.1.running_mean', 'layer1.0.conv1.weight', 'layer1.0.bn1.running_mean', 'classifier.0.weight']) &&
      shapes.has('classifier.2.weight') === nineteen &&
      shapes.has(`layer${strides.length}.0.conv1.weight`) &&
      !shapes.has(`layer${strides.length + 1}.0.conv1.weight`),
    build(shapes, file, options) {
      const keys = new StateDictShapes(shapes, file, name);
      const stages = readStages(keys, strides);
      const g = new ArchBuilder(keys);
      g.conv('conv0.0', 3, 1, 1);
      g.norm('conv0.1', 'batchnorm');
      g.lif('conv0.2');
      for (const { path, stride } of blocksOf(stages)) {
        const x = g.current;
        g.conv(`${path}.conv1`, 3, stride, 1);
        g.norm(`${path}.bn1`, 'batchnorm');
        g.lif(`${path}.spike1`);
        g.conv(`${path}.conv2`, 3, 1, 1);
        const branch = g.norm(`${path}.bn2`, 'batchnorm');
        let shortcut = x;
        if (keys.has(`${path}.shortcut.0.weight`)) {
          g.conv(`${path}.shortcut.0`, 1, stride, 0, x);
          shortcut = g.norm(`${path}.shortcut.1`, 'batchnorm');
        }
        g.add(`${path}.add`, branch, shortcut);
        g.lif(`${path}.spike2`);
      }
      g.adaptiveAvgPool('avgpool', 1);
      g.flatten('flatten');
      g.linear('classifier.0');
      if (nineteen) {
        g.lif('classifier.1');
        g.linear('classifier.2');
      }
      const inChannels = keys.shape('conv0.0.weight', 4)[1]!;
      return presetArchSpec(
        {
          codebase: PAPER_B,
          preset: name,
          name: variantName(stages, named, constructor),
          module: MODULE,
          defaults: paperBDataset(inChannels),
          inChannels,
          layers: g.layers,
        },
        keys,
        options,
      );
    },
  };
}

export const RESNET18 = ratebpResNet('resnet18', [1, 2, 2, 2]);
export const RESNET19 = ratebpResNet('resnet19', [1, 2, 2]);
