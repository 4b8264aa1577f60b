import type { ArchLayer } from '../arch-spec.js';
import type { ArchBuilder } from './arch-builder.js';
import { blocksOf, readStages, variantName } from './resnet-stages.js';
import type { StateDictShapes } from './state-dict-shapes.js';

/**
 * The layout paper A's NF ResNet and paper B's preact_resnet34 share (both torchvision ResNets turned
 * pre-activation): stem conv7x7 s2 p3 (`conv1`) + norm (`bn1`) + MaxPool(3, 2, 1) with no neuron; each block
 * `sn_k -> conv_k -> bn_k` for k = 1, 2 (BasicBlock, both 3x3, the stride on conv1) or 1, 2, 3 (Bottleneck:
 * 1x1, 3x3 with the stride, 1x1), plus the real-valued block input or `downsample` (conv1x1 with the stride
 * + norm) of it; AdaptiveAvgPool 1, flatten, `fc`.
 */
export function preactivationResNet(
  keys: StateDictShapes,
  g: ArchBuilder,
  norm: 'osr' | 'batchnorm',
  constructor: string,
  names: { readonly basic: Readonly<Record<string, string>>; readonly bottleneck: Readonly<Record<string, string>> },
): { layers: readonly ArchLayer[]; name: string } {
  const stages = readStages(keys, [1, 2, 2, 2]);
  const bottleneck = keys.has('layer1.0.conv3.weight');
  const kernels = bottleneck ? [1, 3, 1] : [3, 3];
  const strideAt = bottleneck ? 1 : 0;
  g.conv('conv1', 7, 2, 3);
  g.norm('bn1', norm);
  g.pool('maxpool', 'maxpool2d', { kernel: 3, stride: 2, padding: 1 });
  for (const { path, stride } of blocksOf(stages)) {
    const x = g.current;
    kernels.forEach((kernel, k) => {
      g.lif(`${path}.sn${k + 1}`);
      g.conv(`${path}.conv${k + 1}`, kernel, k === strideAt ? stride : 1, (kernel - 1) / 2);
      g.norm(`${path}.bn${k + 1}`, norm);
    });
    const branch = g.current;
    let shortcut = x;
    if (keys.has(`${path}.downsample.0.weight`)) {
      g.conv(`${path}.downsample.0`, 1, stride, 0, x);
      shortcut = g.norm(`${path}.downsample.1`, norm);
    }
    g.add(`${path}.add`, branch, shortcut);
  }
  g.adaptiveAvgPool('avgpool', 1);
  g.flatten('flatten');
  g.linear('fc');
  const block = bottleneck ? 'Bottleneck' : 'BasicBlock';
  return { layers: g.layers, name: variantName(stages, bottleneck ? names.bottleneck : names.basic, `${constructor}(${block}`) };
}
